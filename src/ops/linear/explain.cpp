// How explain describes Linear.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const LinearDesc& ld) {
    check_equal(ld.out_features, l.output.back(), l, "out_features");
    e.notes.push_back(fmt::format("Linear maps the last dimension {} -> {}; the others are kept",
                                  ld.in_features, ld.out_features));
}

} // namespace cnnshape
