// The tokenizer and parser of the Python subset of model files (py_ast.hpp).
#include "py_ast.hpp"

#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

namespace cnnshape::pymod {
namespace {

using pyparse::is_digit;
using pyparse::is_ident_char;
using pyparse::is_ident_start;
using pyparse::Source;

constexpr int kMaxNest = 100; // brackets and nested expressions

const char* const kOps3[] = {"**=", "//=", ">>=", "<<=", "..."};
const char* const kOps2[] = {"**", "//", "==", "!=", "<=", ">=", "->", "+=", "-=", "*=",
                             "/=", "%=", "&=", "|=", "^=", "@=", ":=", "<<", ">>"};
const char kOps1[] = "+-*/%@&|^~<>()[]{},:;.=";

class Lexer {
public:
    Lexer(const Source& src, size_t begin, size_t limit, bool logical)
        : src_(src), s_(src.text()), p_(begin), limit_(limit), logical_(logical) {}

    std::vector<Tok> run() {
        std::vector<Tok> out;
        std::vector<size_t> indents = {0};
        bool line_start = logical_;
        int depth = 0;
        std::vector<size_t> opens;
        while (true) {
            if (line_start) {
                // Indentation of a line that holds code; blank and comment lines do not count.
                size_t col = 0, q = p_;
                while (q < limit_ && (s_[q] == ' ' || s_[q] == '\t' || s_[q] == '\f')) {
                    col = s_[q] == '\t' ? (col / 8 + 1) * 8 : s_[q] == '\f' ? 0 : col + 1;
                    ++q;
                }
                if (q >= limit_) {
                    p_ = q;
                    break;
                }
                if (s_[q] == '#' || s_[q] == '\n' || s_[q] == '\r') {
                    while (q < limit_ && s_[q] != '\n')
                        ++q;
                    p_ = q < limit_ ? q + 1 : q;
                    continue;
                }
                if (s_[q] == '\\' && q + 1 < limit_ && s_[q + 1] == '\n') {
                    p_ = q + 2;
                    continue;
                }
                p_ = q;
                line_start = false;
                if (col > indents.back()) {
                    indents.push_back(col);
                    out.push_back(tok(T::Indent, q, q));
                } else {
                    while (col < indents.back()) {
                        indents.pop_back();
                        out.push_back(tok(T::Dedent, q, q));
                    }
                    if (col != indents.back())
                        src_.fail(q, "unindent does not match any outer indentation level");
                }
            }
            // blanks
            while (p_ < limit_ && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\f' ||
                                   s_[p_] == '\r' || s_[p_] == '\v'))
                ++p_;
            if (p_ >= limit_) break;
            char c = s_[p_];
            if (size_t u = pyparse::unicode_space_at(s_, p_, limit_)) {
                p_ += u;
                continue;
            }
            if (c == '#') {
                while (p_ < limit_ && s_[p_] != '\n')
                    ++p_;
                continue;
            }
            if (c == '\\') {
                size_t q = p_ + 1;
                while (q < limit_ && s_[q] == '\r')
                    ++q;
                if (q < limit_ && s_[q] == '\n') {
                    p_ = q + 1;
                    continue;
                }
                src_.fail(p_, "unexpected character after line continuation character");
            }
            if (c == '\n') {
                if (logical_ && depth == 0) {
                    if (!out.empty() && out.back().k != T::Newline && out.back().k != T::Indent &&
                        out.back().k != T::Dedent)
                        out.push_back(tok(T::Newline, p_, p_ + 1));
                    line_start = true;
                }
                ++p_;
                continue;
            }
            if (is_ident_start(c)) {
                size_t b = p_;
                while (p_ < limit_ && is_ident_char(s_[p_]))
                    ++p_;
                std::string w = s_.substr(b, p_ - b);
                if (p_ < limit_ && (s_[p_] == '\'' || s_[p_] == '"') && w.size() <= 2 &&
                    pyparse::is_string_prefix(s_, b, p_)) {
                    out.push_back(string_tok(b, p_, w));
                    continue;
                }
                Tok t = tok(T::Name, b, p_);
                t.s = std::move(w);
                out.push_back(std::move(t));
                continue;
            }
            if (static_cast<unsigned char>(c) >= 0x80) {
                std::uint32_t cp = 0;
                size_t n = pyparse::decode_utf8(s_, p_, limit_, cp);
                if (n == 0) src_.fail(p_, "invalid UTF-8 in the source");
                src_.fail(p_,
                          fmt::format("invalid character '{}' (U+{:04X})", s_.substr(p_, n), cp));
            }
            if (is_digit(c) || (c == '.' && p_ + 1 < limit_ && is_digit(s_[p_ + 1]))) {
                out.push_back(number());
                continue;
            }
            if (c == '\'' || c == '"') {
                out.push_back(string_tok(p_, p_, ""));
                continue;
            }
            std::string op;
            for (const char* o : kOps3)
                if (s_.compare(p_, 3, o) == 0 && p_ + 3 <= limit_) op = o;
            if (op.empty())
                for (const char* o : kOps2)
                    if (s_.compare(p_, 2, o) == 0 && p_ + 2 <= limit_) op = o;
            if (op.empty() && std::string(kOps1).find(c) != std::string::npos) op = c;
            if (op.empty())
                src_.fail(p_, fmt::format("invalid character '{}' in the source",
                                          pyparse::shorten(std::string(1, c))));
            if (op == "(" || op == "[" || op == "{") {
                if (++depth > kMaxNest)
                    src_.fail(p_, fmt::format("too deeply nested: more than {} levels of brackets",
                                              kMaxNest));
                opens.push_back(p_);
            } else if (op == ")" || op == "]" || op == "}") {
                if (depth == 0) src_.fail(p_, fmt::format("unmatched '{}'", op));
                char want = s_[opens.back()] == '(' ? ')' : s_[opens.back()] == '[' ? ']' : '}';
                if (op[0] != want)
                    src_.fail(p_, fmt::format("closing parenthesis '{}' does not match opening "
                                              "parenthesis '{}' on line {}",
                                              op, s_[opens.back()], src_.line_of(opens.back())));
                --depth;
                opens.pop_back();
            }
            Tok t = tok(T::Op, p_, p_ + op.size());
            t.s = op;
            p_ += op.size();
            out.push_back(std::move(t));
        }
        if (depth > 0)
            src_.fail(opens.back(), fmt::format("'{}' was never closed", s_[opens.back()]));
        if (logical_) {
            if (!out.empty() && out.back().k != T::Newline && out.back().k != T::Dedent)
                out.push_back(tok(T::Newline, p_, p_));
            while (indents.size() > 1) {
                indents.pop_back();
                out.push_back(tok(T::Dedent, p_, p_));
            }
        }
        out.push_back(tok(T::End, p_, p_));
        return out;
    }

private:
    Tok tok(T k, size_t a, size_t e) const {
        Tok t;
        t.k = k;
        t.at = a;
        t.end = e;
        return t;
    }

