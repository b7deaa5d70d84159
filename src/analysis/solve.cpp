// Solving for layer arguments. The search walks every parameter tuple within the bounds, one
// spatial axis at a time, keeping those the rules.hpp function the layer itself calls maps to the
// target (a cheap prefilter); each surviving layer is then written as a PyTorch expression, read
// back with network_from_exprs and planned with make_plan, and only the engine's verdict counts.
#include "cnnshape/solve.hpp"
#include "cnnshape/checked.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/explain.hpp"
#include "cnnshape/layer.hpp"
#include "cnnshape/per_axis.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/report.hpp"
#include "cnnshape/rules.hpp"
#include "words.hpp"
#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <regex>
#include <stdexcept>
#include <tuple>

namespace cnnshape {
namespace {

enum class Family { MaxPool, AvgPool, Conv, ConvTranspose };

struct LayerKind {
    Family family;
    std::size_t nd;
    std::string name; // MaxPool2d
};

constexpr std::int64_t kMaxCombinations = 200000;

std::string strip_nn(std::string name) {
    for (const char* p : {"torch.nn.", "nn."})
        if (name.rfind(p, 0) == 0) name = name.substr(std::string(p).size());
    auto paren = name.find('(');
    if (paren != std::string::npos) name = name.substr(0, paren);
    return name;
}

LayerKind parse_kind(const std::string& text) {
    static const std::regex re("^(MaxPool|AvgPool|ConvTranspose|Conv)([123])d$");
    std::string name = strip_nn(text);
    std::smatch m;
    if (!std::regex_match(name, m, re)) {
        const char* takes = "solve --layer takes a layer type: MaxPool1d/2d/3d, AvgPool1d/2d/3d, "
                            "Conv1d/2d/3d or ConvTranspose1d/2d/3d";
        if (find_layer_type(name)) throw UsageError(fmt::format("{} (got '{}')", takes, text));
        // Not a layer cnnshape has: say whether PyTorch has it, or which solvable type is meant.
        std::vector<std::string> solvable;
        for (const char* f : {"MaxPool", "AvgPool", "Conv", "ConvTranspose"})
            for (int nd = 1; nd <= 3; ++nd)
                solvable.push_back(fmt::format("{}{}d", f, nd));
        throw UsageError(
            fmt::format("solve --layer: {}; {}", unknown_layer_message(name, solvable, ""), takes));
    }
    Family f = m[1] == "MaxPool"         ? Family::MaxPool
               : m[1] == "AvgPool"       ? Family::AvgPool
               : m[1] == "ConvTranspose" ? Family::ConvTranspose
                                         : Family::Conv;
    return {f, std::size_t(std::stoi(m[2])), name};
}

// 2 for "MaxPool2d", 0 for a type without a dimension suffix.
std::size_t nd_of_type(const std::string& type) {
    if (type.size() >= 2 && type.back() == 'd' && type[type.size() - 2] >= '1' &&
        type[type.size() - 2] <= '3')
        return std::size_t(type[type.size() - 2] - '0');
    return 0;
}

std::vector<std::string> axis_names(std::size_t nd) {
    if (nd == 1) return {"L"};
    if (nd == 2) return {"H", "W"};
    return {"D", "H", "W"};
}

using words::join;
using words::noun;

Shape expand(const Shape& v, std::size_t nd, const char* what) {
    if (v.size() == 1 || v.size() == nd) return per_axis(v, nd);
    throw UsageError(fmt::format("{} has {} sizes but the layer has {} spatial axes: give one "
                                 "size for every axis or one per axis",
                                 what, v.size(), nd));
}

Shape trailing(const Shape& s, std::size_t n) {
    return s.size() < n ? s : Shape(s.end() - n, s.end());
}

// "leaves 1 edge row and column unread", "leaves 2 edge rows and 1 edge column unread"
std::string unused_phrase(const std::vector<std::int64_t>& ue) {
    std::int64_t total = 0;
    for (auto v : ue)
        total += v;
    if (total == 0) return "";
    auto names = axis_names(ue.size());
    bool same = std::all_of(ue.begin(), ue.end(), [&](std::int64_t v) { return v == ue[0]; });
    if (same) {
        std::vector<std::string> n;
        for (auto& a : names)
            n.push_back(noun(a, ue[0] > 1));
        return fmt::format("leaves {} edge {} unread", ue[0], join(n, " and "));
    }
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < ue.size(); ++i)
        if (ue[i] > 0) parts.push_back(fmt::format("{} edge {}", ue[i], noun(names[i], ue[i] > 1)));
    return "leaves " + join(parts, " and ") + " unread";
}

// 3 when every axis agrees, else (3, 4).
nlohmann::ordered_json json_int_or_list(const std::vector<std::int64_t>& v) {
    if (std::all_of(v.begin(), v.end(), [&](std::int64_t x) { return x == v[0]; })) return v[0];
    return v;
}

template <class F>
std::vector<std::int64_t> field(const std::vector<AxisParams>& ax, F f) {
    std::vector<std::int64_t> r;
    for (auto& a : ax)
        r.push_back(f(a));
    return r;
}

bool any_axis(const std::vector<AxisParams>& ax, bool (*f)(const AxisParams&)) {
    return std::any_of(ax.begin(), ax.end(), f);
}

// The layer as a call: the expression printed and the layer planned are built from this one value.
Call layer_call(const LayerKind& lk, const std::vector<AxisParams>& ax, bool ceil,
                std::int64_t in_ch, std::int64_t out_ch) {
    auto k = field(ax, [](const AxisParams& a) { return a.kernel; });
    auto s = field(ax, [](const AxisParams& a) { return a.stride; });
    auto p = field(ax, [](const AxisParams& a) { return a.padding; });
    auto d = field(ax, [](const AxisParams& a) { return a.dilation; });
    auto op = field(ax, [](const AxisParams& a) { return a.output_padding; });
    auto value = [](const std::vector<std::int64_t>& v) {
        if (std::all_of(v.begin(), v.end(), [&](std::int64_t x) { return x == v[0]; }))
            return Value::integer(v[0]);
        Value::List l;
        for (auto x : v)
            l.push_back(Value::integer(x));
        return Value::tuple(l);
    };
    auto all = [](const std::vector<std::int64_t>& v, std::int64_t x) {
        return std::all_of(v.begin(), v.end(), [&](std::int64_t y) { return y == x; });
    };
    Call c;
    c.name = "nn." + lk.name;
    bool pool = lk.family == Family::MaxPool || lk.family == Family::AvgPool;
    if (!pool) c.args = {Value::integer(in_ch), Value::integer(out_ch)};
    c.kwargs.push_back({"kernel_size", value(k)});
    if (pool || !all(s, 1)) c.kwargs.push_back({"stride", value(s)});
    if (!all(p, 0)) c.kwargs.push_back({"padding", value(p)});
    if (lk.family == Family::ConvTranspose && !all(op, 0))
        c.kwargs.push_back({"output_padding", value(op)});
    if (!all(d, 1)) c.kwargs.push_back({"dilation", value(d)});
    if (ceil) c.kwargs.push_back({"ceil_mode", Value::boolean(true)});
    return c;
}

std::string call_text(const Call& c) {
    std::vector<std::string> parts;
    for (auto& a : c.args)
        parts.push_back(a.repr());
    for (auto& [k, v] : c.kwargs)
        parts.push_back(k + "=" + v.repr());
    return c.name + "(" + join(parts, ", ") + ")";
}

struct AxisCandidate {
    AxisParams p;
    bool ceil = false;
};

// Every tuple within the bounds that the layer's own rules.hpp function maps in -> out.
std::vector<AxisCandidate> axis_candidates(const LayerKind& lk, std::int64_t in, std::int64_t out,
                                           const SolveBounds& b, std::int64_t& count) {
    std::vector<AxisCandidate> r;
    bool pool = lk.family == Family::MaxPool || lk.family == Family::AvgPool;
    std::int64_t max_d = lk.family == Family::AvgPool ? 1 : b.max_dilation;
    for (std::int64_t k = 1; k <= b.max_kernel; ++k)
        for (std::int64_t d = 1; d <= max_d; ++d)
            for (std::int64_t s = 1; s <= b.max_stride; ++s) {
                if (pool) {
                    for (int c = 0; c < (b.allow_ceil ? 2 : 1); ++c)
                        for (std::int64_t p = 0; p <= b.max_padding; ++p) {
                            try {
                                if (pooling_output_shape(in, k, p, s, d, c == 1) == out)
                                    r.push_back({{k, s, p, d, 0}, c == 1});
                            } catch (const ShapeError&) {
                                // The only rule left to break is the padding limit, and a larger
                                // padding breaks it too.
                                count += b.max_padding - p + 1;
                                break;
                            }
                            ++count;
                        }
                    continue;
                }
                for (std::int64_t p = 0; p <= b.max_padding; ++p) {
                    if (lk.family == Family::Conv) {
                        ++count;
                        if (conv_output_size(in, k, 2 * p, s, d) == out)
                            r.push_back({{k, s, p, d, 0}, false});
                    } else {
                        // output_padding adds one to the size per unit: only one value can fit.
                        std::int64_t ops = std::max(s, d);
                        count += ops;
                        std::int64_t op = out - conv_transpose_output_size(in, k, p, 0, s, d);
                        if (op >= 0 && op < ops &&
                            conv_transpose_output_size(in, k, p, op, s, d) == out)
                            r.push_back({{k, s, p, d, op}, false});
                    }
                }
            }
    return r;
}

// Sort keys, smallest first.
// Pooling (the tutorials' notion of simple): kernel == stride, no padding, no dilation, fewest
// non-default arguments, no ceil mode, the same on every axis, fewer unread edge pixels, smaller
// numbers.
// Convolutions (the usual designs first: k=3,s=2,p=1 before k=17): padding at most half the
// window, no dilation, the stride that does the resizing (in/out rounded; out/in when
// transposed), every edge read, the same on every axis, then smaller kernels and paddings.
std::array<std::int64_t, 13> simplicity(const LayerKind& lk, const Solution& s, const Shape& in,
                                        const Shape& out) {
    const auto& ax = s.axes;
    std::int64_t k_ne_s = any_axis(ax, [](const AxisParams& a) { return a.kernel != a.stride; });
    std::int64_t pad = any_axis(ax, [](const AxisParams& a) { return a.padding != 0; });
    std::int64_t dil = any_axis(ax, [](const AxisParams& a) { return a.dilation != 1; });
    std::int64_t op = any_axis(ax, [](const AxisParams& a) { return a.output_padding != 0; });
    std::int64_t asym =
        std::any_of(ax.begin(), ax.end(), [&](const AxisParams& a) { return !(a == ax[0]); });
    std::int64_t unused = 0, ks = 0, ss = 0, ps = 0, ds = 0, ops = 0;
    for (auto v : s.unused_edge)
        unused += v;
    for (auto& a : ax)
        ks += a.kernel, ss += a.stride, ps += a.padding, ds += a.dilation, ops += a.output_padding;
    std::int64_t ceil = s.ceil_mode, used = unused > 0;
    if (lk.family == Family::MaxPool || lk.family == Family::AvgPool)
        return {k_ne_s, pad, dil, k_ne_s + pad + dil + ceil, ceil, asym, unused, ks, ss, ps,
                ds,     0,   0};
    std::int64_t wide_pad = 0, off_ratio = 0;
    for (std::size_t i = 0; i < ax.size(); ++i) {
        const AxisParams& a = ax[i];
        std::int64_t keff = a.dilation * (a.kernel - 1) + 1;
        wide_pad |= a.padding > keff / 2;
        bool up = lk.family == Family::ConvTranspose;
        std::int64_t big = up ? out[i] : in[i], small = up ? in[i] : out[i];
        std::int64_t ratio = std::max<std::int64_t>(1, (big + small / 2) / small);
        off_ratio |= a.stride != ratio;
    }
    std::int64_t nondefault =
        any_axis(ax, [](const AxisParams& a) { return a.stride != 1; }) + pad + dil + op;
    return {wide_pad, dil, off_ratio, used, asym, nondefault, op, ks, ps, ss, ds, ops, 0};
}

Shape planned_input(std::int64_t channels, const Shape& spatial) {
    Shape s{1, channels};
    s.insert(s.end(), spatial.begin(), spatial.end());
    return s;
}

std::string ranges_text(const std::vector<std::int64_t>& v, std::size_t max_runs = 24) {
    std::vector<std::string> runs;
    std::size_t total = 0;
    for (std::size_t i = 0; i < v.size();) {
        std::size_t j = i;
        while (j + 1 < v.size() && v[j + 1] == v[j] + 1)
            ++j;
        ++total;
        if (runs.size() < max_runs)
            runs.push_back(i == j ? std::to_string(v[i]) : fmt::format("{}-{}", v[i], v[j]));
        i = j + 1;
    }
    std::string s = join(runs, ", ");
    if (total > runs.size()) s += ", ...";
    return s;
}

} // namespace

