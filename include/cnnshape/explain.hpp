// Explanations: for each layer of a Plan, the size formula with the numbers put in, in PyTorch's
// terms, and what it means at the edges (ceil mode, pixels no window reads, average-pool divisors,
// adaptive windows, 'same' padding, output_padding, parameter counts). Every number is read from
// the Plan (its ExecDesc and shapes); each formula's result is checked against the Plan's output
// size, so an explanation can never disagree with the shape engine.
#pragma once
#include "cnnshape/error.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cnnshape {

// Which input positions along one axis the windows of a convolution or pooling never read.
// Window j starts at j*s - pad_l and reads k taps spaced d apart.
struct AxisCoverage {
    std::int64_t lead = 0;      // unread positions at the start: indices [0, lead)
    std::int64_t trail = 0;     // unread positions at the end: indices [in - trail, in)
    std::int64_t interior = 0;  // unread positions between the first and last read ones
    bool interior_known = true; // false when the axis was too large to walk
};
// interior is only counted when `walk_interior` (it walks every tap).
AxisCoverage window_coverage(std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t s,
                             std::int64_t pad_l, std::int64_t d, bool walk_interior = true);

// Edge positions (lead + trail) a convolution or pooling layer of the Plan leaves unread along each
// of its spatial axes (in order D, H, W / L); empty for any other layer.
std::vector<std::int64_t> unused_edges(const LayerPlan& layer);

// One or more spatial axes that share the same numbers, explained once ("H_out = W_out = ...").
struct AxisExplanation {
    std::vector<std::string> axes; // "H", "W"; "D", "H", "W"; "L"
    std::int64_t in = 0, out = 0;
    std::string formula; // "H_out = floor((6 + 2*0 - 1*(2-1) - 1) / 2) + 1 = 3"
    std::vector<std::string> notes;
};

struct LayerExplanation {
    std::int64_t index = 0;
    std::string name, type, brief;
    std::vector<Shape> inputs;
    Shape output;
    std::vector<AxisExplanation> axes; // windowed, padding and resizing layers
    std::vector<std::string> notes;    // layer-wide notes; the one line for other layers
    std::string params;                // "params = 64*3*7*7 = 9,408 (bias=False)"; "" when none
    std::string buffers;               // BatchNorm's running statistics; "" when none
};

struct Explanation {
    std::string name;
    Shape input;
    std::vector<LayerExplanation> layers; // up to (not including) the failing layer
    std::optional<Shape> output;          // when the whole network planned
    std::optional<LayerError> error;      // the error make_plan gives for the whole network
};

// Explains one planned layer. Throws std::logic_error if a formula disagrees with the Plan (a bug).
LayerExplanation explain_layer(const LayerPlan& layer);

// Plans `net` on `input` and explains every layer; when the network is invalid, explains the
// layers before the failing one and records make_plan's error.
Explanation explain_network(const Network& net, const Shape& input);

std::string explain_text(const Explanation& e);
nlohmann::ordered_json explain_json(const Explanation& e);

// JSON text indented by 2, with arrays of plain values kept on one line ("[1, 3, 224, 224]").
std::string json_text(const nlohmann::ordered_json& j);

} // namespace cnnshape
