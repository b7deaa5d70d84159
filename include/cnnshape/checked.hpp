// Overflow-checked 64-bit arithmetic for sizes and counts that come from user numbers.
#pragma once
#include "cnnshape/error.hpp"
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace cnnshape {

inline std::int64_t checked_add(std::int64_t a, std::int64_t b) {
    std::int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        throw ShapeError("integer overflow: sizes exceed 64 bits");
    return r;
}
inline std::int64_t checked_sub(std::int64_t a, std::int64_t b) {
    std::int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        throw ShapeError("integer overflow: sizes exceed 64 bits");
    return r;
}
inline std::int64_t checked_mul(std::int64_t a, std::int64_t b) {
    std::int64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        throw ShapeError("integer overflow: sizes exceed 64 bits");
    return r;
}
inline std::int64_t checked_product(const std::vector<std::int64_t>& v) {
    std::int64_t r = 1;
    for (auto x : v)
        r = checked_mul(r, x);
    return r;
}

// Integer division rounding toward negative infinity (aten/src/ATen/div_rtn.h).
inline std::int64_t div_rtn(std::int64_t x, std::int64_t y) {
    if (y == -1 && x == INT64_MIN) throw ShapeError("integer overflow: sizes exceed 64 bits");
    std::int64_t q = x / y, r = x % y;
    if (r != 0 && ((r < 0) != (y < 0))) --q;
    return q;
}

} // namespace cnnshape
