// The SIMD kernels against the reference kernels (the oracle), ncnn-style: the same random input
// through both, over sizes chosen around the vector width so every tail is exercised, on every
// architecture this CPU can run. Pooling, batch norm, add and the piecewise activations must
// agree bit for bit (NaN, ties, -inf windows and indices included); convolution and linear
// accumulate in a different order and must agree to 1e-4 relative with the reference's double
// accumulation. Constant padding, torch.cat and every Upsample mode must agree bit for bit as
// well (an interpolated NaN's payload excepted). Thread counts 1 and 2 must give identical bits.
#include "../src/kernels/simd/simd.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/execute.hpp"
#include "cnnshape/kernels.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/parallel.hpp"
#include "cnnshape/plan.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace cnnshape;
namespace K = cnnshape::kernels;
namespace S = cnnshape::kernels::simd;
using i64 = std::int64_t;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

// Restores the automatic architecture when a test ends, however it ends.
struct ArchGuard {
    ~ArchGuard() { S::force_arch(""); }
};

K::Context ref_ctx() {
    K::Context c;
    c.backend = K::Backend::Ref;
    return c;
}

K::Context simd_ctx(int threads) {
    K::Context c;
    c.backend = K::Backend::SimdWhereHandled;
    c.threads = threads;
    return c;
}

std::vector<float> uniform(i64 n, std::uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (auto& x : v)
        x = dist(rng);
    return v;
}

// Small integers, so windows have ties, with -inf and +-0 sprinkled in, and NaN with
// probability `nan` (0: NaN-free data, which takes the pooling kernels' fast path).
std::vector<float> ties(i64 n, std::uint32_t seed, double nan = 0.05) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> small(-3, 3);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (auto& x : v) {
        double r = u(rng);
        x = r < nan ? kNaN : r < nan + 0.05 ? -kInf : r < nan + 0.1 ? -0.0f : float(small(rng));
    }
    return v;
}

bool same_bits(float a, float b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

// Index of the first element whose bits differ, or -1.
i64 first_bit_diff(const std::vector<float>& a, const std::vector<float>& b) {
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same_bits(a[i], b[i])) return i64(i);
    return -1;
}

// Same value (+0 == -0) or both NaN.
i64 first_value_diff(const std::vector<float>& a, const std::vector<float>& b) {
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return i64(i);
    return -1;
}

// |simd - ref| <= rel * |ref| + abs_tol, NaN matching NaN.
i64 first_far(const std::vector<float>& simd, const std::vector<float>& ref, double rel,
              double abs_tol) {
    for (std::size_t i = 0; i < simd.size(); ++i) {
        double s = simd[i], r = ref[i];
        if (s == r || (std::isnan(s) && std::isnan(r))) continue;
        if (!(std::fabs(s - r) <= rel * std::fabs(r) + abs_tol)) return i64(i);
    }
    return -1;
}

i64 floor_div(i64 a, i64 b) {
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// PyTorch's pooling_output_shape (SEMANTICS.md §1.1).
i64 pool_out(i64 in, i64 k, i64 s, i64 p, i64 d, bool ceil) {
    i64 out = floor_div(in + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0), s) + 1;
    if (ceil && (out - 1) * s >= in + p) --out;
    return out;
}

const int kWidths[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14,
                       15, 16, 17, 18, 19, 20, 23, 24, 25, 31, 32, 33, 39, 40};
const int kChannels[] = {1, 3, 7, 8, 15, 16, 17, 64};

// One random pooling geometry with valid PyTorch parameters (pad <= effective kernel / 2).
struct PoolCase {
    i64 n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw;
    bool ceil;
    int threads;
};

bool make_pool_case(std::mt19937& rng, i64 w, bool dilation, PoolCase& pc) {
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    pc.n = pick(0, 3) == 0 ? 3 : 1;
    pc.c = kChannels[pick(0, 5)]; // up to 16 channels keeps the runs short
    pc.h = kWidths[pick(0, 20)];
    pc.w = w;
    pc.kh = pick(1, 3), pc.kw = pick(1, 3);
    pc.sh = pick(1, 3), pc.sw = pick(1, 3);
    pc.dh = dilation ? pick(1, 2) : 1, pc.dw = dilation ? pick(1, 2) : 1;
    pc.ph = pick(0, int(((pc.kh - 1) * pc.dh + 1) / 2));
    pc.pw = pick(0, int(((pc.kw - 1) * pc.dw + 1) / 2));
    pc.ceil = pick(0, 1) == 1;
    pc.threads = pick(1, 2);
    return pool_out(pc.h, pc.kh, pc.sh, pc.ph, pc.dh, pc.ceil) >= 1 &&
           pool_out(pc.w, pc.kw, pc.sw, pc.pw, pc.dw, pc.ceil) >= 1;
}

PoolDesc pool_desc(const PoolCase& pc, PoolKind kind) {
    PoolDesc d;
    d.kind = kind;
    d.nd = 2;
    d.kernel = {pc.kh, pc.kw};
    d.stride = {pc.sh, pc.sw};
    d.padding = {pc.ph, pc.pw};
    d.dilation = {pc.dh, pc.dw};
    d.ceil_mode = pc.ceil;
    return d;
}

#define CAPTURE_POOL(pc)                                                                           \
    CAPTURE(arch, pc.n, pc.c, pc.h, pc.w, pc.kh, pc.kw, pc.sh, pc.sw, pc.ph, pc.pw, pc.dh, pc.dw,  \
            pc.ceil, pc.threads)

} // namespace

TEST_CASE("SIMD architectures: dispatch picks one, and a forced one is the one that runs",
          "[simd]") {
    ArchGuard guard;
    // CNNSHAPE_SIMD_ARCH may be set for the whole run (to test a narrower architecture): put it
    // back afterwards.
    const char* env = std::getenv("CNNSHAPE_SIMD_ARCH");
    const std::string saved = env ? env : "";
    const bool had_env = env != nullptr;
    unsetenv("CNNSHAPE_SIMD_ARCH");

    auto archs = S::available_archs();
    REQUIRE(!archs.empty());
    CHECK(archs.back() == "sse2"); // every x86-64 CPU
    REQUIRE(S::force_arch(""));
    CHECK(S::arch() == archs.front());
    CHECK(S::arch() == K::simd_arch());
    for (const auto& a : archs) {
        REQUIRE(S::force_arch(a));
        CHECK(S::arch() == a);
        CHECK(K::simd_arch() == a);
    }
    CHECK_FALSE(S::force_arch("neon"));

    // CNNSHAPE_SIMD_ARCH picks the default (read at start-up, and again by force_arch("")).
    setenv("CNNSHAPE_SIMD_ARCH", "sse2", 1);
    REQUIRE(S::force_arch(""));
    CHECK(S::arch() == "sse2");
    CHECK(K::simd_arch() == "sse2");
    CHECK_NOTHROW(K::check_simd_arch_env());
    // A forced architecture that cannot run is an error, not silently another one.
    setenv("CNNSHAPE_SIMD_ARCH", "no-such-arch", 1);
    CHECK_THROWS_WITH(K::check_simd_arch_env(),
                      "CNNSHAPE_SIMD_ARCH 'no-such-arch' is not an architecture cnnshape was built "
                      "for (avx512f, avx2, sse2)");
    CHECK_THROWS_AS(K::make_context("simd", 1), cnnshape::UsageError);
    CHECK_THROWS_AS(K::make_context("ref", 1), cnnshape::UsageError);
    for (const auto& a : S::compiled_archs()) {
        if (std::find(archs.begin(), archs.end(), a) != archs.end()) continue;
        // Said loudly: the SIMD tests below cover only the architectures this CPU runs.
        WARN("this CPU cannot run " << a << ": its SIMD kernels are not tested on this machine");
        setenv("CNNSHAPE_SIMD_ARCH", a.c_str(), 1);
        CHECK_THROWS_WITH(K::check_simd_arch_env(),
                          Catch::Matchers::Contains("this CPU cannot run it"));
    }
    unsetenv("CNNSHAPE_SIMD_ARCH");
    REQUIRE(S::force_arch(""));
    CHECK(S::arch() == archs.front());

    if (had_env)
        setenv("CNNSHAPE_SIMD_ARCH", saved.c_str(), 1);
    else
        unsetenv("CNNSHAPE_SIMD_ARCH");
}

