// Convolution and transposed convolution, 1d/2d/3d, with groups, dilation and every padding mode.
// y[n,o,p] = b[o] + sum_{c in group(o), k} w[o,c,k] * x[n,c,p*s - pad_l + k*d]   (zeros padding)
// PyTorch's accumulation order (oneDNN / im2col + GEMM) is implementation-defined, so this kernel
// accumulates in double and is compared with a tolerance, not bit for bit.
#include "kernels/ref/ref.hpp"
#include "cnnshape/parallel.hpp"
#include <cstring>

namespace cnnshape::kernels::ref {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b, r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? q - 1 : q;
}
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
    return -floor_div(-a, b);
}

// Source index of padded position i (may be outside [0, n)) for reflect / replicate / circular,
// as F.pad computes it (reflect excludes the edge; circular wraps at most once).
std::int64_t pad_source(std::int64_t i, std::int64_t n, PadMode mode) {
    if (i >= 0 && i < n) return i;
    switch (mode) {
    case PadMode::Reflect:
        if (n == 1) return 0;
        while (i < 0 || i >= n)
            i = i < 0 ? -i : 2 * (n - 1) - i;
        return i;
    case PadMode::Replicate:
        return i < 0 ? 0 : n - 1;
    case PadMode::Circular:
        return ((i % n) + n) % n;
    case PadMode::Zeros:
        break;
    }
    return -1;
}

// x (N, C, D, H, W) padded by (l, r) per axis with a non-zeros mode.
std::vector<float> pad_explicit(const View3& v, const float* x, const std::vector<std::int64_t>& l,
                                const std::vector<std::int64_t>& r, PadMode mode, View3& out) {
    out = v;
    out.d = v.d + l[0] + r[0];
    out.h = v.h + l[1] + r[1];
    out.w = v.w + l[2] + r[2];
    std::vector<float> p(std::size_t(out.n * out.c * out.plane()));
    for (std::int64_t nc = 0; nc < v.n * v.c; ++nc) {
        const float* src = x + nc * v.plane();
        float* dst = p.data() + nc * out.plane();
        for (std::int64_t z = 0; z < out.d; ++z) {
            std::int64_t sz = pad_source(z - l[0], v.d, mode);
            for (std::int64_t yy = 0; yy < out.h; ++yy) {
                std::int64_t sy = pad_source(yy - l[1], v.h, mode);
                for (std::int64_t xx = 0; xx < out.w; ++xx) {
                    std::int64_t sx = pad_source(xx - l[2], v.w, mode);
                    dst[(z * out.h + yy) * out.w + xx] = src[(sz * v.h + sy) * v.w + sx];
                }
            }
        }
    }
    return p;
}

void conv_forward(const Context& ctx, const ConvDesc& d, const View3& xv, const float* x,
                  const float* weight, const float* bias, const View3& yv, float* y,
                  const std::vector<std::int64_t>& pad) {
    auto k = pad3(d.kernel, 1), s = pad3(d.stride, 1), dl = pad3(d.dilation, 1);
    std::int64_t groups = d.groups;
    std::int64_t cin_g = xv.c / groups, cout_g = yv.c / groups;
    std::int64_t kvol = k[0] * k[1] * k[2];
    parallel_for(ctx.threads, yv.n * yv.c, 1, [&](std::int64_t begin, std::int64_t end) {
        std::vector<double> acc(std::size_t(yv.w));
        for (std::int64_t job = begin; job < end; ++job) {
            std::int64_t n = job / yv.c, o = job % yv.c, g = o / cout_g;
            float* yp = y + job * yv.plane();
            for (std::int64_t od = 0; od < yv.d; ++od)
                for (std::int64_t oh = 0; oh < yv.h; ++oh) {
                    std::fill(acc.begin(), acc.end(), 0.0);
                    for (std::int64_t ci = 0; ci < cin_g; ++ci) {
                        std::int64_t c = g * cin_g + ci;
                        const float* xp = x + (n * xv.c + c) * xv.plane();
                        const float* wp = weight + (o * cin_g + ci) * kvol;
                        for (std::int64_t kd = 0; kd < k[0]; ++kd) {
                            std::int64_t id = od * s[0] - pad[0] + kd * dl[0];
                            if (id < 0 || id >= xv.d) continue;
                            for (std::int64_t kh = 0; kh < k[1]; ++kh) {
                                std::int64_t ih = oh * s[1] - pad[1] + kh * dl[1];
                                if (ih < 0 || ih >= xv.h) continue;
                                const float* row = xp + (id * xv.h + ih) * xv.w;
                                for (std::int64_t kw = 0; kw < k[2]; ++kw) {
                                    double wv = wp[(kd * k[1] + kh) * k[2] + kw];
                                    std::int64_t off = kw * dl[2] - pad[2];
                                    // ow*s + off in [0, W)
                                    std::int64_t lo =
                                        std::max<std::int64_t>(0, ceil_div(-off, s[2]));
                                    std::int64_t hi =
                                        std::min(yv.w - 1, floor_div(xv.w - 1 - off, s[2]));
                                    for (std::int64_t ow = lo; ow <= hi; ++ow)
                                        acc[ow] += wv * double(row[ow * s[2] + off]);
                                }
                            }
                        }
                    }
                    double b = bias ? double(bias[o]) : 0.0;
                    for (std::int64_t ow = 0; ow < yv.w; ++ow)
                        yp[(od * yv.h + oh) * yv.w + ow] = float(acc[ow] + b);
                }
        }
    });
}

