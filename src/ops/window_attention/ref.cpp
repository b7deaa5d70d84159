// ShiftedWindowAttention(V2) as torchvision's shifted_window_attention computes it in eval mode:
// zero padding to whole windows, torch.roll by -shift, window partition, qkv = F.linear (V2:
// with k's third of the bias zeroed), per window and head q . k^T scaled by head_dim^-0.5 (V2:
// cosine similarity of F.normalize'd q and k times exp(min(logit_scale, log 100))), plus the
// relative position bias (V1: relative_position_bias_table[relative_position_index]; V2:
// 16 * sigmoid(cpb_mlp(relative_coords_table))[relative_position_index]), plus the -100 mask
// between the regions of a shifted window, softmax (max, exp, a double sum, times 1 / sum),
// attn . v, F.linear by proj, the windows put back, rolled by +shift and cropped. The two
// projections (and V2's cpb_mlp) run on the Linear kernel; the window products are accumulated
// in double (PyTorch's BLAS order is not reproducible).
#include "kernels/ref/ref.hpp"
#include "cnnshape/parallel.hpp"
#include <cmath>
#include <limits>
#include <optional>

namespace cnnshape::kernels::ref {
namespace {

using i64 = std::int64_t;

// y (rows x out) = x (rows x in) W^T + b on the Linear kernel (the dispatcher's choice).
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

i64 wrap(i64 v, i64 n) {
    i64 r = v % n;
    return r < 0 ? r + n : r;
}

// Python's slice(start, stop) of a length-n axis, as [lo, hi).
std::pair<i64, i64> py_slice(std::optional<i64> start, std::optional<i64> stop, i64 n) {
    auto norm = [n](i64 v) { return v < 0 ? std::max<i64>(v + n, 0) : std::min(v, n); };
    i64 lo = start ? norm(*start) : 0, hi = stop ? norm(*stop) : n;
    return {lo, std::max(lo, hi)};
}

// The region label of each padded position (attn_mask before the partition): the 3 x 3 slices
// assigned in order, later ones overwriting earlier ones (as Python's slices do with a zero
// shift).
std::vector<int> region_labels(const WindowAttentionDesc& d) {
    std::vector<int> label(std::size_t(d.pad_H * d.pad_W), 0);
    using S = std::pair<std::optional<i64>, std::optional<i64>>;
    const S hs[3] = {{0, -d.ws0}, {-d.ws0, -d.shift0}, {-d.shift0, std::nullopt}};
    const S ws[3] = {{0, -d.ws1}, {-d.ws1, -d.shift1}, {-d.shift1, std::nullopt}};
    int count = 0;
    for (const S& h : hs)
        for (const S& w : ws) {
            auto [h0, h1] = py_slice(h.first, h.second, d.pad_H);
            auto [w0, w1] = py_slice(w.first, w.second, d.pad_W);
            for (i64 y = h0; y < h1; ++y)
                for (i64 x = w0; x < w1; ++x)
                    label[std::size_t(y * d.pad_W + x)] = count;
            ++count;
        }
    return label;
}

} // namespace

void run(const Context& ctx, const WindowAttentionDesc& d, const Io& io) {
    const i64 B = d.B, H = d.H, W = d.W, C = d.C, nh = d.num_heads, hd = d.head_dim;
    const i64 ws0 = d.ws0, ws1 = d.ws1, N = ws0 * ws1, pH = d.pad_H, pW = d.pad_W;
    const i64 nWh = pH / ws0, nWw = pW / ws1, nW = nWh * nWw, rows = B * nW * N;
    const float* x = io.x();
    const float *qkv_w = io.param(0), *qkv_b = io.param(1);
    const float *proj_w = io.param(2), *proj_b = io.param(3);
    const float* index = io.param(4);
    float* out = io.out;

    // The relative position bias (num_heads, N, N).
    const i64 R = d.table_rows;
    std::vector<float> table(std::size_t(R * nh));
    if (!d.v2) {
        std::copy(io.param(5), io.param(5) + R * nh, table.begin());
    } else {
        std::vector<float> hidden(std::size_t(R * d.cpb_hidden));
        linear(ctx, io.param(9), R, 2, io.param(6), io.param(7), d.cpb_hidden, hidden.data());
        for (float& v : hidden)
            v = v > 0 ? v : (std::isnan(v) ? v : 0.0f); // ReLU
        linear(ctx, hidden.data(), R, d.cpb_hidden, io.param(8), nullptr, nh, table.data());
    }
    std::vector<float> bias(std::size_t(nh * N * N));
    for (i64 i = 0; i < N * N; ++i) {
        const i64 r = wrap(i64(index[i]), R); // checked in range by run_op
        for (i64 h = 0; h < nh; ++h) {
            float v = table[std::size_t(r * nh + h)];
            if (d.v2) v = 16.0f * (1.0f / (1.0f + std::exp(-v)));
            bias[std::size_t(h * N * N + i)] = v;
        }
    }
    std::vector<float> scale(std::size_t(nh), float(std::pow(double(hd), -0.5)));
    if (d.v2) {
        const float* ls = io.param(5);
        for (i64 h = 0; h < nh; ++h)
            scale[std::size_t(h)] = std::exp(std::min(ls[h], float(std::log(100.0))));
    }
    // The mask: -100 between tokens of a window from different regions.
    std::vector<int> label;
    if (d.shifted) label = region_labels(d);

    // Padded, rolled by -shift, partitioned: row (b, window, token) of xw; position (y, x) of
    // the rolled grid holds the padded input's ((y + shift0) mod pH, (x + shift1) mod pW).
    auto source = [&](i64 win, i64 t, i64& sy, i64& sx) {
        const i64 y = (win / nWw) * ws0 + t / ws1, xx = (win % nWw) * ws1 + t % ws1;
        sy = d.shifted ? wrap(y + d.shift0, pH) : y;
        sx = d.shifted ? wrap(xx + d.shift1, pW) : xx;
    };
    auto grid = [&](i64 win, i64 t) {
        return ((win / nWw) * ws0 + t / ws1) * pW + (win % nWw) * ws1 + t % ws1;
    };
    std::vector<float> xw(std::size_t(rows * C), 0.0f);
    for (i64 b = 0; b < B; ++b)
        for (i64 win = 0; win < nW; ++win)
            for (i64 t = 0; t < N; ++t) {
                i64 sy, sx;
                source(win, t, sy, sx);
                if (sy >= H || sx >= W) continue; // padding
                const float* src = x + ((b * H + sy) * W + sx) * C;
                std::copy(src, src + C, xw.begin() + ((b * nW + win) * N + t) * C);
            }
    std::vector<float> qkv(std::size_t(rows * 3 * C));
    std::vector<float> kbias;
    if (d.v2 && qkv_b) { // qkv_bias.clone() with its middle third zeroed
        kbias.assign(qkv_b, qkv_b + 3 * C);
        std::fill(kbias.begin() + C, kbias.begin() + 2 * C, 0.0f);
        qkv_b = kbias.data();
    }
    linear(ctx, xw.data(), rows, C, qkv_w, qkv_b, 3 * C, qkv.data());

    std::vector<float> att(std::size_t(rows * C));
    parallel_for(ctx.threads, B * nW * nh, 1, [&](i64 j0, i64 j1) {
        std::vector<float> q(static_cast<std::size_t>(N * hd)), k(q),
            P(static_cast<std::size_t>(N));
        for (i64 job = j0; job < j1; ++job) {
            const i64 bw = job / nh, h = job % nh, win = bw % nW;
            const float* base = qkv.data() + bw * N * 3 * C;
            for (i64 t = 0; t < N; ++t)
                for (i64 j = 0; j < hd; ++j) {
                    q[std::size_t(t * hd + j)] = base[t * 3 * C + h * hd + j];
                    k[std::size_t(t * hd + j)] = base[t * 3 * C + C + h * hd + j];
                }
            if (d.v2) { // F.normalize(dim=-1): x / max(||x||, 1e-12)
                for (std::vector<float>* m : {&q, &k})
                    for (i64 t = 0; t < N; ++t) {
                        double ss = 0;
                        for (i64 j = 0; j < hd; ++j)
                            ss += double((*m)[std::size_t(t * hd + j)]) *
                                  double((*m)[std::size_t(t * hd + j)]);
                        const float nrm = std::max(float(std::sqrt(ss)), 1e-12f);
                        for (i64 j = 0; j < hd; ++j)
                            (*m)[std::size_t(t * hd + j)] /= nrm;
                    }
            } else {
                for (float& v : q)
                    v *= scale[0];
            }
            for (i64 i = 0; i < N; ++i) {
                float mx = -std::numeric_limits<float>::infinity();
                for (i64 t = 0; t < N; ++t) {
                    double acc = 0;
                    for (i64 j = 0; j < hd; ++j)
                        acc +=
                            double(q[std::size_t(i * hd + j)]) * double(k[std::size_t(t * hd + j)]);
                    float a = float(acc);
                    if (d.v2) a *= scale[std::size_t(h)];
                    a += bias[std::size_t((h * N + i) * N + t)];
                    // the mask partitions the label grid as x is (in rolled coordinates)
                    if (d.shifted &&
                        label[std::size_t(grid(win, i))] != label[std::size_t(grid(win, t))])
                        a += -100.0f;
                    P[std::size_t(t)] = a;
                    if (a > mx || std::isnan(a)) mx = a;
                }
                double sum = 0;
                for (i64 t = 0; t < N; ++t) {
                    P[std::size_t(t)] = std::exp(P[std::size_t(t)] - mx);
                    sum += P[std::size_t(t)];
                }
                const float r = 1.0f / float(sum);
                for (i64 t = 0; t < N; ++t)
                    P[std::size_t(t)] *= r;
                for (i64 j = 0; j < hd; ++j) {
                    double acc = 0;
                    for (i64 t = 0; t < N; ++t)
                        acc += double(P[std::size_t(t)]) *
                               double(base[t * 3 * C + 2 * C + h * hd + j]);
                    att[std::size_t((bw * N + i) * C + h * hd + j)] = float(acc);
                }
            }
        }
    });
    std::vector<float> y(std::size_t(rows * C));
    linear(ctx, att.data(), rows, C, proj_w, proj_b, C, y.data());
    // Back to the grid, rolled by +shift, cropped: output (yy, xx) is rolled position
    // ((yy - shift0) mod pH, (xx - shift1) mod pW).
    for (i64 b = 0; b < B; ++b)
        for (i64 yy = 0; yy < H; ++yy)
            for (i64 xx = 0; xx < W; ++xx) {
                const i64 py = d.shifted ? wrap(yy - d.shift0, pH) : yy;
                const i64 px = d.shifted ? wrap(xx - d.shift1, pW) : xx;
                const i64 win = (py / ws0) * nWw + px / ws1, t = (py % ws0) * ws1 + px % ws1;
                const float* src = y.data() + ((b * nW + win) * N + t) * C;
                std::copy(src, src + C, out + ((b * H + yy) * W + xx) * C);
            }
}

} // namespace cnnshape::kernels::ref
