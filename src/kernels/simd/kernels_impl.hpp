// The SIMD kernels, templated on the xsimd architecture. Included by exactly one translation
// unit per architecture (kernels_avx512.cpp, ...), each compiled with that architecture's flags
// and -ffp-contract=off, so a*b+c is never fused behind our back: where the reference kernel is
// exact (pooling, batch norm, add, the piecewise activations) every lane performs the same float
// operations in the same order as the reference does for that output.
//
// Everything here has internal linkage (anonymous namespace) and creates no std containers (only
// reads the shapes passed in), so no out-of-line code compiled for one architecture can be
// picked by the linker for another.
#pragma once
#include "arch_ops.hpp"
#include "cnnshape/parallel.hpp"
#include "cnnshape/rules.hpp"
#include "table.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace cnnshape::kernels::simd {
namespace {

using i64 = std::int64_t;

inline i64 ceil_div(i64 a, i64 b) {
    return (a + b - 1) / b;
}
inline i64 round_up(i64 a, i64 b) {
    return ceil_div(a, b) * b;
}
// Floor division for a possibly negative numerator (b > 0).
inline i64 floor_div(i64 a, i64 b) {
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}
inline i64 product(const Shape& s, std::size_t from) {
    i64 p = 1;
    for (std::size_t i = from; i < s.size(); ++i)
        p *= s[i];
    return p;
}

template <class T>
T* scratch_as(int slot, i64 count) {
    return reinterpret_cast<T*>(scratch(slot, std::size_t(count) * sizeof(T) / sizeof(float) + 1));
}

// Tasks per parallel_for chunk so that a chunk is worth waking a thread for: at least `min_work`
// element operations (about 10-20 us), given each task's work.
inline i64 grain_for(i64 work_per_task, i64 min_work = i64(1) << 16) {
    return std::max<i64>(1, min_work / std::max<i64>(work_per_task, 1));
}

// Scratch slots: 0 and 1 are filled by the calling thread and read by all workers; 2 and 3 are
// private to whichever thread runs a task.
constexpr int kShared0 = 0, kShared1 = 1, kPrivate0 = 2, kPrivate1 = 3;

// A pooling or convolution problem seen as 2-d: 1-d layers are 2-d with H = 1.
struct Geom2 {
    i64 N = 0, C = 0, H = 0, W = 0, OC = 0, OH = 0, OW = 0;
    i64 kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
};

// Per-dim parameter lists as plain arrays: no std::vector code is instantiated in these units.
struct Dims {
    const i64* v = nullptr;
    std::size_t n = 0;
    i64 at(std::size_t i, i64 fallback) const { return i < n ? v[i] : fallback; }
};
inline Dims dims(const IntList& l) {
    return {l.data(), l.size()};
}

// Fills the spatial part of g from per-dim lists (nd = 1 or 2); false for other ranks.
inline bool spatial(int nd, const Shape& xs, const Shape& ys, Dims k, Dims s, Dims p, Dims d,
                    Geom2& g) {
    if (nd == 2 && xs.size() == 4 && ys.size() == 4) {
        g.H = xs[2], g.W = xs[3], g.OH = ys[2], g.OW = ys[3];
        g.kh = k.at(0, 1), g.kw = k.at(1, 1), g.sh = s.at(0, 1), g.sw = s.at(1, 1);
        g.ph = p.at(0, 0), g.pw = p.at(1, 0), g.dh = d.at(0, 1), g.dw = d.at(1, 1);
    } else if (nd == 1 && xs.size() == 3 && ys.size() == 3) {
        g.H = 1, g.W = xs[2], g.OH = 1, g.OW = ys[2];
        g.kw = k.at(0, 1), g.sw = s.at(0, 1), g.pw = p.at(0, 0), g.dw = d.at(0, 1);
    } else {
        return false;
    }
    g.N = xs[0], g.C = xs[1], g.OC = ys[1];
    return g.kh > 0 && g.kw > 0 && g.sh > 0 && g.sw > 0 && g.dh > 0 && g.dw > 0 && g.ph >= 0 &&
           g.pw >= 0;
}

inline bool same_shape(const Shape& a, const Shape& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i]) return false;
    return true;
}

// ---------------------------------------------------------------------------------------------
// Stride phases. A row of width W, padded by `pad` on the left, is split into `s` phase rows:
// phase a holds padded column a + s*j at position j. Output column ow's tap k then reads phase
// (k*d) % s at position ow + (k*d) / s, so every tap of V neighbouring outputs is one contiguous
// load whatever the stride. Positions outside the input hold `fill`.
constexpr int kMaxStride = 16; // larger strides go to the reference

// The split of one row, worked out once per call (it is the same for every row).
struct RowSplit {
    i64 W = 0, pad = 0, s = 1, len = 0;
    i64 jlo[kMaxStride], jhi[kMaxStride]; // per phase: positions that hold input columns
    bool pairs_mode = false;              // s == 2 and both phases wanted: deinterleave
    i64 c0 = 0, j0 = 0, pairs = 0;        // pairs (c, c+1) from c0 land at position j0 + i

    // False when the stride is too large for the fixed tables.
    bool init(i64 W_, i64 pad_, i64 s_, i64 len_, const bool* used) {
        W = W_, pad = pad_, s = s_, len = len_;
        if (s > kMaxStride) return false;
        for (i64 a = 0; a < s; ++a) {
            // columns c = a + s*j - pad inside [0, W)
            jlo[a] = std::max<i64>(0, ceil_div(std::max<i64>(pad - a, 0), s));
            jhi[a] = std::min<i64>(len, floor_div(W - 1 - a + pad, s) + 1);
            if (jhi[a] < jlo[a]) jhi[a] = jlo[a];
        }
        pairs_mode = s == 2 && (!used || (used[0] && used[1]));
        if (pairs_mode) {
            c0 = pad % 2;
            j0 = (c0 + pad) / 2;
            pairs = std::max<i64>(0, std::min((W - c0) / 2, len - j0));
        }
        return true;
    }

    // Positions outside the input get `fill` (the same for every row: can be done once).
    void fill_pad(float* dst, i64 phase_stride, float fill, const bool* used) const {
        for (i64 a = 0; a < s; ++a) {
            if (used && !used[a]) continue;
            float* row = dst + a * phase_stride;
            for (i64 j = 0; j < jlo[a]; ++j)
                row[j] = fill;
            for (i64 j = jhi[a]; j < len; ++j)
                row[j] = fill;
        }
    }

