// BatchNorm in eval mode.
#pragma once
#include "kernels/simd/common.hpp"

namespace cnnshape::kernels::simd {
namespace {

// ---------------------------------------------------------------------------------------------
// BatchNorm in eval mode, PyTorch's alpha/beta form as Debian's build computes it (GCC fuses
// it): beta = fma(-mean, alpha, b), y = fma(x, alpha, beta). Needs a real FMA to match bit for
// bit, so without one (SSE2) the reference runs.

template <class Arch>
bool batch_norm_impl(const Context& ctx, const BatchNormDesc& d, const Shape& xs, const float* x,
                     const float* weight, const float* bias, const float* mean, const float* var,
                     float* y) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    if constexpr (!has_fma<Arch>) return false;
    if (d.batch_stats || !mean || !var || xs.size() < 2) return false;
    const i64 N = xs[0], C = xs[1], inner = product(xs, 2);
    if (N * C * inner == 0) return true;
    if (C != d.num_features) return false;
    float* ab = scratch_as<float>(kShared0, 2 * C);
    kernels::batch_norm_coefficients(d, weight, bias, mean, var, ab, ab + C);
    const float* alpha = ab;
    const float* beta = ab + C;
    if (inner == 1) { // (N, C): vectorise across channels
        parallel_for(ctx.threads, N, std::max<i64>(1, 16384 / C), [&](i64 n0, i64 n1) {
            for (i64 n = n0; n < n1; ++n) {
                const float* xr = x + n * C;
                float* yr = y + n * C;
                i64 c = 0;
                for (; c + V <= C; c += V)
                    madd<Arch>(B::load_unaligned(xr + c), B::load_unaligned(alpha + c),
                               B::load_unaligned(beta + c))
                        .store_unaligned(yr + c);
                for (; c < C; ++c)
                    yr[c] = std::fma(xr[c], alpha[c], beta[c]);
            }
        });
        return true;
    }
    parallel_for(ctx.threads, N * C, std::max<i64>(1, 16384 / inner), [&](i64 p0, i64 p1) {
        for (i64 p = p0; p < p1; ++p) {
            const i64 c = p % C;
            const float a = alpha[c], bt = beta[c];
            const B av(a), bv(bt);
            const float* xp = x + p * inner;
            float* yp = y + p * inner;
            i64 i = 0;
            for (; i + V <= inner; i += V)
                madd<Arch>(B::load_unaligned(xp + i), av, bv).store_unaligned(yp + i);
            for (; i < inner; ++i)
                yp[i] = std::fma(xp[i], a, bt);
        }
    });
    return true;
}

// The op's entry in the kernel table (kernels/simd/table.hpp).
template <class Arch>
bool simd_kernel(const Context& ctx, const BatchNormDesc& d, const Io& io) {
    return batch_norm_impl<Arch>(ctx, d, io.x_shape(), io.x(), io.param(0), io.param(1),
                                 io.param(2), io.param(3), io.out);
}

} // namespace
} // namespace cnnshape::kernels::simd
