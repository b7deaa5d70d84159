// Linear: a GEMM (x times W transposed, kernels/simd/gemm.hpp) for 4 or more rows, else dot
// products across in_features.
#pragma once
#include "kernels/simd/gemm.hpp"

namespace cnnshape::kernels::simd {
namespace {

// ---------------------------------------------------------------------------------------------
// Linear: dot products across in_features, four output features at a time.

template <class Arch>
bool linear_impl(const Context& ctx, const LinearDesc& d, const Shape& xs, const float* x,
                 const float* w, const float* bias, float* y) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    const i64 I = d.in_features, O = d.out_features;
    if (xs.empty() || xs.back() != I || I == 0) return false;
    const i64 M = product(xs, 0) / std::max<i64>(I, 1);
    if (M == 0 || O == 0) return true;
    const float* b = d.bias ? bias : nullptr;
    // Several rows: y = x W^T + b as a GEMM, W^T packed panel by panel; each output starts from
    // its bias, then one FMA per input feature in order.
    if (M >= 4 && O >= V) {
        GemmArgs shape;
        shape.M = M, shape.N = O, shape.K = I;
        auto setup = [&](i64, GemmArgs& g) {
            g.a = x, g.lda = I, g.c = y, g.ldc = O, g.col_bias = b;
            return BTransposed{w, I};
        };
        gemm_run<Arch>(ctx, 1, shape, setup, NoFinish{});
        return true;
    }
    constexpr int OB = 4;
    auto run = [&](i64 t0, i64 t1) {
        for (i64 t = t0; t < t1; ++t) {
            const i64 o0 = t * OB;
            const int no = int(std::min<i64>(OB, O - o0));
            const float* wr[OB];
            for (int k = 0; k < OB; ++k)
                wr[k] = w + (o0 + std::min(k, no - 1)) * I;
            for (i64 m = 0; m < M; ++m) {
                const float* xr = x + m * I;
                B acc[OB] = {B(0.0f), B(0.0f), B(0.0f), B(0.0f)};
                i64 i = 0;
                for (; i + V <= I; i += V) {
                    B xv = B::load_unaligned(xr + i);
                    for (int k = 0; k < OB; ++k)
                        acc[k] = madd<Arch>(B::load_unaligned(wr[k] + i), xv, acc[k]);
                }
                for (int k = 0; k < no; ++k) {
                    float s = xsimd::hadd(acc[k]);
                    for (i64 r = i; r < I; ++r)
                        s += wr[k][r] * xr[r];
                    y[m * O + o0 + k] = s + (b ? b[o0 + k] : 0.0f);
                }
            }
        }
    };
    parallel_for(ctx.threads, ceil_div(O, OB), std::max<i64>(1, 4096 / std::max<i64>(I * M, 1)),
                 run);
    return true;
}

// The op's entry in the kernel table (kernels/simd/table.hpp).
template <class Arch>
bool simd_kernel(const Context& ctx, const LinearDesc& d, const Io& io) {
    return linear_impl<Arch>(ctx, d, io.x_shape(), io.x(), io.param(0), io.param(1), io.out);
}

} // namespace
} // namespace cnnshape::kernels::simd
