// Upsample: what the kernels need (UpsampleDesc), sizes and scales resolved by the shape engine.
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

enum class UpsampleMode { Nearest, NearestExact, Linear, Bilinear, Bicubic, Trilinear, Area };

struct UpsampleDesc {
    UpsampleMode mode = UpsampleMode::Nearest;
    IntList output_size; // spatial output sizes
    std::vector<double>
        scale_factor; // the user's factors when the kernel uses them (not recomputed), else empty
    bool align_corners = false;
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const UpsampleDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const UpsampleDesc& d);

} // namespace cnnshape