TEST_CASE("parallel_for runs every index exactly once, nested calls serially", "[simd]") {
    for (int threads : {1, 2, 3, 8}) {
        for (i64 n : {0, 1, 5, 64, 1000}) {
            CAPTURE(threads, n);
            std::vector<std::atomic<int>> hits(static_cast<std::size_t>(n));
            parallel_for(threads, n, 1, [&](i64 b, i64 e) {
                for (i64 i = b; i < e; ++i) {
                    hits[std::size_t(i)]++;
                    parallel_for(threads, 3, 1, [&](i64 b2, i64 e2) { CHECK(e2 - b2 >= 1); });
                }
            });
            for (auto& h : hits)
                REQUIRE(h.load() == 1);
        }
    }
}

TEST_CASE("SIMD MaxPool2d is the reference bit for bit: values, indices, NaN, ties, -inf",
          "[simd]") {
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        std::mt19937 rng(1234);
        for (int w : kWidths) {
            for (int rep = 0; rep < 6; ++rep) {
                PoolCase pc;
                if (!make_pool_case(rng, w, true, pc)) continue;
                PoolDesc d = pool_desc(pc, PoolKind::Max);
                const i64 oh = pool_out(pc.h, pc.kh, pc.sh, pc.ph, pc.dh, pc.ceil);
                const i64 ow = pool_out(pc.w, pc.kw, pc.sw, pc.pw, pc.dw, pc.ceil);
                Shape xs{pc.n, pc.c, pc.h, pc.w}, ys{pc.n, pc.c, oh, ow};
                const double nan = rep % 3 == 0 ? 0.3 : rep % 3 == 1 ? 0.02 : 0.0;
                auto x = ties(numel(xs), std::uint32_t(rng()), nan);
                std::vector<float> yr(numel(ys)), yv(numel(ys), 7.0f);
                std::vector<i64> ir(numel(ys)), iv(numel(ys), -7);
                CAPTURE_POOL(pc);
                CAPTURE(nan);
                K::run(ref_ctx(), d, K::Io{{xs}, {x.data()}, {}, ys, yr.data(), ir.data()});
                REQUIRE(S::run(simd_ctx(pc.threads), d,
                               K::Io{{xs}, {x.data()}, {}, ys, yv.data(), iv.data()}));
                REQUIRE(first_bit_diff(yv, yr) == -1);
                REQUIRE(iv == ir);
                // Without indices too (a different inner loop).
                std::vector<float> yn(numel(ys), 7.0f);
                REQUIRE(S::run(simd_ctx(pc.threads), d,
                               K::Io{{xs}, {x.data()}, {}, ys, yn.data(), nullptr}));
                REQUIRE(first_bit_diff(yn, yr) == -1);
            }
        }
    }
}

TEST_CASE("SIMD MaxPool2d: windows of only -inf, only NaN, and taps all in the padding", "[simd]") {
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        for (float fill : {-kInf, kNaN}) {
            PoolCase pc{1, 3, 9, 21, 3, 3, 2, 2, 1, 1, 1, 1, true, 1};
            PoolDesc d = pool_desc(pc, PoolKind::Max);
            Shape xs{1, 3, 9, 21},
                ys{1, 3, pool_out(9, 3, 2, 1, 1, true), pool_out(21, 3, 2, 1, 1, true)};
            std::vector<float> x(numel(xs), fill), yr(numel(ys)), yv(numel(ys));
            std::vector<i64> ir(numel(ys)), iv(numel(ys));
            CAPTURE(arch, fill);
            K::run(ref_ctx(), d, K::Io{{xs}, {x.data()}, {}, ys, yr.data(), ir.data()});
            REQUIRE(S::run(simd_ctx(2), d, K::Io{{xs}, {x.data()}, {}, ys, yv.data(), iv.data()}));
            CHECK(first_bit_diff(yv, yr) == -1);
            CHECK(iv == ir);
        }
        // in=2, k=2, d=3, p=1: both taps of the only window fall in the padding (SEMANTICS §2).
        PoolCase pc{1, 2, 2, 2, 2, 2, 1, 1, 1, 1, 3, 3, false, 1};
        PoolDesc d = pool_desc(pc, PoolKind::Max);
        Shape xs{1, 2, 2, 2}, ys{1, 2, 1, 1};
        REQUIRE(pool_out(2, 2, 1, 1, 3, false) == 1);
        std::vector<float> x = uniform(8, 5), yr(2), yv(2);
        std::vector<i64> ir(2), iv(2);
        K::run(ref_ctx(), d, K::Io{{xs}, {x.data()}, {}, ys, yr.data(), ir.data()});
        REQUIRE(S::run(simd_ctx(1), d, K::Io{{xs}, {x.data()}, {}, ys, yv.data(), iv.data()}));
        CHECK(first_bit_diff(yv, yr) == -1);
        CHECK(iv == ir);
    }
}

TEST_CASE("SIMD AvgPool2d equals the reference bit for bit (same sum order, same divisor)",
          "[simd]") {
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        std::mt19937 rng(99);
        for (int w : kWidths) {
            for (int rep = 0; rep < 6; ++rep) {
                PoolCase pc;
                if (!make_pool_case(rng, w, false, pc)) continue;
                PoolDesc d = pool_desc(pc, PoolKind::Avg);
                d.count_include_pad = rep % 2 == 0;
                if (rep == 5) d.divisor_override = (rng() % 2) ? 3 : -2;
                const i64 oh = pool_out(pc.h, pc.kh, pc.sh, pc.ph, 1, pc.ceil);
                const i64 ow = pool_out(pc.w, pc.kw, pc.sw, pc.pw, 1, pc.ceil);
                Shape xs{pc.n, pc.c, pc.h, pc.w}, ys{pc.n, pc.c, oh, ow};
                auto x = uniform(numel(xs), std::uint32_t(rng()), -100.0f, 100.0f);
                if (rep == 4) x[x.size() / 2] = kNaN;
                std::vector<float> yr(numel(ys)), yv(numel(ys), 7.0f);
                CAPTURE_POOL(pc);
                CAPTURE(d.count_include_pad, d.divisor_override.value_or(0));
                K::run(ref_ctx(), d, K::Io{{xs}, {x.data()}, {}, ys, yr.data(), nullptr});
                REQUIRE(S::run(simd_ctx(pc.threads), d,
                               K::Io{{xs}, {x.data()}, {}, ys, yv.data(), nullptr}));
                REQUIRE(first_bit_diff(yv, yr) == -1);
            }
        }
    }
}