SolveResult solve_layer(const SolveQuery& q) {
    LayerKind lk = parse_kind(q.layer);
    SolveResult r;
    r.layer = lk.name;
    r.input = expand(q.input, lk.nd, "--input");
    r.output = expand(q.output, lk.nd, "--output");
    for (std::size_t i = 0; i < lk.nd; ++i)
        if (r.input[i] < 1 || r.output[i] < 1) throw UsageError("sizes must be at least 1");
    if (q.in_channels < 1 || q.out_channels < 1)
        throw UsageError("channel counts must be at least 1");
    bool pool = lk.family == Family::MaxPool || lk.family == Family::AvgPool;
    r.has_dilation = lk.family != Family::AvgPool;
    r.has_ceil = pool;
    r.has_output_padding = lk.family == Family::ConvTranspose;
    r.input_shape = planned_input(q.in_channels, r.input);
    r.same_on_every_axis = std::all_of(r.input.begin(), r.input.end(),
                                       [&](std::int64_t v) { return v == r.input[0]; }) &&
                           std::all_of(r.output.begin(), r.output.end(),
                                       [&](std::int64_t v) { return v == r.output[0]; });

    // Default bounds: kernel and stride up to the larger size (at most 64), padding up to half
    // the kernel bound, dilation up to 2.
    std::int64_t m = 1;
    for (std::size_t i = 0; i < lk.nd; ++i)
        m = std::max({m, r.input[i], r.output[i]});
    SolveBounds b = q.bounds;
    for (auto [v, name] : {std::pair{b.max_kernel, "--max-kernel"},
                           {b.max_stride, "--max-stride"},
                           {b.max_dilation, "--max-dilation"}})
        if (v == 0) throw UsageError(fmt::format("{} must be at least 1", name));
    if (b.max_kernel < 0) b.max_kernel = std::min<std::int64_t>(m, 64);
    if (b.max_stride < 0) b.max_stride = std::min<std::int64_t>(m, 64);
    if (b.max_padding < 0) b.max_padding = b.max_kernel / 2;
    if (b.max_dilation < 0 || !r.has_dilation) b.max_dilation = r.has_dilation ? 2 : 1;
    if (!pool) b.allow_ceil = false;
    for (auto v : {b.max_kernel, b.max_stride, b.max_padding, b.max_dilation})
        if (v > 4096) throw UsageError("bounds above 4096 would take too long; narrow them");
    std::int64_t work = checked_mul(checked_mul(b.max_kernel, b.max_stride),
                                    checked_mul(b.max_padding + 1, b.max_dilation));
    if (work > 20000000)
        throw UsageError(fmt::format("{} parameter tuples per axis would take too long: narrow "
                                     "the bounds (--max-kernel, --max-stride, --max-padding, "
                                     "--max-dilation)",
                                     with_commas(work)));
    r.bounds = b;

    // Candidates per distinct axis (the prefilter), then whole layers planned by the engine.
    std::vector<std::vector<AxisCandidate>> per_axis(lk.nd);
    for (std::size_t i = 0; i < lk.nd; ++i) {
        bool seen = false;
        for (std::size_t j = 0; j < i && !seen; ++j)
            if (r.input[j] == r.input[i] && r.output[j] == r.output[i])
                per_axis[i] = per_axis[j], seen = true;
        if (!seen) per_axis[i] = axis_candidates(lk, r.input[i], r.output[i], b, r.candidates);
    }
    std::vector<std::pair<std::vector<AxisParams>, bool>> layers;
    if (r.same_on_every_axis) {
        for (auto& c : per_axis[0])
            layers.push_back({std::vector<AxisParams>(lk.nd, c.p), c.ceil});
    } else {
        for (int ceil = 0; ceil < 2; ++ceil) {
            std::vector<std::vector<AxisParams>> opts(lk.nd);
            std::int64_t combos = 1;
            for (std::size_t i = 0; i < lk.nd; ++i) {
                for (auto& c : per_axis[i])
                    if (c.ceil == (ceil == 1)) opts[i].push_back(c.p);
                combos = checked_mul(combos, std::int64_t(opts[i].size()));
            }
            if (combos == 0) continue;
            if (combos + std::int64_t(layers.size()) > kMaxCombinations)
                throw UsageError(fmt::format(
                    "{} per-axis combinations to check (more than {}): narrow the search with "
                    "--max-kernel, --max-stride, --max-padding or --max-dilation",
                    combos, kMaxCombinations));
            std::vector<std::size_t> idx(lk.nd, 0);
            while (true) {
                std::vector<AxisParams> ax;
                for (std::size_t i = 0; i < lk.nd; ++i)
                    ax.push_back(opts[i][idx[i]]);
                layers.push_back({ax, ceil == 1});
                std::size_t i = lk.nd;
                while (i > 0 && ++idx[i - 1] == opts[i - 1].size())
                    idx[--i] = 0;
                if (i == 0) break;
            }
        }
    }
    for (auto& [ax, ceil] : layers) {
        Solution s;
        s.axes = ax;
        s.ceil_mode = ceil;
        Call call = layer_call(lk, ax, ceil, q.in_channels, q.out_channels);
        s.expression = call_text(call);
        ++r.planned;
        Plan plan;
        try {
            // What network_from_exprs({s.expression}) builds, without reading the text back.
            Network net;
            net.nodes.push_back(Node{"0", "solve", make_layer(call, "solve"), {-1}, true, {}, {}});
            net.output = 0;
            plan = make_plan(net, r.input_shape);
        } catch (const LayerError&) {
            continue; // the engine refuses it: not a solution
        } catch (const SpecError& e) {
            throw std::logic_error("solve built a layer it cannot bind: " + s.expression + ": " +
                                   e.what());
        }
        if (trailing(plan.output, lk.nd) != r.output) continue;
        s.unused_edge = unused_edges(plan.layers.at(0));
        if (s.unused_edge.empty()) s.unused_edge.assign(lk.nd, 0);
        r.solutions.push_back(std::move(s));
    }
    using Key = std::array<std::int64_t, 13>;
    std::vector<std::pair<Key, std::size_t>> order;
    for (std::size_t i = 0; i < r.solutions.size(); ++i)
        order.push_back({simplicity(lk, r.solutions[i], r.input, r.output), i});
    std::sort(order.begin(), order.end());
    std::vector<Solution> sorted;
    for (auto& o : order)
        sorted.push_back(std::move(r.solutions[o.second]));
    r.solutions = std::move(sorted);
    return r;
}

