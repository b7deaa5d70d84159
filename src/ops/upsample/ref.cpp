// Upsample / F.interpolate as aten's CPU kernels compute it (UpSample.h, cpu/UpSampleKernel.cpp):
// * nearest: src = min(floor(dst * scale), in-1) in float32 (scale = 1/scale_factor when the
//   user's factor is used, else in/out); out == in copies and out == 2*in takes dst >> 1.
//   nearest-exact: floor((dst + 0.5) * scale).
// * linear / bilinear / trilinear: area_pixel_compute_source_index with the float scale, the
//   source index kept in double, float lambda weights; axes nested outermost first, each as
//   fma(t0, w0, t1*w1) -- bit for bit what Debian's PyTorch 1.13 computes for C > 1 (for C = 1
//   it takes its channels-last path, which 2.x no longer does: within 1e-6).
// * bicubic: four taps per axis (A = -0.75), indices clamped to the input, the source index in
//   double, the cubic convolution weights and the sums with the FMAs of Debian's PyTorch 1.13
//   (its AVX2 kernels, read from the machine code): bit for bit (tests/data/run/bicubic.json).
// * area: adaptive average pooling to the output size.
#include "kernels/ref/ref.hpp"
#include <cmath>

namespace cnnshape::kernels::ref {
namespace {

// compute_scales_value<float>
float scales_value(const UpsampleDesc& d, std::size_t axis, std::int64_t in, std::int64_t out) {
    if (axis < d.scale_factor.size() && d.scale_factor[axis] > 0)
        return float(1.0 / d.scale_factor[axis]);
    return float(in) / float(out);
}

// area_pixel_compute_scale<float>
float area_scale(const UpsampleDesc& d, std::size_t axis, std::int64_t in, std::int64_t out) {
    if (d.align_corners) return out > 1 ? float(in - 1) / float(out - 1) : 0.0f;
    return scales_value(d, axis, in, out);
}

// cubic_convolution1/2 (UpSample.h) as PyTorch's AVX2 build evaluates them: GCC fuses the inner
// multiply-adds, then one rounded product and a separate add (it adds the four weights' last
// terms as one vector).
float cubic1(float x, float A) { // ((A + 2) * x - (A + 3)) * x * x + 1
    return (x * std::fma(x, A + 2, -(A + 3))) * x + 1.0f;
}
float cubic2(float x, float A) { // ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    return x * std::fma(x, std::fma(A, x, -5 * A), 8 * A) + -4 * A;
}

// Per output position along one axis: the source indices and their weights.
struct AxisTaps {
    int taps = 1;
    std::vector<std::int64_t> idx; // out * taps
    std::vector<float> wt;
};

AxisTaps nearest_taps(const UpsampleDesc& d, std::size_t axis, std::int64_t in, std::int64_t out) {
    AxisTaps t;
    t.idx.resize(out);
    t.wt.assign(out, 1.0f);
    bool exact = d.mode == UpsampleMode::NearestExact;
    float scale = scales_value(d, axis, in, out);
    for (std::int64_t o = 0; o < out; ++o) {
        std::int64_t s;
        if (!exact && out == in)
            s = o;
        else if (!exact && out == 2 * in)
            s = o >> 1;
        else if (!exact)
            s = std::min<std::int64_t>(std::int64_t(std::floor(float(o) * scale)), in - 1);
        else
            s = std::min<std::int64_t>(
                std::int64_t(std::floor(float((double(o) + 0.5) * double(scale)))), in - 1);
        t.idx[o] = s;
    }
    return t;
}

AxisTaps linear_taps(const UpsampleDesc& d, std::size_t axis, std::int64_t in, std::int64_t out) {
    AxisTaps t;
    t.taps = 2;
    t.idx.resize(2 * out);
    t.wt.resize(2 * out);
    float scale = area_scale(d, axis, in, out);
    for (std::int64_t o = 0; o < out; ++o) {
        std::int64_t i0, i1;
        float l0, l1;
        if (out == in) {
            i0 = i1 = o;
            l0 = 1, l1 = 0;
        } else {
            // The float scale, but the source index itself is kept in double (checked against
            // PyTorch's outputs: rounding it to float changes lambda).
            double real = d.align_corners ? double(scale) * double(o)
                                          : double(scale) * (double(o) + 0.5) - 0.5;
            if (real < 0) real = 0;
            i0 = std::int64_t(real);
            i1 = i0 + (i0 < in - 1 ? 1 : 0);
            l1 = float(std::min(std::max(real - double(i0), 0.0), 1.0));
            l0 = 1.0f - l1;
        }
        t.idx[2 * o] = i0, t.idx[2 * o + 1] = i1;
        t.wt[2 * o] = l0, t.wt[2 * o + 1] = l1;
    }
    return t;
}

AxisTaps cubic_taps(const UpsampleDesc& d, std::size_t axis, std::int64_t in, std::int64_t out) {
    AxisTaps t;
    t.taps = 4;
    t.idx.resize(4 * out);
    t.wt.resize(4 * out);
    float scale = area_scale(d, axis, in, out);
    const float A = -0.75f;
    for (std::int64_t o = 0; o < out; ++o) {
        // area_pixel_compute_source_index with cubic = true, kept in double: the index is the
        // floor of its float value, but lambda is the double difference rounded once.
        double real = d.align_corners ? double(scale) * double(o)
                                      : std::fma(double(o) + 0.5, double(scale), -0.5);
        std::int64_t i = std::int64_t(std::floor(float(real)));
        float x1 = float(real - double(i)), x2 = 1.0f - x1;
        float c[4] = {cubic2(x1 + 1.0f, A), cubic1(x1, A), cubic1(x2, A), cubic2(x2 + 1.0f, A)};
        for (int j = 0; j < 4; ++j) {
            t.idx[4 * o + j] = std::max<std::int64_t>(std::min(i - 1 + j, in - 1), 0);
            t.wt[4 * o + j] = c[j];
        }
    }
    return t;
}

struct Interp {
    std::vector<AxisTaps> axes;        // one per spatial axis
    std::vector<std::int64_t> strides; // input strides of the spatial axes
    std::vector<std::int64_t> pos;     // current output position

