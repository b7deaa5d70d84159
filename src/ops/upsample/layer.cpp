// Upsample(size | scale_factor, mode): dim 0 is always batch, so 3D/4D/5D inputs are batched
// 1D/2D/3D signals. Output = size, or floor(in * scale_factor) (F.interpolate).
#include "layers/common.hpp"
#include <cmath>

namespace cnnshape::detail {
namespace {

struct UpsampleLayer : Layer {
    Value size, scale;
    std::string mode;
    std::optional<bool> align_corners, recompute;

    explicit UpsampleLayer(Args a) : Layer(std::move(a)) {
        size = arg(args(), "size");
        scale = arg(args(), "scale_factor");
        if (type() == "UpsamplingNearest2d") {
            mode = "nearest"; // Upsample(size, scale_factor, mode='nearest')
        } else if (type() == "UpsamplingBilinear2d") {
            mode = "bilinear"; // Upsample(size, scale_factor, mode='bilinear', align_corners=True)
            align_corners = true;
        } else {
            mode = arg_str(args(), "mode");
            const Value& ac = arg(args(), "align_corners");
            if (!ac.is_none()) align_corners = arg_bool(args(), "align_corners");
            const Value& rc = arg(args(), "recompute_scale_factor");
            if (!rc.is_none()) recompute = arg_bool(args(), "recompute_scale_factor");
        }
        auto check = [&](const Value& v, const char* name, bool ints) {
            auto ok = [&](const Value& e) { return e.is_int() || (!ints && e.is_float()); };
            if (v.is_none() || ok(v)) return;
            if (v.is_tuple()) {
                bool all = true;
                for (auto& e : v.as_tuple())
                    all = all && ok(e);
                if (all) return;
            }
            throw SpecError(args().path(name),
                            fmt::format("{}() argument '{}' must be {}, not {} ({})", type(), name,
                                        ints ? "int or tuple of ints" : "float or tuple of floats",
                                        v.type_name(), v.repr()));
        };
        check(size, "size", true);
        check(scale, "scale_factor", false);
        // nn.Upsample stores float(scale_factor) if scale_factor else None: 0 means "not given".
        if (scale.is_int() && scale.as_int() == 0) scale = Value::none();
        if (scale.is_float() && scale.as_float() == 0.0) scale = Value::none();
    }

    // nn.Upsample stores tuple(float(f) for f in scale_factor).
    static std::string float_tuple(const Value& v) {
        Value::List l;
        for (auto& e : v.as_tuple())
            l.push_back(Value::real(e.as_float()));
        return Value::tuple(l).repr();
    }