TEST_CASE("SIMD 1-d pooling is 2-d pooling with height 1", "[simd]") {
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        for (PoolKind kind : {PoolKind::Max, PoolKind::Avg}) {
            PoolDesc d;
            d.kind = kind;
            d.nd = 1;
            d.kernel = {3}, d.stride = {2}, d.padding = {1}, d.dilation = {1};
            d.ceil_mode = true;
            Shape xs{3, 5, 33}, ys{3, 5, pool_out(33, 3, 2, 1, 1, true)};
            auto x = ties(numel(xs), 3);
            std::vector<float> yr(numel(ys)), yv(numel(ys));
            std::vector<i64> ir(numel(ys)), iv(numel(ys));
            bool mx = kind == PoolKind::Max;
            CAPTURE(arch, mx);
            K::run(ref_ctx(), d,
                   K::Io{{xs}, {x.data()}, {}, ys, yr.data(), mx ? ir.data() : nullptr});
            REQUIRE(S::run(simd_ctx(2), d,
                           K::Io{{xs}, {x.data()}, {}, ys, yv.data(), mx ? iv.data() : nullptr}));
            CHECK(first_bit_diff(yv, yr) == -1);
            CHECK(iv == ir);
        }
    }
}

TEST_CASE("SIMD adaptive pooling equals the reference bit for bit", "[simd]") {
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        std::mt19937 rng(7);
        for (int c : kChannels) {
            for (int rep = 0; rep < 8; ++rep) {
                const i64 n = rep % 4 == 3 ? 3 : 1;
                const i64 h = kWidths[rng() % 28], w = kWidths[rng() % 28];
                const i64 oh = 1 + rng() % 9, ow = rep == 0 ? 1 : 1 + rng() % 9;
                const int threads = 1 + rep % 2;
                for (bool is_max : {false, true}) {
                    AdaptivePoolDesc d;
                    d.is_max = is_max;
                    d.nd = 2;
                    d.output_size = {rep == 0 ? 1 : oh, ow};
                    Shape xs{n, c, h, w}, ys{n, c, d.output_size[0], ow};
                    auto x = is_max ? ties(numel(xs), std::uint32_t(rng()), rep % 2 ? 0.02 : 0.0)
                                    : uniform(numel(xs), std::uint32_t(rng()), -10.0f, 10.0f);
                    std::vector<float> yr(numel(ys)), yv(numel(ys), 7.0f);
                    std::vector<i64> ir(numel(ys)), iv(numel(ys), -7);
                    CAPTURE(arch, n, c, h, w, d.output_size[0], ow, is_max, threads);
                    K::run(
                        ref_ctx(), d,
                        K::Io{{xs}, {x.data()}, {}, ys, yr.data(), is_max ? ir.data() : nullptr});
                    REQUIRE(S::run(
                        simd_ctx(threads), d,
                        K::Io{{xs}, {x.data()}, {}, ys, yv.data(), is_max ? iv.data() : nullptr}));
                    REQUIRE(first_bit_diff(yv, yr) == -1);
                    if (is_max) REQUIRE(iv == ir);
                }
            }
        }
    }
}

namespace {

struct ConvCase {
    i64 n, cin, cout, groups, h, w, kh, kw, sh, sw, ph, pw, dh, dw;
    bool bias;
};

void check_conv(const std::string& arch, const ConvCase& cc) {
    const i64 oh = (cc.h + 2 * cc.ph - cc.dh * (cc.kh - 1) - 1) / cc.sh + 1;
    const i64 ow = (cc.w + 2 * cc.pw - cc.dw * (cc.kw - 1) - 1) / cc.sw + 1;
    if (cc.h + 2 * cc.ph < cc.dh * (cc.kh - 1) + 1 || cc.w + 2 * cc.pw < cc.dw * (cc.kw - 1) + 1)
        return;
    ConvDesc d;
    d.nd = 2;
    d.in_channels = cc.cin, d.out_channels = cc.cout, d.groups = cc.groups;
    d.kernel = {cc.kh, cc.kw}, d.stride = {cc.sh, cc.sw}, d.dilation = {cc.dh, cc.dw};
    d.pad_l = {cc.ph, cc.pw}, d.pad_r = {cc.ph, cc.pw}, d.output_padding = {0, 0};
    d.bias = cc.bias;
    Shape xs{cc.n, cc.cin, cc.h, cc.w}, ys{cc.n, cc.cout, oh, ow};
    // Weights on PyTorch's scale, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), so outputs are O(1).
    const i64 fan_in = (cc.cin / cc.groups) * cc.kh * cc.kw;
    const float bound = 1.0f / std::sqrt(float(fan_in));
    auto x = uniform(numel(xs), 11);
    auto wt = uniform(cc.cout * fan_in, 12, -bound, bound);
    auto b = uniform(cc.cout, 13, -bound, bound);
    std::vector<float> yr(numel(ys)), y1(numel(ys), kNaN), y2(numel(ys), kNaN);
    CAPTURE(arch, cc.n, cc.cin, cc.cout, cc.groups, cc.h, cc.w, cc.kh, cc.kw, cc.sh, cc.sw, cc.ph,
            cc.pw, cc.dh, cc.dw, cc.bias);
    K::run(ref_ctx(), d, K::Io{{xs}, {x.data()}, {wt.data(), b.data()}, ys, yr.data()});
    REQUIRE(S::run(simd_ctx(1), d, K::Io{{xs}, {x.data()}, {wt.data(), b.data()}, ys, y1.data()}));
    REQUIRE(S::run(simd_ctx(2), d, K::Io{{xs}, {x.data()}, {wt.data(), b.data()}, ys, y2.data()}));
    INFO("first differing element " << first_far(y1, yr, 1e-4, 1e-5));
    REQUIRE(first_far(y1, yr, 1e-4, 1e-5) == -1);
    REQUIRE(first_bit_diff(y2, y1) == -1); // 2 threads: the same bits as 1
}

} // namespace

