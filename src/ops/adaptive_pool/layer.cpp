// AdaptiveAvgPool{1,2,3}d, AdaptiveMaxPool{1,2,3}d: the output size is given; window a of b over
// an input of c is [floor(a*c/b), ceil((a+1)*c/b)) (rules.hpp adaptive_window).
#include "cnnshape/rules.hpp"
#include "layers/common.hpp"
#include <cmath>

namespace cnnshape::detail {
namespace {

struct AdaptiveLayer : Layer {
    int nd;
    bool is_max;
    Value output_size;
    bool return_indices = false;

    AdaptiveLayer(Args a, int nd_, bool is_max_) : Layer(std::move(a)), nd(nd_), is_max(is_max_) {
        output_size = arg(args(), "output_size");
        if (is_max) return_indices = arg_bool(args(), "return_indices");
        auto bad = [&] {
            throw SpecError(args().path("output_size"),
                            fmt::format("{}() argument 'output_size' must be int, None or a tuple "
                                        "of ints and None, not {} ({})",
                                        type(), output_size.type_name(), output_size.repr()));
        };
        if (output_size.is_tuple()) {
            for (auto& e : output_size.as_tuple())
                if (!e.is_int() && !e.is_none()) bad();
        } else if (!output_size.is_int() && !output_size.is_none()) {
            bad();
        }
    }

    // AdaptiveMaxPool(return_indices=True) returns (values, indices), as MaxPool does.
    bool returns_tuple() const override { return is_max && return_indices; }

    std::string fn() const {
        return std::string(is_max ? "adaptive_max_pool" : "adaptive_avg_pool") +
               std::to_string(nd) + "d";
    }

