// The Plan: every layer's shapes and counts, fixed once by the shape engine. Reports format it;
// kernels trust it.
#pragma once
#include "cnnshape/exec_desc.hpp"
#include "cnnshape/network.hpp"
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

namespace cnnshape {

// Receptive field of one output position along one spatial axis, in input pixels: its size, the
// distance between neighbouring outputs' fields (jump), and the centre of the first one (start).
struct RfAxis {
    double size = 1, jump = 1, start = 0;
};

// The arguments as bound, in Python's spelling under PyTorch's names, for reports:
// {"kernel_size": [3, 3], "padding": "same", "bias": false, ...}.
nlohmann::ordered_json args_json(const Args& args);

struct LayerPlan {
    std::int64_t index = 0;
    std::string name, type, brief, where;
    // The layer as built (its bound arguments, `layer->args()`), and the arguments filled in from
    // the input (in_channels, ...): args_json() is the two as the reports write them.
    LayerPtr layer;
    std::vector<std::pair<std::string, std::int64_t>> inferred;
    // {"in_channels": 3, "kernel_size": [3, 3], ...}: args_json(layer->args()) with the inferred
    // values set. Built on each call (the JSON report writes the same text without building it).
    nlohmann::ordered_json args_json() const;
    std::vector<std::string> inputs; // names of the tensors taken ("input" for the network input)
    std::vector<Shape> input_shapes;
    Shape output;                 // the first element of a tuple (see `tuple`)
    bool tuple = false;           // the layer returns a tuple: its elements are `outputs`
    std::vector<Shape> outputs;   // tuple elements; {output} for a layer returning one tensor
    std::int64_t tuple_nones = 0; // trailing None elements after `outputs` (LayerOutput's)
    std::vector<std::int64_t> input_slots; // per input: the tuple element taken, -1 for none
    std::int64_t params = 0, trainable_params = 0, buffers = 0, buffer_bytes = 0, macs = 0;
    std::int64_t output_bytes = 0;         // float32, every tuple element
    std::vector<RfAxis> rf;                // one per spatial axis; empty when there is none
    ExecDesc exec;                         // what the kernels need (exec_desc.hpp)
    std::vector<TensorSpec> tensors;       // state_dict entries, named without the layer prefix
    std::vector<std::int64_t> input_nodes; // layer indices of the inputs; -1 is the network input
    std::vector<std::string> assumed;      // Node::assumed: arguments taken at their defaults
    // Whether the layer reaches an output. One that does not (an auxiliary head the eval forward
    // skips) still holds its parameters and buffers, but computes nothing: no MACs, no memory.
    bool used = true;
    std::int64_t init_order = -1; // Node::init_order
};

// One of the network's outputs: its name (the spec's "outputs"; "" for a network with one
// output), the layer (-1: the input) and tuple element (-1: none) it is, and its shape.
struct PlanOutput {
    std::string name;
    std::int64_t node = -1, slot = -1;
    Shape shape;
};

struct Totals {
    std::int64_t params = 0, trainable_params = 0, non_trainable_params = 0, buffers = 0;
    std::int64_t macs = 0;
    std::int64_t input_bytes = 0;      // the input tensor, float32
    std::int64_t activation_bytes = 0; // every layer's output, float32, summed
    std::int64_t param_bytes = 0;      // parameters, float32
    std::int64_t buffer_bytes = 0;     // buffers (float32; num_batches_tracked int64)
};

struct Plan {
    std::string name;
    Mode mode = Mode::Eval;
    Shape input, output;
    std::vector<LayerPlan> layers;
    Totals totals;
    // Every output in order; `output` is the first's shape. One unnamed entry unless the spec
    // names several.
    std::vector<PlanOutput> outputs;
    bool named_outputs() const { return !outputs.empty() && !outputs[0].name.empty(); }
    std::int64_t unused_layers() const;
};

// Runs every layer's construction checks, then infers shapes in order. Throws LayerError naming
// the failing layer (index, name, type) with PyTorch's rule and numbers, and UsageError when the
// input shape itself is unusable (its float32 bytes do not fit in 64 bits).
Plan make_plan(const Network& net, const Shape& input);

// The output column of reports: "1x4x6x6", or for a tuple "2 x 1x58x28x28" when its elements
// agree and "(1x2, 1x3)" when they do not ("()" for none).
std::string output_text(const LayerPlan& l);
// A layer's input reference as reports name it: "c[1]" for a tuple element, else the name.
std::string input_ref(const std::string& name, std::int64_t slot);

} // namespace cnnshape
