// Activations and other shape-preserving layers, written as aten's scalar CPU paths compute them
// in float. (PyTorch's vectorised paths use polynomial / SLEEF exp, erf and tanh, so the
// transcendental ones agree to a few ulp, not bit for bit.)
#include "kernels/ref/ref.hpp"
#include "cnnshape/error.hpp"
#include <cmath>
#include <limits>

namespace cnnshape::kernels::ref {
namespace {

float apply(const ElementwiseDesc& d, float x) {
    switch (d.act) {
    case Activation::Identity:
        return x;
    case Activation::ReLU:
        return x < 0.0f ? 0.0f : x; // NaN and -0 pass through, as in clamp_min(x, 0)
    case Activation::ReLU6:
        return std::isnan(x) ? x : std::min(std::max(x, 0.0f), 6.0f);
    case Activation::LeakyReLU:
        return x > 0 ? x : x * float(d.negative_slope);
    case Activation::GELU: {
        const float alpha = float(M_SQRT1_2);
        return x * 0.5f * (1.0f + std::erf(x * alpha));
    }
    case Activation::GELUTanh: {
        const float beta = float(M_SQRT2 * M_2_SQRTPI * 0.5);
        const float kappa = 0.044715f;
        float cube = x * x * x;
        float inner = beta * (x + kappa * cube);
        return float(0.5 * x * (1 + std::tanh(inner)));
    }
    case Activation::SiLU:
        return x / (1.0f + std::exp(-x));
    case Activation::Sigmoid:
        return 1.0f / (1.0f + std::exp(-x));
    case Activation::Tanh:
        return std::tanh(x);
    case Activation::Hardswish:
        return x * std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f;
    case Activation::Hardsigmoid: // std::max/min keep the NaN of x + 3, as PyTorch's do
        return std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f;
    case Activation::Hardtanh: { // clamp(x, a, b): std::min(std::max(x, a), b), NaN kept
        const float lo = float(d.a), hi = float(d.b);
        const float t = x < lo ? lo : x;
        return hi < t ? hi : t;
    }
    case Activation::ELU: // aten's elu: x <= 0 ? (exp(x * input_scale) - 1) * alpha * scale : ...
        if (x <= 0.0f) {
            const float negcoef = float(d.a) * float(d.scale);
            return (std::exp(x * float(d.input_scale)) - 1.0f) * negcoef;
        }
        return x * float(d.scale);
    case Activation::Mish:
        return x * std::tanh(std::log1p(std::exp(x)));
    case Activation::Softplus: {
        const float beta = float(d.a), threshold = float(d.b);
        return x * beta > threshold ? x : std::log1p(std::exp(x * beta)) / beta;
    }
    case Activation::Softsign: // F.softsign: input / (input.abs() + 1)
        return x / (std::fabs(x) + 1.0f);
    case Activation::Threshold:
        return x <= float(d.a) ? float(d.b) : x;
    case Activation::Hardshrink: {
        const float l = float(d.a);
        return (x >= -l && x <= l) ? 0.0f : x;
    }
    case Activation::Softshrink: { // NaN gives 0, as in aten
        const float l = float(d.a);
        return x > l ? x - l : (x < -l ? x + l : 0.0f);
    }
    case Activation::Tanhshrink: // F.tanhshrink: input - input.tanh()
        return x - std::tanh(x);
    case Activation::LogSigmoid: { // min(x, 0) - log1p(exp(-|x|))
        const float m = x < 0.0f ? x : 0.0f;
        return m - std::log1p(std::exp(-std::fabs(x)));
    }
    case Activation::PReLU:
    case Activation::Dropout:
        break;
    }
    return x;
}

// aten's prelu: x > 0 ? x : w * x, with one weight for all or one per dim-1 index.
void prelu(const ElementwiseDesc& d, const Shape& shape, const float* x, const float* w, float* y) {
    const std::int64_t n = numel(shape);
    const std::int64_t c = d.num_parameters;
    std::int64_t inner = 1;
    for (std::size_t i = 2; i < shape.size(); ++i)
        inner *= shape[i];
    for (std::int64_t i = 0; i < n; ++i) {
        const float wv = c == 1 ? w[0] : w[(i / inner) % c];
        y[i] = x[i] > 0.0f ? x[i] : wv * x[i];
    }
}

} // namespace

void run(const Context&, const ElementwiseDesc& d, const Io& io) {
    const Shape& shape = io.x_shape();
    const float* x = io.x();
    float* y = io.out;
    std::int64_t n = numel(shape);
    if (d.act == Activation::Dropout) {
        // p = 0 keeps everything and p = 1 zeroes everything without drawing; anything else
        // needs PyTorch's random mask, which execute() draws (dropout_train).
        if (d.p == 0) {
            std::copy(x, x + n, y);
            return;
        }
        if (d.p == 1) { // input * zeros({}): -0 for negatives, NaN for NaN and infinities
            for (std::int64_t i = 0; i < n; ++i)
                y[i] = x[i] * 0.0f;
            return;
        }
        throw UsageError("Dropout with 0 < p < 1 in train mode needs a random generator: the "
                         "executor draws its mask (execute(), not this kernel)");
    }
    if (d.act == Activation::PReLU) {
        if (n > 0) prelu(d, shape, x, io.param(0), y);
        return;
    }
    for (std::int64_t i = 0; i < n; ++i)
        y[i] = apply(d, x[i]);
}

} // namespace cnnshape::kernels::ref
