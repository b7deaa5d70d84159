// PatchMerging(V2): the 2 x 2 gather of _patch_merging_pad (zeros past an odd H or W), then the
// LayerNorm and Linear kernels (V1: norm, reduction; V2: reduction, norm).
#include "kernels/ref/ref.hpp"

namespace cnnshape::kernels::ref {

void run(const Context& ctx, const PatchMergingDesc& d, const Io& io) {
    using i64 = std::int64_t;
    const i64 H = d.H, W = d.W, C = d.C, H2 = (H + 1) / 2, W2 = (W + 1) / 2;
    const i64 rows = d.outer * H2 * W2;
    const float* x = io.x();
    const float *reduction = io.param(0), *nw = io.param(1), *nb = io.param(2);
    std::vector<float> cat(std::size_t(rows * 4 * C), 0.0f);
    // x0 = x[0::2, 0::2], x1 = x[1::2, 0::2], x2 = x[0::2, 1::2], x3 = x[1::2, 1::2]
    const i64 dy[4] = {0, 1, 0, 1}, dx[4] = {0, 0, 1, 1};
    for (i64 o = 0; o < d.outer; ++o)
        for (i64 i = 0; i < H2; ++i)
            for (i64 j = 0; j < W2; ++j)
                for (int q = 0; q < 4; ++q) {
                    const i64 y = 2 * i + dy[q], xx = 2 * j + dx[q];
                    if (y >= H || xx >= W) continue;
                    const float* src = x + ((o * H + y) * W + xx) * C;
                    std::copy(src, src + C, cat.begin() + ((o * H2 + i) * W2 + j) * 4 * C + q * C);
                }
    LinearDesc ld;
    ld.in_features = 4 * C;
    ld.out_features = 2 * C;
    ld.bias = false;
    LayerNormDesc nd;
    nd.kind = LayerNormKind::LayerNorm;
    nd.eps = d.eps;
    nd.affine = true;
    auto norm = [&](float* data, i64 width) {
        std::vector<float> tmp(data, data + rows * width);
        nd.row = width;
        Io n;
        n.in_shapes = {{rows, width}};
        n.in = {tmp.data()};
        n.params = {nw, nb};
        n.out_shape = {rows, width};
        n.out = data;
        kernels::run(ctx, nd, n);
    };
    auto reduce = [&](const float* src, float* dst) {
        Io l;
        l.in_shapes = {{rows, 4 * C}};
        l.in = {src};
        l.params = {reduction, nullptr};
        l.out_shape = {rows, 2 * C};
        l.out = dst;
        kernels::run(ctx, ld, l);
    };
    if (!d.v2) {
        norm(cat.data(), 4 * C);
        reduce(cat.data(), io.out);
    } else {
        reduce(cat.data(), io.out);
        norm(io.out, 2 * C);
    }
}

} // namespace cnnshape::kernels::ref
