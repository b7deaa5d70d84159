// Readers for PyTorch text: a tokenizer and recursive-descent parser for one Python expression,
// and the scanner that finds an nn.Sequential in pasted Python source or print(model) output.
#include "cnnshape/pyexpr.hpp"

#include "cnnshape/checked.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/layer.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace cnnshape {

namespace {

constexpr int kMaxDepth = 200;     // brackets, calls and unary operators nested in one another
constexpr size_t kEchoWidth = 100; // longer offending lines are shown as a window around C
constexpr std::uint64_t kInt64Max = std::uint64_t(std::numeric_limits<std::int64_t>::max());

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_ident_char(char c) {
    return is_ident_start(c) || is_digit(c);
}
bool is_hspace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}
bool is_space(char c) {
    return is_hspace(c) || c == '\n';
}
bool is_cont_byte(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Length of a UTF-8 no-break space (U+00A0) or byte-order mark (U+FEFF) at `i`, else 0. Text pasted
// from web pages carries both, and treating them as blanks costs nothing.
size_t unicode_space_at(const std::string& s, size_t i, size_t limit) {
    auto u = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    if (i + 1 < limit && u(i) == 0xC2 && u(i + 1) == 0xA0) return 2;
    if (i + 2 < limit && u(i) == 0xEF && u(i + 1) == 0xBB && u(i + 2) == 0xBF) return 3;
    return 0;
}

// Decodes the UTF-8 sequence at `i`; returns its length (0 when it is not valid UTF-8).
size_t decode_utf8(const std::string& s, size_t i, size_t limit, std::uint32_t& cp) {
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

void append_utf8(std::string& out, std::uint32_t cp) {
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
std::string shorten(const std::string& text, size_t max = 40) {
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
    std::string where(size_t off) const {
        auto [line, col] = line_col(off);
        if (!multi_line_) return "column " + std::to_string(col);
        return "line " + std::to_string(line) + ", column " + std::to_string(col);
    }

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
    size_t end_offset(size_t begin, size_t limit) const {
        size_t e = limit;
        while (e > begin && is_space(text_[e - 1]))
            --e;
        if (e == begin) return begin;
        --e;
        while (e > begin && is_cont_byte(text_[e]))
            --e;
        return e;
    }

private:
    std::pair<size_t, size_t> line_col(size_t off) const {
        off = std::min(off, text_.size());
        // Line starts, indexed once: the readers ask for many lines of large texts.
        if (line_starts_.empty()) {
            line_starts_.push_back(0);
            for (size_t i = 0; i < text_.size(); ++i)
                if (text_[i] == '\n') line_starts_.push_back(i + 1);
        }
        auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), off);
        size_t line = size_t(it - line_starts_.begin());
        size_t ls = *(it - 1);
        size_t col = 1;
        for (size_t i = ls; i < off; ++i)
            if (!is_cont_byte(text_[i])) ++col;
        return {line, col};
    }

    // "  <line>\n  <blanks>^" with tabs kept so that the caret lines up; control characters are
    // shown as '?'; long lines are cut to a window around the column.
    std::string echo_line(size_t off) const {
        off = std::min(off, text_.size());
        size_t ls = off == 0 ? std::string::npos : text_.rfind('\n', off - 1);
        ls = ls == std::string::npos ? 0 : ls + 1;
        size_t le = text_.find('\n', off);
        if (le == std::string::npos) le = text_.size();
        while (le > ls && text_[le - 1] == '\r')
            --le;
        size_t ws = ls, we = le;
        bool cut_left = false, cut_right = false;
        if (le - ls > kEchoWidth) {
            if (off > ls + kEchoWidth / 2) {
                ws = off - kEchoWidth / 2;
                while (ws > ls && is_cont_byte(text_[ws]))
                    --ws;
                cut_left = true;
            }
            if (we > ws + kEchoWidth) {
                we = ws + kEchoWidth;
                while (we > ws && we < le && is_cont_byte(text_[we]))
                    --we;
                cut_right = true;
            }
        }
        std::string line = "  ", caret = "  ";
        if (cut_left) line += "...", caret += "   ";
        for (size_t i = ws; i < we; ++i) {
            char c = text_[i];
            bool ctrl = static_cast<unsigned char>(c) < 0x20 && c != '\t';
            line += ctrl || c == 0x7f ? '?' : c;
            if (i < off && !is_cont_byte(c)) caret += c == '\t' ? '\t' : ' ';
        }
        if (cut_right) line += "...";
        return line + "\n" + caret + "^";
    }

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
    Value parse_expr_list() {
        size_t start = peek().start;
        Value first = parse_sum();
        if (!peek().is(",")) return first;
        Value::List items{std::move(first)};
        while (peek().is(",")) {
            next();
            if (!starts_value(peek())) break;
            items.push_back(parse_sum());
        }
        Value v = Value::tuple(std::move(items));
        v.pos = std::int64_t(start);
        return v;
    }

    // A literal, name, call, tuple or list, without operators around it.
    Value parse_primary() { return parse_atom(); }

    // Requires that nothing but blanks and comments is left.
    void expect_end(const char* after) {
        Token t = peek();
        if (t.kind != Tok::End)
            src_.fail(t.start, std::string("expected the end of ") + ended_ + " after " + after +
                                   " but found " + describe(t));
    }

    Token peek() {
        if (!have_peek_ || peek_pos_ != pos_) {
            peek_ = lex(pos_);
            peek_pos_ = pos_;
            have_peek_ = true;
        }
        return peek_;
    }
    Token next() {
        Token t = peek();
        pos_ = t.end;
        return t;
    }

    // Lexes the token that starts at or after `p` (blanks and comments skipped).
    Token lex(size_t p) const {
        p = skip_blank(p);
        Token t;
        t.start = t.end = p;
        if (p >= limit_) return t;
        char c = s_[p];
        if (is_digit(c) || (c == '.' && p + 1 < limit_ && is_digit(s_[p + 1])))
            return lex_number(p);
        if ((c == 'r' || c == 'R' || c == 'u' || c == 'U') && p + 1 < limit_ &&
            (s_[p + 1] == '\'' || s_[p + 1] == '"'))
            return lex_string(p + 1, p, c == 'r' || c == 'R');
        if (c == '\'' || c == '"') return lex_string(p, p, false);
        if (is_ident_start(c)) {
            size_t e = p;
            while (true) {
                while (e < limit_ && is_ident_char(s_[e]))
                    ++e;
                if (e + 1 < limit_ && s_[e] == '.' && is_ident_start(s_[e + 1])) {
                    ++e;
                    continue;
                }
                break;
            }
            t.kind = Tok::Name;
            t.end = e;
            t.text = s_.substr(p, e - p);
            return t;
        }
        t.kind = Tok::Punct;
        if (static_cast<unsigned char>(c) >= 0x80) {
            std::uint32_t cp = 0;
            size_t n = decode_utf8(s_, p, limit_, cp);
            t.end = p + (n ? n : 1);
        } else {
            t.end = p + 1;
            if (p + 1 < limit_ &&
                ((c == '*' && s_[p + 1] == '*') || (c == '/' && s_[p + 1] == '/') ||
                 (c == '=' && s_[p + 1] == '=')))
                t.end = p + 2;
        }
        t.text = s_.substr(p, t.end - p);
        return t;
    }

    // How a token is named in messages: "'foo'", "the text ended", "'“' (U+201C)", ...
    std::string describe(const Token& t) const {
        switch (t.kind) {
        case Tok::End:
            return ended_ + " ended";
        case Tok::Name:
            return "'" + shorten(t.text) + "'";
        case Tok::Int:
        case Tok::Float:
            return "'" + shorten(s_.substr(t.start, t.end - t.start)) + "'";
        case Tok::Str:
            return "the string " + shorten(s_.substr(t.start, t.end - t.start));
        case Tok::Punct:
            break;
        }
        unsigned char c = static_cast<unsigned char>(t.text[0]);
        char buf[64];
        if (c < 0x20 || c == 0x7f) {
            std::snprintf(buf, sizeof buf, "the control character 0x%02X", c);
            return buf;
        }
        if (c >= 0x80) {
            std::uint32_t cp = 0;
            if (decode_utf8(t.text, 0, t.text.size(), cp) == 0) {
                std::snprintf(buf, sizeof buf, "the byte 0x%02X (not UTF-8 text)", c);
                return buf;
            }
            std::snprintf(buf, sizeof buf, " (U+%04X)", unsigned(cp));
            std::string d = "'" + t.text + "'" + buf;
            if (cp == 0x2018 || cp == 0x2019 || cp == 0x201C || cp == 0x201D)
                d += ", a typographic quote; Python needs ' or \"";
            return d;
        }
        return "'" + t.text + "'";
    }

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

    size_t skip_blank(size_t p) const {
        while (p < limit_) {
            char c = s_[p];
            if (is_space(c)) {
                ++p;
            } else if (c == '#') {
                while (p < limit_ && s_[p] != '\n')
                    ++p;
            } else if (c == '\\' && p + 1 < limit_ && s_[p + 1] == '\n') {
                p += 2;
            } else if (c == '\\' && p + 2 < limit_ && s_[p + 1] == '\r' && s_[p + 2] == '\n') {
                p += 3;
            } else if (size_t n = unicode_space_at(s_, p, limit_)) {
                p += n;
            } else {
                break;
            }
        }
        return p;
    }

    size_t end_of_word(size_t p) const {
        while (p < limit_ && (is_ident_char(s_[p]) || s_[p] == '.'))
            ++p;
        return p;
    }

    [[noreturn]] void bad_number(size_t start, const std::string& why = "invalid number") const {
        size_t e = end_of_word(start);
        src_.fail(start, why + " '" + shorten(s_.substr(start, e - start)) + "'");
    }

    // digit ('_'? digit)* from p; returns the end; `ok` false when a '_' is misplaced.
    size_t digit_part(size_t p, bool (*digit)(char), bool& ok) const {
        ok = true;
        if (p >= limit_ || !digit(s_[p])) {
            ok = false;
            return p;
        }
        while (p < limit_) {
            if (digit(s_[p])) {
                ++p;
            } else if (s_[p] == '_' && p + 1 < limit_ && digit(s_[p + 1])) {
                p += 2;
            } else if (s_[p] == '_') {
                ok = false;
                return p;
            } else {
                break;
            }
        }
        return p;
    }

    Token lex_number(size_t start) const {
        Token t;
        t.start = start;
        size_t p = start;
        char c1 = p + 1 < limit_ ? s_[p + 1] : '\0';
        if (s_[p] == '0' &&
            (c1 == 'x' || c1 == 'X' || c1 == 'o' || c1 == 'O' || c1 == 'b' || c1 == 'B')) {
            int base = (c1 == 'x' || c1 == 'X') ? 16 : (c1 == 'o' || c1 == 'O') ? 8 : 2;
            p += 2;
            if (p < limit_ && s_[p] == '_') ++p;
            bool ok = true;
            auto digit =
                base == 16
                    ? +[](char c) { return bool(std::isxdigit(static_cast<unsigned char>(c))); }
                : base == 8 ? +[](char c) { return c >= '0' && c <= '7'; }
                            : +[](char c) { return c == '0' || c == '1'; };
            size_t e = digit_part(p, digit, ok);
            if (!ok || (e < limit_ && (is_ident_char(s_[e]) || s_[e] == '.'))) bad_number(start);
            std::uint64_t v = 0;
            for (size_t i = p; i < e; ++i) {
                if (s_[i] == '_') continue;
                int d = is_digit(s_[i]) ? s_[i] - '0' : (std::tolower(s_[i]) - 'a' + 10);
                if (v > ((kInt64Max + 1) - std::uint64_t(d)) / std::uint64_t(base))
                    bad_number(start, "integer out of range (it does not fit in 64 bits):");
                v = v * std::uint64_t(base) + std::uint64_t(d);
            }
            t.kind = Tok::Int;
            t.mag = v;
            t.end = e;
            return t;
        }

        bool ok = true, is_float = false;
        size_t int_end = p;
        if (s_[p] != '.') {
            int_end = digit_part(p, is_digit, ok);
            if (!ok) bad_number(start);
            p = int_end;
        }
        if (p < limit_ && s_[p] == '.') {
            is_float = true;
            ++p;
            if (p < limit_ && is_digit(s_[p])) {
                p = digit_part(p, is_digit, ok);
                if (!ok) bad_number(start);
            } else if (p < limit_ && s_[p] == '_') {
                bad_number(start);
            }
        }
        if (p < limit_ && (s_[p] == 'e' || s_[p] == 'E')) {
            is_float = true;
            ++p;
            if (p < limit_ && (s_[p] == '+' || s_[p] == '-')) ++p;
            p = digit_part(p, is_digit, ok);
            if (!ok) bad_number(start);
        }
        if (p < limit_ && (is_ident_char(s_[p]) || (s_[p] == '.' && !is_float))) bad_number(start);
        t.end = p;

        std::string digits;
        for (size_t i = start; i < p; ++i)
            if (s_[i] != '_') digits += s_[i];
        if (is_float) {
            t.kind = Tok::Float;
            double d = 0;
            auto r = std::from_chars(digits.data(), digits.data() + digits.size(), d);
            if (r.ec == std::errc::result_out_of_range) {
                d = std::strtod(digits.c_str(), nullptr);
                if (std::isinf(d)) bad_number(start, "float literal out of range:");
            } else if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) {
                bad_number(start);
            }
            t.real = d;
            return t;
        }
        if (digits.size() > 1 && digits[0] == '0' &&
            digits.find_first_not_of('0') != std::string::npos)
            src_.fail(start, "leading zeros in decimal integer literals are not permitted: '" +
                                 shorten(s_.substr(start, p - start)) + "'");
        std::uint64_t v = 0;
        for (char c : digits) {
            std::uint64_t d = std::uint64_t(c - '0');
            if (v > ((kInt64Max + 1) - d) / 10)
                bad_number(start, "integer out of range (it does not fit in 64 bits):");
            v = v * 10 + d;
        }
        t.kind = Tok::Int;
        t.mag = v;
        return t;
    }

    // A string literal whose quote is at `q` (the token starts at `start`, before any prefix).
    Token lex_string(size_t q, size_t start, bool raw) const {
        Token t;
        t.kind = Tok::Str;
        t.start = start;
        char quote = s_[q];
        bool triple = q + 2 < limit_ && s_[q + 1] == quote && s_[q + 2] == quote;
        size_t p = q + (triple ? 3 : 1);
        std::string out;
        while (true) {
            if (p >= limit_ || (!triple && s_[p] == '\n'))
                src_.fail(start, triple ? "unterminated triple-quoted string literal"
                                        : "unterminated string literal");
            char c = s_[p];
            if (c == quote) {
                if (!triple) {
                    ++p;
                    break;
                }
                if (p + 2 < limit_ && s_[p + 1] == quote && s_[p + 2] == quote) {
                    p += 3;
                    break;
                }
            }
            if (c != '\\') {
                out += c;
                ++p;
                continue;
            }
            if (p + 1 >= limit_) {
                ++p;
                continue; // reported as unterminated on the next round
            }
            char e = s_[p + 1];
            if (raw) {
                out += c;
                out += e;
                p += 2;
                continue;
            }
            size_t esc = p;
            p += 2;
            switch (e) {
            case '\n':
                break;
            case '\\':
                out += '\\';
                break;
            case '\'':
                out += '\'';
                break;
            case '"':
                out += '"';
                break;
            case 'n':
                out += '\n';
                break;
            case 't':
                out += '\t';
                break;
            case 'r':
                out += '\r';
                break;
            case 'a':
                out += '\a';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'v':
                out += '\v';
                break;
            case 'x':
            case 'u':
            case 'U': {
                size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                std::uint32_t cp = 0;
                for (size_t k = 0; k < n; ++k) {
                    if (p + k >= limit_ || !std::isxdigit(static_cast<unsigned char>(s_[p + k])))
                        src_.fail(esc, std::string("truncated \\") + e + std::string(n, 'X') +
                                           " escape in a string");
                    char h = s_[p + k];
                    cp =
                        cp * 16 + std::uint32_t(is_digit(h) ? h - '0' : std::tolower(h) - 'a' + 10);
                }
                if (cp > 0x10FFFF) src_.fail(esc, "illegal Unicode character in a string escape");
                append_utf8(out, cp);
                p += n;
                break;
            }
            case 'N':
                src_.fail(esc, "\\N{...} escapes are not supported");
            default:
                if (e >= '0' && e <= '7') {
                    std::uint32_t cp = std::uint32_t(e - '0');
                    for (int k = 0; k < 2 && p < limit_ && s_[p] >= '0' && s_[p] <= '7'; ++k, ++p)
                        cp = cp * 8 + std::uint32_t(s_[p] - '0');
                    append_utf8(out, cp);
                } else {
                    out += '\\'; // Python keeps unknown escapes as written
                    out += e;
                }
            }
        }
        t.end = p;
        t.text = std::move(out);
        return t;
    }

    // ----- grammar -----

    static bool starts_value(const Token& t) {
        return t.kind == Tok::Int || t.kind == Tok::Float || t.kind == Tok::Str ||
               t.kind == Tok::Name || t.is("(") || t.is("[") || t.is("-") || t.is("+");
    }

    [[noreturn]] void fail_found(const Token& t, const std::string& expected,
                                 size_t opener = std::string::npos) const {
        if (t.kind == Tok::End) {
            std::string msg = "expected " + expected + " but " + ended_ + " ended";
            size_t at = src_.end_offset(begin_, limit_);
            if (opener != std::string::npos && opener != at)
                msg += "; the '" + std::string(1, s_[opener]) + "' at " + src_.where(opener) +
                       " is not closed";
            src_.fail(at, msg);
        }
        src_.fail(t.start, "expected " + expected + " but found " + describe(t));
    }

    Value need_value(const std::string& expected) {
        Token t = peek();
        if (!starts_value(t)) fail_found(t, expected);
        return parse_sum();
    }

    Value parse_sum() {
        Value left = parse_term();
        while (true) {
            Token t = peek();
            if (!t.is("+") && !t.is("-")) return left;
            next();
            Token r = peek();
            if (!starts_value(r)) fail_found(r, "a value after '" + t.text + "'");
            Value right = parse_term();
            left = arith(t, left, right);
        }
    }

    Value parse_term() {
        Value left = parse_factor();
        while (true) {
            Token t = peek();
            if (!t.is("*") && !t.is("/") && !t.is("//") && !t.is("%")) return left;
            next();
            Token r = peek();
            if (!starts_value(r)) fail_found(r, "a value after '" + t.text + "'");
            Value right = parse_factor();
            left = arith(t, left, right);
        }
    }

    Value parse_factor() {
        Token t = peek();
        if (!t.is("-") && !t.is("+")) return parse_power();
        next();
        DepthGuard g(*this, t.start);
        Token n = peek();
        if (!starts_value(n)) fail_found(n, "a value after '" + t.text + "'");
        // -9223372036854775808 is only in range when read as one negative literal.
        if (t.is("-") && n.kind == Tok::Int && !lex(n.end).is("**")) {
            next();
            Value v =
                Value::integer(n.mag == kInt64Max + 1 ? std::numeric_limits<std::int64_t>::min()
                                                      : -std::int64_t(n.mag));
            v.pos = std::int64_t(t.start);
            return v;
        }
        Value v = parse_factor();
        if (!(v.is_int() || v.is_float()))
            src_.fail(size_t(v.pos),
                      "bad operand type for unary " + t.text + ": '" + v.type_name() + "'");
        if (t.is("-")) {
            if (v.is_int()) {
                if (v.as_int() == std::numeric_limits<std::int64_t>::min())
                    src_.fail(t.start,
                              "integer overflow: -(" + v.repr() + ") does not fit in 64 bits");
                v.v = -v.as_int();
            } else {
                v.v = -v.as_float();
            }
        }
        v.pos = std::int64_t(t.start);
        return v;
    }

    Value parse_power() {
        Value base = parse_atom();
        Token t = peek();
        if (!t.is("**")) return base;
        next();
        DepthGuard g(*this, t.start);
        Token r = peek();
        if (!starts_value(r)) fail_found(r, "a value after '**'");
        Value exp = parse_factor();
        return arith(t, base, exp);
    }

    // Constant arithmetic on number literals (nn.Linear(16 * 5 * 5, 120)), with Python's rules.
    Value arith(const Token& op, const Value& a, const Value& b) {
        const std::string& o = op.text;
        auto is_num = [](const Value& v) { return v.is_int() || v.is_float(); };
        if (!is_num(a) || !is_num(b))
            src_.fail(op.start, "unsupported operand type(s) for " + o + ": '" + a.type_name() +
                                    "' and '" + b.type_name() + "'");
        Value r;
        r.pos = a.pos;
        auto zero_div = [&] { src_.fail(op.start, "division by zero"); };
        auto overflow = [&] {
            src_.fail(op.start, "integer overflow: the result of " + a.repr() + " " + o + " " +
                                    b.repr() + " does not fit in 64 bits");
        };
        if (a.is_int() && b.is_int() && o != "/") {
            std::int64_t x = a.as_int(), y = b.as_int(), z = 0;
            if (o == "+") {
                if (__builtin_add_overflow(x, y, &z)) overflow();
            } else if (o == "-") {
                if (__builtin_sub_overflow(x, y, &z)) overflow();
            } else if (o == "*") {
                if (__builtin_mul_overflow(x, y, &z)) overflow();
            } else if (o == "//" || o == "%") {
                if (y == 0) zero_div();
                if (y == -1) {
                    if (o == "//" && x == std::numeric_limits<std::int64_t>::min()) overflow();
                    z = o == "//" ? -x : 0;
                } else if (o == "//") {
                    z = div_rtn(x, y);
                } else {
                    z = x % y;
                    if (z != 0 && ((z < 0) != (y < 0))) z += y;
                }
            } else { // **
                if (y < 0) {
                    if (x == 0) src_.fail(op.start, "0 cannot be raised to a negative power");
                    r.v = std::pow(double(x), double(y));
                    return r;
                }
                z = 1;
                std::int64_t base = x;
                while (y > 0) {
                    if (y & 1)
                        if (__builtin_mul_overflow(z, base, &z)) overflow();
                    y >>= 1;
                    if (y > 0 && __builtin_mul_overflow(base, base, &base)) overflow();
                }
            }
            r.v = z;
            return r;
        }
        double x = a.as_float(), y = b.as_float(), z = 0;
        if (o == "+") {
            z = x + y;
        } else if (o == "-") {
            z = x - y;
        } else if (o == "*") {
            z = x * y;
        } else if (o == "/") {
            if (y == 0) zero_div();
            z = x / y;
        } else if (o == "//") {
            if (y == 0) zero_div();
            z = std::floor(x / y);
        } else if (o == "%") {
            if (y == 0) zero_div();
            z = std::fmod(x, y);
            if (z != 0 && ((z < 0) != (y < 0))) z += y;
        } else {
            if (x == 0 && y < 0) src_.fail(op.start, "0.0 cannot be raised to a negative power");
            if (x < 0 && y != std::floor(y))
                src_.fail(op.start, "a negative number raised to a fractional power is complex");
            z = std::pow(x, y);
        }
        if (!std::isfinite(z))
            src_.fail(op.start, "the result of " + a.repr() + " " + o + " " + b.repr() +
                                    " is too large for a float");
        r.v = z;
        return r;
    }

    Value parse_atom() {
        Token t = next();
        Value v;
        v.pos = std::int64_t(t.start);
        switch (t.kind) {
        case Tok::Int:
            if (t.mag > kInt64Max)
                src_.fail(t.start, "integer out of range (it does not fit in 64 bits): '" +
                                       shorten(s_.substr(t.start, t.end - t.start)) + "'");
            v.v = std::int64_t(t.mag);
            return v;
        case Tok::Float:
            v.v = t.real;
            return v;
        case Tok::Str: {
            std::string s = t.text;
            while (peek().kind == Tok::Str)
                s += next().text; // 'a' 'b' is 'ab'
            v.v = std::move(s);
            return v;
        }
        case Tok::Name:
            if (t.text == "True" || t.text == "False") {
                v.v = t.text == "True";
                return v;
            }
            if (t.text == "None") return v;
            if (peek().is("(")) return parse_call(t);
            if (resolver_) {
                if (std::optional<Value> r = resolver_(t, keyword_)) {
                    Value x = std::move(*r);
                    x.pos = std::int64_t(t.start);
                    return x;
                }
            }
            v.v = t.text;
            v.bare_word = true;
            return v;
        case Tok::Punct:
            if (t.is("(") || t.is("[")) return parse_sequence(t);
            break;
        case Tok::End:
            break;
        }
        fail_found(t, "a value");
    }

    Value parse_sequence(const Token& open) {
        DepthGuard g(*this, open.start);
        bool list = open.is("[");
        const char* close = list ? "]" : ")";
        std::string close_q = std::string("'") + close + "'";
        Value::List items;
        bool comma = false;
        while (true) {
            Token t = peek();
            if (t.is(close)) {
                next();
                break;
            }
            if (!starts_value(t)) fail_found(t, "a value or " + close_q, open.start);
            items.push_back(parse_sum());
            t = peek();
            if (t.is(",")) {
                next();
                comma = true;
                continue;
            }
            if (t.is(close)) {
                next();
                break;
            }
            fail_found(t, "',' or " + close_q, open.start);
        }
        if (!list && items.size() == 1 && !comma) return items[0]; // (x) is just x
        Value v = Value::tuple(std::move(items));
        v.is_list = list;
        v.pos = std::int64_t(open.start);
        return v;
    }

    Value parse_call(const Token& name) {
        Token open = next(); // '('
        DepthGuard g(*this, open.start);
        auto call = std::make_shared<Call>();
        call->name = name.text;
        call->pos = std::int64_t(name.start);
        std::set<std::string> seen;
        while (true) {
            Token t = peek();
            if (t.is(")")) break;
            if (t.is("*") || t.is("**"))
                src_.fail(t.start, "cannot read '" + t.text +
                                       "' argument unpacking: cnnshape reads only arguments "
                                       "written out literally");
            bool keyword = false;
            if (t.kind == Tok::Name && t.text.find('.') == std::string::npos && t.text != "True" &&
                t.text != "False" && t.text != "None")
                keyword = lex(t.end).is("=");
            if (keyword) {
                next();
                next(); // '='
                if (!seen.insert(t.text).second)
                    src_.fail(t.start, "keyword argument repeated: " + t.text);
                std::string outer = std::exchange(keyword_, t.text);
                Value v = need_value("a value after '" + t.text + "='");
                keyword_ = std::move(outer);
                call->kwargs.emplace_back(t.text, std::move(v));
            } else if (starts_value(t)) {
                if (!call->kwargs.empty())
                    src_.fail(t.start, "positional argument follows keyword argument");
                std::string outer = std::exchange(keyword_, std::string());
                call->args.push_back(parse_sum());
                keyword_ = std::move(outer);
            } else {
                fail_found(t, "an argument or ')'", open.start);
            }
            t = peek();
            if (t.is(",")) {
                next();
                continue;
            }
            if (t.is(")")) break;
            fail_found(t, "',' or ')'", open.start);
        }
        Token close = next();
        call->end_pos = std::int64_t(close.end);
        Value v;
        v.v = std::move(call);
        v.pos = std::int64_t(name.start);
        return v;
    }

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

// ---------------------------------------------------------------------------------------------
// The structure of Python source: its statements and its calls.

constexpr size_t npos = std::string::npos;

bool is_sequential_name(const std::string& name) {
    Call c;
    c.name = name;
    return c.base_name() == "Sequential";
}

bool is_example_maker(const std::string& name) {
    static const std::set<std::string> makers = {"torch.rand", "torch.randn", "torch.zeros",
                                                 "torch.ones", "torch.empty"};
    return makers.count(name) > 0;
}

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

bool is_string_prefix(const std::string& s, size_t b, size_t e) {
    if (e - b == 0 || e - b > 2) return false;
    std::string p;
    for (size_t i = b; i < e; ++i)
        p += char(std::tolower(static_cast<unsigned char>(s[i])));
    return p == "r" || p == "u" || p == "b" || p == "f" || p == "br" || p == "rb" || p == "fr" ||
           p == "rf";
}

// Past the string literal whose opening quote is at `q`. A one-quote string also ends at the end
// of its line (so that an apostrophe in prose around the code costs one line); an unterminated
// triple-quoted one runs to the end of the text.
size_t skip_string(const std::string& s, size_t q) {
    char quote = s[q];
    size_t n = s.size();
    bool triple = q + 2 < n && s[q + 1] == quote && s[q + 2] == quote;
    size_t p = q + (triple ? 3 : 1);
    while (p < n) {
        char c = s[p];
        if (c == '\\') {
            p += 2;
            continue;
        }
        if (!triple && c == '\n') return p;
        if (c == quote) {
            if (!triple) return p + 1;
            if (p + 2 < n && s[p + 1] == quote && s[p + 2] == quote) return p + 3;
        }
        ++p;
    }
    return n;
}

// One pass over the text: statements, calls and how calls nest. Comments and strings (triple-
// quoted ones included, so a docstring mentioning nn.Sequential(...) is not code) are skipped. A
// Markdown code fence (```) closes whatever brackets are open, as pasted tutorials mix prose and
// code.
PyStructure scan_python(const std::string& s) {
    PyStructure r;
    size_t n = s.size();
    struct Open {
        std::int64_t call; // index in r.calls, or -1 for a bracket that is not a call's
        bool seq;
    };
    std::vector<Open> stack;
    size_t open_calls = 0, open_seqs = 0;
    bool in_stmt = false, line_start = true;
    size_t pending_paren = npos;
    std::int64_t pending_call = -1;
    auto end_stmt = [&](size_t e) {
        if (in_stmt) r.stmts.back().end = e;
        in_stmt = false;
    };
    auto start_stmt = [&](size_t at, size_t indent) {
        r.stmts.push_back({at, n, indent});
        in_stmt = true;
    };
    size_t i = 0;
    while (i < n) {
        if (line_start) {
            line_start = false;
            size_t p = i, col = 0;
            while (p < n) {
                if (s[p] == ' ') {
                    ++col, ++p;
                } else if (s[p] == '\t') {
                    col = (col / 8 + 1) * 8, ++p;
                } else if (s[p] == '\r' || s[p] == '\f' || s[p] == '\v') {
                    ++p;
                } else if (size_t k = unicode_space_at(s, p, n)) {
                    ++col, p += k;
                } else {
                    break;
                }
            }
            if (s.compare(p, 3, "```") == 0) {
                stack.clear();
                open_calls = open_seqs = 0;
                end_stmt(p);
                while (p < n && s[p] != '\n')
                    ++p;
                i = p;
                continue;
            }
            if (p < n && s[p] != '\n' && s[p] != '#' && !in_stmt) start_stmt(p, col);
            i = p;
            continue;
        }
        char c = s[i];
        if (c == '\n') {
            if (stack.empty()) end_stmt(i);
            line_start = true;
            ++i;
            continue;
        }
        if (c == '#') {
            while (i < n && s[i] != '\n')
                ++i;
            continue;
        }
        if (c == '\\' && i + 1 < n && s[i + 1] == '\n') {
            i += 2;
            continue;
        }
        if (c == '\\' && i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 3;
            continue;
        }
        if (!in_stmt && !is_space(c)) start_stmt(i, r.stmts.empty() ? 0 : r.stmts.back().indent);
        if (c == '\'' || c == '"') {
            i = skip_string(s, i);
            continue;
        }
        if (c == ';' && stack.empty()) {
            end_stmt(i);
            ++i;
            continue;
        }
        if (is_ident_start(c)) {
            if (i > 0 && (is_ident_char(s[i - 1]) || s[i - 1] == '.')) {
                ++i;
                continue;
            }
            size_t e = i;
            while (true) {
                while (e < n && is_ident_char(s[e]))
                    ++e;
                if (e + 1 < n && s[e] == '.' && is_ident_start(s[e + 1])) {
                    ++e;
                    continue;
                }
                break;
            }
            if (e < n && (s[e] == '\'' || s[e] == '"') && is_string_prefix(s, i, e)) {
                i = skip_string(s, e);
                continue;
            }
            size_t p = e;
            while (p < n && (s[p] == ' ' || s[p] == '\t'))
                ++p; // a newline would end the statement
            if (p < n && s[p] == '(' && (e >= n || s[e] != '.')) {
                PyCall call;
                call.name = s.substr(i, e - i);
                call.at = i;
                call.in_call = open_calls > 0;
                call.in_sequential = open_seqs > 0;
                call.stmt = r.stmts.size() - 1;
                pending_call = std::int64_t(r.calls.size());
                pending_paren = p;
                r.calls.push_back(std::move(call));
            }
            i = e;
            continue;
        }
        if (c == '(' || c == '[' || c == '{') {
            Open o{-1, false};
            if (c == '(' && pending_paren == i) {
                o.call = pending_call;
                o.seq = is_sequential_name(r.calls[size_t(o.call)].name);
                ++open_calls;
                if (o.seq) ++open_seqs;
            }
            stack.push_back(o);
            ++i;
            continue;
        }
        if (c == ')' || c == ']' || c == '}') {
            if (!stack.empty()) {
                Open o = stack.back();
                stack.pop_back();
                if (o.call >= 0) {
                    r.calls[size_t(o.call)].end = i + 1;
                    --open_calls;
                    if (o.seq) --open_seqs;
                }
            }
            ++i;
            continue;
        }
        ++i;
    }
    end_stmt(n);
    return r;
}

// The tokens of one statement; empty when it does not lex (prose around the code often does not).
std::vector<Token> statement_tokens(const Source& src, const Statement& st) {
    std::vector<Token> out;
    try {
        Parser p(src, st.start, st.end, "the line");
        while (true) {
            Token t = p.next();
            if (t.kind == Tok::End) break;
            out.push_back(std::move(t));
        }
    } catch (const SpecError&) {
        out.clear();
    }
    return out;
}

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

bool is_keyword(const std::string& w) {
    static const std::set<std::string> kw = {
        "if",       "elif",    "else",   "while",  "for",      "def",   "class",
        "return",   "with",    "assert", "import", "from",     "raise", "try",
        "except",   "finally", "pass",   "break",  "continue", "del",   "global",
        "nonlocal", "lambda",  "yield",  "async",  "await",    "not",   "in",
        "is",       "and",     "or",     "print",  "as"};
    return kw.count(w) > 0;
}

bool simple_name(const Token& t) {
    return t.kind == Tok::Name && !is_keyword(t.text) && t.text != "True" && t.text != "False" &&
           t.text != "None";
}

std::vector<BindSite> bind_sites(const Source& src, const PyStructure& py) {
    std::vector<BindSite> out;
    for (size_t si = 0; si < py.stmts.size(); ++si) {
        const Statement& st = py.stmts[si];
        std::vector<Token> t = statement_tokens(src, st);
        if (t.empty()) continue;
        std::string line = std::to_string(src.line_of(st.start));
        auto other = [&](const Token& name, size_t indent, const std::string& why) {
            BindSite b;
            b.name = name.text;
            b.stmt = si;
            b.indent = indent;
            b.at = name.start;
            b.why = why;
            out.push_back(std::move(b));
        };
        size_t k = 0;
        if (t[0].kind == Tok::Name && t[0].text == "async") k = 1;
        if (k >= t.size()) continue;
        const std::string head = t[k].kind == Tok::Name ? t[k].text : "";
        if (head == "for") {
            for (size_t j = k + 1; j < t.size() && !(t[j].kind == Tok::Name && t[j].text == "in");
                 ++j)
                if (simple_name(t[j]))
                    other(t[j], st.indent, "the loop variable of the 'for' at line " + line);
            continue;
        }
        if (head == "def" || head == "class") {
            if (k + 1 >= t.size() || !simple_name(t[k + 1])) continue;
            const Token& fname = t[k + 1];
            other(fname, st.indent,
                  (head == "def" ? "a function defined at line " : "a class defined at line ") +
                      line);
            if (head == "class") continue;
            int depth = 0;
            for (size_t j = k + 2; j < t.size(); ++j) {
                if (t[j].is("(") || t[j].is("[") || t[j].is("{")) ++depth;
                if (t[j].is(")") || t[j].is("]") || t[j].is("}")) {
                    if (--depth == 0) break;
                    continue;
                }
                if (depth == 1 && simple_name(t[j]) &&
                    (t[j - 1].is("(") || t[j - 1].is(",") || t[j - 1].is("*") || t[j - 1].is("**")))
                    other(t[j], st.indent + 1,
                          "a parameter of " + fname.text + "() (line " + line +
                              "), so its value depends on the call");
            }
            continue;
        }
        if (head == "import" || head == "from" || head == "with" || head == "except") {
            size_t j = k + 1;
            if (head == "from") {
                while (j < t.size() && !(t[j].kind == Tok::Name && t[j].text == "import"))
                    ++j;
                ++j;
            }
            for (; j < t.size(); ++j) {
                if (!simple_name(t[j])) continue;
                bool renamed =
                    j + 1 < t.size() && t[j + 1].kind == Tok::Name && t[j + 1].text == "as";
                if (renamed) continue;
                bool alias = j > 0 && t[j - 1].kind == Tok::Name && t[j - 1].text == "as";
                if (head == "with" || head == "except") {
                    if (!alias) continue;
                } else if (!alias &&
                           !(t[j - 1].is(",") || t[j - 1].is("(") ||
                             (t[j - 1].kind == Tok::Name && (t[j - 1].text == "import")))) {
                    continue;
                }
                Token name = t[j];
                if (head == "import" && !alias)
                    name.text = name.text.substr(0, name.text.find('.'));
                other(name, st.indent, "imported at line " + line);
            }
            continue;
        }
        if (is_keyword(head)) continue;
        // Assignments: split at the '=' outside brackets.
        std::vector<size_t> eqs;
        int depth = 0;
        for (size_t j = 0; j < t.size(); ++j) {
            if (t[j].is("(") || t[j].is("[") || t[j].is("{")) ++depth;
            if (t[j].is(")") || t[j].is("]") || t[j].is("}")) --depth;
            if (depth != 0 || !t[j].is("=")) continue;
            bool glued = j > 0 && t[j - 1].kind == Tok::Punct && t[j - 1].end == t[j].start &&
                         std::string("+-*/%&|^<>!@:=").find(t[j - 1].text.back()) != npos;
            if (j > 0 && t[j - 1].kind == Tok::Punct && t[j - 1].end == t[j].start &&
                (t[j - 1].text == "+" || t[j - 1].text == "-" || t[j - 1].text == "*" ||
                 t[j - 1].text == "/" || t[j - 1].text == "//" || t[j - 1].text == "%" ||
                 t[j - 1].text == "**") &&
                j == 2 && simple_name(t[0]) && eqs.empty()) {
                BindSite b;
                b.name = t[0].text;
                b.stmt = si;
                b.indent = st.indent;
                b.at = t[0].start;
                b.kind = BindSite::Augmented;
                b.op = t[1].text;
                b.rhs = j + 1 < t.size() ? t[j + 1].start : st.end;
                out.push_back(std::move(b));
                break;
            }
            if (glued) break; // a comparison or an augmented assignment of something else
            eqs.push_back(j);
        }
        if (eqs.empty() || eqs.back() + 1 >= t.size()) continue;
        size_t rhs = t[eqs.back() + 1].start;
        size_t from = 0;
        for (size_t e : eqs) {
            // One target: t[from, e).
            std::vector<const Token*> names;
            bool ok = true;
            size_t b = from, en = e;
            if (en > b + 1 && simple_name(t[b]) && t[b + 1].is(":")) en = b + 1; // annotation
            if (en > b && (t[b].is("(") || t[b].is("[")) &&
                (t[en - 1].is(")") || t[en - 1].is("]")))
                ++b, --en;
            for (size_t j = b; j < en; ++j) {
                if ((j - b) % 2 == 0) {
                    if (simple_name(t[j]))
                        names.push_back(&t[j]);
                    else
                        ok = false;
                } else if (!t[j].is(",")) {
                    ok = false;
                }
            }
            bool tuple = en - b > 1;
            if (ok)
                for (size_t q = 0; q < names.size(); ++q) {
                    BindSite s;
                    s.name = names[q]->text;
                    s.stmt = si;
                    s.indent = st.indent;
                    s.at = names[q]->start;
                    s.kind = BindSite::Assign;
                    s.rhs = rhs;
                    if (tuple) s.tuple_index = q, s.tuple_size = names.size();
                    out.push_back(std::move(s));
                }
            from = e + 1;
        }
    }
    return out;
}

bool holds_call(const Value& v) {
    if (v.is_call()) return true;
    if (v.is_tuple())
        for (const Value& e : v.as_tuple())
            if (holds_call(e)) return true;
    return false;
}

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
    Value parse_at(size_t at, size_t stmt, bool lenient = false) {
        sweep_to(stmt);
        Parser p(src_, at, src_.text().size());
        p.set_resolver([this, lenient](const Token& t, const std::string& kw) {
            return resolve(t, lenient ? "device" : kw);
        });
        if (!lenient) return p.parse_primary();
        try {
            return p.parse_primary();
        } catch (const SpecError&) {
            return Value::none();
        }
    }

private:
    struct Bound {
        size_t site;
        std::optional<Value> value;
        std::string why; // when there is no value
    };

    // Resolves a name for the expression being read in statement `stmt`.
    std::optional<Value> resolve(const Token& t, const std::string& kw) {
        const std::string& name = t.text;
        if (name.rfind("torch.", 0) == 0) return std::nullopt; // torch.float32 and the like
        auto it = scope_.find(name);
        if (it == scope_.end() || it->second.empty()) {
            if (kw == "device") return std::nullopt; // device=device: it changes nothing
            src_.fail(t.start, unresolved(name) + not_found_reason(name, t.start));
        }
        const Bound& b = bound_[it->second.back()];
        if (!b.value) {
            if (kw == "device") return std::nullopt;
            src_.fail(t.start, unresolved(name) + ": " + b.why);
        }
        const BindSite& site = sites_[b.site];
        if (site.indent == 0 && !defs_.empty()) {
            auto last = last_module_level_.find(name);
            if (last != last_module_level_.end() && sites_[last->second].at > t.start)
                src_.fail(t.start, unresolved(name) + ": line " +
                                       std::to_string(src_.line_of(first_after(name, t.start))) +
                                       " assigns it again after this function, and its value "
                                       "depends on when the function runs");
        }
        return b.value;
    }

    // Offset of the first module-level binding of `name` after `at`.
    size_t first_after(const std::string& name, size_t at) const {
        for (const BindSite& s : sites_)
            if (s.name == name && s.indent == 0 && s.at > at) return s.at;
        return at;
    }

    static std::string unresolved(const std::string& name) {
        return "'" + shorten(name) + "' is a name cnnshape could not resolve";
    }

    std::string not_found_reason(const std::string& name, size_t at) const {
        const BindSite* before = nullptr;
        const BindSite* after = nullptr;
        for (const BindSite& s : sites_) {
            if (s.name != name) continue;
            if (s.at < at) before = &s;
            if (s.at > at && !after) after = &s;
        }
        if (before)
            return ": line " + std::to_string(src_.line_of(before->at)) +
                   " assigns it inside a block (if, for, def, ...) that ends before this line; "
                   "write the value here";
        if (after)
            return ": it is assigned only after this line (at line " +
                   std::to_string(src_.line_of(after->at)) + ")";
        return ": it is not assigned in the text; write the value here";
    }

    void sweep_to(size_t stmt) {
        if (swept_ > stmt) {
            scope_.clear();
            bound_.clear();
            order_.clear();
            defs_.clear();
            swept_ = 0;
            next_site_ = 0;
        }
        for (; swept_ <= stmt && swept_ < py_.stmts.size(); ++swept_) {
            const Statement& st = py_.stmts[swept_];
            while (!order_.empty() && sites_[bound_[order_.back()].site].indent > st.indent) {
                scope_[sites_[bound_[order_.back()].site].name].pop_back();
                order_.pop_back();
            }
            while (!defs_.empty() && defs_.back() >= st.indent)
                defs_.pop_back();
            if (swept_ == stmt) break; // the statement being read binds nothing yet
            if (src_.text().compare(st.start, 4, "def ") == 0 ||
                src_.text().compare(st.start, 10, "async def ") == 0)
                defs_.push_back(st.indent);
            for (; next_site_ < sites_.size() && sites_[next_site_].stmt == swept_; ++next_site_)
                bind(next_site_);
        }
    }

    void bind(size_t si) {
        const BindSite& s = sites_[si];
        Bound b{si, std::nullopt, s.why};
        std::string line = std::to_string(src_.line_of(s.at));
        if (s.kind != BindSite::Other) {
            const Statement& st = py_.stmts[s.stmt];
            std::string rhs_text = src_.text().substr(s.rhs, st.end - s.rhs);
            while (!rhs_text.empty() && is_space(rhs_text.back()))
                rhs_text.pop_back();
            std::string shown = "'" + shorten(rhs_text, 40) + "'";
            b.why = "line " + line + " assigns it " + shown +
                    ", which cnnshape does not evaluate (it reads literal values, and arithmetic "
                    "on names assigned them)";
            try {
                Parser p(src_, s.rhs, st.end, "the line");
                p.set_resolver(
                    [this](const Token& t, const std::string& kw) { return resolve(t, kw); });
                Value v = p.parse_expr_list();
                p.expect_end("the value");
                if (holds_call(v)) {
                    bool module =
                        v.is_call() && !v.as_call().base_name().empty() &&
                        std::isupper(static_cast<unsigned char>(v.as_call().base_name().substr(
                            v.as_call().base_name().rfind('.') + 1)[0]));
                    b.why = "line " + line + " assigns it " + shown +
                            (module ? ", a module; cnnshape reads the layers written inside the "
                                      "nn.Sequential(...) call"
                                    : ", a call cnnshape does not evaluate (it reads literal "
                                      "values, and arithmetic on names assigned them)");
                } else if (s.kind == BindSite::Augmented) {
                    auto old = scope_.find(s.name);
                    if (old != scope_.end() && !old->second.empty() &&
                        bound_[old->second.back()].value) {
                        Value a = *bound_[old->second.back()].value;
                        b.value = augmented(a, s.op, v, s);
                    } else {
                        b.why = "line " + line + " changes it with '" + s.op +
                                "=' from a value cnnshape does not know";
                    }
                } else if (s.tuple_index != npos) {
                    if (v.is_tuple() && v.as_tuple().size() == s.tuple_size)
                        b.value = v.as_tuple()[s.tuple_index];
                } else {
                    b.value = std::move(v);
                }
            } catch (const SpecError&) {
                // not a value cnnshape evaluates; b.why says so
            }
        }
        order_.push_back(bound_.size());
        scope_[s.name].push_back(bound_.size());
        bound_.push_back(std::move(b));
    }

    std::optional<Value> augmented(const Value& a, const std::string& op, const Value& v,
                                   const BindSite& s) {
        // Reuse the parser's arithmetic: evaluate "a op v" as text of their reprs.
        std::string expr = "(" + a.repr() + ") " + op + " (" + v.repr() + ")";
        try {
            Source tmp(expr);
            Parser p(tmp, 0, expr.size());
            Value r = p.parse_expr();
            p.expect_end("the value");
            return r;
        } catch (const SpecError&) {
            (void)s;
            return std::nullopt;
        }
    }

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
// print(model) text.

struct Line {
    size_t start, end; // end excludes '\n' and a trailing '\r'
};

std::vector<Line> split_lines(const std::string& s) {
    std::vector<Line> lines;
    size_t b = 0;
    while (b <= s.size()) {
        size_t e = s.find('\n', b);
        size_t next = e == std::string::npos ? s.size() + 1 : e + 1;
        if (e == std::string::npos) e = s.size();
        size_t ee = e;
        while (ee > b && s[ee - 1] == '\r')
            --ee;
        lines.push_back({b, ee});
        b = next;
    }
    return lines;
}

size_t skip_hspace(const std::string& s, size_t p, size_t end) {
    while (p < end) {
        if (is_hspace(s[p])) {
            ++p;
        } else if (size_t n = unicode_space_at(s, p, end)) {
            p += n;
        } else {
            break;
        }
    }
    return p;
}

size_t trim_end(const std::string& s, size_t b, size_t e) {
    while (e > b && is_hspace(s[e - 1]))
        --e;
    return e;
}

bool is_blank(const std::string& s, const Line& l) {
    return skip_hspace(s, l.start, l.end) == l.end;
}

// "(name): rest" — PyTorch's line for one child module.
struct ChildLine {
    size_t paren;      // offset of '('
    size_t name_start; // offset of the name
    std::string name;
    size_t rest; // offset of the module's repr
};

std::optional<ChildLine> child_line(const std::string& s, const Line& l) {
    size_t p = skip_hspace(s, l.start, l.end);
    if (p >= l.end || s[p] != '(') return std::nullopt;
    size_t close = p + 1;
    while (close < l.end && s[close] != ')')
        ++close;
    if (close + 2 >= l.end || s[close + 1] != ':' || !is_hspace(s[close + 2])) return std::nullopt;
    size_t rest = skip_hspace(s, close + 2, l.end);
    if (rest >= l.end) return std::nullopt;
    return ChildLine{p, p + 1, s.substr(p + 1, close - p - 1), rest};
}

// "Name(" alone at the end of a line, starting at `p`: a container whose children follow.
std::optional<std::string> opens_block(const std::string& s, size_t p, const Line& l) {
    size_t e = trim_end(s, p, l.end);
    if (p >= e || !is_ident_start(s[p]) || s[e - 1] != '(') return std::nullopt;
    size_t q = p;
    while (q < e && is_ident_char(s[q]))
        ++q;
    if (q != e - 1) return std::nullopt;
    return s.substr(p, q - p);
}

size_t next_nonblank(const std::string& s, const std::vector<Line>& lines, size_t k) {
    while (k < lines.size() && is_blank(s, lines[k]))
        ++k;
    return k;
}

bool children_follow(const std::string& s, const std::vector<Line>& lines, size_t k) {
    size_t j = next_nonblank(s, lines, k + 1);
    return j < lines.size() && child_line(s, lines[j]).has_value();
}

struct Header {
    size_t name_off;
    std::string cls;
};

// A line that opens a print(model) block: it ends in "Name(" ("Sequential(",
// "(features): Sequential(", "Out[3]: Sequential(") and a child line follows.
std::optional<Header> print_header(const std::string& s, const std::vector<Line>& lines, size_t k) {
    size_t b = lines[k].start;
    size_t e = trim_end(s, b, lines[k].end);
    if (e == b || s[e - 1] != '(') return std::nullopt;
    size_t q = e - 1;
    while (q > b && is_ident_char(s[q - 1]))
        --q;
    if (q == e - 1 || !is_ident_start(s[q]) || (q > b && s[q - 1] == '.')) return std::nullopt;
    if (!children_follow(s, lines, k)) return std::nullopt;
    return Header{q, s.substr(q, e - 1 - q)};
}

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
                                          std::vector<size_t>& orphans) {
    std::vector<PrintBlock> blocks;
    size_t k = 0;
    while (k < lines.size()) {
        std::optional<Header> h = print_header(s, lines, k);
        if (!h) {
            if (child_line(s, lines[k])) orphans.push_back(k);
            ++k;
            continue;
        }
        // "(features): Sequential(" pasted on its own keeps the name it had.
        std::string name;
        if (auto c = child_line(s, lines[k]); c && c->rest == h->name_off) name = c->name;
        std::vector<size_t> open = {blocks.size()};
        blocks.push_back({k, h->name_off, h->cls, name, -1, false, lines.size()});
        for (++k; k < lines.size() && !open.empty(); ++k) {
            const Line& l = lines[k];
            size_t f = skip_hspace(s, l.start, l.end);
            size_t e = trim_end(s, f, l.end);
            if (f == e) continue;
            if (e == f + 1 && s[f] == ')') {
                blocks[open.back()].end_line = k;
                open.pop_back();
                continue;
            }
            auto child = child_line(s, l);
            if (!child) continue;
            auto cls = opens_block(s, child->rest, l);
            if (!cls || !children_follow(s, lines, k)) continue;
            const PrintBlock& up = blocks[open.back()];
            std::string path = up.path.empty() ? child->name : up.path + "." + child->name;
            bool under = up.under_sequential || up.cls == "Sequential";
            open.push_back(blocks.size());
            blocks.push_back({k, child->rest, *cls, path, std::int64_t(open[open.size() - 2]),
                              under, lines.size()});
        }
    }
    return blocks;
}

