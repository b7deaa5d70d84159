// Flatten: what the kernels need (FlattenDesc). The data is unchanged; the Plan gives the shape.
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

struct FlattenDesc {
    std::int64_t start_dim = 1, end_dim = -1; // wrapped into [0, rank) (0 for a 0-dim input)
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const FlattenDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const FlattenDesc& d);

} // namespace cnnshape
