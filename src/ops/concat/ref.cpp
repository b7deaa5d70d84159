// torch.cat, and torch.stack (each input one slice along the new dim).
#include "kernels/ref/ref.hpp"

namespace cnnshape::kernels::ref {

void run(const Context&, const ConcatDesc& d, const Io& io) {
    const std::vector<Shape>& shapes = io.in_shapes;
    const std::vector<const float*>& xs = io.in;
    const Shape& y_shape = io.out_shape;
    float* y = io.out;
    std::int64_t outer = 1, inner = 1;
    for (std::int64_t i = 0; i < d.dim; ++i)
        outer *= y_shape[i];
    for (std::size_t i = d.dim + 1; i < y_shape.size(); ++i)
        inner *= y_shape[i];
    float* out = y;
    for (std::int64_t o = 0; o < outer; ++o)
        for (std::size_t t = 0; t < xs.size(); ++t) {
            std::int64_t chunk = (d.stack ? 1 : shapes[t][d.dim]) * inner;
            std::copy(xs[t] + o * chunk, xs[t] + (o + 1) * chunk, out);
            out += chunk;
        }
}

} // namespace cnnshape::kernels::ref
