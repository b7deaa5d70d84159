// MaxPool / AvgPool (1d, 2d), vectorised across output columns over stride-phase rows.
#pragma once
#include "kernels/simd/phases.hpp"

namespace cnnshape::kernels::simd {
namespace {

// ---------------------------------------------------------------------------------------------
// MaxPool / AvgPool, vectorised across output columns.

// A sum used as a NaN detector: not NaN means no NaN in the data. (Infinities of both signs or
// an overflow can make it NaN too; that only sends the data down the exact NaN path.)
template <class Arch>
fbatch<Arch> row_sum(const float* p, i64 n) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    B s0(0.0f), s1(0.0f);
    i64 i = 0;
    for (; i + 2 * V <= n; i += 2 * V) {
        s0 = s0 + B::load_unaligned(p + i);
        s1 = s1 + B::load_unaligned(p + i + V);
    }
    for (; i + V <= n; i += V)
        s0 = s0 + B::load_unaligned(p + i);
    // The tail only has to reveal a NaN: independent tests, not a chain of scalar adds (whose
    // latency cost more than the rest of the row on 112-wide rows).
    bool tail_nan = false;
    for (; i < n; ++i)
        tail_nan |= std::isnan(p[i]);
    return s0 + s1 + B(tail_nan ? std::numeric_limits<float>::quiet_NaN() : 0.0f);
}

enum class RowOp { MaxFast, MaxNaN, Sum };
constexpr int kPoolVecs = 4; // output vectors per register block in pool_row

// One output row of pooling, values only. rows[r] is the split row of the window's r-th input row
// (in order), so rows[r][tap_pos[k] + ow] is tap k of output ow. Each lane folds its taps in the
// reference's row-major order: max (strict, or with NaN taken), or a float sum then one
// division by div[ow].
template <class Arch, RowOp OP, int KW>
void pool_row(const float* const* rows, int nrows, const i64* tap_pos, i64 kw_rt, i64 OW,
              const float* div, float* out) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    constexpr int NV = kPoolVecs;
    const i64 kw = KW > 0 ? KW : kw_rt;
    i64 tp[KW > 0 ? KW : 1];
    if constexpr (KW > 0)
        for (int k = 0; k < KW; ++k)
            tp[k] = tap_pos[k];
    for (i64 ow0 = 0; ow0 < OW; ow0 += NV * V) {
        B acc[NV];
        for (int v = 0; v < NV; ++v)
            acc[v] = B(OP == RowOp::Sum ? 0.0f : -std::numeric_limits<float>::infinity());
        for (int r = 0; r < nrows; ++r) {
            const float* rp = rows[r] + ow0;
            for (i64 k = 0; k < kw; ++k) {
                const float* t = rp + (KW > 0 ? tp[k] : tap_pos[k]);
#pragma GCC unroll 4
                for (int v = 0; v < NV; ++v) {
                    B x = B::load_unaligned(t + v * V);
                    if constexpr (OP == RowOp::Sum)
                        acc[v] = acc[v] + x;
                    else if constexpr (OP == RowOp::MaxFast)
                        acc[v] = max_strict<Arch>(x, acc[v]);
                    else
                        acc[v] = max_keep_first_nan_last<Arch>(x, acc[v]);
                }
            }
        }
        for (int v = 0; v < NV; ++v) {
            const i64 o = ow0 + v * V;
            if (o >= OW) break;
            B r = acc[v];
            if constexpr (OP == RowOp::Sum) r = r / B::load_unaligned(div + o);
            if (o + V <= OW) {
                r.store_unaligned(out + o);
            } else {
                alignas(64) float tmp[V];
                r.store_aligned(tmp);
                for (i64 l = 0; l < OW - o; ++l)
                    out[o + l] = tmp[l];
            }
        }
    }
}

template <class Arch, RowOp OP>
void pool_row_k(const float* const* rows, int nrows, const i64* tap_pos, i64 kw, i64 OW,
                const float* div, float* out) {
    switch (kw) {
    case 1:
        return pool_row<Arch, OP, 1>(rows, nrows, tap_pos, kw, OW, div, out);
    case 2:
        return pool_row<Arch, OP, 2>(rows, nrows, tap_pos, kw, OW, div, out);
    case 3:
        return pool_row<Arch, OP, 3>(rows, nrows, tap_pos, kw, OW, div, out);
    default:
        return pool_row<Arch, OP, 0>(rows, nrows, tap_pos, kw, OW, div, out);
    }
}

