// PyTorch's CPU random numbers, bit for bit: torch.manual_seed(S) then torch.randn / torch.rand /
// Tensor.uniform_ give the same floats as these. PyTorch's CPU generator is mt19937
// (aten/src/ATen/core/MT19937RNGEngine.h, CPUGeneratorImpl); the distributions are in
// aten/src/ATen/core/DistributionsHelper.h and TransformationHelper.h, and normal_ of a float
// tensor with 16 or more elements uses the 16-wide Box-Muller fill of
// aten/src/ATen/native/cpu/DistributionTemplates.h (normal_fill / normal_fill_16).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace cnnshape {

class TorchGenerator {
public:
    explicit TorchGenerator(std::uint64_t seed = 67280421310721ULL); // PyTorch's default seed
    std::uint32_t random();                                          // one mt19937 draw
    std::uint64_t random64(); // two draws, as PyTorch combines them
    // The cached second Box-Muller value that at::normal_distribution<double> keeps.
    std::optional<double> next_double_normal;
    std::optional<float> next_float_normal;

private:
    std::uint32_t state_[624];
    int index_ = 624;
};

// The generator seed torch.manual_seed(S) sets for the integer written in `text`: S itself for
// 0 .. 2^64-1, S + 2^64 for -2^63 .. -1 (PyTorch reads a negative seed as int64 and keeps its
// bits). Anything else throws UsageError: "seed S is out of range ..." with PyTorch's
// "Overflow when unpacking long" for integers outside -2^63 .. 2^64-1, or "... is not an integer".
std::uint64_t parse_manual_seed(const std::string& text);

// torch.randn(n) into data (mean 0, std 1), consuming the generator as PyTorch does.
void fill_randn(TorchGenerator& g, float* data, std::int64_t n);
// Tensor.normal_(mean, std) on a float tensor of n elements (init.xavier_normal_).
void fill_normal(TorchGenerator& g, float* data, std::int64_t n, double mean, double stdv);
// torch.rand(n): U[0, 1).
void fill_rand(TorchGenerator& g, float* data, std::int64_t n);
// Tensor.uniform_(from, to) on a float tensor (used by PyTorch's layer initialisation).
void fill_uniform(TorchGenerator& g, float* data, std::int64_t n, double from, double to);

} // namespace cnnshape
