// Matmul (torch.matmul) and Bmm (torch.bmm): MatmulDesc. Every case is a batch of products of an
// M x K and a K x N row-major matrix: a 1-D left operand is one row (M = 1), a 1-D right operand
// one column (N = 1), and the output, batch + (M) + (N) with the vector dims left out, has the
// same layout as batch x M x N.
#pragma once
#include "cnnshape/op_api.hpp"
#include <cstdint>

namespace cnnshape {

struct MatmulDesc {
    IntList batch;    // the output's batch dims (broadcast), possibly none
    IntList a_stride; // per batch dim, the step between a's matrices (0: broadcast)
    IntList b_stride; // likewise for b
    std::int64_t m = 1, k = 0, n = 1;
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const MatmulDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const MatmulDesc& d);

} // namespace cnnshape
