// A layer is a value built from PyTorch's constructor arguments. Its one job in the shape engine
// is infer(): given the input shapes, return the output shape and the counts, or throw ShapeError
// with PyTorch's message. Construction-time checks (PyTorch's ValueErrors) run first, in
// check_construct(), for every layer of a network before any forward rule, as PyTorch builds
// every module before it runs one.
#pragma once
#include "cnnshape/shape.hpp"
#include "cnnshape/value.hpp"
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cnnshape {

enum class Mode { Eval, Train };

// How one spatial axis of the output sees its input, in units of the input's jump:
// size grows by `grow` input steps, the jump is multiplied by `jump`, and the centre of the first
// output window moves by `shift` input steps. Convolution and pooling: grow = k_eff-1, jump = s,
// shift = (k_eff-1)/2 - pad.
struct AxisMap {
    double grow = 0, jump = 1, shift = 0;
};

enum class RfEffect {
    Keep,    // elementwise: receptive field unchanged
    Map,     // windowed over the trailing axes.size() axes
    Whole,   // every output sees every position along the input dims rf_dims (Softmax over a
             // dim, Linear's last dim, batch statistics): those that are spatial become whole
    Reshape, // Flatten(rf_dims[0], rf_dims[1]): kept, or Drop if it merges a spatial axis
    Remove,  // the input dim rf_dims[0] is gone (unbind): kept if it is not spatial, else Drop
    Drop     // no spatial meaning afterwards
};

// The shape engine's answer for one layer: the output shape, the counts and the receptive-field
// step. Nothing of reports (JSON) or of running (kernel descriptors, initialisation) lives here:
// those are the Lowering that infer fills alongside (exec_desc.hpp).
struct LayerOutput {
    Shape shape;
    std::int64_t params = 0;       // nn.Parameter elements
    std::int64_t buffers = 0;      // registered buffers (BatchNorm running statistics)
    std::int64_t buffer_bytes = 0; // their bytes (num_batches_tracked is int64)
    std::int64_t macs = 0;
    RfEffect rf = RfEffect::Keep;
    std::vector<AxisMap> axes;
    std::vector<std::int64_t> rf_dims; // Whole, Reshape: input dims, 0 .. rank-1
    // Arguments filled in from the input (in_channels, in_features, num_features).
    std::vector<std::pair<std::string, std::int64_t>> inferred;
    // A layer that returns a tuple of tensors (chunk, split, unbind): every element's shape, in
    // order (possibly none: unbind of a zero-size dim); `shape` is then the first, or {} for none.
    // Later layers take one element by index ("c[1]").
    std::vector<Shape> tuple;
    // The parameters are not trainable whatever the spec says (nn.Parameter(requires_grad=False)).
    bool frozen = false;
    // Trailing elements of the tuple that are None (MultiheadAttention's attn_weights with
    // need_weights=False): shown and printed as None, never taken by a later layer.
    std::int64_t tuple_nones = 0;
};

struct Lowering; // exec_desc.hpp: what the kernels need, and the layer's state_dict entries

struct InferContext {
    Mode mode = Mode::Eval;
    // Per input, the index of the first input that is the same tensor (the same layer's output,
    // or the same tuple element), so `same_as[k] == k` unless input k repeats an earlier one.
    // PyTorch's MultiheadAttention takes other paths for `key is value` (its messages differ);
    // empty: every input is its own tensor.
    std::vector<std::size_t> same_as;
};

// Arguments bound to a layer type's signature: every parameter present in signature order, with
// defaults filled in, except inferable ones (in_channels, ...) that the spec left out.
struct Args {
    std::string type;  // "Conv2d"
    std::string where; // "layers[3]", for messages about arguments
    std::vector<std::pair<std::string, Value>> values;

    const Value* find(const std::string& name) const;
    std::string path(const std::string& name) const;
};

class Layer {
public:
    explicit Layer(Args args) : args_(std::move(args)) {}
    virtual ~Layer() = default;

    const std::string& type() const { return args_.type; }
    const Args& args() const { return args_; }

    // Short description for tables: "Conv2d(3, 8, k=3, s=2, p=1)".
    virtual std::string brief() const = 0;
    // How many input tensors the layer takes: [min, max]. One by default; the merge layers (Add,
    // Mul, Concat, ...) take branches named by "inputs".
    struct InputCount {
        std::size_t min = 1, max = 1;
    };
    virtual InputCount input_count() const { return {}; }
    // Appended to the message when the count is wrong (", or a number as `other`").
    virtual std::string inputs_hint() const { return ""; }
    // Whether the layer can take several inputs (a merge layer).
    bool multi_input() const { return input_count().max > 1; }
    // Whether the layer returns a tuple of tensors (Chunk, Split, Unbind): later layers then take
    // one of them by index, "c[0]", never the tuple itself.
    virtual bool returns_tuple() const { return false; }
    // Appended to "tuple index out of range" for element `slot` (MultiheadAttention with
    // need_weights=False: PyTorch's second element is None).
    virtual std::string tuple_index_note(std::int64_t /*slot*/) const { return ""; }
    // PyTorch's constructor checks that do not need the input (throws ShapeError).
    virtual void check_construct() const {}
    virtual LayerOutput infer(const std::vector<Shape>& inputs, const InferContext& ctx,
                              Lowering& lower) const = 0;

private:
    Args args_;
};

using LayerPtr = std::shared_ptr<const Layer>;

struct ParamSpec {
    std::string name;
    bool required = false;
    Value default_value;
    bool inferable = false;    // required in PyTorch, but cnnshape can take it from the input
    bool keyword_only = false; // after `*` in the Python signature (torch.add's alpha)
};

struct LayerType {
    std::string name;
    std::vector<ParamSpec> params;
    bool accepts_anything = false; // Identity(*args, **kwargs)
    std::string family;            // "conv", "pool", ... for documentation
    LayerPtr (*make)(Args);
    // Other spellings that name this type exactly: torch functions ("torch.add", "torch.cat").
    std::vector<std::string> aliases = {};
};

// The registry: every layer type cnnshape knows, with PyTorch's signatures.
const std::vector<LayerType>& layer_types();
// By class name, with or without "nn." / "torch.nn."; nullptr if unknown.
const LayerType* find_layer_type(const std::string& name);

// Binds positional and keyword arguments to the type's signature the way Python does, throwing
// SpecError (at `where`) for unknown or repeated keywords, too many positionals, missing
// required arguments ("Conv2d() missing 1 required positional argument: 'kernel_size'").
Args bind_args(const LayerType& type, const std::vector<Value>& positional,
               const std::vector<std::pair<std::string, Value>>& keywords,
               const std::string& where);

// The option closest to a misspelt name (edit distance <= 2 and less than the name's length,
// ignoring case), or "" when none is.
std::string closest_name(const std::string& wrong, const std::vector<std::string>& options);
std::size_t edit_distance(const std::string& a, const std::string& b); // Levenshtein, ignoring case

// A module class PyTorch has (torch.nn, and torchvision.ops), listed by tools/gen_torch_modules.py.
struct TorchModule {
    const char* name; // "PReLU"
    const char* path; // how to write it: "nn.PReLU", "torchvision.ops.StochasticDepth"
};
const std::vector<TorchModule>& torch_modules(); // sorted by name
// By class name, with or without a prefix ("nn.", "torchvision.ops."); nullptr if PyTorch has none.
const TorchModule* find_torch_module(const std::string& name);

// The message for a layer type cnnshape does not have. A class PyTorch has: "PyTorch has nn.PReLU;
// cnnshape does not support it yet (`cnnshape layers` lists the layers cnnshape supports)". Any
// other name: "unknown layer type 'nn.Conv2D' (did you mean 'Conv2d'?)", the hint chosen among
// the registered types and PyTorch's other classes (a typo of one of those is said to be one).
std::string unknown_layer_message(const std::string& name);
// The same with the hint chosen among `supported` only (the types `solve` takes), and `see_also`
// in place of the pointer to `cnnshape layers` ("" for none).
std::string unknown_layer_message(const std::string& name,
                                  const std::vector<std::string>& supported,
                                  const std::string& see_also);

// What follows "Conv2d() got an unexpected keyword argument 'kernel'": " (did you mean
// 'kernel_size'?)" for another spelling, an abbreviation, another framework's name or a typo of
// one of `valid`; otherwise "; Conv2d takes in_channels, out_channels, ...".
std::string keyword_hint(const std::string& type, const std::string& wrong,
                         const std::vector<std::string>& valid);

// Convenience: bind a PyTorch expression Call and construct the layer.
LayerPtr make_layer(const Call& call, const std::string& where);

} // namespace cnnshape
