// Linear: y = x W^T + b, accumulated in double (PyTorch's BLAS order is not reproducible).
#include "kernels/ref/ref.hpp"
#include "cnnshape/parallel.hpp"
#include <cmath>

namespace cnnshape::kernels::ref {

void run(const Context& ctx, const LinearDesc& d, const Io& io) {
    const Shape& x_shape = io.x_shape();
    const float* x = io.x();
    const float *weight = io.param(0), *bias = io.param(1);
    float* y = io.out;
    std::int64_t in = d.in_features, out = d.out_features;
    std::int64_t rows = x_shape.empty() ? 1 : numel(Shape(x_shape.begin(), x_shape.end() - 1));
    parallel_for(ctx.threads, rows * out, 1, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t job = begin; job < end; ++job) {
            std::int64_t r = job / out, o = job % out;
            const float* xr = x + r * in;
            const float* wr = weight + o * in;
            double acc = 0;
            for (std::int64_t i = 0; i < in; ++i)
                acc += double(xr[i]) * double(wr[i]);
            if (d.bias && bias) acc += bias[o];
            y[job] = float(acc);
        }
    });
}

} // namespace cnnshape::kernels::ref
