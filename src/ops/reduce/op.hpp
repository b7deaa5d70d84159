// Reductions: Mean, Sum, Amax, Amin (torch.mean, torch.sum, torch.amax, torch.amin), ReduceDesc.
// y = the reduction of x over `dims` (all dims for dim=None, () or []), kept as size 1 or removed.
#pragma once
#include "cnnshape/op_api.hpp"
#include <cstdint>

namespace cnnshape {

enum class ReduceOp { Sum, Mean, Amax, Amin };

// Sum is PyTorch 1.13's cascade sum (aten/src/ATen/native/cpu/SumKernel.cpp) walked in the order
// its TensorIterator would (reduced dims first, sorted by stride, adjacent dims coalesced), on
// the 8-float vectors of its AVX2 build, with one thread; Mean is that sum divided by `count` as a
// float (mean_out: sum_out(...).div_(dim_prod)). Amax/Amin propagate NaN.
struct ReduceDesc {
    ReduceOp op = ReduceOp::Sum;
    IntList dims;           // the reduced input dims, wrapped and ascending (every dim for "all")
    bool keepdim = false;   // the reduced dims stay as size 1
    std::int64_t count = 1; // elements reduced into each output (Mean's divisor)
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const ReduceDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const ReduceDesc& d);

} // namespace cnnshape
