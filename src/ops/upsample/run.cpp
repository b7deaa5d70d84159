// How `run` feeds the upsampling kernel.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const UpsampleDesc& d) {
    kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
