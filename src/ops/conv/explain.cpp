// How explain describes convolution: the output-size formula per axis and the unused input.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

namespace {

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

} // namespace

void explain_op(LayerExplanation& e, const LayerPlan& l, const ConvDesc& cd) {
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
    const auto args = l.args_json();
    auto pad_arg = args.find("padding");
    if (!cd.transposed && pad_arg != args.end() && pad_arg->is_string()) {
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

} // namespace cnnshape
