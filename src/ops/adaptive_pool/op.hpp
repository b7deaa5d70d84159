// Adaptive pooling: what the kernels need (AdaptivePoolDesc).
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

struct AdaptivePoolDesc {
    bool is_max = false;
    int nd = 2;
    bool return_indices = false;
    IntList output_size; // resolved (None entries filled), nd entries
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const AdaptivePoolDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const AdaptivePoolDesc& d);

} // namespace cnnshape
