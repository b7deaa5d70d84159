// MaxUnpool (aten/src/ATen/native/cpu/MaxUnpoolKernel.cpp): a zeroed output, then, plane by
// plane, out[indices[i]] = values[i]. Exact: it only moves floats. An index outside the output
// plane is PyTorch's runtime error.
#include "kernels/ref/ref.hpp"
#include "cnnshape/error.hpp"
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace cnnshape::kernels::ref {

void run(const Context&, const UnpoolDesc& d, const Io& io) {
    const Shape& xs = io.in_shapes.at(0);
    const Shape& ys = io.out_shape;
    const float* x = io.in.at(0);
    const float* idx = io.in.at(1);
    float* y = io.out;
    std::int64_t in_plane = 1, out_plane = 1;
    std::string sizes;
    for (int i = 0; i < d.nd; ++i) {
        in_plane *= xs[xs.size() - d.nd + i];
        out_plane *= ys[ys.size() - d.nd + i];
        sizes += (i ? "x" : "") + std::to_string(ys[ys.size() - d.nd + i]);
    }
    if (d.nd == 1) sizes += "x1"; // max_unpool1d runs as max_unpool2d
    // The indices reach this layer as float32 (a tuple element), exact up to 2^24.
    if (out_plane > (std::int64_t(1) << 24))
        throw UsageError(fmt::format("MaxUnpool{}d cannot be run on output planes of more than "
                                     "2^24 elements ({}): cnnshape passes the indices on as "
                                     "float32",
                                     d.nd, sizes));
    std::fill(y, y + numel(ys), 0.0f);
    if (numel(ys) == 0) return;
    const std::int64_t planes = in_plane ? numel(xs) / in_plane : 0;
    for (std::int64_t p = 0; p < planes; ++p)
        for (std::int64_t i = 0; i < in_plane; ++i) {
            const float f = idx[p * in_plane + i];
            const std::int64_t k = std::int64_t(f);
            if (!(f >= 0 && double(k) == double(f) && k < out_plane))
                throw UsageError(fmt::format("Found an invalid max index: {} (output volumes are "
                                             "of size {}",
                                             std::isfinite(f) ? std::to_string(k) : "nan", sizes));
            y[p * out_plane + k] = x[p * in_plane + i];
        }
}

} // namespace cnnshape::kernels::ref