std::string solve_text(const SolveResult& r, std::size_t limit) {
    std::string s = fmt::format(
        "{}: {} -> {}{}\n", r.layer, shape_x(r.input), shape_x(r.output),
        r.same_on_every_axis && r.input.size() > 1 ? " (the same arguments on every axis)" : "");
    std::vector<std::string> bounds{fmt::format("kernel_size <= {}", r.bounds.max_kernel),
                                    fmt::format("stride <= {}", r.bounds.max_stride),
                                    fmt::format("padding <= {}", r.bounds.max_padding)};
    if (r.has_dilation) bounds.push_back(fmt::format("dilation <= {}", r.bounds.max_dilation));
    if (r.has_ceil)
        bounds.push_back(r.bounds.allow_ceil ? "ceil_mode False or True" : "ceil_mode False");
    if (r.has_output_padding) bounds.push_back("output_padding < stride or dilation");
    s += "searched: " + join(bounds, ", ") + "\n";
    std::size_t n = limit ? std::min(limit, r.solutions.size()) : r.solutions.size();
    std::size_t width = 0;
    for (std::size_t i = 0; i < n; ++i)
        width = std::max(width, r.solutions[i].expression.size());
    for (std::size_t i = 0; i < n; ++i) {
        const Solution& x = r.solutions[i];
        std::string u = unused_phrase(x.unused_edge);
        if (u.empty())
            s += "  " + x.expression + "\n";
        else
            s += fmt::format("  {:<{}}  # {}\n", x.expression, width, u);
    }
    if (n < r.solutions.size())
        s += fmt::format("  ... and {} more (--limit 0 shows all)\n", r.solutions.size() - n);
    if (r.solutions.empty())
        s += fmt::format("no solution within these bounds ({} candidates checked); raise "
                         "--max-kernel, --max-stride, --max-padding or --max-dilation to search "
                         "further\n",
                         with_commas(r.candidates));
    else
        s += fmt::format("{} solution{}, simplest first; each planned by the shape engine ({} "
                         "candidates checked)\n",
                         with_commas(r.solutions.size()), r.solutions.size() == 1 ? "" : "s",
                         with_commas(r.candidates));
    return s;
}

