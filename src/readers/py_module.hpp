// Python model files: `class Net(nn.Module)` with __init__ and forward, read without Python. A
// small front end (tokens with INDENT/DEDENT, statements, expressions) and an evaluator of the
// subset model files are written in: __init__ builds module objects (layer calls become cnnshape
// layers, validated by their constructors), and forward() runs symbolically on the input shape,
// each submodule call, F.*, torch.* or tensor method appending a layer to the Network. Layer names
// are PyTorch's state_dict names. Internal to src/readers.
#pragma once
#include "cnnshape/layer.hpp"
#include "cnnshape/network.hpp"

#include <optional>
#include <string>

namespace cnnshape {

// Whether the text looks like a model file for this reader: a `class X(...)` and a `def forward`.
bool has_module_class(const std::string& text);

// The network of the model the text defines. `model` (--model) names a class, a module-level
// variable, a function, or is a call expression (`ResNet(BasicBlock, [2, 2, 2, 2])`). nullopt when
// the text defines no module class with a forward() or `model` names nothing this reader knows (a
// Sequential the other reader may find: `self.features`, a line number). Errors are SpecErrors at
// "line L, column C" with the line and a caret.
std::optional<Network> load_module_source(const std::string& text, const std::string& model,
                                          const ReadHints& hints);

} // namespace cnnshape
