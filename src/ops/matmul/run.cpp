// How `run` feeds the matrix-product kernels: the two inputs and the output, with the Plan's
// shapes (the descriptor holds the batch walk).
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const MatmulDesc& d) {
    kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
