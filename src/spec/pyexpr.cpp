// Readers for PyTorch text: a tokenizer and recursive-descent parser for one Python expression,
// and the scanner that finds an nn.Sequential in pasted Python source or print(model) output.
#include "cnnshape/pyexpr.hpp"

#include "cnnshape/checked.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/layer.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
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

    // The message, a newline, the offending line, a newline and a caret under the column.
    [[noreturn]] void fail(size_t off, const std::string& message) const {
        throw SpecError(where(off), message + "\n" + echo(off));
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
        size_t line = 1, ls = 0;
        for (size_t i = 0; i < off; ++i)
            if (text_[i] == '\n') ++line, ls = i + 1;
        size_t col = 1;
        for (size_t i = ls; i < off; ++i)
            if (!is_cont_byte(text_[i])) ++col;
        return {line, col};
    }

    // "  <line>\n  <blanks>^" with tabs kept so that the caret lines up; control characters are
    // shown as '?'; long lines are cut to a window around the column.
    std::string echo(size_t off) const {
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

    Value parse_expr() { return parse_sum(); }

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
                Value v = need_value("a value after '" + t.text + "='");
                call->kwargs.emplace_back(t.text, std::move(v));
            } else if (starts_value(t)) {
                if (!call->kwargs.empty())
                    src_.fail(t.start, "positional argument follows keyword argument");
                call->args.push_back(parse_sum());
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
    Token peek_;
    size_t peek_pos_ = 0;
    bool have_peek_ = false;
};

// ---------------------------------------------------------------------------------------------
// Finding calls in Python source.

// Calls `on_call(name, offset)` for every `dotted.name(` in code: not in a '#' comment and not
// inside a quoted string on the same line. Stops when on_call returns true.
void scan_calls(const std::string& s,
                const std::function<bool(const std::string&, size_t)>& on_call) {
    char quote = 0;
    bool comment = false;
    size_t n = s.size();
    for (size_t i = 0; i < n; ++i) {
        char c = s[i];
        if (c == '\n') {
            quote = 0;
            comment = false;
            continue;
        }
        if (comment) continue;
        if (quote) {
            if (c == '\\')
                ++i;
            else if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '#') {
            comment = true;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            continue;
        }
        if (!is_ident_start(c) || (i > 0 && (is_ident_char(s[i - 1]) || s[i - 1] == '.'))) continue;
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
        size_t p = e;
        while (p < n && (s[p] == ' ' || s[p] == '\t'))
            ++p; // a newline would end the statement
        if (p < n && s[p] == '(' && (e >= n || s[e] != '.')) {
            if (on_call(s.substr(i, e - i), i)) return;
        }
        i = e - 1;
    }
}

bool is_sequential_name(const std::string& name) {
    Call c;
    c.name = name;
    return c.base_name() == "Sequential";
}

// torch.rand(3, 110, 110), torch.randn((1, 3, 32, 32)), torch.zeros([2, 3], dtype=...): the
// sizes, when they are non-negative int literals. Only the sizes are read; what follows them
// (keywords such as dtype=torch.float32) is not looked at.
std::optional<Shape> read_example_call(const Source& src, size_t at) {
    try {
        Parser p(src, at, src.text().size());
        p.next(); // name
        p.next(); // '('
        Token t = p.peek();
        std::string close = ")";
        bool bracketed = false;
        if (t.is("(") || t.is("[")) {
            bracketed = true;
            close = t.is("(") ? ")" : "]";
            p.next();
        }
        Shape shape;
        while (true) {
            t = p.next();
            if (t.is(close.c_str()) && (bracketed || !shape.empty())) break;
            if (t.kind != Tok::Int || t.mag > kInt64Max) return std::nullopt;
            shape.push_back(std::int64_t(t.mag));
            t = p.next();
            if (t.is(close.c_str())) break;
            if (!t.is(",")) return std::nullopt;
            if (!bracketed && (p.peek().kind != Tok::Int)) {
                if (p.peek().is(")")) break;
                // Keyword arguments after the sizes: name '='.
                Token k = p.peek();
                if (k.kind == Tok::Name && p.lex(k.end).is("=")) break;
                return std::nullopt;
            }
        }
        if (bracketed) {
            t = p.next();
            if (!t.is(")") && !t.is(",")) return std::nullopt;
        }
        if (shape.empty()) return std::nullopt;
        return shape;
    } catch (const SpecError&) {
        return std::nullopt;
    }
}

std::optional<Shape> find_example_input(const Source& src) {
    static const std::set<std::string> makers = {"torch.rand", "torch.randn", "torch.zeros",
                                                 "torch.ones", "torch.empty"};
    std::optional<Shape> found;
    scan_calls(src.text(), [&](const std::string& name, size_t at) {
        if (!makers.count(name)) return false;
        found = read_example_call(src, at);
        return found.has_value();
    });
    return found;
}

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
    size_t line;
    size_t name_off;
    std::string cls;
};

// The first line that opens a print(model) block: a line ending in "Name(" ("Sequential(",
// "(features): Sequential(", "Out[3]: Sequential(") followed by a child line.
std::optional<Header> find_print_header(const std::string& s, const std::vector<Line>& lines) {
    for (size_t k = 0; k < lines.size(); ++k) {
        size_t b = lines[k].start;
        size_t e = trim_end(s, b, lines[k].end);
        if (e == b || s[e - 1] != '(') continue;
        size_t q = e - 1;
        while (q > b && is_ident_char(s[q - 1]))
            --q;
        if (q == e - 1 || !is_ident_start(s[q]) || (q > b && s[q - 1] == '.')) continue;
        if (children_follow(s, lines, k)) return Header{k, q, s.substr(q, e - 1 - q)};
    }
    return std::nullopt;
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

SequentialText parse_sequential_text(const std::string& text) {
    Source src(text);
    std::vector<Line> lines = split_lines(text);
    std::optional<Header> header = find_print_header(text, lines);

    std::optional<size_t> call_at;
    scan_calls(text, [&](const std::string& name, size_t at) {
        if (!is_sequential_name(name)) return false;
        call_at = at;
        return true;
    });

    SequentialText out;
    if (header && (!call_at || header->name_off <= *call_at)) {
        PrintReader reader(src, lines);
        size_t k = header->line;
        out.sequential = reader.block(k, header->name_off, header->cls, 1);
    } else if (call_at) {
        Parser p(src, *call_at, text.size());
        out.sequential = p.parse_primary();
    } else {
        throw SpecError("", "no nn.Sequential(...) found: the text holds neither a call of "
                            "nn.Sequential nor the print(model) output of a Sequential");
    }
    out.example_input = find_example_input(src);
    return out;
}

} // namespace cnnshape
