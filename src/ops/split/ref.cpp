// Chunk, Split, Unbind: each tuple element is a run of the input along dim, copied per outer index.
#include "kernels/ref/ref.hpp"
#include <algorithm>

namespace cnnshape::kernels::ref {

void run(const Context&, const SplitDesc& d, const Io& io) {
    const Shape& x_shape = io.x_shape();
    const float* x = io.x();
    std::int64_t outer = 1, inner = 1;
    for (std::int64_t i = 0; i < d.dim; ++i)
        outer *= x_shape[i];
    for (std::size_t i = d.dim + 1; i < x_shape.size(); ++i)
        inner *= x_shape[i];
    const std::int64_t row = x_shape[d.dim] * inner;
    std::int64_t start = 0;
    for (std::size_t k = 0; k < d.sizes.size(); ++k) {
        const std::int64_t len = d.sizes[k] * inner;
        float* y = io.outs.at(k);
        for (std::int64_t o = 0; o < outer; ++o)
            std::copy(x + o * row + start, x + o * row + start + len, y + o * len);
        start += len;
    }
}

} // namespace cnnshape::kernels::ref
