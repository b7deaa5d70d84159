// The scalar reference kernels: written to be obviously right, they are the oracle the SIMD
// kernels are tested against. The dispatcher (dispatch.cpp) calls these when the SIMD side
// declines a case or the reference backend is forced. Also the helpers the reference kernels
// share (View3, pad3).
#pragma once
#include "cnnshape/kernels.hpp"
#include <algorithm>
#include <cstdint>
#include <vector>

namespace cnnshape::kernels::ref {

// One overload per op of src/ops/ops.def, defined in src/ops/<folder>/ref.cpp.
#define CNNSHAPE_OP(folder, Desc) RefKernel<Desc> run;
#include "ops/ops.def"
#undef CNNSHAPE_OP

void batch_norm_coefficients(const BatchNormDesc& d, const float* weight, const float* bias,
                             const float* running_mean, const float* running_var, float* alpha,
                             float* beta);

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
