// Linear: (*, in_features) -> (*, out_features).
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

struct LinearLayer : Layer {
    std::optional<std::int64_t> in_features;
    std::int64_t out_features;
    bool bias;

    explicit LinearLayer(Args a) : Layer(std::move(a)) {
        if (present(args(), "in_features")) in_features = arg_int(args(), "in_features");
        out_features = arg_int(args(), "out_features");
        bias = arg_bool(args(), "bias");
    }

    void check_construct() const override {
        if (type() == "LazyLinear") return; // Linear(0, 0): the weight is made in forward
        for (auto v : {in_features.value_or(0), out_features})
            if (v < 0)
                throw ShapeError(
                    fmt::format("Trying to create tensor with negative dimension {}: [{}, {}]", v,
                                out_features, in_features.value_or(0)));
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        // nn.LazyLinear: LazyLinear.initialize_parameters reads input.shape[-1] first.
        if (type() == "LazyLinear") {
            if (x.empty()) throw ShapeError("tuple index out of range");
            if (out_features < 0)
                throw ShapeError(
                    fmt::format("Trying to create tensor with negative dimension {}: [{}, {}]",
                                out_features, out_features, x.back()));
        }
        std::int64_t in = in_features.value_or(x.empty() ? 0 : x.back());
        if (x.empty())
            throw ShapeError(
                "both arguments to matmul need to be at least 1D, but they are 0D and 2D");
        if (x.back() != in) {
            std::int64_t rows = checked_product(Ints(x.begin(), x.end() - 1));
            throw ShapeError(
                fmt::format("mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})", rows,
                            x.back(), in, out_features));
        }
        LayerOutput out;
        if (!in_features) out.inferred.emplace_back("in_features", in);
        out.shape = x;
        out.shape.back() = out_features;
        out.params = checked_add(checked_mul(in, out_features), bias ? out_features : 0);
        out.macs = checked_mul(numel(out.shape), in);
        // Every output mixes the whole last dim (after Flatten, no spatial axis is left).
        out.rf = RfEffect::Whole;
        out.rf_dims = {std::int64_t(x.size()) - 1};
        lower.exec = LinearDesc{in, out_features, bias};
        lower.tensors.push_back(
            {"weight", {out_features, in}, false, false, Init::KaimingUniform, in});
        if (bias)
            lower.tensors.push_back({"bias", {out_features}, false, false, Init::FanInUniform, in});
        return out;
    }

    std::string brief() const override {
        Brief b;
        bool lazy = type() == "LazyLinear";
        if (!lazy) b.add(in_features ? std::to_string(*in_features) : "?");
        b.add(std::to_string(out_features));
        if (!bias) b.add("bias=False");
        if (lazy) b.add("in=?"); // the plan fills in the inferred in_features
        return b.wrap(type());
    }
};

LayerPtr make_linear(Args a) {
    return std::make_shared<LinearLayer>(std::move(a));
}

} // namespace

void register_linear(std::vector<LayerType>& r) {
    r.push_back({"Linear",
                 {inferable("in_features"), req("out_features"), opt("bias", B(true)),
                  opt("device", N()), opt("dtype", N())},
                 false,
                 "linear",
                 make_linear});
    // nn.LazyLinear(out_features, bias=True): in_features taken from the input's last dim.
    r.push_back({"LazyLinear",
                 {req("out_features"), opt("bias", B(true)), opt("device", N()), opt("dtype", N())},
                 false,
                 "linear",
                 make_linear});
}

} // namespace cnnshape::detail
