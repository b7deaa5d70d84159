// Pasted Python source (python_source.hpp).
#include "python_source.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <utility>

namespace cnnshape::pyparse {

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

bool is_string_prefix(const std::string& s, size_t b, size_t e) {
    if (e - b == 0 || e - b > 2) return false;
    std::string p;
    for (size_t i = b; i < e; ++i)
        p += char(std::tolower(static_cast<unsigned char>(s[i])));
    return p == "r" || p == "u" || p == "b" || p == "f" || p == "br" || p == "rb" || p == "fr" ||
           p == "rf";
}

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

Value Names::parse_at(size_t at, size_t stmt, bool lenient) {
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

std::optional<Value> Names::resolve(const Token& t, const std::string& kw) {
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

size_t Names::first_after(const std::string& name, size_t at) const {
    for (const BindSite& s : sites_)
        if (s.name == name && s.indent == 0 && s.at > at) return s.at;
    return at;
}

std::string Names::not_found_reason(const std::string& name, size_t at) const {
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

void Names::sweep_to(size_t stmt) {
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

void Names::bind(size_t si) {
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
                    std::isupper(static_cast<unsigned char>(
                        v.as_call().base_name().substr(v.as_call().base_name().rfind('.') + 1)[0]));
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
                    b.value = augmented(a, s.op, v);
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

std::optional<Value> Names::augmented(const Value& a, const std::string& op, const Value& v) {
    // Reuse the parser's arithmetic: evaluate "a op v" as text of their reprs.
    std::string expr = "(" + a.repr() + ") " + op + " (" + v.repr() + ")";
    try {
        Source tmp(expr);
        Parser p(tmp, 0, expr.size());
        Value r = p.parse_expr();
        p.expect_end("the value");
        return r;
    } catch (const SpecError&) {
        return std::nullopt;
    }
}

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

std::optional<Shape> first_example(const PyStructure& py, Names& names,
                                   const std::function<bool(size_t)>& skip, size_t& at) {
    for (const PyCall& c : py.calls) {
        if (!is_example_maker(c.name) || skip(c.at)) continue;
        at = c.at;
        return example_sizes(names.parse_at(c.at, c.stmt, true));
    }
    return std::nullopt;
}

bool is_other_dtype(const Value& v) {
    if (!v.is_string() || !v.bare_word) return false;
    const std::string& s = v.as_string();
    return s.rfind("torch.", 0) == 0 && s != "torch.float32" && s != "torch.float" &&
           s != "torch.device";
}

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

bool changes_layers(const std::string& method) {
    static const std::set<std::string> m = {
        "add_module", "register_module", "append", "extend", "insert", "pop", "apply"};
    return m.count(method) > 0;
}

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
        if (std::string d = dtype_change(m); !d.empty())
            src.fail(name.start, "'." + shorten(m.name) + "(...)' makes the network " + d +
                                     "; cnnshape plans float32 networks only");
        if (!harmless.count(m.name))
            src.fail(name.start, "'." + shorten(m.name) +
                                     "(...)' after the nn.Sequential(...) call may change the "
                                     "network, which cnnshape does not follow; write the network "
                                     "it gives as one nn.Sequential(...)");
    }
}

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

} // namespace cnnshape::pyparse
