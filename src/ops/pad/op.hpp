// Constant padding: what the kernels need (ConstantPadDesc).
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

// ZeroPad2d / ConstantPad2d: F.pad(x, pad, 'constant', value); pad pairs start at the last dim.
struct ConstantPadDesc {
    IntList pad;
    double value = 0;
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const ConstantPadDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const ConstantPadDesc& d);

} // namespace cnnshape
