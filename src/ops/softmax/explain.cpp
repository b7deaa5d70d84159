// How explain describes Softmax.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan&, const SoftmaxDesc& d) {
    e.notes.push_back(fmt::format("Softmax over dimension {}: shape kept", d.dim));
}

} // namespace cnnshape
