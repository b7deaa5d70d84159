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
#include "taps.hpp"
#include <cmath>

namespace cnnshape::kernels::ref {
namespace {

// Per output position along one axis: the source indices and their weights (taps.hpp).
struct AxisTaps {
    int taps = 1;
    std::vector<std::int64_t> idx; // out * taps
    std::vector<float> wt;
};

AxisTaps axis_taps(const UpsampleDesc& d, std::size_t axis, std::int64_t in, std::int64_t out) {
    AxisTaps t;
    t.taps = upsample::taps_of(d);
    t.idx.resize(std::size_t(out * t.taps));
    t.wt.resize(std::size_t(out * t.taps));
    upsample::axis_taps(d, axis, in, out, t.taps, t.idx.data(), t.wt.data(), t.taps, 1);
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
        ip.axes.push_back(axis_taps(d, a, in, out));
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
