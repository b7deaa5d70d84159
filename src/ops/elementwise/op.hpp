// Shape-preserving unary layers (activations, Identity, Dropout, StochasticDepth): ElementwiseDesc.
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

enum class Activation {
    Identity, // Identity, Dropout/Dropout2d in eval mode (data unchanged)
    ReLU,
    ReLU6,
    LeakyReLU,
    GELU,     // approximate='none' (erf)
    GELUTanh, // approximate='tanh'
    SiLU,
    Sigmoid,
    Tanh,
    Hardswish,
    Hardsigmoid, // min(max(x + 3, 0), 6) / 6
    Dropout,    // train mode: PyTorch's random mask, drawn by the executor from the run's generator
    Hardtanh,   // clamp(x, a, b)
    ELU,        // x > 0 ? x : a * (exp(x) - 1); also SELU (scale) and CELU (input_scale)
    Mish,       // x * tanh(softplus(x))
    Softplus,   // x * a > b ? x : log1p(exp(x * a)) / a
    Softsign,   // x / (1 + |x|)
    Threshold,  // x <= a ? b : x
    Hardshrink, // x >= -a && x <= a ? 0 : x
    Softshrink, // x > a ? x - a : x < -a ? x + a : 0
    Tanhshrink, // x - tanh(x)
    LogSigmoid, // -softplus(-x), as aten's log_sigmoid_cpu computes it
    PReLU       // x > 0 ? x : w[c] * x, w the layer's weight (one or one per channel)
};

struct ElementwiseDesc {
    Activation act = Activation::Identity;
    double negative_slope = 0.01;
    double p = 0.5;           // Dropout
    bool channelwise = false; // Dropout1d/2d/3d, FeatureAlphaDropout: one draw per (dim 0, dim 1)
    // Train-mode Dropout1d/3d on an unbatched input: viewed with a leading 1, so one draw per
    // dim 0 entry.
    bool unbatched = false;
    bool alpha = false;     // AlphaDropout, FeatureAlphaDropout: SELU's saturation value
    int stochastic = 0;     // StochasticDepth: 1 'row' (one draw per dim 0 entry), 2 'batch'
    double a = 0, b = 0;    // Hardtanh (min_val, max_val), Threshold (threshold, value), shrinks
                            // (lambd), ELU/CELU (alpha), Softplus (beta, threshold)
    double scale = 1;       // ELU's output scale (SELU: 1.0507009873554805)
    double input_scale = 1; // ELU's input scale (CELU: 1 / alpha)
    std::int64_t num_parameters = 1; // PReLU's weight count
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const ElementwiseDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const ElementwiseDesc& d);

} // namespace cnnshape
