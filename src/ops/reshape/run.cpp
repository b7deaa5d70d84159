// How `run` feeds the data-movement kernel: the input and the output with the Plan's shapes (the
// descriptor says where each output element comes from).
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const ReshapeDesc& d) {
    kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
