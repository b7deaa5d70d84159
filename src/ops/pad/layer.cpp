// ZeroPad2d / ConstantPad2d: F.pad(input, padding, 'constant'); padding (left, right, top, bottom)
// applies to the last dims, last dim first. Negative padding crops.
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

struct PadLayer : Layer {
    Ints pad;
    explicit PadLayer(Args a) : Layer(std::move(a)) {
        pad = arg_ints(args(), "padding", 4);
        if (present(args(), "value")) arg_float(args(), "value");
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
        Shape o = x;
        LayerOutput out;
        std::int64_t l_pad = n / 2, l_diff = rank - l_pad;
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
        for (std::int64_t i = 0; i < l_pad; ++i) {
            std::int64_t idx = n - (i + 1) * 2;
            AxisMap m;
            m.shift = -double(pad[idx]);
            out.axes.push_back(m);
        }
        out.shape = o;
        out.rf = RfEffect::Map;
        const Value* v = args().find("value");
        lower.exec = ConstantPadDesc{pad, v ? v->as_float() : 0.0};
        return out;
    }

    std::string brief() const override {
        std::string s = type() + "(" + join(pad, ", ");
        if (type() == "ConstantPad2d") s += ", value=" + arg(args(), "value").repr();
        return s + ")";
    }
};

LayerPtr make_pad(Args a) {
    return std::make_shared<PadLayer>(std::move(a));
}

} // namespace

void register_pad(std::vector<LayerType>& r) {
    r.push_back({"ZeroPad2d", {req("padding")}, false, "pad", make_pad});
    r.push_back({"ConstantPad2d", {req("padding"), req("value")}, false, "pad", make_pad});
}

} // namespace cnnshape::detail
