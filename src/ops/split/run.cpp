// How `run` feeds the split kernel: the input and every element of the tuple.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const SplitDesc& d) {
    kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
