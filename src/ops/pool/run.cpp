// How `run` feeds the pooling kernel: the batched view, and MaxPool's indices when returned.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const PoolDesc& d) {
    kernels::run(r.ctx, d, r.batched_io(d.nd));
}

} // namespace cnnshape
