// The special-cased SIMD paths against the reference, bit for bit, on every architecture this CPU
// can run: 2x2 stride-2 pooling (each input row feeds one output row; NaN rows are redone
// exactly), width-3 stride-2 pooling (rows read in place, NaN planes redone exactly), and global
// average pooling (PyTorch's mean(): its 8-lane cascade sum, planes taken 8 at a time). Plus
// `run`'s activation buffer pool: reused buffers must never leak one layer's values into another's
// output.
#include "../src/kernels/simd/simd.hpp"
#include "cnnshape/execute.hpp"
#include "cnnshape/kernels.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace cnnshape;
namespace K = cnnshape::kernels;
namespace S = cnnshape::kernels::simd;
using i64 = std::int64_t;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

struct ArchGuard {
    ~ArchGuard() { S::force_arch(""); }
};

K::Context ctx(K::Backend b, int threads = 1) {
    K::Context c;
    c.backend = b;
    c.threads = threads;
    return c;
}

// Small integers (ties), +-0, -inf, and NaN with probability `nan`.
std::vector<float> data(i64 n, std::uint32_t seed, double nan) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> small(-3, 3);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (auto& x : v) {
        double r = u(rng);
        x = r < nan          ? kNaN
            : r < nan + 0.05 ? -std::numeric_limits<float>::infinity()
            : r < nan + 0.15 ? -0.0f
            : r < nan + 0.25 ? 0.0f
            : r < nan + 0.6  ? float(small(rng))
                             : float(u(rng) * 200 - 100);
    }
    return v;
}

i64 first_bit_diff(const std::vector<float>& a, const std::vector<float>& b) {
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) return i64(i);
    return -1;
}

} // namespace

TEST_CASE("SIMD 2x2 stride-2 pooling (the direct path) equals the reference bit for bit",
          "[simd]") {
    ArchGuard guard;
    const int widths[] = {2, 3, 4, 15, 16, 17, 31, 32, 33, 34, 63, 64, 65, 112, 113};
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        std::uint32_t seed = 1;
        for (int w : widths)
            for (int h : {2, 3, 5, 8})
                for (PoolKind kind : {PoolKind::Max, PoolKind::Avg})
                    for (double nan : {0.0, 0.02}) {
                        PoolDesc d;
                        d.kind = kind;
                        d.kernel = {2, 2};
                        d.stride = {2, 2};
                        d.padding = {0, 0};
                        d.dilation = {1, 1};
                        if (kind == PoolKind::Avg && w % 3 == 0) d.divisor_override = 3;
                        Shape xs{2, 3, h, w}, ys{2, 3, h / 2, w / 2};
                        auto x = data(numel(xs), ++seed, nan);
                        std::vector<float> yr(numel(ys)), y1(numel(ys), 7.0f), y2(numel(ys), 7.0f);
                        CAPTURE(arch, w, h, int(kind), nan);
                        K::run(ctx(K::Backend::Ref), d,
                               K::Io{{xs}, {x.data()}, {}, ys, yr.data(), nullptr});
                        REQUIRE(S::run(ctx(K::Backend::SimdWhereHandled, 1), d,
                                       K::Io{{xs}, {x.data()}, {}, ys, y1.data(), nullptr}));
                        REQUIRE(S::run(ctx(K::Backend::SimdWhereHandled, 2), d,
                                       K::Io{{xs}, {x.data()}, {}, ys, y2.data(), nullptr}));
                        CHECK(first_bit_diff(y1, yr) == -1);
                        CHECK(first_bit_diff(y2, yr) == -1);
                    }
    }
}

// PyTorch's pooling_output_shape (SEMANTICS.md §1.1).
i64 pool_out_size(i64 in, i64 k, i64 s, i64 p, i64 d, bool ceil) {
    i64 num = in + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
    i64 out = (num >= 0 ? num / s : -((-num + s - 1) / s)) + 1;
    if (ceil && (out - 1) * s >= in + p) --out;
    return out;
}