    // The input columns of one row.
    template <class Arch>
    void copy(const float* src, float* dst, i64 phase_stride, const bool* used) const {
        if (s == 1) {
            if (jhi[0] > jlo[0])
                std::memcpy(dst + jlo[0], src + (jlo[0] - pad),
                            std::size_t(jhi[0] - jlo[0]) * sizeof(float));
            return;
        }
        if (pairs_mode) {
            float* row0 = dst;
            float* row1 = dst + phase_stride;
            if (c0 == 1 && (pad - 1) / 2 < len) row1[(pad - 1) / 2] = src[0];
            deinterleave2<Arch>(src + c0, pairs, row0 + j0, row1 + j0);
            for (i64 c = c0 + 2 * pairs; c < W; ++c) { // at most one left, or beyond len
                const i64 u = c + pad;
                if (u / 2 < len) (u % 2 ? row1 : row0)[u / 2] = src[c];
            }
            return;
        }
        for (i64 a = 0; a < s; ++a) {
            if (used && !used[a]) continue;
            float* row = dst + a * phase_stride;
            const float* sp = src + a - pad;
            for (i64 j = jlo[a]; j < jhi[a]; ++j)
                row[j] = sp[s * j];
        }
    }
};

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

// ---------------------------------------------------------------------------------------------
// Adaptive pooling, vectorised across channels: V channels' rows are transposed so that lane l
// holds channel c0+l, and every output is then reduced in the reference's row-major order.

// Windows come from the shape engine's rule (rules.hpp adaptive_window), computed once per row
// or column, never per element.

// dst[j * V + r] = src[r * stride + j] for r < rows, j < cols; lanes r >= rows are zero.
template <class Arch>
void transpose_rows(const float* src, i64 stride, int rows, i64 cols, float* dst) {
    constexpr int V = int(fbatch<Arch>::size);
    i64 j = 0;
    if (rows == V)
        for (; j + V <= cols; j += V)
            transpose_block<Arch>(src + j, stride, dst + j * V);
    for (; j < cols; ++j) {
        int r = 0;
        for (; r < rows; ++r)
            dst[j * V + r] = src[r * stride + j];
        for (; r < V; ++r)
            dst[j * V + r] = 0.0f;
    }
}

// PyTorch 1.13's float sum of n contiguous values (SumKernel.cpp's cascade_sum on its AVX2
// build: 8-float vectors, a 4-way interleave, four levels of partial sums), lane for lane in
// 256-bit registers (two 128-bit ones on SSE2). The reference kernel spells out the same steps
// (ref/adaptive_pool.cpp).
#if defined(__AVX2__)
using F8 = xsimd::batch<float, xsimd::avx2>;
#else
// Eight floats without 256-bit registers (the SSE2 unit): plain lane loops the compiler maps to
// pairs of 128-bit operations.
struct F8 {
    float v[8];
    F8() = default;
    explicit F8(float a) {
        for (float& x : v)
            x = a;
    }
    static F8 load_unaligned(const float* p) {
        F8 r;
        std::memcpy(r.v, p, sizeof r.v);
        return r;
    }
    static F8 load_aligned(const float* p) { return load_unaligned(p); }
    void store_unaligned(float* p) const { std::memcpy(p, v, sizeof v); }
    void store_aligned(float* p) const { store_unaligned(p); }
    friend F8 operator+(F8 a, const F8& b) {
        for (int i = 0; i < 8; ++i)
            a.v[i] += b.v[i];
        return a;
    }
    friend F8 operator/(F8 a, const F8& b) {
        for (int i = 0; i < 8; ++i)
            a.v[i] /= b.v[i];
        return a;
    }
};
#endif

inline int ceil_log2(i64 x) {
    return x <= 2 ? 1 : 64 - __builtin_clzll(std::uint64_t(x - 1));
}

// row_sum over n8 vectors starting at x (vector i = x[8i .. 8i+8)).
inline F8 cascade_rows8(const float* x, i64 n8) {
    const i64 size = n8 / 4; // multi_row_sum over rows of 4 vectors
    if (size < 16) {
        // Below one level step: four running sums, nothing folded into levels. aten starts each
        // from +0 and adds the still-zero levels in; those additions can only change the sign
        // of a zero, and the caller's final `0 + total` makes every zero +0 anyway, so they are
        // left out (n8 >= 1 here).
        F8 a0 = F8::load_unaligned(x);
        if (size == 0) {
            for (i64 v = 1; v < n8; ++v)
                a0 = a0 + F8::load_unaligned(x + v * 8);
            return a0;
        }
        F8 a1 = F8::load_unaligned(x + 8), a2 = F8::load_unaligned(x + 16),
           a3 = F8::load_unaligned(x + 24);
        for (i64 i = 1; i < size; ++i) {
            a0 = a0 + F8::load_unaligned(x + (i * 4 + 0) * 8);
            a1 = a1 + F8::load_unaligned(x + (i * 4 + 1) * 8);
            a2 = a2 + F8::load_unaligned(x + (i * 4 + 2) * 8);
            a3 = a3 + F8::load_unaligned(x + (i * 4 + 3) * 8);
        }
        for (i64 v = size * 4; v < n8; ++v)
            a0 = a0 + F8::load_unaligned(x + v * 8);
        return ((a0 + a1) + a2) + a3;
    }
    const int level_power = std::max(4, ceil_log2(size) / 4);
    const i64 level_step = i64(1) << level_power, level_mask = level_step - 1;
    F8 acc[4][4];
    for (auto& lv : acc)
        for (auto& a : lv)
            a = F8(0.0f);
    i64 i = 0;
    while (i + level_step <= size) {
        for (i64 j = 0; j < level_step; ++j, ++i)
            for (int k = 0; k < 4; ++k)
                acc[0][k] = acc[0][k] + F8::load_unaligned(x + (i * 4 + k) * 8);
        for (int j = 1; j < 4; ++j) {
            for (int k = 0; k < 4; ++k) {
                acc[j][k] = acc[j][k] + acc[j - 1][k];
                acc[j - 1][k] = F8(0.0f);
            }
            if ((i & (level_mask << (j * level_power))) != 0) break;
        }
    }
    const bool leveled = i > 0; // else levels 1-3 are still +0, and x + +0 == x here: skip them
    for (; i < size; ++i)
        for (int k = 0; k < 4; ++k)
            acc[0][k] = acc[0][k] + F8::load_unaligned(x + (i * 4 + k) * 8);
    if (leveled)
        for (int j = 1; j < 4; ++j)
            for (int k = 0; k < 4; ++k)
                acc[0][k] = acc[0][k] + acc[j][k];
    F8 r = acc[0][0];
    for (i64 v = size * 4; v < n8; ++v)
        r = r + F8::load_unaligned(x + v * 8);
    for (int k = 1; k < 4; ++k)
        r = r + acc[0][k];
    return r;
}

