// MultiheadAttention as F.multi_head_attention_forward computes it in eval mode, per batch
// element: the in-projections, bias_k/bias_v and the zero row appended to key and value, per
// head softmax(q / sqrt(head_dim) . k^T) . v, the heads joined and the out-projection; the
// weights averaged over the heads (a float sum, then / num_heads) or kept per head. Products are
// accumulated in double (PyTorch's BLAS order is not reproducible); softmax as the Softmax
// kernel computes it (max, exp, a double sum, times 1 / sum).
#include "kernels/ref/ref.hpp"
#include "cnnshape/parallel.hpp"
#include <cmath>
#include <limits>

namespace cnnshape::kernels::ref {
namespace {

using i64 = std::int64_t;

// rows x out = x (rows x in, rows `stride` floats apart starting at x) . w^T (+ b).
void project(const float* x, i64 rows, i64 stride, i64 in, const float* w, const float* b, i64 out,
             float* y) {
    for (i64 r = 0; r < rows; ++r)
        for (i64 o = 0; o < out; ++o) {
            double acc = 0;
            for (i64 i = 0; i < in; ++i)
                acc += double(x[r * stride + i]) * double(w[o * in + i]);
            if (b) acc += b[o];
            y[r * out + o] = float(acc);
        }
}

} // namespace

void run(const Context& ctx, const AttentionDesc& d, const Io& io) {
    const i64 E = d.embed_dim, H = d.num_heads, hd = d.head_dim, L = d.L, S = d.S, N = d.N;
    const i64 St = d.S_total;
    const float* q_in = io.in.at(0);
    const float* k_in = io.in.size() > 1 ? io.in[1] : q_in;
    const float* v_in = io.in.size() > 2 ? io.in[2] : q_in;
    const float *wq = io.param(0), *wk = io.param(1), *wv = io.param(2);
    const float* in_bias = io.param(3);
    const float *bias_k = io.param(4), *bias_v = io.param(5);
    const float *wo = io.param(6), *bo = io.param(7);
    const float* noise = io.param(8); // train mode: the dropout of the weights, else null
    const float* bq = in_bias ? in_bias : nullptr;
    const float* bk = in_bias ? in_bias + E : nullptr;
    const float* bv = in_bias ? in_bias + 2 * E : nullptr;
    float* out = io.outs.at(0);
    float* weights = d.need_weights ? io.outs.at(1) : nullptr;
    // Row r of batch element n: (L, N, E) rows are N apart, (N, L, E) rows are consecutive.
    auto row = [&](const float* base, i64 n, i64 r, i64 len, i64 width) {
        return d.batch_first ? base + (n * len + r) * width : base + (r * N + n) * width;
    };
    const i64 q_stride = d.batch_first ? E : N * E;
    const i64 k_stride = d.batch_first ? d.kdim : N * d.kdim;
    const i64 v_stride = d.batch_first ? d.vdim : N * d.vdim;
    const float scale = float(std::sqrt(double(hd)));

    parallel_for(ctx.threads, N, 1, [&](i64 n0, i64 n1) {
        std::vector<float> Q(L * E), K(St * E, 0.0f), V(St * E, 0.0f), A(L * E), P(St);
        std::vector<float> W(H * L * St), Y(L * E);
        for (i64 n = n0; n < n1; ++n) {
            if (L > 0) project(row(q_in, n, 0, L, E), L, q_stride, E, wq, bq, E, Q.data());
            if (S > 0) {
                project(row(k_in, n, 0, S, d.kdim), S, k_stride, d.kdim, wk, bk, E, K.data());
                project(row(v_in, n, 0, S, d.vdim), S, v_stride, d.vdim, wv, bv, E, V.data());
            }
            if (d.add_bias_kv)
                for (i64 e = 0; e < E; ++e)
                    K[S * E + e] = bias_k[e], V[S * E + e] = bias_v[e];
            // add_zero_attn: the last row of K and V stays zero.
            for (i64 h = 0; h < H; ++h)
                for (i64 l = 0; l < L; ++l) {
                    float mx = -std::numeric_limits<float>::infinity();
                    for (i64 s = 0; s < St; ++s) {
                        double acc = 0;
                        for (i64 j = 0; j < hd; ++j)
                            acc += double(Q[l * E + h * hd + j] / scale) *
                                   double(K[s * E + h * hd + j]);
                        P[s] = float(acc);
                        if (P[s] > mx || std::isnan(P[s])) mx = P[s];
                    }
                    double sum = 0;
                    for (i64 s = 0; s < St; ++s) {
                        P[s] = std::exp(P[s] - mx);
                        sum += P[s];
                    }
                    const float r = 1.0f / float(sum);
                    const float* drop = noise ? noise + ((n * H + h) * L + l) * St : nullptr;
                    for (i64 s = 0; s < St; ++s) {
                        P[s] *= r;
                        if (drop) P[s] = P[s] * drop[s];
                        W[(h * L + l) * St + s] = P[s];
                    }
                    for (i64 j = 0; j < hd; ++j) {
                        double acc = 0;
                        for (i64 s = 0; s < St; ++s)
                            acc += double(P[s]) * double(V[s * E + h * hd + j]);
                        A[l * E + h * hd + j] = float(acc);
                    }
                }
            project(A.data(), L, E, E, wo, bo, E, Y.data());
            for (i64 l = 0; l < L; ++l)
                std::copy(Y.begin() + l * E, Y.begin() + (l + 1) * E,
                          d.batch_first ? out + (n * L + l) * E : out + (l * N + n) * E);
            if (!weights) continue;
            if (d.average_attn_weights) {
                float* w = weights + n * L * St;
                for (i64 i = 0; i < L * St; ++i) {
                    float s = 0;
                    for (i64 h = 0; h < H; ++h)
                        s += W[h * L * St + i];
                    w[i] = s / float(H);
                }
            } else {
                std::copy(W.begin(), W.end(), weights + n * H * L * St);
            }
        }
    });
}

} // namespace cnnshape::kernels::ref
