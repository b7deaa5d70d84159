// Stride phases, shared by pooling and convolution (internal linkage, like common.hpp).
#pragma once
#include "common.hpp"

namespace cnnshape::kernels::simd {
namespace {

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

} // namespace
} // namespace cnnshape::kernels::simd