// The commonest pooling, kernel 2 and stride 2 with no padding or dilation and every window
// inside the input: each input row feeds one output row, so no split rows are needed. One output
// row's V outputs come from two even/odd splits of 2V inputs per input row. Taps are folded in
// the reference's row-major order (r0[2i], r0[2i+1], r1[2i], r1[2i+1]); a row whose inputs hold a
// NaN is redone with the exact NaN rule.
template <class Arch, bool MAX>
bool pool2x2_row(const float* r0, const float* r1, i64 OW, float div, bool nan_rule, float* out) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    xsimd::batch_bool<float, Arch> nan(false);
    i64 ow = 0;
    for (; ow + V <= OW; ow += V) {
        B e0, o0, e1, o1;
        even_odd<Arch>(r0 + 2 * ow, e0, o0);
        even_odd<Arch>(r1 + 2 * ow, e1, o1);
        B acc;
        if constexpr (MAX) {
            if (nan_rule) {
                acc = max_keep_first_nan_last<Arch>(e0, B(-std::numeric_limits<float>::infinity()));
                acc = max_keep_first_nan_last<Arch>(o0, acc);
                acc = max_keep_first_nan_last<Arch>(e1, acc);
                acc = max_keep_first_nan_last<Arch>(o1, acc);
            } else {
                nan = nan | xsimd::isnan((e0 + o0) + (e1 + o1));
                acc = max_strict<Arch>(o0, e0);
                acc = max_strict<Arch>(e1, acc);
                acc = max_strict<Arch>(o1, acc);
            }
        } else {
            acc = (((B(0.0f) + e0) + o0) + e1) + o1;
            acc = acc / B(div);
        }
        acc.store_unaligned(out + ow);
    }
    for (; ow < OW; ++ow) { // the reference's scalar steps
        const float t[4] = {r0[2 * ow], r0[2 * ow + 1], r1[2 * ow], r1[2 * ow + 1]};
        if constexpr (MAX) {
            float m = -std::numeric_limits<float>::infinity();
            for (float v : t)
                if (v > m || std::isnan(v)) m = v;
            out[ow] = m;
        } else {
            float sum = 0.0f;
            for (float v : t)
                sum += v;
            out[ow] = sum / div;
        }
    }
    return xsimd::any(nan);
}

template <class Arch>
void pool2x2(const Context& ctx, bool is_max, float div, const Geom2& g, const float* x, float* y) {
    const i64 rows = g.N * g.C * g.OH;
    auto run_rows = [&](i64 b, i64 e) {
        for (i64 i = b; i < e; ++i) {
            const i64 p = i / g.OH, oh = i % g.OH;
            const float* r0 = x + (p * g.H + 2 * oh) * g.W;
            float* out = y + i * g.OW;
            if (!is_max)
                pool2x2_row<Arch, false>(r0, r0 + g.W, g.OW, div, false, out);
            else if (pool2x2_row<Arch, true>(r0, r0 + g.W, g.OW, div, false, out))
                pool2x2_row<Arch, true>(r0, r0 + g.W, g.OW, div, true, out);
        }
    };
    parallel_for(ctx.threads, rows, grain_for(4 * g.OW), run_rows);
}

// Whether taps_w3s2 returns its lanes permuted: on AVX2, lane pairs 1 and 2 swapped (outputs
// 0, 1, 4, 5, 2, 3, 6, 7: what in-lane shuffles of two 8-float loads give). Every tap shares the
// order, so the lane-wise folds are unchanged and w3s2_order puts the result back.
template <class Arch>
constexpr bool w3s2_permuted = is_avx2<Arch>;

template <class Arch>
inline fbatch<Arch> w3s2_order(const fbatch<Arch>& v) {
#if defined(__AVX2__)
    if constexpr (w3s2_permuted<Arch>)
        return _mm256_castpd_ps(
            _mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)));
#endif
    return v;
}

// Width-3, stride-2 windows along W (MaxPool2d(3, 2, 1), AvgPool2d(3, 2, 1), the ceil_mode
// variants; no dilation along W, any window and stride along H): the input rows are read in
// place, with no split rows. Output columns ow0 .. ow0+V-1 read the 2V+1 inputs from
// o = 2*ow0 - pw on: taps 0 and 1 are the even and odd lanes of the 2V floats at o, tap 2 is tap 0
// moved down one lane with x[o + 2V] shifted in. Inputs outside the row read as `fill` (-inf for
// max; +0 for the sum, which is exact: the reference skips them, and a sum that starts at +0 is
// never -0, so adding +0 changes nothing).
// CHECKED = false: the caller knows the 2V+1 floats from o are inside the row.
template <class Arch, bool CHECKED = true>
inline void taps_w3s2(const float* row, i64 W, i64 o, float fill, fbatch<Arch>& t0,
                      fbatch<Arch>& t1, fbatch<Arch>& t2) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
#if defined(__AVX512F__)
    if constexpr (is_avx512<Arch>) {
        const float last = o + 2 * V >= 0 && o + 2 * V < W ? row[o + 2 * V] : fill;
        const __m512i ie =
            _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        const __m512i io =
            _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        __m512 a, b;
        if (o >= 0 && o + 2 * V <= W) {
            a = _mm512_loadu_ps(row + o);
            b = _mm512_loadu_ps(row + o + V);
        } else { // lanes outside the row are neither read nor faulted on
            auto inside = [&](i64 start) {
                const i64 lo = std::max<i64>(0, -start), hi = std::min<i64>(V, W - start);
                if (hi <= lo) return __mmask16(0);
                return __mmask16(((1u << (hi - lo)) - 1u) << lo);
            };
            const __m512 f = _mm512_set1_ps(fill);
            // The masked lanes of these addresses are never touched, even before the row.
            a = _mm512_mask_loadu_ps(f, inside(o), row + o);
            b = _mm512_mask_loadu_ps(f, inside(o + V), row + o + V);
        }
        t0 = _mm512_permutex2var_ps(a, ie, b);
        t1 = _mm512_permutex2var_ps(a, io, b);
        t2 = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(_mm512_set1_ps(last)),
                                                     _mm512_castps_si512(t0), 1));
        return;
    }