TEST_CASE("SIMD Conv2d agrees with the reference: groups, depthwise, stride, dilation, pads",
          "[simd]") {
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        std::mt19937 rng(42);
        auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
        // Widths 1..40 with random layers; channel counts around the register block.
        for (int w : kWidths) {
            for (int rep = 0; rep < 2; ++rep) {
                ConvCase cc;
                cc.n = pick(0, 3) == 0 ? 3 : 1;
                cc.cin = kChannels[pick(0, 7)];
                cc.cout = kChannels[pick(0, 7)];
                cc.groups = 1;
                if (pick(0, 3) == 0) { // depthwise, possibly with a channel multiplier
                    cc.groups = cc.cin;
                    cc.cout = cc.cin * pick(1, 2);
                } else if (pick(0, 3) == 0 && cc.cin % 2 == 0 && cc.cout % 2 == 0) {
                    cc.groups = 2;
                }
                cc.h = kWidths[pick(0, 24)], cc.w = w;
                cc.kh = pick(1, 5), cc.kw = pick(1, 5);
                cc.sh = pick(1, 3), cc.sw = pick(1, 3);
                cc.dh = pick(1, 2), cc.dw = pick(1, 2);
                cc.ph = pick(0, 3), cc.pw = pick(0, 3);
                cc.bias = pick(0, 1) == 1;
                if (cc.cin * cc.cout > 64 * 17) cc.cout = 17;
                if (cc.groups > 1 && (cc.cout % cc.groups)) cc.cout = cc.groups;
                check_conv(arch, cc);
            }
        }
        // ResNet-like layers.
        check_conv(arch, {1, 64, 64, 1, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, false});
        check_conv(arch, {1, 3, 64, 1, 40, 40, 7, 7, 2, 2, 3, 3, 1, 1, false});
        check_conv(arch, {1, 64, 128, 1, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1, false});
        check_conv(arch, {1, 64, 128, 1, 28, 28, 1, 1, 2, 2, 0, 0, 1, 1, false});
        check_conv(arch, {3, 128, 130, 1, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, true});
        check_conv(arch, {1, 32, 32, 32, 17, 33, 3, 3, 1, 1, 1, 1, 1, 1, true});
        check_conv(arch, {1, 32, 32, 32, 17, 33, 3, 3, 2, 2, 1, 1, 1, 1, true});
    }
}

TEST_CASE("SIMD 1x1 Conv2d (the GEMM) agrees with the reference around its tiles and blocks",
          "[simd]") {
    ArchGuard guard;
    const i64 chans[] = {1, 2, 3, 4, 7, 8, 15, 16, 17, 64};
    const i64 hw[][2] = {{1, 1}, {7, 9}, {13, 5}, {3, 17}, {11, 11}};
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        int i = 0;
        for (i64 cin : chans)
            for (i64 cout : chans) {
                ++i;
                const i64 s = 1 + i % 2, g = (cin % 2 == 0 && cout % 2 == 0 && i % 3 == 0) ? 2 : 1;
                check_conv(arch, {i % 4 == 0 ? 8 : 1, cin, cout, g, hw[i % 5][0], hw[i % 5][1], 1,
                                  1, s, s, 0, 0, 1 + i % 2, 1, i % 2 == 1});
            }
        // Several column blocks (56 x 57 positions), K past one block of 256 with a tail, rows
        // past one row block with a partial tile, strides 2 and 3, and a batch of 8.
        check_conv(arch, {8, 64, 64, 1, 56, 57, 1, 1, 1, 1, 0, 0, 1, 1, false});
        check_conv(arch, {1, 300, 130, 1, 9, 11, 1, 1, 1, 1, 0, 0, 1, 1, true});
        check_conv(arch, {2, 260, 100, 2, 15, 15, 1, 1, 2, 2, 0, 0, 1, 1, true});
        check_conv(arch, {1, 17, 33, 1, 29, 31, 1, 1, 3, 2, 0, 0, 1, 1, true});
        // k x k on wide maps (OW >= 32) through the GEMM over the phase planes: partial row
        // tiles (17 per group), groups, stride 2, dilation 2, 5x5, a batch of 3.
        check_conv(arch, {1, 17, 17, 1, 35, 33, 3, 3, 1, 1, 1, 1, 1, 1, true});
        check_conv(arch, {2, 32, 34, 2, 40, 70, 3, 3, 2, 2, 1, 1, 1, 1, true});
        check_conv(arch, {1, 20, 16, 1, 37, 37, 3, 3, 1, 1, 2, 2, 2, 2, false});
        check_conv(arch, {3, 8, 24, 1, 33, 64, 5, 5, 1, 1, 2, 2, 1, 1, true});
    }
}

TEST_CASE("SIMD matmul (the GEMM and the small-product loop) agrees with the reference", "[simd]") {
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        for (i64 m : {1, 4, 5, 7, 13, 100})
            for (i64 k : {1, 7, 300})
                for (i64 n : {1, 7, 8, 16, 17, 33, 130}) {
                    const i64 nb = (m + n) % 3 == 0 ? 3 : 1; // batches, b broadcast over them
                    MatmulDesc d;
                    d.m = m, d.k = k, d.n = n;
                    if (nb > 1) d.batch = {nb}, d.a_stride = {m * k}, d.b_stride = {0};
                    const Shape as = nb > 1 ? Shape{nb, m, k} : Shape{m, k}, bs{k, n},
                                ys = nb > 1 ? Shape{nb, m, n} : Shape{m, n};
                    const float bound = 1.0f / std::sqrt(float(k));
                    auto a = uniform(numel(as), 1), b = uniform(numel(bs), 2, -bound, bound);
                    std::vector<float> yr(numel(ys)), y1(numel(ys), kNaN), y2(numel(ys), kNaN);
                    CAPTURE(arch, m, k, n, nb);
                    K::run(ref_ctx(), d, K::Io{{as, bs}, {a.data(), b.data()}, {}, ys, yr.data()});
                    REQUIRE(S::run(simd_ctx(1), d,
                                   K::Io{{as, bs}, {a.data(), b.data()}, {}, ys, y1.data()}));
                    REQUIRE(S::run(simd_ctx(2), d,
                                   K::Io{{as, bs}, {a.data(), b.data()}, {}, ys, y2.data()}));
                    REQUIRE(first_far(y1, yr, 1e-4, 1e-5) == -1);
                    REQUIRE(first_bit_diff(y2, y1) == -1);
                }
    }
}

TEST_CASE("SIMD Conv1d is Conv2d with height 1", "[simd]") {
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        ConvDesc d;
        d.nd = 1;
        d.in_channels = 5, d.out_channels = 17, d.groups = 1;
        d.kernel = {3}, d.stride = {2}, d.dilation = {2}, d.pad_l = {2}, d.pad_r = {2};
        d.output_padding = {0};
        Shape xs{3, 5, 37}, ys{3, 17, (37 + 4 - 4 - 1) / 2 + 1};
        auto x = uniform(numel(xs), 1), w = uniform(17 * 5 * 3, 2), b = uniform(17, 3);
        std::vector<float> yr(numel(ys)), yv(numel(ys));
        CAPTURE(arch);
        K::run(ref_ctx(), d, K::Io{{xs}, {x.data()}, {w.data(), b.data()}, ys, yr.data()});
        REQUIRE(
            S::run(simd_ctx(2), d, K::Io{{xs}, {x.data()}, {w.data(), b.data()}, ys, yv.data()}));
        CHECK(first_far(yv, yr, 1e-4, 1e-5) == -1);
    }
}

