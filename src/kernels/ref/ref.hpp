// The scalar reference kernels: written to be obviously right, they are the oracle the SIMD
// kernels are tested against. Same signatures as kernels.hpp; the dispatcher (dispatch.cpp)
// calls these when the SIMD side declines a case or the reference backend is forced.
#pragma once
#include "cnnshape/kernels.hpp"
#include <algorithm>
#include <cstdint>
#include <vector>

namespace cnnshape::kernels::ref {

void conv(const Context& ctx, const ConvDesc& d, const Shape& x_shape, const float* x,
          const float* weight, const float* bias, const Shape& y_shape, float* y);
void pool(const Context& ctx, const PoolDesc& d, const Shape& x_shape, const float* x,
          const Shape& y_shape, float* y, std::int64_t* indices);
void adaptive_pool(const Context& ctx, const AdaptivePoolDesc& d, const Shape& x_shape,
                   const float* x, const Shape& y_shape, float* y, std::int64_t* indices);
void linear(const Context& ctx, const LinearDesc& d, const Shape& x_shape, const float* x,
            const float* weight, const float* bias, float* y);
void batch_norm_coefficients(const BatchNormDesc& d, const float* weight, const float* bias,
                             const float* running_mean, const float* running_var, float* alpha,
                             float* beta);
void batch_norm(const Context& ctx, const BatchNormDesc& d, const Shape& x_shape, const float* x,
                const float* weight, const float* bias, const float* running_mean,
                const float* running_var, float* y);
void constant_pad(const Context& ctx, const ConstantPadDesc& d, const Shape& x_shape,
                  const float* x, const Shape& y_shape, float* y);
void upsample(const Context& ctx, const UpsampleDesc& d, const Shape& x_shape, const float* x,
              const Shape& y_shape, float* y);
void elementwise(const Context& ctx, const ElementwiseDesc& d, const Shape& shape, const float* x,
                 float* y);
void add(const Context& ctx, const Shape& a_shape, const float* a, const Shape& b_shape,
         const float* b, const Shape& y_shape, float* y);
void concat(const Context& ctx, const ConcatDesc& d, const std::vector<Shape>& shapes,
            const std::vector<const float*>& xs, const Shape& y_shape, float* y);

// A (N, C, *spatial) shape with 1 to 3 spatial dims seen as 3 spatial dims (D, H, W), the missing
// leading ones of size 1, so one loop nest serves 1d, 2d and 3d.
struct View3 {
    std::int64_t n = 1, c = 1, d = 1, h = 1, w = 1;
    std::int64_t plane() const { return d * h * w; }
};

inline View3 view3(const Shape& s, int nd) {
    View3 v;
    v.n = s.at(0);
    v.c = s.at(1);
    std::int64_t sp[3] = {1, 1, 1};
    for (int i = 0; i < nd; ++i)
        sp[3 - nd + i] = s.at(2 + i);
    v.d = sp[0], v.h = sp[1], v.w = sp[2];
    return v;
}

// A per-axis list (nd entries) padded on the left to 3 entries with `fill`.
inline std::vector<std::int64_t> pad3(const std::vector<std::int64_t>& v, std::int64_t fill) {
    std::vector<std::int64_t> r(3, fill);
    for (std::size_t i = 0; i < v.size() && i < 3; ++i)
        r[3 - v.size() + i] = v[i];
    return r;
}

} // namespace cnnshape::kernels::ref
