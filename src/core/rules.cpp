#include "cnnshape/rules.hpp"
#include "cnnshape/checked.hpp"
#include "cnnshape/error.hpp"
#include <fmt/format.h>

namespace cnnshape {

std::int64_t effective_kernel(std::int64_t k, std::int64_t d) {
    return checked_add(checked_mul(d, checked_sub(k, 1)), 1);
}

std::int64_t pooling_output_shape_pad_lr(std::int64_t in, std::int64_t k, std::int64_t pad_l,
                                         std::int64_t pad_r, std::int64_t s, std::int64_t d,
                                         bool ceil_mode) {
    std::int64_t num = checked_add(checked_add(in, pad_l), pad_r);
    num = checked_sub(num, checked_mul(d, checked_sub(k, 1)));
    num = checked_sub(num, 1);
    if (ceil_mode) num = checked_add(num, checked_sub(s, 1));
    std::int64_t out = checked_add(div_rtn(num, s), 1);
    // The last window must start inside the input or the left padding, never in the right padding.
    if (ceil_mode && checked_mul(out - 1, s) >= checked_add(in, pad_l)) --out;
    return out;
}

std::int64_t pooling_output_shape(std::int64_t in, std::int64_t k, std::int64_t pad, std::int64_t s,
                                  std::int64_t d, bool ceil_mode) {
    if (s == 0) throw ShapeError("stride should not be zero");
    if (pad < 0) throw ShapeError(fmt::format("pad must be non-negative, but got pad: {}", pad));
    // C++ truncating division, as in Pool.h (it matters for negative kernels).
    std::int64_t half = checked_add(checked_mul(checked_sub(k, 1), d), 1) / 2;
    if (pad > half)
        throw ShapeError(fmt::format("pad should be at most half of effective kernel size, but got "
                                     "pad={}, kernel_size={} and dilation={}",
                                     pad, k, d));
    return pooling_output_shape_pad_lr(in, k, pad, pad, s, d, ceil_mode);
}

std::int64_t conv_output_size(std::int64_t in, std::int64_t k, std::int64_t pad_total,
                              std::int64_t s, std::int64_t d) {
    std::int64_t num = checked_sub(checked_add(in, pad_total), effective_kernel(k, d));
    return checked_add(num / s, 1);
}

std::int64_t conv_transpose_output_size(std::int64_t in, std::int64_t k, std::int64_t pad,
                                        std::int64_t output_padding, std::int64_t s,
                                        std::int64_t d) {
    std::int64_t r = checked_mul(checked_sub(in, 1), s);
    r = checked_sub(r, checked_mul(2, pad));
    r = checked_add(r, checked_mul(d, checked_sub(k, 1)));
    r = checked_add(r, output_padding);
    return checked_add(r, 1);
}

std::pair<std::int64_t, std::int64_t> same_padding(std::int64_t k, std::int64_t d) {
    std::int64_t total = checked_mul(d, checked_sub(k, 1));
    std::int64_t left = total / 2;
    return {left, total - left};
}

std::pair<std::int64_t, std::int64_t> adaptive_window(std::int64_t a, std::int64_t b,
                                                      std::int64_t c) {
    // start = (a/b)*c + ((a%b)*c)/b ; end = 1 + ((a+1)*c - 1)/b, in 128 bits to be safe.
    __int128 start = (__int128)(a / b) * c + ((__int128)(a % b) * c) / b;
    __int128 end = 1 + ((__int128)(a + 1) * c - 1) / b;
    return {(std::int64_t)start, (std::int64_t)end};
}

} // namespace cnnshape