TEST_CASE("SIMD Linear agrees with the reference", "[simd]") {
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        for (i64 m : {1, 3, 4, 17, 100})
            for (i64 in : {1, 7, 15, 16, 17, 33, 300})
                for (i64 out : {1, 5, 8, 16, 17, 64, 130}) {
                    LinearDesc d;
                    d.in_features = in, d.out_features = out, d.bias = (in + out) % 2 == 0;
                    Shape xs{m, in};
                    const float bound = 1.0f / std::sqrt(float(in));
                    auto x = uniform(m * in, 1), w = uniform(out * in, 2, -bound, bound),
                         b = uniform(out, 3, -bound, bound);
                    std::vector<float> yr(m * out), y1(m * out), y2(m * out);
                    CAPTURE(arch, m, in, out, d.bias);
                    K::run(ref_ctx(), d,
                           K::Io{{xs}, {x.data()}, {w.data(), b.data()}, {}, yr.data()});
                    REQUIRE(S::run(simd_ctx(1), d,
                                   K::Io{{xs}, {x.data()}, {w.data(), b.data()}, {}, y1.data()}));
                    REQUIRE(S::run(simd_ctx(2), d,
                                   K::Io{{xs}, {x.data()}, {w.data(), b.data()}, {}, y2.data()}));
                    REQUIRE(first_far(y1, yr, 1e-4, 1e-5) == -1);
                    REQUIRE(first_bit_diff(y2, y1) == -1);
                }
    }
}

TEST_CASE("SIMD BatchNorm (eval) equals the reference bit for bit", "[simd]") {
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        for (Shape xs : {Shape{1, 3, 5, 7}, Shape{3, 17, 4, 4}, Shape{2, 64, 33, 1}, Shape{5, 15},
                         Shape{2, 16, 40}}) {
            for (bool affine : {true, false}) {
                const i64 c = xs[1];
                BatchNormDesc d;
                d.num_features = c, d.affine = affine, d.eps = 1e-3;
                auto x = uniform(numel(xs), 1, -5.0f, 5.0f), w = uniform(c, 2), b = uniform(c, 3);
                auto mean = uniform(c, 4), var = uniform(c, 5, 0.1f, 3.0f);
                std::vector<float> yr(numel(xs)), yv(numel(xs));
                CAPTURE(arch, xs, affine);
                K::run(ref_ctx(), d,
                       K::Io{{xs},
                             {x.data()},
                             {w.data(), b.data(), mean.data(), var.data()},
                             {},
                             yr.data()});
                bool ran = S::run(simd_ctx(2), d,
                                  K::Io{{xs},
                                        {x.data()},
                                        {w.data(), b.data(), mean.data(), var.data()},
                                        {},
                                        yv.data()});
                // PyTorch's result is fused (fma); without an FMA instruction the SIMD side
                // declines and the reference runs.
                REQUIRE(ran == (arch != "sse2"));
                if (ran) REQUIRE(first_bit_diff(yv, yr) == -1);
            }
        }
    }
}

TEST_CASE("SIMD activations and Add agree with the reference", "[simd]") {
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        for (i64 len : {1, 15, 16, 17, 33, 5000, 9001}) {
            Shape shape{len};
            auto x = uniform(len, std::uint32_t(len), -8.0f, 8.0f);
            if (len > 4) {
                x[0] = kNaN, x[1] = -0.0f, x[2] = kInf, x[3] = -kInf;
            }
            struct Act {
                Activation act;
                bool exact;
            };
            for (Act a : {Act{Activation::Identity, true}, Act{Activation::ReLU, true},
                          Act{Activation::ReLU6, true}, Act{Activation::LeakyReLU, true},
                          Act{Activation::Hardswish, true}, Act{Activation::Hardsigmoid, true},
                          Act{Activation::Sigmoid, false}, Act{Activation::Tanh, false},
                          Act{Activation::SiLU, false}, Act{Activation::Hardtanh, true},
                          Act{Activation::Threshold, true}, Act{Activation::Hardshrink, true},
                          Act{Activation::Softshrink, true}, Act{Activation::Softsign, true}}) {
                ElementwiseDesc d;
                d.act = a.act;
                d.negative_slope = 0.2;
                d.a = 0.5, d.b = 2.0; // Hardtanh(0.5, 2), Threshold(0.5, 2), the shrinks' lambd
                std::vector<float> yr(len), yv(len), yi(x);
                CAPTURE(arch, len, int(a.act));
                K::run(ref_ctx(), d, K::Io{{shape}, {x.data()}, {}, shape, yr.data()});
                REQUIRE(S::run(simd_ctx(2), d, K::Io{{shape}, {x.data()}, {}, shape, yv.data()}));
                REQUIRE(S::run(simd_ctx(1), d,
                               K::Io{{shape}, {yi.data()}, {}, shape, yi.data()})); // in place
                if (a.exact) {
                    // The same value; the sign of a zero is PyTorch's (relu(-0) is -0 in
                    // PyTorch's vectorised kernel).
                    REQUIRE(first_value_diff(yv, yr) == -1);
                } else {
                    REQUIRE(first_far(yv, yr, 4e-6, 1e-7) == -1);
                }
                REQUIRE(first_bit_diff(yi, yv) == -1);
            }
            // PReLU: one weight, and one per channel of a (2, 3, len) input.
            for (std::int64_t c : {std::int64_t(1), std::int64_t(3)}) {
                ElementwiseDesc d;
                d.act = Activation::PReLU;
                d.num_parameters = c;
                const Shape s3{2, 3, len};
                auto x3 = uniform(6 * len, std::uint32_t(len + c), -8.0f, 8.0f);
                x3[0] = kNaN, x3[1] = -0.0f, x3[2] = kInf, x3[3] = -kInf;
                const std::vector<float> w = {0.25f, -0.5f, 0.0f};
                std::vector<float> yr(6 * len), yv(6 * len);
                CAPTURE(arch, len, c);
                K::run(ref_ctx(), d, K::Io{{s3}, {x3.data()}, {w.data()}, s3, yr.data()});
                REQUIRE(
                    S::run(simd_ctx(2), d, K::Io{{s3}, {x3.data()}, {w.data()}, s3, yv.data()}));
                REQUIRE(first_bit_diff(yv, yr) == -1);
            }
            auto b = uniform(len, 77);
            std::vector<float> yr(len), yv(len);
            K::run(ref_ctx(), BinaryDesc{},
                   K::Io{{shape, shape}, {x.data(), b.data()}, {}, shape, yr.data()});
            REQUIRE(S::run(simd_ctx(2), BinaryDesc{},
                           K::Io{{shape, shape}, {x.data(), b.data()}, {}, shape, yv.data()}));
            REQUIRE(first_bit_diff(yv, yr) == -1);
        }
    }
}

