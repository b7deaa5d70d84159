// torch.matmul / torch.bmm, templated on the xsimd architecture. Products with at least 4 rows
// and a vector of columns go through the blocked GEMM (kernels/simd/gemm.hpp: packed panels of
// B, register tiles, every output one chain of fused multiply-adds in k order from 0); smaller
// ones through a register-blocked loop of 4 rows x 2 vectors (the same chains), leftover columns
// through a scalar loop. Within float32 rounding of the reference (and of PyTorch's BLAS), not
// bit-identical to either.
#pragma once
#include "kernels/simd/gemm.hpp"

namespace cnnshape::kernels::simd {
namespace {

template <class Arch>
bool matmul_impl(const Context& ctx, const MatmulDesc& d, const float* a, const float* b,
                 float* y) {
    using B = fbatch<Arch>;
    constexpr i64 V = i64(B::size), MR = 4, NR = 2 * V;
    const i64 m = d.m, k = d.k, n = d.n, nd = i64(d.batch.size());
    i64 batches = 1;
    for (i64 t = 0; t < nd; ++t)
        batches *= d.batch[std::size_t(t)];
    if (batches * m * n == 0) return true;
    const i64 row_tiles = ceil_div(m, MR);
    const i64* bs = d.batch.data();
    const i64* as = d.a_stride.data();
    const i64* bst = d.b_stride.data();
    auto offsets = [&](i64 bi, i64& ao, i64& bo) {
        ao = 0, bo = 0;
        for (i64 q = nd, rest = bi; q-- > 0;) {
            const i64 idx = rest % bs[q];
            rest /= bs[q];
            ao += idx * as[q];
            bo += idx * bst[q];
        }
    };
    if (m >= 4 && n >= V && k > 0) {
        GemmArgs shape;
        shape.M = m, shape.N = n, shape.K = k;
        auto setup = [&](i64 bi, GemmArgs& g) {
            i64 ao, bo;
            offsets(bi, ao, bo);
            g.a = a + ao, g.lda = k;
            g.c = y + bi * m * n, g.ldc = n;
            return BRowMajor{b + bo, n};
        };
        gemm_run<Arch>(ctx, batches, shape, setup, NoFinish{});
        return true;
    }
    auto run = [&](i64 t0, i64 t1) {
        for (i64 t = t0; t < t1; ++t) {
            const i64 bi = t / row_tiles, i0 = (t % row_tiles) * MR;
            const int rows = int(std::min<i64>(MR, m - i0));
            i64 ao, bo;
            offsets(bi, ao, bo);
            const float* ap = a + ao + i0 * k;
            const float* bp = b + bo;
            float* yp = y + (bi * m + i0) * n;
            i64 j0 = 0;
            for (; j0 + NR <= n; j0 += NR) {
                B acc[MR][2];
                for (auto& r : acc)
                    r[0] = r[1] = B(0.0f);
                for (i64 p = 0; p < k; ++p) {
                    const B b0 = B::load_unaligned(bp + p * n + j0);
                    const B b1 = B::load_unaligned(bp + p * n + j0 + V);
                    for (int r = 0; r < rows; ++r) {
                        const B av(ap[r * k + p]);
                        acc[r][0] = madd<Arch>(av, b0, acc[r][0]);
                        acc[r][1] = madd<Arch>(av, b1, acc[r][1]);
                    }
                }
                for (int r = 0; r < rows; ++r) {
                    acc[r][0].store_unaligned(yp + r * n + j0);
                    acc[r][1].store_unaligned(yp + r * n + j0 + V);
                }
            }
            for (; j0 + V <= n; j0 += V) {
                B acc[MR];
                for (auto& r : acc)
                    r = B(0.0f);
                for (i64 p = 0; p < k; ++p) {
                    const B b0 = B::load_unaligned(bp + p * n + j0);
                    for (int r = 0; r < rows; ++r)
                        acc[r] = madd<Arch>(B(ap[r * k + p]), b0, acc[r]);
                }
                for (int r = 0; r < rows; ++r)
                    acc[r].store_unaligned(yp + r * n + j0);
            }
            for (; j0 < n; ++j0) // leftover columns (and N = 1: a matrix-vector product)
                for (int r = 0; r < rows; ++r) {
                    const float* ar = ap + r * k;
                    if (n == 1) { // contiguous dot product
                        B acc(0.0f);
                        i64 p = 0;
                        for (; p + V <= k; p += V)
                            acc = madd<Arch>(B::load_unaligned(ar + p), B::load_unaligned(bp + p),
                                             acc);
                        float s = xsimd::hadd(acc);
                        for (; p < k; ++p)
                            s += ar[p] * bp[p];
                        yp[r] = s;
                        continue;
                    }
                    float s = 0.0f;
                    for (i64 p = 0; p < k; ++p)
                        s += ar[p] * bp[p * n + j0];
                    yp[r * n + j0] = s;
                }
        }
    };
    parallel_for(ctx.threads, batches * row_tiles, grain_for(MR * n * std::max<i64>(k, 1)), run);
    return true;
}

// The op's entry in the kernel table (kernels/simd/table.hpp).
template <class Arch>
bool simd_kernel(const Context& ctx, const MatmulDesc& d, const Io& io) {
    return matmul_impl<Arch>(ctx, d, io.in.at(0), io.in.at(1), io.out);
}

} // namespace
} // namespace cnnshape::kernels::simd
