// PyTorch's CPU random numbers, bit for bit (see random.hpp).
//
// What Debian's torch 1.13 does on an x86-64 CPU with AVX2 (its CPU capability there), checked
// against its outputs (tests/data/tensors/random.json) and its machine code:
// * mt19937 seeded with the low 32 bits of the seed; random64() = first draw << 32 | second draw.
// * float uniform: (draw & 0xffffff) * 2^-24, then fma(x, to - from, from) in float, where from
//   and to are first rounded to float (GCC contracts x * (to - from) + from into one FMA).
// * randn with fewer than 16 elements: at::normal_distribution<double> per element: two 53-bit
//   uniforms u1, u2, r = sqrt(-2 log(1 - u2)) (log, not log1p), theta = 2 pi u1, r cos(theta)
//   now and r sin(theta) cached in the generator for the next call; the value is
//   fma(v, std, mean) in double, then rounded to float.
// * randn with 16 or more elements: n float uniforms, then normal_fill_16_AVX2 on each block of
//   16 (and on 16 fresh uniforms over the last 16 elements when n % 16 != 0). That kernel uses
//   the Cephes-style log256_ps and sincos256_ps of avx_mathfun.h, and GCC fused many of their
//   multiply-adds into FMAs; every step below is the operation the shipped code performs, in
//   the same order, lane by lane.
#include "cnnshape/random.hpp"
#include "cnnshape/error.hpp"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