TEST_CASE("SIMD on large inputs: 2 threads give the bits of 1 thread and the reference", "[simd]") {
    // Large enough that every kernel really splits its work between the two threads.
    const Shape xs{2, 48, 112, 112};
    auto x = ties(numel(xs), 9, 0.0);
    x[12345] = kNaN; // one plane takes the exact NaN path after the fast one
    for (bool is_max : {true, false}) {
        PoolDesc d;
        d.kind = is_max ? PoolKind::Max : PoolKind::Avg;
        d.kernel = {3, 3}, d.stride = {2, 2}, d.padding = {1, 1}, d.dilation = {1, 1};
        const Shape ys{2, 48, 56, 56};
        std::vector<float> yr(numel(ys)), y1(numel(ys)), y2(numel(ys));
        CAPTURE(is_max);
        K::run(ref_ctx(), d, K::Io{{xs}, {x.data()}, {}, ys, yr.data(), nullptr});
        REQUIRE(S::run(simd_ctx(1), d, K::Io{{xs}, {x.data()}, {}, ys, y1.data(), nullptr}));
        REQUIRE(S::run(simd_ctx(2), d, K::Io{{xs}, {x.data()}, {}, ys, y2.data(), nullptr}));
        REQUIRE(first_bit_diff(y1, yr) == -1);
        REQUIRE(first_bit_diff(y2, y1) == -1);

        AdaptivePoolDesc ad;
        ad.is_max = is_max;
        ad.output_size = {7, 5};
        const Shape as{2, 48, 7, 5};
        std::vector<float> ar(numel(as)), a1(numel(as)), a2(numel(as));
        K::run(ref_ctx(), ad, K::Io{{xs}, {x.data()}, {}, as, ar.data(), nullptr});
        REQUIRE(S::run(simd_ctx(1), ad, K::Io{{xs}, {x.data()}, {}, as, a1.data(), nullptr}));
        REQUIRE(S::run(simd_ctx(2), ad, K::Io{{xs}, {x.data()}, {}, as, a2.data(), nullptr}));
        REQUIRE(first_bit_diff(a1, ar) == -1);
        REQUIRE(first_bit_diff(a2, a1) == -1);
    }
    ElementwiseDesc ed;
    ed.act = Activation::SiLU;
    std::vector<float> e1(x.size()), e2(x.size());
    REQUIRE(S::run(simd_ctx(1), ed, K::Io{{xs}, {x.data()}, {}, xs, e1.data()}));
    REQUIRE(S::run(simd_ctx(2), ed, K::Io{{xs}, {x.data()}, {}, xs, e2.data()}));
    REQUIRE(first_bit_diff(e2, e1) == -1);
}

// ---------------------------------------------------------------------------------------------
// Constant padding, torch.cat and Upsample: copies give the reference's bits by construction;
// the interpolating modes compute the same weights and the same float operations in the same
// order, so they must agree bit for bit too (a NaN's payload excepted).

namespace {

const int kResampleWidths[] = {1, 3, 7, 8, 15, 16, 17, 33, 64};
const int kResampleChannels[] = {1, 3, 16, 17};

// Same bits, or both NaN: which NaN operand's payload survives an fma is the hardware's choice.
i64 first_bit_diff_nan(const std::vector<float>& a, const std::vector<float>& b) {
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same_bits(a[i], b[i]) && !(std::isnan(a[i]) && std::isnan(b[i]))) return i64(i);
    return -1;
}

// Uniform values, with NaN, +-inf and -0 sprinkled in when `specials`.
std::vector<float> with_specials(i64 n, std::uint32_t seed, bool specials) {
    auto v = uniform(n, seed, -4.0f, 4.0f);
    if (specials && n > 0) {
        std::mt19937 rng(seed + 1);
        for (i64 k = 0; k < std::max<i64>(1, n / 40); ++k) {
            float& x = v[std::size_t(rng() % std::uint32_t(n))];
            const std::uint32_t r = rng() % 4;
            x = r == 0 ? kNaN : r == 1 ? kInf : r == 2 ? -kInf : -0.0f;
        }
    }
    return v;
}

bool is_linear_mode(UpsampleMode m) {
    return m == UpsampleMode::Linear || m == UpsampleMode::Bilinear || m == UpsampleMode::Trilinear;
}
bool is_nearest_mode(UpsampleMode m) {
    return m == UpsampleMode::Nearest || m == UpsampleMode::NearestExact;
}

// The reference against the SIMD kernel at 1 and 2 threads. The SIMD side must run (not
// decline) except where it is documented to: the linear modes and bicubic without FMA (SSE2),
// whose fma(t0, w0, t1*w1) sums need one; area mode is
// the adaptive average pooling kernel, so it runs exactly when that kernel does (not in 3-d).
void check_upsample(const std::string& arch, const UpsampleDesc& d, const Shape& xs,
                    const Shape& ys, std::uint32_t seed, bool specials) {
    auto x = with_specials(numel(xs), seed, specials);
    std::vector<float> yr(numel(ys)), y1(numel(ys), 7.0f), y2(numel(ys), -7.0f);
    CAPTURE(arch, int(d.mode), xs, ys, d.scale_factor, d.align_corners, specials);
    K::run(ref_ctx(), d, K::Io{{xs}, {x.data()}, {}, ys, yr.data()});
    bool expect = !((is_linear_mode(d.mode) || d.mode == UpsampleMode::Bicubic) && arch == "sse2");
    if (d.mode == UpsampleMode::Area) {
        AdaptivePoolDesc a;
        a.nd = int(xs.size()) - 2;
        a.output_size = Shape(ys.begin() + 2, ys.end());
        expect = S::run(simd_ctx(1), a, K::Io{{xs}, {x.data()}, {}, ys, y1.data(), nullptr});
        if (xs.size() == 5) REQUIRE_FALSE(expect);
    }
    REQUIRE(S::run(simd_ctx(1), d, K::Io{{xs}, {x.data()}, {}, ys, y1.data()}) == expect);
    REQUIRE(S::run(simd_ctx(2), d, K::Io{{xs}, {x.data()}, {}, ys, y2.data()}) == expect);
    if (!expect) return;
    if (is_nearest_mode(d.mode) || d.mode == UpsampleMode::Area)
        REQUIRE(first_bit_diff(y1, yr) == -1);
    else
        REQUIRE(first_bit_diff_nan(y1, yr) == -1);
    REQUIRE(first_bit_diff(y2, y1) == -1);
    // Through the dispatcher too.
    std::vector<float> yd(numel(ys), 3.0f);
    K::run(simd_ctx(2), d, K::Io{{xs}, {x.data()}, {}, ys, yd.data()});
    REQUIRE(first_bit_diff(yd, y1) == -1);
}

} // namespace