    Tok number() {
        size_t b = p_;
        bool is_float = false;
        if (s_[p_] == '0' && p_ + 1 < limit_ &&
            std::string("xXoObB").find(s_[p_ + 1]) != std::string::npos) {
            int base = (s_[p_ + 1] == 'x' || s_[p_ + 1] == 'X')   ? 16
                       : (s_[p_ + 1] == 'o' || s_[p_ + 1] == 'O') ? 8
                                                                  : 2;
            p_ += 2;
            std::string digits;
            while (p_ < limit_ &&
                   (std::isxdigit(static_cast<unsigned char>(s_[p_])) || s_[p_] == '_')) {
                if (s_[p_] != '_') digits += s_[p_];
                ++p_;
            }
            if (digits.empty()) src_.fail(b, "invalid number");
            errno = 0;
            char* endp = nullptr;
            unsigned long long v = std::strtoull(digits.c_str(), &endp, base);
            if (*endp != '\0') src_.fail(b, "invalid number");
            if (errno == ERANGE || v > pyparse::kInt64Max)
                src_.fail(b, "integer too large: cnnshape's integers are 64-bit");
            Tok t = tok(T::Int, b, p_);
            t.i = std::int64_t(v);
            return t;
        }
        while (p_ < limit_ && (is_digit(s_[p_]) || s_[p_] == '_'))
            ++p_;
        if (p_ < limit_ && s_[p_] == '.' &&
            !(p_ + 1 < limit_ && is_ident_start(s_[p_ + 1]) && s_[p_ + 1] != 'e' &&
              s_[p_ + 1] != 'E')) {
            is_float = true;
            ++p_;
            while (p_ < limit_ && (is_digit(s_[p_]) || s_[p_] == '_'))
                ++p_;
        }
        if (p_ < limit_ && (s_[p_] == 'e' || s_[p_] == 'E')) {
            size_t q = p_ + 1;
            if (q < limit_ && (s_[q] == '+' || s_[q] == '-')) ++q;
            if (q < limit_ && is_digit(s_[q])) {
                is_float = true;
                p_ = q;
                while (p_ < limit_ && (is_digit(s_[p_]) || s_[p_] == '_'))
                    ++p_;
            }
        }
        if (p_ < limit_ && (s_[p_] == 'j' || s_[p_] == 'J'))
            src_.fail(b, "complex numbers are not supported");
        if (p_ < limit_ && is_ident_char(s_[p_])) src_.fail(b, "invalid number");
        std::string text;
        for (size_t k = b; k < p_; ++k)
            if (s_[k] != '_') text += s_[k];
        Tok t = tok(is_float ? T::Float : T::Int, b, p_);
        if (is_float) {
            t.f = std::strtod(text.c_str(), nullptr);
        } else {
            if (text.size() > 1 && text[0] == '0' &&
                text.find_first_not_of('0') != std::string::npos)
                src_.fail(b, "leading zeros in decimal integer literals are not permitted");
            errno = 0;
            unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
            if (errno == ERANGE || v > pyparse::kInt64Max)
                src_.fail(b, "integer too large: cnnshape's integers are 64-bit");
            t.i = std::int64_t(v);
        }
        return t;
    }