    // Interpolates along axis a and inwards from input offset `base`.
    float eval(std::size_t a, const float* x, std::int64_t base) const {
        const AxisTaps& t = axes[a];
        std::int64_t o = pos[a];
        float out = 0, prev = 0;
        for (int j = 0; j < t.taps; ++j) {
            std::int64_t off = base + t.idx[o * t.taps + j] * strides[a];
            float v = a + 1 == axes.size() ? x[off] : eval(a + 1, x, off);
            // t0*w0 + t1*w1 + ..., which PyTorch's build fuses into fma(t0, w0, t1*w1), then
            // fma(t2, w2, .) and fma(t3, w3, .) for bicubic.
            if (j == 0)
                prev = v;
            else if (j == 1)
                out = std::fma(prev, t.wt[o * t.taps], v * t.wt[o * t.taps + 1]);
            else
                out = std::fma(v, t.wt[o * t.taps + j], out);
        }
        return out;
    }
};

} // namespace

void run(const Context& ctx, const UpsampleDesc& d, const Io& io) {
    const Shape& x_shape = io.x_shape();
    const float* x = io.x();
    const Shape& y_shape = io.out_shape;
    float* y = io.out;
    std::size_t nd = x_shape.size() - 2;
    if (numel(y_shape) == 0) return;
    if (d.mode == UpsampleMode::Area) {
        AdaptivePoolDesc a;
        a.is_max = false;
        a.nd = int(nd);
        a.output_size = Shape(y_shape.begin() + 2, y_shape.end());
        ref::run(ctx, a, io);
        return;
    }
    Interp ip;
    ip.strides.assign(nd, 1);
    for (std::size_t a = nd; a-- > 1;)
        ip.strides[a - 1] = ip.strides[a] * x_shape[2 + a];
    for (std::size_t a = 0; a < nd; ++a) {
        std::int64_t in = x_shape[2 + a], out = y_shape[2 + a];
        switch (d.mode) {
        case UpsampleMode::Nearest:
        case UpsampleMode::NearestExact:
            ip.axes.push_back(nearest_taps(d, a, in, out));
            break;
        case UpsampleMode::Bicubic:
            ip.axes.push_back(cubic_taps(d, a, in, out));
            break;
        default:
            ip.axes.push_back(linear_taps(d, a, in, out));
        }
    }
    std::int64_t planes = x_shape[0] * x_shape[1];
    std::int64_t in_plane = 1, out_plane = 1;
    for (std::size_t a = 0; a < nd; ++a)
        in_plane *= x_shape[2 + a], out_plane *= y_shape[2 + a];
    bool nearest = d.mode == UpsampleMode::Nearest || d.mode == UpsampleMode::NearestExact;
    for (std::int64_t p = 0; p < planes; ++p) {
        const float* xp = x + p * in_plane;
        float* yp = y + p * out_plane;
        ip.pos.assign(nd, 0);
        for (std::int64_t o = 0; o < out_plane; ++o) {
            if (nearest) {
                std::int64_t off = 0;
                for (std::size_t a = 0; a < nd; ++a)
                    off += ip.axes[a].idx[ip.pos[a]] * ip.strides[a];
                yp[o] = xp[off];
            } else {
                yp[o] = ip.eval(0, xp, 0);
            }
            for (std::size_t a = nd; a-- > 0;) {
                if (++ip.pos[a] < y_shape[2 + a]) break;
                ip.pos[a] = 0;
            }
        }
    }
}

} // namespace cnnshape::kernels::ref
