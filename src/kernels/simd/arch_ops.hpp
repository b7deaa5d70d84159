// The few operations xsimd 8.1 has no portable form for: fused multiply-add that is really
// fused on AVX-512 (8.1's avx512f fma is the generic x*y+z), splitting even and odd elements,
// a V x V transpose, and a store of selected lanes. Each has a plain C++ fallback and an
// intrinsic version for the architectures compiled in; a translation unit only sees the
// versions its compiler flags allow.
#pragma once
#include <xsimd/xsimd.hpp>

#include <cstdint>
#include <type_traits>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace cnnshape::kernels::simd {
namespace {

template <class Arch>
using fbatch = xsimd::batch<float, Arch>;

template <class Arch>
constexpr bool is_avx512 = std::is_base_of<xsimd::avx512f, Arch>::value;
template <class Arch>
constexpr bool is_avx2 = std::is_base_of<xsimd::avx2, Arch>::value && !is_avx512<Arch>;
template <class Arch>
constexpr bool is_sse2_only = std::is_same<Arch, xsimd::sse2>::value;

template <class Arch>
constexpr bool has_fma = is_avx512<Arch> || std::is_same<Arch, xsimd::fma3<xsimd::avx2>>::value;

// a * b + c, fused where the architecture has FMA.
template <class Arch>
inline fbatch<Arch> madd(const fbatch<Arch>& a, const fbatch<Arch>& b, const fbatch<Arch>& c) {
#if defined(__AVX512F__)
    if constexpr (is_avx512<Arch>) return _mm512_fmadd_ps(a, b, c);
#endif
#if defined(__FMA__) && defined(__AVX__)
    if constexpr (std::is_same<Arch, xsimd::fma3<xsimd::avx2>>::value)
        return _mm256_fmadd_ps(a, b, c);
#endif
    return a * b + c;
}

// PyTorch's max-pool step `if (v > m || isnan(v)) m = v` per lane. The x86 max instructions
// return their second operand unless the first is strictly greater (also when either is NaN),
// which is exactly the strict comparison; a NaN in v is then taken explicitly.
template <class Arch>
inline fbatch<Arch> max_keep_first_nan_last(const fbatch<Arch>& v, const fbatch<Arch>& m) {
#if defined(__AVX512F__)
    if constexpr (is_avx512<Arch>) {
        __m512 mx = _mm512_max_ps(v, m);
        return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), mx, v);
    }
#endif
#if defined(__AVX2__)
    if constexpr (is_avx2<Arch>) {
        __m256 mx = _mm256_max_ps(v, m);
        return _mm256_blendv_ps(mx, v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    }
#endif
#if defined(__SSE2__)
    if constexpr (is_sse2_only<Arch>) {
        __m128 mx = _mm_max_ps(v, m), nan = _mm_cmpunord_ps(v, v);
        return _mm_or_ps(_mm_and_ps(nan, v), _mm_andnot_ps(nan, mx));
    }
#endif
    return xsimd::select((v > m) | xsimd::isnan(v), v, m);
}

// m = v > m ? v : m per lane (the strict rule without NaN handling: for NaN-free data).
template <class Arch>
inline fbatch<Arch> max_strict(const fbatch<Arch>& v, const fbatch<Arch>& m) {
#if defined(__AVX512F__)
    if constexpr (is_avx512<Arch>) return _mm512_max_ps(v, m);
#endif
#if defined(__AVX2__)
    if constexpr (is_avx2<Arch>) return _mm256_max_ps(v, m);
#endif
#if defined(__SSE2__)
    if constexpr (is_sse2_only<Arch>) return _mm_max_ps(v, m);
#endif
    return xsimd::select(v > m, v, m);
}