// torch_sum8 / count of 8 planes at once (plane j at x + j * stride, n >= 8 each): the planes'
// lane sums are transposed so the final in-order additions run across planes in one vector.
inline void torch_mean8_x8(const float* x, i64 stride, i64 n, float count, float* out) {
    const i64 n8 = n / 8;
    F8 cols[8]; // cols[k] = lane k of the 8 planes
#if defined(__AVX2__)
    __m256 r[8];
    for (int j = 0; j < 8; ++j)
        r[j] = cascade_rows8(x + j * stride, n8);
    transpose8x8(r);
    for (int k = 0; k < 8; ++k)
        cols[k] = r[k];
#else
    alignas(32) float lanes[64];
    for (int j = 0; j < 8; ++j)
        cascade_rows8(x + j * stride, n8).store_aligned(lanes + 8 * j);
    for (int k = 0; k < 8; ++k)
        for (int j = 0; j < 8; ++j)
            cols[k].v[j] = lanes[8 * j + k];
#endif
    F8 total(0.0f);
    for (i64 k = n8 * 8; k < n; ++k) {
#if defined(__AVX2__)
        const float* p = x + k;
        total =
            total + F8(_mm256_setr_ps(p[0], p[stride], p[2 * stride], p[3 * stride], p[4 * stride],
                                      p[5 * stride], p[6 * stride], p[7 * stride]));
#else
        alignas(32) float t8[8];
        for (int j = 0; j < 8; ++j)
            t8[j] = x[j * stride + k];
        total = total + F8::load_aligned(t8);
#endif
    }
    for (int k = 0; k < 8; ++k)
        total = total + cols[k];
    ((F8(0.0f) + total) / F8(count)).store_unaligned(out);
}