    static std::string py_list_vals(const Value& v) {
        std::string s = v.repr();
        if (v.is_tuple() && !v.is_list) s = "[" + s.substr(1, s.size() - 2) + "]";
        if (v.is_tuple() && v.as_tuple().size() == 1) s = "[" + v.as_tuple()[0].repr() + "]";
        return s;
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        std::int64_t rank = x.size();
        bool nearestish = mode == "nearest" || mode == "area" || mode == "nearest-exact";
        if (nearestish && align_corners)
            throw ShapeError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear");
        std::int64_t dim = rank - 2;
        Ints in_spatial(x.begin() + std::min<std::int64_t>(2, rank), x.end());
        Ints out_sizes;
        std::vector<double> scales;
        if (!size.is_none() && !scale.is_none())
            throw ShapeError("only one of size or scale_factor should be defined");
        if (!size.is_none()) {
            if (size.is_tuple()) {
                if (std::int64_t(size.as_tuple().size()) != dim)
                    throw ShapeError(fmt::format(
                        "Input and output must have the same number of spatial dimensions, but got "
                        "input with spatial dimensions of {} and output size of {}. Please provide "
                        "input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, "
                        "...,oK) format.",
                        py_list(in_spatial), size.repr()));
                for (auto& e : size.as_tuple())
                    out_sizes.push_back(e.as_int());
            } else {
                out_sizes = per_axis(size.as_int(), std::max<std::int64_t>(dim, 0));
            }
        } else if (!scale.is_none()) {
            if (scale.is_tuple()) {
                if (std::int64_t(scale.as_tuple().size()) != dim)
                    throw ShapeError(fmt::format(
                        "Input and scale_factor must have the same number of spatial dimensions, "
                        "but got input with spatial dimensions of {} and scale_factor of shape {}. "
                        "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                        "scale_factor in (s1, s2, ...,sK) format.",
                        py_list(in_spatial), float_tuple(scale)));
                for (auto& e : scale.as_tuple())
                    scales.push_back(e.as_float());
            } else {
                scales = per_axis(scale.as_float(), std::max<std::int64_t>(dim, 0));
            }
        } else {
            throw ShapeError("either size or scale_factor should be defined");
        }
        if (recompute && *recompute && !size.is_none())
            throw ShapeError("recompute_scale_factor is not meaningful with an explicit size.");
        static const char* names[] = {"linear", "bilinear", "trilinear"};
        bool known = mode == "nearest" || mode == "nearest-exact" || mode == "area" ||
                     mode == "linear" || mode == "bilinear" || mode == "bicubic" ||
                     mode == "trilinear";
        if (rank >= 3 && rank <= 5 && known) {
            for (int want = 3; want <= 5; ++want) {
                const char* m = names[want - 3];
                if (mode == m && rank != want)
                    throw ShapeError(
                        fmt::format("Got {}D input, but {} mode needs {}D input", rank, m, want));
            }
        }
        // F.interpolate has no special message for bicubic on 3D/5D input: it falls through.
        if (!(rank >= 3 && rank <= 5 && known) || (mode == "bicubic" && rank != 4)) {
            throw ShapeError(fmt::format("Input Error: Only 3D, 4D and 5D input Tensors supported "
                                         "(got {}D) for the modes: nearest | linear | bilinear | "
                                         "bicubic | trilinear | area | nearest-exact (got {})",
                                         rank, mode));
        }
        if (out_sizes.empty())
            for (std::int64_t i = 0; i < dim; ++i) {
                double v = double(in_spatial[i]) * scales[i];
                if (!std::isfinite(v) || std::fabs(v) > 9.2e18)
                    throw ShapeError(fmt::format("upsampled size {} does not fit in 64 bits", v));
                out_sizes.push_back(recompute && *recompute ? std::int64_t(std::floor(v))
                                                            : std::int64_t(v));
            }
        static const char* ax[] = {"D", "H", "W"};
        auto sizes_text = [&](const Ints& v) {
            std::string t;
            for (std::int64_t i = 0; i < dim; ++i)
                t += fmt::format("{}{}: {}", i ? ", " : "", ax[3 - dim + i], v[i]);
            return t;
        };
        if (mode == "area") {
            // 'area' is adaptive average pooling to the output size: empty outputs are allowed.
            bool neg = false;
            for (auto v : out_sizes)
                neg = neg || v < 0;
            if (neg)
                throw ShapeError(
                    fmt::format("adaptive_avg_pool{}d: elements of output_size must be "
                                "greater than or equal to 0 but received {{{}}}",
                                std::max<std::int64_t>(dim, 2), join(out_sizes, ", ")));
            // F.interpolate calls adaptive_avg_pool{1,2,3}d: an output of all 1s is input.mean()
            // (no size checks); otherwise the 1d/2d versions check the spatial dims (1d viewed as
            // 2d with height 1) and the 3d version every non-batch dim.
            bool ones = true;
            for (auto v : out_sizes)
                ones = ones && v == 1;
            Shape v = x;
            if (dim == 1) v.insert(v.end() - 1, 1);
            std::int64_t vr = v.size();
            for (std::int64_t i = dim == 3 ? 1 : vr - 2; !ones && i < vr; ++i)
                if (v[i] <= 0)
                    throw ShapeError(
                        fmt::format("adaptive_avg_pool{}d(): Expected input to have "
                                    "non-zero size for non-batch dimensions, but input "
                                    "has sizes {} with dimension {} being empty",
                                    std::max<std::int64_t>(dim, 2), py_list(v), i));
        } else {
            bool bad = false;
            for (std::int64_t i = 0; i < dim; ++i)
                bad = bad || in_spatial[i] <= 0 || out_sizes[i] <= 0;
            if (bad)
                throw ShapeError(fmt::format("Input and output sizes should be greater than 0, but "
                                             "got input ({}){} output ({})",
                                             sizes_text(in_spatial), dim == 1 ? " and" : "",
                                             sizes_text(out_sizes)));
            // The upsample meta functions allow an empty batch, but no other empty dim.
            if (numel(x) == 0 && checked_product(Ints(x.begin() + 1, x.end())) == 0)
                throw ShapeError(fmt::format("Non-empty {}D data tensor expected but got a tensor "
                                             "with sizes {}",
                                             rank, py_list(x)));
        }
        LayerOutput out;
        UpsampleDesc d;
        d.mode = mode == "nearest"         ? UpsampleMode::Nearest
                 : mode == "nearest-exact" ? UpsampleMode::NearestExact
                 : mode == "linear"        ? UpsampleMode::Linear
                 : mode == "bilinear"      ? UpsampleMode::Bilinear
                 : mode == "bicubic"       ? UpsampleMode::Bicubic
                 : mode == "trilinear"     ? UpsampleMode::Trilinear
                                           : UpsampleMode::Area;
        d.output_size = out_sizes;
        // The kernels use the user's factor unless it was recomputed (area always recomputes).
        if (!scales.empty() && !(recompute && *recompute) && mode != "area")
            d.scale_factor = scales;
        d.align_corners = align_corners.value_or(false);
        lower.exec = d;
        out.shape = Shape(x.begin(), x.begin() + 2);
        out.shape.insert(out.shape.end(), out_sizes.begin(), out_sizes.end());
        out.rf = RfEffect::Map;
        for (std::int64_t i = 0; i < dim; ++i) {
            AxisMap m;
            m.jump = out_sizes[i] > 0 ? double(in_spatial[i]) / double(out_sizes[i]) : 1.0;
            m.grow =
                (mode == "nearest" || mode == "nearest-exact") ? 0 : (mode == "bicubic" ? 3 : 1);
            if (mode == "area" && out_sizes[i] > 0 && in_spatial[i] > 0) // adaptive windows
                m = adaptive_axis_map(in_spatial[i], out_sizes[i]);
            out.axes.push_back(m);
        }
        return out;
    }