class PrintReader {
public:
    PrintReader(const Source& src, const std::vector<Line>& lines)
        : src_(src), s_(src.text()), lines_(lines) {}

    // Reads the block opened on line `k` by class `cls` at `cls_off`; `k` ends past its ')'.
    Value block(size_t& k, size_t cls_off, const std::string& cls, int depth) {
        if (depth > kMaxDepth)
            src_.fail(cls_off, "too deeply nested: more than " + std::to_string(kMaxDepth) +
                                   " levels of Sequential");
        // PyTorch's own container classes (nn.MultiheadAttention, torchvision.ops.MLP): not yet
        // supported. ModuleList and the like have no forward() of their own.
        static const std::set<std::string> no_forward = {
            "Module", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "Container"};
        if (cls != "Sequential" && find_torch_module(cls) && !no_forward.count(cls))
            src_.fail(cls_off, unknown_layer_message(cls));
        if (cls != "Sequential")
            src_.fail(cls_off, "'" + cls +
                                   "' is a container whose forward() cnnshape cannot see; only "
                                   "Sequential containers can be read from print(model) text");
        size_t open_line = k;
        Value::List items;
        ++k;
        size_t close_off = 0;
        while (true) {
            k = next_nonblank(s_, lines_, k);
            if (k >= lines_.size())
                src_.fail(src_.end_offset(0, s_.size()),
                          "expected ')' closing the 'Sequential(' of line " +
                              std::to_string(open_line + 1) + " but the text ended");
            const Line& l = lines_[k];
            size_t f = skip_hspace(s_, l.start, l.end);
            size_t e = trim_end(s_, f, l.end);
            if (e == f + 1 && s_[f] == ')') {
                close_off = f;
                ++k;
                break;
            }
            auto child = child_line(s_, l);
            if (!child) {
                if (s_.compare(f, 3, "...") == 0 || s_.compare(f, 3, "\xE2\x80\xA6") == 0)
                    src_.fail(f, "this print(model) text is cut short ('...'); paste the complete "
                                 "output");
                size_t w = f;
                while (w < e && !is_space(s_[w]))
                    ++w;
                src_.fail(f, "expected a child line such as '(0): Conv2d(...)' or ')' closing the "
                             "'Sequential(' of line " +
                                 std::to_string(open_line + 1) + " but found '" +
                                 shorten(s_.substr(f, w - f), 30) + "'");
            }
            if (child->name.empty()) src_.fail(child->paren, "a child module has an empty name");
            Value name = Value::string(child->name);
            name.pos = std::int64_t(child->name_start);
            Value module;
            auto cls2 = opens_block(s_, child->rest, l);
            if (cls2 && children_follow(s_, lines_, k)) {
                module = block(k, child->rest, *cls2, depth + 1);
            } else {
                Parser p(src_, child->rest, l.end, "the line");
                module = p.parse_primary();
                if (!module.is_call())
                    src_.fail(child->rest, "expected a module such as 'Conv2d(...)' after '(" +
                                               shorten(child->name, 30) + "): ' but found " +
                                               (module.is_string() && module.bare_word
                                                    ? "'" + shorten(module.as_string()) + "'"
                                                    : module.repr()));
                p.expect_end("the module");
                ++k;
            }
            Value pair = Value::tuple({name, module});
            pair.pos = std::int64_t(child->paren);
            items.push_back(std::move(pair));
        }
        return make_sequential(cls_off, close_off + 1, std::move(items));
    }

private:
    static Value make_sequential(size_t pos, size_t end, Value::List items) {
        Value list = Value::tuple(std::move(items));
        list.is_list = true;
        list.pos = std::int64_t(pos);
        auto od = std::make_shared<Call>();
        od->name = "OrderedDict";
        od->args.push_back(std::move(list));
        od->pos = std::int64_t(pos);
        od->end_pos = std::int64_t(end);
        Value odv;
        odv.v = std::move(od);
        odv.pos = std::int64_t(pos);
        auto seq = std::make_shared<Call>();
        seq->name = "Sequential";
        seq->args.push_back(std::move(odv));
        seq->pos = std::int64_t(pos);
        seq->end_pos = std::int64_t(end);
        Value v;
        v.v = std::move(seq);
        v.pos = std::int64_t(pos);
        return v;
    }

