// How `run` feeds the reduction kernels: the input and the output with the Plan's shapes.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const ReduceDesc& d) {
    kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
