// LocalResponseNorm(size, alpha=1e-4, beta=0.75, k=1.0): shape kept, at least 3 dims; no params.
// torch.nn.functional.local_response_norm pads the channels of x*x with size // 2 zeros before
// and (size - 1) // 2 after (F.pad, which narrows for a negative pad) and average-pools them
// with a window of `size` channels (avg_pool2d for 3-D input, avg_pool3d otherwise).
#include "cnnshape/rules.hpp"
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    return (a % b != 0 && ((a % b < 0) != (b < 0))) ? q - 1 : q;
}

// Tensor.narrow(dim, start, length) on a dim of `size` (as 1.13 and the Narrow layer check it).
std::int64_t narrow(std::int64_t size, std::int64_t start, std::int64_t length) {
    if (start != size) start = wrap_dim(start, size);
    if (!(length >= 0 && start <= size - length))
        throw ShapeError(fmt::format("start ({}) + length ({}) exceeds dimension size ({}).", start,
                                     length, size));
    return length;
}

struct LocalResponseNormLayer : Layer {
    std::int64_t size;

    explicit LocalResponseNormLayer(Args a) : Layer(std::move(a)) {
        size = arg_int(args(), "size");
        arg_float(args(), "alpha");
        arg_float(args(), "beta");
        arg_float(args(), "k");
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        const std::int64_t rank = x.size();
        // The message's spacing is PyTorch's: a backslash-continued string literal.
        if (rank < 3)
            throw ShapeError(fmt::format("Expected 3D or higher dimensionality                 "
                                         "         input (got {} dimensions)",
                                         rank));
        LayerOutput out;
        out.shape = x;
        if (numel(x) != 0) {
            // F.pad's negative pads narrow the channels (before, then after); a positive pad
            // adds zeros. The pooling then checks its window (stride 1, no padding).
            const std::int64_t before = floor_div(size, 2), after = floor_div(size - 1, 2);
            std::int64_t c = x[1];
            c = before < 0 ? narrow(c, -before, checked_add(c, before)) : checked_add(c, before);
            c = after < 0 ? narrow(c, 0, checked_add(c, after)) : checked_add(c, after);
            pooling_output_shape(c, size, 0, 1, 1, false);
            if (size <= 0)
                throw ShapeError(rank == 3 ? fmt::format("kernel size should be greater than zero, "
                                                         "but got kH: {} kW: 1",
                                                         size)
                                           : fmt::format("kernel size should be greater than zero, "
                                                         "but got kT: {} kH: 1 kW: 1",
                                                         size));
        }
        LocalResponseNormDesc d;
        d.size = size;
        d.alpha = arg_float(args(), "alpha");
        d.beta = arg_float(args(), "beta");
        d.k = arg_float(args(), "k");
        lower.exec = d;
        // The window runs over the channels only: the spatial field is kept.
        return out;
    }

    std::string brief() const override {
        Brief b;
        b.add(std::to_string(size));
        if (arg_float(args(), "alpha") != 1e-4)
            b.add("alpha=" + py_float(arg_float(args(), "alpha")));
        if (arg_float(args(), "beta") != 0.75) b.add("beta=" + py_float(arg_float(args(), "beta")));
        if (arg_float(args(), "k") != 1.0) b.add("k=" + py_float(arg_float(args(), "k")));
        return b.wrap(type());
    }
};

LayerPtr make(Args a) {
    return std::make_shared<LocalResponseNormLayer>(std::move(a));
}

} // namespace

void register_local_response_norm(std::vector<LayerType>& r) {
    r.push_back({"LocalResponseNorm",
                 {req("size"), opt("alpha", F(1e-4)), opt("beta", F(0.75)), opt("k", F(1.0))},
                 false,
                 "norm",
                 make});
}

} // namespace cnnshape::detail
