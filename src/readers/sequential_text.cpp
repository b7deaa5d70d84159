// Pasted PyTorch text to one network: every nn.Sequential in Python source (python_source.hpp) or
// print(model) output (print_text.hpp) is a candidate, and the one the user names (or the only
// one) is read, with its example input. Expressions are read by the parser in py_parser.hpp.
#include "cnnshape/pyexpr.hpp"
#include "print_text.hpp"
#include "py_parser.hpp"
#include "python_source.hpp"

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

using namespace pyparse;

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
