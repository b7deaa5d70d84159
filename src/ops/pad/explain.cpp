// How explain describes constant padding.
#include "analysis/explain_support.hpp"
#include "cnnshape/compact_json.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const PadDesc& pd) {
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
    const char* order =
        "(pairs start at the last dimension: left, right, top, bottom, front, back)";
    if (pd.fill == PadFill::Reflect)
        e.notes.push_back(fmt::format("pads with the input mirrored at each edge, the edge value "
                                      "not repeated {}",
                                      order));
    else if (pd.fill == PadFill::Replicate)
        e.notes.push_back(fmt::format("pads by repeating the edge values {}", order));
    else {
        const auto args = l.args_json();
        e.notes.push_back(fmt::format(
            "pads with the constant {} {}",
            args.contains("value") && !args["value"].is_null() ? compact_json(args["value"]) : "0",
            order));
    }
}

} // namespace cnnshape
