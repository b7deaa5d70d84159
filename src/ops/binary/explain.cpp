// How explain describes Add.
#include "analysis/explain_support.hpp"

namespace cnnshape {

void explain_op(LayerExplanation& e, const LayerPlan& l, const AddDesc&) {
    e.notes.push_back(fmt::format("Add sums its {} inputs elementwise, broadcasting sizes of 1",
                                  l.input_shapes.size()));
}

} // namespace cnnshape
