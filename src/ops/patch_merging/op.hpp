// PatchMerging and PatchMergingV2 (torchvision.models.swin_transformer): PatchMergingDesc.
// (..., H, W, C) is zero-padded to even H and W (_patch_merging_pad), its 2 x 2 neighbours
// joined along C in the order (0, 0), (1, 0), (0, 1), (1, 1) to (..., ceil(H/2), ceil(W/2), 4C),
// then LayerNorm(4C) and reduction = Linear(4C, 2C, bias=False) (V2: reduction, then
// LayerNorm(2C)).
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

struct PatchMergingDesc {
    bool v2 = false;
    std::int64_t outer = 1; // the leading dims' elements
    std::int64_t H = 0, W = 0, C = 0;
    double eps = 1e-5;
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const PatchMergingDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const PatchMergingDesc& d);

} // namespace cnnshape
