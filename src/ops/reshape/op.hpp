// The data-movement ops: Reshape, View, Permute, Transpose, Squeeze, Unsqueeze, Unflatten,
// TensorFlatten, Expand, Roll, Contiguous, PixelShuffle, PixelUnshuffle, ChannelShuffle, Select,
// Narrow, Slice, Flip. Every one is a gather the shape engine resolves into one strided walk of
// the input (ReshapeDesc); the kernel only copies.
#pragma once
#include "cnnshape/op_api.hpp"
#include <cstdint>

namespace cnnshape {

// The output, in row-major order, is the walk over `shape` (whose product is the output's element
// count; its rank need not be the output's): the element at index (i0, i1, ...) is the input's
// element at offset + sum_d j_d * strides[d], where j_d = i_d, or (i_d - shifts[d]) mod shape[d]
// for a rolled dim (shifts non-empty). A stride may be 0 (Expand) or negative (Flip).
struct ReshapeDesc {
    IntList shape;
    IntList strides;
    std::int64_t offset = 0;
    IntList shifts; // empty, or one per dim of `shape`, each in [0, shape[d])
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const ReshapeDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const ReshapeDesc& d);

} // namespace cnnshape