nlohmann::ordered_json solve_json(const SolveResult& r, std::size_t limit) {
    using J = nlohmann::ordered_json;
    J j;
    j["layer"] = r.layer;
    j["input"] = r.input;
    j["output"] = r.output;
    j["input_shape"] = r.input_shape;
    j["same_on_every_axis"] = r.same_on_every_axis;
    J b{{"max_kernel", r.bounds.max_kernel},
        {"max_stride", r.bounds.max_stride},
        {"max_padding", r.bounds.max_padding}};
    if (r.has_dilation) b["max_dilation"] = r.bounds.max_dilation;
    if (r.has_ceil) b["ceil_mode"] = r.bounds.allow_ceil ? J{false, true} : J{false};
    j["bounds"] = b;
    j["candidates"] = r.candidates;
    j["planned"] = r.planned;
    j["count"] = r.solutions.size();
    J sols = J::array();
    std::size_t n = limit ? std::min(limit, r.solutions.size()) : r.solutions.size();
    for (std::size_t i = 0; i < n; ++i) {
        const Solution& x = r.solutions[i];
        J s;
        s["expression"] = x.expression;
        s["kernel_size"] =
            json_int_or_list(field(x.axes, [](const AxisParams& a) { return a.kernel; }));
        s["stride"] = json_int_or_list(field(x.axes, [](const AxisParams& a) { return a.stride; }));
        s["padding"] =
            json_int_or_list(field(x.axes, [](const AxisParams& a) { return a.padding; }));
        if (r.has_output_padding)
            s["output_padding"] = json_int_or_list(
                field(x.axes, [](const AxisParams& a) { return a.output_padding; }));
        if (r.has_dilation)
            s["dilation"] =
                json_int_or_list(field(x.axes, [](const AxisParams& a) { return a.dilation; }));
        if (r.has_ceil) s["ceil_mode"] = x.ceil_mode;
        s["unused_edge"] = json_int_or_list(x.unused_edge);
        sols.push_back(s);
    }
    j["solutions"] = sols;
    return j;
}