// even[i] = src[2i], odd[i] = src[2i+1] for i < n.
template <class Arch>
inline void deinterleave2(const float* src, std::int64_t n, float* even, float* odd) {
    std::int64_t i = 0;
#if defined(__AVX512F__)
    if constexpr (is_avx512<Arch>) {
        const __m512i ie =
            _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        const __m512i io =
            _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        for (; i + 16 <= n; i += 16) {
            __m512 a = _mm512_loadu_ps(src + 2 * i), b = _mm512_loadu_ps(src + 2 * i + 16);
            _mm512_storeu_ps(even + i, _mm512_permutex2var_ps(a, ie, b));
            _mm512_storeu_ps(odd + i, _mm512_permutex2var_ps(a, io, b));
        }
    }
#endif
#if defined(__AVX2__)
    if constexpr (is_avx2<Arch>) {
        for (; i + 8 <= n; i += 8) {
            __m256 a = _mm256_loadu_ps(src + 2 * i), b = _mm256_loadu_ps(src + 2 * i + 8);
            __m256 e = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
            __m256 o = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
            _mm256_storeu_ps(even + i, _mm256_castpd_ps(_mm256_permute4x64_pd(
                                           _mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0))));
            _mm256_storeu_ps(odd + i, _mm256_castpd_ps(_mm256_permute4x64_pd(
                                          _mm256_castps_pd(o), _MM_SHUFFLE(3, 1, 2, 0))));
        }
    }
#endif
#if defined(__SSE2__)
    if constexpr (is_sse2_only<Arch>) {
        for (; i + 4 <= n; i += 4) {
            __m128 a = _mm_loadu_ps(src + 2 * i), b = _mm_loadu_ps(src + 2 * i + 4);
            _mm_storeu_ps(even + i, _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)));
            _mm_storeu_ps(odd + i, _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
        }
    }
#endif
    for (; i < n; ++i) {
        even[i] = src[2 * i];
        odd[i] = src[2 * i + 1];
    }
}

// e[i] = src[2i], o[i] = src[2i+1] for the 2V floats at src (two loads and two shuffles).
template <class Arch>
inline void even_odd(const float* src, fbatch<Arch>& e, fbatch<Arch>& o) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
#if defined(__AVX512F__)
    if constexpr (is_avx512<Arch>) {
        const __m512i ie =
            _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        const __m512i io =
            _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        __m512 a = _mm512_loadu_ps(src), b = _mm512_loadu_ps(src + 16);
        e = _mm512_permutex2var_ps(a, ie, b);
        o = _mm512_permutex2var_ps(a, io, b);
        return;
    }
#endif
#if defined(__AVX2__)
    if constexpr (is_avx2<Arch>) {
        __m256 a = _mm256_loadu_ps(src), b = _mm256_loadu_ps(src + 8);
        __m256 se = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
        __m256 so = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
        e = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(se), _MM_SHUFFLE(3, 1, 2, 0)));
        o = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(so), _MM_SHUFFLE(3, 1, 2, 0)));
        return;
    }
#endif
#if defined(__SSE2__)
    if constexpr (is_sse2_only<Arch>) {
        __m128 a = _mm_loadu_ps(src), b = _mm_loadu_ps(src + 4);
        e = _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
        o = _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
        return;
    }
#endif
    alignas(64) float te[V], to[V];
    for (int i = 0; i < V; ++i) {
        te[i] = src[2 * i];
        to[i] = src[2 * i + 1];
    }
    e = B::load_aligned(te);
    o = B::load_aligned(to);
}

