// How `run` feeds the attention kernel: query, key and value (one input: all three), the
// projection weights (in_proj_weight's three row blocks, or q/k/v_proj_weight), in_proj_bias,
// bias_k, bias_v and out_proj, and both tuple elements.
#include "cnnshape/error.hpp"
#include "exec/op_run.hpp"
#include <fmt/format.h>

namespace cnnshape {

void run_op(const OpRun& r, const AttentionDesc& d) {
    if (d.train_dropout)
        throw UsageError(fmt::format("layer {} (MultiheadAttention): dropout={} in train mode "
                                     "drops attention weights, which cnnshape does not "
                                     "reproduce; run it in eval mode (or with dropout=0)",
                                     r.layer.name, d.dropout));
    kernels::Io io = r.io();
    const float *wq, *wk, *wv;
    if (d.packed) {
        const float* w = r.weight("in_proj_weight");
        wq = w, wk = w + d.embed_dim * d.embed_dim, wv = w + 2 * d.embed_dim * d.embed_dim;
    } else {
        wq = r.weight("q_proj_weight"), wk = r.weight("k_proj_weight");
        wv = r.weight("v_proj_weight");
    }
    io.params = {wq,
                 wk,
                 wv,
                 r.weight_if(d.bias, "in_proj_bias"),
                 r.weight_if(d.add_bias_kv, "bias_k"),
                 r.weight_if(d.add_bias_kv, "bias_v"),
                 r.weight("out_proj.weight"),
                 r.weight_if(d.bias, "out_proj.bias")};
    kernels::run(r.ctx, d, io);
}

} // namespace cnnshape