std::vector<std::string> split_chain(const std::string& text) {
    auto trim = [](std::string s) {
        auto b = s.find_first_not_of(" \t\n");
        auto e = s.find_last_not_of(" \t\n");
        return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    // Split on "->" outside brackets and quotes.
    std::vector<std::string> parts;
    int depth = 0;
    char quote = 0;
    std::string cur;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '(' || c == '[') {
            ++depth;
        } else if (c == ')' || c == ']') {
            --depth;
        } else if (depth == 0 && c == '-' && i + 1 < text.size() && text[i + 1] == '>') {
            parts.push_back(trim(cur));
            cur.clear();
            ++i;
            continue;
        }
        cur += c;
    }
    parts.push_back(trim(cur));
    static const std::regex repeat(R"(^(.*\))\s*[x*]\s*([0-9]+)$)");
    std::vector<std::string> out;
    for (auto& p : parts) {
        if (p.empty()) throw UsageError(fmt::format("empty layer in the chain '{}'", text));
        std::smatch m;
        if (std::regex_match(p, m, repeat)) {
            std::string n = m[2];
            if (n.size() > 4 || std::stoi(n) < 1 || std::stoi(n) > 1000)
                throw UsageError(fmt::format("repeat count {} in '{}' must be 1 to 1000", n, p));
            for (int i = 0; i < std::stoi(n); ++i)
                out.push_back(trim(m[1]));
        } else {
            out.push_back(p);
        }
    }
    return out;
}

