// Upsample / F.interpolate kernels, templated on the xsimd architecture (see kernels/simd/copy.hpp
// for what the copying kernels share).
#pragma once
#include "kernels/simd/copy.hpp"
#include "taps.hpp"

namespace cnnshape::kernels::simd {
namespace {

// ---------------------------------------------------------------------------------------------
// Upsample. Index and weight tables per axis from taps.hpp, as the reference uses them, stored
// tap-major: idx[j * out + o], wt[j * out + o].

// Fills the tables of one axis (T taps); false if an index falls outside [0, in).
inline bool rs_axis_taps(const UpsampleDesc& d, std::size_t axis, i64 in, i64 out, int T, i32* idx,
                         float* wt) {
    return upsample::axis_taps(d, axis, in, out, T, idx, wt, 1, out);
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
    auto block = [&](i64 o) {
        B v[T], w[T];
        w_taps<Arch, T>(src, a, o, v);
        for (int j = 0; j < T; ++j)
            w[j] = B::load_unaligned(wt + j * OW + o);
        rs_combine<Arch, T>(v, w).store_unaligned(dst + o);
    };
    i64 o = 0;
#if defined(__AVX2__)
    if constexpr (is_avx2<Arch>) {
        for (; o < a.fast_lo * V; o += V)
            block(o);
        // One load and a permute per tap, no tests: the usual blocks of an upsampling.
        for (; o < a.fast_hi * V; o += V) {
            const __m256 in = _mm256_loadu_ps(src + a.base[o / V]);
            B v[T], w[T];
            for (int j = 0; j < T; ++j) {
                v[j] = _mm256_permutevar8x32_ps(
                    in, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.rel + j * OW + o)));
                w[j] = B::load_unaligned(wt + j * OW + o);
            }
            rs_combine<Arch, T>(v, w).store_unaligned(dst + o);
        }
    }
#endif
    for (; o + V <= OW; o += V)
        block(o);
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

// Up to 32 W-interpolated input rows of one thread, keyed by the input row's index in x, direct
// mapped (slot = key mod a power of two; a least-recently-used scan per tap cost more than the
// arithmetic of a row). The T rows one H (or D) combination reads are consecutive input rows
// (upsample_impl checks it), so they never share a slot; the slots hold twice that, so rows
// shared with the next output row stay.
struct RowCache {
    static constexpr int kMax = 32;
    i64 mask = 0;
    i64 key[kMax];
    float* data = nullptr;
    i64 stride = 0;
};

template <class Arch, int T>
inline const float* rs_cached_row(RowCache& c, i64 key, const float* x, const WAxis& wa) {
    const i64 s = key & c.mask;
    float* row = c.data + s * c.stride;
    if (c.key[s] != key) {
        rs_row_w<Arch, T>(x + key * wa.W, wa, row);
        c.key[s] = key;
    }
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
    const i32 *idx_d = idx[0], *idx_h = idx[1];
    const float *wt_d = wt[0], *wt_h = wt[1];
    parallel_for(ctx.threads, rows, grain_for(OW * T * (nd == 3 ? 2 : 1)), [&](i64 r0, i64 r1) {
        RowCache c;
        c.mask = slots - 1;
        c.stride = stride;
        c.data = scratch(kPrivate0, std::size_t((slots + T) * stride));
        for (int s = 0; s < slots; ++s)
            c.key[s] = -1;
        float* tmp = c.data + slots * stride; // T rows: the H-combined rows of a 3-d output row
        // (p, od, oh) of row r, advanced with r: no integer divisions per row.
        i64 p = r0 / (OD * OH), od = (r0 % (OD * OH)) / OH, oh = r0 % OH;
        float* dst = y + r0 * OW;
        for (i64 r = r0; r < r1; ++r, ++oh, dst += OW) {
            if (oh == OH) {
                oh = 0;
                if (++od == OD) od = 0, ++p;
            }
            if (nd == 1) {
                rs_row_w<Arch, T>(x + p * W, wa, dst);
                continue;
            }
            float wh[T];
            for (int j = 0; j < T; ++j)
                wh[j] = wt_h[j * OH + oh];
            const i64 nd3 = nd == 3 ? T : 1;
            for (i64 jd = 0; jd < nd3; ++jd) {
                const i64 sd = nd == 3 ? idx_d[jd * OD + od] : 0;
                const i64 base = (p * D + sd) * H;
                const float* src[T];
                for (int j = 0; j < T; ++j)
                    src[j] = rs_cached_row<Arch, T>(c, base + idx_h[j * OH + oh], x, wa);
                rs_rows<Arch, T>(src, wh, OW, nd == 3 ? tmp + jd * stride : dst);
            }
            if (nd == 3) {
                float wd[T];
                const float* src[T];
                for (int j = 0; j < T; ++j)
                    wd[j] = wt_d[j * OD + od], src[j] = tmp + j * stride;
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
    i32* idx_all = scratch_as<i32>(kShared0, total + T * out3[2] + 2 * blocks);
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
    i32* narrow = base + blocks;
    for (i64 b = 0; b < blocks; ++b) {
        i32 lo = std::numeric_limits<i32>::max(), hi = 0;
        for (int j = 0; j < T; ++j)
            for (int l = 0; l < V; ++l) {
                const i32 v = idx[2][j * out3[2] + b * V + l];
                lo = std::min(lo, v), hi = std::max(hi, v);
            }
        base[b] = hi - lo < window_lanes<Arch> ? lo : -1;
        narrow[b] = hi - lo < V;
        for (int j = 0; j < T; ++j)
            for (int l = 0; l < V; ++l)
                rel[j * out3[2] + b * V + l] = idx[2][j * out3[2] + b * V + l] - lo;
    }
    WAxis wa{idx[2], wt[2], rel, base, narrow, in3[2], out3[2]};
    if constexpr (is_avx2<Arch>) {
        auto fast = [&](i64 b) { return narrow[b] && base[b] >= 0 && base[b] + V <= in3[2]; };
        while (wa.fast_lo < blocks && !fast(wa.fast_lo))
            ++wa.fast_lo;
        wa.fast_hi = wa.fast_lo;
        while (wa.fast_hi < blocks && fast(wa.fast_hi))
            ++wa.fast_hi;
    }
    if (T > 1 && nd >= 2) // rs_interp's row cache: the rows of one combination are consecutive
        for (i64 o = 0; o < out3[1]; ++o)
            for (int j = 1; j < T; ++j)
                if (idx[1][j * out3[1] + o] - idx[1][o] >= T || idx[1][j * out3[1] + o] < idx[1][o])
                    return false;
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
        i64 p = r0 / (OD * OH), od = (r0 % (OD * OH)) / OH, oh = r0 % OH;
        for (i64 r = r0; r < r1; ++r, ++oh) {
            if (oh == OH) {
                oh = 0;
                if (++od == OD) od = 0, ++p;
            }
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

// The op's entry in the kernel table (kernels/simd/table.hpp). Area mode never comes here: the
// dispatcher sends it to the adaptive pooling kernel (simd_dispatch.cpp).
template <class Arch>
bool simd_kernel(const Context& ctx, const UpsampleDesc& d, const Io& io) {
    return upsample_impl<Arch>(ctx, d, io.x_shape(), io.x(), io.out_shape, io.out);
}

} // namespace
} // namespace cnnshape::kernels::simd