TEST_CASE("SIMD width-3 stride-2 pooling (rows in place) is the reference bit for bit", "[simd]") {
    // Output widths from 1 to past two blocks of 4 AVX-512 vectors (129 outputs), so every
    // border (the left pad, masked loads at the right, a partial last vector) and the in-place
    // loads between them run; any window and stride along H, ceil_mode, NaN planes redone.
    ArchGuard guard;
    const int widths[] = {1,   2,   3,   4,   5,   6,   7,   8,   9,   15,  16,  17,  31,  32,
                          33,  34,  35,  62,  63,  64,  65,  66,  67,  95,  96,  97,  127, 128,
                          129, 130, 131, 132, 133, 191, 192, 193, 255, 256, 257, 258, 259};
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        std::mt19937 rng(31);
        auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
        for (int w : widths)
            for (int rep = 0; rep < 8; ++rep) {
                const bool is_max = rep % 2 == 0;
                PoolDesc d;
                d.kind = is_max ? PoolKind::Max : PoolKind::Avg;
                const i64 kh = pick(1, 3), sh = pick(1, 3), ph = pick(0, int(kh / 2));
                const i64 pw = pick(0, 1);
                const i64 dh = is_max && rep == 6 ? 2 : 1;
                d.kernel = {kh, 3}, d.stride = {sh, 2}, d.padding = {ph, pw}, d.dilation = {dh, 1};
                d.ceil_mode = pick(0, 1) == 1;
                d.count_include_pad = rep % 4 != 1;
                if (rep == 7) d.divisor_override = pick(0, 1) ? 5 : -2;
                const i64 h = pick(1, 9);
                const i64 oh = pool_out_size(h, kh, sh, ph, dh, d.ceil_mode);
                const i64 ow = pool_out_size(w, 3, 2, pw, 1, d.ceil_mode);
                if (oh < 1 || ow < 1) continue;
                Shape xs{pick(1, 2), 3, h, w}, ys{xs[0], 3, oh, ow};
                const double nan = is_max && rep % 4 == 2 ? 0.01 : 0.0;
                auto x = data(numel(xs), std::uint32_t(rng()), nan);
                if (!is_max && rep == 5) x[x.size() / 3] = kNaN;
                std::vector<float> yr(numel(ys)), y1(numel(ys), 7.0f), y2(numel(ys), 7.0f);
                CAPTURE(arch, w, h, is_max, kh, sh, ph, pw, dh, d.ceil_mode, d.count_include_pad,
                        d.divisor_override.value_or(0), nan);
                K::run(ctx(K::Backend::Ref), d,
                       K::Io{{xs}, {x.data()}, {}, ys, yr.data(), nullptr});
                REQUIRE(S::run(ctx(K::Backend::SimdWhereHandled, 1), d,
                               K::Io{{xs}, {x.data()}, {}, ys, y1.data(), nullptr}));
                REQUIRE(S::run(ctx(K::Backend::SimdWhereHandled, 2), d,
                               K::Io{{xs}, {x.data()}, {}, ys, y2.data(), nullptr}));
                REQUIRE(first_bit_diff(y1, yr) == -1);
                REQUIRE(first_bit_diff(y2, yr) == -1);
            }
    }
}

TEST_CASE("width-3 stride-2 max pooling: first tied zero in row-major order, NaN last", "[simd]") {
    // One 3x64 plane, MaxPool2d(3, 2, 1): output (0, i) reads rows 0-1, columns 2i-1 .. 2i+1.
    ArchGuard guard;
    const i64 W = 64;
    Shape xs{1, 1, 3, W}, ys{1, 1, 2, 32};
    std::vector<float> x(3 * W, -1.0f);
    x[W + 20] = -0.0f, x[21] = 0.0f; // output 10: +0 (row 0) before -0 (row 1)
    x[23] = -0.0f, x[24] = 0.0f;     // output 12: -0 (column 23) before +0
    x[W + 40] = kNaN;                // output 20 (column 40, row 1): NaN
    x[41] = 9.0f;                    //   after a larger value in row 0
    x[2 * 31 + 1] = kNaN;            // output 31: a NaN only its last tap reads
    PoolDesc d;
    d.kind = PoolKind::Max;
    d.kernel = {3, 3}, d.stride = {2, 2}, d.padding = {1, 1}, d.dilation = {1, 1};
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        std::vector<float> y(64, 7.0f), yr(64);
        K::run(ctx(K::Backend::Ref), d, K::Io{{xs}, {x.data()}, {}, ys, yr.data(), nullptr});
        REQUIRE(S::run(ctx(K::Backend::SimdWhereHandled), d,
                       K::Io{{xs}, {x.data()}, {}, ys, y.data(), nullptr}));
        CAPTURE(arch);
        CHECK(y[10] == 0.0f);
        CHECK(!std::signbit(y[10]));
        CHECK(y[12] == 0.0f);
        CHECK(std::signbit(y[12]));
        CHECK(std::isnan(y[20]));
        CHECK(std::isnan(y[31]));
        CHECK(y[0] == -1.0f);
        CHECK(first_bit_diff(y, yr) == -1);
    }
}

