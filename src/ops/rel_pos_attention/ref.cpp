// RelativePositionalMultiHeadAttention as torchvision's forward computes it: to_qkv (the Linear
// kernel), q, k, v its three chunks per head, k * feat_dim^-0.5, the einsum q . k^T (a double
// sum), plus relative_position_bias_table[relative_position_index], softmax (max, exp, a double
// sum, times 1 / sum), the einsum attn . v, the heads joined and merge (the Linear kernel).
#include "kernels/ref/ref.hpp"
#include "cnnshape/parallel.hpp"
#include <cmath>
#include <limits>

namespace cnnshape::kernels::ref {
namespace {

using i64 = std::int64_t;

void linear(const Context& ctx, const float* x, i64 rows, i64 in, const float* w, const float* b,
            i64 out, float* y) {
    LinearDesc d;
    d.in_features = in;
    d.out_features = out;
    d.bias = b != nullptr;
    Io io;
    io.in_shapes = {{rows, in}};
    io.in = {x};
    io.params = {w, b};
    io.out_shape = {rows, out};
    io.out = y;
    kernels::run(ctx, d, io);
}

} // namespace

void run(const Context& ctx, const RelPosAttentionDesc& d, const Io& io) {
    const i64 f = d.feat_dim, nh = d.num_heads, hd = d.head_dim, P = d.P, R = d.table_rows;
    const i64 windows = d.B * d.G, rows = windows * P;
    const float *qkv_w = io.param(0), *qkv_b = io.param(1), *merge_w = io.param(2),
                *merge_b = io.param(3), *table = io.param(4), *index = io.param(5);
    std::vector<float> bias(std::size_t(nh * P * P));
    for (i64 i = 0; i < P * P; ++i) {
        i64 r = R == 1 ? 0 : i64(index[i]) % R; // max_seq_len 1: the one bias broadcasts
        if (r < 0) r += R;
        for (i64 h = 0; h < nh; ++h)
            bias[std::size_t(h * P * P + i)] = table[r * nh + h];
    }
    const float scale = float(std::pow(double(f), -0.5));
    std::vector<float> qkv(std::size_t(rows * 3 * f)), att(std::size_t(rows * f));
    linear(ctx, io.x(), rows, f, qkv_w, qkv_b, 3 * f, qkv.data());
    parallel_for(ctx.threads, windows * nh, 1, [&](i64 j0, i64 j1) {
        std::vector<float> k(static_cast<std::size_t>(P * hd)), p(static_cast<std::size_t>(P));
        for (i64 job = j0; job < j1; ++job) {
            const i64 w = job / nh, h = job % nh;
            const float* base = qkv.data() + w * P * 3 * f;
            for (i64 t = 0; t < P; ++t)
                for (i64 j = 0; j < hd; ++j)
                    k[std::size_t(t * hd + j)] = base[t * 3 * f + f + h * hd + j] * scale;
            for (i64 i = 0; i < P; ++i) {
                float mx = -std::numeric_limits<float>::infinity();
                for (i64 t = 0; t < P; ++t) {
                    double acc = 0;
                    for (i64 j = 0; j < hd; ++j)
                        acc += double(base[i * 3 * f + h * hd + j]) *
                               double(k[std::size_t(t * hd + j)]);
                    const float a = float(acc) + bias[std::size_t((h * P + i) * P + t)];
                    p[std::size_t(t)] = a;
                    if (a > mx || std::isnan(a)) mx = a;
                }
                double sum = 0;
                for (i64 t = 0; t < P; ++t) {
                    p[std::size_t(t)] = std::exp(p[std::size_t(t)] - mx);
                    sum += p[std::size_t(t)];
                }
                const float r = 1.0f / float(sum);
                for (i64 t = 0; t < P; ++t)
                    p[std::size_t(t)] *= r;
                for (i64 j = 0; j < hd; ++j) {
                    double acc = 0;
                    for (i64 t = 0; t < P; ++t)
                        acc += double(p[std::size_t(t)]) *
                               double(base[t * 3 * f + 2 * f + h * hd + j]);
                    att[std::size_t((w * P + i) * f + h * hd + j)] = float(acc);
                }
            }
        }
    });
    linear(ctx, att.data(), rows, f, merge_w, merge_b, f, io.out);
}

} // namespace cnnshape::kernels::ref