// The arithmetic here must be exactly the operations written: no contraction into FMAs by the
// compiler (explicit std::fma calls are the only fused operations).
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace cnnshape {

namespace {

constexpr double kPi = 3.14159265358979323846;

std::uint32_t bits_of(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

float float_of(std::uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

// at::uniform_real_distribution<float>(from, to): 24 random bits.
float uniform_float(TorchGenerator& g, float from, float to) {
    float x = float(g.random() & 0xffffffu) * (1.0f / 16777216.0f);
    return std::fma(x, to - from, from);
}

// at::uniform_real_distribution<double>(0, 1): 53 random bits.
double uniform_double(TorchGenerator& g) {
    std::uint64_t v = g.random64() & ((std::uint64_t(1) << 53) - 1);
    return double(v) * (1.0 / 9007199254740992.0);
}

// at::normal_distribution<double>(mean, std)(generator).
double normal_double(TorchGenerator& g, double mean, double stdv) {
    if (g.next_double_normal) {
        double v = *g.next_double_normal;
        g.next_double_normal.reset();
        return std::fma(v, stdv, mean);
    }
    const double u1 = uniform_double(g);
    const double u2 = uniform_double(g);
    const double r = std::sqrt(-2.0 * std::log(1.0 - u2));
    const double theta = 2.0 * kPi * u1;
    g.next_double_normal = r * std::sin(theta);
    return std::fma(r * std::cos(theta), stdv, mean);
}

// log256_ps of avx_mathfun.h for one lane, as compiled (FMAs where GCC put them).
float cephes_logf(float x0) {
    const bool invalid = x0 <= 0.0f; // _CMP_LE_OS: false for NaN
    // vmaxps(x, min_norm_pos) returns its second operand unless x is greater (so also for NaN).
    float x = x0 > float_of(0x00800000u) ? x0 : float_of(0x00800000u);
    std::int32_t imm0 = std::int32_t(bits_of(x) >> 23);
    x = float_of((bits_of(x) & ~0x7f800000u) | bits_of(0.5f));
    imm0 -= 0x7f;
    float e = float(imm0);
    e = e + 1.0f;
    const bool mask = x < 0.707106781186547524f;
    const float tmp = mask ? x : 0.0f;
    x = x + -1.0f;
    e = e - (mask ? 1.0f : 0.0f);
    const float eq1 = e * -2.12194440e-4f;
    x = tmp + x;
    float y = 7.0376836292E-2f;
    y = std::fma(x, y, -1.1514610310E-1f);
    y = std::fma(x, y, 1.1676998740E-1f);
    y = std::fma(x, y, -1.2420140846E-1f);
    y = std::fma(x, y, 1.4249322787E-1f);
    y = std::fma(x, y, -1.6668057665E-1f);
    y = std::fma(x, y, 2.0000714765E-1f);
    y = std::fma(x, y, -2.4999993993E-1f);
    y = std::fma(x, y, 3.3333331174E-1f);
    const float z = x * x;
    y = x * y;
    y = std::fma(y, z, eq1);
    y = std::fma(-z, 0.5f, y);
    x = x + y;
    x = std::fma(e, 0.693359375f, x);
    return invalid ? float_of(0xffffffffu) : x; // or'ed with an all-ones mask: a NaN
}

// sincos256_ps of avx_mathfun.h for one lane, as compiled.
void cephes_sincosf(float theta, float* s, float* c) {
    std::uint32_t sign_sin = bits_of(theta) & 0x80000000u;
    float x = float_of(bits_of(theta) & 0x7fffffffu);
    float y = x * 1.27323954473516f;  // 4 / pi
    std::int32_t j = std::int32_t(y); // cvttps (in range for the arguments used: |x| < 2 pi)
    j = (j + 1) & ~1;
    y = float(j);
    const std::uint32_t swap_sin = std::uint32_t(j & 4) << 29;
    const bool poly = (j & 2) == 0;
    const std::uint32_t sign_cos = std::uint32_t(~(j - 2) & 4) << 29;
    x = std::fma(y, -0.78515625f, x);
    x = std::fma(y, -2.4187564849853515625e-4f, x);
    x = std::fma(y, -3.77489497744594108e-8f, x);
    sign_sin ^= swap_sin;
    const float z = x * x;
    float yc = std::fma(z, 2.443315711809948E-005f, -1.388731625493765E-003f);
    yc = std::fma(z, yc, 4.166664568298827E-002f);
    const float half_z = z * 0.5f;
    yc = z * yc;
    yc = std::fma(yc, z, -half_z);
    float ys = std::fma(-1.9515295891E-4f, z, 8.3321608736E-3f);
    ys = std::fma(z, ys, -1.6666654611E-1f);
    yc = yc + 1.0f;
    ys = z * ys;
    ys = std::fma(ys, x, x);
    const float ysin2 = poly ? ys : 0.0f;
    const float ysin1 = poly ? 0.0f : yc;
    const float y2 = ys - ysin2;
    const float y1 = yc - ysin1;
    const float sin_v = ysin2 + ysin1;
    const float cos_v = y2 + y1;
    *s = float_of(bits_of(sin_v) ^ sign_sin);
    *c = float_of(bits_of(cos_v) ^ sign_cos);
}

// normal_fill_16_AVX2: data[0..8) and data[8..16) hold uniforms; they become normals.
void normal_fill_16(float* data, float mean, float stdv) {
    const float two_pi = float(2.0f * kPi);
    for (int j = 0; j < 8; ++j) {
        const float u1 = 1.0f - data[j];
        const float theta = two_pi * data[j + 8];
        const float radius = std::sqrt(cephes_logf(u1) * -2.0f);
        float s, c;
        cephes_sincosf(theta, &s, &c);
        const float n1 = radius * c;
        const float n2 = radius * s;
        data[j] = std::fma(n1, stdv, mean);
        data[j + 8] = std::fma(n2, stdv, mean);
    }
}

} // namespace

TorchGenerator::TorchGenerator(std::uint64_t seed) {
    state_[0] = std::uint32_t(seed & 0xffffffffu);
    for (int j = 1; j < 624; ++j)
        state_[j] = 1812433253u * (state_[j - 1] ^ (state_[j - 1] >> 30)) + std::uint32_t(j);
    index_ = 624;
}

std::uint32_t TorchGenerator::random() {
    if (index_ >= 624) {
        for (int k = 0; k < 624; ++k) {
            std::uint32_t y = (state_[k] & 0x80000000u) | (state_[(k + 1) % 624] & 0x7fffffffu);
            std::uint32_t v = state_[(k + 397) % 624] ^ (y >> 1);
            if (y & 1u) v ^= 0x9908b0dfu;
            state_[k] = v;
        }
        index_ = 0;
    }
    std::uint32_t y = state_[index_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

std::uint64_t TorchGenerator::random64() {
    std::uint32_t hi = random();
    std::uint32_t lo = random();
    return (std::uint64_t(hi) << 32) | lo;
}

void fill_normal(TorchGenerator& g, float* data, std::int64_t n, double mean, double stdv) {
    if (n >= 16) {
        for (std::int64_t i = 0; i < n; ++i)
            data[i] = uniform_float(g, 0.0f, 1.0f);
        const float m = float(mean), s = float(stdv);
        for (std::int64_t i = 0; i < n - 15; i += 16)
            normal_fill_16(data + i, m, s);
        if (n % 16 != 0) {
            float* last = data + n - 16;
            for (int i = 0; i < 16; ++i)
                last[i] = uniform_float(g, 0.0f, 1.0f);
            normal_fill_16(last, m, s);
        }
        return;
    }
    for (std::int64_t i = 0; i < n; ++i)
        data[i] = float(normal_double(g, mean, stdv));
}

void fill_randn(TorchGenerator& g, float* data, std::int64_t n) {
    fill_normal(g, data, n, 0.0, 1.0);
}

void fill_rand(TorchGenerator& g, float* data, std::int64_t n) {
    fill_uniform(g, data, n, 0.0, 1.0);
}

void fill_uniform(TorchGenerator& g, float* data, std::int64_t n, double from, double to) {
    const float f = float(from), t = float(to);
    for (std::int64_t i = 0; i < n; ++i)
        data[i] = uniform_float(g, f, t);
}

std::uint64_t parse_manual_seed(const std::string& text) {
    std::size_t b = 0, e = text.size();
    while (b < e && std::isspace(static_cast<unsigned char>(text[b])))
        ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1])))
        --e;
    const std::string t = text.substr(b, e - b);
    std::size_t i = 0;
    bool negative = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) negative = t[i++] == '-';
    if (i == t.size()) throw UsageError("seed '" + t + "' is not an integer");
    // Digits into a magnitude, remembering whether it passed 2^64 - 1.
    std::uint64_t v = 0;
    bool over = false;
    for (; i < t.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(t[i])))
            throw UsageError("seed '" + t + "' is not an integer");
        unsigned d = unsigned(t[i] - '0');
        if (v > (UINT64_MAX - d) / 10) over = true;
        if (!over) v = v * 10 + d;
    }
    const std::uint64_t int64_min_magnitude = std::uint64_t(1) << 63;
    if (over || (negative && v > int64_min_magnitude))
        throw UsageError("seed " + t +
                         " is out of range: torch.manual_seed takes -9223372036854775808 to "
                         "18446744073709551615 and raises \"Overflow when unpacking long\"");
    return negative ? std::uint64_t(0) - v : v; // a negative int64's bits, as PyTorch keeps them
}

} // namespace cnnshape