    // torch/nn/modules/utils.py _list_with_default: None entries take the input's trailing sizes.
    Ints resolve(const Shape& x) const {
        if (output_size.is_int()) return per_axis(output_size.as_int(), nd == 1 ? 1 : nd);
        if (output_size.is_none()) {
            if (nd == 1)
                throw ShapeError("adaptive_avg_pool1d(): argument 'output_size' must be tuple of "
                                 "ints, not NoneType");
            throw ShapeError("object of type 'NoneType' has no len()");
        }
        const auto& t = output_size.as_tuple();
        if (nd == 1) { // torch.adaptive_*_pool1d takes the tuple as is
            Ints r;
            for (auto& e : t) {
                if (e.is_none())
                    throw ShapeError(fmt::format("{}(): argument 'output_size' must be tuple of "
                                                 "ints, but found element of type NoneType",
                                                 fn()));
                r.push_back(e.as_int());
            }
            return r;
        }
        if (x.size() <= t.size())
            throw ShapeError(fmt::format("Input dimension should be at least {}", t.size() + 1));
        Ints r;
        for (std::size_t i = 0; i < t.size(); ++i)
            r.push_back(t[i].is_none() ? x[x.size() - t.size() + i] : t[i].as_int());
        return r;
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x0 = inputs.at(0);
        Ints os = resolve(x0);
        AdaptivePoolDesc desc;
        desc.is_max = is_max;
        desc.nd = nd;
        desc.return_indices = return_indices;
        desc.output_size = os;
        Shape x = x0;
        std::int64_t rank = x.size();
        int core_nd = nd;
        if (nd == 1) {
            if (rank < 2 || rank > 3)
                throw ShapeError(fmt::format("Expected 2 to 3 dimensions, but got {}-dimensional "
                                             "tensor for argument #1 'self' (while checking "
                                             "arguments for {})",
                                             rank, fn()));
            if (os.size() != 1)
                throw ShapeError(fmt::format("{}() argument 'output_size' should contain one int "
                                             "(got {})",
                                             fn(), os.size()));
            x.insert(x.end() - 1, 1);
            os = {1, os[0]};
            core_nd = 2;
            rank += 1;
        }
        std::string core = std::string(is_max ? "adaptive_max_pool" : "adaptive_avg_pool") +
                           std::to_string(core_nd) + "d";
        Shape o;
        if (!is_max) {
            if (os.size() != std::size_t(core_nd))
                throw ShapeError(fmt::format("{}: output_size must be {}", core, core_nd));
            bool neg = false, ones = true;
            for (auto v : os)
                neg = neg || v < 0, ones = ones && v == 1;
            if (neg)
                throw ShapeError(fmt::format("{}: elements of output_size must be greater than or "
                                             "equal to 0 but received {{{}}}",
                                             core, join(os, ", ")));
            if (ones) {
                // Output (1, ..., 1) is input.mean(spatial dims, keepdim): no rank check.
                // mean() wraps its dims -1, -2, ... in turn, a 0-d tensor counting as 1-d.
                std::int64_t r = std::max<std::int64_t>(rank, 1);
                if (rank < core_nd)
                    throw ShapeError(fmt::format("Dimension out of range (expected to be in range "
                                                 "of [{}, {}], but got {})",
                                                 -r, r - 1, -(r + 1)));
                o = x;
                for (int i = 0; i < core_nd; ++i)
                    o[rank - 1 - i] = 1;
            } else {
                if (rank != core_nd + 1 && rank != core_nd + 2)
                    throw ShapeError(fmt::format("{}(): Expected {}D or {}D tensor, but got {}",
                                                 core, core_nd + 1, core_nd + 2, py_list(x)));
                // adaptive_avg_pool2d checks the spatial dims; the 3d version every non-batch dim.
                for (std::int64_t i = core_nd == 3 ? 1 : rank - core_nd; i < rank; ++i)
                    if (x[i] <= 0)
                        throw ShapeError(
                            fmt::format("{}(): Expected input to have non-zero size for "
                                        "non-batch dimensions, but input has sizes {} "
                                        "with dimension {} being empty",
                                        core, py_list(x), i));
                o = Shape(x.begin(), x.end() - core_nd);
                o.insert(o.end(), os.begin(), os.end());
            }
        } else {
            if (rank != core_nd + 1 && rank != core_nd + 2)
                throw ShapeError(fmt::format("{}(): Expected {}D or {}D tensor, but got: {}", core,
                                             core_nd + 1, core_nd + 2, py_list(x)));
            for (std::int64_t i = 1; i < rank; ++i)
                if (x[i] <= 0)
                    throw ShapeError(
                        fmt::format("{}(): Expected input to have non-zero size for "
                                    "non-batch dimensions, but input has sizes {} with "
                                    "dimension {} being empty",
                                    core, py_list(x), i));
            if (os.size() != std::size_t(core_nd))
                throw ShapeError(fmt::format("{}(): internal error: output_size.size() must be {}",
                                             core, core_nd));
            o = Shape(x.begin(), x.end() - core_nd);
            o.insert(o.end(), os.begin(), os.end());
            for (auto v : o)
                if (v < 0)
                    throw ShapeError(
                        fmt::format("Trying to create tensor with negative dimension {}: "
                                    "{}",
                                    v, py_list(o)));
        }
        if (nd == 1) o.erase(o.end() - 2);
        LayerOutput out;
        out.shape = o;
        if (returns_tuple()) out.tuple = {o, o};
        lower.exec = desc;
        out.rf = RfEffect::Map;
        for (int i = 0; i < nd; ++i) {
            std::int64_t c = x0[x0.size() - nd + i], b = o[o.size() - nd + i];
            out.axes.push_back(b > 0 && c > 0 ? adaptive_axis_map(c, b) : AxisMap{});
        }
        return out;
    }

    std::string brief() const override {
        std::string s;
        if (output_size.is_tuple()) {
            for (auto& e : output_size.as_tuple())
                s += (s.empty() ? "" : "x") +
                     (e.is_none() ? std::string("None") : std::to_string(e.as_int()));
        } else {
            s = output_size.repr();
        }
        return type() + "(" + s + ")";
    }
};

template <int ND, bool MAX>
LayerPtr make(Args a) {
    return std::make_shared<AdaptiveLayer>(std::move(a), ND, MAX);
}

} // namespace

void register_adaptive_pool(std::vector<LayerType>& r) {
    std::vector<ParamSpec> avg = {req("output_size")};
    std::vector<ParamSpec> mx = {req("output_size"), opt("return_indices", B(false))};
    r.push_back({"AdaptiveAvgPool1d", avg, false, "adaptive", make<1, false>});
    r.push_back({"AdaptiveAvgPool2d", avg, false, "adaptive", make<2, false>});
    r.push_back({"AdaptiveAvgPool3d", avg, false, "adaptive", make<3, false>});
    r.push_back({"AdaptiveMaxPool1d", mx, false, "adaptive", make<1, true>});
    r.push_back({"AdaptiveMaxPool2d", mx, false, "adaptive", make<2, true>});
    r.push_back({"AdaptiveMaxPool3d", mx, false, "adaptive", make<3, true>});
}

} // namespace cnnshape::detail