#endif
#if defined(__AVX2__)
    if constexpr (is_avx2<Arch>) {
        // Four loads (x[o .. o+2V) and x[o+1 .. o+2V+1)) and three in-lane shuffles: the taps come
        // out in the lane order of w3s2_permuted (the caller restores the order once per output
        // vector, not once per tap).
        __m256 a, b, c, e;
        if (!CHECKED || (o >= 0 && o + 2 * V + 1 <= W)) {
            a = _mm256_loadu_ps(row + o);
            b = _mm256_loadu_ps(row + o + V);
            c = _mm256_loadu_ps(row + o + 1);
            e = _mm256_loadu_ps(row + o + V + 1);
        } else if (o == -1 && 2 * V <= W) {
            // The left pad: x[-1 .. 7) is x[0 .. 8) moved up one lane, with the fill below.
            c = _mm256_loadu_ps(row);
            b = _mm256_loadu_ps(row + V - 1);
            e = _mm256_loadu_ps(row + V);
            a = _mm256_blend_ps(
                _mm256_permutevar8x32_ps(c, _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6)),
                _mm256_set1_ps(fill), 0x01);
        } else { // lanes outside the row are masked: neither read nor faulted on
            const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
            const __m256i wv = _mm256_set1_epi32(std::int32_t(W));
            const __m256 f = _mm256_set1_ps(fill);
            auto load = [&](i64 start) {
                const __m256i i = _mm256_add_epi32(_mm256_set1_epi32(std::int32_t(start)), iota);
                const __m256i in = _mm256_andnot_si256(
                    _mm256_cmpgt_epi32(_mm256_setzero_si256(), i), _mm256_cmpgt_epi32(wv, i));
                return _mm256_blendv_ps(f, _mm256_maskload_ps(row + start, in),
                                        _mm256_castsi256_ps(in));
            };
            a = load(o), b = load(o + V), c = load(o + 1), e = load(o + V + 1);
        }
        t0 = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
        t1 = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
        t2 = _mm256_shuffle_ps(c, e, _MM_SHUFFLE(3, 1, 3, 1));
        return;
    }
#endif
    // Other architectures: tap 2 as the odd lanes of the 2V floats from o + 1.
    alignas(64) float buf[2 * V + 1];
    const float* p = row + o;
    if (CHECKED && !(o >= 0 && o + 2 * V + 1 <= W)) {
        for (int i = 0; i < 2 * V + 1; ++i)
            buf[i] = o + i >= 0 && o + i < W ? row[o + i] : fill;
        p = buf;
    }
    B even1;
    even_odd<Arch>(p, t0, t1);
    even_odd<Arch>(p + 1, even1, t2);
}

// One plane, the AVX-512 way (stop 19, 1.2-1.3x the memory floor there). MaxFast returns whether
// the plane may hold a NaN (then it is done again with MaxNaN): a running sum of every tap, -inf
// from the padding included, which ends NaN when an input is NaN (or, harmlessly, when the data
// hold +inf or overflow to it).
template <class Arch, RowOp OP>
bool pool_w3s2_plane_avx512(const Geom2& g, const float* xp, const float* divisor, i64 OWv,
                            float* yp) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    constexpr int NV = kPoolVecs;
    const float fill = OP == RowOp::Sum ? 0.0f : -std::numeric_limits<float>::infinity();
    B nan_sum(0.0f);
    for (i64 oh = 0; oh < g.OH; ++oh) {
        const i64 hs = oh * g.sh - g.ph;
        const i64 r0 = std::max<i64>(hs, 0), r1 = std::min(hs + g.kh, g.H);
        // The rows two output rows ahead, on their way from memory while these are computed.
        for (i64 ih = r1 + g.sh; ih < std::min(r1 + 2 * g.sh, g.H); ++ih)
            for (i64 c = 0; c < g.W; c += 16)
                __builtin_prefetch(xp + ih * g.W + c);
        float* yo = yp + oh * g.OW;
        for (i64 ow0 = 0; ow0 < g.OW; ow0 += NV * V) {
            const int nv = int(std::min<i64>(NV, ceil_div(g.OW - ow0, V)));
            B acc[NV];
            for (int v = 0; v < NV; ++v)
                acc[v] = B(fill);
            for (i64 ih = r0; ih < r1; ++ih) {
                const float* row = xp + ih * g.W;
                for (int v = 0; v < nv; ++v) {
                    B t0, t1, t2;
                    taps_w3s2<Arch>(row, g.W, 2 * (ow0 + v * V) - g.pw, fill, t0, t1, t2);
                    if constexpr (OP == RowOp::Sum) {
                        acc[v] = ((acc[v] + t0) + t1) + t2;
                    } else if constexpr (OP == RowOp::MaxFast) {
                        nan_sum = nan_sum + ((t0 + t1) + t2); // t2's last lane: in no other tap
                        acc[v] = max_strict<Arch>(t0, acc[v]);
                        acc[v] = max_strict<Arch>(t1, acc[v]);
                        acc[v] = max_strict<Arch>(t2, acc[v]);
                    } else {
                        acc[v] = max_keep_first_nan_last<Arch>(t0, acc[v]);
                        acc[v] = max_keep_first_nan_last<Arch>(t1, acc[v]);
                        acc[v] = max_keep_first_nan_last<Arch>(t2, acc[v]);
                    }
                }
            }
            for (int v = 0; v < nv; ++v) {
                const i64 o = ow0 + v * V;
                B r = acc[v];
                if constexpr (OP == RowOp::Sum) r = r / B::load_unaligned(divisor + oh * OWv + o);
                if (o + V <= g.OW) {
                    r.store_unaligned(yo + o);
                } else {
                    alignas(64) float tmp[V];
                    r.store_aligned(tmp);
                    for (i64 l = 0; l < g.OW - o; ++l)
                        yo[o + l] = tmp[l];
                }
            }
        }
    }
    return OP == RowOp::MaxFast && xsimd::any(xsimd::isnan(nan_sum));
}

