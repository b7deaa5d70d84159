// How `run` runs the shape-preserving layers: the kernel, or, for Dropout in train mode, PyTorch's
// random mask drawn from the run's generator. Identity keeps the data.
#include "exec/op_run.hpp"

#include <algorithm>

namespace cnnshape {
namespace {

// Dropout in train mode as aten's _dropout_impl computes it on the CPU (no MKL in Debian's
// build): p = 0 returns the input and p = 1 multiplies by zero, drawing nothing; otherwise a
// noise tensor gets bernoulli_(1 - p), one random64() per element in order (kept when its 53-bit
// uniform is below 1 - p), then noise.div_(1 - p) in float, and the output is input * noise.
// Dropout2d draws one value per (dim 0, dim 1) pair (make_feature_noise) and broadcasts it.
void dropout_train(const ElementwiseDesc& d, const Tensor& x, Tensor& y, TorchGenerator& g) {
    const std::int64_t n = x.size();
    if (d.p == 0) {
        std::copy(x.data.begin(), x.data.end(), y.data.begin());
        return;
    }
    if (d.p == 1 || n == 0) {
        for (std::int64_t i = 0; i < n; ++i)
            y.data[i] = x.data[i] * 0.0f;
        return;
    }
    const double keep = 1.0 - d.p;
    const float keep_f = float(keep);
    auto noise = [&] {
        const std::uint64_t r = g.random64() & ((std::uint64_t(1) << 53) - 1);
        const double u = double(r) * (1.0 / 9007199254740992.0); // [0, 1) with 53 bits
        return (u < keep ? 1.0f : 0.0f) / keep_f;
    };
    if (!d.channelwise) {
        for (std::int64_t i = 0; i < n; ++i)
            y.data[i] = x.data[i] * noise();
        return;
    }
    const std::int64_t maps = x.shape.at(0) * x.shape.at(1), inner = n / maps;
    for (std::int64_t m = 0; m < maps; ++m) {
        const float v = noise();
        for (std::int64_t i = m * inner; i < (m + 1) * inner; ++i)
            y.data[i] = x.data[i] * v;
    }
}

} // namespace

void run_op(const OpRun& r, const ElementwiseDesc& d) {
    if (d.act == Activation::Dropout)
        dropout_train(d, *r.in.at(0), r.out, r.rng);
    else
        kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
