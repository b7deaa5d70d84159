// Add with broadcasting.
#include "kernels/ref/ref.hpp"

namespace cnnshape::kernels::ref {
namespace {

// Row-major strides of `s` aligned to a rank-`rank` result; broadcast dims get stride 0.
std::vector<std::int64_t> broadcast_strides(const Shape& s, std::size_t rank) {
    std::vector<std::int64_t> st(rank, 0);
    std::int64_t acc = 1;
    for (std::size_t i = 0; i < s.size(); ++i) {
        std::size_t src = s.size() - 1 - i, dst = rank - 1 - i;
        st[dst] = s[src] == 1 ? 0 : acc;
        acc *= s[src];
    }
    return st;
}

} // namespace

void run(const Context&, const AddDesc&, const Io& io) {
    const Shape &a_shape = io.in_shapes.at(0), &b_shape = io.in_shapes.at(1);
    const float *a = io.in.at(0), *b = io.in.at(1);
    const Shape& y_shape = io.out_shape;
    float* y = io.out;
    std::size_t rank = y_shape.size();
    std::int64_t n = numel(y_shape);
    if (a_shape == y_shape && b_shape == y_shape) {
        for (std::int64_t i = 0; i < n; ++i)
            y[i] = a[i] + b[i];
        return;
    }
    auto sa = broadcast_strides(a_shape, rank), sb = broadcast_strides(b_shape, rank);
    std::vector<std::int64_t> pos(rank, 0);
    std::int64_t ia = 0, ib = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        y[i] = a[ia] + b[ib];
        // Advance the multi-index (last dim fastest), keeping both source offsets in step.
        for (std::size_t dpos = rank; dpos-- > 0;) {
            ++pos[dpos];
            ia += sa[dpos];
            ib += sb[dpos];
            if (pos[dpos] < y_shape[dpos]) break;
            ia -= sa[dpos] * pos[dpos];
            ib -= sb[dpos] * pos[dpos];
            pos[dpos] = 0;
        }
    }
}

} // namespace cnnshape::kernels::ref
