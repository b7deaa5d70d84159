// Add with broadcasting, torch.cat, and constant padding (F.pad mode='constant'; a negative pad
// crops).
#include "ref.hpp"

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

void add(const Context&, const Shape& a_shape, const float* a, const Shape& b_shape, const float* b,
         const Shape& y_shape, float* y) {
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

void concat(const Context&, const ConcatDesc& d, const std::vector<Shape>& shapes,
            const std::vector<const float*>& xs, const Shape& y_shape, float* y) {
    std::int64_t outer = 1, inner = 1;
    for (std::int64_t i = 0; i < d.dim; ++i)
        outer *= y_shape[i];
    for (std::size_t i = d.dim + 1; i < y_shape.size(); ++i)
        inner *= y_shape[i];
    float* out = y;
    for (std::int64_t o = 0; o < outer; ++o)
        for (std::size_t t = 0; t < xs.size(); ++t) {
            std::int64_t chunk = shapes[t][d.dim] * inner;
            std::copy(xs[t] + o * chunk, xs[t] + (o + 1) * chunk, out);
            out += chunk;
        }
}

void constant_pad(const Context&, const ConstantPadDesc& d, const Shape& x_shape, const float* x,
                  const Shape& y_shape, float* y) {
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
