// Fold (col2im) and Unfold (im2col): what the kernels need (FoldDesc).
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

// Unfold: (N, C, H, W) -> (N, C*kh*kw, L), every sliding block as a column, L = oh*ow blocks.
// Fold: the reverse, (N, C*kh*kw, L) -> (N, C, H, W), overlapping block entries summed.
// Every list has 2 entries (height, width); `image` is H, W and `blocks` oh, ow.
struct FoldDesc {
    bool fold = false;
    std::int64_t channels = 0; // C of the image
    IntList kernel, dilation, padding, stride, image, blocks;
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const FoldDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const FoldDesc& d);

} // namespace cnnshape