inline float torch_sum8(const float* x, i64 n) {
    float total = 0.0f;
    if (n >= 8) {
        const i64 n8 = n / 8;
        alignas(32) float lanes[8];
        cascade_rows8(x, n8).store_aligned(lanes);
        for (i64 k = n8 * 8; k < n; ++k)
            total += x[k];
        for (int k = 0; k < 8; ++k)
            total += lanes[k];
    } else { // scalar_inner_sum: row_sum over single floats, 4-way
        float part[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        const i64 size = n / 4; // < 2: multi_row_sum's leftover loop only
        for (i64 i = 0; i < size; ++i)
            for (int k = 0; k < 4; ++k)
                part[k] += x[i * 4 + k];
        for (i64 i = size * 4; i < n; ++i)
            part[0] += x[i];
        total = part[0] + part[1];
        total = total + part[2];
        total = total + part[3];
    }
    return 0.0f + total;
}

template <class Arch>
bool adaptive_pool_impl(const Context& ctx, const AdaptivePoolDesc& d, const Shape& xs,
                        const float* x, const Shape& ys, float* y, i64* indices) {
    using B = fbatch<Arch>;
    using BI = xsimd::batch<std::int32_t, Arch>;
    constexpr int V = int(B::size);
    Geom2 g;
    if (!spatial(d.nd, xs, ys, Dims{}, Dims{}, Dims{}, Dims{}, g) || g.C != g.OC) return false;
    if (g.N * g.C == 0 || g.OH == 0 || g.OW == 0) return true;
    if (g.H == 0 || g.W == 0 || g.H * g.W >= (i64(1) << 31)) return false;
    const bool is_max = d.is_max;
    const i64 cblocks = ceil_div(g.C, V);
    const i64 plane_in = g.H * g.W, plane_out = g.OH * g.OW;

    if (!is_max && g.OH == 1 && g.OW == 1) {
        // Output (1,1) is input.mean() in PyTorch: its 8-lane cascade sum per plane (see
        // torch_sum8), then one division; 8 planes at a time where it can.
        const float count = float(plane_in);
        const i64 planes = g.N * g.C;
        parallel_for(ctx.threads, ceil_div(planes, 8), grain_for(8 * plane_in),
                     [&](i64 b0, i64 b1) {
                         for (i64 p = b0 * 8; p < std::min(planes, b1 * 8); ++p) {
                             if (plane_in >= 8 && p + 8 <= planes && p % 8 == 0) {
                                 torch_mean8_x8(x + p * plane_in, plane_in, plane_in, count, y + p);
                                 p += 7;
                                 continue;
                             }
                             y[p] = torch_sum8(x + p * plane_in, plane_in) / count;
                         }
                     });
        return true;
    }

    // Window bounds per output column (integer divisions kept out of the loops).
    i64* wbounds = scratch_as<i64>(kShared0, 2 * g.OW);
    for (i64 ow = 0; ow < g.OW; ++ow) {
        auto [ws, we] = adaptive_window(ow, g.OW, g.W);
        wbounds[2 * ow] = ws;
        wbounds[2 * ow + 1] = we;
    }

    // Tasks: (n, channel block, output row).
    auto run = [&](i64 t0, i64 t1) {
        float* T = scratch_as<float>(kPrivate0, g.W * V);
        float* acc_v = scratch_as<float>(kPrivate1, 2 * g.OW * V);
        std::int32_t* acc_i = reinterpret_cast<std::int32_t*>(acc_v + g.OW * V);
        for (i64 t = t0; t < t1; ++t) {
            const i64 oh = t % g.OH, cb = (t / g.OH) % cblocks, n = t / (g.OH * cblocks);
            const i64 c0 = cb * V;
            const int rows = int(std::min<i64>(V, g.C - c0));
            const float* xb = x + (n * g.C + c0) * plane_in;
            const auto [hs, he] = adaptive_window(oh, g.OH, g.H);
            for (i64 ow = 0; ow < g.OW; ++ow) {
                B(is_max ? -std::numeric_limits<float>::infinity() : 0.0f)
                    .store_unaligned(acc_v + ow * V);
                BI(std::int32_t(hs * g.W + wbounds[2 * ow])).store_unaligned(acc_i + ow * V);
            }
            for (i64 ih = hs; ih < he; ++ih) {
                transpose_rows<Arch>(xb + ih * g.W, plane_in, rows, g.W, T);
                for (i64 ow = 0; ow < g.OW; ++ow) {
                    const i64 ws = wbounds[2 * ow], we = wbounds[2 * ow + 1];
                    B acc = B::load_unaligned(acc_v + ow * V);
                    if (is_max) {
                        BI idx = BI::load_unaligned(acc_i + ow * V);
                        for (i64 iw = ws; iw < we; ++iw) {
                            B v = B::load_unaligned(T + iw * V);
                            auto take = (v > acc) | xsimd::isnan(v);
                            acc = xsimd::select(take, v, acc);
                            idx = xsimd::select(xsimd::bool_cast(take),
                                                BI(std::int32_t(ih * g.W + iw)), idx);
                        }
                        idx.store_unaligned(acc_i + ow * V);
                    } else {
                        for (i64 iw = ws; iw < we; ++iw)
                            acc = acc + B::load_unaligned(T + iw * V);
                    }
                    acc.store_unaligned(acc_v + ow * V);
                }
            }
            for (i64 ow = 0; ow < g.OW; ++ow) {
                if (!is_max) {
                    const i64 ws = wbounds[2 * ow], we = wbounds[2 * ow + 1];
                    B r = B::load_unaligned(acc_v + ow * V) / B(float(he - hs));
                    (r / B(float(we - ws))).store_unaligned(acc_v + ow * V);
                }
                float* yo = y + (n * g.C + c0) * plane_out + oh * g.OW + ow;
                for (int r = 0; r < rows; ++r)
                    yo[r * plane_out] = acc_v[ow * V + r];
                if (is_max && indices) {
                    i64* io = indices + (n * g.C + c0) * plane_out + oh * g.OW + ow;
                    for (int r = 0; r < rows; ++r)
                        io[r * plane_out] = acc_i[ow * V + r];
                }
            }
        }
    };
    parallel_for(ctx.threads, g.N * cblocks * g.OH, grain_for(V * g.W * ceil_div(g.H, g.OH)), run);
    return true;
}

// ---------------------------------------------------------------------------------------------
// Convolution as an implicit GEMM over stride phases. The zero-padded input is split into
// sh*sw phase planes of width WQ; output (oh, ow) then reads, for tap (kh, kw), the phase plane
// of (kh*dh % sh, kw*dw % sw) at flat position q + off(tap) with q = oh*WQ + ow. So every tap is
// a fixed offset from q, for any stride and dilation, and no im2col buffer is needed.
//
// Two register-blocked micro-kernels use that layout:
//  * q-lanes: OCB output channels x QB vectors of consecutive q. Weights are broadcast. The
//    WQ - OW columns at the end of each row are computed and not stored, which costs little on
//    wide maps and works for any channel count (depthwise included).
//  * channel-lanes: P output positions x OCV vectors of output channels. Inputs are broadcast,
//    weights are aligned vector loads (K-blocked to stay in L1), and only real outputs are
//    computed. Measured slower per FLOP than q-lanes on ResNet's shapes, so the cost model only
//    picks it where q-lanes would waste much more (tiny maps).
// A cost model (padded work x load pressure) picks the kernel and its block shape per layer.

// Tuning overrides, read once: CNNSHAPE_CONV_KERNEL="kind,a,b" forces a micro-kernel (see
// CNNSHAPE_CONV_CFGS_*), CNNSHAPE_CONV_ORDER=pos|ch the loop order, CNNSHAPE_CONV_DEBUG=1 prints
// each convolution's choice to stderr. bench/README.md shows how they were used.
struct ConvTuning {
    const char* kernel = std::getenv("CNNSHAPE_CONV_KERNEL");
    const char* order = std::getenv("CNNSHAPE_CONV_ORDER");
    bool debug = std::getenv("CNNSHAPE_CONV_DEBUG") != nullptr;
};
inline const ConvTuning& conv_tuning() {
    static const ConvTuning t;
    return t;
}

struct ConvProblem {
    Geom2 g;
    i64 G, CPG, OPG, KT, WQ, HQ, Q, PS, nph;
    const float* w;
    const float* bias;
    const ConvEpilogue* ep = nullptr; // applied before each store (fused BatchNorm/ReLU)
};

// Zero-padded phase planes of image n for every input channel: [c][phase][PS].
template <class Arch>
void prepare_input(const Context& ctx, const ConvProblem& pb, const float* xn, float* xq,
                   const bool* used_phase) {
    const Geom2& g = pb.g;
    const i64 ic_stride = pb.nph * pb.PS;
    RowSplit split[kMaxStride]; // per row phase ah (the column split is the same, `used` differs)
    for (i64 ah = 0; ah < g.sh; ++ah)
        split[ah].init(g.W, g.pw, g.sw, pb.WQ, used_phase + ah * g.sw);
    parallel_for(ctx.threads, g.C, grain_for(g.H * g.W), [&](i64 c0, i64 c1) {
        for (i64 c = c0; c < c1; ++c) {
            float* base = xq + c * ic_stride;
            const float* xc = xn + c * g.H * g.W;
            for (i64 ah = 0; ah < g.sh; ++ah) {
                bool any = false;
                for (i64 aw = 0; aw < g.sw; ++aw)
                    any = any || used_phase[ah * g.sw + aw];
                if (!any) continue;
                for (i64 i = 0; i < pb.HQ; ++i) {
                    const i64 r = i * g.sh + ah - g.ph;
                    float* dst = base + ah * g.sw * pb.PS + i * pb.WQ;
                    if (r < 0 || r >= g.H) {
                        for (i64 aw = 0; aw < g.sw; ++aw)
                            if (used_phase[ah * g.sw + aw])
                                std::memset(dst + aw * pb.PS, 0,
                                            std::size_t(pb.WQ) * sizeof(float));
                        continue;
                    }
                    split[ah].fill_pad(dst, pb.PS, 0.0f, used_phase + ah * g.sw);
                    split[ah].copy<Arch>(xc + r * g.W, dst, pb.PS, used_phase + ah * g.sw);
                }
                for (i64 aw = 0; aw < g.sw; ++aw)
                    if (used_phase[ah * g.sw + aw])
                        std::memset(base + (ah * g.sw + aw) * pb.PS + pb.HQ * pb.WQ, 0,
                                    std::size_t(pb.PS - pb.HQ * pb.WQ) * sizeof(float));
            }
        }
    });
}

// Loop order, shared by both kernels. Position blocks outer: a block's input stays in L1 while
// every channel block runs over it, and the weights are re-read from L2 per block; that wins
// while a group's weights fit comfortably in L2 (measured on ResNet layers). Larger weights:
// channel blocks outer, each block's weights read once and the input re-read from L2.
inline bool positions_outer(double weight_floats) {
    if (const char* o = conv_tuning().order) return o[0] == 'p';
    return weight_floats * sizeof(float) <= double(1 << 20);
}

// --- q-lanes ---------------------------------------------------------------------------------

struct StoreSeg {
    i64 shift;          // destination = q - shift
    std::uint32_t mask; // lanes that belong to this output row and are real outputs
};

// Where each vector of a q-block goes: the lanes of one output row form one segment.
template <int QB, int V>
struct StorePlan {
    StoreSeg segs[QB][V + 1];
    int nseg[QB];

    void plan(i64 q0, i64 WQ, i64 OH, i64 OW) {
        for (int j = 0; j < QB; ++j) {
            nseg[j] = 0;
            i64 cur_row = -1;
            StoreSeg* seg = nullptr;
            for (int l = 0; l < V; ++l) {
                const i64 q = q0 + j * V + l;
                const i64 r = q / WQ, c = q % WQ;
                if (r >= OH || c >= OW) continue;
                if (r != cur_row) {
                    seg = &segs[j][nseg[j]++];
                    *seg = {r * (WQ - OW), 0u};
                    cur_row = r;
                }
                seg->mask |= 1u << l;
            }
        }
    }
};

// Weights either packed ([ic][tap][OCB], DIRECT = false) or read in place from PyTorch's
// [oc][ic][kh][kw] layout (DIRECT = true, rows `wrow` floats apart).
// A fused conv's epilogue for one output channel: BatchNorm's fma, then ReLU (the SIMD
// elementwise kernel's select: NaN and -0 pass through), as the separate kernels compute them.
template <class Arch>
inline fbatch<Arch> epilogue(fbatch<Arch> v, const ConvEpilogue* ep, i64 oc) {
    using B = fbatch<Arch>;
    if (!ep) return v;
    if (ep->alpha) v = madd<Arch>(v, B(ep->alpha[oc]), B(ep->beta[oc]));
    if (ep->relu) v = xsimd::select(v < B(0.0f), B(0.0f), v);
    return v;
}
inline float epilogue1(float v, const ConvEpilogue* ep, i64 oc) {
    if (!ep) return v;
    if (ep->alpha) v = std::fma(v, ep->alpha[oc], ep->beta[oc]);
    if (ep->relu) v = v < 0.0f ? 0.0f : v;
    return v;
}

template <class Arch, int OCB, int QB, bool DIRECT>
void qlane_block(const float* xq, i64 ic_stride, const i64* tap_off, i64 KT, i64 CPG,
                 const float* wblk, i64 wrow, const float* bias, int nvalid, float* yb, i64 ystride,
                 i64 q0, const StorePlan<QB, int(fbatch<Arch>::size)>& sp, const ConvEpilogue* ep,
                 i64 oc_base) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    B acc[OCB][QB];
#pragma GCC unroll 32
    for (int o = 0; o < OCB; ++o) {
        B init(bias && o < nvalid ? bias[o] : 0.0f);
#pragma GCC unroll 8
        for (int j = 0; j < QB; ++j)
            acc[o][j] = init;
    }
    const float* wp = wblk;
    for (i64 ic = 0; ic < CPG; ++ic) {
        const float* xc = xq + ic * ic_stride;
        for (i64 t = 0; t < KT; ++t) {
            const float* xt = xc + tap_off[t];
            B xv[QB];
#pragma GCC unroll 8
            for (int j = 0; j < QB; ++j)
                xv[j] = B::load_unaligned(xt + j * V);
#pragma GCC unroll 32
            for (int o = 0; o < OCB; ++o) {
                B wv(DIRECT ? wp[o * wrow] : wp[o]);
#pragma GCC unroll 8
                for (int j = 0; j < QB; ++j)
                    acc[o][j] = madd<Arch>(xv[j], wv, acc[o][j]);
            }
            wp += DIRECT ? 1 : OCB;
        }
    }
    for (int o = 0; o < OCB; ++o) {
        if (o >= nvalid) break;
        float* yo = yb + o * ystride;
        for (int j = 0; j < QB; ++j)
            for (int s = 0; s < sp.nseg[j]; ++s) {
                const StoreSeg& sg = sp.segs[j][s];
                store_lanes<Arch>(yo + q0 + j * V - sg.shift,
                                  epilogue<Arch>(acc[o][j], ep, oc_base + o), sg.mask);
            }
    }
}

