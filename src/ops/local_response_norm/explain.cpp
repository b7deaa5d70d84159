// How explain describes LocalResponseNorm.
#include "analysis/explain_support.hpp"

namespace cnnshape {

void explain_op(LayerExplanation& e, const LayerPlan&, const LocalResponseNormDesc& d) {
    e.notes.push_back(fmt::format(
        "LocalResponseNorm divides each value by (k + alpha * the mean of the squares of {} "
        "channels, c-{} to c+{}, zeros past the ends)^beta: shape kept",
        d.size, d.size / 2, (d.size - 1) / 2));
}

} // namespace cnnshape
