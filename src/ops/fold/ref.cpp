// Unfold (im2col) and Fold (col2im), aten/src/ATen/native/im2col.h. Column row
// r = (c*kh + i)*kw + j, column position l = bh*ow + bw reads / adds image pixel
// (bh*sh - ph + i*dh, bw*sw - pw + j*dw) of channel c; taps in the padding are 0 (Unfold) or
// dropped (Fold). Fold sums into a zeroed image in aten's loop order, so it is bit for bit.
#include "kernels/ref/ref.hpp"
#include <algorithm>

namespace cnnshape::kernels::ref {

void run(const Context&, const FoldDesc& d, const Io& io) {
    const std::int64_t C = d.channels, H = d.image[0], W = d.image[1];
    const std::int64_t kh = d.kernel[0], kw = d.kernel[1], oh = d.blocks[0], ow = d.blocks[1];
    const std::int64_t rows = C * kh * kw, L = oh * ow;
    const std::int64_t n = d.fold ? numel(io.out_shape) / std::max<std::int64_t>(C * H * W, 1)
                                  : numel(io.x_shape()) / std::max<std::int64_t>(C * H * W, 1);
    const float* x = io.x();
    float* y = io.out;
    if (d.fold) std::fill(y, y + numel(io.out_shape), 0.0f);
    for (std::int64_t b = 0; b < n; ++b) {
        const float* col = d.fold ? x + b * rows * L : nullptr;
        const float* im = d.fold ? nullptr : x + b * C * H * W;
        float* ocol = d.fold ? nullptr : y + b * rows * L;
        float* oim = d.fold ? y + b * C * H * W : nullptr;
        for (std::int64_t r = 0; r < rows; ++r) {
            const std::int64_t j = r % kw, i = (r / kw) % kh, c = r / kw / kh;
            for (std::int64_t bh = 0; bh < oh; ++bh) {
                const std::int64_t h = bh * d.stride[0] - d.padding[0] + i * d.dilation[0];
                for (std::int64_t bw = 0; bw < ow; ++bw) {
                    const std::int64_t w = bw * d.stride[1] - d.padding[1] + j * d.dilation[1];
                    const bool inside = h >= 0 && h < H && w >= 0 && w < W;
                    const std::int64_t at = (r * oh + bh) * ow + bw;
                    if (d.fold) {
                        if (inside) oim[(c * H + h) * W + w] += col[at];
                    } else {
                        ocol[at] = inside ? im[(c * H + h) * W + w] : 0.0f;
                    }
                }
            }
        }
    }
}

} // namespace cnnshape::kernels::ref
