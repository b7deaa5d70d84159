// Softmax(dim): the shape is kept; dim=None takes PyTorch's legacy default.
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

struct SoftmaxLayer : Layer {
    std::optional<std::int64_t> dim;

    explicit SoftmaxLayer(Args a) : Layer(std::move(a)) { dim = arg_opt_int(args(), "dim"); }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        std::int64_t rank = x.size();
        // torch.nn.functional._get_softmax_dim for dim=None
        std::int64_t dim_or_default = dim ? *dim : ((rank == 0 || rank == 1 || rank == 3) ? 0 : 1);
        SoftmaxDesc d{wrap_dim(dim_or_default, rank)};
        LayerOutput out;
        lower.exec = d;
        out.shape = x;
        // Softmax normalises along its dim: every output sees that whole dim.
        if (!x.empty()) {
            out.rf = RfEffect::Whole;
            out.rf_dims = {d.dim};
        }
        return out;
    }

    std::string brief() const override {
        Brief b;
        if (const Value* d = args().find("dim")) b.add("dim=" + d->repr());
        return b.text.empty() ? type() : b.wrap(type());
    }
};

LayerPtr make(Args a) {
    return std::make_shared<SoftmaxLayer>(std::move(a));
}

} // namespace

void register_softmax(std::vector<LayerType>& r) {
    r.push_back({"Softmax", {opt("dim", N())}, false, "activation", make});
}

} // namespace cnnshape::detail
