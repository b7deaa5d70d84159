// Concat (torch.cat): ConcatDesc.
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

struct ConcatDesc {
    std::int64_t dim = 0; // wrapped into [0, rank)
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const ConcatDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const ConcatDesc& d);

} // namespace cnnshape
