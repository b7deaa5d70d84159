// Solving for layer arguments: which kernel_size / stride / padding / dilation / ceil_mode (and
// output_padding) turn an input size into an output size; whether given PyTorch expressions do;
// and which input sizes a whole network accepts. Every verdict comes from the shape engine: each
// candidate is built as a PyTorch expression and planned with make_plan (a prefilter uses only
// the rules.hpp functions the layers themselves call), so solve cannot disagree with plan.
#pragma once
#include "cnnshape/network.hpp"
#include "cnnshape/shape.hpp"
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cnnshape {

// Inclusive upper bounds; a negative value means "the default for this query".
struct SolveBounds {
    std::int64_t max_kernel = -1, max_stride = -1, max_padding = -1, max_dilation = -1;
    bool allow_ceil = true;
};

struct SolveQuery {
    std::string layer;   // MaxPool{1,2,3}d, AvgPool{1,2,3}d, Conv{1,2,3}d, ConvTranspose{1,2,3}d
    Shape input, output; // spatial sizes: one value for every axis, or one per axis
    SolveBounds bounds;
    std::int64_t in_channels = 1, out_channels = 1; // for Conv / ConvTranspose expressions
};

struct AxisParams {
    std::int64_t kernel = 1, stride = 1, padding = 0, dilation = 1, output_padding = 0;
    bool operator==(const AxisParams& o) const {
        return kernel == o.kernel && stride == o.stride && padding == o.padding &&
               dilation == o.dilation && output_padding == o.output_padding;
    }
};

struct Solution {
    std::string expression;       // nn.MaxPool2d(kernel_size=3, stride=3)
    std::vector<AxisParams> axes; // one per spatial axis
    bool ceil_mode = false;
    std::vector<std::int64_t>
        unused_edge; // per axis: edge positions no window reads (from the plan)
};

struct SolveResult {
    std::string layer;               // canonical type name, e.g. "MaxPool2d"
    Shape input, output;             // one entry per spatial axis
    Shape input_shape;               // the tensor planned: (1, C, *input)
    bool same_on_every_axis = false; // every axis has the same sizes, so the same parameters
    SolveBounds bounds;              // resolved
    bool has_dilation = true, has_ceil = true, has_output_padding = false;
    std::int64_t candidates = 0;     // parameter tuples within the bounds (per distinct axis)
    std::int64_t planned = 0;        // layers built and planned by the engine
    std::vector<Solution> solutions; // simplest first
};

// Throws UsageError for an unsupported layer, sizes of the wrong length, or too many combinations.
SolveResult solve_layer(const SolveQuery& q);
std::string solve_text(const SolveResult& r, std::size_t limit = 0); // limit 0: all
nlohmann::ordered_json solve_json(const SolveResult& r, std::size_t limit = 0);

// "nn.MaxPool2d(2, 2) x2" -> two layers; "nn.A(..) -> nn.B(..)" -> a chain.
std::vector<std::string> split_chain(const std::string& text);

struct CheckResult {
    std::string text;                // as given
    std::size_t nd = 2;              // spatial axes, from the first layer's type (MaxPool2d: 2)
    std::vector<std::string> layers; // after expanding "x N" and "->"
    bool matches = false;
    std::vector<Shape> shapes; // input, then each layer's output (when it planned)
    std::string error;         // the engine's (or the reader's) message when it did not plan
    bool spec_error = false;   // the expression could not be read (a usage error)
    std::vector<std::int64_t> unused_edge; // per axis, summed over the layers
};

struct CheckReport {
    Shape input, output; // spatial sizes as given: one value for every axis, or one per axis
    std::vector<CheckResult> checks;
};

// Plans each expression (or chain) on a (1, C, *input) tensor; C is the first layer's
// in_channels when it gives one, else `in_channels`.
CheckReport check_expressions(const std::vector<std::string>& exprs, const Shape& input,
                              const Shape& output, std::int64_t in_channels = 1);
std::string check_text(const CheckReport& r);
nlohmann::ordered_json check_json(const CheckReport& r);

struct RangeResult {
    std::string name;
    Shape base;                    // the network's input shape; varied dims are replaced
    std::vector<std::size_t> dims; // which dims of `base` vary together
    std::vector<std::string> axes; // their names ("H", "W")
    std::int64_t lo = 0, hi = 0;
    std::vector<std::int64_t> accepted;
    std::vector<std::int64_t> no_unused_edge; // accepted sizes no layer leaves edge pixels unread
    std::optional<Shape> smallest_output;
    std::optional<std::int64_t> rejected_size; // the largest rejected size below the smallest
    std::string rejected_error;                //   accepted one (or the first rejected), and why
};

// The most sizes solve_input_range tries on a network read from a Python model file (each size
// reads the file again).
constexpr std::int64_t kMaxModelFileSizes = 10000;

// Which sizes in [lo, hi] the network accepts along `axis` ("H", "W", "D", "L", or "" for every
// spatial axis together). Throws UsageError for a bad axis or range.
RangeResult solve_input_range(const Network& net, const Shape& base, std::int64_t lo,
                              std::int64_t hi, const std::string& axis);
std::string range_text(const RangeResult& r);
nlohmann::ordered_json range_json(const RangeResult& r);

} // namespace cnnshape
