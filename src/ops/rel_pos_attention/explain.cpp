// How explain describes RelativePositionalMultiHeadAttention.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const RelPosAttentionDesc& d) {
    check_equal(d.feat_dim, l.output.empty() ? 0 : l.output.back(), l, "feat_dim");
    e.notes.push_back(fmt::format(
        "(B, G, P, D) = ({}, {}, {}, {}): each of the {} windows of {} tokens attends within "
        "itself, {} heads of head_dim {}; k is scaled by feat_dim^-0.5 and "
        "relative_position_bias_table[relative_position_index] is added to the scores",
        d.B, d.G, d.P, d.feat_dim, d.B * d.G, d.P, d.num_heads, d.head_dim));
}

} // namespace cnnshape
