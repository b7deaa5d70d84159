// How `run` feeds the Flatten kernel: the input, whose data the output keeps.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const FlattenDesc& d) {
    kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
