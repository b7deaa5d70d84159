// Upsample's per-axis index and weight tables, as aten computes them (UpSample.h:
// compute_scales_value, area_pixel_compute_scale / source_index, the cubic convolution weights),
// written once for the reference kernel (ref.cpp) and the SIMD kernel (simd.hpp). Internal
// linkage and no std containers, so the per-architecture SIMD units may include it (see
// kernels/simd/common.hpp); each caller picks its layout and index type.
#pragma once
#include "op.hpp"
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace cnnshape::upsample {
namespace {

// compute_scales_value<float>
inline float scales_value(const UpsampleDesc& d, std::size_t axis, std::int64_t in,
                          std::int64_t out) {
    if (axis < d.scale_factor.size() && d.scale_factor[axis] > 0)
        return float(1.0 / d.scale_factor[axis]);
    return float(in) / float(out);
}

// area_pixel_compute_scale<float>
inline float area_scale(const UpsampleDesc& d, std::size_t axis, std::int64_t in,
                        std::int64_t out) {
    if (d.align_corners) return out > 1 ? float(in - 1) / float(out - 1) : 0.0f;
    return scales_value(d, axis, in, out);
}

// cubic_convolution1/2 (UpSample.h) as PyTorch's AVX2 build evaluates them: GCC fuses the inner
// multiply-adds, then one rounded product and a separate add (it adds the four weights' last
// terms as one vector).
inline float cubic1(float x, float A) { // ((A + 2) * x - (A + 3)) * x * x + 1
    return (x * std::fma(x, A + 2, -(A + 3))) * x + 1.0f;
}
inline float cubic2(float x, float A) { // ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    return x * std::fma(x, std::fma(A, x, -5 * A), 8 * A) + -4 * A;
}

// The taps per output position of the mode: 1 nearest, 4 bicubic, 2 the linear modes.
inline int taps_of(const UpsampleDesc& d) {
    if (d.mode == UpsampleMode::Nearest || d.mode == UpsampleMode::NearestExact) return 1;
    return d.mode == UpsampleMode::Bicubic ? 4 : 2;
}

// Fills one axis's tables with `taps` taps: tap j of output o goes to idx[o * o_step + j * j_step]
// (and wt likewise). False when an index falls outside [0, in) (a size the plan never makes).
template <class Index>
bool axis_taps(const UpsampleDesc& d, std::size_t axis, std::int64_t in, std::int64_t out, int taps,
               Index* idx, float* wt, std::int64_t o_step, std::int64_t j_step) {
    auto put = [&](std::int64_t o, int j, std::int64_t i, float w) {
        idx[o * o_step + j * j_step] = Index(i);
        wt[o * o_step + j * j_step] = w;
        return i >= 0 && i < in;
    };
    bool ok = true;
    if (taps == 1) {
        const bool exact = d.mode == UpsampleMode::NearestExact;
        const float scale = scales_value(d, axis, in, out);
        for (std::int64_t o = 0; o < out; ++o) {
            std::int64_t s;
            if (!exact && out == in)
                s = o;
            else if (!exact && out == 2 * in)
                s = o >> 1;
            else if (!exact)
                s = std::min<std::int64_t>(std::int64_t(std::floor(float(o) * scale)), in - 1);
            else
                s = std::min<std::int64_t>(
                    std::int64_t(std::floor(float((double(o) + 0.5) * double(scale)))), in - 1);
            ok = put(o, 0, s, 1.0f) && ok;
        }
    } else if (taps == 2) {
        const float scale = area_scale(d, axis, in, out);
        for (std::int64_t o = 0; o < out; ++o) {
            std::int64_t i0, i1;
            float l0, l1;
            if (out == in) {
                i0 = i1 = o;
                l0 = 1, l1 = 0;
            } else {
                // The float scale, but the source index itself is kept in double (checked
                // against PyTorch's outputs: rounding it to float changes lambda).
                double real = d.align_corners ? double(scale) * double(o)
                                              : double(scale) * (double(o) + 0.5) - 0.5;
                if (real < 0) real = 0;
                i0 = std::int64_t(real);
                i1 = i0 + (i0 < in - 1 ? 1 : 0);
                l1 = float(std::min(std::max(real - double(i0), 0.0), 1.0));
                l0 = 1.0f - l1;
            }
            ok = put(o, 0, i0, l0) && ok;
            ok = put(o, 1, i1, l1) && ok;
        }
    } else {
        const float scale = area_scale(d, axis, in, out);
        const float A = -0.75f;
        for (std::int64_t o = 0; o < out; ++o) {
            // area_pixel_compute_source_index with cubic = true (no clamp at 0), kept in double:
            // the index is the floor of its float value, but lambda is the double difference
            // rounded once.
            const double real = d.align_corners ? double(scale) * double(o)
                                                : std::fma(double(o) + 0.5, double(scale), -0.5);
            const std::int64_t i = std::int64_t(std::floor(float(real)));
            const float x1 = float(real - double(i)), x2 = 1.0f - x1;
            const float c[4] = {cubic2(x1 + 1.0f, A), cubic1(x1, A), cubic1(x2, A),
                                cubic2(x2 + 1.0f, A)};
            for (int j = 0; j < 4; ++j)
                ok = put(o, j, std::max<std::int64_t>(std::min(i - 1 + j, in - 1), 0), c[j]) && ok;
        }
    }
    return ok;
}

} // namespace
} // namespace cnnshape::upsample
