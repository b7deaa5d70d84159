// How explain describes upsampling.
#include "analysis/explain_support.hpp"
#include "cnnshape/compact_json.hpp"

namespace cnnshape {

using namespace explain_detail;

namespace {

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

} // namespace

void explain_op(LayerExplanation& e, const LayerPlan& l, const UpsampleDesc& ud) {
    std::size_t nd = ud.output_size.size();
    Shape in = trailing(l.input_shapes.at(0), nd), out = trailing(l.output, nd);
    auto names = axis_names(nd);
    const auto args = l.args_json();
    const auto sf = args.contains("scale_factor") ? args["scale_factor"] : nlohmann::ordered_json();
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
            ax.formula = fmt::format("{}_out = floor({} * {}) = {}", names[i], in[i],
                                     compact_json(nlohmann::json(f)), v);
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

} // namespace cnnshape
