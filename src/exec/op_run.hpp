// One layer's tensors during a run, as each op's run_op (src/ops/<folder>/run.cpp) reads them to
// call its kernel. execute() builds one per layer and std::visits the layer's ExecDesc, so an op
// without a run_op does not compile.
#pragma once
#include "cnnshape/execute.hpp"

namespace cnnshape {

struct OpRun {
    const LayerPlan& layer;
    const std::vector<const Tensor*>& in;
    const StateDict& weights;
    const kernels::Context& ctx;
    Tensor& out;
    IndexTensor* indices; // when the layer returns indices, else null
    TorchGenerator& rng;  // train-mode Dropout's masks
    // A tuple's elements after the first (`out`), when the layer returns a tuple (Chunk, Split).
    std::vector<Tensor>* rest = nullptr;

    // The layer's tensor `name` ("weight", "running_mean", ...): UsageError when the weights lack
    // it or hold the wrong number of values.
    const float* weight(const char* name) const;
    // weight(name) when `present`, else null.
    const float* weight_if(bool present, const char* name) const {
        return present ? weight(name) : nullptr;
    }
    // The inputs and the output with the Plan's shapes.
    kernels::Io io() const;
    // The same in the batched view (N, C, *spatial) of an op over nd spatial dims.
    kernels::Io batched_io(int nd) const;
};

// The batched view (N, C, *spatial) kernels take: an unbatched input gets N = 1; any other rank
// (adaptive average pooling to 1 accepts any) is viewed as (1, planes, *spatial).
Shape batched(const Shape& s, int nd);

} // namespace cnnshape