// The other architectures (AVX2, SSE2). Output vectors [0, vlo) and [vhi, nvec) of a row have
// taps outside the input row (the left pad, the right end): they take the checked loads; the
// ones between load in place without a test.
struct W3S2Cols {
    i64 nvec, vlo, vhi;
};
template <int V>
inline W3S2Cols w3s2_cols(const Geom2& g) {
    W3S2Cols c;
    c.nvec = ceil_div(g.OW, V);
    c.vlo = std::min(c.nvec, ceil_div(g.pw, 2 * V));
    c.vhi = std::max(c.vlo, std::min(c.nvec, floor_div(g.W + g.pw - 2 * V - 1, 2 * V) + 1));
    return c;
}

// Stores output vector r (in natural lane order) at yo + o, only its first OW - o lanes at the end.
template <class Arch>
inline void w3s2_store(const fbatch<Arch>& r, i64 o, i64 OW, float* yo) {
    constexpr int V = int(fbatch<Arch>::size);
    if (o + V <= OW) {
        r.store_unaligned(yo + o);
    } else {
        alignas(64) float tmp[V];
        r.store_aligned(tmp);
        for (i64 l = 0; l < OW - o; ++l)
            yo[o + l] = tmp[l];
    }
}

// Average pooling: NB output vectors from vector v0 of one output row, each lane the reference's
// in-order sum over input rows [r0, r1) and their three taps, then one division. A sum is a chain
// of dependent adds (9 for a 3x3 window), so the vectors of a row are summed side by side, up to
// 8 at a time (NB is a constant: the sums stay in registers). EDGE: vector v0 is a checked one
// (the left pad), the others are inside the row.
template <class Arch, int NB, bool EDGE>
inline void w3s2_avg_block(const Geom2& g, const float* xp, i64 r0, i64 r1, i64 v0,
                           const float* div, float* yo) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    B acc[NB];
    for (int v = 0; v < NB; ++v)
        acc[v] = B(0.0f);
    for (i64 ih = r0; ih < r1; ++ih) {
        const float* row = xp + ih * g.W;
#pragma GCC unroll 8
        for (int v = 0; v < NB; ++v) {
            B t0, t1, t2;
            const i64 o = 2 * (v0 + v) * V - g.pw;
            if (EDGE && v == 0)
                taps_w3s2<Arch, true>(row, g.W, o, 0.0f, t0, t1, t2);
            else
                taps_w3s2<Arch, false>(row, g.W, o, 0.0f, t0, t1, t2);
            acc[v] = ((acc[v] + t0) + t1) + t2;
        }
    }
#pragma GCC unroll 8
    for (int v = 0; v < NB; ++v) {
        const i64 o = (v0 + v) * V;
        w3s2_store<Arch>(w3s2_order<Arch>(acc[v]) / B::load_unaligned(div + o), o, g.OW, yo);
    }
}

// Vectors [v, end) of an output row in blocks of up to 8 (the first checked when EDGE).
template <class Arch, bool EDGE>
inline void w3s2_avg_run(const Geom2& g, const float* xp, i64 r0, i64 r1, i64 v, i64 end,
                         const float* div, float* yo) {
    if (v >= end) return;
    if (end - v >= 8) {
        w3s2_avg_block<Arch, 8, EDGE>(g, xp, r0, r1, v, div, yo);
        return w3s2_avg_run<Arch, false>(g, xp, r0, r1, v + 8, end, div, yo);
    }
    switch (end - v) {
    case 7:
        return w3s2_avg_block<Arch, 7, EDGE>(g, xp, r0, r1, v, div, yo);
    case 6:
        return w3s2_avg_block<Arch, 6, EDGE>(g, xp, r0, r1, v, div, yo);
    case 5:
        return w3s2_avg_block<Arch, 5, EDGE>(g, xp, r0, r1, v, div, yo);
    case 4:
        return w3s2_avg_block<Arch, 4, EDGE>(g, xp, r0, r1, v, div, yo);
    case 3:
        return w3s2_avg_block<Arch, 3, EDGE>(g, xp, r0, r1, v, div, yo);
    case 2:
        return w3s2_avg_block<Arch, 2, EDGE>(g, xp, r0, r1, v, div, yo);
    default:
        return w3s2_avg_block<Arch, 1, EDGE>(g, xp, r0, r1, v, div, yo);
    }
}