    Tok string_tok(size_t start, size_t q, const std::string& prefix) {
        bool raw = false, f = false;
        for (char c : prefix) {
            if (c == 'r' || c == 'R') raw = true;
            if (c == 'f' || c == 'F') f = true;
        }
        char quote = s_[q];
        bool triple = q + 2 < limit_ && s_[q + 1] == quote && s_[q + 2] == quote;
        size_t body = q + (triple ? 3 : 1);
        size_t p = body;
        std::string val;
        while (true) {
            if (p >= limit_)
                src_.fail(start, triple ? "unterminated triple-quoted string literal"
                                        : "unterminated string literal");
            char c = s_[p];
            if (!triple && c == '\n') src_.fail(start, "unterminated string literal");
            if (c == quote &&
                (!triple || (p + 2 < limit_ && s_[p + 1] == quote && s_[p + 2] == quote)))
                break;
            if (c == '\\' && p + 1 < limit_) {
                char n = s_[p + 1];
                if (raw || f) {
                    val += c;
                    val += n;
                } else if (n == 'n') {
                    val += '\n';
                } else if (n == 't') {
                    val += '\t';
                } else if (n == '\\' || n == '\'' || n == '"') {
                    val += n;
                } else if (n == '\n') {
                } else {
                    val += c;
                    val += n;
                }
                p += 2;
                continue;
            }
            val += c;
            ++p;
        }
        Tok t = tok(T::Str, start, p + (triple ? 3 : 1));
        t.s = f ? s_.substr(body, p - body) : val;
        t.fstr = f;
        t.body = body;
        p_ = t.end;
        return t;
    }

