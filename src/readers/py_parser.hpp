// The lexer and parser of PyTorch text: one Python expression (a layer call, a literal, simple
// arithmetic) read into a Value, with errors that point at the line and column. The readers
// (sequential_text.cpp: pasted Python and print(model) text) build on it. Internal to src/readers.
#pragma once
#include "cnnshape/error.hpp"
#include "cnnshape/layer.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cnnshape::pyparse {

constexpr int kMaxDepth = 200;     // brackets, calls and unary operators nested in one another
constexpr size_t kEchoWidth = 100; // longer offending lines are shown as a window around C
constexpr std::uint64_t kInt64Max = std::uint64_t(std::numeric_limits<std::int64_t>::max());

inline bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
inline bool is_ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool is_ident_char(char c) {
    return is_ident_start(c) || is_digit(c);
}
inline bool is_hspace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}
inline bool is_space(char c) {
    return is_hspace(c) || c == '\n';
}
inline bool is_cont_byte(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Length of a UTF-8 no-break space (U+00A0) or byte-order mark (U+FEFF) at `i`, else 0. Text pasted
// from web pages carries both, and treating them as blanks costs nothing.
inline size_t unicode_space_at(const std::string& s, size_t i, size_t limit) {
    auto u = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    if (i + 1 < limit && u(i) == 0xC2 && u(i + 1) == 0xA0) return 2;
    if (i + 2 < limit && u(i) == 0xEF && u(i + 1) == 0xBB && u(i + 2) == 0xBF) return 3;
    return 0;
}

// Decodes the UTF-8 sequence at `i`; returns its length (0 when it is not valid UTF-8).
inline size_t decode_utf8(const std::string& s, size_t i, size_t limit, std::uint32_t& cp) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > limit) return 0;
    cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) {
        if (!is_cont_byte(s[i + k])) return 0;
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    return n;
}

inline void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

// A piece of the text quoted in a message: at most `max` bytes, control characters as '?'.
inline std::string shorten(const std::string& text, size_t max = 40) {
    std::string s = text;
    if (s.size() > max) {
        size_t cut = max;
        while (cut > 0 && is_cont_byte(s[cut]))
            --cut;
        s = s.substr(0, cut) + "...";
    }
    for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    return s;
}

// ---------------------------------------------------------------------------------------------
// The source text and error reporting.

class Source {
public:
    explicit Source(const std::string& text) : text_(text) {
        size_t e = text.size();
        while (e > 0 && is_space(text[e - 1]))
            --e;
        multi_line_ = text.find('\n') < e;
    }
    const std::string& text() const { return text_; }

    // "column C" for one-line texts, "line L, column C" otherwise; C counts characters, from 1.
    std::string where(size_t off) const;

    // The offending line and a caret under the column of `off` (what fail() appends).
    std::string echo(size_t off) const { return echo_line(off); }

    // The line (from 1) that holds offset `off`.
    size_t line_of(size_t off) const { return line_col(off).first; }

    // The message, a newline, the offending line, a newline and a caret under the column.
    [[noreturn]] void fail(size_t off, const std::string& message) const {
        throw SpecError(where(off), message + "\n" + echo_line(off));
    }

    // Where an error about "the text ended" points: the last character that is not blank
    // (before `limit`, not before `begin`), so the caret sits under something visible.
    size_t end_offset(size_t begin, size_t limit) const;

private:
    std::pair<size_t, size_t> line_col(size_t off) const;

    // "  <line>\n  <blanks>^" with tabs kept so that the caret lines up; control characters are
    // shown as '?'; long lines are cut to a window around the column.
    std::string echo_line(size_t off) const;

    const std::string& text_;
    bool multi_line_ = false;
    mutable std::vector<size_t> line_starts_;
};

// ---------------------------------------------------------------------------------------------
// Tokens.

enum class Tok { End, Name, Int, Float, Str, Punct };

struct Token {
    Tok kind = Tok::End;
    size_t start = 0, end = 0;
    std::string text;      // Name: dotted name; Str: decoded value; Punct: the operator
    std::uint64_t mag = 0; // Int: magnitude (at most 2^63)
    double real = 0;       // Float
    bool is(const char* p) const { return kind == Tok::Punct && text == p; }
};

class Parser {
public:
    // Parses text[begin, limit). `ended` names what ends ("the text" or "the line").
    Parser(const Source& src, size_t begin, size_t limit, std::string ended = "the text")
        : src_(src), s_(src.text()), pos_(begin), begin_(begin), limit_(limit),
          ended_(std::move(ended)) {}

    size_t pos() const { return pos_; }

    // Called for a bare name in a value (`C` in nn.Conv2d(3, C, 3)), with the keyword whose value
    // is being read ("" for a positional argument): the value the name stands for, or nullopt
    // to keep it as a bare word (print(model) writes mode=nearest). It may fail the parse.
    using Resolver = std::function<std::optional<Value>(const Token& name, const std::string& kw)>;
    void set_resolver(Resolver r) { resolver_ = std::move(r); }

    Value parse_expr() { return parse_sum(); }

    // `2, 3` (the right side of `a, b = 2, 3`): a tuple when there is a comma.
    Value parse_expr_list();

    // A literal, name, call, tuple or list, without operators around it.
    Value parse_primary() { return parse_atom(); }

    // Requires that nothing but blanks and comments is left.
    void expect_end(const char* after);

    Token peek();
    Token next();

    // Lexes the token that starts at or after `p` (blanks and comments skipped).
    Token lex(size_t p) const;

    // How a token is named in messages: "'foo'", "the text ended", "'“' (U+201C)", ...
    std::string describe(const Token& t) const;

    const Source& source() const { return src_; }

private:
    struct DepthGuard {
        DepthGuard(Parser& p, size_t at) : p_(p) {
            if (++p_.depth_ > kMaxDepth)
                p_.src_.fail(at, "too deeply nested: more than " + std::to_string(kMaxDepth) +
                                     " levels of brackets, calls or signs");
        }
        ~DepthGuard() { --p_.depth_; }
        Parser& p_;
    };

    size_t skip_blank(size_t p) const;

    size_t end_of_word(size_t p) const;

    [[noreturn]] void bad_number(size_t start, const std::string& why = "invalid number") const;

    // digit ('_'? digit)* from p; returns the end; `ok` false when a '_' is misplaced.
    size_t digit_part(size_t p, bool (*digit)(char), bool& ok) const;

    Token lex_number(size_t start) const;

    // A string literal whose quote is at `q` (the token starts at `start`, before any prefix).
    Token lex_string(size_t q, size_t start, bool raw) const;

    // ----- grammar -----

    static bool starts_value(const Token& t);

    [[noreturn]] void fail_found(const Token& t, const std::string& expected,
                                 size_t opener = std::string::npos) const;

    Value need_value(const std::string& expected);

    Value parse_sum();

    Value parse_term();

    Value parse_factor();

    Value parse_power();

    // Constant arithmetic on number literals (nn.Linear(16 * 5 * 5, 120)), with Python's rules.
    Value arith(const Token& op, const Value& a, const Value& b);

    Value parse_atom();

    Value parse_sequence(const Token& open);

    Value parse_call(const Token& name);

    const Source& src_;
    const std::string& s_;
    size_t pos_, begin_, limit_;
    std::string ended_;
    int depth_ = 0;
    Resolver resolver_;
    std::string keyword_; // the keyword argument whose value is being read
    Token peek_;
    size_t peek_pos_ = 0;
    bool have_peek_ = false;
};

} // namespace cnnshape::pyparse
