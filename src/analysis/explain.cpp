// Explanations of a Plan, layer by layer. The numbers come from each LayerPlan's ExecDesc and
// shapes; every formula printed is also evaluated here and compared with the Plan's output size
// (check_equal), so the text cannot drift from the shape engine. Each op explains its layers in
// src/ops/<folder>/explain.cpp (explain_op); explain_layer visits the layer's ExecDesc.
#include "cnnshape/explain.hpp"
#include "cnnshape/checked.hpp"
#include "cnnshape/compact_json.hpp"
#include "cnnshape/report.hpp"
#include "cnnshape/rules.hpp"
#include "explain_support.hpp"
#include "words.hpp"
#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <stdexcept>
#include <type_traits>
#include <variant>

namespace cnnshape {
namespace explain_detail {

std::vector<std::string> axis_names(std::size_t nd) {
    if (nd == 1) return {"L"};
    if (nd == 2) return {"H", "W"};
    if (nd == 3) return {"D", "H", "W"};
    std::vector<std::string> r;
    for (std::size_t i = 0; i < nd; ++i)
        r.push_back("dim" + std::to_string(i));
    return r;
}

// "row", "row and column", "rows and columns"
std::string group_noun(const std::vector<std::string>& axes, bool plural) {
    std::vector<std::string> n;
    for (auto& a : axes)
        n.push_back(noun(a, plural));
    return join(n, " and ");
}

// "H_out = W_out = "
std::string lhs(const std::vector<std::string>& axes) {
    std::string s;
    for (auto& a : axes)
        s += a + "_out = ";
    return s;
}

std::string indices(std::int64_t a, std::int64_t b) {
    return a == b ? fmt::format("index {}", a) : fmt::format("indices {}-{}", a, b);
}

// A number inside a sum: negative values in parentheses.
std::string term(std::int64_t v) {
    return v < 0 ? fmt::format("({})", v) : std::to_string(v);
}

Shape trailing(const Shape& s, std::size_t n) {
    if (s.size() < n) return s;
    return Shape(s.end() - n, s.end());
}

void check_equal(std::int64_t formula, std::int64_t planned, const LayerPlan& l,
                 const std::string& what) {
    if (formula != planned)
        throw std::logic_error(fmt::format("explain: the {} formula of layer {} ({}) gives {} but "
                                           "the plan says {}",
                                           what, l.index, l.type, formula, planned));
}

// Notes on the input positions no window reads.
void coverage_notes(std::vector<std::string>& notes, const Window1d& w,
                    const std::vector<std::string>& axes, bool floor_rounding) {
    AxisCoverage c = window_coverage(w.in, w.out, w.k, w.s, w.pad_l, w.d);
    std::int64_t keff = effective_kernel(w.k, w.d);
    if (c.lead > 0)
        notes.push_back(fmt::format("no window reads the first {} {} ({}): {} {} steps over {}",
                                    c.lead, group_noun(axes, c.lead > 1), indices(0, c.lead - 1),
                                    w.d > 1 ? "dilation" : "stride", w.d > 1 ? w.d : w.s,
                                    c.lead > 1 ? "them" : "it"));
    if (c.trail > 0) {
        // The last window that starts inside the input (or the left padding), and the next one.
        std::int64_t jl = std::min(w.out - 1, div_rtn(checked_add(w.in - 1, w.pad_l), w.s));
        std::int64_t last_start = checked_sub(checked_mul(jl, w.s), w.pad_l);
        std::int64_t last_end = checked_add(last_start, keff - 1);
        std::int64_t next_start = checked_add(last_start, w.s);
        std::string head =
            fmt::format("the last {} {} ({})", c.trail, group_noun(axes, c.trail > 1),
                        indices(w.in - c.trail, w.in - 1));
        std::string them = c.trail > 1 ? "them" : "it";
        if (last_end >= w.in - 1)
            notes.push_back(
                fmt::format("no window reads {}: dilation {} steps over {}", head, w.d, them));
        else if (floor_rounding && next_start <= w.in - 1)
            notes.push_back(fmt::format(
                "the floor leaves {} unused: another window would start at index {} but would "
                "not fit in the input plus padding",
                head, next_start));
        else
            notes.push_back(fmt::format("no window reads {}: stride {} steps over {} (the window "
                                        "starting at index {} ends at index {})",
                                        head, w.s, them, last_start, last_end));
    }
    if (c.interior_known && c.interior > 0) {
        std::string why =
            w.s > keff ? fmt::format("stride {} is larger than the window ({} wide)", w.s, keff)
                       : fmt::format("dilation {} leaves gaps between taps", w.d);
        notes.push_back(fmt::format("{} {} between the first and last read ones {} never read: {}",
                                    c.interior, group_noun(axes, c.interior > 1),
                                    c.interior > 1 ? "are" : "is", why));
    }
}

void explain_generic(LayerExplanation& e, const LayerPlan& l) {
    e.notes.push_back(
        fmt::format("{}: {} -> {}", l.type, shape_x(l.input_shapes.at(0)), shape_x(l.output)));
}

} // namespace explain_detail

using namespace explain_detail;

namespace {

// "64*3*7*7 + 64" from state_dict shapes.
std::string product_terms(const std::vector<const TensorSpec*>& ts, std::int64_t& total) {
    std::vector<std::string> terms;
    total = 0;
    for (auto* t : ts) {
        std::vector<std::string> f;
        for (auto v : t->shape)
            f.push_back(std::to_string(v));
        terms.push_back(f.empty() ? "1" : join(f, "*"));
        total = checked_add(total, checked_product(t->shape));
    }
    return join(terms, " + ");
}

void explain_counts(LayerExplanation& e, const LayerPlan& l) {
    std::vector<const TensorSpec*> params, buffers;
    for (auto& t : l.tensors)
        if (t.shared_key.empty()) (t.is_buffer ? buffers : params).push_back(&t);
    auto names = [](const std::vector<const TensorSpec*>& ts) {
        std::vector<std::string> n;
        for (auto* t : ts)
            n.push_back(t->name);
        return join(n, ", ");
    };
    std::int64_t total = 0;
    if (!params.empty()) {
        std::string terms = product_terms(params, total);
        check_equal(total, l.params, l, "params");
        std::string suffix;
        bool has_bias = std::any_of(params.begin(), params.end(),
                                    [](const TensorSpec* t) { return t->name == "bias"; });
        if (l.type == "MultiheadAttention") // its tensors have their own names
            suffix = " (" + names(params) + ")";
        else if (l.args_json().contains("bias") && !has_bias)
            suffix = " (bias=False)";
        else if (params.size() > 1 && l.type.find("Norm") != std::string::npos)
            suffix = " (" + names(params) + ")";
        e.params = fmt::format("params = {} = {}{}", terms, with_commas(total), suffix);
    } else if (l.params != 0) {
        e.params = fmt::format("params = {}", with_commas(l.params));
    }
    if (!buffers.empty()) {
        std::string terms = product_terms(buffers, total);
        check_equal(total, l.buffers, l, "buffers");
        e.buffers =
            fmt::format("buffers = {} = {} ({})", terms, with_commas(total), names(buffers));
    }
    // Tensors another layer holds (a module's second call, F.conv2d(x, self.w)).
    std::vector<std::string> held;
    for (auto& t : l.tensors)
        if (!t.shared_key.empty()) held.push_back(t.shared_key);
    if (!held.empty() && params.empty() && buffers.empty())
        e.params = fmt::format("params = 0: its tensors are {}, counted where they are held",
                               join(held, ", "));
}

} // namespace

AxisCoverage window_coverage(std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t s,
                             std::int64_t pad_l, std::int64_t d, bool walk_interior) {
    AxisCoverage c;
    if (in <= 0) return c;
    if (out <= 0 || k <= 0 || s <= 0 || d <= 0) {
        c.lead = in;
        return c;
    }
    std::int64_t keff = effective_kernel(k, d);
    // First read position: skip the windows lying wholly in the left padding, then walk the few
    // that start in it, up to the first one starting inside the input.
    std::int64_t first = -1;
    std::int64_t j0 = std::max<std::int64_t>(0, div_rtn(pad_l - (keff - 1) + s - 1, s));
    for (std::int64_t j = j0, n = 0; j < out && n < kMaxWalk; ++j, ++n) {
        std::int64_t start = checked_sub(checked_mul(j, s), pad_l);
        if (start > in - 1) break;
        std::int64_t tap = start;
        if (start < 0) {
            std::int64_t t = (-start + d - 1) / d;
            if (t >= k) continue;
            tap = start + t * d;
        }
        if (tap < in && (first < 0 || tap < first)) first = tap;
        if (start >= 0) break;
    }
    // Last read position: skip the windows starting past the input, then walk back from the last
    // one that starts inside it until a window ends inside the input.
    std::int64_t last = -1;
    std::int64_t j1 = std::min(out - 1, div_rtn(checked_add(in - 1, pad_l), s));
    for (std::int64_t j = j1, n = 0; j >= 0 && n < kMaxWalk; --j, ++n) {
        std::int64_t start = checked_sub(checked_mul(j, s), pad_l);
        std::int64_t t = std::min(k - 1, (in - 1 - start) / d);
        std::int64_t tap = start + t * d;
        if (tap < 0) break;
        last = std::max(last, tap);
        if (start + keff - 1 <= in - 1) break;
    }
    if (first < 0 || last < 0) {
        c.lead = in;
        c.interior_known = false;
        return c;
    }
    c.lead = first;
    c.trail = in - 1 - last;
    // Interior gaps: walk the taps when that is cheap.
    if (!walk_interior || in > kMaxWalk || out > kMaxWalk / k) {
        c.interior_known = false;
        return c;
    }
    std::vector<char> read(in, 0);
    for (std::int64_t j = 0; j < out; ++j)
        for (std::int64_t t = 0; t < k; ++t) {
            std::int64_t x = j * s - pad_l + t * d;
            if (x >= 0 && x < in) read[x] = 1;
        }
    for (std::int64_t x = first; x <= last; ++x)
        c.interior += read[x] ? 0 : 1;
    return c;
}

std::vector<std::int64_t> unused_edges(const LayerPlan& l) {
    std::vector<std::int64_t> r;
    auto edges = [&](const Shape& in, const Shape& out, const IntList& k, const IntList& s,
                     const IntList& p, const IntList& d) {
        std::size_t nd = k.size();
        Shape i = trailing(in, nd), o = trailing(out, nd);
        for (std::size_t a = 0; a < nd; ++a) {
            AxisCoverage c = window_coverage(i[a], o[a], k[a], s[a], p[a], d[a], false);
            r.push_back(c.lead + c.trail);
        }
    };
    if (auto* pd = std::get_if<PoolDesc>(&l.exec))
        edges(l.input_shapes.at(0), l.output, pd->kernel, pd->stride, pd->padding, pd->dilation);
    else if (auto* cd = std::get_if<ConvDesc>(&l.exec); cd && !cd->transposed)
        edges(l.input_shapes.at(0), l.output, cd->kernel, cd->stride, cd->pad_l, cd->dilation);
    return r;
}

LayerExplanation explain_layer(const LayerPlan& l) {
    LayerExplanation e;
    e.index = l.index;
    e.name = l.name;
    e.type = l.type;
    e.brief = l.brief;
    e.inputs = l.input_shapes;
    e.output = l.output;
    std::visit(
        [&](const auto& d) {
            if constexpr (std::is_same_v<std::decay_t<decltype(d)>, std::monostate>)
                explain_generic(e, l);
            else
                explain_op(e, l, d); // declared in the op's op.hpp, defined in its explain.cpp
        },
        l.exec);
    explain_counts(e, l);
    return e;
}

Explanation explain_network(const Network& net, const Shape& input) {
    Explanation ex;
    ex.name = net.name;
    ex.input = input;
    Plan plan;
    try {
        plan = make_plan(net, input);
        ex.output = plan.output;
    } catch (const LayerError& e) {
        ex.error = e;
        // Explain what plans: the layers before the failing one (and before any earlier layer
        // that fails once the later construction error is out of the way).
        std::int64_t upto = e.index();
        while (upto > 0) {
            Network part = net;
            part.nodes.resize(upto);
            part.output = upto - 1;
            try {
                plan = make_plan(part, input);
                break;
            } catch (const LayerError& inner) {
                upto = inner.index();
            }
        }
        if (upto == 0) plan.layers.clear();
    }
    for (auto& l : plan.layers)
        ex.layers.push_back(explain_layer(l));
    return ex;
}

std::string explain_text(const Explanation& e) {
    std::string s =
        fmt::format("{}: input {}", e.name.empty() ? "network" : e.name, shape_x(e.input));
    if (e.output) s += " -> output " + shape_x(*e.output);
    s += "\n";
    for (auto& l : e.layers) {
        std::vector<std::string> ins;
        for (auto& x : l.inputs)
            ins.push_back(shape_x(x));
        s += fmt::format("\nlayer {}{}: {}, {} -> {}\n", l.index,
                         l.name == std::to_string(l.index) ? "" : " '" + l.name + "'", l.brief,
                         join(ins, " + "), shape_x(l.output));
        for (auto& a : l.axes) {
            s += "  " + a.formula + "\n";
            for (auto& n : a.notes)
                s += "    " + n + "\n";
        }
        for (auto& n : l.notes)
            s += "  " + n + "\n";
        if (!l.params.empty()) s += "  " + l.params + "\n";
        if (!l.buffers.empty()) s += "  " + l.buffers + "\n";
    }
    return s;
}

namespace {
bool scalar_array(const nlohmann::ordered_json& j) {
    if (!j.is_array()) return false;
    for (auto& x : j)
        if (x.is_object() || (x.is_array() && !scalar_array(x))) return false;
    return true;
}
void write_json(std::string& out, const nlohmann::ordered_json& j, int indent) {
    std::string pad(indent + 2, ' ');
    if (j.is_object() && !j.empty()) {
        out += "{\n";
        std::size_t n = 0;
        for (auto it = j.begin(); it != j.end(); ++it) {
            out += pad + compact_json(nlohmann::ordered_json(it.key())) + ": ";
            write_json(out, it.value(), indent + 2);
            out += ++n < j.size() ? ",\n" : "\n";
        }
        out += std::string(indent, ' ') + "}";
    } else if (j.is_array() && !j.empty() && !scalar_array(j)) {
        out += "[\n";
        for (std::size_t i = 0; i < j.size(); ++i) {
            out += pad;
            write_json(out, j[i], indent + 2);
            out += i + 1 < j.size() ? ",\n" : "\n";
        }
        out += std::string(indent, ' ') + "]";
    } else if (j.is_array()) {
        out += "[";
        for (std::size_t i = 0; i < j.size(); ++i) {
            out += i ? ", " : "";
            write_json(out, j[i], indent);
        }
        out += "]";
    } else {
        out += compact_json(j);
    }
}
} // namespace

std::string json_text(const nlohmann::ordered_json& j) {
    std::string out;
    write_json(out, j, 0);
    return out + "\n";
}

nlohmann::ordered_json explain_json(const Explanation& e) {
    using J = nlohmann::ordered_json;
    J j;
    j["name"] = e.name;
    j["input_shape"] = e.input;
    j["output_shape"] = e.output ? J(*e.output) : J(nullptr);
    J layers = J::array();
    for (auto& l : e.layers) {
        J x;
        x["index"] = l.index;
        x["name"] = l.name;
        x["type"] = l.type;
        x["summary"] = l.brief;
        x["input_shapes"] = l.inputs;
        x["output_shape"] = l.output;
        J axes = J::array();
        for (auto& a : l.axes)
            axes.push_back(J{{"axes", a.axes},
                             {"in", a.in},
                             {"out", a.out},
                             {"formula", a.formula},
                             {"notes", a.notes}});
        x["axes"] = axes;
        x["notes"] = l.notes;
        x["params"] = l.params.empty() ? J(nullptr) : J(l.params);
        x["buffers"] = l.buffers.empty() ? J(nullptr) : J(l.buffers);
        layers.push_back(x);
    }
    j["layers"] = layers;
    if (e.error)
        j["error"] = J{{"message", e.error->what()},
                       {"layer", e.error->index()},
                       {"name", e.error->name()},
                       {"type", e.error->type()}};
    else
        j["error"] = nullptr;
    return j;
}

} // namespace cnnshape
