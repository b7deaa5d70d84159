// MaxUnpool{1,2,3}d: what the kernels need (UnpoolDesc).
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

// Inputs: the values and the indices of a MaxPool with return_indices=True (the indices held
// as floats, exact below 2^24). The output starts at 0 and out_plane[indices[i]] = values[i],
// plane by plane; `nd` trailing dims make a plane.
struct UnpoolDesc {
    int nd = 2;
    IntList kernel, stride, padding; // for explain: the default output size
    bool output_size = false;        // the output size was asked for
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const UnpoolDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const UnpoolDesc& d);

} // namespace cnnshape
