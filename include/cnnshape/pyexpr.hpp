// Readers for PyTorch text: one expression ("nn.MaxPool2d(2, stride=2)"), and whole pasted
// Python source or print(model) output holding an nn.Sequential.
#pragma once
#include "cnnshape/shape.hpp"
#include "cnnshape/value.hpp"
#include <optional>
#include <string>

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
    // torch.zeros, torch.ones, torch.empty with int arguments or a shape tuple), if any.
    std::optional<Shape> example_input;
};

// Reads either
//  * Python source: imports, comments, assignments and other statements may surround it; the
//    first call whose name ends in "Sequential" is the network (e.g. `model = nn.Sequential(...)`);
//  * or the text PyTorch prints for print(model) of an nn.Sequential, nested Sequentials included.
// A print(model) container other than Sequential (e.g. "BasicBlock(") throws SpecError saying its
// forward() is unknown so only Sequential containers can be read. No Sequential at all: SpecError.
SequentialText parse_sequential_text(const std::string& text);

} // namespace cnnshape
