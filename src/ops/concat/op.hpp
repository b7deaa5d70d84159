// Concat (torch.cat) and Stack (torch.stack): ConcatDesc. Stack is the concatenation of the
// inputs each with a new size-1 dim at `dim`.
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

struct ConcatDesc {
    std::int64_t dim = 0; // wrapped into [0, rank) of the output
    bool stack = false;   // Stack: every input contributes one slice along dim (it lacks the dim)
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const ConcatDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const ConcatDesc& d);

} // namespace cnnshape
