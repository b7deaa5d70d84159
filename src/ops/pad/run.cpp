// How `run` feeds the constant padding kernel.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const PadDesc& d) {
    kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