CheckReport check_expressions(const std::vector<std::string>& exprs, const Shape& input,
                              const Shape& output, std::int64_t in_channels) {
    CheckReport rep;
    rep.input = input;
    rep.output = output;
    for (auto& text : exprs) {
        CheckResult c;
        c.text = text;
        Network net;
        try {
            c.layers = split_chain(text);
            net = network_from_exprs(c.layers);
        } catch (const UsageError& e) {
            c.error = e.what();
            c.spec_error = true;
        } catch (const SpecError& e) {
            // network_from_exprs names the part "--layer N"; here it is part N of the chain.
            std::string where = e.where();
            if (where.rfind("--layer ", 0) == 0)
                where = c.layers.size() > 1 ? "part " + where.substr(8)
                                            : where.substr(where.find(',') == std::string::npos
                                                               ? where.size()
                                                               : where.find(',') + 2);
            c.error = where.empty() ? e.what() : where + ": " + e.what();
            c.spec_error = true;
        }
        if (c.spec_error) {
            rep.checks.push_back(c);
            continue;
        }
        std::size_t nd = 0;
        std::int64_t channels = in_channels;
        for (auto& n : net.nodes) {
            if (n.layer->multi_input()) continue;
            nd = nd_of_type(n.layer->type());
            if (const Value* v = n.layer->args().find("in_channels"); v && v->is_int())
                channels = v->as_int();
            if (nd) break;
        }
        if (nd == 0) nd = input.size() > 1 ? input.size() : 2;
        c.nd = nd;
        Shape in, out;
        try {
            in = expand(input, nd, "--input");
            out = expand(output, nd, "--output");
        } catch (const UsageError& e) {
            c.error = e.what();
            c.spec_error = true;
            rep.checks.push_back(c);
            continue;
        }
        Shape x = planned_input(channels, in);
        Explanation ex = explain_network(net, x);
        c.shapes.push_back(x);
        for (auto& l : ex.layers)
            c.shapes.push_back(l.output);
        if (ex.error) {
            c.error = ex.error->what();
        } else {
            c.matches = c.shapes.back().size() >= nd + 1 && trailing(c.shapes.back(), nd) == out;
            Plan plan = make_plan(net, x);
            c.unused_edge.assign(nd, 0);
            for (auto& l : plan.layers) {
                auto ue = unused_edges(l);
                if (ue.size() == nd)
                    for (std::size_t i = 0; i < nd; ++i)
                        c.unused_edge[i] += ue[i];
            }
        }
        rep.checks.push_back(c);
    }
    return rep;
}

