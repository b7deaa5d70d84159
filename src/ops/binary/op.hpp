// Elementwise binary layers: AddDesc.
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

struct AddDesc {};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const AddDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const AddDesc& d);

} // namespace cnnshape
