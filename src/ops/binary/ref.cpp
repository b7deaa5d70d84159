// The binary family's reference kernel: every output element walks its inputs' broadcast
// offsets and folds them left to right with binary::apply.
#include "kernels/ref/ref.hpp"
#include "apply.hpp"

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

void run(const Context&, const BinaryDesc& d, const Io& io) {
    const Shape& ys = io.out_shape;
    float* y = io.out;
    const std::size_t rank = ys.size(), k = io.in.size();
    const std::int64_t n = numel(ys);
    if (d.scalar_other) {
        for (std::int64_t i = 0; i < n; ++i)
            y[i] = binary::apply(d, io.in[0][i], d.other);
        return;
    }
    std::vector<std::vector<std::int64_t>> st(k);
    for (std::size_t t = 0; t < k; ++t)
        st[t] = broadcast_strides(io.in_shapes.at(t), rank);
    std::vector<std::int64_t> pos(rank, 0), off(k, 0);
    for (std::int64_t i = 0; i < n; ++i) {
        float acc = io.in[0][off[0]];
        for (std::size_t t = 1; t < k; ++t)
            acc = binary::apply(d, acc, io.in[t][off[t]]);
        y[i] = acc;
        // Advance the multi-index (last dim fastest), keeping every source offset in step.
        for (std::size_t dim = rank; dim-- > 0;) {
            ++pos[dim];
            for (std::size_t t = 0; t < k; ++t)
                off[t] += st[t][dim];
            if (pos[dim] < ys[dim]) break;
            for (std::size_t t = 0; t < k; ++t)
                off[t] -= st[t][dim] * pos[dim];
            pos[dim] = 0;
        }
    }
}

} // namespace cnnshape::kernels::ref
