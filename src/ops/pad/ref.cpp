// Constant padding (F.pad mode='constant'; a negative pad crops).
#include "kernels/ref/ref.hpp"

namespace cnnshape::kernels::ref {

void run(const Context&, const ConstantPadDesc& d, const Io& io) {
    const Shape& x_shape = io.x_shape();
    const float* x = io.x();
    const Shape& y_shape = io.out_shape;
    float* y = io.out;
    std::size_t rank = y_shape.size();
    std::vector<std::int64_t> left(rank, 0);
    for (std::size_t i = 0; 2 * i < d.pad.size(); ++i)
        left[rank - 1 - i] = d.pad[2 * i];
    std::vector<std::int64_t> xstride(rank, 1);
    for (std::size_t i = rank; i-- > 1;)
        xstride[i - 1] = xstride[i] * x_shape[i];
    std::int64_t n = numel(y_shape);
    float value = float(d.value);
    std::vector<std::int64_t> pos(rank, 0);
    for (std::int64_t i = 0; i < n; ++i) {
        std::int64_t src = 0;
        bool inside = true;
        for (std::size_t a = 0; a < rank && inside; ++a) {
            std::int64_t p = pos[a] - left[a];
            inside = p >= 0 && p < x_shape[a];
            src += p * xstride[a];
        }
        y[i] = inside ? x[src] : value;
        for (std::size_t a = rank; a-- > 0;) {
            if (++pos[a] < y_shape[a]) break;
            pos[a] = 0;
        }
    }
}

} // namespace cnnshape::kernels::ref
