// Flatten(start_dim, end_dim): merges a dim range into one dim. Also TensorFlatten, torch.flatten
// (and Tensor.flatten): the same rule with start_dim=0 by default (nn.Flatten's is 1).
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

struct FlattenLayer : Layer {
    std::int64_t start_dim, end_dim;
    explicit FlattenLayer(Args a) : Layer(std::move(a)) {
        start_dim = arg_int(args(), "start_dim");
        end_dim = arg_int(args(), "end_dim");
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        std::int64_t rank = x.size();
        std::int64_t s = wrap_dim(start_dim, rank), e = wrap_dim(end_dim, rank);
        if (s > e)
            throw ShapeError("flatten() has invalid args: start_dim cannot come after end_dim");
        LayerOutput out;
        lower.exec = FlattenDesc{s, e}; // a view: the data is unchanged
        if (rank == 0) {
            out.shape = {1};
            return out; // one element, seen as it is
        } else if (s == e) {
            out.shape = x;
            return out;
        } else {
            Shape o(x.begin(), x.begin() + s);
            o.push_back(checked_product(Ints(x.begin() + s, x.begin() + e + 1)));
            o.insert(o.end(), x.begin() + e + 1, x.end());
            out.shape = o;
        }
        // Merging leading dims (N and C) keeps the field; merging a spatial axis ends it.
        out.rf = RfEffect::Reshape;
        out.rf_dims = {s, e};
        return out;
    }

    std::string brief() const override {
        std::int64_t default_start = type() == "Flatten" ? 1 : 0;
        if (start_dim == default_start && end_dim == -1) return type();
        return fmt::format("{}({}, {})", type(), start_dim, end_dim);
    }
};

LayerPtr make_flatten(Args a) {
    return std::make_shared<FlattenLayer>(std::move(a));
}

} // namespace

void register_flatten(std::vector<LayerType>& r) {
    r.push_back({"Flatten",
                 {opt("start_dim", I(1)), opt("end_dim", I(-1))},
                 false,
                 "reshape",
                 make_flatten});
    r.push_back({"TensorFlatten",
                 {opt("start_dim", I(0)), opt("end_dim", I(-1))},
                 false,
                 "reshape",
                 make_flatten,
                 {"torch.flatten"}});
}

} // namespace cnnshape::detail
