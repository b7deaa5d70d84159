// What a kernel needs to run a layer, resolved by the shape engine for the actual input shapes
// (inferred channels, the 'same' padding split, upsampling sizes and scales, wrapped dims).
// Kernels read these and the Plan's shapes; they never compute an output size themselves.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cnnshape {

using IntList = std::vector<std::int64_t>;

enum class PadMode { Zeros, Reflect, Replicate, Circular };

// Conv{1,2,3}d and ConvTranspose{1,2,3}d. Batched view: inputs are run as (N, C, *spatial); an
// unbatched input is the same data with N = 1. For non-zeros padding modes the input is first
// padded explicitly by (pad_l, pad_r) with padding_mode, then convolved with padding 0; for zeros
// mode pad_l/pad_r are implicit zeros (pad_r may exceed pad_l for even-kernel 'same').
struct ConvDesc {
    int nd = 2;
    bool transposed = false;
    std::int64_t in_channels = 0, out_channels = 0, groups = 1;
    IntList kernel, stride, dilation, pad_l, pad_r, output_padding;
    bool bias = true;
    PadMode padding_mode = PadMode::Zeros;
};

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

struct AdaptivePoolDesc {
    bool is_max = false;
    int nd = 2;
    bool return_indices = false;
    IntList output_size; // resolved (None entries filled), nd entries
};

struct LinearDesc {
    std::int64_t in_features = 0, out_features = 0;
    bool bias = true;
};

struct BatchNormDesc {
    std::int64_t num_features = 0;
    double eps = 1e-5;
    bool affine = true, track_running_stats = true;
    bool batch_stats =
        false; // normalise with the batch's statistics (train mode, or no running stats)
};

// ZeroPad2d / ConstantPad2d: F.pad(x, pad, 'constant', value); pad pairs start at the last dim.
struct ConstantPadDesc {
    IntList pad;
    double value = 0;
};

enum class UpsampleMode { Nearest, NearestExact, Linear, Bilinear, Bicubic, Trilinear, Area };

struct UpsampleDesc {
    UpsampleMode mode = UpsampleMode::Nearest;
    IntList output_size; // spatial output sizes
    std::vector<double>
        scale_factor; // the user's factors when the kernel uses them (not recomputed), else empty
    bool align_corners = false;
};

enum class Activation {
    Identity, // Identity, Dropout/Dropout2d in eval mode, Flatten (data unchanged)
    ReLU,
    ReLU6,
    LeakyReLU,
    GELU,     // approximate='none' (erf)
    GELUTanh, // approximate='tanh'
    SiLU,
    Sigmoid,
    Tanh,
    Hardswish,
    Softmax,
    Dropout // train mode: PyTorch's random mask, drawn by the executor from the run's generator
};

struct ElementwiseDesc {
    Activation act = Activation::Identity;
    double negative_slope = 0.01;
    std::int64_t dim = 0;     // Softmax, wrapped into [0, rank)
    double p = 0.5;           // Dropout
    bool channelwise = false; // Dropout2d
};

struct AddDesc {};

struct ConcatDesc {
    std::int64_t dim = 0; // wrapped into [0, rank)
};

using ExecDesc =
    std::variant<std::monostate, ConvDesc, PoolDesc, AdaptivePoolDesc, LinearDesc, BatchNormDesc,
                 ConstantPadDesc, UpsampleDesc, ElementwiseDesc, AddDesc, ConcatDesc>;

// How a parameter or buffer starts, as PyTorch's reset_parameters() fills it.
enum class Init {
    KaimingUniform, // kaiming_uniform_(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    FanInUniform,   // bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    Ones,
    Zeros
};

// One tensor of a layer's state_dict ("weight", "bias", "running_mean", ...), in the order
// PyTorch registers (and initialises) them.
struct TensorSpec {
    std::string name;
    std::vector<std::int64_t> shape;
    bool is_buffer = false;
    bool is_int64 = false; // num_batches_tracked
    Init init = Init::Zeros;
    std::int64_t fan_in = 0;
};

} // namespace cnnshape
