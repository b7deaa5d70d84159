// Elementwise activations.
#pragma once
#include "kernels/simd/common.hpp"

namespace cnnshape::kernels::simd {
namespace {

// ---------------------------------------------------------------------------------------------
// Elementwise activations.

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
    case Activation::Hardsigmoid: // min(max(x + 3, 0), 6) / 6, NaN propagating
        map_elements<Arch>(
            ctx, n, x, y,
            [&](const B& v) {
                B t = v + three;
                t = xsimd::select(t < zero, zero, t);
                t = xsimd::select(t > six, six, t);
                return t / six;
            },
            [](float v) {
                float t = v + 3.0f;
                t = t < 0.0f ? 0.0f : t;
                t = t > 6.0f ? 6.0f : t;
                return t / 6.0f;
            });
        return true;
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
    case Activation::Hardtanh: { // std::min(std::max(x, lo), hi), NaN kept
        const float lo = float(d.a), hi = float(d.b);
        const B vlo(lo), vhi(hi);
        map_elements<Arch>(
            ctx, n, x, y,
            [&](const B& v) {
                const B t = xsimd::select(v < vlo, vlo, v);
                return xsimd::select(vhi < t, vhi, t);
            },
            [lo, hi](float v) {
                const float t = v < lo ? lo : v;
                return hi < t ? hi : t;
            });
        return true;
    }
    case Activation::Threshold: {
        const float th = float(d.a), val = float(d.b);
        const B vth(th), vval(val);
        map_elements<Arch>(
            ctx, n, x, y, [&](const B& v) { return xsimd::select(v <= vth, vval, v); },
            [th, val](float v) { return v <= th ? val : v; });
        return true;
    }
    case Activation::Hardshrink: {
        const float l = float(d.a);
        const B vl(l), vml(-l);
        map_elements<Arch>(
            ctx, n, x, y,
            [&](const B& v) { return xsimd::select((v >= vml) & (v <= vl), zero, v); },
            [l](float v) { return (v >= -l && v <= l) ? 0.0f : v; });
        return true;
    }
    case Activation::Softshrink: { // NaN gives 0
        const float l = float(d.a);
        const B vl(l), vml(-l);
        map_elements<Arch>(
            ctx, n, x, y,
            [&](const B& v) {
                return xsimd::select(v > vl, v - vl, xsimd::select(v < vml, v + vl, zero));
            },
            [l](float v) { return v > l ? v - l : (v < -l ? v + l : 0.0f); });
        return true;
    }
    case Activation::Softsign: // input / (input.abs() + 1)
        map_elements<Arch>(
            ctx, n, x, y, [&](const B& v) { return v / (xsimd::abs(v) + one); },
            [](float v) { return v / (std::fabs(v) + 1.0f); });
        return true;
    default:
        return false; // GELU, Dropout, PReLU and the other transcendental ones: the reference
    }
}

// PReLU: x > 0 ? x : w[c] * x, one weight or one per dim-1 index (planes of `inner` elements).
template <class Arch>
bool prelu_impl(const Context& ctx, const ElementwiseDesc& d, const Shape& shape, const float* x,
                const float* w, float* y) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    const i64 n = product(shape, 0);
    if (n == 0) return true;
    const i64 c = d.num_parameters;
    const B zero(0.0f);
    if (c == 1) {
        const float w0 = w[0];
        const B vw(w0);
        map_elements<Arch>(
            ctx, n, x, y, [&](const B& v) { return xsimd::select(v > zero, v, vw * v); },
            [w0](float v) { return v > 0.0f ? v : w0 * v; });
        return true;
    }
    const i64 inner = product(shape, 2);
    const i64 planes = n / inner;
    parallel_for(ctx.threads, planes, grain_for(inner), [&](i64 p0, i64 p1) {
        for (i64 p = p0; p < p1; ++p) {
            const float wv = w[p % c];
            const B vw(wv);
            const float* xp = x + p * inner;
            float* yp = y + p * inner;
            i64 i = 0;
            for (; i + V <= inner; i += V) {
                const B v = B::load_unaligned(xp + i);
                xsimd::select(v > zero, v, vw * v).store_unaligned(yp + i);
            }
            for (; i < inner; ++i)
                yp[i] = xp[i] > 0.0f ? xp[i] : wv * xp[i];
        }
    });
    return true;
}

// The op's entry in the kernel table (kernels/simd/table.hpp).
template <class Arch>
bool simd_kernel(const Context& ctx, const ElementwiseDesc& d, const Io& io) {
    if (d.act == Activation::PReLU)
        return prelu_impl<Arch>(ctx, d, io.x_shape(), io.x(), io.param(0), io.out);
    return elementwise_impl<Arch>(ctx, d, io.x_shape(), io.x(), io.out);
}

} // namespace
} // namespace cnnshape::kernels::simd
