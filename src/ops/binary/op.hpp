// The elementwise binary family: Add, Sub, Mul, Div (torch.add/sub/mul/div), BinaryDesc.
#pragma once
#include "cnnshape/op_api.hpp"
#include <cstdint>

namespace cnnshape {

enum class BinaryOp { Add, Sub, Mul, Div };
enum class Rounding { None, Trunc, Floor }; // torch.div's rounding_mode

// y = x0 op x1 op x2 ... left to right (Python's a + b + c), every input broadcast to the Plan's
// output shape; or, with `other` a number, y = x0 op other. Add and Sub compute
// input + alpha * other as one fused multiply-add, as PyTorch's vectorised kernel does
// (fmadd(other, alpha, input); Sub negates alpha); with alpha 1 that is exactly a + b, a - b.
//
// With alpha != 1, PyTorch's bits depend on its loop structure: its vectorised loop fuses (fmadd)
// but the tail of each innermost run goes through a scalar loop that GCC vectorised again with its
// own choice of fusing, so some elements are rounded twice. cnnshape always fuses, which is
// PyTorch's result for most elements and at most one rounding of alpha * other away for the rest.
struct BinaryDesc {
    BinaryOp op = BinaryOp::Add;
    float alpha = 1;                    // Add, Sub: two inputs (or one and a number)
    Rounding rounding = Rounding::None; // Div
    bool scalar_other = false;          // `other` is a number: one input
    float other = 0;                    // ... and this is it, cast to float32 as PyTorch does
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const BinaryDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const BinaryDesc& d);

} // namespace cnnshape
