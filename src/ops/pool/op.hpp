// Pooling: what the kernels need (PoolDesc), resolved by the shape engine.
#pragma once
#include "cnnshape/op_api.hpp"
#include <optional>

namespace cnnshape {

enum class PoolKind { Max, Avg, LP };

// MaxPool/AvgPool/LPPool; every list already expanded to nd entries (stride None -> kernel).
struct PoolDesc {
    PoolKind kind = PoolKind::Max;
    int nd = 2;
    IntList kernel, stride, padding, dilation;
    bool ceil_mode = false, count_include_pad = true, return_indices = false;
    std::optional<std::int64_t> divisor_override;
    double norm_type = 2; // LPPool
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const PoolDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const PoolDesc& d);

} // namespace cnnshape
