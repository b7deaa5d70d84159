// Softmax(dim) and LogSoftmax(dim): the shape is kept; dim=None takes PyTorch's legacy default.
// Softmax2d: Softmax over dim -3 of a 3-D or 4-D input. GLU(dim): halves dim.
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

struct SoftmaxLayer : Layer {
    std::optional<std::int64_t> dim;

    explicit SoftmaxLayer(Args a) : Layer(std::move(a)) {
        if (type() == "GLU")
            dim = arg_int(args(), "dim");
        else if (type() != "Softmax2d")
            dim = arg_opt_int(args(), "dim");
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        std::int64_t rank = x.size();
        if (type() == "GLU") return glu(x, lower);
        if (type() == "Softmax2d") {
            // nn.Softmax2d.forward: assert input.dim() in (3, 4), then softmax over dim -3
            if (rank != 3 && rank != 4)
                throw ShapeError("Softmax2d requires a 3D or 4D tensor as input");
            SoftmaxDesc d{rank - 3, SoftmaxKind::Softmax};
            LayerOutput out;
            lower.exec = d;
            out.shape = x;
            out.rf = RfEffect::Whole;
            out.rf_dims = {d.dim};
            return out;
        }
        // torch.nn.functional._get_softmax_dim for dim=None
        std::int64_t dim_or_default = dim ? *dim : ((rank == 0 || rank == 1 || rank == 3) ? 0 : 1);
        SoftmaxDesc d{wrap_dim(dim_or_default, rank),
                      type() == "LogSoftmax" ? SoftmaxKind::LogSoftmax : SoftmaxKind::Softmax};
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

    // aten's glu: no 0-dim input, dim wrapped, its size even; the output has half of it.
    LayerOutput glu(const Shape& x, Lowering& lower) const {
        if (x.empty())
            throw ShapeError("glu does not support scalars because halving size must be even");
        SoftmaxDesc d{wrap_dim(*dim, std::int64_t(x.size())), SoftmaxKind::GLU};
        if (x[d.dim] % 2 != 0)
            throw ShapeError(fmt::format(
                "Halving dimension must be even, but dimension {} is size {}", d.dim, x[d.dim]));
        LayerOutput out;
        lower.exec = d;
        out.shape = x;
        out.shape[d.dim] /= 2;
        // Output i sees inputs i and i + size / 2 along dim: counted as the whole dim.
        out.rf = RfEffect::Whole;
        out.rf_dims = {d.dim};
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
    r.push_back({"LogSoftmax", {opt("dim", N())}, false, "activation", make});
    r.push_back({"Softmax2d", {}, false, "activation", make});
    r.push_back({"GLU", {opt("dim", I(-1))}, false, "activation", make});
}

} // namespace cnnshape::detail
