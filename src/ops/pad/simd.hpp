// ConstantPad / ZeroPad kernel, templated on the xsimd architecture: it only moves floats.
#pragma once
#include "kernels/simd/copy.hpp"

namespace cnnshape::kernels::simd {
namespace {

// ---------------------------------------------------------------------------------------------
// ConstantPad / ZeroPad: the output seen as rows along the last dim. A row whose outer position
// falls outside the input is all `value`; any other row is value | input row (cropped) | value.

constexpr std::size_t kMaxRank = 16;

template <class Arch>
bool constant_pad_impl(const Context& ctx, const PadDesc& d, const Shape& xs, const float* x,
                       const Shape& ys, float* y) {
    const std::size_t rank = ys.size();
    if (d.fill != PadFill::Constant) return false; // the reference kernel mirrors and clamps
    if (rank == 0 || rank > kMaxRank || xs.size() != rank || d.pad.size() > 2 * rank) return false;
    const i64 n = product(ys, 0);
    if (n == 0) return true;
    i64 left[kMaxRank] = {}, xstride[kMaxRank];
    for (std::size_t i = 0; 2 * i < d.pad.size(); ++i)
        left[rank - 1 - i] = d.pad[2 * i];
    xstride[rank - 1] = 1;
    for (std::size_t i = rank - 1; i-- > 0;)
        xstride[i] = xstride[i + 1] * xs[i + 1];
    const float value = float(d.value);
    const i64 OW = ys[rank - 1], W = xs[rank - 1], lw = left[rank - 1];
    // Columns [c0, c1) of every inside row come from the input, from column c0 - lw.
    const i64 c0 = std::min(std::max<i64>(lw, 0), OW);
    const i64 c1 = std::max(c0, std::min(OW, lw + W));
    const i64 rows = n / OW;
    parallel_for(ctx.threads, rows, grain_for(OW), [&](i64 r0, i64 r1) {
        // Multi-index of row r0 over dims [0, rank-1), then advanced like an odometer.
        i64 pos[kMaxRank] = {};
        for (std::size_t a = rank - 1, r = std::size_t(r0); a-- > 0;) {
            pos[a] = i64(r % std::size_t(ys[a]));
            r /= std::size_t(ys[a]);
        }
        for (i64 r = r0; r < r1; ++r) {
            float* yr = y + r * OW;
            bool inside = c1 > c0;
            i64 src = 0;
            for (std::size_t a = 0; a + 1 < rank && inside; ++a) {
                const i64 p = pos[a] - left[a];
                inside = p >= 0 && p < xs[a];
                src += p * xstride[a];
            }
            if (!inside) {
                fill_floats<Arch>(yr, OW, value);
            } else {
                fill_floats<Arch>(yr, c0, value);
                copy_floats<Arch>(yr + c0, x + src + (c0 - lw), c1 - c0);
                fill_floats<Arch>(yr + c1, OW - c1, value);
            }
            for (std::size_t a = rank - 1; a-- > 0;) {
                if (++pos[a] < ys[a]) break;
                pos[a] = 0;
            }
        }
    });
    return true;
}

// The op's entry in the kernel table (kernels/simd/table.hpp).
template <class Arch>
bool simd_kernel(const Context& ctx, const PadDesc& d, const Io& io) {
    return constant_pad_impl<Arch>(ctx, d, io.x_shape(), io.x(), io.out_shape, io.out);
}

} // namespace
} // namespace cnnshape::kernels::simd
