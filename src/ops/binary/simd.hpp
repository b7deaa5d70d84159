// The binary family's SIMD kernel, templated on the xsimd architecture. It handles inputs that
// are each the output's shape, a single number, or constant over the trailing dims (the
// squeeze-and-excitation scale [N, C, 1, 1] against [N, C, H, W]): every lane folds the inputs
// left to right with the same float operations as binary::apply. Other broadcasts, Div's rounding
// modes, and alpha != 1 on an architecture without a true FMA go to the reference.
#pragma once
#include "apply.hpp"
#include "kernels/simd/common.hpp"

namespace cnnshape::kernels::simd {
namespace {

template <class Arch>
inline fbatch<Arch> binary_vec(const BinaryDesc& d, const fbatch<Arch>& a, const fbatch<Arch>& b) {
    switch (d.op) {
    case BinaryOp::Add:
        return d.alpha == 1 ? a + b : madd<Arch>(b, fbatch<Arch>(d.alpha), a);
    case BinaryOp::Sub:
        return d.alpha == 1 ? a - b : madd<Arch>(b, fbatch<Arch>(-d.alpha), a);
    case BinaryOp::Mul:
        return a * b;
    case BinaryOp::Div:
        return a / b;
    }
    return a;
}

constexpr int kBinaryMaxInputs = 8;

// The op's entry in the kernel table (kernels/simd/table.hpp).
template <class Arch>
bool simd_kernel(const Context& ctx, const BinaryDesc& d, const Io& io) {
    using B = fbatch<Arch>;
    constexpr i64 V = i64(B::size);
    if (d.op == BinaryOp::Div && d.rounding != Rounding::None) return false;
    if ((d.op == BinaryOp::Add || d.op == BinaryOp::Sub) && d.alpha != 1 && !has_fma<Arch>)
        return false;
    const Shape& ys = io.out_shape;
    const std::size_t rank = ys.size();
    const std::size_t k = d.scalar_other ? 1 : io.in.size();
    if (k > std::size_t(kBinaryMaxInputs)) return false;
    const i64 n = product(ys, 0);
    if (n == 0) return true;

    // Each input: 0 the output's shape, 1 a single number, 2 constant over dims >= p.
    int kind[kBinaryMaxInputs];
    std::size_t p = rank;
    bool any_outer = false;
    for (std::size_t t = 0; t < k; ++t) {
        const Shape& s = io.in_shapes.at(t);
        if (same_shape(s, ys)) {
            kind[t] = 0;
            continue;
        }
        if (product(s, 0) == 1) {
            kind[t] = 1;
            continue;
        }
        // Right-aligned: dims before `first` are missing (size 1).
        const std::size_t first = rank - s.size();
        std::size_t q = rank; // dims >= q are 1 in s
        while (q > first && s[q - 1 - first] == 1)
            --q;
        for (std::size_t i = 0; i < q; ++i) {
            const i64 si = i < first ? 1 : s[i - first];
            if (si != ys[i]) return false;
        }
        if (any_outer && q != p) return false;
        p = q;
        any_outer = true;
        kind[t] = 2;
    }
    const i64 inner = any_outer ? product(ys, p) : n;
    const float* in[kBinaryMaxInputs];
    for (std::size_t t = 0; t < k; ++t)
        in[t] = io.in[t];
    float* y = io.out;

    constexpr i64 chunk = 4096;
    if (k == 2 && kind[0] == 0 && kind[1] == 0 && !d.scalar_other && d.alpha == 1) {
        // Two tensors of the output's shape (residual connections): one tight loop per op, the
        // op chosen outside it.
        const float *a = in[0], *b = in[1];
        auto loop = [&](auto vop, auto sop) {
            parallel_for(ctx.threads, ceil_div(n, chunk), 16, [&](i64 c0, i64 c1) {
                const i64 e = std::min(n, c1 * chunk);
                i64 i = c0 * chunk;
                for (; i + V <= e; i += V)
                    vop(B::load_unaligned(a + i), B::load_unaligned(b + i)).store_unaligned(y + i);
                for (; i < e; ++i)
                    y[i] = sop(a[i], b[i]);
            });
        };
        switch (d.op) {
        case BinaryOp::Add:
            loop([](B u, B v) { return u + v; }, [](float u, float v) { return u + v; });
            break;
        case BinaryOp::Sub:
            loop([](B u, B v) { return u - v; }, [](float u, float v) { return u - v; });
            break;
        case BinaryOp::Mul:
            loop([](B u, B v) { return u * v; }, [](float u, float v) { return u * v; });
            break;
        case BinaryOp::Div:
            loop([](B u, B v) { return u / v; }, [](float u, float v) { return u / v; });
            break;
        }
        return true;
    }
    if (k == 2 && !d.scalar_other && d.alpha == 1 &&
        ((kind[0] == 0 && kind[1] != 0) || (kind[0] != 0 && kind[1] == 0))) {
        // A tensor of the output's shape with a number or a per-row constant (the SE gate
        // [N, C, 1, 1] against [N, C, H, W], either side): one tight loop per op and side, the
        // constant broadcast once per row.
        const bool full_first = kind[0] == 0;
        const float* full = in[full_first ? 0 : 1];
        const float* other = in[full_first ? 1 : 0];
        const bool per_row = kind[full_first ? 1 : 0] == 2;
        auto loop = [&](auto vop, auto sop) {
            parallel_for(ctx.threads, ceil_div(n, chunk), 16, [&](i64 c0, i64 c1) {
                const i64 end = std::min(n, c1 * chunk);
                for (i64 i = c0 * chunk; i < end;) {
                    const i64 row = i / inner;
                    const i64 len = std::min(end - i, (row + 1) * inner - i);
                    const float c = other[per_row ? row : 0];
                    const B cv(c);
                    const float* src = full + i;
                    float* dst = y + i;
                    i64 j = 0;
                    if (full_first) {
                        for (; j + V <= len; j += V)
                            vop(B::load_unaligned(src + j), cv).store_unaligned(dst + j);
                        for (; j < len; ++j)
                            dst[j] = sop(src[j], c);
                    } else {
                        for (; j + V <= len; j += V)
                            vop(cv, B::load_unaligned(src + j)).store_unaligned(dst + j);
                        for (; j < len; ++j)
                            dst[j] = sop(c, src[j]);
                    }
                    i += len;
                }
            });
        };
        switch (d.op) {
        case BinaryOp::Add:
            loop([](B u, B v) { return u + v; }, [](float u, float v) { return u + v; });
            break;
        case BinaryOp::Sub:
            loop([](B u, B v) { return u - v; }, [](float u, float v) { return u - v; });
            break;
        case BinaryOp::Mul:
            loop([](B u, B v) { return u * v; }, [](float u, float v) { return u * v; });
            break;
        case BinaryOp::Div:
            loop([](B u, B v) { return u / v; }, [](float u, float v) { return u / v; });
            break;
        }
        return true;
    }
    parallel_for(ctx.threads, ceil_div(n, chunk), 16, [&](i64 c0, i64 c1) {
        const i64 end = std::min(n, c1 * chunk);
        for (i64 i = c0 * chunk; i < end;) {
            const i64 row = i / inner, j0 = i - row * inner;
            const i64 len = std::min(end - i, inner - j0);
            const float* src[kBinaryMaxInputs];
            float val[kBinaryMaxInputs];
            for (std::size_t t = 0; t < k; ++t) {
                src[t] = kind[t] == 0 ? in[t] + i : nullptr;
                val[t] = kind[t] == 1 ? in[t][0] : kind[t] == 2 ? in[t][row] : 0.0f;
            }
            float* dst = y + i;
            i64 j = 0;
            for (; j + V <= len; j += V) {
                B acc = src[0] ? B::load_unaligned(src[0] + j) : B(val[0]);
                if (d.scalar_other) {
                    acc = binary_vec<Arch>(d, acc, B(d.other));
                } else {
                    for (std::size_t t = 1; t < k; ++t)
                        acc = binary_vec<Arch>(d, acc,
                                               src[t] ? B::load_unaligned(src[t] + j) : B(val[t]));
                }
                acc.store_unaligned(dst + j);
            }
            for (; j < len; ++j) {
                float acc = src[0] ? src[0][j] : val[0];
                if (d.scalar_other) {
                    acc = binary::apply(d, acc, d.other);
                } else {
                    for (std::size_t t = 1; t < k; ++t)
                        acc = binary::apply(d, acc, src[t] ? src[t][j] : val[t]);
                }
                dst[j] = acc;
            }
            i += len;
        }
    });
    return true;
}

} // namespace
} // namespace cnnshape::kernels::simd
