// Convolution: what the kernels need (ConvDesc), resolved by the shape engine.
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

enum class PadMode { Zeros, Reflect, Replicate, Circular };

// Conv{1,2,3}d and ConvTranspose{1,2,3}d. Batched view: inputs are run as (N, C, *spatial); an
// unbatched input is the same data with N = 1. For non-zeros padding modes the input is first
// padded explicitly by (pad_l, pad_r) with padding_mode, then convolved with padding 0; for zeros
// mode pad_l/pad_r are implicit zeros (pad_r may exceed pad_l for even-kernel 'same').
struct ConvDesc {
    int nd = 2;
    bool transposed = false;
    std::int64_t in_channels = 0, out_channels = 0, groups = 1;
    IntList kernel, stride, dilation, pad_l, pad_r, output_padding;
    bool bias = true;
    PadMode padding_mode = PadMode::Zeros;
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const ConvDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const ConvDesc& d);

} // namespace cnnshape
