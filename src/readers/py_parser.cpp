// The lexer and parser of one Python expression (py_parser.hpp): tokens, numbers and strings as
// Python reads them, operators with their precedence, calls, and errors with line and column.
#include "py_parser.hpp"

#include "cnnshape/checked.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>
#include <system_error>

namespace cnnshape::pyparse {

std::string Source::where(size_t off) const {
    auto [line, col] = line_col(off);
    if (!multi_line_) return "column " + std::to_string(col);
    return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

size_t Source::end_offset(size_t begin, size_t limit) const {
    size_t e = limit;
    while (e > begin && is_space(text_[e - 1]))
        --e;
    if (e == begin) return begin;
    --e;
    while (e > begin && is_cont_byte(text_[e]))
        --e;
    return e;
}

std::pair<size_t, size_t> Source::line_col(size_t off) const {
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

std::string Source::echo_line(size_t off) const {
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

Value Parser::parse_expr_list() {
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

void Parser::expect_end(const char* after) {
    Token t = peek();
    if (t.kind != Tok::End)
        src_.fail(t.start, std::string("expected the end of ") + ended_ + " after " + after +
                               " but found " + describe(t));
}

Token Parser::peek() {
    if (!have_peek_ || peek_pos_ != pos_) {
        peek_ = lex(pos_);
        peek_pos_ = pos_;
        have_peek_ = true;
    }
    return peek_;
}

Token Parser::next() {
    Token t = peek();
    pos_ = t.end;
    return t;
}

Token Parser::lex(size_t p) const {
    p = skip_blank(p);
    Token t;
    t.start = t.end = p;
    if (p >= limit_) return t;
    char c = s_[p];
    if (is_digit(c) || (c == '.' && p + 1 < limit_ && is_digit(s_[p + 1]))) return lex_number(p);
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
        if (p + 1 < limit_ && ((c == '*' && s_[p + 1] == '*') || (c == '/' && s_[p + 1] == '/') ||
                               (c == '=' && s_[p + 1] == '=')))
            t.end = p + 2;
    }
    t.text = s_.substr(p, t.end - p);
    return t;
}

std::string Parser::describe(const Token& t) const {
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

size_t Parser::skip_blank(size_t p) const {
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

size_t Parser::end_of_word(size_t p) const {
    while (p < limit_ && (is_ident_char(s_[p]) || s_[p] == '.'))
        ++p;
    return p;
}

[[noreturn]] void Parser::bad_number(size_t start, const std::string& why) const {
    size_t e = end_of_word(start);
    src_.fail(start, why + " '" + shorten(s_.substr(start, e - start)) + "'");
}

size_t Parser::digit_part(size_t p, bool (*digit)(char), bool& ok) const {
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

Token Parser::lex_number(size_t start) const {
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
            base == 16  ? +[](char c) { return bool(std::isxdigit(static_cast<unsigned char>(c))); }
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
    if (digits.size() > 1 && digits[0] == '0' && digits.find_first_not_of('0') != std::string::npos)
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

Token Parser::lex_string(size_t q, size_t start, bool raw) const {
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
                cp = cp * 16 + std::uint32_t(is_digit(h) ? h - '0' : std::tolower(h) - 'a' + 10);
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

bool Parser::starts_value(const Token& t) {
    return t.kind == Tok::Int || t.kind == Tok::Float || t.kind == Tok::Str ||
           t.kind == Tok::Name || t.is("(") || t.is("[") || t.is("-") || t.is("+");
}

[[noreturn]] void Parser::fail_found(const Token& t, const std::string& expected,
                                     size_t opener) const {
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

Value Parser::need_value(const std::string& expected) {
    Token t = peek();
    if (!starts_value(t)) fail_found(t, expected);
    return parse_sum();
}

Value Parser::parse_sum() {
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

Value Parser::parse_term() {
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

Value Parser::parse_factor() {
    Token t = peek();
    if (!t.is("-") && !t.is("+")) return parse_power();
    next();
    DepthGuard g(*this, t.start);
    Token n = peek();
    if (!starts_value(n)) fail_found(n, "a value after '" + t.text + "'");
    // -9223372036854775808 is only in range when read as one negative literal.
    if (t.is("-") && n.kind == Tok::Int && !lex(n.end).is("**")) {
        next();
        Value v = Value::integer(n.mag == kInt64Max + 1 ? std::numeric_limits<std::int64_t>::min()
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
                src_.fail(t.start, "integer overflow: -(" + v.repr() + ") does not fit in 64 bits");
            v.v = -v.as_int();
        } else {
            v.v = -v.as_float();
        }
    }
    v.pos = std::int64_t(t.start);
    return v;
}

Value Parser::parse_power() {
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

Value Parser::arith(const Token& op, const Value& a, const Value& b) {
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

Value Parser::parse_atom() {
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
        if (t.text == "math.inf" || t.text == "torch.inf" || t.text == "np.inf" ||
            t.text == "numpy.inf") {
            v.v = std::numeric_limits<double>::infinity();
            return v;
        }
        if (t.text == "math.nan" || t.text == "torch.nan" || t.text == "np.nan" ||
            t.text == "numpy.nan") {
            v.v = std::numeric_limits<double>::quiet_NaN();
            return v;
        }
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

Value Parser::parse_sequence(const Token& open) {
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

Value Parser::parse_call(const Token& name) {
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
    // float('inf'), float('-inf'), float('nan'), float(2), float('1e-3'): the float Python makes,
    // so that nn.Hardtanh(min_val=float('-inf')) binds as PyTorch does.
    if (call->name == "float" && call->kwargs.empty() && call->args.size() == 1) {
        const Value& a = call->args[0];
        if (a.is_int() || a.is_float() || a.is_bool()) {
            Value f = Value::real(a.is_bool() ? (a.as_bool() ? 1.0 : 0.0) : a.as_float());
            f.pos = std::int64_t(name.start);
            return f;
        }
        if (a.is_string() && !a.bare_word) {
            std::string w; // Python strips the ends only: float(' 1.5 ') but not float('1 5')
            for (char c : a.as_string())
                w += char(std::tolower((unsigned char)c));
            const auto space = [](char c) {
                return c == ' ' || c == '\t' || c == '\n' || c == '\r';
            };
            while (!w.empty() && space(w.back()))
                w.pop_back();
            std::size_t lead = 0;
            while (lead < w.size() && space(w[lead]))
                ++lead;
            w.erase(0, lead);
            std::string m = !w.empty() && (w[0] == '+' || w[0] == '-') ? w.substr(1) : w;
            const bool neg = !w.empty() && w[0] == '-';
            double d = 0;
            bool ok = true;
            if (m == "inf" || m == "infinity") {
                d = std::numeric_limits<double>::infinity();
            } else if (m == "nan") {
                d = std::numeric_limits<double>::quiet_NaN();
            } else {
                // A decimal literal: digits, one '.', an exponent; nothing strtod would also take
                // (hex, "infinite", "nan(...)").
                bool digit = false, dot = false, exp = false;
                for (std::size_t i = 0; i < m.size() && ok; ++i) {
                    char c = m[i];
                    if (std::isdigit((unsigned char)c))
                        digit = true;
                    else if (c == '.' && !dot && !exp)
                        dot = true;
                    else if (c == 'e' && digit && !exp) {
                        exp = true;
                        digit = false;
                        if (i + 1 < m.size() && (m[i + 1] == '+' || m[i + 1] == '-')) ++i;
                    } else if (c == '_' && i > 0 && std::isdigit((unsigned char)m[i - 1]) &&
                               i + 1 < m.size() && std::isdigit((unsigned char)m[i + 1])) {
                    } else
                        ok = false;
                }
                ok = ok && digit;
                if (ok) {
                    std::string clean;
                    for (char c : m)
                        if (c != '_') clean += c;
                    d = std::strtod(clean.c_str(), nullptr);
                }
            }
            if (!ok)
                src_.fail(size_t(a.pos),
                          "could not convert string to float: '" + a.as_string() + "'");
            Value f = Value::real(neg ? -d : d);
            f.pos = std::int64_t(name.start);
            return f;
        }
    }
    Value v;
    v.v = std::move(call);
    v.pos = std::int64_t(name.start);
    return v;
}

} // namespace cnnshape::pyparse