TEST_CASE("2x2 stride-2 max pooling keeps the first of tied zeros and the last NaN", "[simd]") {
    ArchGuard guard;
    // One 2x32 plane: output i's taps are (r0[2i], r0[2i+1], r1[2i], r1[2i+1]).
    Shape xs{1, 1, 2, 32}, ys{1, 1, 1, 16};
    std::vector<float> x(64, -1.0f);
    x[0] = -0.0f, x[1] = 0.0f;      // output 0: -0 first, then +0 ties: -0 stays
    x[2] = 0.0f, x[33 + 2] = -0.0f; // output 1: +0 first
    x[4] = kNaN, x[32 + 5] = 5.0f;  // output 2: NaN, then a bigger value: NaN stays
    float nan2 = -std::nanf("");    // a NaN with the sign bit: the later NaN wins
    x[6] = kNaN, x[32 + 7] = nan2;  // output 3
    PoolDesc d;
    d.kind = PoolKind::Max;
    d.kernel = {2, 2}, d.stride = {2, 2}, d.padding = {0, 0}, d.dilation = {1, 1};
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        std::vector<float> y(16, 7.0f);
        REQUIRE(S::run(ctx(K::Backend::SimdWhereHandled), d,
                       K::Io{{xs}, {x.data()}, {}, ys, y.data(), nullptr}));
        CAPTURE(arch);
        CHECK(std::signbit(y[0]));
        CHECK(y[0] == 0.0f);
        CHECK(!std::signbit(y[1]));
        CHECK(std::isnan(y[2]));
        CHECK(std::isnan(y[3]));
        CHECK(std::signbit(y[3]));
        CHECK(y[4] == -1.0f);
    }
}

TEST_CASE("width-3 stride-2 pooling on every width 1-40 and 56-57, pads, ceil_mode, NaN",
          "[simd]") {
    // Every output-vector position of the AVX2/SSE2 path: the left-pad vector, the vectors read
    // in place, the checked ones at the right end (odd widths, ceil_mode, no padding) and a
    // partial last vector; the max path's per-row folds with tied zeros, -inf and NaN planes.
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        std::uint32_t seed = 500;
        std::vector<int> widths;
        for (int w = 1; w <= 40; ++w)
            widths.push_back(w);
        widths.push_back(56), widths.push_back(57), widths.push_back(112);
        for (int w : widths)
            for (i64 pw : {0, 1})
                for (bool ceil : {false, true})
                    for (PoolKind kind : {PoolKind::Max, PoolKind::Avg}) {
                        const i64 kh = 1 + (seed % 3), sh = 1 + (seed / 3) % 2;
                        const i64 ph = std::min<i64>(kh / 2, seed % 2);
                        const i64 h = 1 + (seed * 7) % 9;
                        const i64 oh = pool_out_size(h, kh, sh, ph, 1, ceil);
                        const i64 ow = pool_out_size(w, 3, 2, pw, 1, ceil);
                        ++seed;
                        if (oh < 1 || ow < 1) continue;
                        PoolDesc d;
                        d.kind = kind;
                        d.kernel = {kh, 3}, d.stride = {sh, 2}, d.padding = {ph, pw};
                        d.dilation = {1, 1};
                        d.ceil_mode = ceil;
                        d.count_include_pad = seed % 3 != 0;
                        Shape xs{2, 3, h, w}, ys{2, 3, oh, ow};
                        const double nan = kind == PoolKind::Max && seed % 2 ? 0.03 : 0.0;
                        auto x = data(numel(xs), seed, nan);
                        std::vector<float> yr(numel(ys)), y1(numel(ys), 7.0f), y2(numel(ys), 7.0f);
                        CAPTURE(arch, w, h, kh, sh, ph, pw, ceil, int(kind), nan);
                        K::run(ctx(K::Backend::Ref), d,
                               K::Io{{xs}, {x.data()}, {}, ys, yr.data(), nullptr});
                        REQUIRE(S::run(ctx(K::Backend::SimdWhereHandled, 1), d,
                                       K::Io{{xs}, {x.data()}, {}, ys, y1.data(), nullptr}));
                        REQUIRE(S::run(ctx(K::Backend::SimdWhereHandled, 2), d,
                                       K::Io{{xs}, {x.data()}, {}, ys, y2.data(), nullptr}));
                        REQUIRE(first_bit_diff(y1, yr) == -1);
                        REQUIRE(first_bit_diff(y2, yr) == -1);
                    }
    }
}