template <class Arch>
void pool_w3s2_avg_plane(const Geom2& g, const float* xp, const float* divisor, i64 OWv,
                         float* yp) {
    constexpr int V = int(fbatch<Arch>::size);
    const W3S2Cols c = w3s2_cols<V>(g);
    for (i64 oh = 0; oh < g.OH; ++oh) {
        const i64 hs = oh * g.sh - g.ph;
        const i64 r0 = std::max<i64>(hs, 0), r1 = std::min(hs + g.kh, g.H);
        float* yo = yp + oh * g.OW;
        const float* div = divisor + oh * OWv;
        // [0, vlo) is at most the one vector with the left pad.
        if (c.vlo == 1)
            w3s2_avg_run<Arch, true>(g, xp, r0, r1, 0, c.vhi, div, yo);
        else
            w3s2_avg_run<Arch, false>(g, xp, r0, r1, c.vlo, c.vhi, div, yo);
        for (i64 v = c.vhi; v < c.nvec; ++v)
            w3s2_avg_block<Arch, 1, true>(g, xp, r0, r1, v, div, yo);
    }
}

// Max pooling: each input row's three taps are folded once into a row of window maxima h (in
// taps_w3s2's lane order), and an output row folds the h rows of its window rows. That is the
// reference's row-major fold regrouped by rows, which gives the same bits: the strict rule
// keeps the first of equal values (so the first maximum in row-major order, whichever zero it
// is), and the NaN rule keeps the last NaN; both hold for a fold of per-row folds. Input rows
// shared by neighbouring output rows (kernel 3, stride 2: one in three) are folded once.
// MaxFast sums every tap into nan (four running sums), which ends NaN when an input is NaN (or,
// harmlessly, when the data hold +inf or overflow to it); the caller then redoes the plane
// with MaxNaN.
template <class Arch, RowOp OP, bool CHECKED>
inline void w3s2_hmax(const float* row, i64 W, i64 o, float* h, fbatch<Arch>& nan) {
    using B = fbatch<Arch>;
    constexpr float ninf = -std::numeric_limits<float>::infinity();
    B t0, t1, t2, m;
    taps_w3s2<Arch, CHECKED>(row, W, o, ninf, t0, t1, t2);
    if constexpr (OP == RowOp::MaxFast) {
        nan = nan + ((t0 + t1) + t2); // t2's last lane: in no other tap
        m = max_strict<Arch>(t1, t0); // t0 after -inf is t0 (no NaN on this path)
        m = max_strict<Arch>(t2, m);
    } else {
        m = max_keep_first_nan_last<Arch>(t0, B(ninf));
        m = max_keep_first_nan_last<Arch>(t1, m);
        m = max_keep_first_nan_last<Arch>(t2, m);
    }
    m.store_aligned(h);
}

template <class Arch, RowOp OP>
void w3s2_hmax_row(const Geom2& g, const W3S2Cols& c, const float* row, float* h,
                   fbatch<Arch>* nan) {
    constexpr int V = int(fbatch<Arch>::size);
    i64 v = 0;
    for (; v < c.vlo; ++v)
        w3s2_hmax<Arch, OP, true>(row, g.W, 2 * v * V - g.pw, h + v * V, nan[3]);
    for (; v + 3 <= c.vhi; v += 3) {
        w3s2_hmax<Arch, OP, false>(row, g.W, 2 * v * V - g.pw, h + v * V, nan[0]);
        w3s2_hmax<Arch, OP, false>(row, g.W, 2 * (v + 1) * V - g.pw, h + (v + 1) * V, nan[1]);
        w3s2_hmax<Arch, OP, false>(row, g.W, 2 * (v + 2) * V - g.pw, h + (v + 2) * V, nan[2]);
    }
    for (; v < c.vhi; ++v)
        w3s2_hmax<Arch, OP, false>(row, g.W, 2 * v * V - g.pw, h + v * V, nan[v % 3]);
    for (; v < c.nvec; ++v)
        w3s2_hmax<Arch, OP, true>(row, g.W, 2 * v * V - g.pw, h + v * V, nan[3]);
}

