// Explanations of a Plan, layer by layer. The numbers come from each LayerPlan's ExecDesc and
// shapes; every formula printed is also evaluated here and compared with the Plan's output size
// (check_equal), so the text cannot drift from the shape engine.
#include "cnnshape/explain.hpp"
#include "cnnshape/checked.hpp"
#include "cnnshape/report.hpp"
#include "cnnshape/rules.hpp"
#include "words.hpp"
#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <stdexcept>

namespace cnnshape {
namespace {

constexpr std::int64_t kMaxWalk = std::int64_t(1) << 22; // axis lengths we walk window by window

std::vector<std::string> axis_names(std::size_t nd) {
    if (nd == 1) return {"L"};
    if (nd == 2) return {"H", "W"};
    if (nd == 3) return {"D", "H", "W"};
    std::vector<std::string> r;
    for (std::size_t i = 0; i < nd; ++i)
        r.push_back("dim" + std::to_string(i));
    return r;
}

using words::join;
using words::noun;

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

// Axes that share every number are explained once.
template <class Key>
std::vector<std::vector<std::size_t>> group_axes(const std::vector<Key>& keys) {
    std::vector<std::vector<std::size_t>> groups;
    std::vector<bool> done(keys.size(), false);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (done[i]) continue;
        std::vector<std::size_t> g{i};
        for (std::size_t j = i + 1; j < keys.size(); ++j)
            if (!done[j] && keys[j] == keys[i]) g.push_back(j), done[j] = true;
        groups.push_back(g);
    }
    return groups;
}

struct Window1d {
    std::int64_t in, out, k, s, pad_l, pad_r, d;
    bool operator==(const Window1d& o) const {
        return in == o.in && out == o.out && k == o.k && s == o.s && pad_l == o.pad_l &&
               pad_r == o.pad_r && d == o.d;
    }
};

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

// ---- pooling ------------------------------------------------------------------------------

// The per-axis factor of each window's average-pool divisor (AvgPoolKernel.cpp: the padded
// window clipped to [-pad, in + pad) with count_include_pad, else to the real input).
std::vector<std::int64_t> avg_factors(const Window1d& w, bool count_include_pad) {
    std::vector<std::int64_t> f;
    if (w.out > kMaxWalk) return f;
    f.reserve(w.out);
    for (std::int64_t j = 0; j < w.out; ++j) {
        std::int64_t start = j * w.s - w.pad_l;
        std::int64_t end = std::min(start + w.k, w.in + w.pad_r);
        if (count_include_pad)
            f.push_back(end - start);
        else
            f.push_back(std::min(end, w.in) - std::max(start, std::int64_t(0)));
    }
    return f;
}

AxisExplanation pool_axis(const LayerPlan& l, const PoolDesc& pd, const Window1d& w,
                          const std::vector<std::string>& axes) {
    AxisExplanation a;
    a.axes = axes;
    a.in = w.in;
    a.out = w.out;
    std::int64_t keff = effective_kernel(w.k, w.d);
    std::string inner = pd.kind == PoolKind::Max
                            ? fmt::format("{} + 2*{} - {}*({}-1) - 1", w.in, w.pad_l, w.d, w.k)
                            : fmt::format("{} + 2*{} - {}", w.in, w.pad_l, w.k);
    std::int64_t num = checked_sub(checked_add(w.in, checked_mul(2, w.pad_l)), keff);
    std::int64_t floor_out = checked_add(div_rtn(num, w.s), 1);
    if (!pd.ceil_mode) {
        check_equal(floor_out, w.out, l, axes[0] + "_out");
        a.formula = fmt::format("{}floor(({}) / {}) + 1 = {}", lhs(axes), inner, w.s, floor_out);
        coverage_notes(a.notes, w, axes, true);
        return a;
    }
    std::int64_t ceil_out = checked_add(div_rtn(checked_add(num, w.s - 1), w.s), 1);
    // Pool.h: the last window must start inside the input or the left padding.
    std::int64_t last_start = checked_mul(ceil_out - 1, w.s); // in padded coordinates
    bool dropped = last_start >= checked_add(w.in, w.pad_l);
    std::int64_t result = dropped ? ceil_out - 1 : ceil_out;
    check_equal(result, w.out, l, axes[0] + "_out");
    a.formula = fmt::format("{}ceil(({}) / {}) + 1{} = {}", lhs(axes), inner, w.s,
                            dropped ? " - 1" : "", result);
    if (ceil_out == floor_out) {
        a.notes.push_back(fmt::format("ceil_mode changes nothing here: {} = {} is a multiple of "
                                      "the stride {}, so floor and ceil agree",
                                      inner, num, w.s));
    } else if (dropped) {
        a.notes.push_back(fmt::format(
            "ceil_mode: rounding up gives {} windows, but the last would start at index {} = "
            "{}*{} - {}, {} (the input ends at index {}); PyTorch keeps a last window only if it "
            "starts inside the input or the left padding, hence the - 1 (the same as floor mode)",
            ceil_out, last_start - w.pad_l, ceil_out - 1, w.s, w.pad_l,
            w.pad_r > 0 ? "in the right padding" : "past the end of the input", w.in - 1));
    } else {
        std::int64_t start = last_start - w.pad_l;
        std::int64_t end = start + keff - 1;
        std::int64_t padded_end = w.in - 1 + w.pad_r;
        std::string overhang =
            end > padded_end
                ? fmt::format(", {} past the end of the input{} (index {})", end - padded_end,
                              w.pad_r ? " plus padding" : "", padded_end)
                : "";
        a.notes.push_back(
            fmt::format("ceil_mode adds a window: floor would give {}; the last window starts at "
                        "index {} (inside the input{}) and reaches index {}{}",
                        floor_out, start, start < 0 ? "'s left padding" : "", end, overhang));
    }
    coverage_notes(a.notes, w, axes, false);
    return a;
}

// "4 (interior), 2 (...)" summary of the 2D/3D divisors built from the per-axis factors.
void avg_divisor_notes(LayerExplanation& e, const PoolDesc& pd,
                       const std::vector<std::vector<std::int64_t>>& factors) {
    std::int64_t full = 1;
    for (auto k : pd.kernel)
        full = checked_mul(full, k);
    std::string kk;
    for (std::size_t i = 0; i < pd.kernel.size(); ++i)
        kk += (i ? "*" : "") + std::to_string(pd.kernel[i]);
    if (pd.divisor_override) {
        if (*pd.divisor_override != full)
            e.notes.push_back(fmt::format("divisor_override={}: every window's sum is divided by "
                                          "{}, not by its size {} = {}",
                                          *pd.divisor_override, *pd.divisor_override, kk, full));
        return;
    }
    for (auto& f : factors)
        if (f.empty()) return; // too large to walk
    // Count windows per divisor: the divisor is the product of the per-axis factors.
    std::map<std::int64_t, std::int64_t> hist{{1, 1}};
    for (auto& f : factors) {
        std::map<std::int64_t, std::int64_t> axis;
        for (auto v : f)
            ++axis[v];
        std::map<std::int64_t, std::int64_t> next;
        for (auto& [d, n] : hist)
            for (auto& [v, m] : axis)
                next[checked_mul(d, v)] = checked_add(next[checked_mul(d, v)], checked_mul(n, m));
        hist = next;
    }
    if (hist.size() == 1 && hist.begin()->first == full) return;
    std::vector<std::string> parts;
    for (auto it = hist.rbegin(); it != hist.rend(); ++it)
        parts.push_back(fmt::format("{} for {} window{}", it->first, with_commas(it->second),
                                    it->second == 1 ? "" : "s"));
    std::string why = pd.count_include_pad
                          ? "count_include_pad=True counts padding but not the ceil-mode "
                            "overhang past the padded input"
                          : "count_include_pad=False counts only real input elements";
    e.notes.push_back(fmt::format("average divisors differ from {} = {} at the edges: {} ({})", kk,
                                  full, join(parts, ", "), why));
}

void explain_pool(LayerExplanation& e, const LayerPlan& l, const PoolDesc& pd) {
    std::size_t nd = pd.kernel.size();
    Shape in = trailing(l.input_shapes.at(0), nd), out = trailing(l.output, nd);
    auto names = axis_names(nd);
    std::vector<Window1d> ws;
    for (std::size_t i = 0; i < nd; ++i)
        ws.push_back({in[i], out[i], pd.kernel[i], pd.stride[i], pd.padding[i], pd.padding[i],
                      pd.dilation[i]});
    for (auto& g : group_axes(ws)) {
        std::vector<std::string> axes;
        for (auto i : g)
            axes.push_back(names[i]);
        e.axes.push_back(pool_axis(l, pd, ws[g[0]], axes));
    }
    if (pd.kind == PoolKind::Max) {
        if (pd.padding != IntList(nd, 0))
            e.notes.push_back("padding is implicit -inf: a padded position is never the maximum");
        return;
    }
    std::vector<std::vector<std::int64_t>> factors;
    for (auto& w : ws)
        factors.push_back(avg_factors(w, pd.kind == PoolKind::Avg ? pd.count_include_pad : true));
    if (pd.kind == PoolKind::Avg) {
        avg_divisor_notes(e, pd, factors);
    } else {
        bool clipped = false;
        for (std::size_t i = 0; i < nd; ++i)
            for (auto f : factors[i])
                clipped = clipped || f != pd.kernel[i];
        e.notes.push_back(fmt::format("LPPool: (sum of x^{0})^(1/{0}) over each window, computed "
                                      "as avg_pool2d(x^{0}) * kernel volume",
                                      pd.norm_type));
        if (clipped)
            e.notes.push_back("ceil mode: an edge window is averaged over its clipped size, then "
                              "multiplied by the full kernel volume, so it gives (sum * "
                              "k*k/count)^(1/p), not sum^(1/p)");
    }
}

// ---- adaptive pooling ---------------------------------------------------------------------

struct Adaptive1d {
    std::int64_t in, out;
    bool operator==(const Adaptive1d& o) const { return in == o.in && out == o.out; }
};

AxisExplanation adaptive_axis(const LayerPlan& l, const AdaptivePoolDesc& ad, std::size_t i,
                              const Adaptive1d& w, const std::vector<std::string>& axes) {
    AxisExplanation a;
    a.axes = axes;
    a.in = w.in;
    a.out = w.out;
    check_equal(ad.output_size.at(i), w.out, l, axes[0] + "_out");
    a.formula = fmt::format("{}output_size = {}", lhs(axes), w.out);
    if (w.out <= 0) return a;
    if (w.in % w.out == 0) {
        std::int64_t k = w.in / w.out;
        a.notes.push_back(fmt::format("windows [floor(i*{0}/{1}), ceil((i+1)*{0}/{1})) are all {2} "
                                      "wide and do not overlap: the same as kernel_size={2}, "
                                      "stride={2}",
                                      w.in, w.out, k));
        return a;
    }
    if (w.out > kMaxWalk) {
        a.notes.push_back(fmt::format("windows [floor(i*{0}/{1}), ceil((i+1)*{0}/{1})) differ in "
                                      "size and overlap ({0} is not a multiple of {1})",
                                      w.in, w.out));
        return a;
    }
    std::int64_t lo = INT64_MAX, hi = 0, overlaps = 0, prev_end = 0;
    std::vector<std::string> list;
    for (std::int64_t j = 0; j < w.out; ++j) {
        auto [s, en] = adaptive_window(j, w.out, w.in);
        lo = std::min(lo, en - s);
        hi = std::max(hi, en - s);
        if (j > 0 && s < prev_end) ++overlaps;
        prev_end = en;
        if (w.out <= 12) list.push_back(fmt::format("[{}, {})", s, en));
    }
    std::string sizes =
        lo == hi ? fmt::format("all {} wide", lo) : fmt::format("{} to {} wide", lo, hi);
    std::string ov = overlaps == 0 ? "none overlap"
                                   : fmt::format("{} overlap{} the previous one", overlaps,
                                                 overlaps == 1 ? "s" : "");
    a.notes.push_back(fmt::format("windows [floor(i*{0}/{1}), ceil((i+1)*{0}/{1})) are {2}; {3}{4}",
                                  w.in, w.out, sizes, ov,
                                  list.empty() ? "" : ": " + join(list, " ")));
    if (w.in < w.out)
        a.notes.push_back(
            fmt::format("more outputs ({}) than inputs ({}): input positions repeat", w.out, w.in));
    return a;
}

void explain_adaptive(LayerExplanation& e, const LayerPlan& l, const AdaptivePoolDesc& ad) {
    std::size_t nd = ad.output_size.size();
    Shape in = trailing(l.input_shapes.at(0), nd), out = trailing(l.output, nd);
    auto names = axis_names(nd);
    std::vector<Adaptive1d> ws;
    for (std::size_t i = 0; i < nd; ++i)
        ws.push_back({in[i], out[i]});
    for (auto& g : group_axes(ws)) {
        std::vector<std::string> axes;
        for (auto i : g)
            axes.push_back(names[i]);
        e.axes.push_back(adaptive_axis(l, ad, g[0], ws[g[0]], axes));
    }
    bool ones = std::all_of(ad.output_size.begin(), ad.output_size.end(),
                            [](std::int64_t v) { return v == 1; });
    if (!ad.is_max && ones)
        e.notes.push_back("output size 1 everywhere: PyTorch computes this as a mean over the "
                          "spatial axes (global average pooling)");
}

// ---- convolution --------------------------------------------------------------------------

struct Conv1d {
    Window1d w;
    std::int64_t op;
    bool operator==(const Conv1d& o) const { return w == o.w && op == o.op; }
};

AxisExplanation conv_axis(const LayerPlan& l, const ConvDesc& cd, const Conv1d& c,
                          const std::vector<std::string>& axes) {
    const Window1d& w = c.w;
    AxisExplanation a;
    a.axes = axes;
    a.in = w.in;
    a.out = w.out;
    if (!cd.transposed) {
        std::string pads = w.pad_l == w.pad_r ? fmt::format("2*{}", w.pad_l)
                                              : fmt::format("{} + {}", w.pad_l, w.pad_r);
        std::int64_t num = checked_sub(checked_add(checked_add(w.in, w.pad_l), w.pad_r),
                                       effective_kernel(w.k, w.d));
        std::int64_t v = checked_add(div_rtn(num, w.s), 1);
        check_equal(v, w.out, l, axes[0] + "_out");
        a.formula = fmt::format("{}floor(({} + {} - {}*({}-1) - 1) / {}) + 1 = {}", lhs(axes), w.in,
                                pads, w.d, w.k, w.s, v);
        coverage_notes(a.notes, w, axes, true);
        return a;
    }
    std::int64_t v =
        checked_add(checked_add(checked_sub(checked_mul(w.in - 1, w.s), checked_mul(2, w.pad_l)),
                                checked_mul(w.d, w.k - 1)),
                    c.op + 1);
    check_equal(v, w.out, l, axes[0] + "_out");
    a.formula = fmt::format("{}({}-1)*{} - 2*{} + {}*({}-1) + {} + 1 = {}", lhs(axes), w.in, w.s,
                            w.pad_l, w.d, w.k, c.op, v);
    if (c.op > 0)
        a.notes.push_back(fmt::format("output_padding={} adds {} {} at the end (bottom/right)",
                                      c.op, c.op, group_noun(axes, c.op > 1)));
    if (w.s > 1 && c.op < w.s) {
        // The sizes a Conv with the same arguments maps to `in`: rules.hpp decides, not us.
        std::int64_t lo = v - c.op, hi = lo + w.s - 1;
        bool all = lo + 2 * w.pad_l >= effective_kernel(w.k, w.d);
        for (std::int64_t x = lo; all && x <= hi; ++x)
            all = conv_output_size(x, w.k, 2 * w.pad_l, w.s, w.d) == w.in;
        if (all)
            a.notes.push_back(fmt::format(
                "a Conv with the same arguments maps every size {}..{} to {}; output_padding "
                "(smaller than the stride or the dilation) picks which one comes back",
                lo, hi, w.in));
    }
    return a;
}

std::string pad_mode_name(PadMode m) {
    switch (m) {
    case PadMode::Reflect:
        return "reflect";
    case PadMode::Replicate:
        return "replicate";
    case PadMode::Circular:
        return "circular";
    default:
        return "zeros";
    }
}

void explain_conv(LayerExplanation& e, const LayerPlan& l, const ConvDesc& cd) {
    std::size_t nd = cd.kernel.size();
    Shape in = trailing(l.input_shapes.at(0), nd), out = trailing(l.output, nd);
    auto names = axis_names(nd);
    std::vector<Conv1d> cs;
    for (std::size_t i = 0; i < nd; ++i)
        cs.push_back(
            {{in[i], out[i], cd.kernel[i], cd.stride[i], cd.pad_l[i], cd.pad_r[i], cd.dilation[i]},
             cd.output_padding.at(i)});
    for (auto& g : group_axes(cs)) {
        std::vector<std::string> axes;
        for (auto i : g)
            axes.push_back(names[i]);
        e.axes.push_back(conv_axis(l, cd, cs[g[0]], axes));
    }
    auto pad_arg = l.args.find("padding");
    if (!cd.transposed && pad_arg != l.args.end() && pad_arg->is_string()) {
        if (*pad_arg == "same") {
            std::vector<std::array<std::int64_t, 4>> keys;
            for (std::size_t i = 0; i < nd; ++i)
                keys.push_back({cd.dilation[i], cd.kernel[i], cd.pad_l[i], cd.pad_r[i]});
            std::vector<std::string> parts;
            for (auto& g : group_axes(keys)) {
                std::vector<std::string> axes;
                for (auto i : g)
                    axes.push_back(names[i]);
                std::size_t i = g[0];
                parts.push_back(fmt::format("{}: total {}*({}-1) = {}, {} before and {} after",
                                            join(axes, " and "), cd.dilation[i], cd.kernel[i],
                                            cd.pad_l[i] + cd.pad_r[i], cd.pad_l[i], cd.pad_r[i]));
            }
            bool odd = cd.pad_l != cd.pad_r;
            e.notes.push_back(fmt::format("padding='same' keeps the size at stride 1: {}{}",
                                          join(parts, "; "),
                                          odd ? " (an odd total puts the extra unit after: "
                                                "bottom/right)"
                                              : ""));
        } else {
            e.notes.push_back("padding='valid' means no padding");
        }
    }
    if (cd.padding_mode != PadMode::Zeros)
        e.notes.push_back(fmt::format("padding_mode='{}': the input is first padded explicitly "
                                      "with that mode, then convolved with padding 0",
                                      pad_mode_name(cd.padding_mode)));
    if (cd.groups != 1) {
        std::int64_t per = cd.transposed ? cd.out_channels / cd.groups : cd.in_channels / cd.groups;
        bool depthwise = !cd.transposed && cd.groups == cd.in_channels;
        e.notes.push_back(fmt::format("groups={}: each filter sees {}/{} = {} {} channel{}{}",
                                      cd.groups, cd.transposed ? cd.out_channels : cd.in_channels,
                                      cd.groups, per, cd.transposed ? "output" : "input",
                                      per == 1 ? "" : "s", depthwise ? " (depthwise)" : ""));
    }
}

// ---- other layers -------------------------------------------------------------------------

void explain_pad(LayerExplanation& e, const LayerPlan& l, const ConstantPadDesc& pd) {
    const Shape& in = l.input_shapes.at(0);
    std::size_t pairs = pd.pad.size() / 2;
    if (pairs > in.size()) pairs = in.size();
    auto names = axis_names(std::min<std::size_t>(pairs, 3) == pairs ? pairs : 0);
    if (names.size() != pairs) {
        names.clear();
        for (std::size_t i = 0; i < pairs; ++i)
            names.push_back("dim" + std::to_string(in.size() - pairs + i));
    }
    // pad pairs start at the last dim: (left, right, top, bottom, ...).
    for (std::size_t i = 0; i < pairs; ++i) {
        std::size_t dim = in.size() - pairs + i;
        std::size_t pair = pairs - 1 - i;
        std::int64_t a = pd.pad[2 * pair], b = pd.pad[2 * pair + 1];
        std::int64_t v = checked_add(checked_add(in[dim], a), b);
        check_equal(v, l.output.at(dim), l, names[i] + "_out");
        AxisExplanation ax;
        ax.axes = {names[i]};
        ax.in = in[dim];
        ax.out = v;
        ax.formula =
            fmt::format("{}_out = {} + {} + {} = {}", names[i], in[dim], term(a), term(b), v);
        if (a < 0 || b < 0) ax.notes.push_back("negative padding crops");
        e.axes.push_back(ax);
    }
    e.notes.push_back(fmt::format(
        "pads with the constant {} (pairs start at the last dimension: "
        "left, right, top, bottom)",
        l.args.contains("value")
            ? l.args["value"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
            : "0"));
}

std::string upsample_mode(UpsampleMode m) {
    switch (m) {
    case UpsampleMode::Nearest:
        return "nearest";
    case UpsampleMode::NearestExact:
        return "nearest-exact";
    case UpsampleMode::Linear:
        return "linear";
    case UpsampleMode::Bilinear:
        return "bilinear";
    case UpsampleMode::Bicubic:
        return "bicubic";
    case UpsampleMode::Trilinear:
        return "trilinear";
    case UpsampleMode::Area:
        return "area";
    }
    return "?";
}

void explain_upsample(LayerExplanation& e, const LayerPlan& l, const UpsampleDesc& ud) {
    std::size_t nd = ud.output_size.size();
    Shape in = trailing(l.input_shapes.at(0), nd), out = trailing(l.output, nd);
    auto names = axis_names(nd);
    const auto& sf =
        l.args.contains("scale_factor") ? l.args["scale_factor"] : nlohmann::ordered_json();
    for (std::size_t i = 0; i < nd; ++i) {
        check_equal(ud.output_size[i], out[i], l, names[i] + "_out");
        AxisExplanation ax;
        ax.axes = {names[i]};
        ax.in = in[i];
        ax.out = out[i];
        if (sf.is_number() || (sf.is_array() && sf.size() == nd)) {
            double f = sf.is_number() ? sf.get<double>() : sf[i].get<double>();
            std::int64_t v = std::int64_t(std::floor(double(in[i]) * f));
            check_equal(v, out[i], l, names[i] + "_out");
            ax.formula = fmt::format(
                "{}_out = floor({} * {}) = {}", names[i], in[i],
                nlohmann::json(f).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                v);
        } else {
            ax.formula = fmt::format("{}_out = size = {}", names[i], out[i]);
        }
        e.axes.push_back(ax);
    }
    e.notes.push_back(fmt::format("mode='{}'{}; dimension 0 is the batch and dimension 1 the "
                                  "channels, the rest are resized",
                                  upsample_mode(ud.mode),
                                  ud.align_corners ? ", align_corners=True" : ""));
}

std::string activation_line(const LayerPlan& l, const ElementwiseDesc& d) {
    const Shape& in = l.input_shapes.at(0);
    if (l.type == "Flatten") {
        std::int64_t rank = in.size();
        if (rank == 0) return "Flatten of a 0-dim tensor gives shape (1)";
        std::int64_t s = l.args.value("start_dim", 1), en = l.args.value("end_dim", -1);
        if (s < 0) s += rank;
        if (en < 0) en += rank;
        if (s == en) return fmt::format("Flatten over the single dimension {}: shape kept", s);
        std::vector<std::string> f;
        std::int64_t prod = 1;
        for (std::int64_t i = s; i <= en; ++i)
            f.push_back(std::to_string(in[i])), prod = checked_mul(prod, in[i]);
        check_equal(prod, l.output.at(s), l, "Flatten");
        return fmt::format("Flatten merges dimensions {}..{} of {}: {} = {}{}", s, en, shape_x(in),
                           join(f, "*"), with_commas(prod),
                           rank == 3 && s == 1 ? " (an unbatched (C, H, W) input gives (C, H*W))"
                                               : "");
    }
    switch (d.act) {
    case Activation::Softmax:
        return fmt::format("Softmax over dimension {}: shape kept", d.dim);
    case Activation::Dropout:
        return fmt::format("{} in train mode zeroes {} at random with p={}: shape kept", l.type,
                           d.channelwise ? "whole channels" : "elements", d.p);
    case Activation::Identity:
        if (l.type.rfind("Dropout", 0) == 0)
            return fmt::format("{} is the identity in eval mode: shape kept", l.type);
        return fmt::format("{}: shape kept", l.type);
    default:
        return fmt::format("{} is elementwise: shape kept", l.type);
    }
}

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
        (t.is_buffer ? buffers : params).push_back(&t);
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
        if (l.args.contains("bias") && !has_bias)
            suffix = " (bias=False)";
        else if (params.size() > 1 && l.type.find("BatchNorm") != std::string::npos)
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
    if (auto* pd = std::get_if<PoolDesc>(&l.exec)) {
        explain_pool(e, l, *pd);
    } else if (auto* ad = std::get_if<AdaptivePoolDesc>(&l.exec)) {
        explain_adaptive(e, l, *ad);
    } else if (auto* cd = std::get_if<ConvDesc>(&l.exec)) {
        explain_conv(e, l, *cd);
    } else if (auto* pad = std::get_if<ConstantPadDesc>(&l.exec)) {
        explain_pad(e, l, *pad);
    } else if (auto* ud = std::get_if<UpsampleDesc>(&l.exec)) {
        explain_upsample(e, l, *ud);
    } else if (auto* ld = std::get_if<LinearDesc>(&l.exec)) {
        check_equal(ld->out_features, l.output.back(), l, "out_features");
        e.notes.push_back(fmt::format("Linear maps the last dimension {} -> {}; the others are "
                                      "kept",
                                      ld->in_features, ld->out_features));
    } else if (auto* bd = std::get_if<BatchNormDesc>(&l.exec)) {
        e.notes.push_back(fmt::format(
            "{} normalises each of the {} channels with {}: shape kept", l.type, bd->num_features,
            bd->batch_stats ? "the batch's statistics" : "its running statistics"));
    } else if (auto* ed = std::get_if<ElementwiseDesc>(&l.exec)) {
        e.notes.push_back(activation_line(l, *ed));
    } else if (std::holds_alternative<AddDesc>(l.exec)) {
        e.notes.push_back(fmt::format("Add sums its {} inputs elementwise, broadcasting sizes of 1",
                                      l.input_shapes.size()));
    } else if (auto* cc = std::get_if<ConcatDesc>(&l.exec)) {
        std::vector<std::string> s;
        std::int64_t total = 0;
        for (auto& x : l.input_shapes) {
            std::int64_t v = x.at(cc->dim);
            s.push_back(std::to_string(v));
            total = checked_add(total, v);
        }
        check_equal(total, l.output.at(cc->dim), l, "Concat");
        e.notes.push_back(
            fmt::format("Concat along dimension {}: {} = {}", cc->dim, join(s, " + "), total));
    } else {
        e.notes.push_back(
            fmt::format("{}: {} -> {}", l.type, shape_x(l.input_shapes.at(0)), shape_x(l.output)));
    }
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
            out += pad +
                   nlohmann::ordered_json(it.key()).dump(-1, ' ', false,
                                                         nlohmann::json::error_handler_t::replace) +
                   ": ";
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
        out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