template <class Arch, int OCB, int QB>
void qlane_run(const Context& ctx, const ConvProblem& pb, const float* x, float* y,
               const i64* tap_off, const bool* used_phase) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    constexpr i64 QBV = i64(QB) * V;
    const Geom2& g = pb.g;
    const i64 nob = ceil_div(pb.OPG, OCB), nqb = ceil_div(pb.Q, QBV);
    const i64 ic_stride = pb.nph * pb.PS;
    const i64 K = pb.CPG * pb.KT;
    const i64 wblk_size = K * OCB;

    // Packing reads and writes every weight once. With few output positions per weight that
    // is a large share of the work, so full blocks are then read in place (OCB row streams);
    // a partial last block is always packed.
    const bool direct = pb.Q < 128;
    float* wpk = scratch_as<float>(kShared1, pb.G * nob * wblk_size);
    parallel_for(ctx.threads, pb.G * nob, grain_for(wblk_size), [&](i64 b0, i64 b1) {
        for (i64 b = b0; b < b1; ++b) {
            const i64 gi = b / nob, ob = b % nob;
            float* dst = wpk + b * wblk_size;
            const int nvalid = int(std::min<i64>(OCB, pb.OPG - ob * OCB));
            const float* src = pb.w + (gi * pb.OPG + ob * OCB) * K;
            if (nvalid == OCB) {
                if (direct) continue;
                for (i64 k = 0; k < K; ++k)
                    for (int o = 0; o < OCB; ++o)
                        dst[k * OCB + o] = src[o * K + k];
            } else {
                for (i64 k = 0; k < K; ++k)
                    for (int o = 0; o < OCB; ++o)
                        dst[k * OCB + o] = o < nvalid ? src[o * K + k] : 0.0f;
            }
        }
    });

    float* xq = scratch_as<float>(kShared0, g.C * ic_stride);
    const i64 plane_out = g.OH * g.OW;
    const bool q_outer = positions_outer(double(K * round_up(pb.OPG, OCB)));
    using Plan = StorePlan<QB, V>;
    for (i64 n = 0; n < g.N; ++n) {
        prepare_input<Arch>(ctx, pb, x + n * g.C * g.H * g.W, xq, used_phase);
        float* yn = y + n * g.OC * plane_out;
        auto block = [&](i64 gi, i64 qb, i64 ob, const Plan& sp) {
            const i64 oc0 = ob * OCB;
            const int nvalid = int(std::min<i64>(OCB, pb.OPG - oc0));
            const float* xb = xq + gi * pb.CPG * ic_stride + qb * QBV;
            const float* bb = pb.bias ? pb.bias + gi * pb.OPG + oc0 : nullptr;
            float* yb = yn + (gi * pb.OPG + oc0) * plane_out;
            if (direct && nvalid == OCB)
                qlane_block<Arch, OCB, QB, true>(xb, ic_stride, tap_off, pb.KT, pb.CPG,
                                                 pb.w + (gi * pb.OPG + oc0) * K, K, bb, nvalid, yb,
                                                 plane_out, qb * QBV, sp, pb.ep, gi * pb.OPG + oc0);
            else
                qlane_block<Arch, OCB, QB, false>(
                    xb, ic_stride, tap_off, pb.KT, pb.CPG, wpk + (gi * nob + ob) * wblk_size, 0, bb,
                    nvalid, yb, plane_out, qb * QBV, sp, pb.ep, gi * pb.OPG + oc0);
        };
        if (q_outer) {
            parallel_for(ctx.threads, pb.G * nqb, grain_for(K * round_up(pb.OPG, OCB) * QBV),
                         [&](i64 t0, i64 t1) {
                             Plan sp;
                             for (i64 t = t0; t < t1; ++t) {
                                 const i64 gi = t / nqb, qb = t % nqb;
                                 sp.plan(qb * QBV, pb.WQ, g.OH, g.OW);
                                 for (i64 ob = 0; ob < nob; ++ob)
                                     block(gi, qb, ob, sp);
                             }
                         });
        } else {
            parallel_for(ctx.threads, pb.G * nob, grain_for(K * OCB * nqb * QBV),
                         [&](i64 t0, i64 t1) {
                             Plan sp;
                             for (i64 t = t0; t < t1; ++t) {
                                 const i64 gi = t / nob, ob = t % nob;
                                 for (i64 qb = 0; qb < nqb; ++qb) {
                                     sp.plan(qb * QBV, pb.WQ, g.OH, g.OW);
                                     block(gi, qb, ob, sp);
                                 }
                             }
                         });
        }
    }
}

