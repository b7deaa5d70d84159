// How explain describes ShiftedWindowAttention(V2): the windows, the shift and the heads.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const WindowAttentionDesc& d) {
    check_equal(d.C, l.output.empty() ? 0 : l.output.back(), l, "dim");
    e.notes.push_back(fmt::format(
        "(B, H, W, C) = ({}, {}, {}, {}) padded to {} x {} and cut into {} x {} = {} windows of "
        "{} x {} tokens; {} heads of head_dim {} attend within each window",
        d.B, d.H, d.W, d.C, d.pad_H, d.pad_W, d.pad_H / d.ws0, d.pad_W / d.ws1,
        (d.pad_H / d.ws0) * (d.pad_W / d.ws1), d.ws0, d.ws1, d.num_heads, d.head_dim));
    if (d.shifted)
        e.notes.push_back(fmt::format("shifted windows: rolled by ({}, {}) first and back after; "
                                      "tokens of different regions of a window are masked "
                                      "(-100 before the softmax)",
                                      -d.shift0, -d.shift1));
    else
        e.notes.push_back("no shift (shift_size 0, or the window covers the padded input)");
    e.notes.push_back(d.v2 ? "V2: cosine attention scaled by exp(min(logit_scale, log 100)), "
                             "bias 16 * sigmoid(cpb_mlp(relative_coords_table)) gathered by "
                             "relative_position_index"
                           : "bias: relative_position_bias_table gathered by "
                             "relative_position_index");
}

} // namespace cnnshape
