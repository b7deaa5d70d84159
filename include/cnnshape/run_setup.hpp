// What `run` decides before it executes a plan, as library calls a command only binds options to:
// reading --input (a file, a literal, PyTorch tensor code or a shape), making the input tensor,
// the note about NaN and infinities in it, the memory limit, the indices output check and
// load_state_dict's strict-loading error.
#pragma once
#include "cnnshape/execute.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/random.hpp"
#include "cnnshape/tensor.hpp"
#include <cstdint>
#include <optional>
#include <string>

namespace cnnshape {

// What --input holds: a tensor already (a .npy or tensor-literal file, a literal list, or
// torch.tensor(...)), or a shape to fill (1x3x8x8, [1, 3, 8, 8], torch.randn(1, 3, 8, 8)).
struct RunInput {
    std::optional<Tensor> tensor;
    std::optional<Shape> shape;
    std::string fill; // "randn" for torch.randn(1, 3, 8, 8); "" when --fill decides
    std::string note; // what the reader noticed (say "torch.tensor(...) of integers ...")
};

// Throws UsageError (a file that cannot be read, a shape that is not one) or SpecError.
RunInput read_run_input(const std::string& text);

// A tensor of `shape` filled as --fill says: randn, rand (drawn from `g`, which train-mode
// Dropout then continues), zeros, ones, or arange (1, 2, 3, ...).
Tensor make_input(const Shape& shape, const std::string& fill, TorchGenerator& g);

// "the input holds 1 NaN and 2 infinite values (the first at index [0]); they propagate as in
// PyTorch", or "" when every value is finite.
std::string nonfinite_note(const Tensor& t);

// The machine's physical memory in bytes (0 when it cannot be told); run's default limit is half.
std::int64_t physical_memory();

// "98304 bytes (98.3 KB)": bytes with the decimal unit the reports use.
std::string bytes_text(std::int64_t b);

// Throws ResourceError when the tensors the run holds at its peak (planned_peak_bytes) exceed
// `limit` bytes (0: no limit); `hint` ends the message ("; raise --memory-limit ...").
void check_memory_limit(const Plan& plan, bool keep_all, std::int64_t limit,
                        const std::string& hint = "");

// Throws UsageError unless the last layer returns indices (max pooling with return_indices).
void check_returns_indices(const Plan& plan);

// load_state_dict(strict=True)'s error for missing or unexpected keys: "Error(s) in loading
// state_dict for Sequential:\n\tMissing key(s) in state_dict: \"0.weight\". ...", or "" when
// the keys match. `details_only` leaves out the first line (what a --no-strict warning shows).
std::string state_dict_mismatch(const WeightLoadReport& rep, bool details_only = false);

} // namespace cnnshape
