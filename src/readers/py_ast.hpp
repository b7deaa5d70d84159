// The Python subset model files are written in: tokens (with INDENT/DEDENT), expressions and
// statements, parsed into a small tree that py_module.cpp evaluates. Errors are SpecErrors at
// "line L, column C" with the line and a caret (pyparse::Source). Internal to src/readers.
#pragma once
#include "py_parser.hpp"
#include "python_source.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cnnshape::pymod {

enum class T { Name, Int, Float, Str, Op, Newline, Indent, Dedent, End };

struct Tok {
    T k = T::End;
    size_t at = 0, end = 0;
    std::string s;      // Name, Op; Str: the decoded value
    std::int64_t i = 0; // Int
    double f = 0;       // Float
    bool fstr = false;  // Str: an f-string (s is the raw text between the quotes)
    size_t body = 0;    // Str, fstr: offset of the text between the quotes
    bool is(const char* op) const { return k == T::Op && s == op; }
    bool kw(const char* w) const { return k == T::Name && s == w; }
};

// Tokens of text[begin, limit). `logical` false: no NEWLINE/INDENT/DEDENT (an f-string's field).
std::vector<Tok> tokenize(const pyparse::Source& src, size_t begin, size_t limit,
                          bool logical = true);

enum class EK {
    Name,
    Int,
    Float,
    Str,
    FStr,
    True,
    False,
    None,
    Ellipsis,
    Attr,
    Call,
    Sub,
    Slice,
    Bin,
    Unary,
    Not,
    Cmp,
    And,
    Or,
    IfExp,
    Tuple,
    List,
    Dict,
    ListComp,
    DictComp,
    Starred,
    DoubleStarred,
    Lambda
};

struct Stmt;
struct Expr;
using EP = std::unique_ptr<Expr>;
using SP = std::unique_ptr<Stmt>;

struct Param {
    std::string name;
    EP def;       // default, or null
    int kind = 0; // 0 plain, 1 *args, 2 **kwargs, 3 keyword-only
    size_t at = 0;
};

struct Comp { // `for target in iter if cond ...`
    EP target, iter;
    std::vector<EP> conds;
};

struct Expr {
    EK k;
    size_t at = 0;
    std::string s;                // Name id, Attr name, Bin/Unary op, Str value, FStr raw text
    std::int64_t i = 0;           // Int; FStr: offset of its text
    double f = 0;                 // Float
    std::vector<EP> a;            // operands / elements / call arguments (after the callee in a[0])
    std::vector<std::string> kw;  // Call: per argument after the callee: "" positional, name
    std::vector<std::string> ops; // Cmp
    std::vector<Comp> comps;      // ListComp, DictComp
    std::vector<Param> params;    // Lambda
    explicit Expr(EK kind, size_t pos) : k(kind), at(pos) {}
};

enum class SK {
    Expr,
    Assign,
    Aug,
    AnnAssign,
    Return,
    If,
    For,
    While,
    Def,
    Class,
    Pass,
    Break,
    Continue,
    Import,
    Unsupported,
    Assert,
    Global
};

struct Stmt {
    SK k;
    size_t at = 0;
    std::vector<EP> targets; // Assign: each `target =`; For: [target]; AnnAssign, Aug: [target]
    EP value;                // Assign, Aug, Return, Expr; If/While: test; For: iterable
    std::string s;           // Aug: operator ("+"); Def/Class: name; Unsupported: keyword
    std::vector<SP> body, orelse;
    std::vector<Param> params; // Def
    std::vector<EP> bases;     // Class: base expressions; Def: decorators
    std::vector<std::string> base_kw;
    explicit Stmt(SK kind, size_t pos) : k(kind), at(pos) {}
};

struct Module {
    std::vector<SP> body;
};

// Parses a whole file.
Module parse_module(const pyparse::Source& src);
// Parses one expression from text[begin, limit) (an f-string field, a --model call).
EP parse_expression(const pyparse::Source& src, size_t begin, size_t limit);

} // namespace cnnshape::pymod
