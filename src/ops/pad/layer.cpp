// ZeroPad{1,2,3}d / ConstantPad{1,2,3}d / ReflectionPad{1,2,3}d / ReplicationPad{1,2,3}d:
// F.pad(input, padding, mode); padding (left, right, top, bottom, front, back) applies to the last
// dims, last dim first, out = in + left + right. Negative padding crops. An int padding is
// repeated 2*nd times; a tuple of any even length pads that many dims (F.pad dispatches on it).
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

struct PadLayer : Layer {
    Ints pad;
    PadFill fill = PadFill::Constant;
    explicit PadLayer(Args a, int nd, PadFill f) : Layer(std::move(a)), fill(f) {
        pad = arg_ints(args(), "padding", 2 * std::size_t(nd));
        if (present(args(), "value") && !arg(args(), "value").is_none()) arg_float(args(), "value");
    }

    // constant_pad_nd (aten/src/ATen/native/PadNd.cpp).
    Shape constant_shape(const Shape& x) const {
        std::int64_t rank = x.size();
        std::int64_t n = pad.size();
        Shape o = x;
        std::int64_t l_diff = rank - n / 2;
        // constant_pad_nd crops negative pads first with narrow(), dim by dim, left then right;
        // a crop past the size is refused there (its message differs between PyTorch versions).
        bool all_non_positive = true;
        for (std::int64_t d = l_diff; d < rank; ++d) {
            std::int64_t idx = 2 * (rank - d - 1);
            for (int side = 0; side < 2; ++side) {
                std::int64_t p = pad[idx + side];
                if (p > 0) all_non_positive = false;
                if (p >= 0) continue;
                if (checked_add(o[d], p) < 0)
                    throw ShapeError(
                        fmt::format("The input size {}, plus negative padding {} and {} "
                                    "resulted in a negative output size, which is "
                                    "invalid. Check dimension {} of your input.",
                                    x[d], pad[idx], pad[idx + 1], d));
                o[d] += p;
            }
        }
        if (!all_non_positive) {
            for (std::int64_t d = l_diff; d < rank; ++d) {
                std::int64_t idx = 2 * (rank - d - 1);
                std::int64_t nd = checked_add(checked_add(x[d], pad[idx]), pad[idx + 1]);
                if (nd < 0) // 2.x allows an empty result (1.13 refused 0)
                    throw ShapeError(
                        fmt::format("The input size {}, plus negative padding {} and {} "
                                    "resulted in a negative output size, which is "
                                    "invalid. Check dimension {} of your input.",
                                    x[d], pad[idx], pad[idx + 1], d));
                o[d] = nd;
            }
        }
        return o;
    }

