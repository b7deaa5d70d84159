// How `run` runs the shape-preserving layers: the kernel, or, for Dropout in train mode, PyTorch's
// random mask drawn from the run's generator. Identity keeps the data.
#include "exec/op_run.hpp"

#include <algorithm>
#include <cmath>

namespace cnnshape {
namespace {

// How many noise values feature dropout draws: one per (dim 0, dim 1) pair (make_feature_noise),
// of the input viewed with a leading 1 when functional.dropout1d/3d see it unbatched.
std::int64_t feature_maps(const ElementwiseDesc& d, const Shape& s) {
    if (d.unbatched) return s.empty() ? 1 : s[0];
    return s.at(0) * s.at(1);
}

// The uniform double a Bernoulli draw compares with its probability (bernoulli_(p) on the CPU).
double uniform53(TorchGenerator& g) {
    const std::uint64_t r = g.random64() & ((std::uint64_t(1) << 53) - 1);
    return double(r) * (1.0 / 9007199254740992.0);
}

// AlphaDropout / FeatureAlphaDropout in train mode, aten's _dropout_impl with alpha_dropout: p = 0
// or an empty input returns the input and p = 1 multiplies by zero, drawing nothing; otherwise
// noise = bernoulli_(1 - p) (per element, or per feature map), a = 1 / sqrt((alpha^2 p + 1)(1 - p))
// in double, b = (noise - 1) * (alpha a) + alpha a p and noise *= a in float, and the output is
// input * noise + b.
void alpha_dropout_train(const ElementwiseDesc& d, const Tensor& x, Tensor& y, TorchGenerator& g) {
    const std::int64_t n = x.size();
    if (d.p == 0 || n == 0) {
        std::copy(x.data.begin(), x.data.end(), y.data.begin());
        return;
    }
    if (d.p == 1) {
        for (std::int64_t i = 0; i < n; ++i)
            y.data[i] = x.data[i] * 0.0f;
        return;
    }
    constexpr double alpha = 1.7580993408473766;
    const double keep = 1.0 - d.p;
    const double a = 1.0 / std::sqrt((alpha * alpha * d.p + 1) * keep);
    const float alpha_a = float(alpha * a), alpha_a_p = float(alpha * a * d.p), a_f = float(a);
    const std::int64_t maps = d.channelwise ? feature_maps(d, x.shape) : n, inner = n / maps;
    for (std::int64_t m = 0; m < maps; ++m) {
        const float noise = uniform53(g) < keep ? 1.0f : 0.0f;
        const float b = (noise + -1.0f) * alpha_a + alpha_a_p;
        const float scaled = noise * a_f;
        for (std::int64_t i = m * inner; i < (m + 1) * inner; ++i)
            y.data[i] = x.data[i] * scaled + b;
    }
}

// torchvision.ops.stochastic_depth in train mode (p != 0): noise of shape [N, 1, ...] ('row') or
// [1, ...] ('batch') gets bernoulli_(1 - p), is divided by 1 - p when that is above 0, and the
// output is input * noise. The draws happen even when p = 1 or the input is empty.
void stochastic_depth_train(const ElementwiseDesc& d, const Tensor& x, Tensor& y,
                            TorchGenerator& g) {
    const std::int64_t n = x.size();
    const double keep = 1.0 - d.p;
    const std::int64_t rows = d.stochastic == 1 ? x.shape.at(0) : 1;
    const std::int64_t inner = rows == 0 ? 0 : n / rows;
    for (std::int64_t r = 0; r < rows; ++r) {
        float v = uniform53(g) < keep ? 1.0f : 0.0f;
        if (keep > 0.0) v /= float(keep);
        for (std::int64_t i = r * inner; i < (r + 1) * inner; ++i)
            y.data[i] = x.data[i] * v;
    }
}

// Dropout in train mode as aten's _dropout_impl computes it on the CPU (no MKL in Debian's
// build): p = 0 returns the input and p = 1 multiplies by zero, drawing nothing; otherwise a
// noise tensor gets bernoulli_(1 - p), one random64() per element in order (kept when its 53-bit
// uniform is below 1 - p), then noise.div_(1 - p) in float, and the output is input * noise.
// Dropout2d draws one value per (dim 0, dim 1) pair (make_feature_noise) and broadcasts it.
void dropout_train(const ElementwiseDesc& d, const Tensor& x, Tensor& y, TorchGenerator& g) {
    const std::int64_t n = x.size();
    if (d.stochastic) {
        stochastic_depth_train(d, x, y, g);
        return;
    }
    if (d.alpha) {
        alpha_dropout_train(d, x, y, g);
        return;
    }
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
    const std::int64_t maps = feature_maps(d, x.shape), inner = n / maps;
    for (std::int64_t m = 0; m < maps; ++m) {
        const float v = noise();
        for (std::int64_t i = m * inner; i < (m + 1) * inner; ++i)
            y.data[i] = x.data[i] * v;
    }
}

} // namespace

void run_op(const OpRun& r, const ElementwiseDesc& d) {
    if (d.act == Activation::Dropout) {
        dropout_train(d, *r.in.at(0), r.out, r.rng);
    } else if (d.act == Activation::PReLU) {
        kernels::Io io = r.io();
        io.params = {r.weight("weight")};
        kernels::run(r.ctx, d, io);
    } else {
        kernels::run(r.ctx, d, r.io());
    }
}

} // namespace cnnshape
