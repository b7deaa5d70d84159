// Concat: torch.cat along dim. Stack: torch.stack, a new dim at `dim` (in [-rank-1, rank]).
#include "layers/common.hpp"
#include <algorithm>

namespace cnnshape::detail {
namespace {

struct ConcatLayer : Layer {
    std::int64_t dim;
    explicit ConcatLayer(Args a) : Layer(std::move(a)) { dim = arg_int(args(), "dim"); }
    InputCount input_count() const override { return {1, SIZE_MAX}; }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        if (inputs.empty()) throw ShapeError("torch.cat(): expected a non-empty list of Tensors");
        for (std::size_t t = 0; t < inputs.size(); ++t)
            if (inputs[t].empty())
                throw ShapeError(fmt::format("zero-dimensional tensor (at position {}) cannot be "
                                             "concatenated",
                                             t));
        const Shape& first = inputs[0];
        std::int64_t rank = first.size();
        std::int64_t d = wrap_dim(dim, rank);
        Shape o = first;
        for (std::size_t t = 1; t < inputs.size(); ++t) {
            const Shape& b = inputs[t];
            if (std::int64_t(b.size()) != rank)
                throw ShapeError(fmt::format("Tensors must have same number of dimensions: got {} "
                                             "and {}",
                                             rank, b.size()));
            for (std::int64_t i = 0; i < rank; ++i)
                if (i != d && b[i] != first[i])
                    throw ShapeError(fmt::format("Sizes of tensors must match except in dimension "
                                                 "{}. Expected size {} but got size {} for tensor "
                                                 "number {} in the list.",
                                                 d, first[i], b[i], t));
            o[d] = checked_add(o[d], b[d]);
        }
        LayerOutput out;
        out.shape = o;
        lower.exec = ConcatDesc{d};
        return out;
    }
    std::string brief() const override { return fmt::format("Concat(dim={})", dim); }
};

struct StackLayer : Layer {
    std::int64_t dim;
    explicit StackLayer(Args a) : Layer(std::move(a)) { dim = arg_int(args(), "dim"); }
    InputCount input_count() const override { return {1, SIZE_MAX}; }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        // aten's stack: the list, then the dim (wrapped for rank + 1), then every size.
        if (inputs.empty()) throw ShapeError("stack expects a non-empty TensorList");
        const Shape& first = inputs[0];
        const std::int64_t d = wrap_dim(dim, std::int64_t(first.size()) + 1);
        for (std::size_t t = 1; t < inputs.size(); ++t)
            if (inputs[t] != first)
                throw ShapeError(fmt::format("stack expects each tensor to be equal size, but got "
                                             "{} at entry 0 and {} at entry {}",
                                             py_list(first), py_list(inputs[t]), t));
        LayerOutput out;
        out.shape = first;
        out.shape.insert(out.shape.begin() + d, std::int64_t(inputs.size()));
        // As Unsqueeze: the field is kept when the new dim goes before the spatial axes.
        if (d > 0) {
            out.rf = RfEffect::Reshape;
            out.rf_dims = {-1, d - 1};
        }
        lower.exec = ConcatDesc{d, true};
        return out;
    }
    std::string brief() const override {
        return dim == 0 ? "Stack" : fmt::format("Stack(dim={})", dim);
    }
};

LayerPtr make_stack(Args a) {
    return std::make_shared<StackLayer>(std::move(a));
}

LayerPtr make_concat(Args a) {
    return std::make_shared<ConcatLayer>(std::move(a));
}
} // namespace

void register_concat(std::vector<LayerType>& r) {
    r.push_back(
        {"Concat", {opt("dim", I(0))}, false, "merge", make_concat, {"torch.cat", "torch.concat"}});
    r.push_back({"Stack", {opt("dim", I(0))}, false, "merge", make_stack, {"torch.stack"}});
}

} // namespace cnnshape::detail
