// MultiheadAttention (nn.MultiheadAttention): AttentionDesc, the sizes the shape engine resolved
// for F.multi_head_attention_forward. The layer returns the tuple (attn_output, attn_weights);
// with need_weights=False only attn_output (PyTorch's second element is None).
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

struct AttentionDesc {
    std::int64_t embed_dim = 0, num_heads = 1, head_dim = 0;
    std::int64_t kdim = 0, vdim = 0; // key's and value's last dim (embed_dim unless given)
    bool packed = true;              // in_proj_weight (3E, E), else q/k/v_proj_weight
    bool bias = true;                // in_proj_bias and out_proj.bias
    bool add_bias_kv = false, add_zero_attn = false;
    bool batched = true;      // query (L, N, E) or (N, L, E); else (L, E) and N = 1
    bool batch_first = false; // batched with batch_first=True: (N, L, E)
    bool need_weights = true, average_attn_weights = true;
    std::int64_t L = 0, S = 0, N = 1; // query length, key/value length, batch
    std::int64_t S_total = 0;         // S + add_bias_kv + add_zero_attn: attn_weights' last dim
    bool train_dropout = false;       // train mode with dropout > 0: the weights are dropped
    double dropout = 0;
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const AttentionDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const AttentionDesc& d);

} // namespace cnnshape
