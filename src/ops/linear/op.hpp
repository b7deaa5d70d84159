// Linear: what the kernels need (LinearDesc).
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

struct LinearDesc {
    std::int64_t in_features = 0, out_features = 0;
    bool bias = true;
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const LinearDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const LinearDesc& d);

} // namespace cnnshape
