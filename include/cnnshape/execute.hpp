// Executing a Plan on tensors: weights (PyTorch's initialisation, or loaded), and a forward pass
// whose every shape was fixed by the shape engine. Activations reuse buffers: a layer's output
// is freed once its last consumer has run.
#pragma once
#include "cnnshape/kernels.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/random.hpp"
#include "cnnshape/tensor.hpp"
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cnnshape {

// A state_dict: "features.0.weight" -> tensor (num_batches_tracked is kept as a float tensor).
using StateDict = std::map<std::string, Tensor>;

// Every layer's parameters and buffers as PyTorch's reset_parameters() draws them, consuming a
// generator seeded with `seed` in module order, so torch.manual_seed(seed) followed by building
// the same nn.Sequential gives the same values.
StateDict init_weights(const Plan& plan, std::uint64_t seed);

struct WeightLoadReport {
    std::vector<std::string> missing_keys, unexpected_keys; // as load_state_dict reports them
    std::vector<std::string> notes;                         // dtype conversions
};

// Loads a .safetensors file or a directory of KEY.npy files over `into`, checking shapes
// (UsageError: "size mismatch for 0.weight: copying a param with shape [..] from checkpoint, the
// shape in current model is [..]"). Missing or unexpected keys are reported, not fatal here.
WeightLoadReport load_weights(const Plan& plan, const std::string& path, StateDict& into);

struct RunOptions {
    kernels::Context kernels;
    bool keep_all = false; // keep every layer's output (--save-all)
    // Run Conv -> BatchNorm (eval) [-> ReLU] chains as one pass when the SIMD kernels can (the
    // bits are the same; the intermediate outputs are never written). Off with keep_all.
    bool fuse = true;
    // Where train-mode Dropout draws its masks, in layer order (null: a generator seeded 0).
    // `run` passes the --seed generator after it drew the random input, so the masks are those
    // of torch.manual_seed(S); x = torch.randn(...); model.train()(x).
    TorchGenerator* rng = nullptr;
    // Refuse (ResourceError) before allocating if the tensors would exceed this (0: no limit).
    std::int64_t max_bytes = 0;
};

struct RunResult {
    Tensor output;                      // the first output
    std::vector<Tensor> outputs;        // every output, in the plan's order
    std::optional<IndexTensor> indices; // when the last layer returns indices
    // When the last layer returns a tuple: its elements after the first (`output`), and how
    // many None elements follow them (print(output) shows the whole tuple).
    bool output_tuple = false;
    std::vector<Tensor> output_rest;
    std::int64_t output_nones = 0;
    std::vector<Tensor> layer_outputs; // every layer's output, when keep_all
    std::int64_t peak_bytes = 0;       // activations alive at once, at most
    int fused_chains = 0;              // Conv -> BatchNorm [-> ReLU] chains run as one pass
};

// Whether a layer writes MaxPool indices (max pooling with return_indices=True).
bool returns_indices(const LayerPlan& lp);

// Bytes the run would hold at its peak (weights + live activations), from the Plan alone.
std::int64_t planned_peak_bytes(const Plan& plan, bool keep_all);

RunResult execute(const Plan& plan, const StateDict& weights, const Tensor& input,
                  const RunOptions& options);

} // namespace cnnshape