TEST_CASE("width-3 stride-2 max pooling: tied zeros and NaN at the row ends and across rows",
          "[simd]") {
    // MaxPool2d(3, 2, 1) on 3 x W planes for W around the vector widths: output (0, j) reads rows
    // 0-1. At the first and last output of the row, +0 in row 0 and -0 in row 1 (the row-0 zero
    // is first in row-major order, so it stays), then -0 before +0 within row 0, and a NaN in
    // row 1 behind a larger row-0 value (the NaN wins).
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        for (i64 W : {8, 15, 16, 17, 18, 31, 32, 33, 34, 40, 56, 57}) {
            const i64 OW = (W + 2 - 3) / 2 + 1;
            Shape xs{1, 1, 3, W}, ys{1, 1, 2, OW};
            PoolDesc d;
            d.kind = PoolKind::Max;
            d.kernel = {3, 3}, d.stride = {2, 2}, d.padding = {1, 1}, d.dilation = {1, 1};
            for (int variant = 0; variant < 3; ++variant) {
                std::vector<float> x(static_cast<std::size_t>(3 * W), -1.0f);
                const i64 last = OW - 1, c = 2 * last; // output `last` reads columns c-1 .. c+1
                if (variant == 0) {                    // row 0 +0, row 1 -0
                    x[0] = 0.0f, x[std::size_t(W)] = -0.0f;
                    x[std::size_t(std::min(c, W - 1))] = 0.0f;
                    x[std::size_t(W + std::min(c, W - 1))] = -0.0f;
                } else if (variant == 1) { // -0 before +0 in row 0
                    x[0] = -0.0f, x[1] = 0.0f;
                    x[std::size_t(c - 1)] = -0.0f, x[std::size_t(std::min(c, W - 1))] = 0.0f;
                } else { // a NaN in row 1 behind 9 in row 0
                    x[0] = 9.0f, x[std::size_t(W + 1)] = kNaN;
                    x[std::size_t(c - 1)] = 9.0f, x[std::size_t(W + std::min(c, W - 1))] = kNaN;
                }
                std::vector<float> y(static_cast<std::size_t>(2 * OW), 7.0f), yr(y.size());
                CAPTURE(arch, W, variant);
                K::run(ctx(K::Backend::Ref), d,
                       K::Io{{xs}, {x.data()}, {}, ys, yr.data(), nullptr});
                REQUIRE(S::run(ctx(K::Backend::SimdWhereHandled), d,
                               K::Io{{xs}, {x.data()}, {}, ys, y.data(), nullptr}));
                CHECK(first_bit_diff(y, yr) == -1);
                for (i64 j : {i64(0), last}) {
                    const float v = y[std::size_t(j)];
                    if (variant == 0) CHECK((v == 0.0f && !std::signbit(v)));
                    if (variant == 1) CHECK((v == 0.0f && std::signbit(v)));
                    if (variant == 2) CHECK(std::isnan(v));
                }
            }
        }
    }
}

