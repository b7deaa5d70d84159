// LocalResponseNorm: what the kernel needs (LocalResponseNormDesc).
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

struct LocalResponseNormDesc {
    std::int64_t size = 1; // channels in the window: size / 2 before, (size - 1) / 2 after
    double alpha = 1e-4, beta = 0.75, k = 1.0;
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const LocalResponseNormDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const LocalResponseNormDesc& d);

} // namespace cnnshape
