// What every SIMD kernel family shares, templated on the xsimd architecture: integer helpers,
// per-thread scratch slots, work grains for parallel_for, and the 2-d view of a pooling or
// convolution problem. Included by the ops' SIMD kernels (src/ops/<folder>/simd.hpp), which the
// per-architecture translation units (kernels_avx512.cpp, ...) include through kernels_impl.hpp,
// each compiled with that architecture's flags and -ffp-contract=off, so a*b+c is never fused
// behind our back: where the reference kernel is exact (pooling, batch norm, add, the piecewise
// activations) every lane performs the same float operations in the same order as the reference
// does for that output.
//
// Everything here has internal linkage (anonymous namespace) and creates no std containers (only
// reads the shapes passed in), so no out-of-line code compiled for one architecture can be
// picked by the linker for another.
#pragma once
#include "arch_ops.hpp"
#include "cnnshape/parallel.hpp"
#include "cnnshape/rules.hpp"
#include "table.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace cnnshape::kernels::simd {
namespace {

using i64 = std::int64_t;

inline i64 ceil_div(i64 a, i64 b) {
    return (a + b - 1) / b;
}
inline i64 round_up(i64 a, i64 b) {
    return ceil_div(a, b) * b;
}
// Floor division for a possibly negative numerator (b > 0).
inline i64 floor_div(i64 a, i64 b) {
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}
inline i64 product(const Shape& s, std::size_t from) {
    i64 p = 1;
    for (std::size_t i = from; i < s.size(); ++i)
        p *= s[i];
    return p;
}

template <class T>
T* scratch_as(int slot, i64 count) {
    return reinterpret_cast<T*>(scratch(slot, std::size_t(count) * sizeof(T) / sizeof(float) + 1));
}

// Tasks per parallel_for chunk so that a chunk is worth waking a thread for: at least `min_work`
// element operations (about 10-20 us), given each task's work.
inline i64 grain_for(i64 work_per_task, i64 min_work = i64(1) << 16) {
    return std::max<i64>(1, min_work / std::max<i64>(work_per_task, 1));
}

// Scratch slots: 0 and 1 are filled by the calling thread and read by all workers; 2 and 3 are
// private to whichever thread runs a task.
constexpr int kShared0 = 0, kShared1 = 1, kPrivate0 = 2, kPrivate1 = 3;

// A pooling or convolution problem seen as 2-d: 1-d layers are 2-d with H = 1.
struct Geom2 {
    i64 N = 0, C = 0, H = 0, W = 0, OC = 0, OH = 0, OW = 0;
    i64 kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
};

// Per-dim parameter lists as plain arrays: no std::vector code is instantiated in these units.
struct Dims {
    const i64* v = nullptr;
    std::size_t n = 0;
    i64 at(std::size_t i, i64 fallback) const { return i < n ? v[i] : fallback; }
};
inline Dims dims(const IntList& l) {
    return {l.data(), l.size()};
}

// Fills the spatial part of g from per-dim lists (nd = 1 or 2); false for other ranks.
inline bool spatial(int nd, const Shape& xs, const Shape& ys, Dims k, Dims s, Dims p, Dims d,
                    Geom2& g) {
    if (nd == 2 && xs.size() == 4 && ys.size() == 4) {
        g.H = xs[2], g.W = xs[3], g.OH = ys[2], g.OW = ys[3];
        g.kh = k.at(0, 1), g.kw = k.at(1, 1), g.sh = s.at(0, 1), g.sw = s.at(1, 1);
        g.ph = p.at(0, 0), g.pw = p.at(1, 0), g.dh = d.at(0, 1), g.dw = d.at(1, 1);
    } else if (nd == 1 && xs.size() == 3 && ys.size() == 3) {
        g.H = 1, g.W = xs[2], g.OH = 1, g.OW = ys[2];
        g.kw = k.at(0, 1), g.sw = s.at(0, 1), g.pw = p.at(0, 0), g.dw = d.at(0, 1);
    } else {
        return false;
    }
    g.N = xs[0], g.C = xs[1], g.OC = ys[1];
    return g.kh > 0 && g.kw > 0 && g.sh > 0 && g.sw > 0 && g.dh > 0 && g.dw > 0 && g.ph >= 0 &&
           g.pw >= 0;
}

inline bool same_shape(const Shape& a, const Shape& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i]) return false;
    return true;
}

} // namespace
} // namespace cnnshape::kernels::simd
