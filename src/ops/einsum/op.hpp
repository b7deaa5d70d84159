// Einsum (torch.einsum): EinsumDesc. The equation resolved into index variables: the output's
// (in its order) then the summed ones; y[out] = sum over the summed variables of the product of
// every operand at its offset, each operand stepping `strides[t][v]` per variable (0 where it
// lacks the variable or broadcasts a size 1; a label repeated in one operand, a diagonal, adds
// its strides).
#pragma once
#include "cnnshape/op_api.hpp"
#include <cstdint>
#include <vector>

namespace cnnshape {

struct EinsumDesc {
    IntList sizes;                // every variable's size: the output's first, then the summed
    std::int64_t n_out = 0;       // how many of them are the output's
    std::vector<IntList> strides; // per operand, per variable
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const EinsumDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const EinsumDesc& d);

} // namespace cnnshape