TEST_CASE("SIMD Upsample is the reference bit for bit: modes, align_corners, scales, 1d-3d",
          "[simd]") {
    ArchGuard guard;
    struct ModeNd {
        UpsampleMode mode;
        int nd;
    };
    const ModeNd modes[] = {{UpsampleMode::Nearest, 1},      {UpsampleMode::Nearest, 2},
                            {UpsampleMode::Nearest, 3},      {UpsampleMode::NearestExact, 1},
                            {UpsampleMode::NearestExact, 2}, {UpsampleMode::NearestExact, 3},
                            {UpsampleMode::Linear, 1},       {UpsampleMode::Bilinear, 2},
                            {UpsampleMode::Bicubic, 2},      {UpsampleMode::Trilinear, 3},
                            {UpsampleMode::Area, 1},         {UpsampleMode::Area, 2},
                            {UpsampleMode::Area, 3}};
    const double kScales[] = {0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 1.0 / 3, 1.7};
    int cases = 0;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        std::mt19937 rng(2024);
        auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
        for (const ModeNd& m : modes) {
            const bool interp = !is_nearest_mode(m.mode) && m.mode != UpsampleMode::Area;
            for (bool align : {false, true}) {
                if (align && !interp) continue; // PyTorch allows align_corners only there
                for (int w : kResampleWidths) {
                    for (int rep = 0; rep < 3; ++rep) {
                        UpsampleDesc d;
                        d.mode = m.mode;
                        d.align_corners = align;
                        const i64 n = pick(0, 3) == 0 ? 2 : 1;
                        const i64 c = kResampleChannels[pick(0, 3)];
                        Shape xs{n, c}, ys{n, c};
                        std::vector<double> sf;
                        for (int a = 0; a < m.nd; ++a) {
                            const i64 in = a + 1 == m.nd ? w
                                           : m.nd == 3 && a == 0
                                               ? std::vector<i64>{1, 2, 4}[pick(0, 2)]
                                               : std::vector<i64>{1, 2, 5, 8}[pick(0, 3)];
                            i64 out;
                            if (rep < 2) { // by scale factor: floor(in * s), at least 1
                                double s = kScales[pick(0, 8)];
                                if (std::floor(double(in) * s) < 1) s = 2.0;
                                sf.push_back(s);
                                out = i64(std::floor(double(in) * s));
                            } else { // explicit size
                                out = pick(1, int(2 * in + 3));
                            }
                            xs.push_back(in);
                            ys.push_back(out);
                        }
                        // rep 0: the user's factors are used; rep 1: recompute_scale_factor
                        // (the kernel sees only the sizes), as for an explicit size.
                        if (rep == 0 && m.mode != UpsampleMode::Area) d.scale_factor = sf;
                        d.output_size = Shape(ys.begin() + 2, ys.end());
                        check_upsample(arch, d, xs, ys, std::uint32_t(rng()), pick(0, 3) == 0);
                        ++cases;
                    }
                }
            }
        }
        // The special paths of nearest: exactly 2x (each element twice), the same size (a copy),
        // and rows repeated along H and D.
        for (UpsampleMode mode : {UpsampleMode::Nearest, UpsampleMode::NearestExact})
            for (int w : kResampleWidths) {
                UpsampleDesc d;
                d.mode = mode;
                d.scale_factor = {2.0, 2.0, 2.0};
                check_upsample(arch, d, {1, 3, 2, 3, w}, {1, 3, 4, 6, 2 * w}, 5, true);
                d.scale_factor = {3.0, 1.0};
                check_upsample(arch, d, {2, 17, 4, w}, {2, 17, 12, w}, 6, true);
                d.scale_factor = {};
                check_upsample(arch, d, {1, 16, 5, w}, {1, 16, 3, w + 1}, 7, false);
                cases += 3;
            }
    }
    CHECK(cases > 500);
}

TEST_CASE("SIMD ConstantPad is the reference bit for bit: crops, mixed pads, ranks 1-5", "[simd]") {
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        std::mt19937 rng(77);
        auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
        const double kValues[] = {0.0, 2.5, -1.25, -0.0, std::nan("")};
        for (int w : kResampleWidths) {
            for (int c : kResampleChannels) {
                for (int rep = 0; rep < 4; ++rep) {
                    const int rank = rep == 0 ? pick(1, 2) : pick(3, 5);
                    Shape xs;
                    for (int a = 0; a < rank; ++a)
                        xs.push_back(a + 1 == rank                ? w
                                     : a + 2 == rank || rank == 2 ? pick(1, 6)
                                     : a == rank - 3              ? c
                                                                  : pick(1, 2));
                    PadDesc d;
                    d.value = kValues[pick(0, 4)];
                    const int pairs = pick(1, std::min(rank, 3));
                    Shape ys = xs;
                    for (int p = 0; p < pairs; ++p) {
                        const std::size_t a = std::size_t(rank - 1 - p);
                        i64 l = pick(-3, 4), r = pick(-3, 4);
                        while (xs[a] + l + r < 1)
                            ++r;
                        d.pad.push_back(l);
                        d.pad.push_back(r);
                        ys[a] = xs[a] + l + r;
                    }
                    auto x = with_specials(numel(xs), std::uint32_t(rng()), true);
                    std::vector<float> yr(numel(ys)), y1(numel(ys), 7.0f), y2(numel(ys), 7.0f);
                    CAPTURE(arch, xs, ys, d.pad, d.value);
                    K::run(ref_ctx(), d, K::Io{{xs}, {x.data()}, {}, ys, yr.data()});
                    REQUIRE(S::run(simd_ctx(1), d, K::Io{{xs}, {x.data()}, {}, ys, y1.data()}));
                    REQUIRE(S::run(simd_ctx(2), d, K::Io{{xs}, {x.data()}, {}, ys, y2.data()}));
                    REQUIRE(first_bit_diff(y1, yr) == -1);
                    REQUIRE(first_bit_diff(y2, yr) == -1);
                }
            }
        }
    }
}

TEST_CASE("SIMD torch.cat equals the reference bit for bit along every dim", "[simd]") {
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        std::mt19937 rng(31);
        auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
        for (int rank : {1, 3, 4}) {
            for (int dim = 0; dim < rank; ++dim) {
                for (int w : kResampleWidths) {
                    const int c = kResampleChannels[pick(0, 3)];
                    Shape base = rank == 1   ? Shape{w}
                                 : rank == 3 ? Shape{2, c, w}
                                             : Shape{2, c, pick(1, 3), w};
                    const int count = pick(1, 3);
                    std::vector<Shape> shapes;
                    std::vector<std::vector<float>> data;
                    Shape ys = base;
                    ys[std::size_t(dim)] = 0;
                    for (int t = 0; t < count; ++t) {
                        Shape s = base;
                        // Sizes along dim, including an empty tensor now and then.
                        s[std::size_t(dim)] = t == 1 && pick(0, 2) == 0 ? 0 : pick(1, 5);
                        ys[std::size_t(dim)] += s[std::size_t(dim)];
                        shapes.push_back(s);
                        data.push_back(with_specials(numel(s), std::uint32_t(rng()), true));
                    }
                    if (numel(ys) == 0) continue;
                    std::vector<const float*> xs;
                    for (auto& v : data)
                        xs.push_back(v.data());
                    ConcatDesc d;
                    d.dim = dim;
                    std::vector<float> yr(numel(ys)), y1(numel(ys), 7.0f), y2(numel(ys), 7.0f);
                    CAPTURE(arch, rank, dim, ys, count);
                    K::run(ref_ctx(), d, K::Io{shapes, xs, {}, ys, yr.data()});
                    REQUIRE(S::run(simd_ctx(1), d, K::Io{shapes, xs, {}, ys, y1.data()}));
                    REQUIRE(S::run(simd_ctx(2), d, K::Io{shapes, xs, {}, ys, y2.data()}));
                    REQUIRE(first_bit_diff(y1, yr) == -1);
                    REQUIRE(first_bit_diff(y2, yr) == -1);
                }
            }
        }
    }
}

