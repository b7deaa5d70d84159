// Parameter and Buffer: a tensor a module holds and uses in forward (a class token, a positional
// embedding, layer scale, a relative position table): ParameterDesc.
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

struct ParameterDesc {
    bool buffer = false; // a registered buffer, not an nn.Parameter
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const ParameterDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const ParameterDesc& d);

} // namespace cnnshape
