// How `run` feeds the MaxUnpool kernel: the values and the indices (the MaxPool's tuple).
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const UnpoolDesc& d) {
    kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