// One plane; returns whether MaxFast saw a possible NaN. hbuf holds `ring` rows of hstride
// floats (ring a power of two >= kh + sh, so the rows of one output row and the next fit).
template <class Arch, RowOp OP>
bool pool_w3s2_max_plane(const Geom2& g, const float* xp, float* yp, float* hbuf, i64 hstride,
                         i64 ring) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    const W3S2Cols c = w3s2_cols<V>(g);
    i64 slot_row[64];
    for (i64 r = 0; r < ring; ++r)
        slot_row[r] = -1;
    B nan[4] = {B(0.0f), B(0.0f), B(0.0f), B(0.0f)};
    for (i64 oh = 0; oh < g.OH; ++oh) {
        const i64 hs = oh * g.sh - g.ph;
        const i64 r0 = std::max<i64>(hs, 0), r1 = std::min(hs + g.kh, g.H);
        const float* hr[64];
        int n = 0;
        for (i64 ih = r0; ih < r1; ++ih) {
            float* h = hbuf + (ih & (ring - 1)) * hstride;
            if (slot_row[ih & (ring - 1)] != ih) {
                w3s2_hmax_row<Arch, OP>(g, c, xp + ih * g.W, h, nan);
                slot_row[ih & (ring - 1)] = ih;
            }
            hr[n++] = h;
        }
        float* yo = yp + oh * g.OW;
        auto fold = [&](const B& x, const B& acc) {
            return OP == RowOp::MaxFast ? max_strict<Arch>(x, acc)
                                        : max_keep_first_nan_last<Arch>(x, acc);
        };
        const B ninf(-std::numeric_limits<float>::infinity());
        if (n == 3) { // kernel 3 along H: the common case, without the loop over rows
            for (i64 v = 0; v < c.nvec; ++v) {
                B acc = fold(B::load_aligned(hr[0] + v * V), ninf);
                acc = fold(B::load_aligned(hr[1] + v * V), acc);
                acc = fold(B::load_aligned(hr[2] + v * V), acc);
                w3s2_store<Arch>(w3s2_order<Arch>(acc), v * V, g.OW, yo);
            }
            continue;
        }
        for (i64 v = 0; v < c.nvec; ++v) {
            B acc = ninf;
            for (int k = 0; k < n; ++k)
                acc = fold(B::load_aligned(hr[k] + v * V), acc);
            w3s2_store<Arch>(w3s2_order<Arch>(acc), v * V, g.OW, yo);
        }
    }
    return OP == RowOp::MaxFast && xsimd::any(xsimd::isnan((nan[0] + nan[1]) + (nan[2] + nan[3])));
}

template <class Arch>
void pool_w3s2(const Context& ctx, bool is_max, const Geom2& g, const float* x,
               const float* divisor, i64 OWv, float* y) {
    constexpr int V = int(fbatch<Arch>::size);
    const i64 plane_in = g.H * g.W, plane_out = g.OH * g.OW;
    parallel_for(
        ctx.threads, g.N * g.C, grain_for(plane_in + plane_out * g.kh * 3), [&](i64 p0, i64 p1) {
            i64 ring = 1;
            while (ring < g.kh + g.sh)
                ring *= 2;
            const i64 hstride = round_up(g.OW, 16);
            float* hbuf = nullptr;
            if constexpr (!is_avx512<Arch>)
                if (is_max) hbuf = scratch_as<float>(kPrivate0, ring * hstride + V);
            for (i64 p = p0; p < p1; ++p) {
                const float* xp = x + p * plane_in;
                float* yp = y + p * plane_out;
                if constexpr (is_avx512<Arch>) {
                    if (!is_max)
                        pool_w3s2_plane_avx512<Arch, RowOp::Sum>(g, xp, divisor, OWv, yp);
                    else if (pool_w3s2_plane_avx512<Arch, RowOp::MaxFast>(g, xp, nullptr, OWv, yp))
                        pool_w3s2_plane_avx512<Arch, RowOp::MaxNaN>(g, xp, nullptr, OWv, yp);
                } else if (!is_max) {
                    pool_w3s2_avg_plane<Arch>(g, xp, divisor, OWv, yp);
                } else if (pool_w3s2_max_plane<Arch, RowOp::MaxFast>(g, xp, yp, hbuf, hstride,
                                                                     ring)) {
                    pool_w3s2_max_plane<Arch, RowOp::MaxNaN>(g, xp, yp, hbuf, hstride, ring);
                }
            }
        });
}

