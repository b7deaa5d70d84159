// Moving floats: the fills and copies the copying and resampling kernels share (src/ops/pad,
// src/ops/concat and src/ops/upsample simd.hpp), templated on the xsimd architecture, on top of
// common.hpp.
//
// Padding, concatenation and nearest upsampling only move floats, so they give the reference's
// bits by construction (loads, stores, gathers and permutes never touch a value, NaN payloads
// included). Linear/bilinear/trilinear and bicubic upsampling compute the reference's index and
// weight tables with the same scalar code (ops/upsample/ref.cpp) and then, per output row, the same
// float operations in the same order with the output width in the lanes:
//   * innermost axis first, one "W row" per input row: fma(x[i0], w0, x[i1] * w1) for the linear
//     modes, then fma(x2, w2, .) and fma(x3, w3, .) for bicubic (real FMAs: without them, SSE2,
//     the reference runs);
//   * then the outer axes combine whole rows the same way with broadcast weights.
// W rows are cached per thread (a few rows, least recently used out), so an input row shared by
// neighbouring output rows is interpolated once. Area mode is adaptive average pooling: the
// dispatcher (simd_dispatch.cpp) sends it to the adaptive pooling kernel, as the reference does.
//
// Like every kernel: internal linkage only, no std containers created.
#pragma once
#include "common.hpp"

#include <cstring>

namespace cnnshape::kernels::simd {
namespace {

using i32 = std::int32_t;

// ---------------------------------------------------------------------------------------------
// Moving floats.

template <class Arch>
inline void fill_floats(float* dst, i64 n, float v) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    const B bv(v);
    i64 i = 0;
    for (; i + V <= n; i += V)
        bv.store_unaligned(dst + i);
    for (; i < n; ++i)
        dst[i] = v;
}

// Short rows with vector moves in line; long ones with the C library's memcpy (itself vectorised,
// and with non-temporal stores for very large copies).
template <class Arch>
inline void copy_floats(float* dst, const float* src, i64 n) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    if (n >= 512) {
        std::memcpy(dst, src, std::size_t(n) * sizeof(float));
        return;
    }
    i64 i = 0;
    for (; i + V <= n; i += V)
        B::load_unaligned(src + i).store_unaligned(dst + i);
    for (; i < n; ++i)
        dst[i] = src[i];
}

// base[idx[0..V)] as one vector.
template <class Arch>
inline fbatch<Arch> gather_floats(const float* base, const i32* idx) {
#if defined(__AVX512F__)
    if constexpr (is_avx512<Arch>) return _mm512_i32gather_ps(_mm512_loadu_si512(idx), base, 4);
#endif
#if defined(__AVX2__)
    if constexpr (is_avx2<Arch>)
        return _mm256_i32gather_ps(base, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(idx)),
                                   4);
#endif
    constexpr int V = int(fbatch<Arch>::size);
    alignas(64) float tmp[V];
    for (int l = 0; l < V; ++l)
        tmp[l] = base[idx[l]];
    return fbatch<Arch>::load_aligned(tmp);
}

// Within one vector of outputs the source indices of an upsampling (or mild downsampling) row
// usually span less than two vectors of the input row: two loads and a permute per tap then
// replace a gather. window_lanes is that span (0: no permute path, SSE2 gathers element-wise).
template <class Arch>
constexpr int window_lanes = is_avx512<Arch> || is_avx2<Arch> ? 2 * int(fbatch<Arch>::size) : 0;

