// How `run` feeds the adaptive pooling kernel: the batched view, and the indices when returned.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const AdaptivePoolDesc& d) {
    kernels::run(r.ctx, d, r.batched_io(d.nd));
}

} // namespace cnnshape