// Transposed: every input position scatters its kernel into the output.
// Weight is (C_in, C_out/groups, *k).
void conv_transpose(const Context& ctx, const ConvDesc& d, const View3& xv, const float* x,
                    const float* weight, const float* bias, const View3& yv, float* y) {
    auto k = pad3(d.kernel, 1), s = pad3(d.stride, 1), dl = pad3(d.dilation, 1);
    auto pad = pad3(d.pad_l, 0);
    std::int64_t groups = d.groups;
    std::int64_t cin_g = xv.c / groups, cout_g = yv.c / groups;
    std::int64_t kvol = k[0] * k[1] * k[2];
    parallel_for(ctx.threads, yv.n * yv.c, 1, [&](std::int64_t begin, std::int64_t end) {
        std::vector<double> acc(std::size_t(yv.plane()));
        for (std::int64_t job = begin; job < end; ++job) {
            std::int64_t n = job / yv.c, o = job % yv.c, g = o / cout_g, oi = o % cout_g;
            std::fill(acc.begin(), acc.end(), 0.0);
            for (std::int64_t ci = 0; ci < cin_g; ++ci) {
                std::int64_t c = g * cin_g + ci;
                const float* xp = x + (n * xv.c + c) * xv.plane();
                const float* wp = weight + (c * cout_g + oi) * kvol;
                for (std::int64_t kd = 0; kd < k[0]; ++kd)
                    for (std::int64_t kh = 0; kh < k[1]; ++kh)
                        for (std::int64_t kw = 0; kw < k[2]; ++kw) {
                            double wv = wp[(kd * k[1] + kh) * k[2] + kw];
                            std::int64_t offw = kw * dl[2] - pad[2];
                            // iw*s + offw in [0, OW)
                            std::int64_t lo = std::max<std::int64_t>(0, ceil_div(-offw, s[2]));
                            std::int64_t hi = std::min(xv.w - 1, floor_div(yv.w - 1 - offw, s[2]));
                            for (std::int64_t id = 0; id < xv.d; ++id) {
                                std::int64_t od = id * s[0] - pad[0] + kd * dl[0];
                                if (od < 0 || od >= yv.d) continue;
                                for (std::int64_t ih = 0; ih < xv.h; ++ih) {
                                    std::int64_t oh = ih * s[1] - pad[1] + kh * dl[1];
                                    if (oh < 0 || oh >= yv.h) continue;
                                    const float* row = xp + (id * xv.h + ih) * xv.w;
                                    double* arow = acc.data() + (od * yv.h + oh) * yv.w;
                                    for (std::int64_t iw = lo; iw <= hi; ++iw)
                                        arow[iw * s[2] + offw] += wv * double(row[iw]);
                                }
                            }
                        }
            }
            double b = bias ? double(bias[o]) : 0.0;
            float* yp = y + job * yv.plane();
            for (std::int64_t i = 0; i < yv.plane(); ++i)
                yp[i] = float(acc[i] + b);
        }
    });
}

} // namespace

void run(const Context& ctx, const ConvDesc& d, const Io& io) {
    const Shape& x_shape = io.x_shape();
    const float* x = io.x();
    const float *weight = io.param(0), *bias = io.param(1);
    const Shape& y_shape = io.out_shape;
    float* y = io.out;
    View3 xv = view3(x_shape, d.nd), yv = view3(y_shape, d.nd);
    if (numel(y_shape) == 0) return;
    if (d.transposed) {
        conv_transpose(ctx, d, xv, x, weight, d.bias ? bias : nullptr, yv, y);
        return;
    }
    const float* b = d.bias ? bias : nullptr;
    if (d.padding_mode != PadMode::Zeros) {
        View3 pv;
        auto padded = pad_explicit(xv, x, pad3(d.pad_l, 0), pad3(d.pad_r, 0), d.padding_mode, pv);
        conv_forward(ctx, d, pv, padded.data(), weight, b, yv, y, {0, 0, 0});
        return;
    }
    // Zeros: pad_r only matters through the output size the Plan already fixed.
    conv_forward(ctx, d, xv, x, weight, b, yv, y, pad3(d.pad_l, 0));
}

} // namespace cnnshape::kernels::ref
