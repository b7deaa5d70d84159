// Adaptive max / average pooling, and PyTorch 1.13's cascade sum for global average pooling.
#pragma once
#include "kernels/simd/common.hpp"

namespace cnnshape::kernels::simd {
namespace {

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
#if defined(__AVX2__)
    if constexpr (is_avx2<Arch>) {
        // Rows r and r+4 share a register (half each, put there by the loads), so a 4x4
        // transpose within each half finishes the block: no lane-crossing shuffles.
        if (rows == V)
            for (; j + V <= cols; j += V)
                for (int h = 0; h < 8; h += 4) {
                    __m256 a[4];
                    for (int r = 0; r < 4; ++r)
                        a[r] = _mm256_insertf128_ps(
                            _mm256_castps128_ps256(_mm_loadu_ps(src + r * stride + j + h)),
                            _mm_loadu_ps(src + (r + 4) * stride + j + h), 1);
                    const __m256 t0 = _mm256_unpacklo_ps(a[0], a[1]);
                    const __m256 t1 = _mm256_unpackhi_ps(a[0], a[1]);
                    const __m256 t2 = _mm256_unpacklo_ps(a[2], a[3]);
                    const __m256 t3 = _mm256_unpackhi_ps(a[2], a[3]);
                    float* d = dst + (j + h) * V;
                    _mm256_storeu_ps(d, _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)));
                    _mm256_storeu_ps(d + V, _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2)));
                    _mm256_storeu_ps(d + 2 * V, _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)));
                    _mm256_storeu_ps(d + 3 * V, _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2)));
                }
    }
#endif
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
// (ops/adaptive_pool/ref.cpp).
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

// M outputs whose windows have the same width len, side by side: acc[j] (at acc + j * V) folds
// T's columns from wb[2j] on in order, by the max rule (NaN last) or a float sum.
template <class Arch, int M>
inline void adaptive_fold(bool is_max, const float* T, const i64* wb, i64 len, float* acc) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    const float* t[M];
    B a[M];
    for (int j = 0; j < M; ++j)
        t[j] = T + wb[2 * j] * V, a[j] = B::load_unaligned(acc + j * V);
    if (is_max) {
        for (i64 k = 0; k < len; ++k)
            for (int j = 0; j < M; ++j)
                a[j] = max_keep_first_nan_last<Arch>(B::load_aligned(t[j] + k * V), a[j]);
    } else {
        for (i64 k = 0; k < len; ++k)
            for (int j = 0; j < M; ++j)
                a[j] = a[j] + B::load_aligned(t[j] + k * V);
    }
    for (int j = 0; j < M; ++j)
        a[j].store_unaligned(acc + j * V);
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
                if (!indices) {
                    // Values only: up to four outputs of one window width side by side, so
                    // their in-order folds (chains of dependent adds or maxima) overlap.
                    i64 ow = 0;
                    while (ow < g.OW) {
                        const i64 len = wbounds[2 * ow + 1] - wbounds[2 * ow];
                        int m = 1;
                        while (m < 4 && ow + m < g.OW &&
                               wbounds[2 * (ow + m) + 1] - wbounds[2 * (ow + m)] == len)
                            ++m;
                        switch (m) {
                        case 4:
                            adaptive_fold<Arch, 4>(is_max, T, wbounds + 2 * ow, len,
                                                   acc_v + ow * V);
                            break;
                        case 3:
                            adaptive_fold<Arch, 3>(is_max, T, wbounds + 2 * ow, len,
                                                   acc_v + ow * V);
                            break;
                        case 2:
                            adaptive_fold<Arch, 2>(is_max, T, wbounds + 2 * ow, len,
                                                   acc_v + ow * V);
                            break;
                        default:
                            adaptive_fold<Arch, 1>(is_max, T, wbounds + 2 * ow, len,
                                                   acc_v + ow * V);
                            break;
                        }
                        ow += m;
                    }
                    continue;
                }
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

// The op's entry in the kernel table (kernels/simd/table.hpp).
template <class Arch>
bool simd_kernel(const Context& ctx, const AdaptivePoolDesc& d, const Io& io) {
    return adaptive_pool_impl<Arch>(ctx, d, io.x_shape(), io.x(), io.out_shape, io.out, io.indices);
}

} // namespace
} // namespace cnnshape::kernels::simd
