// Adaptive average / max pooling, 1d/2d/3d (SEMANTICS.md §4). Window of output a (of b) over an
// input of c: [floor(a*c/b), ceil((a+1)*c/b)). Avg sums in float row-major, then divides by each
// window extent in turn (sum / kd / kh / kw). An all-ones output size is input.mean() in PyTorch,
// a different reduction: here a double sum, rounded, then one division by the count.
#include "ref.hpp"
#include <cmath>
#include <limits>

namespace cnnshape::kernels::ref {
namespace {

std::int64_t start_index(std::int64_t a, std::int64_t b, std::int64_t c) {
    return (a / b) * c + ((a % b) * c) / b;
}
std::int64_t end_index(std::int64_t a, std::int64_t b, std::int64_t c) {
    return 1 + ((a + 1) * c - 1) / b;
}

} // namespace

void adaptive_pool(const Context&, const AdaptivePoolDesc& d, const Shape& x_shape, const float* x,
                   const Shape& y_shape, float* y, std::int64_t* indices) {
    View3 xv = view3(x_shape, d.nd), yv = view3(y_shape, d.nd);
    if (numel(y_shape) == 0) return;
    bool mean = !d.is_max;
    for (auto v : d.output_size)
        mean = mean && v == 1;
    if (mean) {
        for (std::int64_t nc = 0; nc < xv.n * xv.c; ++nc) {
            double sum = 0;
            const float* xp = x + nc * xv.plane();
            for (std::int64_t i = 0; i < xv.plane(); ++i)
                sum += xp[i];
            y[nc] = float(sum) / float(xv.plane());
        }
        return;
    }
    std::int64_t in[3] = {xv.d, xv.h, xv.w}, out[3] = {yv.d, yv.h, yv.w};
    for (std::int64_t nc = 0; nc < xv.n * xv.c; ++nc) {
        const float* xp = x + nc * xv.plane();
        std::int64_t o = nc * yv.plane();
        for (std::int64_t od = 0; od < yv.d; ++od)
            for (std::int64_t oh = 0; oh < yv.h; ++oh)
                for (std::int64_t ow = 0; ow < yv.w; ++ow, ++o) {
                    std::int64_t pos[3] = {od, oh, ow}, lo[3], hi[3];
                    for (int a = 0; a < 3; ++a) {
                        lo[a] = start_index(pos[a], out[a], in[a]);
                        hi[a] = end_index(pos[a], out[a], in[a]);
                    }
                    if (d.is_max) {
                        std::int64_t maxindex = (lo[0] * xv.h + lo[1]) * xv.w + lo[2];
                        float maxval = -std::numeric_limits<float>::infinity();
                        for (std::int64_t id = lo[0]; id < hi[0]; ++id)
                            for (std::int64_t ih = lo[1]; ih < hi[1]; ++ih)
                                for (std::int64_t iw = lo[2]; iw < hi[2]; ++iw) {
                                    std::int64_t index = (id * xv.h + ih) * xv.w + iw;
                                    float val = xp[index];
                                    if (val > maxval || std::isnan(val)) {
                                        maxval = val;
                                        maxindex = index;
                                    }
                                }
                        y[o] = maxval;
                        if (indices) indices[o] = maxindex;
                    } else {
                        float sum = 0;
                        for (std::int64_t id = lo[0]; id < hi[0]; ++id)
                            for (std::int64_t ih = lo[1]; ih < hi[1]; ++ih)
                                for (std::int64_t iw = lo[2]; iw < hi[2]; ++iw)
                                    sum += xp[(id * xv.h + ih) * xv.w + iw];
                        // Two (three) successive divisions, as aten writes it; 1d and 2d skip
                        // the leading extents, which are 1.
                        if (d.nd == 3) sum = sum / float(hi[0] - lo[0]);
                        if (d.nd >= 2) sum = sum / float(hi[1] - lo[1]);
                        y[o] = sum / float(hi[2] - lo[2]);
                    }
                }
    }
}

} // namespace cnnshape::kernels::ref
