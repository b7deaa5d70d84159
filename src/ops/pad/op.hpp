// Padding: what the kernels need (PadDesc).
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

// How padded positions are filled: F.pad's modes 'constant', 'reflect' (mirror about the edge,
// the edge not repeated) and 'replicate' (the edge repeated).
enum class PadFill { Constant, Reflect, Replicate };

// ZeroPad / ConstantPad / ReflectionPad / ReplicationPad {1,2,3}d: F.pad(x, pad, mode, value); pad
// pairs start at the last dim. A negative pad crops.
struct PadDesc {
    IntList pad;
    double value = 0;
    PadFill fill = PadFill::Constant;
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const PadDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const PadDesc& d);

} // namespace cnnshape
