// LayerNorm and GroupNorm, normalisation with each sample's own statistics: what the kernels
// need (LayerNormDesc).
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

enum class LayerNormKind {
    LayerNorm, // rows: the trailing normalized_shape elements; weight and bias per element
    GroupNorm // rows: one group of C / num_groups channels of a sample; weight and bias per channel
};

struct LayerNormDesc {
    LayerNormKind kind = LayerNormKind::LayerNorm;
    std::int64_t row = 1;    // elements one mean and variance are taken over
    std::int64_t groups = 1; // GroupNorm: num_groups
    double eps = 1e-5;
    bool affine = true;
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const LayerNormDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const LayerNormDesc& d);

} // namespace cnnshape
