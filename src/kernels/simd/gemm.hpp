// A blocked, register-tiled float32 GEMM, templated on the xsimd architecture:
// C[M x N] = A[M x K] * B[K x N] (+ a bias per row or per column, then an epilogue per row),
// serving 1x1 convolution (out[oc, hw] = W[oc, ic] * x[ic, hw], no im2col), Linear and matmul.
//
// * A is read in place (element (i, k) at a[i * lda + k]): its MR rows are MR streams of
//   broadcasts, so weights are never repacked (nor cached: there is nothing to pack).
// * B is packed per task into panels [K-block][NR] (element (k, j) read through a functor, so
//   the same code packs a row-major matrix, a transposed one (Linear's W^T) or a strided 1x1
//   convolution input), zero-padded past N.
// * Micro-tile MR rows x NV vectors of columns in registers: 6 x 2 on 16-register
//   architectures (AVX2, SSE2), 12 x 2 on AVX-512's 32. K is split into blocks of KC (a packed
//   panel stays in L1 while every row block of the task runs over it) and each tile is resumed
//   from C between blocks, so every output is one chain of fused multiply-adds in k order,
//   started from its bias (or 0): the same bits whatever the blocking, the thread count or the
//   task split.
// * Tasks: (batch, column block NC, row block MC), each packing its own B block (each packed
//   value is then used MC times, so the repeat costs little and tasks stay independent).
#pragma once
#include "kernels/simd/common.hpp"

namespace cnnshape::kernels::simd {
namespace {

template <class Arch>
struct GemmShape {
    static constexpr int V = int(fbatch<Arch>::size);
    static constexpr int MR = V >= 16 ? 12 : 6;
    static constexpr int NV = 2;
    static constexpr int NR = NV * V;
    static constexpr i64 KC = 256;
    static constexpr i64 MC = V >= 16 ? 96 : 96;
    static constexpr i64 NC = V >= 16 ? 256 : 128;
};

// Blocking overrides for measurements (bench/README.md): CNNSHAPE_GEMM_BLOCK="KC,NC", read once.
// Blocking never changes the bits (see above), only the speed.
inline const i64* gemm_block_override() {
    static const i64* v = [] {
        static i64 kn[2] = {0, 0};
        const char* e = std::getenv("CNNSHAPE_GEMM_BLOCK");
        long long a = 0, b = 0;
        if (e && std::sscanf(e, "%lld,%lld", &a, &b) == 2 && a > 0 && b > 0) {
            kn[0] = a, kn[1] = b;
            return static_cast<const i64*>(kn);
        }
        return static_cast<const i64*>(nullptr);
    }();
    return v;
}

// What a GEMM reads and writes. B(k, j) = bfun(k, j); packing asks for runs of columns through
// bfun.pack(k, j0, n, dst) (n <= NR contiguous outputs of row k).
struct GemmArgs {
    i64 M = 0, N = 0, K = 0;
    const float* a = nullptr;
    i64 lda = 0;
    float* c = nullptr;
    i64 ldc = 0;
    const float* row_bias = nullptr; // per row of C (convolution)
    const float* col_bias = nullptr; // per column of C (Linear)
    i64 row0 = 0;                    // the finish functor sees row0 + the row of C
};

// Identity epilogue.
struct NoFinish {
    template <class Bt>
    Bt operator()(Bt v, i64) const {
        return v;
    }
};

// One MR x NR tile over k in [0, kc): acc starts from C (resume) or the bias, fma in k order,
// `finish` (per row) applied when `last`. A rows are `arow[r]` (already offset to k0).
template <class Arch, int MR, int NV, class Finish>
inline void gemm_tile(i64 kc, const float* const* arow, const float* bp, float* c, i64 ldc, int mv,
                      int nv, bool resume, bool last, const float* row_bias, const float* col_bias,
                      i64 row0, const Finish& finish) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size), NR = NV * V;
    const bool full = mv == MR && nv == NR;
    alignas(64) float tmp[MR * NR];
    float* cp = c;
    i64 ld = ldc;
    if (!full) { // partial tile: through a buffer
        cp = tmp, ld = NR;
        if (resume)
            for (int r = 0; r < mv; ++r)
                for (int j = 0; j < nv; ++j)
                    tmp[r * NR + j] = c[r * ldc + j];
    }
    B acc[MR][NV];
    if (resume) {
#pragma GCC unroll 16
        for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v)
                acc[r][v] = B::load_unaligned(cp + (r < mv ? r : 0) * ld + v * V);
    } else if (col_bias) {
        alignas(64) float cb[NR];
        for (int j = 0; j < NR; ++j)
            cb[j] = j < nv ? col_bias[j] : 0.0f;
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) {
            const B bv = B::load_aligned(cb + v * V);
#pragma GCC unroll 16
            for (int r = 0; r < MR; ++r)
                acc[r][v] = bv;
        }
    } else {
#pragma GCC unroll 16
        for (int r = 0; r < MR; ++r) {
            const B bv(row_bias && r < mv ? row_bias[r] : 0.0f);
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v)
                acc[r][v] = bv;
        }
    }
    const float* ap[MR];
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
        ap[r] = arow[r];
    for (i64 p = 0; p < kc; ++p) {
        B bv[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v)
            bv[v] = B::load_aligned(bp + p * NR + v * V);
#pragma GCC unroll 16
        for (int r = 0; r < MR; ++r) {
            const B av(ap[r][p]);
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v)
                acc[r][v] = madd<Arch>(av, bv[v], acc[r][v]);
        }
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
        if (r >= mv) break;
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) {
            B o = acc[r][v];
            if (last) o = finish(o, row0 + r);
            o.store_unaligned(cp + r * ld + v * V);
        }
    }
    if (!full)
        for (int r = 0; r < mv; ++r)
            for (int j = 0; j < nv; ++j)
                c[r * ldc + j] = tmp[r * NR + j];
}