    // reflection_pad{1,2,3}d / replication_pad{1,2,3}d (ReflectionPad.cpp, ReplicationPadding.cpp,
    // Padding.h check_valid_input), as _pad_enum picks them by the padding's length.
    Shape edge_shape(const Shape& x) const {
        std::int64_t rank = x.size();
        std::int64_t dims = pad.size() / 2;
        if (dims < 1 || dims > 3 || (rank != dims + 1 && rank != dims + 2))
            throw ShapeError("Only 2D, 3D, 4D, 5D padding with non-constant padding are supported "
                             "for now");
        bool batch = rank == dims + 2;
        bool ok = true;
        for (std::int64_t d = batch ? 1 : 0; d < rank; ++d)
            ok = ok && x[d] != 0;
        if (!ok)
            throw ShapeError(fmt::format("Expected {}D or {}D (batch mode) tensor with possibly 0 "
                                         "batch size and other non-zero dimensions for input, but "
                                         "got: {}",
                                         dims + 1, dims + 2, py_list(x)));
        if (fill == PadFill::Reflect)
            for (std::int64_t i = 0; i < dims; ++i) { // W (#4), then H (#6), then D (#8)
                std::int64_t d = rank - 1 - i, l = pad[2 * i], r = pad[2 * i + 1];
                if (!(l < x[d] && r < x[d]))
                    throw ShapeError(fmt::format("Argument #{}: Padding size should be less than "
                                                 "the corresponding input dimension, but got: "
                                                 "padding ({}, {}) at dimension {} of input {}",
                                                 4 + 2 * i, l, r, d, py_list(x)));
            }
        Shape o = x;
        bool any_positive = false;
        for (std::int64_t i = 0; i < dims; ++i) {
            std::int64_t d = rank - 1 - i;
            o[d] = checked_add(checked_add(x[d], pad[2 * i]), pad[2 * i + 1]);
            any_positive = any_positive || o[d] >= 1;
        }
        // In and out sizes D, H, W as the messages list them.
        auto in = [&](std::int64_t k) { return x[rank - dims + k]; };
        auto out = [&](std::int64_t k) { return o[rank - dims + k]; };
        // The 1d check wants a positive width; the 2d and 3d checks only one positive dim.
        if (dims == 1 && !any_positive)
            throw ShapeError(
                fmt::format("input (W: {}) is too small. Calculated output W: {}", in(0), out(0)));
        if (dims == 2 && !any_positive)
            throw ShapeError(fmt::format("input (H: {}, W: {}{}) is too small. Calculated output "
                                         "H: {} W: {}",
                                         in(0), in(1), fill == PadFill::Replicate ? " " : "",
                                         out(0), out(1)));
        if (dims == 3 && !any_positive)
            throw ShapeError(fmt::format("input (D: {} H: {}, W: {}) is too small. Calculated "
                                         "output D: {} H: {} W: {}",
                                         in(0), in(1), in(2), out(0), out(1), out(2)));
        for (auto v : o)
            if (v < 0)
                throw ShapeError(fmt::format(
                    "Trying to create tensor with negative dimension {}: {}", v, py_list(o)));
        return o;
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        std::int64_t rank = x.size();
        std::int64_t n = pad.size();
        if (n % 2 != 0) throw ShapeError("Padding length must be divisible by 2");
        if (n > 2 * rank)
            throw ShapeError(fmt::format("Padding length should be less than or equal to two times "
                                         "the input dimension but got padding length {} and input "
                                         "of dimension {}",
                                         n, rank));
        LayerOutput out;
        out.shape = fill == PadFill::Constant ? constant_shape(x) : edge_shape(x);
        for (std::int64_t i = 0; i < n / 2; ++i) {
            std::int64_t idx = n - (i + 1) * 2;
            AxisMap m;
            m.shift = -double(pad[idx]);
            out.axes.push_back(m);
        }
        out.rf = RfEffect::Map;
        const Value* v = args().find("value");
        lower.exec = PadDesc{pad, v && !v->is_none() ? v->as_float() : 0.0, fill};
        return out;
    }

    std::string brief() const override {
        std::string s = type() + "(" + join(pad, ", ");
        if (type().rfind("ConstantPad", 0) == 0) s += ", value=" + arg(args(), "value").repr();
        return s + ")";
    }
};

template <int ND, PadFill F>
LayerPtr make_pad(Args a) {
    return std::make_shared<PadLayer>(std::move(a), ND, F);
}

} // namespace

void register_pad(std::vector<LayerType>& r) {
    constexpr auto C = PadFill::Constant, L = PadFill::Reflect, P = PadFill::Replicate;
    // ZeroPad1d and ZeroPad3d are PyTorch 2.1's; they pad like ZeroPad2d (value 0).
    r.push_back({"ZeroPad1d", {req("padding")}, false, "pad", make_pad<1, C>});
    r.push_back({"ZeroPad2d", {req("padding")}, false, "pad", make_pad<2, C>});
    r.push_back({"ZeroPad3d", {req("padding")}, false, "pad", make_pad<3, C>});
    r.push_back({"ConstantPad1d", {req("padding"), req("value")}, false, "pad", make_pad<1, C>});
    r.push_back({"ConstantPad2d", {req("padding"), req("value")}, false, "pad", make_pad<2, C>});
    r.push_back({"ConstantPad3d", {req("padding"), req("value")}, false, "pad", make_pad<3, C>});
    r.push_back({"ReflectionPad1d", {req("padding")}, false, "pad", make_pad<1, L>});
    r.push_back({"ReflectionPad2d", {req("padding")}, false, "pad", make_pad<2, L>});
    r.push_back({"ReflectionPad3d", {req("padding")}, false, "pad", make_pad<3, L>});
    r.push_back({"ReplicationPad1d", {req("padding")}, false, "pad", make_pad<1, P>});
    r.push_back({"ReplicationPad2d", {req("padding")}, false, "pad", make_pad<2, P>});
    r.push_back({"ReplicationPad3d", {req("padding")}, false, "pad", make_pad<3, P>});
}

} // namespace cnnshape::detail
