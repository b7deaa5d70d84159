// Shape-preserving layers: Dropout, Dropout2d, Identity and the activations.
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

struct ElementwiseLayer : Layer {
    explicit ElementwiseLayer(Args a) : Layer(std::move(a)) {
        // Read every argument once so a wrong type is reported at construction.
        for (auto& [k, v] : args().values) {
            if (k == "inplace")
                arg_bool(args(), "inplace");
            else if (k == "p" || k == "negative_slope")
                arg_float(args(), k.c_str());
            else if (k == "approximate")
                arg_str(args(), "approximate");
        }
    }

    void check_construct() const override {
        if (const Value* p = args().find("p")) {
            double v = p->as_float();
            if (v < 0 || v > 1)
                throw ShapeError(fmt::format("dropout probability has to be between 0 and 1, but "
                                             "got {}",
                                             p->repr()));
        }
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext& ctx,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        ElementwiseDesc d;
        const std::string& t = type();
        d.act = t == "ReLU"          ? Activation::ReLU
                : t == "ReLU6"       ? Activation::ReLU6
                : t == "LeakyReLU"   ? Activation::LeakyReLU
                : t == "GELU"        ? Activation::GELU
                : t == "SiLU"        ? Activation::SiLU
                : t == "Sigmoid"     ? Activation::Sigmoid
                : t == "Tanh"        ? Activation::Tanh
                : t == "Hardswish"   ? Activation::Hardswish
                : t == "Hardsigmoid" ? Activation::Hardsigmoid
                                     : Activation::Identity;
        if (const Value* s = args().find("negative_slope")) d.negative_slope = s->as_float();
        if (const Value* p = args().find("p")) {
            d.p = p->as_float();
            d.channelwise = t == "Dropout2d";
            if (ctx.mode == Mode::Train) {
                d.act = Activation::Dropout;
                // aten's make_feature_noise, reached in train mode with 0 < p < 1
                if (d.channelwise && x.size() < 2 && d.p > 0 && d.p < 1 && numel(x) != 0)
                    throw ShapeError("Feature dropout requires at least 2 dimensions in the input");
            }
        }
        if (const Value* a = args().find("approximate")) {
            if (a->as_string() != "none" && a->as_string() != "tanh")
                throw ShapeError("approximate argument must be either none or tanh.");
            if (a->as_string() == "tanh") d.act = Activation::GELUTanh;
        }
        LayerOutput out;
        lower.exec = d;
        out.shape = x;
        return out;
    }

    std::string brief() const override {
        Brief b;
        if (const Value* p = args().find("p")) b.add(p->repr());
        if (const Value* s = args().find("negative_slope"))
            if (s->as_float() != 0.01) b.add(s->repr());
        if (const Value* a = args().find("approximate"))
            if (a->as_string() != "none") b.add("approximate='" + a->as_string() + "'");
        return b.text.empty() ? type() : b.wrap(type());
    }
};

LayerPtr make(Args a) {
    return std::make_shared<ElementwiseLayer>(std::move(a));
}

} // namespace

void register_elementwise(std::vector<LayerType>& r) {
    std::vector<ParamSpec> drop = {opt("p", F(0.5)), opt("inplace", B(false))};
    std::vector<ParamSpec> inplace = {opt("inplace", B(false))};
    r.push_back({"Dropout", drop, false, "regularization", make});
    r.push_back({"Dropout2d", drop, false, "regularization", make});
    r.push_back({"Identity", {}, true, "identity", make});
    r.push_back({"ReLU", inplace, false, "activation", make});
    r.push_back({"ReLU6", inplace, false, "activation", make});
    r.push_back({"LeakyReLU",
                 {opt("negative_slope", F(0.01)), opt("inplace", B(false))},
                 false,
                 "activation",
                 make});
    r.push_back({"GELU", {opt("approximate", S("none"))}, false, "activation", make});
    r.push_back({"SiLU", inplace, false, "activation", make});
    r.push_back({"Sigmoid", {}, false, "activation", make});
    r.push_back({"Tanh", {}, false, "activation", make});
    r.push_back({"Hardswish", inplace, false, "activation", make});
    r.push_back({"Hardsigmoid", inplace, false, "activation", make});
}

} // namespace cnnshape::detail