    const Source& src_;
    const std::string& s_;
    size_t p_, limit_;
    bool logical_;
};

bool is_reserved(const std::string& w) {
    static const char* const kw[] = {
        "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
        "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
        "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
        "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};
    for (const char* k : kw)
        if (w == k) return true;
    return false;
}

class Parser {
public:
    Parser(const Source& src, std::vector<Tok> toks) : src_(src), t_(std::move(toks)) {}

    Module module() {
        Module m;
        while (cur().k != T::End) {
            if (cur().k == T::Newline) {
                ++i_;
                continue;
            }
            if (cur().k == T::Indent) src_.fail(cur().at, "unexpected indent");
            statement(m.body);
        }
        return m;
    }

    EP expression_only() {
        EP e = testlist();
        if (cur().k != T::End) fail_here("the end of the expression");
        return e;
    }

private:
    const Tok& cur() const { return t_[i_]; }
    const Tok& peek(size_t n = 1) const { return t_[std::min(i_ + n, t_.size() - 1)]; }
    bool op(const char* o) const { return cur().is(o); }
    bool kw(const char* w) const { return cur().kw(w); }

    std::string describe(const Tok& t) const {
        switch (t.k) {
        case T::End:
            return "the end of the file";
        case T::Newline:
            return "the end of the line";
        case T::Indent:
            return "an indented block";
        case T::Dedent:
            return "the end of the block";
        case T::Str:
            return "a string";
        case T::Int:
        case T::Float:
            return "'" + src_.text().substr(t.at, t.end - t.at) + "'";
        default:
            return "'" + pyparse::shorten(t.s) + "'";
        }
    }

    [[noreturn]] void fail_here(const std::string& expected) const {
        size_t at = cur().at;
        if (cur().k == T::Newline || cur().k == T::End || cur().k == T::Dedent)
            at = src_.end_offset(0, std::min(cur().at + 1, src_.text().size()));
        src_.fail(at,
                  fmt::format("invalid syntax: expected {}, found {}", expected, describe(cur())));
    }

    void expect(const char* o) {
        if (!op(o)) fail_here(fmt::format("'{}'", o));
        ++i_;
    }

    std::string name() {
        if (cur().k != T::Name || is_reserved(cur().s)) fail_here("a name");
        return t_[i_++].s;
    }

    void end_simple() {
        if (op(";")) {
            ++i_;
            semi_ = true;
            return;
        }
        if (cur().k == T::Newline) return;
        if (cur().k == T::End || cur().k == T::Dedent) return;
        fail_here("the end of the statement");
    }

    void block(std::vector<SP>& out) {
        expect(":");
        if (cur().k != T::Newline) {
            // `if x: return y` on one line
            simple_line(out);
            return;
        }
        ++i_;
        if (cur().k != T::Indent) fail_here("an indented block");
        ++i_;
        if (++depth_ > kMaxNest)
            src_.fail(cur().at, fmt::format("too deeply nested: more than {} blocks", kMaxNest));
        while (cur().k != T::Dedent && cur().k != T::End) {
            if (cur().k == T::Newline) {
                ++i_;
                continue;
            }
            statement(out);
        }
        --depth_;
        if (cur().k == T::Dedent) ++i_;
    }

    void statement(std::vector<SP>& out) {
        size_t at = cur().at;
        std::vector<EP> decorators;
        while (op("@")) {
            ++i_;
            decorators.push_back(test());
            if (cur().k != T::Newline) fail_here("the end of the line");
            ++i_;
        }
        if (!decorators.empty() && !kw("def") && !kw("class")) fail_here("'def' or 'class'");
        if (kw("if")) {
            out.push_back(if_stmt());
        } else if (kw("for")) {
            ++i_;
            auto s = std::make_unique<Stmt>(SK::For, at);
            s->targets.push_back(target_list());
            if (!kw("in")) fail_here("'in'");
            ++i_;
            s->value = testlist();
            block(s->body);
            if (kw("else")) {
                ++i_;
                block(s->orelse);
            }
            out.push_back(std::move(s));
        } else if (kw("while")) {
            ++i_;
            auto s = std::make_unique<Stmt>(SK::While, at);
            s->value = test();
            block(s->body);
            if (kw("else")) {
                ++i_;
                block(s->orelse);
            }
            out.push_back(std::move(s));
        } else if (kw("def") || (kw("async") && peek().kw("def"))) {
            if (kw("async")) ++i_;
            ++i_;
            auto s = std::make_unique<Stmt>(SK::Def, at);
            s->s = name();
            expect("(");
            s->params = params(")");
            expect(")");
            if (op("->")) {
                ++i_;
                test();
            }
            s->bases = std::move(decorators);
            block(s->body);
            out.push_back(std::move(s));
        } else if (kw("class")) {
            ++i_;
            auto s = std::make_unique<Stmt>(SK::Class, at);
            s->s = name();
            if (op("(")) {
                ++i_;
                while (!op(")")) {
                    if (cur().k == T::Name && peek().is("=")) {
                        s->base_kw.push_back(t_[i_].s);
                        i_ += 2;
                        test();
                    } else {
                        s->bases.push_back(test());
                    }
                    if (!op(",")) break;
                    ++i_;
                }
                expect(")");
            }
            block(s->body);
            out.push_back(std::move(s));
        } else if (kw("try") || kw("with") || (kw("async") && peek().kw("with"))) {
            // Parsed so that the file reads; refused if it is ever executed.
            auto s = std::make_unique<Stmt>(SK::Unsupported, at);
            if (kw("async")) ++i_;
            s->s = t_[i_].s;
            ++i_;
            while (!op(":") && cur().k != T::Newline && cur().k != T::End)
                ++i_;
            block(s->body);
            while (kw("except") || kw("finally") || kw("else")) {
                ++i_;
                while (!op(":") && cur().k != T::Newline && cur().k != T::End)
                    ++i_;
                block(s->orelse);
            }
            out.push_back(std::move(s));
        } else {
            simple_line(out);
        }
    }

    // Simple statements separated by ';' up to the end of the line.
    void simple_line(std::vector<SP>& out) {
        do {
            semi_ = false;
            simple(out);
        } while (semi_ && cur().k != T::Newline && cur().k != T::End && cur().k != T::Dedent);
        if (cur().k == T::Newline) ++i_;
    }
    bool semi_ = false;

    SP if_stmt() {
        size_t at = cur().at;
        ++i_; // if / elif
        auto s = std::make_unique<Stmt>(SK::If, at);
        s->value = namedexpr();
        block(s->body);
        if (kw("elif")) {
            s->orelse.push_back(if_stmt());
        } else if (kw("else")) {
            ++i_;
            block(s->orelse);
        }
        return s;
    }

    std::vector<Param> params(const char* close) {
        std::vector<Param> ps;
        bool kwonly = false;
        while (!op(close)) {
            Param p;
            p.at = cur().at;
            if (op("*")) {
                ++i_;
                if (op(",") || op(close)) {
                    kwonly = true;
                    if (op(",")) ++i_;
                    continue;
                }
                p.kind = 1;
                kwonly = true;
            } else if (op("**")) {
                ++i_;
                p.kind = 2;
            } else if (op("/")) {
                ++i_;
                if (op(",")) ++i_;
                continue;
            } else if (kwonly) {
                p.kind = 3;
            }
            p.name = name();
            if (op(":") && std::string(close) == ")") {
                ++i_;
                test();
            }
            if (op("=")) {
                ++i_;
                p.def = test();
            }
            ps.push_back(std::move(p));
            if (!op(",")) break;
            ++i_;
        }
        return ps;
    }

    void simple(std::vector<SP>& out) {
        size_t at = cur().at;
        if (kw("pass")) {
            ++i_;
            out.push_back(std::make_unique<Stmt>(SK::Pass, at));
        } else if (kw("break")) {
            ++i_;
            out.push_back(std::make_unique<Stmt>(SK::Break, at));
        } else if (kw("continue")) {
            ++i_;
            out.push_back(std::make_unique<Stmt>(SK::Continue, at));
        } else if (kw("return")) {
            ++i_;
            auto s = std::make_unique<Stmt>(SK::Return, at);
            if (cur().k != T::Newline && cur().k != T::End && !op(";") && cur().k != T::Dedent)
                s->value = testlist_star();
            out.push_back(std::move(s));
        } else if (kw("import") || kw("from")) {
            // The names an import binds, as "alias=dotted.name" (what they stand for).
            auto s = std::make_unique<Stmt>(SK::Import, at);
            auto dotted = [&] {
                std::string n;
                while (op(".")) {
                    n += ".";
                    ++i_;
                }
                if (op("...")) {
                    n += "...";
                    ++i_;
                }
                n += name();
                while (op(".")) {
                    ++i_;
                    n += "." + name();
                }
                return n;
            };
            if (kw("from")) {
                ++i_;
                std::string from = dotted();
                if (!kw("import")) fail_here("'import'");
                ++i_;
                bool paren = op("(");
                if (paren) ++i_;
                if (op("*")) {
                    ++i_;
                    s->base_kw.push_back("*=" + from);
                } else {
                    while (cur().k == T::Name) {
                        std::string n = name(), alias = n;
                        if (kw("as")) {
                            ++i_;
                            alias = name();
                        }
                        s->base_kw.push_back(alias + "=" + from + "." + n);
                        if (!op(",")) break;
                        ++i_;
                    }
                }
                if (paren) expect(")");
            } else {
                ++i_;
                while (true) {
                    std::string n = dotted();
                    if (kw("as")) {
                        ++i_;
                        s->base_kw.push_back(name() + "=" + n);
                    } else {
                        s->base_kw.push_back(n.substr(0, n.find('.')) + "=" +
                                             n.substr(0, n.find('.')));
                    }
                    if (!op(",")) break;
                    ++i_;
                }
            }
            out.push_back(std::move(s));
        } else if (kw("global") || kw("nonlocal")) {
            auto s = std::make_unique<Stmt>(SK::Global, at);
            s->s = t_[i_].s;
            while (cur().k != T::Newline && cur().k != T::End && !op(";"))
                ++i_;
            out.push_back(std::move(s));
        } else if (kw("assert")) {
            ++i_;
            auto s = std::make_unique<Stmt>(SK::Assert, at);
            s->value = test();
            if (op(",")) {
                ++i_;
                s->targets.push_back(test());
            }
            out.push_back(std::move(s));
        } else if (kw("raise") || kw("del") || kw("yield") || kw("print")) {
            auto s = std::make_unique<Stmt>(SK::Unsupported, at);
            s->s = t_[i_].s;
            if (kw("print") && !peek().is("(")) {
                // Python 2 print statement
                src_.fail(at, "Python 2's print statement: cnnshape reads Python 3");
            }
            if (kw("print")) {
                auto e = std::make_unique<Stmt>(SK::Expr, at);
                e->value = testlist_star();
                out.push_back(std::move(e));
                end_simple();
                return;
            }
            ++i_;
            while (cur().k != T::Newline && cur().k != T::End && !op(";"))
                ++i_;
            out.push_back(std::move(s));
        } else {
            EP first = testlist_star();
            if (op("=")) {
                auto s = std::make_unique<Stmt>(SK::Assign, at);
                s->targets.push_back(std::move(first));
                while (op("=")) {
                    ++i_;
                    s->targets.push_back(testlist_star());
                }
                s->value = std::move(s->targets.back());
                s->targets.pop_back();
                out.push_back(std::move(s));
            } else if (cur().k == T::Op && cur().s.size() >= 2 && cur().s.back() == '=' &&
                       cur().s != "==" && cur().s != "<=" && cur().s != ">=" && cur().s != "!=") {
                auto s = std::make_unique<Stmt>(SK::Aug, at);
                s->s = cur().s.substr(0, cur().s.size() - 1);
                ++i_;
                s->targets.push_back(std::move(first));
                s->value = testlist();
                out.push_back(std::move(s));
            } else if (op(":")) {
                ++i_;
                auto s = std::make_unique<Stmt>(SK::AnnAssign, at);
                test();
                s->targets.push_back(std::move(first));
                if (op("=")) {
                    ++i_;
                    s->value = testlist_star();
                }
                out.push_back(std::move(s));
            } else {
                auto s = std::make_unique<Stmt>(SK::Expr, at);
                s->value = std::move(first);
                out.push_back(std::move(s));
            }
        }
        end_simple();
    }

    // ----- expressions -----

    struct Depth {
        Depth(Parser& p) : p_(p) {
            if (++p_.edepth_ > 3 * kMaxNest)
                p_.src_.fail(p_.cur().at, "too deeply nested expression");
        }
        ~Depth() { --p_.edepth_; }
        Parser& p_;
    };

    EP target_list() {
        size_t at = cur().at;
        std::vector<EP> items;
        bool comma = false;
        while (true) {
            items.push_back(star_or(false));
            if (!op(",")) break;
            comma = true;
            ++i_;
            if (kw("in") || op("=")) break;
        }
        if (!comma) return std::move(items[0]);
        auto t = std::make_unique<Expr>(EK::Tuple, at);
        t->a = std::move(items);
        return t;
    }

    EP star_or(bool full) {
        if (op("*")) {
            size_t at = cur().at;
            ++i_;
            auto e = std::make_unique<Expr>(EK::Starred, at);
            e->a.push_back(full ? test() : expr());
            return e;
        }
        return full ? test() : expr();
    }

    bool ends_list() const {
        return cur().k == T::Newline || cur().k == T::End || cur().k == T::Dedent || op(")") ||
               op("]") || op("}") || op("=") || op(";") || op(":") ||
               (cur().k == T::Op && cur().s.size() >= 2 && cur().s.back() == '=' &&
                cur().s != "==" && cur().s != "<=" && cur().s != ">=" && cur().s != "!=");
    }

    EP testlist_star() {
        size_t at = cur().at;
        std::vector<EP> items;
        bool comma = false;
        while (true) {
            items.push_back(star_or(true));
            if (!op(",")) break;
            comma = true;
            ++i_;
            if (ends_list() || kw("in")) break;
        }
        if (!comma && items[0]->k != EK::Starred) return std::move(items[0]);
        auto t = std::make_unique<Expr>(EK::Tuple, at);
        t->a = std::move(items);
        return t;
    }

    EP testlist() { return testlist_star(); }

    EP namedexpr() {
        EP e = test();
        if (op(":=")) src_.fail(cur().at, "the walrus operator := is not supported");
        return e;
    }

    EP test() {
        Depth d(*this);
        if (kw("lambda")) {
            size_t at = cur().at;
            ++i_;
            auto e = std::make_unique<Expr>(EK::Lambda, at);
            e->params = params(":");
            expect(":");
            e->a.push_back(test());
            return e;
        }
        EP e = or_test();
        if (kw("if")) {
            size_t at = cur().at;
            ++i_;
            auto c = std::make_unique<Expr>(EK::IfExp, at);
            EP cond = or_test();
            if (!kw("else")) fail_here("'else'");
            ++i_;
            EP other = test();
            c->a.push_back(std::move(cond));
            c->a.push_back(std::move(e));
            c->a.push_back(std::move(other));
            return c;
        }
        return e;
    }

    EP or_test() {
        EP e = and_test();
        while (kw("or")) {
            auto o = std::make_unique<Expr>(EK::Or, cur().at);
            ++i_;
            o->a.push_back(std::move(e));
            o->a.push_back(and_test());
            e = std::move(o);
        }
        return e;
    }
    EP and_test() {
        EP e = not_test();
        while (kw("and")) {
            auto o = std::make_unique<Expr>(EK::And, cur().at);
            ++i_;
            o->a.push_back(std::move(e));
            o->a.push_back(not_test());
            e = std::move(o);
        }
        return e;
    }
    EP not_test() {
        if (kw("not")) {
            Depth d(*this);
            auto o = std::make_unique<Expr>(EK::Not, cur().at);
            ++i_;
            o->a.push_back(not_test());
            return o;
        }
        return comparison();
    }
    EP comparison() {
        EP e = expr();
        std::unique_ptr<Expr> c;
        while (true) {
            std::string o;
            if (op("<") || op(">") || op("==") || op(">=") || op("<=") || op("!=")) {
                o = cur().s;
                ++i_;
            } else if (kw("in")) {
                o = "in";
                ++i_;
            } else if (kw("not") && peek().kw("in")) {
                o = "not in";
                i_ += 2;
            } else if (kw("is")) {
                ++i_;
                o = "is";
                if (kw("not")) {
                    ++i_;
                    o = "is not";
                }
            } else {
                break;
            }
            if (!c) {
                c = std::make_unique<Expr>(EK::Cmp, e->at);
                c->a.push_back(std::move(e));
            }
            c->ops.push_back(o);
            c->a.push_back(expr());
        }
        return c ? std::move(c) : std::move(e);
    }

    EP binary(int level) {
        static const std::vector<std::vector<const char*>> levels = {
            {"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "//", "%", "@"}};
        if (level == int(levels.size())) return unary();
        EP e = binary(level + 1);
        while (true) {
            const char* hit = nullptr;
            for (const char* o : levels[level])
                if (op(o)) hit = o;
            if (!hit) break;
            auto b = std::make_unique<Expr>(EK::Bin, cur().at);
            b->s = hit;
            ++i_;
            b->a.push_back(std::move(e));
            b->a.push_back(binary(level + 1));
            e = std::move(b);
        }
        return e;
    }
    EP expr() { return binary(0); }

    EP unary() {
        if (op("-") || op("+") || op("~")) {
            Depth d(*this);
            auto u = std::make_unique<Expr>(EK::Unary, cur().at);
            u->s = cur().s;
            ++i_;
            u->a.push_back(unary());
            return u;
        }
        return power();
    }

    EP power() {
        EP e = postfix();
        if (op("**")) {
            Depth d(*this);
            auto b = std::make_unique<Expr>(EK::Bin, cur().at);
            b->s = "**";
            ++i_;
            b->a.push_back(std::move(e));
            b->a.push_back(unary());
            return b;
        }
        return e;
    }

    EP postfix() {
        EP e = atom();
        while (true) {
            if (op(".")) {
                ++i_;
                auto a = std::make_unique<Expr>(EK::Attr, cur().at);
                if (cur().k != T::Name) fail_here("an attribute name");
                a->s = t_[i_++].s;
                a->a.push_back(std::move(e));
                e = std::move(a);
            } else if (op("(")) {
                Depth d(*this);
                auto c = std::make_unique<Expr>(EK::Call, e->at);
                ++i_;
                c->a.push_back(std::move(e));
                while (!op(")")) {
                    if (op("*")) {
                        size_t at = cur().at;
                        ++i_;
                        auto s = std::make_unique<Expr>(EK::Starred, at);
                        s->a.push_back(test());
                        c->a.push_back(std::move(s));
                        c->kw.push_back("");
                    } else if (op("**")) {
                        size_t at = cur().at;
                        ++i_;
                        auto s = std::make_unique<Expr>(EK::DoubleStarred, at);
                        s->a.push_back(test());
                        c->a.push_back(std::move(s));
                        c->kw.push_back("**");
                    } else if (cur().k == T::Name && peek().is("=")) {
                        c->kw.push_back(t_[i_].s);
                        i_ += 2;
                        c->a.push_back(test());
                    } else {
                        EP v = test();
                        if (kw("for")) {
                            size_t at = v->at; // f(x for x in xs): a generator argument
                            v = comprehension(std::move(v), EK::ListComp, at);
                        }
                        c->a.push_back(std::move(v));
                        c->kw.push_back("");
                    }
                    if (!op(",")) break;
                    ++i_;
                }
                expect(")");
                e = std::move(c);
            } else if (op("[")) {
                Depth d(*this);
                auto s = std::make_unique<Expr>(EK::Sub, cur().at);
                ++i_;
                s->a.push_back(std::move(e));
                size_t at = cur().at;
                std::vector<EP> items;
                bool comma = false;
                while (!op("]")) {
                    items.push_back(subscript_item());
                    if (!op(",")) break;
                    comma = true;
                    ++i_;
                }
                expect("]");
                if (items.empty()) src_.fail(at, "invalid syntax: an empty subscript");
                if (!comma) {
                    s->a.push_back(std::move(items[0]));
                } else {
                    auto t = std::make_unique<Expr>(EK::Tuple, at);
                    t->a = std::move(items);
                    s->a.push_back(std::move(t));
                }
                e = std::move(s);
            } else {
                return e;
            }
        }
    }

    EP subscript_item() {
        size_t at = cur().at;
        EP lo, hi, st;
        if (!op(":")) {
            lo = test();
            if (!op(":")) return lo;
        }
        ++i_; // ':'
        if (!op(":") && !op("]") && !op(",")) hi = test();
        if (op(":")) {
            ++i_;
            if (!op("]") && !op(",")) st = test();
        }
        auto s = std::make_unique<Expr>(EK::Slice, at);
        s->a.push_back(std::move(lo));
        s->a.push_back(std::move(hi));
        s->a.push_back(std::move(st));
        return s;
    }

    EP comprehension(EP elt, EK kind, size_t at) {
        auto c = std::make_unique<Expr>(kind, at);
        c->a.push_back(std::move(elt));
        while (kw("for")) {
            ++i_;
            Comp comp;
            comp.target = target_list();
            if (!kw("in")) fail_here("'in'");
            ++i_;
            comp.iter = or_test();
            while (kw("if")) {
                ++i_;
                comp.conds.push_back(or_test());
            }
            c->comps.push_back(std::move(comp));
        }
        return c;
    }

    EP atom() {
        Depth d(*this);
        const Tok& t = cur();
        size_t at = t.at;
        switch (t.k) {
        case T::Name: {
            if (t.s == "True" || t.s == "False" || t.s == "None") {
                ++i_;
                return std::make_unique<Expr>(t.s == "True"    ? EK::True
                                              : t.s == "False" ? EK::False
                                                               : EK::None,
                                              at);
            }
            if (is_reserved(t.s)) fail_here("a value");
            auto e = std::make_unique<Expr>(EK::Name, at);
            e->s = t.s;
            ++i_;
            return e;
        }
        case T::Int: {
            auto e = std::make_unique<Expr>(EK::Int, at);
            e->i = t.i;
            ++i_;
            return e;
        }
        case T::Float: {
            auto e = std::make_unique<Expr>(EK::Float, at);
            e->f = t.f;
            ++i_;
            return e;
        }
        case T::Str: {
            // adjacent literals concatenate
            std::unique_ptr<Expr> e;
            while (cur().k == T::Str) {
                const Tok& s = cur();
                if (s.fstr) {
                    if (e) src_.fail(s.at, "an f-string joined to another string is not supported");
                    e = std::make_unique<Expr>(EK::FStr, at);
                    e->s = s.s;
                    e->i = std::int64_t(s.body);
                } else if (e && e->k == EK::FStr) {
                    src_.fail(s.at, "an f-string joined to another string is not supported");
                } else if (e) {
                    e->s += s.s;
                } else {
                    e = std::make_unique<Expr>(EK::Str, at);
                    e->s = s.s;
                }
                ++i_;
            }
            return e;
        }
        case T::Op:
            if (t.s == "...") {
                ++i_;
                return std::make_unique<Expr>(EK::Ellipsis, at);
            }
            if (t.s == "(") {
                ++i_;
                if (op(")")) {
                    ++i_;
                    return std::make_unique<Expr>(EK::Tuple, at);
                }
                EP first = star_or(true);
                if (kw("for")) {
                    EP c = comprehension(std::move(first), EK::ListComp, at);
                    expect(")");
                    return c; // a generator, evaluated as a list
                }
                if (op(")")) {
                    ++i_;
                    if (first->k == EK::Starred) fail_here("a value");
                    return first;
                }
                auto tup = std::make_unique<Expr>(EK::Tuple, at);
                tup->a.push_back(std::move(first));
                while (op(",")) {
                    ++i_;
                    if (op(")")) break;
                    tup->a.push_back(star_or(true));
                }
                expect(")");
                return tup;
            }
            if (t.s == "[") {
                ++i_;
                auto l = std::make_unique<Expr>(EK::List, at);
                if (op("]")) {
                    ++i_;
                    return l;
                }
                EP first = star_or(true);
                if (kw("for")) {
                    EP c = comprehension(std::move(first), EK::ListComp, at);
                    expect("]");
                    return c;
                }
                l->a.push_back(std::move(first));
                while (op(",")) {
                    ++i_;
                    if (op("]")) break;
                    l->a.push_back(star_or(true));
                }
                expect("]");
                return l;
            }
            if (t.s == "{") {
                ++i_;
                auto d = std::make_unique<Expr>(EK::Dict, at);
                if (op("}")) {
                    ++i_;
                    return d;
                }
                EP k = test();
                if (!op(":")) src_.fail(at, "set literals are not supported");
                ++i_;
                EP v = test();
                if (kw("for")) {
                    auto c = comprehension(std::move(k), EK::DictComp, at);
                    c->a.push_back(std::move(v));
                    expect("}");
                    return c;
                }
                d->a.push_back(std::move(k));
                d->a.push_back(std::move(v));
                while (op(",")) {
                    ++i_;
                    if (op("}")) break;
                    d->a.push_back(test());
                    expect(":");
                    d->a.push_back(test());
                }
                expect("}");
                return d;
            }
            break;
        default:
            break;
        }
        fail_here("a value");
    }

    const Source& src_;
    std::vector<Tok> t_;
    size_t i_ = 0;
    int depth_ = 0, edepth_ = 0;
};

} // namespace

std::vector<Tok> tokenize(const Source& src, size_t begin, size_t limit, bool logical) {
    return Lexer(src, begin, limit, logical).run();
}

Module parse_module(const Source& src) {
    Parser p(src, tokenize(src, 0, src.text().size(), true));
    return p.module();
}

EP parse_expression(const Source& src, size_t begin, size_t limit) {
    Parser p(src, tokenize(src, begin, limit, false));
    return p.expression_only();
}

} // namespace cnnshape::pymod
