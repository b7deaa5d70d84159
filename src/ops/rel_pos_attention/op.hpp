// RelativePositionalMultiHeadAttention (torchvision.models.maxvit): RelPosAttentionDesc. The
// input (B, G, P, D) is G windows of P = max_seq_len tokens; to_qkv, per window and head
// softmax(q . (k * feat_dim^-0.5)^T + relative_position_bias_table[relative_position_index]) . v,
// the heads joined and merge.
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

struct RelPosAttentionDesc {
    std::int64_t B = 0, G = 0, P = 0, feat_dim = 0, num_heads = 1, head_dim = 0;
    std::int64_t table_rows = 0; // (2 size - 1)^2, size = int(sqrt(max_seq_len))
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const RelPosAttentionDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const RelPosAttentionDesc& d);

} // namespace cnnshape
