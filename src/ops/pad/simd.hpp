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
    // Rows come in groups along dim rank-2 (the H of a plane): whether the outer dims fall
    // inside the input, and where the group's input starts, are worked out once per group;
    // within it a row only checks its own index.
    const std::size_t hd = rank >= 2 ? rank - 2 : 0; // the group dim (none for rank 1)
    const i64 OH = rank >= 2 ? ys[hd] : 1, H = rank >= 2 ? xs[hd] : 1;
    const i64 lh = rank >= 2 ? left[hd] : 0, hstride = rank >= 2 ? xstride[hd] : 0;
    parallel_for(ctx.threads, rows, grain_for(OW), [&](i64 r0, i64 r1) {
        // Multi-index of row r0's group over dims [0, hd), then advanced like an odometer.
        i64 pos[kMaxRank] = {};
        for (std::size_t a = hd, q = std::size_t(r0 / OH); a-- > 0;) {
            pos[a] = i64(q % std::size_t(ys[a]));
            q /= std::size_t(ys[a]);
        }
        i64 h = r0 % OH;
        float* yr = y + r0 * OW;
        for (i64 r = r0; r < r1;) {
            bool group_inside = c1 > c0;
            i64 base = 0;
            for (std::size_t a = 0; a < hd && group_inside; ++a) {
                const i64 p = pos[a] - left[a];
                group_inside = p >= 0 && p < xs[a];
                base += p * xstride[a];
            }
            for (; h < OH && r < r1; ++h, ++r, yr += OW) {
                const i64 p = h - lh;
                if (!group_inside || p < 0 || p >= H) {
                    fill_floats<Arch>(yr, OW, value);
                } else {
                    fill_floats<Arch>(yr, c0, value);
                    copy_floats<Arch>(yr + c0, x + base + p * hstride + (c0 - lw), c1 - c0);
                    fill_floats<Arch>(yr + c1, OW - c1, value);
                }
            }
            h = 0;
            for (std::size_t a = hd; a-- > 0;) {
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
