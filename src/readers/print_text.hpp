// print(model) text: its lines, the blocks its containers open, and the reader that turns a
// Sequential block into the layers it prints. Internal to src/readers.
#pragma once
#include "py_parser.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cnnshape::pyparse {

// ---------------------------------------------------------------------------------------------
// print(model) text.

struct Line {
    size_t start, end; // end excludes '\n' and a trailing '\r'
};

std::vector<Line> split_lines(const std::string& s);

size_t skip_hspace(const std::string& s, size_t p, size_t end);

size_t trim_end(const std::string& s, size_t b, size_t e);

bool is_blank(const std::string& s, const Line& l);

// "(name): rest" — PyTorch's line for one child module.
struct ChildLine {
    size_t paren;      // offset of '('
    size_t name_start; // offset of the name
    std::string name;
    size_t rest; // offset of the module's repr
};

std::optional<ChildLine> child_line(const std::string& s, const Line& l);

// "Name(" alone at the end of a line, starting at `p`: a container whose children follow.
std::optional<std::string> opens_block(const std::string& s, size_t p, const Line& l);

size_t next_nonblank(const std::string& s, const std::vector<Line>& lines, size_t k);

bool children_follow(const std::string& s, const std::vector<Line>& lines, size_t k);

struct Header {
    size_t name_off;
    std::string cls;
};

// A line that opens a print(model) block: it ends in "Name(" ("Sequential(",
// "(features): Sequential(", "Out[3]: Sequential(") and a child line follows.
std::optional<Header> print_header(const std::string& s, const std::vector<Line>& lines, size_t k);

// One block of print(model) text: a container line and its children up to the ')' closing it.
struct PrintBlock {
    size_t line;           // index of the line that opens it
    size_t cls_off;        // offset of its class name
    std::string cls;       // "Sequential", "ResNet", ...
    std::string path;      // the attribute path from the outermost block: "features", "layer1"
    std::int64_t parent;   // index of the enclosing block, -1 for an outermost one
    bool under_sequential; // some enclosing block is a Sequential
    size_t end_line;       // index of the line of its ')'; lines.size() when it is not closed
};

// Every block, in order. Only the structure is read here; PrintReader reports what is malformed.
// `orphans` gets the child lines ("(2): Linear(...)") outside every block: the text is a part
// of a larger print(model).
std::vector<PrintBlock> scan_print_blocks(const std::string& s, const std::vector<Line>& lines,
                                          std::vector<size_t>& orphans);

class PrintReader {
public:
    PrintReader(const Source& src, const std::vector<Line>& lines)
        : src_(src), s_(src.text()), lines_(lines) {}

    // Reads the block opened on line `k` by class `cls` at `cls_off`; `k` ends past its ')'.
    Value block(size_t& k, size_t cls_off, const std::string& cls, int depth);

private:
    static Value make_sequential(size_t pos, size_t end, Value::List items);

    const Source& src_;
    const std::string& s_;
    const std::vector<Line>& lines_;
};

} // namespace cnnshape::pyparse
