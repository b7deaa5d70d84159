// Pasted Python source: its statements and calls (scan_python), what its simple assignments bind
// (Names), the example inputs it builds, and what it does to a network after building it.
// Internal to src/readers.
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
// The structure of Python source: its statements and its calls.

constexpr size_t npos = std::string::npos;

bool is_sequential_name(const std::string& name);

bool is_example_maker(const std::string& name);

// A logical line: from its first character to the newline (or ';') that ends it, brackets and
// backslash continuations joined.
struct Statement {
    size_t start, end;
    size_t indent; // columns before the first character (a tab goes to the next multiple of 8)
};

// A `dotted.name(` in code (not in a comment or a string).
struct PyCall {
    std::string name;
    size_t at;                  // offset of the name
    size_t end = npos;          // past the matching ')'; npos when it is not closed
    bool in_call = false;       // inside the parentheses of another call
    bool in_sequential = false; // inside the parentheses of a Sequential call
    size_t stmt = 0;            // the statement holding it
};

struct PyStructure {
    std::vector<Statement> stmts;
    std::vector<PyCall> calls;
};

bool is_string_prefix(const std::string& s, size_t b, size_t e);

// Past the string literal whose opening quote is at `q`. A one-quote string also ends at the end
// of its line (so that an apostrophe in prose around the code costs one line); an unterminated
// triple-quoted one runs to the end of the text.
size_t skip_string(const std::string& s, size_t q);

// One pass over the text: statements, calls and how calls nest. Comments and strings (triple-
// quoted ones included, so a docstring mentioning nn.Sequential(...) is not code) are skipped. A
// Markdown code fence (```) closes whatever brackets are open, as pasted tutorials mix prose and
// code.
PyStructure scan_python(const std::string& s);

// The tokens of one statement; empty when it does not lex (prose around the code often does not).
std::vector<Token> statement_tokens(const Source& src, const Statement& st);

// ---------------------------------------------------------------------------------------------
// Names: what the simple assignments of Python source bind, as a lexical scope would see them.

// A place that binds a name.
struct BindSite {
    std::string name;
    size_t stmt;
    size_t indent; // the binding is visible to later statements until one is indented less
    size_t at;     // offset of the name
    enum Kind { Assign, Augmented, Other } kind = Other;
    size_t rhs = 0;            // Assign, Augmented: where the expression starts
    std::string op;            // Augmented: "+" for +=
    size_t tuple_index = npos; // `a, b = 1, 2`: which element
    size_t tuple_size = 0;     //
    std::string why;           // Other: what it is, "the loop variable of the 'for' at line 4"
};

bool is_keyword(const std::string& w);

bool simple_name(const Token& t);

std::vector<BindSite> bind_sites(const Source& src, const PyStructure& py);

bool holds_call(const Value& v);

// Sweeps the statements in order, evaluating each simple assignment with the names visible
// there, and resolves the names of a chosen expression as its statement sees them.
class Names {
public:
    Names(const Source& src, const PyStructure& py) : src_(src), py_(py) {
        sites_ = bind_sites(src, py);
        for (size_t i = 0; i < sites_.size(); ++i)
            if (sites_[i].indent == 0) last_module_level_[sites_[i].name] = i;
    }

    const std::vector<BindSite>& sites() const { return sites_; }

    // Parses the expression at `at` (in statement `stmt`) with its names resolved. Lenient:
    // a name that cannot be resolved stays a bare word, and a malformed expression gives None.
    Value parse_at(size_t at, size_t stmt, bool lenient = false);

private:
    struct Bound {
        size_t site;
        std::optional<Value> value;
        std::string why; // when there is no value
    };

    // Resolves a name for the expression being read in statement `stmt`.
    std::optional<Value> resolve(const Token& t, const std::string& kw);

    // Offset of the first module-level binding of `name` after `at`.
    size_t first_after(const std::string& name, size_t at) const;

    static std::string unresolved(const std::string& name) {
        return "'" + shorten(name) + "' is a name cnnshape could not resolve";
    }

    std::string not_found_reason(const std::string& name, size_t at) const;

    void sweep_to(size_t stmt);

    void bind(size_t si);

    std::optional<Value> augmented(const Value& a, const std::string& op, const Value& v);

    const Source& src_;
    const PyStructure& py_;
    std::vector<BindSite> sites_;
    std::map<std::string, std::vector<size_t>> scope_; // name -> visible bindings (last wins)
    std::map<std::string, size_t> last_module_level_;  // name -> its last indent-0 site
    std::vector<Bound> bound_;
    std::vector<size_t> order_; // bindings in scope, in the order they were made
    std::vector<size_t> defs_;  // indentation of the defs the sweep is inside
    size_t swept_ = 0, next_site_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Example inputs: torch.rand(3, 110, 110) and the like.

// The sizes an example call gives, read as Python would: torch.rand(3, 110, 110),
// torch.randn((1, 3, 32, 32)), torch.zeros([2, 3], dtype=...), torch.ones(size=(2, 3)), names
// included (torch.rand(batch, 3) with batch = 8). nullopt when they are not non-negative ints.
std::optional<Shape> example_sizes(const Value& v);

// The input passed to the network named `name` (`name(x)` with `x = torch.rand(...)` before
// it, or `name(torch.rand(...))`): found says whether there is such a call, the result whether
// its sizes could be read.
std::optional<Shape> example_passed_to(const Source& src, const PyStructure& py, Names& names,
                                       const std::string& name, size_t after, bool& found);

// The text's first example call (outside print(model) blocks), its sizes if they can be read.
std::optional<Shape> first_example(const PyStructure& py, Names& names,
                                   const std::function<bool(size_t)>& skip, size_t& at);

// ---------------------------------------------------------------------------------------------
// What is done to a network after nn.Sequential(...) builds it.

bool is_other_dtype(const Value& v);

// `.half()`, `.to(torch.float16)`: the dtype a method gives the network, or "".
std::string dtype_change(const Call& m);

// Methods that change a Sequential's layers.
bool changes_layers(const std::string& method);

// The method calls chained after the Sequential call, up to the end of its statement:
// `.to(device)`, `.cuda()`, `.eval()` are fine; what changes the layers or their dtype, or takes
// part of the network (`[:-1]`), is refused rather than ignored.
void check_after_call(const Source& src, size_t from, size_t limit);

// Statements after the network is built that change it: `model.append(...)`,
// `model.add_module(...)`, `model[0] = ...`, `del model[1]`, `model.half()`. Until `name` is
// assigned again.
void check_later_changes(const Source& src, const PyStructure& py,
                         const std::vector<BindSite>& sites, const std::string& name, size_t after);

} // namespace cnnshape::pyparse
