// How `run` feeds the softmax kernel: the input.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const SoftmaxDesc& d) {
    kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
