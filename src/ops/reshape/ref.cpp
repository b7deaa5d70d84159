// The data-movement kernel: one strided walk of the input (ReshapeDesc). Dims of size 1 are
// dropped and neighbours that are contiguous with each other merged, so a view or a copy is one
// std::copy and a permutation walks whole rows where it can; the innermost dim is copied as a
// block (stride 1), filled (stride 0) or gathered, in two pieces when it is rolled.
#include "kernels/ref/ref.hpp"
#include <algorithm>

namespace cnnshape::kernels::ref {

namespace {

struct Dim {
    std::int64_t n, stride, shift;
};

// Row i of a dim of n elements: y[i] = x[(i - shift) mod n], stride apart in x.
void copy_row(const float* x, float* y, const Dim& d) {
    auto piece = [&](std::int64_t from, std::int64_t to, std::int64_t src) {
        const float* p = x + src * d.stride;
        if (d.stride == 1) {
            std::copy(p, p + (to - from), y + from);
        } else if (d.stride == 0) {
            std::fill(y + from, y + to, *p);
        } else {
            for (std::int64_t i = from; i < to; ++i, p += d.stride)
                y[i] = *p;
        }
    };
    if (d.shift == 0) {
        piece(0, d.n, 0);
    } else {
        piece(0, d.shift, d.n - d.shift);
        piece(d.shift, d.n, 0);
    }
}

} // namespace

void run(const Context&, const ReshapeDesc& d, const Io& io) {
    const float* x = io.x();
    float* y = io.out;
    std::vector<Dim> dims;
    for (std::size_t i = 0; i < d.shape.size(); ++i) {
        std::int64_t n = d.shape[i], shift = d.shifts.empty() ? 0 : d.shifts[i];
        if (n == 0) return;
        if (n == 1) continue;
        Dim cur{n, d.strides[i], shift};
        // Merge into the previous dim when the two walk the input as one.
        if (!dims.empty() && dims.back().shift == 0 && shift == 0 &&
            dims.back().stride == cur.stride * n) {
            dims.back().n *= n;
            dims.back().stride = cur.stride;
            continue;
        }
        dims.push_back(cur);
    }
    x += d.offset;
    if (dims.empty()) {
        y[0] = x[0];
        return;
    }
    if (dims.size() == 1 && dims[0].stride == 1 && dims[0].shift == 0 && x == y) return;
    const Dim inner = dims.back();
    dims.pop_back();
    std::vector<std::int64_t> idx(dims.size(), 0);
    std::int64_t rows = 1;
    for (auto& dm : dims)
        rows *= dm.n;
    for (std::int64_t r = 0; r < rows; ++r, y += inner.n) {
        std::int64_t off = 0;
        for (std::size_t k = 0; k < dims.size(); ++k) {
            std::int64_t j = idx[k] - dims[k].shift;
            if (j < 0) j += dims[k].n;
            off += j * dims[k].stride;
        }
        copy_row(x + off, y, inner);
        for (std::size_t k = dims.size(); k-- > 0;) {
            if (++idx[k] < dims[k].n) break;
            idx[k] = 0;
        }
    }
}

} // namespace cnnshape::kernels::ref