TEST_CASE("adaptive max pooling without indices is the reference bit for bit: ties, NaN",
          "[simd]") {
    // The values-only path (no index tracking; windows of one width folded side by side):
    // channel counts around the vector width, windows equal or overlapping, tied zeros and NaN.
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        std::uint32_t seed = 900;
        for (i64 c : {1, 3, 8, 9, 16, 17})
            for (i64 in : {1, 5, 7, 8, 14, 16, 23, 33, 112})
                for (i64 out : {1, 2, 3, 4, 5, 7, 9})
                    for (bool avg : {false, true}) {
                        if (avg && out == 1) continue; // mean(): its own test above
                        AdaptivePoolDesc d;
                        d.is_max = !avg;
                        d.nd = 2;
                        d.output_size = {out, out == 1 ? 3 : out};
                        Shape xs{1, c, in, in + 1}, ys{1, c, d.output_size[0], d.output_size[1]};
                        auto x = data(numel(xs), ++seed, seed % 2 ? 0.02 : 0.0);
                        std::vector<float> yr(numel(ys)), y1(numel(ys), 7.0f), y2(numel(ys), 7.0f);
                        CAPTURE(arch, c, in, out, avg);
                        K::run(ctx(K::Backend::Ref), d,
                               K::Io{{xs}, {x.data()}, {}, ys, yr.data(), nullptr});
                        REQUIRE(S::run(ctx(K::Backend::SimdWhereHandled, 1), d,
                                       K::Io{{xs}, {x.data()}, {}, ys, y1.data(), nullptr}));
                        REQUIRE(S::run(ctx(K::Backend::SimdWhereHandled, 2), d,
                                       K::Io{{xs}, {x.data()}, {}, ys, y2.data(), nullptr}));
                        REQUIRE(first_bit_diff(y1, yr) == -1);
                        REQUIRE(first_bit_diff(y2, yr) == -1);
                    }
    }
}

TEST_CASE("2x bilinear and bicubic upsampling, widths 1-40 and 56: the reference bits", "[simd]") {
    // The W rows' one-load path (windows narrower than a vector), the checked blocks at the row
    // end and the scalar tail; the H combination from the direct-mapped row cache, rows
    // split across threads.
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        if (arch == "sse2") continue; // the linear modes need an FMA: the reference runs
        S::force_arch(arch);
        std::uint32_t seed = 1300;
        std::vector<int> widths;
        for (int w = 1; w <= 40; ++w)
            widths.push_back(w);
        widths.push_back(56);
        for (int w : widths)
            for (UpsampleMode mode : {UpsampleMode::Bilinear, UpsampleMode::Bicubic})
                for (bool align : {false, true}) {
                    UpsampleDesc d;
                    d.mode = mode;
                    d.align_corners = align;
                    d.scale_factor = {2.0, 2.0};
                    d.output_size = {6, 2 * w};
                    Shape xs{1, 5, 3, w}, ys{1, 5, 6, 2 * w};
                    std::vector<float> x(static_cast<std::size_t>(numel(xs)));
                    std::mt19937 rng(++seed);
                    std::uniform_real_distribution<float> u(-4.0f, 4.0f);
                    for (auto& v : x)
                        v = u(rng);
                    std::vector<float> yr(numel(ys)), y1(numel(ys), 7.0f), y2(numel(ys), 7.0f);
                    CAPTURE(arch, w, int(mode), align);
                    K::run(ctx(K::Backend::Ref), d, K::Io{{xs}, {x.data()}, {}, ys, yr.data()});
                    REQUIRE(S::run(ctx(K::Backend::SimdWhereHandled, 1), d,
                                   K::Io{{xs}, {x.data()}, {}, ys, y1.data()}));
                    REQUIRE(S::run(ctx(K::Backend::SimdWhereHandled, 2), d,
                                   K::Io{{xs}, {x.data()}, {}, ys, y2.data()}));
                    REQUIRE(first_bit_diff(y1, yr) == -1);
                    REQUIRE(first_bit_diff(y2, yr) == -1);
                }
    }
}