// --- channel-lanes ---------------------------------------------------------------------------

// P output positions (offsets pix[p] into the phase planes) x OCV*V output channels, over `nic`
// input channels. Weights packed [ic][tap][OCV*V]. Starts from acc_in (partial sums of earlier
// input channels) or from `bias` (OCV*V values) or zero, and writes acc_out as [p][channel].
template <class Arch, int P, int OCV>
void clane_block(const float* xq, i64 ic_stride, const i64* tap_off, i64 KT, i64 nic,
                 const i64* pix, const float* wblk, const float* acc_in, const float* bias,
                 float* acc_out) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    B acc[P][OCV];
    if (acc_in) {
#pragma GCC unroll 32
        for (int p = 0; p < P; ++p)
#pragma GCC unroll 8
            for (int v = 0; v < OCV; ++v)
                acc[p][v] = B::load_aligned(acc_in + (p * OCV + v) * V);
    } else {
#pragma GCC unroll 8
        for (int v = 0; v < OCV; ++v) {
            B init = bias ? B::load_unaligned(bias + v * V) : B(0.0f);
#pragma GCC unroll 32
            for (int p = 0; p < P; ++p)
                acc[p][v] = init;
        }
    }
    i64 po[P];
#pragma GCC unroll 32
    for (int p = 0; p < P; ++p)
        po[p] = pix[p];
    const float* wp = wblk;
    for (i64 ic = 0; ic < nic; ++ic) {
        const float* xc = xq + ic * ic_stride;
        for (i64 t = 0; t < KT; ++t) {
            const float* xt = xc + tap_off[t];
            B wv[OCV];
#pragma GCC unroll 8
            for (int v = 0; v < OCV; ++v)
                wv[v] = B::load_aligned(wp + v * V);
#pragma GCC unroll 32
            for (int p = 0; p < P; ++p) {
                B xv(xt[po[p]]);
#pragma GCC unroll 8
                for (int v = 0; v < OCV; ++v)
                    acc[p][v] = madd<Arch>(wv[v], xv, acc[p][v]);
            }
            wp += OCV * V;
        }
    }
#pragma GCC unroll 32
    for (int p = 0; p < P; ++p)
#pragma GCC unroll 8
        for (int v = 0; v < OCV; ++v)
            acc[p][v].store_aligned(acc_out + (p * OCV + v) * V);
}

// dst[k * OCB + o] = src[o * K + k0 + k] for o < nvalid, else 0; k < kn.
template <class Arch>
void pack_rows_to_cols(const float* src, i64 K, int nvalid, int OCB, i64 k0, i64 kn, float* dst) {
    constexpr int V = int(fbatch<Arch>::size);
    for (int o0 = 0; o0 < OCB; o0 += V) {
        i64 k = 0;
        if (o0 + V <= nvalid) {
            alignas(64) float t[V * V];
            for (; k + V <= kn; k += V) {
                transpose_block<Arch>(src + o0 * K + k0 + k, K, t);
                for (int j = 0; j < V; ++j)
                    for (int l = 0; l < V; ++l)
                        dst[(k + j) * OCB + o0 + l] = t[j * V + l];
            }
        }
        for (; k < kn; ++k)
            for (int o = o0; o < o0 + V; ++o)
                dst[k * OCB + o] = o < nvalid ? src[o * K + k0 + k] : 0.0f;
    }
}

template <class Arch, int P, int OCV>
void clane_run(const Context& ctx, const ConvProblem& pb, const float* x, float* y,
               const i64* tap_off, const bool* used_phase) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    constexpr int OCB = OCV * V;
    const Geom2& g = pb.g;
    const i64 K = pb.CPG * pb.KT;
    const i64 nob = ceil_div(pb.OPG, OCB);
    const i64 plane_out = g.OH * g.OW;
    const i64 npb = ceil_div(plane_out, P);
    const i64 ic_stride = pb.nph * pb.PS;
    // K-blocking: a chunk of input channels whose weights (~16 KB) stay in L1 while up to PBC
    // position blocks use them; partial sums wait in a per-task buffer.
    const i64 kc_ic = std::max<i64>(1, 4096 / (pb.KT * OCB));
    const i64 nchunks = ceil_div(pb.CPG, kc_ic);
    const i64 PBC = std::min<i64>(npb, 16);
    const i64 npc = ceil_div(npb, PBC);
    // Large maps reuse each weight chunk in many tasks: pack once. Small maps transpose each
    // chunk on the fly into L1 (no extra pass over the weights).
    const bool packed = npc > 2;
    float* wpk = nullptr;
    if (packed) {
        wpk = scratch_as<float>(kShared1, pb.G * nob * K * OCB);
        parallel_for(ctx.threads, pb.G * nob, grain_for(K * OCB), [&](i64 b0, i64 b1) {
            for (i64 b = b0; b < b1; ++b) {
                const i64 gi = b / nob, ob = b % nob;
                const int nvalid = int(std::min<i64>(OCB, pb.OPG - ob * OCB));
                pack_rows_to_cols<Arch>(pb.w + (gi * pb.OPG + ob * OCB) * K, K, nvalid, OCB, 0, K,
                                        wpk + b * K * OCB);
            }
        });
    }

    float* xq = scratch_as<float>(kShared0, g.C * ic_stride);
    for (i64 n = 0; n < g.N; ++n) {
        prepare_input<Arch>(ctx, pb, x + n * g.C * g.H * g.W, xq, used_phase);
        float* yn = y + n * g.OC * plane_out;
        parallel_for(
            ctx.threads, pb.G * nob * npc, grain_for(K * OCB * PBC * P), [&](i64 t0, i64 t1) {
                float* accbuf = scratch_as<float>(kPrivate0, PBC * P * OCB + OCB);
                float* bias_blk = accbuf + PBC * P * OCB;
                float* wbuf = packed ? nullptr : scratch_as<float>(kPrivate1, kc_ic * pb.KT * OCB);
                for (i64 t = t0; t < t1; ++t) {
                    const i64 pc = t % npc, ob = (t / npc) % nob, gi = t / (npc * nob);
                    const i64 oc0 = ob * OCB;
                    const int nvalid = int(std::min<i64>(OCB, pb.OPG - oc0));
                    const i64 blk0 = pc * PBC, nblk = std::min(PBC, npb - blk0);
                    for (int o = 0; o < OCB; ++o)
                        bias_blk[o] = pb.bias && o < nvalid ? pb.bias[gi * pb.OPG + oc0 + o] : 0.0f;
                    const float* wrows = pb.w + (gi * pb.OPG + oc0) * K;
                    for (i64 c = 0; c < nchunks; ++c) {
                        const i64 ic0 = c * kc_ic, nic = std::min(kc_ic, pb.CPG - ic0);
                        const float* wchunk;
                        if (packed) {
                            wchunk = wpk + ((gi * nob + ob) * K + ic0 * pb.KT) * OCB;
                        } else {
                            pack_rows_to_cols<Arch>(wrows, K, nvalid, OCB, ic0 * pb.KT, nic * pb.KT,
                                                    wbuf);
                            wchunk = wbuf;
                        }
                        for (i64 bi = 0; bi < nblk; ++bi) {
                            const i64 p0 = (blk0 + bi) * P;
                            const int np = int(std::min<i64>(P, plane_out - p0));
                            i64 pix[P];
                            for (int p = 0; p < P; ++p) {
                                const i64 i = p0 + std::min(p, np - 1);
                                pix[p] = (i / g.OW) * pb.WQ + i % g.OW;
                            }
                            float* acc = accbuf + bi * P * OCB;
                            clane_block<Arch, P, OCV>(xq + (gi * pb.CPG + ic0) * ic_stride,
                                                      ic_stride, tap_off, pb.KT, nic, pix, wchunk,
                                                      c == 0 ? nullptr : acc,
                                                      pb.bias ? bias_blk : nullptr, acc);
                        }
                    }
                    for (i64 bi = 0; bi < nblk; ++bi) {
                        const i64 p0 = (blk0 + bi) * P;
                        const int np = int(std::min<i64>(P, plane_out - p0));
                        const float* acc = accbuf + bi * P * OCB;
                        float* yb = yn + (gi * pb.OPG + oc0) * plane_out + p0;
                        for (int o = 0; o < nvalid; ++o)
                            for (int p = 0; p < np; ++p)
                                yb[o * plane_out + p] =
                                    epilogue1(acc[p * OCB + o], pb.ep, gi * pb.OPG + oc0 + o);
                    }
                }
            });
    }
}