    std::string brief() const override {
        Brief b;
        if (!size.is_none()) b.add("size=" + size.repr());
        if (!scale.is_none()) b.add("x" + scale.repr());
        if (type() != "Upsample") return b.wrap(type()); // the mode is in the name
        b.add(mode);
        if (align_corners && *align_corners) b.add("align_corners");
        return b.wrap("Upsample");
    }
};

LayerPtr make_upsample(Args a) {
    return std::make_shared<UpsampleLayer>(std::move(a));
}

} // namespace

void register_upsample(std::vector<LayerType>& r) {
    r.push_back({"Upsample",
                 {opt("size", N()), opt("scale_factor", N()), opt("mode", S("nearest")),
                  opt("align_corners", N()), opt("recompute_scale_factor", N())},
                 false,
                 "resize",
                 make_upsample});
    // nn.UpsamplingNearest2d / nn.UpsamplingBilinear2d: Upsample with the mode (and, bilinear,
    // align_corners=True) fixed; any rank Upsample takes, as they are Upsample underneath.
    r.push_back({"UpsamplingNearest2d",
                 {opt("size", N()), opt("scale_factor", N())},
                 false,
                 "resize",
                 make_upsample});
    r.push_back({"UpsamplingBilinear2d",
                 {opt("size", N()), opt("scale_factor", N())},
                 false,
                 "resize",
                 make_upsample});
}

} // namespace cnnshape::detail
