// Readers for PyTorch text: one expression ("nn.MaxPool2d(2, stride=2)"), and whole pasted
// Python source or print(model) output holding an nn.Sequential.
#pragma once
#include "cnnshape/error.hpp"
#include "cnnshape/shape.hpp"
#include "cnnshape/value.hpp"
#include <optional>
#include <string>
#include <vector>

namespace cnnshape {

// Parses one Python expression: calls with positional and keyword arguments (dotted names such as
// nn.Conv2d or torch.nn.Conv2d), ints (with optional '_' separators, unary minus), floats
// (1e-5, .5, 2.), True/False/None, 'single' or "double" quoted strings, tuples (with the
// one-element (3,) form), lists, and bare identifiers (kept as strings with bare_word = true,
// because print(model) writes mode=nearest). Whitespace and newlines are free inside brackets;
// '#' starts a comment. Every Value and Call records its byte offset (pos).
// Errors throw SpecError whose where() is "column C" (1-based; "line L, column C" when the text
// has several lines) and whose message ends with the offending line and a caret under column C.
Value parse_py_expr(const std::string& text);

struct SequentialText {
    // A Call named Sequential (or nn.Sequential, ...). Its arguments are layer calls, or a single
    // OrderedDict call whose one argument is a list of ('name', Call) 2-tuples, exactly as Python
    // writes nn.Sequential(OrderedDict([...])). print(model) text is converted into that form:
    // children "(0): X" keep name "0", "(conv1): X" keeps "conv1".
    Value sequential;
    // Shape of an example tensor found in Python source (torch.rand(3, 110, 110), torch.randn,
    // torch.zeros, torch.ones, torch.empty with int arguments or a shape tuple), if any: the one
    // passed to the chosen network (`model(x)` with `x = torch.rand(...)`), else the first.
    std::optional<Shape> example_input;
    // When example_input is the text's first example but the text holds several networks, so
    // that it may belong to another one: where it was found ("torch.randn at line 28").
    std::string example_guess;
    // Every network the text holds, in order (nested Sequentials are part of theirs), and which
    // of them was read.
    std::vector<ModelCandidate> candidates;
    std::size_t chosen = 0;
    bool print_text = false; // read from print(model) text rather than a Python call
    // Things the user should know ("planning self.features, the one nn.Sequential ...").
    std::vector<std::string> notes;
};

// Reads either
//  * Python source: imports, comments, assignments and other statements may surround the
//    network, an nn.Sequential(...) call (e.g. `model = nn.Sequential(...)`). Names in its
//    arguments are resolved from simple assignments before it (`C = 16`, `k = (3, 3)`,
//    `C2 = C * 2`); a name that cannot be resolved is a SpecError at that name.
//  * or the text PyTorch prints for print(model) of an nn.Sequential, nested Sequentials included.
// A text may hold several networks (Sequentials not nested in another Sequential): `model` names
// the one to read, as the name it is assigned to ("model", "self.features"; "features" also
// matches "self.features"), the child name of a print(model) block ("features"), or the line it
// starts on ("12"). With one network, `model` may be empty. Several and no `model`, or a `model`
// that names none or several of them: ModelChoiceError listing the candidates.
// A print(model) container other than Sequential (e.g. "BasicBlock(") throws SpecError saying its
// forward() is unknown so only Sequential containers can be read (its Sequential children can be
// chosen with `model`). No Sequential at all: SpecError.
SequentialText parse_sequential_text(const std::string& text, const std::string& model = "");

// The constructor arguments of layer `type` that PyTorch's repr (so print(model) text) never
// shows, generated from PyTorch by tools/gen_print_hidden.py; nullptr for a type not in the
// table (one PyTorch does not have, such as Add).
const std::vector<std::string>* print_hidden_arguments(const std::string& type);

} // namespace cnnshape
