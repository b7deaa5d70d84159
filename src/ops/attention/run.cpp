// How `run` feeds the attention kernel: query, key and value (one input: all three), the
// projection weights (in_proj_weight's three row blocks, or q/k/v_proj_weight), in_proj_bias,
// bias_k, bias_v and out_proj, both tuple elements, and in train mode the dropout mask.
#include "cnnshape/random.hpp"
#include "exec/op_run.hpp"
#include <vector>

namespace cnnshape {

namespace {

// Train mode: F.dropout of the attention weights (bsz * num_heads, L, S'), as aten's
// _dropout_impl draws it on the CPU (the Dropout layer's rule): nothing for an empty tensor, zeros
// for p = 1, else one bernoulli_(1 - p) draw (a 53-bit uniform) per element in order, divided by
// 1 - p in float. The weights are multiplied by it after the softmax.
std::vector<float> dropout_noise(const AttentionDesc& d, TorchGenerator& g) {
    const std::int64_t n = d.N * d.num_heads * d.L * d.S_total;
    std::vector<float> noise(std::size_t(n), 0.0f);
    if (d.dropout >= 1) return noise;
    const double keep = 1.0 - d.dropout;
    const float keep_f = float(keep);
    for (float& v : noise) {
        const std::uint64_t r = g.random64() & ((std::uint64_t(1) << 53) - 1);
        const double u = double(r) * (1.0 / 9007199254740992.0);
        v = (u < keep ? 1.0f : 0.0f) / keep_f;
    }
    return noise;
}

} // namespace

void run_op(const OpRun& r, const AttentionDesc& d) {
    std::vector<float> noise;
    if (d.train_dropout) noise = dropout_noise(d, r.rng);
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
                 r.weight_if(d.bias, "out_proj.bias"),
                 d.train_dropout ? noise.data() : nullptr};
    kernels::run(r.ctx, d, io);
}

} // namespace cnnshape