template <class Arch>
bool pool_impl(const Context& ctx, const PoolDesc& d, const Shape& xs, const float* x,
               const Shape& ys, float* y, i64* indices) {
    using B = fbatch<Arch>;
    using BI = xsimd::batch<std::int32_t, Arch>;
    constexpr int V = int(B::size);
    if (d.kind == PoolKind::LP) return false;
    const bool is_max = d.kind == PoolKind::Max;
    Geom2 g;
    if (!spatial(d.nd, xs, ys, dims(d.kernel), dims(d.stride), dims(d.padding),
                 is_max ? dims(d.dilation) : Dims{}, g))
        return false;
    if (g.C != g.OC) return false;
    const i64 planes = g.N * g.C;
    if (planes == 0 || g.OH == 0 || g.OW == 0) return true;
    if (g.H == 0 || g.W == 0 || g.W + g.pw + g.kw * g.dw >= (i64(1) << 31)) return false;
    if (!indices && g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 &&
        g.dh == 1 && g.dw == 1 && 2 * g.OH <= g.H && 2 * g.OW <= g.W) {
        const float div = d.divisor_override ? float(*d.divisor_override) : 4.0f;
        pool2x2<Arch>(ctx, is_max, div, g, x, y);
        return true;
    }
    // Indices are tracked in int32 lanes.
    if (is_max && indices &&
        (g.H + g.ph + g.kh * g.dh + g.sh) * (g.W + g.pw + g.kw * g.dw + g.sw) >= (i64(1) << 31))
        return false;

    const i64 OWv = round_up(g.OW, kPoolVecs * V);
    const i64 len = OWv + ((g.kw - 1) * g.dw) / g.sw + 1; // phase row length
    const i64 row_stride = g.sw * len;                    // one input row, all phases
    const float fill = is_max ? -std::numeric_limits<float>::infinity() : 0.0f;

    // Per output column: where its window starts (max: index of the first tap), and the avg
    // divisor per output. Shared by all planes.
    std::int32_t* colbase = scratch_as<std::int32_t>(kShared0, 2 * OWv);
    std::int32_t* firstcol = colbase + OWv;
    float* divisor = nullptr;
    for (i64 ow = 0; ow < OWv; ++ow) {
        i64 ws = std::min(ow, g.OW - 1) * g.sw - g.pw;
        colbase[ow] = std::int32_t(ws);
        while (ws < 0)
            ws += g.dw;
        firstcol[ow] = std::int32_t(ws);
    }
    if (!is_max) {
        divisor = scratch_as<float>(kShared1, g.OH * OWv);
        for (i64 oh = 0; oh < g.OH; ++oh) {
            i64 hs = oh * g.sh - g.ph, he = std::min(hs + g.kh, g.H + g.ph);
            i64 pool_h = he - hs, real_h = std::min(he, g.H) - std::max<i64>(hs, 0);
            for (i64 ow = 0; ow < OWv; ++ow) {
                i64 ws = std::min(ow, g.OW - 1) * g.sw - g.pw, we = std::min(ws + g.kw, g.W + g.pw);
                i64 pool_w = we - ws, real_w = std::min(we, g.W) - std::max<i64>(ws, 0);
                if (real_h <= 0 || real_w <= 0)
                    return false; // empty window: the reference writes 0 (unreachable in practice)
                i64 div = d.divisor_override    ? *d.divisor_override
                          : d.count_include_pad ? pool_h * pool_w
                                                : real_h * real_w;
                divisor[oh * OWv + ow] = float(div);
            }
        }
    }

    if (!indices && g.kw == 3 && g.sw == 2 && g.dw == 1 && (!is_max || g.dh == 1) && g.pw <= 1 &&
        (is_avx512<Arch> || g.kh + g.sh <= 64)) { // the row ring of pool_w3s2_max_plane
        pool_w3s2<Arch>(ctx, is_max, g, x, divisor, OWv, y);
        return true;
    }

    // Where tap k of a row sits in the split row, and its column offset in the window.
    i64 tap_pos[64];
    if (g.kw > 64 || g.kh > 64 || (g.kh - 1) * g.dh + 1 + g.sh > 64 + kMaxStride) return false;
    for (i64 k = 0; k < g.kw; ++k) {
        const i64 off = k * (is_max ? g.dw : 1);
        tap_pos[k] = (off % g.sw) * len + off / g.sw;
    }

    RowSplit split;
    if (!split.init(g.W, g.pw, g.sw, len, nullptr)) return false;

    const i64 plane_in = g.H * g.W, plane_out = g.OH * g.OW;
    // Split rows live in a small ring (input row ih in slot ih % ring), filled on demand as the
    // output rows advance, so they stay in L1. The ring size is a power of two, so the slot is a
    // mask and not a 64-bit division (those divisions took about a third of the time).
    i64 ring = 1;
    while (ring < (g.kh - 1) * g.dh + 1 + g.sh)
        ring *= 2;
    const i64 ring_mask = ring - 1;
    auto run_planes = [&](i64 p0, i64 p1) {
        float* buf = scratch_as<float>(kPrivate0, ring * row_stride + V);
        i64 slot_row[128];
        for (i64 r = 0; r < ring; ++r)
            split.fill_pad(buf + r * row_stride, len, fill, nullptr);
        for (i64 p = p0; p < p1; ++p) {
            const float* xp = x + p * plane_in;
            float* yp = y + p * plane_out;
            i64* ip = indices ? indices + p * plane_out : nullptr;
            for (i64 r = 0; r < ring; ++r)
                slot_row[r] = -1;
            // NaN-free planes (the usual case) take one max per tap. Whether a NaN was split is
            // tracked with a running sum of the rows (hot in L1 right after the copy); a plane
            // that had one is done again on the exact NaN path.
            B nan_sum(0.0f);
            auto split_of = [&](i64 ih) {
                const i64 slot = ih & ring_mask;
                float* row = buf + slot * row_stride;
                if (slot_row[slot] != ih) {
                    if (ih + 4 < g.H)
                        for (i64 c = 0; c < g.W; c += 16)
                            __builtin_prefetch(xp + (ih + 4) * g.W + c);
                    split.copy<Arch>(xp + ih * g.W, row, len, nullptr);
                    if (is_max) nan_sum = nan_sum + row_sum<Arch>(xp + ih * g.W, g.W);
                    slot_row[slot] = ih;
                }
                return row;
            };
            bool nan_path = false;
            if (!ip) {
                const float* rows[64];
                for (i64 oh = 0; oh < g.OH; ++oh) {
                    const i64 hs = oh * g.sh - g.ph;
                    int nrows = 0;
                    if (is_max) {
                        for (i64 t = 0; t < g.kh; ++t) {
                            const i64 ih = hs + t * g.dh;
                            if (ih >= 0 && ih < g.H) rows[nrows++] = split_of(ih);
                        }
                    } else {
                        for (i64 ih = std::max<i64>(hs, 0); ih < std::min(hs + g.kh, g.H); ++ih)
                            rows[nrows++] = split_of(ih);
                    }
                    float* yo = yp + oh * g.OW;
                    if (!is_max)
                        pool_row_k<Arch, RowOp::Sum>(rows, nrows, tap_pos, g.kw, g.OW,
                                                     divisor + oh * OWv, yo);
                    else if (nan_path)
                        pool_row_k<Arch, RowOp::MaxNaN>(rows, nrows, tap_pos, g.kw, g.OW, nullptr,
                                                        yo);
                    else
                        pool_row_k<Arch, RowOp::MaxFast>(rows, nrows, tap_pos, g.kw, g.OW, nullptr,
                                                         yo);
                    if (oh + 1 == g.OH && is_max && !nan_path &&
                        xsimd::any(xsimd::isnan(nan_sum))) {
                        nan_path = true; // the whole plane once more, exactly
                        oh = -1;
                    }
                }
                continue;
            }
            nan_path = is_max && xsimd::any(xsimd::isnan(row_sum<Arch>(xp, plane_in)));
            for (i64 oh = 0; oh < g.OH; ++oh) {
                const i64 hs = oh * g.sh - g.ph;
                for (i64 ow0 = 0; ow0 < g.OW; ow0 += V) {
                    B acc;
                    BI idx;
                    if (is_max) {
                        acc = B(fill);
                        i64 ih0 = hs;
                        while (ih0 < 0)
                            ih0 += g.dh;
                        if (ip)
                            idx = BI::load_unaligned(firstcol + ow0) + BI(std::int32_t(ih0 * g.W));
                        for (i64 t = 0; t < g.kh; ++t) {
                            const i64 ih = hs + t * g.dh;
                            if (ih < 0 || ih >= g.H) continue;
                            const float* row = split_of(ih) + ow0;
                            if (ip) {
                                BI base =
                                    BI::load_unaligned(colbase + ow0) + BI(std::int32_t(ih * g.W));
                                for (i64 k = 0; k < g.kw; ++k) {
                                    B v = B::load_unaligned(row + tap_pos[k]);
                                    auto take = nan_path ? (v > acc) | xsimd::isnan(v) : v > acc;
                                    acc = xsimd::select(take, v, acc);
                                    idx = xsimd::select(xsimd::bool_cast(take),
                                                        base + BI(std::int32_t(k * g.dw)), idx);
                                }
                            } else if (nan_path) {
                                for (i64 k = 0; k < g.kw; ++k) {
                                    B v = B::load_unaligned(row + tap_pos[k]);
                                    acc = max_keep_first_nan_last<Arch>(v, acc);
                                }
                            } else {
                                for (i64 k = 0; k < g.kw; ++k)
                                    acc =
                                        max_strict<Arch>(B::load_unaligned(row + tap_pos[k]), acc);
                            }
                        }
                    } else {
                        acc = B(0.0f);
                        const i64 r0 = std::max<i64>(hs, 0), r1 = std::min(hs + g.kh, g.H);
                        for (i64 ih = r0; ih < r1; ++ih) {
                            const float* row = split_of(ih) + ow0;
                            for (i64 k = 0; k < g.kw; ++k)
                                acc = acc + B::load_unaligned(row + tap_pos[k]);
                        }
                        acc = acc / B::load_unaligned(divisor + oh * OWv + ow0);
                    }
                    const i64 n = std::min<i64>(V, g.OW - ow0);
                    float* yo = yp + oh * g.OW + ow0;
                    if (n == V) {
                        acc.store_unaligned(yo);
                    } else {
                        alignas(64) float tmp[V];
                        acc.store_aligned(tmp);
                        for (i64 l = 0; l < n; ++l)
                            yo[l] = tmp[l];
                    }
                    if (is_max && ip) {
                        alignas(64) std::int32_t tmp[V];
                        idx.store_aligned(tmp);
                        i64* io = ip + oh * g.OW + ow0;
                        for (i64 l = 0; l < n; ++l)
                            io[l] = tmp[l];
                    }
                }
            }
        }
    };
    parallel_for(ctx.threads, planes, grain_for(g.H * g.W + g.OH * g.OW * g.kh * g.kw), run_planes);
    return true;
}

// The op's entry in the kernel table (kernels/simd/table.hpp).
template <class Arch>
bool simd_kernel(const Context& ctx, const PoolDesc& d, const Io& io) {
    return pool_impl<Arch>(ctx, d, io.x_shape(), io.x(), io.out_shape, io.out, io.indices);
}

} // namespace
} // namespace cnnshape::kernels::simd
