// LayerNorm (aten/src/ATen/native/cpu/layer_norm_kernel.cpp) and GroupNorm (group_norm_kernel.cpp)
// per row of `row` elements: mean and biased variance, rstd = 1 / sqrt(var + eps), then
//   LayerNorm: y = (x * rstd - rstd * mean) * weight[j] + bias[j]   (j: position in the row)
//   GroupNorm: scale = rstd * weight[c], y = scale * x + (bias[c] - scale * mean)  (c: channel),
//              or (x - mean) * rstd without weight and bias
// with the multiply-adds fused, as GCC compiles PyTorch's loops in Debian's build (a row of one
// value then gives bias exactly, as PyTorch does).
// PyTorch takes the moments with a vectorised cascade of Welford updates in float; here they are
// two passes in double, so the results agree to about 1e-6 relative, not bit for bit.
#include "kernels/ref/ref.hpp"
#include <cmath>

namespace cnnshape::kernels::ref {

void run(const Context&, const LayerNormDesc& d, const Io& io) {
    const Shape& shape = io.x_shape();
    const std::int64_t total = numel(shape);
    if (total == 0 || d.row == 0) return;
    const float* x = io.x();
    const float *weight = d.affine ? io.param(0) : nullptr,
                *bias = d.affine ? io.param(1) : nullptr;
    float* y = io.out;
    // GroupNorm: a row is D = C / groups channels of HxW values each.
    std::int64_t hw = 1, channels = 1;
    if (d.kind == LayerNormKind::GroupNorm) {
        for (std::size_t i = 2; i < shape.size(); ++i)
            hw *= shape[i];
        channels = shape.at(1);
    }
    for (std::int64_t r = 0; r < total / d.row; ++r) {
        const float* xr = x + r * d.row;
        float* yr = y + r * d.row;
        double sum = 0;
        for (std::int64_t j = 0; j < d.row; ++j)
            sum += xr[j];
        const double mean = sum / double(d.row);
        double m2 = 0;
        for (std::int64_t j = 0; j < d.row; ++j)
            m2 += (xr[j] - mean) * (xr[j] - mean);
        const double var = m2 / double(d.row);
        const float rstd = 1.0f / std::sqrt(float(var) + float(d.eps)); // in float, as PyTorch
        const float meanf = float(mean);
        if (d.kind == LayerNormKind::LayerNorm) {
            const float scale = rstd, shift = -rstd * meanf;
            for (std::int64_t j = 0; j < d.row; ++j) {
                const float w = weight ? weight[j] : 1.0f, b = bias ? bias[j] : 0.0f;
                yr[j] = std::fma(std::fma(xr[j], scale, shift), w, b);
            }
        } else {
            const std::int64_t per_group = channels / d.groups;
            const std::int64_t c0 = (r % d.groups) * per_group;
            if (!weight && !bias) {
                for (std::int64_t j = 0; j < d.row; ++j)
                    yr[j] = (xr[j] - meanf) * rstd;
                continue;
            }
            for (std::int64_t k = 0; k < per_group; ++k) {
                const std::int64_t c = c0 + k;
                const float scale = rstd * (weight ? weight[c] : 1.0f);
                const float shift = std::fma(-scale, meanf, bias ? bias[c] : 0.0f);
                for (std::int64_t i = 0; i < hw; ++i)
                    yr[k * hw + i] = std::fma(scale, xr[k * hw + i], shift);
            }
        }
    }
}

} // namespace cnnshape::kernels::ref