TEST_CASE("SIMD global average pooling is PyTorch's mean() bit for bit, as the reference is",
          "[simd]") {
    ArchGuard guard;
    // Plane sizes around the 8-lane vector, the 4-way interleave and the level steps (16 rows of
    // 4 vectors = 512 floats, then 16x that).
    const i64 sizes[] = {1,  2,  3,  4,  5,   7,   8,   9,    15,   16,   17,   31,   32,   33,
                         49, 63, 64, 65, 511, 512, 513, 1000, 4096, 8191, 8192, 8193, 12544};
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        std::uint32_t seed = 100;
        for (i64 n : sizes)
            for (i64 planes : {1, 7, 8, 9, 17}) {
                AdaptivePoolDesc d;
                d.nd = 2;
                d.output_size = {1, 1};
                Shape xs{1, planes, 1, n}, ys{1, planes, 1, 1};
                std::vector<float> x(static_cast<std::size_t>(numel(xs)));
                std::mt19937 rng(++seed);
                std::normal_distribution<float> g(0.0f, 1.0f);
                for (auto& v : x)
                    v = g(rng) * std::exp(3.0f * g(rng)); // magnitudes far apart: order shows
                std::vector<float> yr(planes), y1(planes, 7.0f), y2(planes, 7.0f);
                CAPTURE(arch, n, planes);
                K::run(ctx(K::Backend::Ref), d,
                       K::Io{{xs}, {x.data()}, {}, ys, yr.data(), nullptr});
                K::run(ctx(K::Backend::SimdWhereHandled, 1), d,
                       K::Io{{xs}, {x.data()}, {}, ys, y1.data(), nullptr});
                K::run(ctx(K::Backend::SimdWhereHandled, 2), d,
                       K::Io{{xs}, {x.data()}, {}, ys, y2.data(), nullptr});
                CHECK(first_bit_diff(y1, yr) == -1);
                CHECK(first_bit_diff(y2, yr) == -1);
            }
    }
}

TEST_CASE("global average pooling is not an in-order sum where PyTorch's order matters",
          "[kernels]") {
    // 1e8, 64 ones, -1e8: in order, each 1 is lost against 1e8 (sum 0). PyTorch 1.13 sums
    // 8 lanes: lane 0 holds 1e8 and loses its 7 ones, lanes 1-7 keep 8 ones each, and the
    // two leftovers (1, -1e8) cancel lane 0: 56 / 66 = 0.8484848737716675f.
    std::vector<float> x(66, 1.0f);
    x[0] = 1e8f;
    x[65] = -1e8f;
    AdaptivePoolDesc d;
    d.nd = 1;
    d.output_size = {1};
    float y = -1;
    K::run(ctx(K::Backend::Ref), d, K::Io{{{1, 1, 66}}, {x.data()}, {}, {1, 1, 1}, &y, nullptr});
    CHECK(y == 56.0f / 66.0f);
    CHECK(y == 0.8484848737716675f);
}

TEST_CASE("run reuses activation buffers without mixing layers' values", "[run]") {
    // Layers whose outputs shrink and grow, so freed buffers of every size are handed out again;
    // with CNNSHAPE_POISON=1 (the test main sets it) every handed-out buffer starts as NaN.
    Network net = load_spec_text(R"({"input": [1, 3, 20, 20], "layers": [
        {"type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding": 1},
        {"type": "ReLU"},
        {"type": "MaxPool2d", "kernel_size": 2},
        {"type": "Conv2d", "in_channels": 8, "out_channels": 8, "kernel_size": 3, "padding": 1},
        {"type": "ReLU"},
        {"type": "Upsample", "scale_factor": 2},
        {"type": "Conv2d", "in_channels": 8, "out_channels": 3, "kernel_size": 1},
        {"type": "AvgPool2d", "kernel_size": 2},
        {"type": "ReLU"}]})");
    Plan plan = make_plan(net, *net.input);
    Tensor x(plan.input);
    for (i64 i = 0; i < x.size(); ++i)
        x.data[std::size_t(i)] = float(i % 17) - 8.0f;
    StateDict w = init_weights(plan, 3);
    RunOptions keep, reuse;
    keep.keep_all = true; // every output kept: no buffer is ever reused
    keep.kernels = reuse.kernels = ctx(K::Backend::SimdWhereHandled, 2);
    RunResult a = execute(plan, w, x, keep), b = execute(plan, w, x, reuse);
    REQUIRE(a.output.shape == b.output.shape);
    CHECK(first_bit_diff(std::vector<float>(a.output.data.begin(), a.output.data.end()),
                         std::vector<float>(b.output.data.begin(), b.output.data.end())) == -1);
    for (float v : b.output.data)
        REQUIRE(!std::isnan(v));
    // And the reuse keeps the peak within the plan's figure.
    CHECK(b.peak_bytes <= planned_peak_bytes(plan, false));
}