// Runs the GEMM for `batches` independent problems; `at(b)` fills GemmArgs for problem b and
// returns the B functor. Parallel over (problem, column block, row block).
template <class Arch, class Setup, class Finish>
void gemm_run(const Context& ctx, i64 batches, const GemmArgs& shape, const Setup& at,
              const Finish& finish) {
    using S = GemmShape<Arch>;
    constexpr int MR = S::MR, NR = S::NR;
    const i64 M = shape.M, N = shape.N, K = shape.K;
    if (batches == 0 || M == 0 || N == 0) return;
    const i64* ovr = gemm_block_override();
    const i64 KCB = ovr ? ovr[0] : S::KC, NCB = ovr ? round_up(ovr[1], NR) : S::NC;
    const i64 nmb = ceil_div(M, S::MC), nnb = ceil_div(N, NCB);
    const i64 tasks = batches * nnb * nmb;
    const i64 kc_max = std::min<i64>(KCB, std::max<i64>(K, 1));
    parallel_for(ctx.threads, tasks, 1, [&](i64 t0, i64 t1) {
        float* bp = scratch_as<float>(kPrivate0, kc_max * NCB + 16);
        bp = reinterpret_cast<float*>((reinterpret_cast<std::uintptr_t>(bp) + 63) &
                                      ~std::uintptr_t(63));
        for (i64 t = t0; t < t1; ++t) {
            const i64 mb = t % nmb, nb = (t / nmb) % nnb, bi = t / (nmb * nnb);
            GemmArgs g = shape;
            auto bfun = at(bi, g);
            const i64 i0 = mb * S::MC, mrows = std::min(S::MC, M - i0);
            const i64 j0 = nb * NCB, ncols = std::min(NCB, N - j0);
            const i64 npanels = ceil_div(ncols, NR);
            if (K == 0) { // no products: the bias (or 0), finished
                for (i64 i = 0; i < mrows; ++i)
                    for (i64 j = 0; j < ncols; ++j) {
                        float v = g.row_bias ? g.row_bias[i0 + i] : 0.0f;
                        if (g.col_bias) v = g.col_bias[j0 + j];
                        alignas(64) float one[64];
                        finish(fbatch<Arch>(v), g.row0 + i0 + i).store_aligned(one);
                        g.c[(i0 + i) * g.ldc + j0 + j] = one[0];
                    }
                continue;
            }
            for (i64 k0 = 0; k0 < K; k0 += KCB) {
                const i64 kc = std::min(KCB, K - k0);
                // Pack B[k0 .. k0 + kc) x [j0 .. j0 + ncols) into panels [panel][k][NR].
                for (i64 pnl = 0; pnl < npanels; ++pnl) {
                    const i64 jj = j0 + pnl * NR;
                    const int nv = int(std::min<i64>(NR, N - jj));
                    float* dst = bp + pnl * kc * NR;
                    if (nv == NR && bfun.contiguous()) { // rows of B: vector copies
                        using Bt = fbatch<Arch>;
                        for (i64 p = 0; p < kc; ++p) {
                            const float* src = bfun.row(k0 + p) + jj;
#pragma GCC unroll 4
                            for (int v = 0; v < S::NV; ++v)
                                Bt::load_unaligned(src + v * S::V)
                                    .store_aligned(dst + p * NR + v * S::V);
                        }
                        continue;
                    }
                    if (nv == NR && bfun.transposed()) { // columns of B are rows: V x V blocks
                        constexpr int V = S::V;
                        alignas(64) float t[V * V];
                        i64 p = 0;
                        for (; p + V <= kc; p += V)
                            for (int v = 0; v < S::NV; ++v) {
                                transpose_block<Arch>(bfun.col(jj + v * V) + k0 + p, bfun.col_ld(),
                                                      t);
                                for (int q = 0; q < V; ++q)
                                    fbatch<Arch>::load_aligned(t + q * V).store_aligned(
                                        dst + (p + q) * NR + v * V);
                            }
                        for (; p < kc; ++p)
                            bfun.pack(k0 + p, jj, nv, dst + p * NR);
                        continue;
                    }
                    for (i64 p = 0; p < kc; ++p) {
                        bfun.pack(k0 + p, jj, nv, dst + p * NR);
                        for (int j = nv; j < NR; ++j)
                            dst[p * NR + j] = 0.0f;
                    }
                }
                const bool resume = k0 > 0, last = k0 + kc >= K;
                for (i64 pnl = 0; pnl < npanels; ++pnl) {
                    const i64 jj = j0 + pnl * NR;
                    const int nv = int(std::min<i64>(NR, N - jj));
                    for (i64 ii = i0; ii < i0 + mrows; ii += MR) {
                        const int mv = int(std::min<i64>(MR, M - ii));
                        const float* arow[MR];
                        for (int r = 0; r < MR; ++r)
                            arow[r] = g.a + (ii + std::min(r, mv - 1)) * g.lda + k0;
                        gemm_tile<Arch, MR, S::NV>(
                            kc, arow, bp + pnl * kc * NR, g.c + ii * g.ldc + jj, g.ldc, mv, nv,
                            resume, last, g.row_bias ? g.row_bias + ii : nullptr,
                            g.col_bias ? g.col_bias + jj : nullptr, g.row0 + ii, finish);
                    }
                }
            }
        }
    });
}

// B as a row-major matrix with row stride ld (and column step 1).
struct BRowMajor {
    const float* b;
    i64 ld;
    bool contiguous() const { return true; }
    bool transposed() const { return false; }
    const float* row(i64 k) const { return b + k * ld; }
    const float* col(i64) const { return nullptr; }
    i64 col_ld() const { return 0; }
    void pack(i64 k, i64 j0, int n, float* dst) const {
        std::memcpy(dst, b + k * ld + j0, std::size_t(n) * sizeof(float));
    }
};

// B(k, j) = w[j * ld + k]: the transpose of a row-major matrix (Linear's weight).
struct BTransposed {
    const float* w;
    i64 ld;
    bool contiguous() const { return false; }
    bool transposed() const { return true; }
    const float* row(i64) const { return nullptr; }
    const float* col(i64 j) const { return w + j * ld; }
    i64 col_ld() const { return ld; }
    void pack(i64 k, i64 j0, int n, float* dst) const {
        const float* p = w + j0 * ld + k;
        for (int j = 0; j < n; ++j)
            dst[j] = p[j * ld];
    }
};

} // namespace
} // namespace cnnshape::kernels::simd
