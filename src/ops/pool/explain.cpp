// How explain describes pooling: the window formula per axis, the unused input and the divisors.
#include "analysis/explain_support.hpp"
#include <algorithm>

namespace cnnshape {

using namespace explain_detail;

namespace {

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

} // namespace

void explain_op(LayerExplanation& e, const LayerPlan& l, const PoolDesc& pd) {
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
        if (std::any_of(pd.padding.begin(), pd.padding.end(), [](auto p) { return p != 0; }))
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

} // namespace cnnshape
