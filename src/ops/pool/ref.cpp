// MaxPool / AvgPool / LPPool, 1d/2d/3d, as aten's CPU kernels compute them (SEMANTICS.md §2, §3).
// Max: taps at start + j*d, padding skipped; `val > max || isnan(val)` so the first maximum and
// the last NaN win; indices are flat (d*H + h)*W + w within each (n, c) plane.
// Avg: a sequential float sum in row-major window order, then one division by the divisor.
// LP: F.lp_pool = avg_pool(x.pow(p)) -> sign*relu(abs) -> * kernel volume -> .pow(1/p).
#include "kernels/ref/ref.hpp"
#include <cmath>
#include <limits>

namespace cnnshape::kernels::ref {
namespace {

// Tensor.pow(scalar) on float as PyTorch's CPU kernel specialises it (PowKernel.cpp).
float torch_pow(float x, double e) {
    if (e == 2.0) return x * x;
    if (e == 3.0) return x * x * x;
    if (e == 0.5) return std::sqrt(x);
    if (e == -0.5) return 1.0f / std::sqrt(x);
    if (e == -1.0) return 1.0f / x;
    if (e == -2.0) return 1.0f / (x * x);
    return float(std::pow(double(x), e));
}

struct Geometry {
    View3 x, y;
    std::vector<std::int64_t> k, s, p, dl;
};

void max_pool(const Geometry& g, const float* x, float* y, std::int64_t* indices) {
    const auto &k = g.k, &s = g.s, &p = g.p, &dl = g.dl;
    const View3 &xv = g.x, &yv = g.y;
    for (std::int64_t nc = 0; nc < xv.n * xv.c; ++nc) {
        const float* xp = x + nc * xv.plane();
        std::int64_t o = nc * yv.plane();
        for (std::int64_t od = 0; od < yv.d; ++od) {
            std::int64_t d0 = od * s[0] - p[0];
            std::int64_t d1 = std::min(d0 + (k[0] - 1) * dl[0] + 1, xv.d);
            while (d0 < 0)
                d0 += dl[0];
            for (std::int64_t oh = 0; oh < yv.h; ++oh) {
                std::int64_t h0 = oh * s[1] - p[1];
                std::int64_t h1 = std::min(h0 + (k[1] - 1) * dl[1] + 1, xv.h);
                while (h0 < 0)
                    h0 += dl[1];
                for (std::int64_t ow = 0; ow < yv.w; ++ow, ++o) {
                    std::int64_t w0 = ow * s[2] - p[2];
                    std::int64_t w1 = std::min(w0 + (k[2] - 1) * dl[2] + 1, xv.w);
                    while (w0 < 0)
                        w0 += dl[2];
                    std::int64_t maxindex = (d0 * xv.h + h0) * xv.w + w0;
                    float maxval = -std::numeric_limits<float>::infinity();
                    for (std::int64_t id = d0; id < d1; id += dl[0])
                        for (std::int64_t ih = h0; ih < h1; ih += dl[1])
                            for (std::int64_t iw = w0; iw < w1; iw += dl[2]) {
                                std::int64_t index = (id * xv.h + ih) * xv.w + iw;
                                float val = xp[index];
                                if (val > maxval || std::isnan(val)) {
                                    maxval = val;
                                    maxindex = index;
                                }
                            }
                    y[o] = maxval;
                    if (indices) indices[o] = maxindex;
                }
            }
        }
    }
}

// `pre` maps each input value before summing (the pow of LPPool); identity for AvgPool.
template <typename Pre>
void avg_pool(const Geometry& g, bool count_include_pad, std::optional<std::int64_t> divisor,
              const float* x, float* y, Pre pre) {
    const auto &k = g.k, &s = g.s, &p = g.p;
    const View3 &xv = g.x, &yv = g.y;
    std::int64_t in[3] = {xv.d, xv.h, xv.w};
    for (std::int64_t nc = 0; nc < xv.n * xv.c; ++nc) {
        const float* xp = x + nc * xv.plane();
        std::int64_t o = nc * yv.plane();
        for (std::int64_t od = 0; od < yv.d; ++od)
            for (std::int64_t oh = 0; oh < yv.h; ++oh)
                for (std::int64_t ow = 0; ow < yv.w; ++ow, ++o) {
                    std::int64_t out[3] = {od, oh, ow}, lo[3], hi[3];
                    std::int64_t pool_size = 1, real = 1;
                    for (int a = 0; a < 3; ++a) {
                        lo[a] = out[a] * s[a] - p[a];
                        // Padding counts; the ceil-mode overhang past in+pad does not.
                        hi[a] = std::min(lo[a] + k[a], in[a] + p[a]);
                        pool_size *= hi[a] - lo[a];
                        lo[a] = std::max<std::int64_t>(lo[a], 0);
                        hi[a] = std::min(hi[a], in[a]);
                        real *= std::max<std::int64_t>(hi[a] - lo[a], 0);
                    }
                    if (lo[0] >= hi[0] || lo[1] >= hi[1] || lo[2] >= hi[2]) {
                        y[o] = 0;
                        continue;
                    }
                    std::int64_t factor = divisor ? *divisor : count_include_pad ? pool_size : real;
                    float sum = 0;
                    for (std::int64_t id = lo[0]; id < hi[0]; ++id)
                        for (std::int64_t ih = lo[1]; ih < hi[1]; ++ih)
                            for (std::int64_t iw = lo[2]; iw < hi[2]; ++iw)
                                sum += pre(xp[(id * xv.h + ih) * xv.w + iw]);
                    y[o] = sum / float(factor);
                }
    }
}

} // namespace

void run(const Context&, const PoolDesc& d, const Io& io) {
    const Shape& x_shape = io.x_shape();
    const float* x = io.x();
    const Shape& y_shape = io.out_shape;
    float* y = io.out;
    std::int64_t* indices = io.indices;
    Geometry g{view3(x_shape, d.nd), view3(y_shape, d.nd), pad3(d.kernel, 1),
               pad3(d.stride, 1),    pad3(d.padding, 0),   pad3(d.dilation, 1)};
    if (numel(y_shape) == 0) return;
    switch (d.kind) {
    case PoolKind::Max:
        max_pool(g, x, y, indices);
        return;
    case PoolKind::Avg:
        avg_pool(g, d.count_include_pad, d.divisor_override, x, y, [](float v) { return v; });
        return;
    case PoolKind::LP: {
        double e = d.norm_type;
        // avg_pool's defaults: padding 0, count_include_pad=True, no divisor override.
        avg_pool(g, true, std::nullopt, x, y, [e](float v) { return torch_pow(v, e); });
        float kvol = float(g.k[0] * g.k[1] * g.k[2]);
        std::int64_t n = numel(y_shape);
        for (std::int64_t i = 0; i < n; ++i) {
            float v = y[i];
            // torch.sign(out) * relu(torch.abs(out)): -0 becomes +0, NaN stays NaN.
            float sgn = v > 0 ? 1.0f : (v < 0 ? -1.0f : (std::isnan(v) ? v : 0.0f));
            float r = sgn * std::max(std::fabs(v), 0.0f);
            if (std::isnan(v)) r = v;
            y[i] = torch_pow(r * kvol, 1.0 / e);
        }
        return;
    }
    }
}

} // namespace cnnshape::kernels::ref
