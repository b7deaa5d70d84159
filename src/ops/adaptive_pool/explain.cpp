// How explain describes adaptive pooling: the windows per axis.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

namespace {

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

} // namespace

void explain_op(LayerExplanation& e, const LayerPlan& l, const AdaptivePoolDesc& ad) {
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

} // namespace cnnshape
