// The copying and resampling kernels, templated on the xsimd architecture like the other kernel
// families (common.hpp holds the helpers they share) and included by each per-architecture
// translation unit:
// constant padding (F.pad mode='constant'; a negative pad crops), torch.cat, and Upsample /
// F.interpolate.
//
// Padding, concatenation and nearest upsampling only move floats, so they give the reference's
// bits by construction (loads, stores, gathers and permutes never touch a value, NaN payloads
// included). Linear/bilinear/trilinear and bicubic upsampling compute the reference's index and
// weight tables with the same scalar code (ref/upsample.cpp) and then, per output row, the same
// float operations in the same order with the output width in the lanes:
//   * innermost axis first, one "W row" per input row: fma(x[i0], w0, x[i1] * w1) for the linear
//     modes, then fma(x2, w2, .) and fma(x3, w3, .) for bicubic (real FMAs: without them, SSE2,
//     the reference runs);
//   * then the outer axes combine whole rows the same way with broadcast weights.
// W rows are cached per thread (a few rows, least recently used out), so an input row shared by
// neighbouring output rows is interpolated once. Area mode is adaptive average pooling: the
// dispatcher (simd_dispatch.cpp) sends it to the adaptive pooling kernel, as the reference does.
//
// Like every kernel family: internal linkage only, no std containers created.
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
template <class Arch, int T>
inline void window_taps(const float* row, i64 W, i64 base, const i32* rel, i64 stride,
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
        __m256 lo, hi;
        if (left >= 16) {
            lo = _mm256_loadu_ps(row + base);
            hi = _mm256_loadu_ps(row + base + 8);
        } else {
            const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
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
    (void)left;
    for (int j = 0; j < T; ++j)
        v[j] = gather_floats<Arch>(row + base, rel + j * stride);
}

// The W axis of an upsampling: index and weight tables (tap-major, T * OW each) and, per full
// vector block b of outputs, the window start base[b] (-1: gather) and the indices relative to
// it (rel, laid out like idx).
struct WAxis {
    const i32* idx;
    const float* wt;
    const i32* rel;
    const i32* base;
    i64 W, OW;
};

// v[j] = row[idx[j * OW + o + l]] per lane l, for the block of outputs starting at o.
template <class Arch, int T>
inline void w_taps(const float* row, const WAxis& a, i64 o, fbatch<Arch>* v) {
    constexpr int V = int(fbatch<Arch>::size);
    const i32 base = a.base[o / V];
    if (base >= 0) {
        window_taps<Arch, T>(row, a.W, base, a.rel + o, a.OW, v);
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

// ---------------------------------------------------------------------------------------------
// ConstantPad / ZeroPad: the output seen as rows along the last dim. A row whose outer position
// falls outside the input is all `value`; any other row is value | input row (cropped) | value.

constexpr std::size_t kMaxRank = 16;

template <class Arch>
bool constant_pad_impl(const Context& ctx, const ConstantPadDesc& d, const Shape& xs,
                       const float* x, const Shape& ys, float* y) {
    const std::size_t rank = ys.size();
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

// ---------------------------------------------------------------------------------------------
// torch.cat: the output is `outer` repetitions of [chunk of x0 | chunk of x1 | ...]. Work is
// split into fixed blocks of output elements, each copying the pieces of chunks it covers.

template <class Arch>
bool concat_impl(const Context& ctx, const ConcatDesc& d, const std::vector<Shape>& shapes,
                 const std::vector<const float*>& xs, const Shape& ys, float* y) {
    const std::size_t rank = ys.size(), count = xs.size();
    if (rank == 0 || d.dim < 0 || std::size_t(d.dim) >= rank || shapes.size() != count)
        return false;
    for (std::size_t t = 0; t < count; ++t)
        if (shapes[t].size() != rank) return false;
    const i64 total = product(ys, 0);
    if (total == 0) return true;
    i64 outer = 1;
    for (i64 i = 0; i < d.dim; ++i)
        outer *= ys[std::size_t(i)];
    const i64 inner = product(ys, std::size_t(d.dim) + 1);
    // start[t]: where tensor t's chunk begins inside one output repetition; start[count] = its
    // length.
    i64* start = scratch_as<i64>(kShared0, i64(count) + 1);
    start[0] = 0;
    for (std::size_t t = 0; t < count; ++t)
        start[t + 1] = start[t] + shapes[t][std::size_t(d.dim)] * inner;
    const i64 rep = start[count];
    if (rep * outer != total) return false;
    constexpr i64 block = 1 << 14;
    parallel_for(ctx.threads, ceil_div(total, block), 4, [&](i64 b0, i64 b1) {
        i64 i = b0 * block;
        const i64 end = std::min(total, b1 * block);
        i64 o = i / rep, off = i % rep;
        std::size_t t = 0;
        while (start[t + 1] <= off)
            ++t;
        while (i < end) {
            const i64 len = std::min(end - i, start[t + 1] - off);
            const i64 chunk = start[t + 1] - start[t];
            copy_floats<Arch>(y + i, xs[t] + o * chunk + (off - start[t]), len);
            i += len;
            off += len;
            if (off == start[t + 1]) { // next tensor with a non-empty chunk, or next repetition
                do {
                    if (++t == count) {
                        t = 0, off = 0;
                        ++o;
                    }
                } while (start[t + 1] == start[t]);
            }
        }
    });
    return true;
}

// ---------------------------------------------------------------------------------------------
// Upsample. Index and weight tables per axis, exactly as ref/upsample.cpp computes them
// (compute_scales_value, area_pixel_compute_scale/source_index, the cubic convolution weights),
// stored tap-major: idx[j * out + o], wt[j * out + o].

inline float rs_scales_value(const UpsampleDesc& d, std::size_t axis, i64 in, i64 out) {
    if (axis < d.scale_factor.size() && d.scale_factor[axis] > 0)
        return float(1.0 / d.scale_factor[axis]);
    return float(in) / float(out);
}

inline float rs_area_scale(const UpsampleDesc& d, std::size_t axis, i64 in, i64 out) {
    if (d.align_corners) return out > 1 ? float(in - 1) / float(out - 1) : 0.0f;
    return rs_scales_value(d, axis, in, out);
}

inline float rs_cubic1(float x, float A) {
    return (x * std::fma(x, A + 2, -(A + 3))) * x + 1.0f;
}
inline float rs_cubic2(float x, float A) {
    return x * std::fma(x, std::fma(A, x, -5 * A), 8 * A) + -4 * A;
}

// Fills the tables of one axis (T taps); false if an index falls outside [0, in).
inline bool rs_axis_taps(const UpsampleDesc& d, std::size_t axis, i64 in, i64 out, int T, i32* idx,
                         float* wt) {
    if (T == 1) {
        const bool exact = d.mode == UpsampleMode::NearestExact;
        const float scale = rs_scales_value(d, axis, in, out);
        for (i64 o = 0; o < out; ++o) {
            i64 s;
            if (!exact && out == in)
                s = o;
            else if (!exact && out == 2 * in)
                s = o >> 1;
            else if (!exact)
                s = std::min<i64>(i64(std::floor(float(o) * scale)), in - 1);
            else
                s = std::min<i64>(i64(std::floor(float((double(o) + 0.5) * double(scale)))),
                                  in - 1);
            idx[o] = i32(s);
            wt[o] = 1.0f;
            if (s < 0 || s >= in) return false;
        }
    } else if (T == 2) {
        const float scale = rs_area_scale(d, axis, in, out);
        for (i64 o = 0; o < out; ++o) {
            i64 i0, i1;
            float l0, l1;
            if (out == in) {
                i0 = i1 = o;
                l0 = 1, l1 = 0;
            } else {
                double real = d.align_corners ? double(scale) * double(o)
                                              : double(scale) * (double(o) + 0.5) - 0.5;
                if (real < 0) real = 0;
                i0 = i64(real);
                i1 = i0 + (i0 < in - 1 ? 1 : 0);
                l1 = float(std::min(std::max(real - double(i0), 0.0), 1.0));
                l0 = 1.0f - l1;
            }
            if (i0 < 0 || i1 >= in) return false;
            idx[o] = i32(i0), idx[out + o] = i32(i1);
            wt[o] = l0, wt[out + o] = l1;
        }
    } else {
        const float scale = rs_area_scale(d, axis, in, out);
        const float A = -0.75f;
        for (i64 o = 0; o < out; ++o) {
            // area_pixel_compute_source_index with cubic = true (no clamp at 0), in double
            const double real = d.align_corners ? double(scale) * double(o)
                                                : std::fma(double(o) + 0.5, double(scale), -0.5);
            const i64 i = i64(std::floor(float(real)));
            const float t = float(real - double(i));
            const float x2 = 1.0f - t;
            const float c[4] = {rs_cubic2(t + 1.0f, A), rs_cubic1(t, A), rs_cubic1(x2, A),
                                rs_cubic2(x2 + 1.0f, A)};
            for (int j = 0; j < 4; ++j) {
                idx[j * out + o] = i32(std::max<i64>(std::min(i - 1 + j, in - 1), 0));
                wt[j * out + o] = c[j];
            }
        }
    }
    return true;
}

// dst[i] = combine over taps j of src_j[i] with weights w_j (per lane or broadcast): the
// reference's fma(t0, w0, t1 * w1), then fma(tj, wj, .) for the further taps.
template <class Arch, int T>
inline fbatch<Arch> rs_combine(const fbatch<Arch>* v, const fbatch<Arch>* w) {
    fbatch<Arch> acc = madd<Arch>(v[0], w[0], v[1] * w[1]);
    for (int j = 2; j < T; ++j)
        acc = madd<Arch>(v[j], w[j], acc);
    return acc;
}
template <int T>
inline float rs_combine1(const float* v, const float* w) {
    float acc = std::fma(v[0], w[0], v[1] * w[1]);
    for (int j = 2; j < T; ++j)
        acc = std::fma(v[j], w[j], acc);
    return acc;
}

// One input row interpolated along W: dst[o] for o < OW.
template <class Arch, int T>
inline void rs_row_w(const float* src, const WAxis& a, float* dst) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    const i64 OW = a.OW;
    const i32* idx = a.idx;
    const float* wt = a.wt;
    i64 o = 0;
    for (; o + V <= OW; o += V) {
        B v[T], w[T];
        w_taps<Arch, T>(src, a, o, v);
        for (int j = 0; j < T; ++j)
            w[j] = B::load_unaligned(wt + j * OW + o);
        rs_combine<Arch, T>(v, w).store_unaligned(dst + o);
    }
    for (; o < OW; ++o) {
        float v[T], w[T];
        for (int j = 0; j < T; ++j)
            v[j] = src[idx[j * OW + o]], w[j] = wt[j * OW + o];
        dst[o] = rs_combine1<T>(v, w);
    }
}

// dst = combine of T whole rows with scalar weights w[j].
template <class Arch, int T>
inline void rs_rows(const float* const* rows, const float* w, i64 n, float* dst) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    B wb[T];
    for (int j = 0; j < T; ++j)
        wb[j] = B(w[j]);
    i64 i = 0;
    for (; i + V <= n; i += V) {
        B v[T];
        for (int j = 0; j < T; ++j)
            v[j] = B::load_unaligned(rows[j] + i);
        rs_combine<Arch, T>(v, wb).store_unaligned(dst + i);
    }
    for (; i < n; ++i) {
        float v[T];
        for (int j = 0; j < T; ++j)
            v[j] = rows[j][i];
        dst[i] = rs_combine1<T>(v, w);
    }
}

// Up to 32 W-interpolated input rows of one thread, keyed by the input row's index in x, least
// recently used out. Holds more rows than one output row needs (T or T*T), so a row fetched for
// the current output row is never evicted before it is used.
struct RowCache {
    static constexpr int kMax = 32;
    int slots = 0;
    i64 key[kMax];
    std::uint64_t used[kMax];
    std::uint64_t clock = 0;
    float* data = nullptr;
    i64 stride = 0;
};

template <class Arch, int T>
inline const float* rs_cached_row(RowCache& c, i64 key, const float* x, const WAxis& wa) {
    int victim = 0;
    for (int s = 0; s < c.slots; ++s) {
        if (c.key[s] == key) {
            c.used[s] = ++c.clock;
            return c.data + s * c.stride;
        }
        if (c.used[s] < c.used[victim]) victim = s;
    }
    float* row = c.data + victim * c.stride;
    rs_row_w<Arch, T>(x + key * wa.W, wa, row);
    c.key[victim] = key;
    c.used[victim] = ++c.clock;
    return row;
}

template <class Arch, int T>
void rs_interp(const Context& ctx, int nd, const i64* in3, const i64* out3, i64 planes,
               const i32* const* idx, const float* const* wt, const WAxis& wa, const float* x,
               float* y) {
    const i64 D = in3[0], H = in3[1], W = in3[2], OD = out3[0], OH = out3[1], OW = out3[2];
    const i64 rows = planes * OD * OH;
    const int slots = nd == 1 ? 0 : nd == 2 ? 2 * T : std::min(RowCache::kMax, 2 * T * T);
    const i64 stride = round_up(OW, 16);
    parallel_for(ctx.threads, rows, grain_for(OW * T * (nd == 3 ? 2 : 1)), [&](i64 r0, i64 r1) {
        RowCache c;
        c.slots = slots;
        c.stride = stride;
        c.data = scratch(kPrivate0, std::size_t((slots + T) * stride));
        for (int s = 0; s < slots; ++s)
            c.key[s] = -1, c.used[s] = 0;
        float* tmp = c.data + slots * stride; // T rows: the H-combined rows of a 3-d output row
        for (i64 r = r0; r < r1; ++r) {
            float* dst = y + r * OW;
            const i64 p = r / (OD * OH), q = r % (OD * OH), od = q / OH, oh = q % OH;
            if (nd == 1) {
                rs_row_w<Arch, T>(x + p * W, wa, dst);
                continue;
            }
            float wh[T];
            for (int j = 0; j < T; ++j)
                wh[j] = wt[1][j * OH + oh];
            const i64 nd3 = nd == 3 ? T : 1;
            for (i64 jd = 0; jd < nd3; ++jd) {
                const i64 sd = nd == 3 ? idx[0][jd * OD + od] : 0;
                const float* src[T];
                for (int j = 0; j < T; ++j)
                    src[j] =
                        rs_cached_row<Arch, T>(c, (p * D + sd) * H + idx[1][j * OH + oh], x, wa);
                rs_rows<Arch, T>(src, wh, OW, nd == 3 ? tmp + jd * stride : dst);
            }
            if (nd == 3) {
                float wd[T];
                const float* src[T];
                for (int j = 0; j < T; ++j)
                    wd[j] = wt[0][j * OD + od], src[j] = tmp + j * stride;
                rs_rows<Arch, T>(src, wd, OW, dst);
            }
        }
    });
}

template <class Arch>
bool upsample_impl(const Context& ctx, const UpsampleDesc& d, const Shape& xs, const float* x,
                   const Shape& ys, float* y) {
    if (xs.size() < 3 || xs.size() > 5 || ys.size() != xs.size()) return false;
    if (xs[0] != ys[0] || xs[1] != ys[1]) return false;
    if (product(ys, 0) == 0) return true;
    if (d.mode == UpsampleMode::Area) return false; // adaptive pooling (simd_dispatch.cpp)
    const int nd = int(xs.size()) - 2;
    const bool nearest = d.mode == UpsampleMode::Nearest || d.mode == UpsampleMode::NearestExact;
    const int T = nearest ? 1 : d.mode == UpsampleMode::Bicubic ? 4 : 2;
    if (T > 1 && !has_fma<Arch>) return false; // fma(t0, w0, t1*w1) needs a real FMA
    i64 in3[3] = {1, 1, 1}, out3[3] = {1, 1, 1};
    for (int a = 0; a < nd; ++a)
        in3[3 - nd + a] = xs[2 + a], out3[3 - nd + a] = ys[2 + a];
    if (product(xs, 0) == 0 || in3[2] > std::numeric_limits<i32>::max()) return false;
    // Tables for the nd real axes, in (D, H, W) slots; a missing leading axis gets index 0.
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    const i64 total = T * (out3[0] + out3[1] + out3[2]), blocks = out3[2] / V;
    i32* idx_all = scratch_as<i32>(kShared0, total + T * out3[2] + blocks);
    float* wt_all = scratch_as<float>(kShared1, total);
    i32* idx[3];
    float* wt[3];
    i64 off = 0;
    for (int k = 0; k < 3; off += T * out3[k], ++k) {
        idx[k] = idx_all + off, wt[k] = wt_all + off;
        if (k < 3 - nd) {
            for (int j = 0; j < T; ++j)
                idx[k][j] = 0, wt[k][j] = 1.0f;
        } else if (!rs_axis_taps(d, std::size_t(k - (3 - nd)), in3[k], out3[k], T, idx[k], wt[k])) {
            return false;
        }
    }
    // Window blocks of the W axis.
    i32* rel = idx_all + total;
    i32* base = rel + T * out3[2];
    for (i64 b = 0; b < blocks; ++b) {
        i32 lo = std::numeric_limits<i32>::max(), hi = 0;
        for (int j = 0; j < T; ++j)
            for (int l = 0; l < V; ++l) {
                const i32 v = idx[2][j * out3[2] + b * V + l];
                lo = std::min(lo, v), hi = std::max(hi, v);
            }
        base[b] = hi - lo < window_lanes<Arch> ? lo : -1;
        for (int j = 0; j < T; ++j)
            for (int l = 0; l < V; ++l)
                rel[j * out3[2] + b * V + l] = idx[2][j * out3[2] + b * V + l] - lo;
    }
    const WAxis wa{idx[2], wt[2], rel, base, in3[2], out3[2]};
    const i64 planes = xs[0] * xs[1];
    if (T == 2) {
        rs_interp<Arch, 2>(ctx, nd, in3, out3, planes, idx, wt, wa, x, y);
        return true;
    }
    if (T == 4) {
        rs_interp<Arch, 4>(ctx, nd, in3, out3, planes, idx, wt, wa, x, y);
        return true;
    }
    // Nearest: each output row copies from one input row, by the W index table: a plain copy,
    // each element twice, or picked lanes (w_taps). An output row with the same input row as the
    // one before it copies that output row.
    const i64 D = in3[0], H = in3[1], W = in3[2], OD = out3[0], OH = out3[1], OW = out3[2];
    const i32* iw = idx[2];
    bool identity = OW == W, twice = OW == 2 * W;
    for (i64 o = 0; o < OW && (identity || twice); ++o) {
        identity = identity && iw[o] == o;
        twice = twice && iw[o] == (o >> 1);
    }
    const i64 rows = planes * OD * OH;
    parallel_for(ctx.threads, rows, grain_for(OW), [&](i64 r0, i64 r1) {
        const float* prev_src = nullptr;
        const float* prev_dst = nullptr;
        for (i64 r = r0; r < r1; ++r) {
            const i64 p = r / (OD * OH), q = r % (OD * OH), od = q / OH, oh = q % OH;
            const float* src = x + ((p * D + idx[0][od]) * H + idx[1][oh]) * W;
            float* dst = y + r * OW;
            if (src == prev_src) {
                copy_floats<Arch>(dst, prev_dst, OW);
            } else if (identity) {
                copy_floats<Arch>(dst, src, OW);
            } else if (twice) {
                duplicate2<Arch>(src, W, dst);
            } else {
                i64 o = 0;
                for (; o + V <= OW; o += V) {
                    B v[1];
                    w_taps<Arch, 1>(src, wa, o, v);
                    v[0].store_unaligned(dst + o);
                }
                for (; o < OW; ++o)
                    dst[o] = src[iw[o]];
            }
            prev_src = src, prev_dst = dst;
        }
    });
    return true;
}

// The kernel table with this file's entries filled in.
template <class Arch>
KernelTable with_resample(KernelTable t) {
    t.constant_pad = &constant_pad_impl<Arch>;
    t.upsample = &upsample_impl<Arch>;
    t.concat = &concat_impl<Arch>;
    return t;
}

} // namespace
} // namespace cnnshape::kernels::simd
