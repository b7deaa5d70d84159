// Shape-preserving layers: the Dropouts, StochasticDepth, Identity and the activations (PReLU
// with its learned weight).
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

struct ElementwiseLayer : Layer {
    explicit ElementwiseLayer(Args a) : Layer(std::move(a)) {
        // Read every argument once so a wrong type is reported at construction.
        for (auto& [k, v] : args().values) {
            if (k == "inplace")
                arg_bool(args(), "inplace");
            else if (k == "p" || k == "negative_slope" || k == "min_val" || k == "max_val" ||
                     k == "alpha" || k == "beta" || k == "threshold" || k == "value" ||
                     k == "lambd" || k == "init")
                arg_float(args(), k.c_str());
            else if (k == "min_value" || k == "max_value")
                arg_opt_float(args(), k.c_str());
            else if (k == "approximate")
                arg_str(args(), k.c_str());
            else if (k == "num_parameters")
                arg_int(args(), k.c_str());
        }
    }

    // Hardtanh's bounds: min_value/max_value, when given, replace min_val/max_val (deprecated).
    double hardtanh_bound(const char* name, const char* deprecated) const {
        if (auto v = arg_opt_float(args(), deprecated)) return *v;
        return arg_float(args(), name);
    }

    void check_construct() const override {
        const std::string& t = type();
        if (t == "Hardtanh") {
            double lo = hardtanh_bound("min_val", "min_value"),
                   hi = hardtanh_bound("max_val", "max_value");
            // PyTorch: `assert self.max_val > self.min_val`, an AssertionError with no message.
            if (!(hi > lo))
                throw ShapeError(fmt::format("AssertionError: Hardtanh needs max_val > min_val "
                                             "(assert self.max_val > self.min_val), but got "
                                             "min_val={} and max_val={}",
                                             py_float(lo), py_float(hi)));
        }
        if (t == "PReLU") {
            std::int64_t n = arg_int(args(), "num_parameters");
            if (n < 0)
                throw ShapeError(
                    fmt::format("Trying to create tensor with negative dimension {}: [{}]", n, n));
        }
        if (t == "StochasticDepth") return; // torchvision checks p and mode in forward
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
        d.act = t == "ReLU"                                ? Activation::ReLU
                : t == "ReLU6"                             ? Activation::ReLU6
                : t == "LeakyReLU"                         ? Activation::LeakyReLU
                : t == "GELU"                              ? Activation::GELU
                : t == "SiLU"                              ? Activation::SiLU
                : t == "Sigmoid"                           ? Activation::Sigmoid
                : t == "Tanh"                              ? Activation::Tanh
                : t == "Hardswish"                         ? Activation::Hardswish
                : t == "Hardsigmoid"                       ? Activation::Hardsigmoid
                : t == "Hardtanh"                          ? Activation::Hardtanh
                : t == "ELU" || t == "SELU" || t == "CELU" ? Activation::ELU
                : t == "Mish"                              ? Activation::Mish
                : t == "Softplus"                          ? Activation::Softplus
                : t == "Softsign"                          ? Activation::Softsign
                : t == "Threshold"                         ? Activation::Threshold
                : t == "Hardshrink"                        ? Activation::Hardshrink
                : t == "Softshrink"                        ? Activation::Softshrink
                : t == "Tanhshrink"                        ? Activation::Tanhshrink
                : t == "LogSigmoid"                        ? Activation::LogSigmoid
                : t == "PReLU"                             ? Activation::PReLU
                                                           : Activation::Identity;
        if (const Value* s = args().find("negative_slope")) d.negative_slope = s->as_float();
        LayerOutput out;
        if (t == "Hardtanh") {
            d.a = hardtanh_bound("min_val", "min_value");
            d.b = hardtanh_bound("max_val", "max_value");
        } else if (t == "ELU") {
            d.a = arg_float(args(), "alpha");
        } else if (t == "SELU") { // torch.nn.functional.selu's constants, as aten's selu has them
            d.a = 1.6732632423543772848170429916717;
            d.scale = 1.0507009873554804934193349852946;
        } else if (t == "CELU") { // aten's celu: elu(alpha, 1, 1 / alpha)
            d.a = arg_float(args(), "alpha");
            if (d.a == 0) throw ShapeError("ZeroDivisionError: alpha cannot be 0 for CELU");
            d.input_scale = 1.0 / d.a;
        } else if (t == "Softplus") {
            d.a = arg_float(args(), "beta");
            d.b = arg_float(args(), "threshold");
        } else if (t == "Threshold") {
            d.a = arg_float(args(), "threshold");
            d.b = arg_float(args(), "value");
        } else if (t == "Hardshrink" || t == "Softshrink") {
            d.a = arg_float(args(), "lambd");
            if (t == "Softshrink" && !(d.a >= 0))
                throw ShapeError(fmt::format(
                    "lambda must be greater or equal to 0, but found to be {:g}.", d.a));
        } else if (t == "PReLU") {
            // aten's prelu: one weight broadcasts; otherwise it must match dim 1 (1 for a 1-D
            // input), and a 0-dim input has no channels.
            const std::int64_t n = arg_int(args(), "num_parameters");
            d.num_parameters = n;
            if (n != 1) {
                if (x.empty()) throw ShapeError("Not allow zero-dim input tensor.");
                const std::int64_t c = x.size() > 1 ? x[1] : 1;
                if (c != n)
                    throw ShapeError(fmt::format("Mismatch of parameter numbers and input channel "
                                                 "size. Found parameter numbers = {} and channel "
                                                 "size = {}.",
                                                 n, c));
            }
            out.params = n;
            TensorSpec w{"weight", {n}, false, false, Init::Constant, 0};
            w.value = arg_float(args(), "init");
            lower.tensors.push_back(w);
        } else if (t == "Dropout1d" && x.size() != 2 && x.size() != 3) {
            throw ShapeError(fmt::format(
                "dropout1d: Expected 2D or 3D input, but received a {}D input. Note that "
                "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
                "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
                "inputs).",
                x.size()));
        } else if (t == "StochasticDepth") {
            // torchvision.ops.stochastic_depth checks p and mode on every call, then returns the
            // input unless training with p != 0.
            const Value* p = args().find("p");
            const double pv = arg_float(args(), "p");
            const Value& m = *args().find("mode");
            // any value is compared with the two strings; the message shows it as str() would
            const std::string mode = m.is_string() ? m.as_string() : m.repr();
            if (pv < 0.0 || pv > 1.0)
                throw ShapeError(fmt::format(
                    "drop probability has to be between 0 and 1, but got {}", p->repr()));
            if (!m.is_string() || (mode != "batch" && mode != "row"))
                throw ShapeError(
                    fmt::format("mode has to be either 'batch' or 'row', but got {}", mode));
            d.p = pv;
            if (ctx.mode == Mode::Train && pv != 0.0) {
                if (mode == "row" && x.empty()) throw ShapeError("tuple index out of range");
                d.act = Activation::Dropout;
                d.stochastic = mode == "row" ? 1 : 2;
            }
            lower.exec = d;
            out.shape = x;
            return out;
        }
        if (const Value* p = args().find("p")) {
            d.p = p->as_float();
            d.channelwise = t == "Dropout1d" || t == "Dropout2d" || t == "Dropout3d" ||
                            t == "FeatureAlphaDropout";
            d.alpha = t == "AlphaDropout" || t == "FeatureAlphaDropout";
            // functional.dropout1d/3d view an unbatched input with a leading 1
            d.unbatched =
                (t == "Dropout1d" && x.size() == 2) || (t == "Dropout3d" && x.size() != 5);
            if (ctx.mode == Mode::Train) {
                d.act = Activation::Dropout;
                // aten's make_feature_noise, reached in train mode with 0 < p < 1
                const std::size_t rank = x.size() + (d.unbatched ? 1 : 0);
                if (d.channelwise && rank < 2 && d.p > 0 && d.p < 1 && numel(x) != 0)
                    throw ShapeError("Feature dropout requires at least 2 dimensions in the input");
            }
        }
        if (const Value* a = args().find("approximate")) {
            if (a->as_string() != "none" && a->as_string() != "tanh")
                throw ShapeError("approximate argument must be either none or tanh.");
            if (a->as_string() == "tanh") d.act = Activation::GELUTanh;
        }
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
        const std::string& t = type();
        if (t == "Hardtanh") {
            double lo = hardtanh_bound("min_val", "min_value"),
                   hi = hardtanh_bound("max_val", "max_value");
            if (lo != -1.0 || hi != 1.0) b.add(py_float(lo) + ", " + py_float(hi));
        }
        for (const char* k : {"alpha", "lambd", "beta"})
            if (const Value* v = args().find(k))
                if (v->as_float() != (std::string(k) == "lambd" ? 0.5 : 1.0)) b.add(v->repr());
        if (t == "Softplus" && arg_float(args(), "threshold") != 20)
            b.add("threshold=" + args().find("threshold")->repr());
        if (t == "Threshold")
            b.add(args().find("threshold")->repr() + ", " + args().find("value")->repr());
        if (t == "PReLU" && arg_int(args(), "num_parameters") != 1)
            b.add(args().find("num_parameters")->repr());
        if (const Value* m = args().find("mode"))
            b.add(m->is_string() ? m->as_string() : m->repr());
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
    r.push_back({"Dropout1d", drop, false, "regularization", make});
    r.push_back({"Dropout3d", drop, false, "regularization", make});
    r.push_back({"AlphaDropout", drop, false, "regularization", make});
    r.push_back({"FeatureAlphaDropout", drop, false, "regularization", make});
    r.push_back({"StochasticDepth",
                 {req("p"), req("mode")},
                 false,
                 "regularization",
                 make,
                 {"torchvision.ops.StochasticDepth", "ops.StochasticDepth"}});
    r.push_back({"Hardtanh",
                 {opt("min_val", F(-1.0)), opt("max_val", F(1.0)), opt("inplace", B(false)),
                  opt("min_value", N()), opt("max_value", N())},
                 false,
                 "activation",
                 make});
    r.push_back(
        {"ELU", {opt("alpha", F(1.0)), opt("inplace", B(false))}, false, "activation", make});
    r.push_back({"SELU", inplace, false, "activation", make});
    r.push_back(
        {"CELU", {opt("alpha", F(1.0)), opt("inplace", B(false))}, false, "activation", make});
    r.push_back({"Mish", inplace, false, "activation", make});
    r.push_back(
        {"Softplus", {opt("beta", I(1)), opt("threshold", I(20))}, false, "activation", make});
    r.push_back({"Softsign", {}, false, "activation", make});
    r.push_back({"Threshold",
                 {req("threshold"), req("value"), opt("inplace", B(false))},
                 false,
                 "activation",
                 make});
    r.push_back({"Hardshrink", {opt("lambd", F(0.5))}, false, "activation", make});
    r.push_back({"Softshrink", {opt("lambd", F(0.5))}, false, "activation", make});
    r.push_back({"Tanhshrink", {}, false, "activation", make});
    r.push_back({"LogSigmoid", {}, false, "activation", make});
    r.push_back(
        {"PReLU",
         {opt("num_parameters", I(1)), opt("init", F(0.25)), opt("device", N()), opt("dtype", N())},
         false,
         "activation",
         make});
}

} // namespace cnnshape::detail
