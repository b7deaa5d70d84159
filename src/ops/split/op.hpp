// Chunk, Split and Unbind (torch.chunk, torch.split, torch.unbind): SplitDesc. Each returns a
// tuple of tensors, consecutive slices of the input along one dim, which later layers take by
// index ("c[1]").
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

struct SplitDesc {
    std::int64_t dim = 0; // wrapped into [0, rank)
    IntList sizes;        // each element's length along dim, in order; they sum to the dim's size
    bool squeeze = false; // Unbind: the elements lose dim (every length is 1)
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const SplitDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const SplitDesc& d);

} // namespace cnnshape