// --- choosing ---------------------------------------------------------------------------------

template <int V>
constexpr bool wide_regs = V >= 16; // 32 vector registers (AVX-512)

// (kind, a, b): q-lanes (OCB, QB) and channel-lanes (P, OCV) that fit the register file.
#define CNNSHAPE_CONV_CFGS_WIDE(X)                                                                 \
    X(0, 8, 3)                                                                                     \
    X(0, 12, 2) X(0, 4, 6) X(0, 16, 1) X(0, 2, 8) X(0, 1, 8) X(1, 6, 4) X(1, 12, 2) X(1, 24, 1)
#define CNNSHAPE_CONV_CFGS_NARROW(X)                                                               \
    X(0, 4, 3) X(0, 6, 2) X(0, 2, 4) X(0, 12, 1) X(0, 1, 8) X(1, 4, 3) X(1, 6, 2) X(1, 12, 1)

struct ConvCfg {
    int kind = -1, a = 0, b = 0;
};

template <class Arch>
ConvCfg choose_conv_cfg(const ConvProblem& pb) {
    constexpr int V = int(fbatch<Arch>::size);
    ConvCfg best;
    double best_cost = 0;
    auto consider = [&](int kind, int a, int b) {
        double work, fmas = double(a) * b, loads;
        if (kind == 0) { // a = OCB, b = QB; unaligned vector loads mostly split cache lines
            work = double(round_up(pb.OPG, a)) * double(round_up(pb.Q, i64(b) * V));
            loads = a + 2.0 * b;
        } else { // a = P, b = OCV; measured slower than q-lanes when waste is equal
            work = 1.25 * double(round_up(pb.OPG, i64(b) * V)) *
                   double(round_up(pb.g.OH * pb.g.OW, a));
            loads = a + double(b);
        }
        double step = fmas; // cycles ~ max(FMAs, loads, FMA latency x 2 ports) / 2
        step = step > loads ? step : loads;
        step = step > 8.0 ? step : 8.0;
        double cost = work * step / fmas;
        if (best.kind < 0 || cost < best_cost * 0.999) {
            best = {kind, a, b};
            best_cost = cost;
        }
    };
#define CNNSHAPE_CONSIDER(K_, A_, B_) consider(K_, A_, B_);
    if constexpr (wide_regs<V>) {
        CNNSHAPE_CONV_CFGS_WIDE(CNNSHAPE_CONSIDER)
    } else {
        CNNSHAPE_CONV_CFGS_NARROW(CNNSHAPE_CONSIDER)
    }
#undef CNNSHAPE_CONSIDER
    return best;
}

