// A network: layers in execution order and how they connect. Nested Sequentials are flattened;
// their names survive as dotted prefixes ("layer1.0.conv1"), as in PyTorch's state_dict.
#pragma once
#include "cnnshape/layer.hpp"
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cnnshape {

struct Node {
    std::string name;  // full dotted name
    std::string where; // where the spec defines it: "layers[3]", "line 4", "--layer 2"
    LayerPtr layer;
    std::vector<std::int64_t> inputs; // node indices; -1 is the network input
    bool trainable = true;
    // Arguments the spec could not show and the reader took at their defaults (print(model)
    // text leaves some out, e.g. AvgPool2d's ceil_mode); empty for other readers.
    std::vector<std::string> assumed;
    // For each input, the element taken from a node that returns a tuple ("c[1]" is 1); -1 for
    // a node that returns one tensor. Empty: -1 for every input.
    std::vector<std::int64_t> slots = {};
    // Tensors of the layer's state_dict that an earlier layer holds, by the tensor's name and the
    // holder's key: a module called a second time uses its first call's weights, and
    // F.conv2d(x, self.w) uses the Parameter `w` as its weight. PyTorch counts such a tensor once:
    // it is counted, initialised and loaded where it is held. Empty: the layer holds its own.
    struct SharedTensor {
        std::string tensor, key;
    };
    std::vector<SharedTensor> shared = {};
    // Where the module was constructed among the network's layers (PyTorch's construction
    // order, in which `run --seed` draws the weights); -1: in node order.
    std::int64_t init_order = -1;
};

// One of the network's named outputs (a spec's "outputs"): a node, or one element of the tuple it
// returns (slot >= 0).
struct NetOutput {
    std::string name;
    std::int64_t node = -1; // -1: the network input
    std::int64_t slot = -1;
};

struct Network {
    std::string name;
    std::optional<Shape> input;
    Mode mode = Mode::Eval;
    std::vector<Node> nodes;  // every input of a node comes earlier
    std::int64_t output = -1; // node giving the network's output; -1: the input itself
    // Several outputs, when the spec names them (auxiliary heads, feature maps): then `output` is
    // the first. Empty: the one output is `output`.
    std::vector<NetOutput> outputs;
    // What the reader wants the user to know, one line each ("planning self.features, ...").
    std::vector<std::string> notes;
    // Where `input` came from when the reader guessed it from the text; shown when no --input
    // overrides it.
    std::string input_note;
    // Set when the reader evaluated the text on `input` (a Python model file's forward() reads
    // x.size(), so its layers may hold the input's sizes: F.pad amounts, view sizes): the network
    // for another input shape, read again from the same text. Empty for JSON, expressions and
    // nn.Sequential text, whose layers do not depend on the input.
    std::function<Network(const Shape&)> read_for_input;
    // A Python model file that initialises its weights itself (nn.init.*, a weight's .normal_(),
    // nn.Parameter(torch.ones(...))), which run --seed does not replay: the first place
    // ("line 45: nn.init.kaiming_normal_") and how many places. Empty for other readers.
    std::string own_init;
    std::int64_t own_init_count = 0;
};

// The most layers a spec may hold (a million plan in a few seconds); one more is a SpecError
// at that layer, whichever reader it came through.
constexpr std::size_t kMaxSpecLayers = 1000000;

// What a reader of Python model files (class Net(nn.Module) with forward()) needs before it
// reads: forward() is evaluated on the input, and `if self.training` takes the --mode branch.
struct ReadHints {
    std::optional<Shape> input; // --input
    std::optional<Mode> mode;   // --mode
};

// Readers. All throw SpecError (with where()) for anything that cannot become layers, and
// UsageError for unreadable files. `model` (--model) names the nn.Sequential to read when Python
// or print(model) text holds several (see parse_sequential_text); a JSON spec holds one network,
// so a `model` with it is a UsageError.
Network load_spec_json(const std::string& text);
// nn.Sequential(...) Python source or print(model) text.
Network load_spec_python(const std::string& text, const std::string& model = "",
                         const ReadHints& hints = {});
// JSON when the text starts with '{' or '[', else Python / print(model) text.
Network load_spec_text(const std::string& text, const std::string& model = "",
                       const ReadHints& hints = {});
// A path, or "-" for standard input.
Network load_spec_file(const std::string& path, const std::string& model = "",
                       const ReadHints& hints = {});
// --layer "nn.Conv2d(3, 8, 3)" expressions, in order; an nn.Sequential(...) expression nests.
Network network_from_exprs(const std::vector<std::string>& exprs);

} // namespace cnnshape
