// How `run` feeds the local response norm kernel: the input (N, C, *).
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const LocalResponseNormDesc& d) {
    kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
