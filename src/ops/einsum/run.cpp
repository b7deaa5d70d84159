// How `run` feeds the einsum kernel: every operand and the output, with the Plan's shapes.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const EinsumDesc& d) {
    kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