namespace {
std::string spatial_text(const Shape& s, std::size_t nd) {
    return s.size() >= nd + 1 ? shape_x(trailing(s, nd)) : shape_x(s);
}
std::string sizes_text(const Shape& sizes) {
    return sizes.size() == 1 ? std::to_string(sizes[0]) : shape_x(sizes);
}
} // namespace

std::string check_text(const CheckReport& r) {
    std::string s =
        fmt::format("target: {} -> {}{}\n", sizes_text(r.input), sizes_text(r.output),
                    r.input.size() == 1 && r.output.size() == 1 ? " on every spatial axis" : "");
    std::size_t width = 0;
    for (auto& c : r.checks)
        width = std::max(width, c.text.size());
    std::size_t matched = 0;
    for (auto& c : r.checks) {
        std::string verdict = c.spec_error ? "bad" : c.matches ? "yes" : "no";
        std::string what;
        if (!c.error.empty()) {
            what = (c.spec_error ? "cannot read it: " : "error: ") + c.error;
        } else {
            std::vector<std::string> steps;
            for (auto& x : c.shapes)
                steps.push_back(spatial_text(x, c.nd));
            what = "gives " + steps.back();
            if (steps.size() > 2) what += " (" + join(steps, " -> ") + ")";
            std::string u = unused_phrase(c.unused_edge);
            if (!u.empty()) what += "; " + u;
        }
        matched += c.matches ? 1 : 0;
        s += fmt::format("  {:<3}  {:<{}}  {}\n", verdict, c.text, width, what);
    }
    s += fmt::format("{} of {} map {} to {}\n", matched, r.checks.size(), sizes_text(r.input),
                     sizes_text(r.output));
    return s;
}

nlohmann::ordered_json check_json(const CheckReport& r) {
    using J = nlohmann::ordered_json;
    J j;
    j["input"] = r.input;
    j["output"] = r.output;
    J checks = J::array();
    std::size_t matched = 0;
    for (auto& c : r.checks) {
        J x;
        x["expression"] = c.text;
        x["layers"] = c.layers;
        x["matches"] = c.matches;
        x["output"] = c.error.empty() ? J(trailing(c.shapes.back(), c.nd)) : J(nullptr);
        x["shapes"] = c.shapes;
        x["unused_edge"] = c.error.empty() ? J(c.unused_edge) : J(nullptr);
        x["error"] = c.error.empty() ? J(nullptr) : J(c.error);
        x["spec_error"] = c.spec_error;
        matched += c.matches ? 1 : 0;
        checks.push_back(x);
    }
    j["checks"] = checks;
    j["matched"] = matched;
    return j;
}

