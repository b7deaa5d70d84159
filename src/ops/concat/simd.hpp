// torch.cat (and torch.stack) kernel, templated on the xsimd architecture: it only moves floats.
#pragma once
#include "kernels/simd/copy.hpp"

namespace cnnshape::kernels::simd {
namespace {

// ---------------------------------------------------------------------------------------------
// torch.cat: the output is `outer` repetitions of [chunk of x0 | chunk of x1 | ...]. Work is
// split into fixed blocks of output elements, each copying the pieces of chunks it covers.

template <class Arch>
bool concat_impl(const Context& ctx, const ConcatDesc& d, const std::vector<Shape>& shapes,
                 const std::vector<const float*>& xs, const Shape& ys, float* y) {
    const std::size_t rank = ys.size(), count = xs.size();
    if (rank == 0 || d.dim < 0 || std::size_t(d.dim) >= rank || shapes.size() != count)
        return false;
    for (std::size_t t = 0; t < count; ++t)
        if (shapes[t].size() + (d.stack ? 1 : 0) != rank) return false;
    const i64 total = product(ys, 0);
    if (total == 0) return true;
    i64 outer = 1;
    for (i64 i = 0; i < d.dim; ++i)
        outer *= ys[std::size_t(i)];
    const i64 inner = product(ys, std::size_t(d.dim) + 1);
    // start[t]: where tensor t's chunk begins inside one output repetition; start[count] = its
    // length.
    i64* start = scratch_as<i64>(kShared0, i64(count) + 1);
    start[0] = 0;
    for (std::size_t t = 0; t < count; ++t)
        start[t + 1] = start[t] + (d.stack ? 1 : shapes[t][std::size_t(d.dim)]) * inner;
    const i64 rep = start[count];
    if (rep * outer != total) return false;
    constexpr i64 block = 1 << 14;
    parallel_for(ctx.threads, ceil_div(total, block), 4, [&](i64 b0, i64 b1) {
        i64 i = b0 * block;
        const i64 end = std::min(total, b1 * block);
        i64 o = i / rep, off = i % rep;
        std::size_t t = 0;
        while (start[t + 1] <= off)
            ++t;
        while (i < end) {
            const i64 len = std::min(end - i, start[t + 1] - off);
            const i64 chunk = start[t + 1] - start[t];
            copy_floats<Arch>(y + i, xs[t] + o * chunk + (off - start[t]), len);
            i += len;
            off += len;
            if (off == start[t + 1]) { // next tensor with a non-empty chunk, or next repetition
                do {
                    if (++t == count) {
                        t = 0, off = 0;
                        ++o;
                    }
                } while (start[t + 1] == start[t]);
            }
        }
    });
    return true;
}

// The op's entry in the kernel table (kernels/simd/table.hpp).
template <class Arch>
bool simd_kernel(const Context& ctx, const ConcatDesc& d, const Io& io) {
    return concat_impl<Arch>(ctx, d, io.in_shapes, io.in, io.out_shape, io.out);
}

} // namespace
} // namespace cnnshape::kernels::simd
