// Adaptive average / max pooling, 1d/2d/3d (SEMANTICS.md §4). Window of output a (of b) over an
// input of c: [floor(a*c/b), ceil((a+1)*c/b)). Avg sums in float row-major, then divides by each
// window extent in turn (sum / kd / kh / kw). An all-ones output size is input.mean() in PyTorch,
// a different reduction, reproduced here exactly: PyTorch 1.13's cascade sum
// (aten/src/ATen/native/cpu/SumKernel.cpp) with its 8-lane AVX2 vectors, then one division.
#include "kernels/ref/ref.hpp"
#include "cnnshape/rules.hpp"
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>

namespace cnnshape::kernels::ref {
namespace {

// PyTorch's sum of n contiguous floats (one output of `x.sum(dims)` over an inner, contiguous
// reduction, one thread), on the AVX2 build Debian's python3-torch runs (CPU capability AVX2:
// 8-float vectors). Each vector lane is a float; the steps below are aten's, in its order.
struct Lanes {
    float v[8] = {};
};
Lanes operator+(Lanes a, const Lanes& b) {
    for (int i = 0; i < 8; ++i)
        a.v[i] += b.v[i];
    return a;
}

int ceil_log2(std::int64_t x) {
    if (x <= 2) return 1;
    int bits = 0;
    for (std::uint64_t v = std::uint64_t(x - 1); v; v >>= 1)
        ++bits;
    return bits;
}

// multi_row_sum: `nrows` interleaved running sums (element i of row k is load(i, k)), folded into
// four levels of partial sums so only values of similar magnitude meet.
template <typename T, typename Load>
void multi_row_sum(std::int64_t size, Load load, T (&out)[4]) {
    const int level_power = std::max(4, ceil_log2(size) / 4);
    const std::int64_t level_step = std::int64_t(1) << level_power;
    const std::int64_t level_mask = level_step - 1;
    T acc[4][4] = {};
    std::int64_t i = 0;
    while (i + level_step <= size) {
        for (std::int64_t j = 0; j < level_step; ++j, ++i)
            for (int k = 0; k < 4; ++k)
                acc[0][k] = acc[0][k] + load(i, k);
        for (int j = 1; j < 4; ++j) {
            for (int k = 0; k < 4; ++k) {
                acc[j][k] = acc[j][k] + acc[j - 1][k];
                acc[j - 1][k] = T{};
            }
            if ((i & (level_mask << (j * level_power))) != 0) break;
        }
    }
    for (; i < size; ++i)
        for (int k = 0; k < 4; ++k)
            acc[0][k] = acc[0][k] + load(i, k);
    for (int j = 1; j < 4; ++j)
        for (int k = 0; k < 4; ++k)
            acc[0][k] = acc[0][k] + acc[j][k];
    for (int k = 0; k < 4; ++k)
        out[k] = acc[0][k];
}

// row_sum: the row seen as (size / 4, 4), summed per column, the leftovers added to column 0,
// then the columns added in order.
template <typename T, typename Load>
T row_sum(std::int64_t size, Load load) {
    const std::int64_t size_ilp = size / 4;
    T part[4];
    multi_row_sum<T>(
        size_ilp, [&](std::int64_t i, int k) { return load(i * 4 + k); }, part);
    for (std::int64_t i = size_ilp * 4; i < size; ++i)
        part[0] = part[0] + load(i);
    for (int k = 1; k < 4; ++k)
        part[0] = part[0] + part[k];
    return part[0];
}

float torch_sum(const float* x, std::int64_t n) {
    float total;
    if (n >= 8) { // vectorized_inner_sum
        const std::int64_t nvec = n / 8;
        Lanes vec = row_sum<Lanes>(nvec, [&](std::int64_t i) {
            Lanes l;
            for (int k = 0; k < 8; ++k)
                l.v[k] = x[i * 8 + k];
            return l;
        });
        total = 0.0f;
        for (std::int64_t k = nvec * 8; k < n; ++k)
            total += x[k];
        for (int k = 0; k < 8; ++k)
            total += vec.v[k];
    } else { // scalar_inner_sum
        total = row_sum<float>(n, [&](std::int64_t i) { return x[i]; });
    }
    return 0.0f + total; // the output starts at zero and the sum is added to it
}

} // namespace

void run(const Context&, const AdaptivePoolDesc& d, const Io& io) {
    const Shape& x_shape = io.x_shape();
    const float* x = io.x();
    const Shape& y_shape = io.out_shape;
    float* y = io.out;
    std::int64_t* indices = io.indices;
    View3 xv = view3(x_shape, d.nd), yv = view3(y_shape, d.nd);
    if (numel(y_shape) == 0) return;
    bool mean = !d.is_max;
    for (auto v : d.output_size)
        mean = mean && v == 1;
    if (mean) {
        for (std::int64_t nc = 0; nc < xv.n * xv.c; ++nc)
            y[nc] = torch_sum(x + nc * xv.plane(), xv.plane()) / float(xv.plane());
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
                        std::tie(lo[a], hi[a]) = adaptive_window(pos[a], out[a], in[a]);
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