    const Source& src_;
    const std::string& s_;
    const std::vector<Line>& lines_;
};

// ---------------------------------------------------------------------------------------------
// Example inputs: torch.rand(3, 110, 110) and the like.

// The sizes an example call gives, read as Python would: torch.rand(3, 110, 110),
// torch.randn((1, 3, 32, 32)), torch.zeros([2, 3], dtype=...), torch.ones(size=(2, 3)), names
// included (torch.rand(batch, 3) with batch = 8). nullopt when they are not non-negative ints.
std::optional<Shape> example_sizes(const Value& v) {
    if (!v.is_call()) return std::nullopt;
    const Call& c = v.as_call();
    std::vector<Value> sizes = c.args;
    for (const auto& [k, x] : c.kwargs)
        if (k == "size") sizes.push_back(x);
    if (sizes.size() == 1 && sizes[0].is_tuple()) sizes = sizes[0].as_tuple();
    if (sizes.empty()) return std::nullopt;
    Shape shape;
    for (const Value& x : sizes) {
        if (!x.is_int() || x.as_int() < 0) return std::nullopt;
        shape.push_back(x.as_int());
    }
    return shape;
}

// The input passed to the network named `name` (`name(x)` with `x = torch.rand(...)` before
// it, or `name(torch.rand(...))`): found says whether there is such a call, the result whether
// its sizes could be read.
std::optional<Shape> example_passed_to(const Source& src, const PyStructure& py, Names& names,
                                       const std::string& name, size_t after, bool& found) {
    found = false;
    if (name.empty()) return std::nullopt;
    auto maker_at = [&](size_t at) -> const PyCall* {
        for (const PyCall& c : py.calls)
            if (c.at == at && is_example_maker(c.name)) return &c;
        return nullptr;
    };
    for (const PyCall& c : py.calls) {
        if (c.name != name || c.at < after) continue;
        Parser p(src, c.at, src.text().size());
        p.next(); // name
        p.next(); // '('
        Token arg = p.peek();
        if (arg.kind != Tok::Name) continue;
        const PyCall* maker = nullptr;
        if (p.lex(arg.end).is("(")) {
            maker = maker_at(arg.start);
        } else {
            const BindSite* latest = nullptr;
            for (const BindSite& b : names.sites())
                if (b.name == arg.text && b.at < c.at && b.kind == BindSite::Assign &&
                    b.tuple_index == npos)
                    latest = &b;
            if (latest) maker = maker_at(Parser(src, latest->rhs, src.text().size()).peek().start);
        }
        if (!maker) continue;
        found = true;
        return example_sizes(names.parse_at(maker->at, maker->stmt, true));
    }
    return std::nullopt;
}

