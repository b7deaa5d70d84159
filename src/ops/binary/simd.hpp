// Elementwise binary kernels, templated on the xsimd architecture.
#pragma once
#include "kernels/simd/common.hpp"

namespace cnnshape::kernels::simd {
namespace {

template <class Arch>
bool add_impl(const Context& ctx, const Shape& as, const float* a, const Shape& bs, const float* b,
              const Shape& ys, float* y) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    if (!same_shape(as, ys) || !same_shape(bs, ys)) return false; // broadcasting: the reference
    const i64 n = product(ys, 0);
    constexpr i64 chunk = 4096;
    parallel_for(ctx.threads, ceil_div(n, chunk), 16, [&](i64 c0, i64 c1) {
        const i64 e = std::min(n, c1 * chunk);
        i64 i = c0 * chunk;
        for (; i + V <= e; i += V)
            (B::load_unaligned(a + i) + B::load_unaligned(b + i)).store_unaligned(y + i);
        for (; i < e; ++i)
            y[i] = a[i] + b[i];
    });
    return true;
}

// The op's entry in the kernel table (kernels/simd/table.hpp).
template <class Arch>
bool simd_kernel(const Context& ctx, const AddDesc&, const Io& io) {
    return add_impl<Arch>(ctx, io.in_shapes.at(0), io.in.at(0), io.in_shapes.at(1), io.in.at(1),
                          io.out_shape, io.out);
}

} // namespace
} // namespace cnnshape::kernels::simd
