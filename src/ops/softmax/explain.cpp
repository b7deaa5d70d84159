// How explain describes Softmax.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan&, const SoftmaxDesc& d) {
    if (d.kind == SoftmaxKind::GLU)
        e.notes.push_back(fmt::format("GLU halves dimension {}: the first half times the sigmoid "
                                      "of the second",
                                      d.dim));
    else
        e.notes.push_back(fmt::format("{} over dimension {}: shape kept",
                                      d.kind == SoftmaxKind::LogSoftmax ? "LogSoftmax" : "Softmax",
                                      d.dim));
}

} // namespace cnnshape
