// ShiftedWindowAttention and ShiftedWindowAttentionV2 (torchvision.models.swin_transformer's
// modules, their shifted_window_attention): WindowAttentionDesc, the sizes the shape engine
// resolved. The input (B, H, W, C) is padded to (pad_H, pad_W), multiples of the window, rolled by
// -shift, cut into windows of ws0 x ws1 tokens, attended per window and head (with the relative
// position bias, and the -100 mask between regions of a shifted window), projected, put back,
// rolled by +shift and cropped to (B, H, W, C).
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

struct WindowAttentionDesc {
    bool v2 = false; // cosine attention, logit_scale, the cpb_mlp bias table, k's bias zeroed
    std::int64_t B = 0, H = 0, W = 0, C = 0, num_heads = 1, head_dim = 0;
    std::int64_t ws0 = 1, ws1 = 1;       // window_size
    std::int64_t shift0 = 0, shift1 = 0; // shift_size after the window >= padded size rule
    std::int64_t pad_H = 0, pad_W = 0;
    bool shifted = false; // sum(shift_size) > 0: rolled, and the attention masked
    bool qkv_bias = true, proj_bias = true;
    std::int64_t table_rows = 0;   // (2 ws0 - 1)(2 ws1 - 1)
    std::int64_t cpb_hidden = 512; // V2: cpb_mlp's hidden width
    // F.dropout is called with training=True: p > 0 drops in eval mode too (run refuses it)
    double attention_dropout = 0, dropout = 0;
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const WindowAttentionDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const WindowAttentionDesc& d);

} // namespace cnnshape
