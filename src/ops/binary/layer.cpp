// Add: x + y with PyTorch broadcasting.
#include "layers/common.hpp"
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

LayerPtr make_add(Args a) {
    return std::make_shared<AddLayer>(std::move(a));
}
} // namespace

void register_binary(std::vector<LayerType>& r) {
    r.push_back({"Add", {}, false, "merge", make_add});
}

} // namespace cnnshape::detail
