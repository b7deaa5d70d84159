// Padding (F.pad modes 'constant', 'reflect', 'replicate'; a negative pad crops). Output position
// p along a padded axis reads input position q = p - left: inside [0, n) as is, outside the
// constant, the mirror (-q, or 2(n-1) - q: reflection about the edge of the uncropped input, as
// aten's kernels index it) or the clamped edge.
#include "kernels/ref/ref.hpp"

namespace cnnshape::kernels::ref {
namespace {

// The input index for q along an axis of n, or -1 for the constant.
std::int64_t source(std::int64_t q, std::int64_t n, PadFill fill) {
    if (q >= 0 && q < n) return q;
    switch (fill) {
    case PadFill::Constant:
        return -1;
    case PadFill::Reflect: // pads are < n, so one reflection lands inside
        return q < 0 ? -q : 2 * (n - 1) - q;
    case PadFill::Replicate:
        return q < 0 ? 0 : n - 1;
    }
    return -1;
}

} // namespace

void run(const Context&, const PadDesc& d, const Io& io) {
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
            std::int64_t p = source(pos[a] - left[a], x_shape[a], d.fill);
            inside = p >= 0;
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
