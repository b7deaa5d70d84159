// BatchNorm and InstanceNorm: what the kernels need (BatchNormDesc). InstanceNorm is PyTorch's
// batch_norm on the input viewed as (1, N*C, *spatial) with the per-channel tensors repeated N
// times, so one descriptor serves both.
#pragma once
#include "cnnshape/op_api.hpp"

namespace cnnshape {

struct BatchNormDesc {
    std::int64_t num_features = 0;
    double eps = 1e-5;
    bool affine = true, track_running_stats = true;
    bool batch_stats =
        false; // normalise with the batch's statistics (train mode, or no running stats)
    // InstanceNorm{1,2,3}d: its number of spatial dims (the kernel takes the batched view, and
    // batch statistics are per sample and channel); 0 for BatchNorm.
    int instance_nd = 0;
};

// Defined in this folder: how `run` feeds the kernels (run.cpp) and how `explain` describes the
// layer (explain.cpp).
void run_op(const OpRun& r, const BatchNormDesc& d);
void explain_op(LayerExplanation& e, const LayerPlan& l, const BatchNormDesc& d);

} // namespace cnnshape
