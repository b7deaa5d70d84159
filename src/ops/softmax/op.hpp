// Softmax, LogSoftmax, Softmax2d and GLU, the ops along one dim: what the kernels need
// (SoftmaxDesc).
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

enum class SoftmaxKind {
    Softmax,    // Softmax, Softmax2d
    LogSoftmax, // LogSoftmax
    GLU         // GLU: first half of dim times the sigmoid of the second (the output halves dim)
};

struct SoftmaxDesc {
    std::int64_t dim = 0; // wrapped into [0, rank); dim=None already resolved (_get_softmax_dim)
    SoftmaxKind kind = SoftmaxKind::Softmax;
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const SoftmaxDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const SoftmaxDesc& d);

} // namespace cnnshape
