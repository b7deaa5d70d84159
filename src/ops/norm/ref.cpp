// BatchNorm (aten/src/ATen/native/cpu/batch_norm_kernel.cpp): per channel
//   eval:  invstd = 1 / sqrt(running_var + (float)eps)          (float)
//   batch: mean = (float)(sum / count) (double sum), var_sum = sum (x - mean)^2 (double sum of
//          float squares, stored as float), invstd = 1 / sqrt(var_sum / count + eps) (double)
//   alpha = invstd * w, beta = b - mean * alpha, y = x * alpha + beta  (float, the last two
//   fused into FMAs as PyTorch's build computes them)
// InstanceNorm is batch_norm over (1, N*C, *spatial): with batch statistics each (sample,
// channel) plane has its own; with running statistics it is BatchNorm's eval form exactly.
#include "kernels/ref/ref.hpp"
#include "cnnshape/parallel.hpp"
#include <cmath>

namespace cnnshape::kernels::ref {

void batch_norm_coefficients(const BatchNormDesc& d, const float* weight, const float* bias,
                             const float* running_mean, const float* running_var, float* alpha,
                             float* beta) {
    for (std::int64_t ch = 0; ch < d.num_features; ++ch) {
        const float invstd = 1.0f / std::sqrt(running_var[ch] + float(d.eps));
        const float w = d.affine && weight ? weight[ch] : 1.0f;
        const float b = d.affine && bias ? bias[ch] : 0.0f;
        // Debian's PyTorch build lets GCC fuse this into an FMA (checked against its outputs).
        alpha[ch] = invstd * w;
        beta[ch] = std::fma(-running_mean[ch], alpha[ch], b);
    }
}

void run(const Context&, const BatchNormDesc& d, const Io& io) {
    const Shape& x_shape = io.x_shape();
    const float* x = io.x();
    const float *weight = io.param(0), *bias = io.param(1);
    const float *running_mean = io.param(2), *running_var = io.param(3);
    float* y = io.out;
    // An empty input has nothing to write, and its channel count may differ from num_features
    // (PyTorch checks the sizes only for a non-empty input): read no per-channel values.
    if (numel(x_shape) == 0) return;
    std::int64_t n = x_shape.at(0), c = x_shape.at(1), inner = 1;
    for (std::size_t i = 2; i < x_shape.size(); ++i)
        inner *= x_shape[i];
    const bool batch = d.batch_stats || !running_mean || !running_var;
    // Normalises channel ch of the samples [b0, b1) with their statistics (BatchNorm: every
    // sample; InstanceNorm: one, batch_norm's channel being a (sample, channel) pair).
    auto normalise = [&](std::int64_t ch, std::int64_t b0, std::int64_t b1) {
        float mean, invstd;
        if (batch) {
            std::int64_t count = (b1 - b0) * inner;
            double sum = 0;
            for (std::int64_t b = b0; b < b1; ++b)
                for (std::int64_t i = 0; i < inner; ++i)
                    sum += x[(b * c + ch) * inner + i];
            mean = float(sum / double(count));
            double var_sum = 0;
            for (std::int64_t b = b0; b < b1; ++b)
                for (std::int64_t i = 0; i < inner; ++i) {
                    float v = x[(b * c + ch) * inner + i] - mean;
                    var_sum += v * v;
                }
            float var = float(var_sum) / float(count);
            invstd = (var == 0 && d.eps == 0) ? 0.0f : float(1.0 / std::sqrt(double(var) + d.eps));
        } else {
            mean = running_mean[ch];
            invstd = 1.0f / std::sqrt(running_var[ch] + float(d.eps));
        }
        float w = d.affine && weight ? weight[ch] : 1.0f;
        float bb = d.affine && bias ? bias[ch] : 0.0f;
        // Debian's PyTorch build lets GCC fuse these into FMAs (checked against its outputs):
        // beta = fma(-mean, alpha, b) and y = fma(x, alpha, beta).
        float alpha = invstd * w;
        float beta = std::fma(-mean, alpha, bb);
        for (std::int64_t b = b0; b < b1; ++b) {
            const float* xp = x + (b * c + ch) * inner;
            float* yp = y + (b * c + ch) * inner;
            for (std::int64_t i = 0; i < inner; ++i)
                yp[i] = std::fma(xp[i], alpha, beta);
        }
    };
    for (std::int64_t ch = 0; ch < c; ++ch) {
        if (d.instance_nd && batch)
            for (std::int64_t b = 0; b < n; ++b)
                normalise(ch, b, b + 1);
        else
            normalise(ch, 0, n);
    }
}

} // namespace cnnshape::kernels::ref