// The text's first example call (outside print(model) blocks), its sizes if they can be read.
std::optional<Shape> first_example(const PyStructure& py, Names& names,
                                   const std::function<bool(size_t)>& skip, size_t& at) {
    for (const PyCall& c : py.calls) {
        if (!is_example_maker(c.name) || skip(c.at)) continue;
        at = c.at;
        return example_sizes(names.parse_at(c.at, c.stmt, true));
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// What is done to a network after nn.Sequential(...) builds it.

bool is_other_dtype(const Value& v) {
    if (!v.is_string() || !v.bare_word) return false;
    const std::string& s = v.as_string();
    return s.rfind("torch.", 0) == 0 && s != "torch.float32" && s != "torch.float" &&
           s != "torch.device";
}

// `.half()`, `.to(torch.float16)`: the dtype a method gives the network, or "".
std::string dtype_change(const Call& m) {
    std::string b = m.name;
    if (b == "half") return "torch.float16";
    if (b == "double") return "torch.float64";
    if (b == "bfloat16") return "torch.bfloat16";
    if (b == "to") {
        for (const Value& a : m.args)
            if (is_other_dtype(a)) return a.as_string();
        for (const auto& [k, v] : m.kwargs)
            if (k == "dtype" && is_other_dtype(v)) return v.as_string();
    }
    return "";
}

// Methods that change a Sequential's layers.
bool changes_layers(const std::string& method) {
    static const std::set<std::string> m = {
        "add_module", "register_module", "append", "extend", "insert", "pop", "apply"};
    return m.count(method) > 0;
}

// The method calls chained after the Sequential call, up to the end of its statement:
// `.to(device)`, `.cuda()`, `.eval()` are fine; what changes the layers or their dtype, or takes
// part of the network (`[:-1]`), is refused rather than ignored.
void check_after_call(const Source& src, size_t from, size_t limit) {
    Parser p(src, from, limit, "the line");
    static const std::set<std::string> harmless = {"to",    "cuda",  "cpu",          "eval",
                                                   "train", "float", "share_memory", "zero_grad"};
    while (true) {
        Token t = p.peek();
        if (t.kind == Tok::End || t.is(",") || t.is(")") || t.is("]") || t.is("}") || t.is(";") ||
            t.is("("))
            return; // the end, the container it is in, or a forward call on an input
        if (t.is("[")) {
            src.fail(t.start, "'[...]' after the nn.Sequential(...) call takes a part of it; "
                              "cnnshape reads the whole call, so write the layers that are meant");
        }
        if (!t.is(".")) return;
        p.next();
        Token name = p.peek();
        if (name.kind != Tok::Name) return;
        if (!p.lex(name.end).is("(")) return; // an attribute (.training)
        Value mv = p.parse_primary();
        const Call& m = mv.as_call();
        std::string first = m.name.substr(0, m.name.find('.'));
        if (std::string d = dtype_change(m); !d.empty())
            src.fail(name.start, "'." + shorten(m.name) + "(...)' makes the network " + d +
                                     "; cnnshape plans float32 networks only");
        if (!harmless.count(m.name))
            src.fail(name.start, "'." + shorten(m.name) +
                                     "(...)' after the nn.Sequential(...) call may change the "
                                     "network, which cnnshape does not follow; write the network "
                                     "it gives as one nn.Sequential(...)");
        (void)first;
    }
}

// Statements after the network is built that change it: `model.append(...)`,
// `model.add_module(...)`, `model[0] = ...`, `del model[1]`, `model.half()`. Until `name` is
// assigned again.
void check_later_changes(const Source& src, const PyStructure& py,
                         const std::vector<BindSite>& sites, const std::string& name,
                         size_t after) {
    if (name.empty()) return;
    size_t until = src.text().size();
    for (const BindSite& b : sites)
        if (b.name == name && b.at > after && b.kind != BindSite::Other) {
            until = py.stmts[b.stmt].end; // `m = m.half()` is still a change of this m
            break;
        }
    auto refuse = [&](size_t at, const std::string& what) {
        src.fail(at, "'" + shorten(what) + "' changes '" + shorten(name) +
                         "' after nn.Sequential(...) builds it, which cnnshape does not follow; "
                         "write the layers into the nn.Sequential(...) call");
    };
    for (const PyCall& c : py.calls) {
        if (c.at <= after || c.at >= until) continue;
        if (c.name.size() <= name.size() + 1 || c.name.compare(0, name.size(), name) != 0 ||
            c.name[name.size()] != '.')
            continue;
        std::string method = c.name.substr(name.size() + 1);
        if (changes_layers(method)) refuse(c.at, c.name + "(...)");
        if (method == "half" || method == "double" || method == "bfloat16" || method == "to") {
            try {
                Parser p(src, c.at, src.text().size());
                Value v = p.parse_primary();
                Call m = v.as_call();
                m.name = method;
                if (std::string d = dtype_change(m); !d.empty())
                    src.fail(c.at, "'" + shorten(c.name) + "(...)' makes the network " + d +
                                       "; cnnshape plans float32 networks only");
            } catch (const SpecError& e) {
                if (std::string(e.what()).find("float32 networks only") != npos) throw;
            }
        }
    }
    for (const Statement& st : py.stmts) {
        if (st.start <= after || st.start >= until) continue;
        std::vector<Token> t = statement_tokens(src, st);
        if (t.size() < 2) continue;
        if (t[0].kind == Tok::Name && t[0].text == "del" && t[1].kind == Tok::Name &&
            t[1].text == name && t.size() > 2 && t[2].is("["))
            refuse(t[0].start, "del " + name + "[...]");
        if (t[0].kind == Tok::Name && t[0].text == name) {
            if (t[1].is("[")) {
                int depth = 0;
                for (const Token& x : t) {
                    if (x.is("(") || x.is("[") || x.is("{")) ++depth;
                    if (x.is(")") || x.is("]") || x.is("}")) --depth;
                    if (depth == 0 && x.is("=")) refuse(t[0].start, name + "[...] = ...");
                }
            }
            if (t.size() > 2 && t[2].is("=") && t[1].end == t[2].start &&
                (t[1].is("+") || t[1].is("*")))
                refuse(t[0].start, name + " " + t[1].text + "= ...");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Choosing the network.

struct Found {
    ModelCandidate c;
    size_t at;           // offset of the call or of the block's class name
    size_t call = npos;  // index in PyStructure::calls (Python)
    size_t block = npos; // index in the print blocks (print(model) text)
};

bool all_digits(const std::string& s);

// What --model takes to choose c: its name, or its line when it has none (or its name is a
// number, as print(model) names the children of a Sequential, which --model reads as a line).
std::string model_arg(const ModelCandidate& c) {
    return c.name.empty() || all_digits(c.name) ? std::to_string(c.line) : c.name;
}

// "\n  --model self.features     line 8" per candidate; a name assigned several times is one
// row ("lines 12, 40").
std::string candidate_rows(const std::vector<ModelCandidate>& cs) {
    size_t width = 0;
    for (const auto& c : cs)
        width = std::max(width, model_arg(c).size());
    std::string out;
    std::set<std::string> shown;
    for (const auto& c : cs) {
        std::string arg = model_arg(c);
        if (!c.name.empty() && !shown.insert(c.kind + ":" + c.name).second) continue;
        std::string where = std::to_string(c.line);
        size_t count = 1;
        for (const auto& d : cs)
            if (&d != &c && !c.name.empty() && d.name == c.name && d.kind == c.kind &&
                d.line > c.line)
                where += ", " + std::to_string(d.line), ++count;
        out += "\n  --model " + arg + std::string(width - arg.size(), ' ') +
               (count > 1 ? "   lines " : "   line ") + where;
        if (c.kind == "print") out += ", print(model) text";
        if (c.name.empty()) out += c.kind == "print" ? ", no name" : ", not assigned to a name";
    }
    return out;
}

std::vector<ModelCandidate> just_candidates(const std::vector<Found>& fs) {
    std::vector<ModelCandidate> out;
    for (const auto& f : fs)
        out.push_back(f.c);
    return out;
}

bool all_digits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_digit(c)) return false;
    return true;
}

std::string without_self(const std::string& s) {
    return s.rfind("self.", 0) == 0 ? s.substr(5) : s;
}

// The target a Python call is assigned to: `model = nn.Sequential(` gives "model",
// `self.features: nn.Module = nn.Sequential(` "self.features"; "" for anything else.
std::string assigned_name(const std::string& s, const std::vector<Line>& lines, size_t at) {
    auto l = std::upper_bound(lines.begin(), lines.end(), at,
                              [](size_t off, const Line& ln) { return off < ln.start; });
    if (l == lines.begin()) return "";
    --l;
    size_t p = skip_hspace(s, l->start, at);
    std::string target;
    while (p < at) {
        size_t b = p;
        while (p < at && (is_ident_char(s[p]) || s[p] == '.'))
            ++p;
        if (p == b || !is_ident_start(s[b]) || s[p - 1] == '.') return "";
        std::string name = s.substr(b, p - b);
        p = skip_hspace(s, p, at);
        if (p < at && s[p] == ':') { // an annotation, up to the '='
            while (p < at && s[p] != '=')
                ++p;
        }
        if (p >= at || s[p] != '=' || (p + 1 < at && s[p + 1] == '=')) return "";
        target = name;
        p = skip_hspace(s, p + 1, at);
    }
    return target;
}

} // namespace

Value parse_py_expr(const std::string& text) {
    Source src(text);
    Parser p(src, 0, text.size());
    Token t = p.peek();
    if (t.kind == Tok::End) src.fail(0, "expected an expression but the text is empty");
    Value v = p.parse_expr();
    p.expect_end("the expression");
    return v;
}

const std::vector<std::string>* print_hidden_arguments(const std::string& type) {
    static const std::map<std::string, std::vector<std::string>> table = {
#include "print_hidden.inc"
    };
    auto it = table.find(type);
    return it == table.end() ? nullptr : &it->second;
}

SequentialText parse_sequential_text(const std::string& text, const std::string& model) {
    Source src(text);
    std::vector<Line> lines = split_lines(text);
    std::vector<size_t> orphans;
    std::vector<PrintBlock> blocks = scan_print_blocks(text, lines, orphans);
    PyStructure py = scan_python(text);

    // Every network, in order of where it starts.
    std::vector<Found> found;
    std::vector<std::pair<size_t, size_t>> print_ranges; // outermost blocks: [start, end)
    const PrintBlock* container = nullptr;               // an outermost non-Sequential block
    for (size_t i = 0; i < blocks.size(); ++i) {
        const PrintBlock& b = blocks[i];
        if (b.parent < 0) {
            size_t end = b.end_line < lines.size() ? lines[b.end_line].end : text.size();
            print_ranges.push_back({lines[b.line].start, end});
            if (b.cls != "Sequential" && !container) container = &b;
        }
        if (b.cls == "Sequential" && !b.under_sequential)
            found.push_back({{b.path, b.line + 1, "print"}, b.cls_off, npos, i});
    }
    auto in_print = [&](size_t at) {
        auto it = std::upper_bound(
            print_ranges.begin(), print_ranges.end(), at,
            [](size_t off, const std::pair<size_t, size_t>& r) { return off < r.first; });
        return it != print_ranges.begin() && at < std::prev(it)->second;
    };
    for (size_t i = 0; i < py.calls.size(); ++i) {
        const PyCall& c = py.calls[i];
        if (!is_sequential_name(c.name) || c.in_sequential || in_print(c.at)) continue;
        std::string name = c.in_call ? "" : assigned_name(text, lines, c.at);
        found.push_back({{name, src.line_of(c.at), "python"}, c.at, i, npos});
    }
    std::sort(found.begin(), found.end(),
              [](const Found& a, const Found& b) { return a.at < b.at; });

    std::optional<Names> names;
    auto names_ready = [&]() -> Names& {
        if (!names) names.emplace(src, py);
        return *names;
    };
    auto parse_python = [&](const Found& f) {
        const PyCall& c = py.calls[f.call];
        return names_ready().parse_at(c.at, c.stmt);
    };

    // Which of them.
    std::vector<const Found*> pick;
    if (!model.empty()) {
        for (const Found& f : found)
            if (all_digits(model) ? std::to_string(f.c.line) == model : f.c.name == model)
                pick.push_back(&f);
        if (pick.empty() && all_digits(model))
            for (const Found& f : found)
                if (f.c.name == model) pick.push_back(&f);
        if (pick.empty() && !all_digits(model))
            for (const Found& f : found)
                if (!f.c.name.empty() && without_self(f.c.name) == without_self(model))
                    pick.push_back(&f);
        if (pick.empty() && !all_digits(model)) // "features" for "net.features"
            for (const Found& f : found)
                if (f.c.name.size() > model.size() &&
                    f.c.name.compare(f.c.name.size() - model.size(), model.size(), model) == 0 &&
                    f.c.name[f.c.name.size() - model.size() - 1] == '.')
                    pick.push_back(&f);
        if (pick.empty()) {
            std::string msg =
                "--model " + shorten(model) + " names none of the networks in the text";
            if (found.empty()) {
                msg += "; it holds no nn.Sequential";
            } else {
                msg += "; it holds:" + candidate_rows(just_candidates(found));
            }
            throw ModelChoiceError("", msg, just_candidates(found));
        }
    } else {
        if (container) {
            std::string msg = "'" + container->cls +
                              "' is a container whose forward() cnnshape cannot see; only "
                              "Sequential containers can be read from print(model) text";
            if (found.empty()) src.fail(container->cls_off, msg);
            // With candidates the message lists them before the line and caret.
            throw ModelChoiceError(src.where(container->cls_off),
                                   msg +
                                       "\nIts Sequential parts can be planned one at a time "
                                       "with --model:" +
                                       candidate_rows(just_candidates(found)) + "\n" +
                                       src.echo(container->cls_off),
                                   just_candidates(found));
        }
        for (const Found& f : found)
            pick.push_back(&f);
        if (pick.empty())
            throw SpecError("", "no nn.Sequential(...) found: the text holds neither a call of "
                                "nn.Sequential nor the print(model) output of a Sequential");
    }

    // The same name assigned the same network several times (a tutorial repeating its code)
    // is one network.
    if (pick.size() > 1) {
        bool same = true;
        for (const Found* f : pick) {
            if (f->c.kind != "python" || f->c.name.empty() || f->c.name != pick[0]->c.name) {
                same = false;
                break;
            }
        }
        if (same) {
            try {
                std::string repr;
                for (const Found* f : pick) {
                    std::string r = parse_python(*f).repr();
                    if (f == pick[0]) {
                        repr = r;
                    } else if (r != repr) {
                        same = false;
                        break;
                    }
                }
            } catch (const SpecError&) {
                same = false;
            }
        }
        if (!same) {
            std::vector<ModelCandidate> listed;
            for (const Found* f : pick)
                listed.push_back(f->c);
            std::string msg;
            std::string rows = candidate_rows(listed);
            size_t count = size_t(std::count(rows.begin(), rows.end(), '\n'));
            if (model.empty() && count > 1) {
                msg = "the text holds " + std::to_string(count) +
                      " nn.Sequential networks, and cnnshape will not guess which one is meant; "
                      "choose one with --model:" +
                      rows;
            } else {
                // One name for different networks: tell them apart by their lines.
                std::vector<ModelCandidate> by_line = listed;
                for (auto& c : by_line)
                    c.name.clear();
                std::string name = model.empty() ? "'" + shorten(pick[0]->c.name) + "'"
                                                 : "--model " + shorten(model);
                msg = name + " names " + std::to_string(listed.size()) +
                      " different networks; choose one by the line it starts on:" +
                      candidate_rows(by_line);
            }
            throw ModelChoiceError("", msg, listed);
        }
        pick.erase(pick.begin() + 1, pick.end());
    }

    const Found& chosen = *pick[0];
    SequentialText out;
    out.candidates = just_candidates(found);
    out.chosen = size_t(&chosen - found.data());
    size_t end_of_network = chosen.at;
    if (chosen.c.kind == "print" && model.empty() && !orphans.empty()) {
        // Lines of the same print(model) outside the block would be dropped without a word.
        const Line& l = lines[orphans[0]];
        size_t at = skip_hspace(text, l.start, l.end);
        src.fail(at, "this print(model) line is outside the Sequential of line " +
                         std::to_string(chosen.c.line) +
                         ": the text is a part of a larger print(model); paste it whole, or "
                         "choose a Sequential block with --model");
    }
    if (chosen.c.kind == "print") {
        PrintReader reader(src, lines);
        const PrintBlock& b = blocks[chosen.block];
        size_t k = b.line;
        out.sequential = reader.block(k, b.cls_off, b.cls, 1);
        out.print_text = true;
        end_of_network = k < lines.size() ? lines[k].start : text.size();
    } else {
        const PyCall& c = py.calls[chosen.call];
        out.sequential = parse_python(chosen);
        end_of_network = size_t(out.sequential.as_call().end_pos);
        check_after_call(src, end_of_network, py.stmts[c.stmt].end);
        check_later_changes(src, py, names_ready().sites(), chosen.c.name, end_of_network);
    }

    // Distinct networks in the text (repeated identical assignments count once).
    std::set<std::string> distinct;
    for (const Found& f : found)
        distinct.insert(f.c.name.empty() ? "#" + std::to_string(f.c.line) : f.c.name);
    bool several = distinct.size() > 1 || container != nullptr;

    bool passed = false;
    if (chosen.c.kind == "python")
        out.example_input =
            example_passed_to(src, py, names_ready(), chosen.c.name, chosen.at, passed);
    if (!passed) {
        // Not passed to the network: the text's first example, if it can be read (a later one
        // may be anything: a weight, a target).
        size_t at = 0;
        bool any = std::any_of(py.calls.begin(), py.calls.end(),
                               [](const PyCall& c) { return is_example_maker(c.name); });
        if (any) out.example_input = first_example(py, names_ready(), in_print, at);
        if (out.example_input && several) {
            std::string maker = text.substr(at, text.find('(', at) - at);
            out.example_guess = maker + " at line " + std::to_string(src.line_of(at));
        }
    }
    if (model.empty() && chosen.c.name.rfind("self.", 0) == 0)
        out.notes.push_back("planning " + chosen.c.name +
                            ", the one nn.Sequential in the text; the class it belongs to may do "
                            "more in its forward(), which cnnshape does not read");
    return out;
}

} // namespace cnnshape
