// A network: layers in execution order and how they connect. Nested Sequentials are flattened;
// their names survive as dotted prefixes ("layer1.0.conv1"), as in PyTorch's state_dict.
#pragma once
#include "cnnshape/layer.hpp"
#include <cstddef>
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
};

struct Network {
    std::string name;
    std::optional<Shape> input;
    Mode mode = Mode::Eval;
    std::vector<Node> nodes;  // every input of a node comes earlier
    std::int64_t output = -1; // node giving the network's output; -1: the input itself
};

// The most layers a spec may hold (a million plan in a few seconds); one more is a SpecError
// at that layer, whichever reader it came through.
constexpr std::size_t kMaxSpecLayers = 1000000;

// Readers. All throw SpecError (with where()) for anything that cannot become layers, and
// UsageError for unreadable files.
Network load_spec_json(const std::string& text);
// nn.Sequential(...) Python source or print(model) text.
Network load_spec_python(const std::string& text);
// JSON when the text starts with '{' or '[', else Python / print(model) text.
Network load_spec_text(const std::string& text);
// A path, or "-" for standard input.
Network load_spec_file(const std::string& path);
// --layer "nn.Conv2d(3, 8, 3)" expressions, in order; an nn.Sequential(...) expression nests.
Network network_from_exprs(const std::vector<std::string>& exprs);

} // namespace cnnshape
