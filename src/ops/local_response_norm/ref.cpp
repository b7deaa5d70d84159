// LocalResponseNorm as torch.nn.functional.local_response_norm computes it in float:
//   div = avg_pool over channels [c - size/2, c + (size-1)/2] of x*x, zeros past the ends
//         (a sequential float sum from the first channel of the window, divided by size),
//   y = x / pow(div * alpha + k, beta)   (mul, then add: two roundings)
// pow as aten's pow_tensor_scalar: beta 0, 1, 2, 3, 0.5, -0.5, -1, -2 special-cased, otherwise
// std::pow in double (PyTorch's vector path uses SLEEF's powf, within 1 ulp of it).
#include "kernels/ref/ref.hpp"
#include <cmath>

namespace cnnshape::kernels::ref {
namespace {

float pow_scalar(float b, double e) {
    if (e == 0) return 1.0f;
    if (e == 1) return b;
    if (e == 2) return b * b;
    if (e == 3) return b * b * b;
    if (e == 0.5) return std::sqrt(b);
    if (e == -0.5) return 1.0f / std::sqrt(b);
    if (e == -1) return 1.0f / b;
    if (e == -2) return 1.0f / (b * b);
    return float(std::pow(double(b), e));
}

} // namespace

void run(const Context&, const LocalResponseNormDesc& d, const Io& io) {
    const Shape& shape = io.x_shape();
    if (numel(shape) == 0) return;
    const std::int64_t n = shape.at(0), c = shape.at(1), inner = numel(shape) / (n * c);
    const std::int64_t before = d.size / 2, after = (d.size - 1) / 2;
    const float alpha = float(d.alpha), k = float(d.k), divisor = float(d.size);
    const float* x = io.x();
    float* y = io.out;
    for (std::int64_t b = 0; b < n; ++b)
        for (std::int64_t ch = 0; ch < c; ++ch)
            for (std::int64_t i = 0; i < inner; ++i) {
                float sum = 0;
                for (std::int64_t j = ch - before; j <= ch + after; ++j)
                    if (j >= 0 && j < c) {
                        const float v = x[(b * c + j) * inner + i];
                        sum += v * v;
                    }
                float div = sum / divisor;
                div = div * alpha;
                div = div + k;
                const std::int64_t at = (b * c + ch) * inner + i;
                y[at] = x[at] / pow_scalar(div, d.beta);
            }
}

} // namespace cnnshape::kernels::ref
