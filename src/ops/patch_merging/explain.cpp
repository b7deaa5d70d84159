// How explain describes PatchMerging(V2).
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const PatchMergingDesc& d) {
    check_equal(2 * d.C, l.output.empty() ? 0 : l.output.back(), l, "2 * dim");
    e.notes.push_back(fmt::format(
        "(H, W) = ({}, {}){}: each 2 x 2 patch's channels joined ({} -> {}), then {}", d.H, d.W,
        (d.H % 2 || d.W % 2) ? " zero-padded to even sizes" : "", d.C, 4 * d.C,
        d.v2 ? fmt::format("reduction {} -> {} and LayerNorm({})", 4 * d.C, 2 * d.C, 2 * d.C)
             : fmt::format("LayerNorm({}) and reduction {} -> {}", 4 * d.C, 4 * d.C, 2 * d.C)));
}

} // namespace cnnshape
