// How `run` feeds the concatenation kernel: every input.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const ConcatDesc& d) {
    kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