RangeResult solve_input_range(const Network& net, const Shape& base, std::int64_t lo,
                              std::int64_t hi, const std::string& axis) {
    RangeResult r;
    r.name = net.name;
    r.base = base;
    r.lo = lo;
    r.hi = hi;
    if (lo < 1 || hi < lo) throw UsageError("--input-range must be LO:HI with 1 <= LO <= HI");
    if (hi - lo >= 1000000) throw UsageError("--input-range covers more than 1,000,000 sizes");
    std::size_t nd = 0;
    for (auto& n : net.nodes)
        if ((nd = nd_of_type(n.layer->type()))) break;
    if (nd == 0)
        throw UsageError("the network has no 1d/2d/3d layer, so it has no spatial axes to vary");
    if (base.size() < nd + 1)
        throw UsageError(fmt::format("the input shape {} has fewer than {} dimensions (channels "
                                     "and {} spatial axes)",
                                     shape_x(base), nd + 1, nd));
    auto names = axis_names(nd);
    for (std::size_t i = 0; i < nd; ++i)
        if (axis.empty() || axis == "all" || axis == names[i]) {
            r.dims.push_back(base.size() - nd + i);
            r.axes.push_back(names[i]);
        }
    if (r.dims.empty())
        throw UsageError(fmt::format("--axis {}: the network's first spatial layer is {}d, so its "
                                     "axes are {}",
                                     axis, nd, join(names, ", ")));
    // A Python model file is read again for every size: its forward() may compute layer
    // arguments from the input's sizes (U-Net's F.pad), so the layers read for `base` do not
    // hold for another size.
    if (net.read_for_input && hi - lo >= kMaxModelFileSizes)
        throw UsageError(fmt::format("--input-range {}:{} covers {} sizes; a Python model file is "
                                     "read again for each size, so at most {} are tried",
                                     lo, hi, with_commas(hi - lo + 1),
                                     with_commas(kMaxModelFileSizes)));
    for (std::int64_t v = lo; v <= hi; ++v) {
        Shape x = base;
        for (auto d : r.dims)
            x[d] = v;
        Plan plan;
        auto reject = [&](std::string why) {
            if (r.accepted.empty()) {
                r.rejected_size = v;
                r.rejected_error = std::move(why);
            }
        };
        try {
            if (net.read_for_input) {
                Network at_size = net.read_for_input(x);
                at_size.mode = net.mode;
                plan = make_plan(at_size, x);
            } else {
                plan = make_plan(net, x);
            }
        } catch (const LayerError& e) {
            reject(e.what());
            continue;
        } catch (const SpecError& e) {
            reject(e.where().empty() ? e.what() : e.where() + ": " + e.what());
            continue;
        }
        if (r.accepted.empty()) {
            r.smallest_output = plan.output;
            if (v == lo) r.rejected_size.reset();
        }
        r.accepted.push_back(v);
        bool clean = true;
        for (auto& l : plan.layers) {
            auto ue = unused_edges(l);
            if (ue.empty() || l.input_shapes.at(0).size() != base.size()) continue;
            for (std::size_t a = 0; a < ue.size(); ++a) {
                std::size_t dim = base.size() - ue.size() + a;
                if (ue[a] > 0 && std::find(r.dims.begin(), r.dims.end(), dim) != r.dims.end())
                    clean = false;
            }
        }
        if (clean) r.no_unused_edge.push_back(v);
    }
    return r;
}

std::string range_text(const RangeResult& r) {
    std::vector<std::string> dims;
    for (std::size_t i = 0; i < r.base.size(); ++i)
        dims.push_back(std::find(r.dims.begin(), r.dims.end(), i) != r.dims.end()
                           ? "N"
                           : std::to_string(r.base[i]));
    std::string s = fmt::format(
        "{}: input {}, N = {}..{} ({})\n", r.name.empty() ? "network" : r.name, join(dims, "x"),
        r.lo, r.hi, r.axes.size() > 1 ? join(r.axes, " and ") + " together" : r.axes[0]);
    std::int64_t total = r.hi - r.lo + 1;
    if (r.accepted.empty()) {
        s += fmt::format("accepted: none of the {} sizes\n", with_commas(total));
    } else {
        s += fmt::format("accepted: {} ({} of {} sizes)\n", ranges_text(r.accepted),
                         with_commas(r.accepted.size()), with_commas(total));
        s += fmt::format("smallest: {} -> output {}\n", r.accepted.front(),
                         shape_x(*r.smallest_output));
    }
    if (r.rejected_size)
        s += fmt::format("{} is rejected: {}\n", *r.rejected_size, r.rejected_error);
    if (!r.accepted.empty()) {
        if (r.no_unused_edge.empty())
            s += "every accepted size leaves edge pixels unread in some layer\n";
        else
            s += fmt::format("no layer leaves edge pixels unread: {} ({} size{})\n",
                             ranges_text(r.no_unused_edge), with_commas(r.no_unused_edge.size()),
                             r.no_unused_edge.size() == 1 ? "" : "s");
    }
    return s;
}

nlohmann::ordered_json range_json(const RangeResult& r) {
    using J = nlohmann::ordered_json;
    J j;
    j["name"] = r.name;
    j["input_shape"] = r.base;
    j["axes"] = r.axes;
    j["range"] = {r.lo, r.hi};
    J runs = J::array();
    for (std::size_t i = 0; i < r.accepted.size();) {
        std::size_t k = i;
        while (k + 1 < r.accepted.size() && r.accepted[k + 1] == r.accepted[k] + 1)
            ++k;
        runs.push_back(J{r.accepted[i], r.accepted[k]});
        i = k + 1;
    }
    j["accepted_ranges"] = runs;
    j["accepted"] = r.accepted;
    j["smallest"] = r.accepted.empty() ? J(nullptr) : J(r.accepted.front());
    j["smallest_output"] = r.smallest_output ? J(*r.smallest_output) : J(nullptr);
    j["no_unused_edge"] = r.no_unused_edge;
    j["rejected"] =
        r.rejected_size ? J{{"size", *r.rejected_size}, {"error", r.rejected_error}} : J(nullptr);
    return j;
}

} // namespace cnnshape