TEST_CASE("SIMD pad, cat, upsample on large inputs: 2 threads = 1 thread = the reference",
          "[simd]") {
    ArchGuard guard;
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        const Shape xs{2, 32, 56, 56};
        auto x = with_specials(numel(xs), 3, true);
        for (UpsampleMode mode :
             {UpsampleMode::Nearest, UpsampleMode::Bilinear, UpsampleMode::Bicubic}) {
            for (bool align : {false, true}) {
                UpsampleDesc d;
                d.mode = mode;
                d.align_corners = align && mode != UpsampleMode::Nearest;
                d.scale_factor = {2.0, 2.0};
                check_upsample(arch, d, xs, {2, 32, 112, 112}, 4, true);
                d.scale_factor = {};
                check_upsample(arch, d, xs, {2, 32, 37, 61}, 5, false);
            }
        }
        PadDesc pd;
        pd.pad = {1, 2, -3, 1};
        pd.value = -0.5;
        const Shape ps{2, 32, 54, 59};
        std::vector<float> pr(numel(ps)), p1(numel(ps)), p2(numel(ps));
        K::run(ref_ctx(), pd, K::Io{{xs}, {x.data()}, {}, ps, pr.data()});
        REQUIRE(S::run(simd_ctx(1), pd, K::Io{{xs}, {x.data()}, {}, ps, p1.data()}));
        REQUIRE(S::run(simd_ctx(2), pd, K::Io{{xs}, {x.data()}, {}, ps, p2.data()}));
        CHECK(first_bit_diff(p1, pr) == -1);
        CHECK(first_bit_diff(p2, pr) == -1);
        auto x2 = with_specials(numel(xs), 4, true);
        for (i64 dim : {1, 3}) {
            ConcatDesc cd;
            cd.dim = dim;
            Shape cs = xs;
            cs[std::size_t(dim)] *= 2;
            std::vector<float> cr(numel(cs)), c1(numel(cs)), c2(numel(cs));
            K::run(ref_ctx(), cd, K::Io{{xs, xs}, {x.data(), x2.data()}, {}, cs, cr.data()});
            REQUIRE(
                S::run(simd_ctx(1), cd, K::Io{{xs, xs}, {x.data(), x2.data()}, {}, cs, c1.data()}));
            REQUIRE(
                S::run(simd_ctx(2), cd, K::Io{{xs, xs}, {x.data(), x2.data()}, {}, cs, c2.data()}));
            CHECK(first_bit_diff(c1, cr) == -1);
            CHECK(first_bit_diff(c2, cr) == -1);
        }
    }
}

TEST_CASE("a network of pads, negative-dim cats and upsampling: SIMD = reference backend",
          "[simd]") {
    ArchGuard guard;
    Network net = load_spec_json(R"({"name": "t", "input": [2, 3, 5, 7], "layers": [
        {"name": "a", "type": "ConstantPad2d", "padding": [1, 2, -1, 0], "value": 1.5},
        {"name": "b", "type": "ZeroPad2d", "padding": [2, 1, 0, -1], "inputs": ["input"]},
        {"name": "cat", "type": "Concat", "dim": -1, "inputs": ["a", "b"]},
        {"name": "up", "type": "Upsample", "scale_factor": 2, "mode": "bilinear",
         "align_corners": true},
        {"name": "up2", "type": "Upsample", "size": [5, 9], "mode": "bicubic"},
        {"name": "up3", "type": "Upsample", "scale_factor": 1.5, "mode": "nearest"},
        {"name": "cat2", "type": "Concat", "dim": -3, "inputs": ["up3", "up3"]}]})");
    Plan plan = make_plan(net, *net.input);
    REQUIRE(plan.output == Shape{2, 6, 7, 13});
    for (auto& lp : plan.layers)
        if (lp.name == "cat") CHECK(std::get<ConcatDesc>(lp.exec).dim == 3);
    Tensor x(plan.input);
    auto v = with_specials(i64(x.data.size()), 8, false);
    std::copy(v.begin(), v.end(), x.data.begin());
    RunOptions opt;
    opt.kernels = ref_ctx();
    RunResult r = execute(plan, init_weights(plan, 0), x, opt);
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        opt.kernels = simd_ctx(2);
        RunResult s = execute(plan, init_weights(plan, 0), x, opt);
        CAPTURE(arch);
        REQUIRE(s.output.shape == r.output.shape);
        std::vector<float> so(s.output.data.begin(), s.output.data.end()),
            ro(r.output.data.begin(), r.output.data.end());
        CHECK(first_bit_diff_nan(so, ro) == -1);
    }
}

TEST_CASE("SIMD binary ops give the reference's bits on every architecture", "[simd]") {
    ArchGuard guard;
    struct Pair {
        Shape a, b, y;
    };
    // Same shapes, the SE gate either side, a number, a [N, 1, H, W] map (the reference's) and
    // rank broadcasting (the reference's), around the vector widths.
    const std::vector<Pair> pairs = {{{2, 3, 17, 5}, {2, 3, 17, 5}, {2, 3, 17, 5}},
                                     {{1, 9, 33}, {1, 9, 1}, {1, 9, 33}},
                                     {{2, 4, 1, 1}, {2, 4, 7, 9}, {2, 4, 7, 9}},
                                     {{31}, {1}, {31}},
                                     {{2, 5, 6, 6}, {2, 1, 6, 6}, {2, 5, 6, 6}},
                                     {{2, 1, 5}, {2, 5}, {2, 2, 5}},
                                     {{3, 70000}, {3, 1}, {3, 70000}}};
    struct Op {
        BinaryOp op;
        float alpha;
        Rounding r;
    };
    const std::vector<Op> ops = {
        {BinaryOp::Add, 1, Rounding::None},    {BinaryOp::Sub, 1, Rounding::None},
        {BinaryOp::Mul, 1, Rounding::None},    {BinaryOp::Div, 1, Rounding::None},
        {BinaryOp::Add, 2.5f, Rounding::None}, {BinaryOp::Sub, -0.3f, Rounding::None},
        {BinaryOp::Div, 1, Rounding::Floor}};
    for (const auto& arch : S::available_archs()) {
        S::force_arch(arch);
        for (const Pair& p : pairs)
            for (const Op& o : ops)
                for (bool scalar : {false, true}) {
                    CAPTURE(arch, p.a, p.b, int(o.op), o.alpha, int(o.r), scalar);
                    auto a = ties(numel(p.a), 3);
                    auto b = uniform(numel(p.b), 4, -3.0f, 3.0f);
                    b[0] = 0.0f; // x / 0 and x // 0
                    BinaryDesc d;
                    d.op = o.op;
                    d.alpha = o.alpha;
                    d.rounding = o.r;
                    d.scalar_other = scalar;
                    d.other = 0.7f;
                    const Shape& ys = scalar ? p.a : p.y;
                    K::Io io{scalar ? std::vector<Shape>{p.a} : std::vector<Shape>{p.a, p.b},
                             scalar ? std::vector<const float*>{a.data()}
                                    : std::vector<const float*>{a.data(), b.data()},
                             {},
                             ys,
                             nullptr};
                    std::vector<float> yr(numel(ys)), yv(numel(ys), kNaN);
                    io.out = yr.data();
                    K::run(ref_ctx(), d, io);
                    io.out = yv.data();
                    K::run(simd_ctx(2), d, io); // the SIMD kernel where it takes the case
                    REQUIRE(first_bit_diff(yv, yr) == -1);
                }
    }
}
