// How `run` feeds the Add kernel.
#include "exec/op_run.hpp"

#include <algorithm>

namespace cnnshape {
namespace {

Shape broadcast_shape(const Shape& a, const Shape& b) {
    std::size_t n = std::max(a.size(), b.size());
    Shape o(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::int64_t da = i + a.size() >= n ? a[i + a.size() - n] : 1;
        std::int64_t db = i + b.size() >= n ? b[i + b.size() - n] : 1;
        o[i] = da == 1 ? db : da;
    }
    return o;
}

} // namespace

void run_op(const OpRun& r, const AddDesc& d) {
    const auto& in = r.in;
    if (in.size() == 2) {
        kernels::run(r.ctx, d, r.io());
        return;
    }
    // x0 + x1 + x2 ...: left to right, as Python evaluates a chain of +.
    Tensor acc = *in[0];
    for (std::size_t i = 1; i < in.size(); ++i) {
        Tensor next(broadcast_shape(acc.shape, in[i]->shape));
        kernels::run(
            r.ctx, d,
            {{acc.shape, in[i]->shape}, {acc.ptr(), in[i]->ptr()}, {}, next.shape, next.ptr()});
        acc = std::move(next);
    }
    std::copy(acc.data.begin(), acc.data.end(), r.out.data.begin());
}

} // namespace cnnshape
