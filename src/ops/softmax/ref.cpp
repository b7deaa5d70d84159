// Softmax as aten's CPU kernels compute it in float: subtract the max along dim, sum the
// exponentials (in double), and multiply by 1/sum along the last dim or divide by the sum along
// any other dim, as aten's two softmax kernels do. LogSoftmax: (x - max) - log(sum). GLU:
// a * sigmoid(b), a the first half of dim and b the second.
#include "kernels/ref/ref.hpp"
#include <cmath>
#include <limits>

namespace cnnshape::kernels::ref {
namespace {

void softmax(const SoftmaxDesc& d, const Shape& shape, const float* x, float* y) {
    std::int64_t outer = 1, inner = 1, len = shape.empty() ? 1 : shape[d.dim];
    for (std::int64_t i = 0; i < d.dim; ++i)
        outer *= shape[i];
    for (std::size_t i = d.dim + 1; i < shape.size(); ++i)
        inner *= shape[i];
    bool last = inner == 1;
    for (std::int64_t o = 0; o < outer; ++o)
        for (std::int64_t in = 0; in < inner; ++in) {
            const float* xp = x + o * len * inner + in;
            float* yp = y + o * len * inner + in;
            float mx = -std::numeric_limits<float>::infinity();
            for (std::int64_t i = 0; i < len; ++i) {
                float v = xp[i * inner];
                if (v > mx || std::isnan(v)) mx = v;
            }
            double sum = 0;
            for (std::int64_t i = 0; i < len; ++i) {
                yp[i * inner] = std::exp(xp[i * inner] - mx);
                sum += yp[i * inner];
            }
            float s = float(sum);
            if (d.kind == SoftmaxKind::LogSoftmax) {
                const float ls = float(std::log(sum));
                for (std::int64_t i = 0; i < len; ++i)
                    yp[i * inner] = (xp[i * inner] - mx) - ls;
                continue;
            }
            if (last) {
                float r = 1.0f / s;
                for (std::int64_t i = 0; i < len; ++i)
                    yp[i * inner] *= r;
            } else {
                for (std::int64_t i = 0; i < len; ++i)
                    yp[i * inner] /= s;
            }
        }
}

} // namespace

static void glu(const SoftmaxDesc& d, const Shape& shape, const float* x, float* y) {
    std::int64_t outer = 1, inner = 1, half = shape[d.dim] / 2;
    for (std::int64_t i = 0; i < d.dim; ++i)
        outer *= shape[i];
    for (std::size_t i = d.dim + 1; i < shape.size(); ++i)
        inner *= shape[i];
    for (std::int64_t o = 0; o < outer; ++o)
        for (std::int64_t i = 0; i < half * inner; ++i) {
            const float a = x[o * 2 * half * inner + i], b = x[(o * 2 + 1) * half * inner + i];
            y[o * half * inner + i] = a * (1.0f / (1.0f + std::exp(-b)));
        }
}

void run(const Context&, const SoftmaxDesc& d, const Io& io) {
    const Shape& shape = io.x_shape();
    if (numel(shape) == 0) return;
    if (d.kind == SoftmaxKind::GLU)
        glu(d, shape, io.x(), io.out);
    else
        softmax(d, shape, io.x(), io.out);
}

} // namespace cnnshape::kernels::ref
