// One-axis size rules, exactly as PyTorch computes them. Each takes plain integers and either
// returns the size or throws ShapeError with PyTorch's message; none knows about layers.
#pragma once
#include <cstdint>
#include <utility>

namespace cnnshape {

// Pool.h pooling_output_shape_pad_lr: floor or ceil division; in ceil mode the last window is
// dropped when it would start in the right padding (it must start inside the input or the left
// padding). div_rtn matters only for the negative sizes reported in "Output size is too small".
std::int64_t pooling_output_shape_pad_lr(std::int64_t in, std::int64_t k, std::int64_t pad_l,
                                         std::int64_t pad_r, std::int64_t s, std::int64_t d,
                                         bool ceil_mode);

// Pool.h pooling_output_shape with its checks (2.x rule: pad <= effective kernel / 2):
// "stride should not be zero", "pad must be non-negative, but got pad: P",
// "pad should be at most half of effective kernel size, but got pad=P, kernel_size=K and
// dilation=D".
std::int64_t pooling_output_shape(std::int64_t in, std::int64_t k, std::int64_t pad, std::int64_t s,
                                  std::int64_t d, bool ceil_mode);

// Effective (dilated) kernel extent: d*(k-1)+1.
std::int64_t effective_kernel(std::int64_t k, std::int64_t d);

// ConvUtils.h conv_output_size: (in + 2p - (d*(k-1)+1)) / s + 1 with truncating division
// (callers have already rejected in + 2p < effective kernel).
std::int64_t conv_output_size(std::int64_t in, std::int64_t k, std::int64_t pad_total,
                              std::int64_t s, std::int64_t d);

// ConvUtils.h conv_input_size: (in-1)*s - 2p + d*(k-1) + output_padding + 1.
std::int64_t conv_transpose_output_size(std::int64_t in, std::int64_t k, std::int64_t pad,
                                        std::int64_t output_padding, std::int64_t s,
                                        std::int64_t d);

// 'same' padding of a stride-1 convolution: total d*(k-1), left = total/2, the extra unit right.
std::pair<std::int64_t, std::int64_t> same_padding(std::int64_t k, std::int64_t d);

// Adaptive pooling window [start, end) of output index a of b over an input of size c:
// start = floor(a*c/b), end = ceil((a+1)*c/b), computed without overflow (AdaptivePooling.h).
std::pair<std::int64_t, std::int64_t> adaptive_window(std::int64_t a, std::int64_t b,
                                                      std::int64_t c);

} // namespace cnnshape