#if defined(__AVX2__)
// r[j][k] becomes r[k][j]: an 8x8 transpose in registers (unpack, shuffle, lane permute).
inline void transpose8x8(__m256 (&r)[8]) {
    __m256 t[8];
    for (int k = 0; k < 8; k += 2) {
        t[k] = _mm256_unpacklo_ps(r[k], r[k + 1]);
        t[k + 1] = _mm256_unpackhi_ps(r[k], r[k + 1]);
    }
    for (int k = 0; k < 8; k += 4) {
        r[k] = _mm256_shuffle_ps(t[k], t[k + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[k + 1] = _mm256_shuffle_ps(t[k], t[k + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[k + 2] = _mm256_shuffle_ps(t[k + 1], t[k + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[k + 3] = _mm256_shuffle_ps(t[k + 1], t[k + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int k = 0; k < 4; ++k) {
        t[k] = _mm256_permute2f128_ps(r[k], r[k + 4], 0x20);
        t[k + 4] = _mm256_permute2f128_ps(r[k], r[k + 4], 0x31);
    }
    for (int k = 0; k < 8; ++k)
        r[k] = t[k];
}
#endif

// Transposes a full V x V block: dst[j * V + r] = src[r * stride + j].
template <class Arch>
inline void transpose_block(const float* src, std::int64_t stride, float* dst) {
    constexpr int V = int(fbatch<Arch>::size);
#if defined(__AVX512F__)
    if constexpr (is_avx512<Arch>) {
        // a[j][b] holds, in 128-bit lane g, columns 4j..4j+3 of row 4g+b: built from memory
        // with inserts (load + port 0/5) instead of cross-lane shuffles (port 5 only). Then a
        // 4x4 transpose inside each lane finishes every output row.
        for (int j = 0; j < 4; ++j) {
            __m512 a[4];
            for (int b = 0; b < 4; ++b) {
                const float* p = src + b * stride + 4 * j;
                __m512 v = _mm512_castps128_ps512(_mm_loadu_ps(p));
                v = _mm512_insertf32x4(v, _mm_loadu_ps(p + 4 * stride), 1);
                v = _mm512_insertf32x4(v, _mm_loadu_ps(p + 8 * stride), 2);
                a[b] = _mm512_insertf32x4(v, _mm_loadu_ps(p + 12 * stride), 3);
            }
            __m512 t0 = _mm512_unpacklo_ps(a[0], a[1]), t1 = _mm512_unpackhi_ps(a[0], a[1]);
            __m512 t2 = _mm512_unpacklo_ps(a[2], a[3]), t3 = _mm512_unpackhi_ps(a[2], a[3]);
            _mm512_storeu_ps(dst + (4 * j + 0) * 16,
                             _mm512_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)));
            _mm512_storeu_ps(dst + (4 * j + 1) * 16,
                             _mm512_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2)));
            _mm512_storeu_ps(dst + (4 * j + 2) * 16,
                             _mm512_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)));
            _mm512_storeu_ps(dst + (4 * j + 3) * 16,
                             _mm512_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2)));
        }
        return;
    }
#endif
#if defined(__AVX2__)
    if constexpr (is_avx2<Arch>) {
        __m256 r[8];
        for (int k = 0; k < 8; ++k)
            r[k] = _mm256_loadu_ps(src + k * stride);
        transpose8x8(r);
        for (int k = 0; k < 8; ++k)
            _mm256_storeu_ps(dst + k * 8, r[k]);
        return;
    }
#endif
#if defined(__SSE2__)
    if constexpr (is_sse2_only<Arch>) {
        __m128 r0 = _mm_loadu_ps(src), r1 = _mm_loadu_ps(src + stride),
               r2 = _mm_loadu_ps(src + 2 * stride), r3 = _mm_loadu_ps(src + 3 * stride);
        _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
        _mm_storeu_ps(dst, r0);
        _mm_storeu_ps(dst + 4, r1);
        _mm_storeu_ps(dst + 8, r2);
        _mm_storeu_ps(dst + 12, r3);
        return;
    }
#endif
    for (int r = 0; r < V; ++r)
        for (int j = 0; j < V; ++j)
            dst[j * V + r] = src[r * stride + j];
}

// Stores the lanes of v whose bit is set in `mask` to p[lane]; other lanes of p are untouched.
template <class Arch>
inline void store_lanes(float* p, const fbatch<Arch>& v, std::uint32_t mask) {
    constexpr int V = int(fbatch<Arch>::size);
    constexpr std::uint32_t full = V == 32 ? ~0u : (1u << V) - 1;
    if (mask == full) {
        v.store_unaligned(p);
        return;
    }
#if defined(__AVX512F__)
    if constexpr (is_avx512<Arch>) {
        _mm512_mask_storeu_ps(p, __mmask16(mask), v);
        return;
    }
#endif
#if defined(__AVX2__)
    if constexpr (is_avx2<Arch>) {
        const __m256i bits = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
        __m256i m = _mm256_and_si256(_mm256_set1_epi32(int(mask)), bits);
        _mm256_maskstore_ps(p, _mm256_cmpeq_epi32(m, bits), v);
        return;
    }
#endif
    alignas(64) float tmp[V];
    v.store_aligned(tmp);
    for (int l = 0; l < V; ++l)
        if (mask >> l & 1u) p[l] = tmp[l];
}

} // namespace
} // namespace cnnshape::kernels::simd