// v[j] = row[base + rel[j * stride + l]] per lane l, for j < T; every base + rel < W, and no
// element of the row at or past W is read.
// narrow: every rel < V, so on AVX2 one load and one permute per tap do.
template <class Arch, int T>
inline void window_taps(const float* row, i64 W, i64 base, const i32* rel, i64 stride, bool narrow,
                        fbatch<Arch>* v) {
    const i64 left = W - base; // readable elements from base
#if defined(__AVX512F__)
    if constexpr (is_avx512<Arch>) {
        __m512 lo, hi;
        if (left >= 32) {
            lo = _mm512_loadu_ps(row + base);
            hi = _mm512_loadu_ps(row + base + 16);
        } else { // masked loads: the lanes past the row are neither read nor faulted on
            auto below = [](i64 n) {
                return __mmask16(n >= 16 ? 0xffffu : n <= 0 ? 0u : (1u << n) - 1u);
            };
            lo = _mm512_maskz_loadu_ps(below(left), row + base);
            hi = _mm512_maskz_loadu_ps(below(left - 16), row + base + 16);
        }
        for (int j = 0; j < T; ++j)
            v[j] = _mm512_permutex2var_ps(lo, _mm512_loadu_si512(rel + j * stride), hi);
        return;
    }
#endif
#if defined(__AVX2__)
    if constexpr (is_avx2<Arch>) {
        const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        if (narrow) {
            const __m256 lo =
                left >= 8 ? _mm256_loadu_ps(row + base)
                          : _mm256_maskload_ps(
                                row + base,
                                _mm256_cmpgt_epi32(_mm256_set1_epi32(std::int32_t(left)), iota));
            for (int j = 0; j < T; ++j)
                v[j] = _mm256_permutevar8x32_ps(
                    lo, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rel + j * stride)));
            return;
        }
        __m256 lo, hi;
        if (left >= 16) {
            lo = _mm256_loadu_ps(row + base);
            hi = _mm256_loadu_ps(row + base + 8);
        } else {
            const __m256i n = _mm256_set1_epi32(std::int32_t(left));
            lo = _mm256_maskload_ps(row + base, _mm256_cmpgt_epi32(n, iota));
            hi = _mm256_maskload_ps(
                row + base + 8,
                _mm256_cmpgt_epi32(_mm256_sub_epi32(n, _mm256_set1_epi32(8)), iota));
        }
        for (int j = 0; j < T; ++j) {
            const __m256i r =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rel + j * stride));
            // Lanes 0-7 of the window from lo, 8-15 from hi (bit 3 of the index, moved to the
            // sign bit, picks).
            v[j] =
                _mm256_blendv_ps(_mm256_permutevar8x32_ps(lo, r), _mm256_permutevar8x32_ps(hi, r),
                                 _mm256_castsi256_ps(_mm256_slli_epi32(r, 28)));
        }
        return;
    }
#endif
    (void)left, (void)narrow;
    for (int j = 0; j < T; ++j)
        v[j] = gather_floats<Arch>(row + base, rel + j * stride);
}

// The W axis of an upsampling: index and weight tables (tap-major, T * OW each) and, per full
// vector block b of outputs, the window start base[b] (-1: gather), whether the window is
// narrower than one vector (narrow[b]), and the indices relative to it (rel, laid out like idx).
struct WAxis {
    const i32* idx;
    const float* wt;
    const i32* rel;
    const i32* base;
    const i32* narrow;
    i64 W, OW;
    i64 fast_lo = 0,
        fast_hi = 0; // AVX2: blocks [fast_lo, fast_hi) are narrow and end inside the row
};

// v[j] = row[idx[j * OW + o + l]] per lane l, for the block of outputs starting at o.
template <class Arch, int T>
inline void w_taps(const float* row, const WAxis& a, i64 o, fbatch<Arch>* v) {
    constexpr int V = int(fbatch<Arch>::size);
    const i32 base = a.base[o / V];
    if (base >= 0) {
        window_taps<Arch, T>(row, a.W, base, a.rel + o, a.OW, a.narrow[o / V] != 0, v);
    } else {
        for (int j = 0; j < T; ++j)
            v[j] = gather_floats<Arch>(row, a.idx + j * a.OW + o);
    }
}

// dst[2i] = dst[2i+1] = src[i] for i < n (nearest upsampling by exactly 2 along the row).
template <class Arch>
inline void duplicate2(const float* src, i64 n, float* dst) {
    i64 i = 0;
#if defined(__AVX512F__)
    if constexpr (is_avx512<Arch>) {
        const __m512i lo = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
        const __m512i hi =
            _mm512_setr_epi32(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
        for (; i + 16 <= n; i += 16) {
            __m512 v = _mm512_loadu_ps(src + i);
            _mm512_storeu_ps(dst + 2 * i, _mm512_permutexvar_ps(lo, v));
            _mm512_storeu_ps(dst + 2 * i + 16, _mm512_permutexvar_ps(hi, v));
        }
    }
#endif
#if defined(__AVX2__)
    if constexpr (is_avx2<Arch>) {
        const __m256i lo = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
        const __m256i hi = _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7);
        for (; i + 8 <= n; i += 8) {
            __m256 v = _mm256_loadu_ps(src + i);
            _mm256_storeu_ps(dst + 2 * i, _mm256_permutevar8x32_ps(v, lo));
            _mm256_storeu_ps(dst + 2 * i + 8, _mm256_permutevar8x32_ps(v, hi));
        }
    }
#endif
#if defined(__SSE2__)
    if constexpr (is_sse2_only<Arch>) {
        for (; i + 4 <= n; i += 4) {
            __m128 v = _mm_loadu_ps(src + i);
            _mm_storeu_ps(dst + 2 * i, _mm_unpacklo_ps(v, v));
            _mm_storeu_ps(dst + 2 * i + 4, _mm_unpackhi_ps(v, v));
        }
    }
#endif
    for (; i < n; ++i)
        dst[2 * i] = dst[2 * i + 1] = src[i];
}

} // namespace
} // namespace cnnshape::kernels::simd
