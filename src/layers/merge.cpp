// Merge layers joining branches: Add (x + y with PyTorch broadcasting) and Concat (torch.cat).
#include "common.hpp"
#include <algorithm>

namespace cnnshape::detail {
namespace {

struct AddLayer : Layer {
    explicit AddLayer(Args a) : Layer(std::move(a)) {}
    bool multi_input() const override { return true; }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&) const override {
        if (inputs.size() < 2)
            throw ShapeError(fmt::format("Add needs at least 2 inputs, got {}", inputs.size()));
        Shape r = inputs[0];
        for (std::size_t t = 1; t < inputs.size(); ++t) {
            const Shape& b = inputs[t];
            std::size_t n = std::max(r.size(), b.size());
            Shape o(n);
            // at::infer_size walks from the last dimension, so that one is reported first.
            for (std::size_t i = n; i-- > 0;) {
                std::int64_t da = i + r.size() >= n ? r[i + r.size() - n] : 1;
                std::int64_t db = i + b.size() >= n ? b[i + b.size() - n] : 1;
                if (da != db && da != 1 && db != 1)
                    throw ShapeError(fmt::format("The size of tensor a ({}) must match the size of "
                                                 "tensor b ({}) at non-singleton dimension {}",
                                                 da, db, i));
                o[i] = da == 1 ? db : da;
            }
            r = o;
        }
        LayerOutput out;
        out.shape = r;
        out.exec = AddDesc{};
        return out;
    }
    std::string brief() const override { return "Add"; }
};

struct ConcatLayer : Layer {
    std::int64_t dim;
    explicit ConcatLayer(Args a) : Layer(std::move(a)) { dim = arg_int(args(), "dim"); }
    bool multi_input() const override { return true; }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&) const override {
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
        out.exec = ConcatDesc{d};
        return out;
    }
    std::string brief() const override { return fmt::format("Concat(dim={})", dim); }
};

LayerPtr make_add(Args a) {
    return std::make_shared<AddLayer>(std::move(a));
}
LayerPtr make_concat(Args a) {
    return std::make_shared<ConcatLayer>(std::move(a));
}

} // namespace

void register_merge(std::vector<LayerType>& r) {
    r.push_back({"Add", {}, false, "merge", make_add});
    r.push_back({"Concat", {opt("dim", I(0))}, false, "merge", make_concat});
}

} // namespace cnnshape::detail