TEST_CASE("Conv -> BatchNorm -> ReLU run as one pass give the bits of the layers one by one",
          "[simd][run]") {
    ArchGuard guard;
    // Chains that fuse (with and without ReLU, bias, groups, stride, 1-d) and ones that must not:
    // a conv output read twice, BatchNorm in train mode, a ReLU that is not the BN's sole reader.
    struct Case {
        const char* spec;
        int fused;
    };
    const Case cases[] = {
        {R"({"input": [2, 3, 17, 19], "layers": [
            {"type": "Conv2d", "in_channels": 3, "out_channels": 20, "kernel_size": 3, "padding": 1},
            {"type": "BatchNorm2d", "num_features": 20},
            {"type": "ReLU"},
            {"type": "Conv2d", "in_channels": 20, "out_channels": 8, "kernel_size": 3, "stride": 2,
             "bias": false, "groups": 4},
            {"type": "BatchNorm2d", "num_features": 8, "affine": false},
            {"type": "Conv2d", "in_channels": 8, "out_channels": 17, "kernel_size": 1},
            {"type": "BatchNorm2d", "num_features": 17},
            {"type": "ReLU6"}]})",
         3},
        {R"({"input": [1, 16, 9, 40], "layers": [
            {"type": "Conv2d", "in_channels": 16, "out_channels": 17, "kernel_size": 3, "padding": 1},
            {"type": "BatchNorm2d", "num_features": 17},
            {"type": "ReLU"}]})",
         1},
        {R"({"input": [1, 4, 40], "layers": [
            {"type": "Conv1d", "in_channels": 4, "out_channels": 16, "kernel_size": 5, "dilation": 2},
            {"type": "BatchNorm1d", "num_features": 16},
            {"type": "ReLU"}]})",
         1},
        {R"({"input": [1, 8, 9, 9], "layers": [
            {"type": "Conv2d", "in_channels": 8, "out_channels": 8, "kernel_size": 3, "padding": 1,
             "name": "c"},
            {"type": "BatchNorm2d", "num_features": 8, "name": "bn"},
            {"type": "ReLU", "name": "r"},
            {"type": "Add", "inputs": ["r", "c"]}]})",
         0},
        {R"({"input": [1, 8, 9, 9], "layers": [
            {"type": "Conv2d", "in_channels": 8, "out_channels": 8, "kernel_size": 3, "name": "c"},
            {"type": "BatchNorm2d", "num_features": 8, "name": "bn"},
            {"type": "ReLU", "name": "r"},
            {"type": "Add", "inputs": ["r", "bn"]}]})",
         1},
        {R"({"input": [2, 8, 9, 9], "mode": "train", "layers": [
            {"type": "Conv2d", "in_channels": 8, "out_channels": 8, "kernel_size": 3},
            {"type": "BatchNorm2d", "num_features": 8},
            {"type": "ReLU"}]})",
         0},
    };
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        for (const Case& c : cases) {
            Network net = load_spec_text(c.spec);
            Plan plan = make_plan(net, *net.input);
            StateDict w = init_weights(plan, 11);
            // Running statistics that are not 0 and 1, a zero variance, and a NaN input value.
            for (auto& [key, t] : w) {
                std::mt19937 rng(std::uint32_t(key.size()));
                std::uniform_real_distribution<float> u(0.0f, 2.0f);
                if (key.find("running_mean") != std::string::npos)
                    for (auto& v : t.data)
                        v = u(rng) - 1.0f;
                if (key.find("running_var") != std::string::npos) {
                    for (auto& v : t.data)
                        v = u(rng);
                    t.data[0] = 0.0f;
                }
            }
            Tensor x(plan.input);
            std::mt19937 rng(5);
            std::normal_distribution<float> g(0.0f, 1.0f);
            for (auto& v : x.data)
                v = g(rng);
            x.data[7] = kNaN;
            RunOptions fused, separate;
            fused.kernels = separate.kernels = ctx(K::Backend::SimdWhereHandled, 2);
            separate.fuse = false;
            RunResult a = execute(plan, w, x, fused), b = execute(plan, w, x, separate);
            CAPTURE(arch, c.spec);
            const bool fma = arch != "sse2"; // the fused BatchNorm needs a real FMA
            CHECK(a.fused_chains == (fma ? c.fused : 0));
            CHECK(b.fused_chains == 0);
            REQUIRE(a.output.shape == b.output.shape);
            CHECK(first_bit_diff(std::vector<float>(a.output.data.begin(), a.output.data.end()),
                                 std::vector<float>(b.output.data.begin(), b.output.data.end())) ==
                  -1);
        }
    }
}