template <class Arch>
bool conv_impl(const Context& ctx, const ConvDesc& d, const Shape& xs, const float* x,
               const float* w, const float* bias, const Shape& ys, float* y,
               const ConvEpilogue* ep) {
    constexpr int V = int(fbatch<Arch>::size);
    if (d.transposed || d.padding_mode != PadMode::Zeros || d.groups <= 0) return false;
    // The fused BatchNorm needs a real FMA to give the separate kernel's bits.
    if (ep && ep->alpha && !has_fma<Arch>) return false;
    ConvProblem pb;
    Geom2& g = pb.g;
    if (!spatial(d.nd, xs, ys, dims(d.kernel), dims(d.stride), dims(d.pad_l), dims(d.dilation), g))
        return false;
    if (g.N == 0 || g.OC == 0 || g.OH == 0 || g.OW == 0) return true;
    pb.G = d.groups;
    if (g.C % pb.G || g.OC % pb.G || g.C == 0) return false;
    pb.CPG = g.C / pb.G;
    pb.OPG = g.OC / pb.G;
    pb.KT = g.kh * g.kw;
    pb.HQ = g.OH + ((g.kh - 1) * g.dh) / g.sh;
    pb.WQ = g.OW + ((g.kw - 1) * g.dw) / g.sw;
    pb.Q = g.OH * pb.WQ;
    pb.nph = g.sh * g.sw;
    pb.w = w;
    pb.bias = d.bias ? bias : nullptr;
    pb.ep = ep;
    if (pb.KT > 4096 || g.sh > kMaxStride || g.sw > kMaxStride) return false;

    ConvCfg cfg = choose_conv_cfg<Arch>(pb);
    if (const char* force = conv_tuning().kernel) {
        ConvCfg f;
        if (std::sscanf(force, "%d,%d,%d", &f.kind, &f.a, &f.b) == 3) cfg = f;
    }
    if (conv_tuning().debug)
        std::fprintf(
            stderr, "conv %lldx%lldx%lld -> %lld, k %lldx%lld s %lldx%lld: kernel %d,%d,%d\n",
            (long long)g.C, (long long)g.H, (long long)g.W, (long long)g.OC, (long long)g.kh,
            (long long)g.kw, (long long)g.sh, (long long)g.sw, cfg.kind, cfg.a, cfg.b);
    // q-lane blocks read up to one block past the last output position.
    pb.PS = round_up(pb.HQ * pb.WQ + (cfg.kind == 0 ? i64(cfg.b) * V : 0) + V, 16);

    i64 tap_off[4096];
    bool used_phase[kMaxStride * kMaxStride] = {};
    for (i64 kh = 0; kh < g.kh; ++kh)
        for (i64 kw = 0; kw < g.kw; ++kw) {
            const i64 oh = kh * g.dh, ow = kw * g.dw;
            const i64 phase = (oh % g.sh) * g.sw + ow % g.sw;
            used_phase[phase] = true;
            tap_off[kh * g.kw + kw] = phase * pb.PS + (oh / g.sh) * pb.WQ + ow / g.sw;
        }

#define CNNSHAPE_RUN(K_, A_, B_)                                                                   \
    if (cfg.kind == K_ && cfg.a == A_ && cfg.b == B_) {                                            \
        if constexpr (K_ == 0)                                                                     \
            qlane_run<Arch, A_, B_>(ctx, pb, x, y, tap_off, used_phase);                           \
        else                                                                                       \
            clane_run<Arch, A_, B_>(ctx, pb, x, y, tap_off, used_phase);                           \
        return true;                                                                               \
    }
    if constexpr (wide_regs<V>) {
        CNNSHAPE_CONV_CFGS_WIDE(CNNSHAPE_RUN)
    } else {
        CNNSHAPE_CONV_CFGS_NARROW(CNNSHAPE_RUN)
    }
#undef CNNSHAPE_RUN
    return false;
}

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

// ---------------------------------------------------------------------------------------------
// Elementwise activations and Add.

template <class Arch, class VecOp, class ScalarOp>
void map_elements(const Context& ctx, i64 n, const float* x, float* y, VecOp vop, ScalarOp sop) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    constexpr i64 chunk = 4096; // multiple of every V
    parallel_for(ctx.threads, ceil_div(n, chunk), 16, [&](i64 c0, i64 c1) {
        const i64 e = std::min(n, c1 * chunk);
        i64 i = c0 * chunk;
        for (; i + V <= e; i += V)
            vop(B::load_unaligned(x + i)).store_unaligned(y + i);
        for (; i < e; ++i)
            y[i] = sop(x[i]);
    });
}

template <class Arch>
bool elementwise_impl(const Context& ctx, const ElementwiseDesc& d, const Shape& shape,
                      const float* x, float* y) {
    using B = fbatch<Arch>;
    const i64 n = product(shape, 0);
    if (n == 0) return true;
    const B zero(0.0f), one(1.0f), three(3.0f), six(6.0f);
    switch (d.act) {
    case Activation::Identity:
        if (x != y)
            map_elements<Arch>(
                ctx, n, x, y, [](const B& v) { return v; }, [](float v) { return v; });
        return true;
    case Activation::ReLU: // NaN stays NaN, -0 stays -0 (PyTorch's clamp_min(x, 0))
        map_elements<Arch>(
            ctx, n, x, y, [&](const B& v) { return xsimd::select(v < zero, zero, v); },
            [](float v) { return v < 0.0f ? 0.0f : v; });
        return true;
    case Activation::ReLU6:
        map_elements<Arch>(
            ctx, n, x, y,
            [&](const B& v) {
                return xsimd::select(v < zero, zero, xsimd::select(v > six, six, v));
            },
            [](float v) { return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v); });
        return true;
    case Activation::LeakyReLU: {
        const float slope = float(d.negative_slope);
        const B s(slope);
        map_elements<Arch>(
            ctx, n, x, y, [&](const B& v) { return xsimd::select(v > zero, v, v * s); },
            [slope](float v) { return v > 0.0f ? v : v * slope; });
        return true;
    }
    case Activation::Hardswish: // x * min(max(x + 3, 0), 6) / 6, NaN propagating
        map_elements<Arch>(
            ctx, n, x, y,
            [&](const B& v) {
                B t = v + three;
                t = xsimd::select(t < zero, zero, t);
                t = xsimd::select(t > six, six, t);
                return v * t / six;
            },
            [](float v) {
                float t = v + 3.0f;
                t = t < 0.0f ? 0.0f : t;
                t = t > 6.0f ? 6.0f : t;
                return v * t / 6.0f;
            });
        return true;
    case Activation::Sigmoid:
        map_elements<Arch>(
            ctx, n, x, y, [&](const B& v) { return one / (one + xsimd::exp(-v)); },
            [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
        return true;
    case Activation::SiLU:
        map_elements<Arch>(
            ctx, n, x, y, [&](const B& v) { return v / (one + xsimd::exp(-v)); },
            [](float v) { return v / (1.0f + std::exp(-v)); });
        return true;
    case Activation::Tanh:
        map_elements<Arch>(
            ctx, n, x, y, [&](const B& v) { return xsimd::tanh(v); },
            [](float v) { return std::tanh(v); });
        return true;
    default:
        return false; // GELU, Softmax, Dropout: the reference
    }
}

template <class Arch>
bool add_impl(const Context& ctx, const Shape& as, const float* a, const Shape& bs, const float* b,
              const Shape& ys, float* y) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    if (!same_shape(as, ys) || !same_shape(bs, ys)) return false; // broadcasting: the reference
    const i64 n = product(ys, 0);
    constexpr i64 chunk = 4096;
    parallel_for(ctx.threads, ceil_div(n, chunk), 16, [&](i64 c0, i64 c1) {
        const i64 e = std::min(n, c1 * chunk);
        i64 i = c0 * chunk;
        for (; i + V <= e; i += V)
            (B::load_unaligned(a + i) + B::load_unaligned(b + i)).store_unaligned(y + i);
        for (; i < e; ++i)
            y[i] = a[i] + b[i];
    });
    return true;
}

// ---------------------------------------------------------------------------------------------

template <class Arch>
KernelTable make_table(const char* name) {
    return KernelTable{name,
                       &conv_impl<Arch>,
                       &pool_impl<Arch>,
                       &adaptive_pool_impl<Arch>,
                       &linear_impl<Arch>,
                       &batch_norm_impl<Arch>,
                       &elementwise_impl<Arch>,
                       &add_impl<Arch>};
}

} // namespace
} // namespace cnnshape::kernels::simd
