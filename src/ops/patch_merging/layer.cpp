// PatchMerging(dim) and PatchMergingV2(dim), torchvision 0.14's swin_transformer modules with
// their default norm_layer (nn.LayerNorm, eps 1e-5): (..., H, W, dim) ->
// (..., ceil(H/2), ceil(W/2), 2 dim). __init__ builds reduction = Linear(4 dim, 2 dim,
// bias=False), then norm = LayerNorm(4 dim) (V2: LayerNorm(2 dim)); forward unpacks
// x.shape[-3:], pads and joins (_patch_merging_pad), then norm and reduction (V2: the other way
// round), whose checks give the messages.
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

struct PatchMergingLayer : Layer {
    bool v2;
    std::int64_t dim;

    PatchMergingLayer(Args a, bool v2_) : Layer(std::move(a)), v2(v2_) {
        dim = arg_int(args(), "dim");
    }

    void check_construct() const override {
        const Ints w = {checked_mul(2, dim), checked_mul(4, dim)};
        for (std::int64_t v : w)
            if (v < 0)
                throw ShapeError(fmt::format(
                    "Trying to create tensor with negative dimension {}: {}", v, py_list(w)));
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        if (x.size() < 3)
            throw ShapeError(
                fmt::format("not enough values to unpack (expected 3, got {})", x.size()));
        for (std::int64_t v : x)
            if (v == 0)
                throw ShapeError(fmt::format("{} of an empty input {}: cnnshape does not plan it",
                                             type(), py_list(x)));
        const std::size_t r = x.size();
        const std::int64_t H = x[r - 3], W = x[r - 2], C = x[r - 1];
        Shape y(x.begin(), x.end() - 3);
        std::int64_t outer = 1;
        for (std::int64_t v : y)
            outer = checked_mul(outer, v);
        const std::int64_t H2 = (H + 1) / 2, W2 = (W + 1) / 2, C4 = checked_mul(4, C);
        y.push_back(H2);
        y.push_back(W2);
        Shape cat = y;
        cat.push_back(C4);
        const std::int64_t D4 = checked_mul(4, dim), D2 = checked_mul(2, dim);
        const std::int64_t rows = checked_mul(outer, checked_mul(H2, W2));
        if (!v2 && C4 != D4)
            throw ShapeError(fmt::format("Given normalized_shape=[{}], expected input with shape "
                                         "[*, {}], but got input of size{}",
                                         D4, D4, py_list(cat)));
        if (v2 && C4 != D4)
            throw ShapeError(fmt::format("mat1 and mat2 shapes cannot be multiplied ({}x{} and "
                                         "{}x{})",
                                         rows, C4, D4, D2));
        y.push_back(D2);
        PatchMergingDesc d;
        d.v2 = v2;
        d.outer = outer;
        d.H = H, d.W = W, d.C = C;
        lower.exec = d;
        LayerOutput out;
        out.shape = y;
        const std::int64_t norm = v2 ? D2 : D4;
        out.params = checked_add(checked_mul(D4, D2), checked_mul(2, norm));
        // reduction, a Linear over the merged channels: output elements x 4 dim
        out.macs = checked_mul(checked_mul(rows, D2), D4);
        // The 2 x 2 merge is over dims -3 and -2, which are not the trailing (spatial) ones of
        // a channels-first layout: no receptive field is tracked through it.
        out.rf = RfEffect::Drop;
        TensorSpec w{"reduction.weight", {D2, D4}, false, false, Init::KaimingUniform, D4};
        lower.tensors.push_back(w);
        lower.tensors.push_back({"norm.weight", {norm}, false, false, Init::Ones, 0});
        lower.tensors.push_back({"norm.bias", {norm}, false, false, Init::Zeros, 0});
        return out;
    }

    std::string brief() const override { return type() + "(" + std::to_string(dim) + ")"; }
};

LayerPtr make_v1(Args a) {
    return std::make_shared<PatchMergingLayer>(std::move(a), false);
}
LayerPtr make_v2(Args a) {
    return std::make_shared<PatchMergingLayer>(std::move(a), true);
}

} // namespace

void register_patch_merging(std::vector<LayerType>& r) {
    for (auto [name, make] :
         {std::pair{"PatchMerging", &make_v1}, std::pair{"PatchMergingV2", &make_v2}})
        r.push_back({name,
                     {req("dim")},
                     false,
                     "attention",
                     make,
                     {std::string("torchvision.models.swin_transformer.") + name}});
}

} // namespace cnnshape::detail
