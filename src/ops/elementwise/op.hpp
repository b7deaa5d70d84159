// Shape-preserving unary layers (activations, Identity, Dropout): ElementwiseDesc.
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
    Dropout // train mode: PyTorch's random mask, drawn by the executor from the run's generator
};

struct ElementwiseDesc {
    Activation act = Activation::Identity;
    double negative_slope = 0.01;
    double p = 0.5;           // Dropout
    bool channelwise = false; // Dropout2d
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const ElementwiseDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const ElementwiseDesc& d);

} // namespace cnnshape
