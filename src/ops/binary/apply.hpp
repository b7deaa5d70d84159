// One element of the binary family, the way PyTorch 1.13's CPU kernels compute it
// (aten/src/ATen/native/ufunc/add.h, BinaryOpsKernel.cpp, c10/util/generic_math.h). Shared by the
// reference kernel and the SIMD kernel's scalar tails, so both give the same bits.
#pragma once
#include "op.hpp"
#include <cmath>

namespace cnnshape::binary {

// torch.div(a, b, rounding_mode='floor') on floats: c10::div_floor_floating, which is exact
// where floor(a / b) is not (a / b rounds before the floor).
inline float div_floor(float a, float b) {
    if (b == 0) return a / b; // IEEE: +-inf or NaN
    float mod = std::fmod(a, b);
    float div = (a - mod) / b;
    if (mod != 0 && (b < 0) != (mod < 0)) div -= 1.0f;
    if (div == 0) return std::copysign(0.0f, a / b);
    float floordiv = std::floor(div);
    if (div - floordiv > 0.5f) floordiv += 1.0f;
    return floordiv;
}

inline float apply(const BinaryDesc& d, float a, float b) {
    switch (d.op) {
    case BinaryOp::Add:
        return d.alpha == 1 ? a + b : std::fma(b, d.alpha, a);
    case BinaryOp::Sub:
        return d.alpha == 1 ? a - b : std::fma(b, -d.alpha, a);
    case BinaryOp::Mul:
        return a * b;
    case BinaryOp::Div:
        if (d.rounding == Rounding::Trunc) return std::trunc(a / b);
        if (d.rounding == Rounding::Floor) return div_floor(a, b);
        return a / b;
    }
    return a;
}

} // namespace cnnshape::binary
