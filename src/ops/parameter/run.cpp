// How `run` feeds the Parameter kernel: the layer's tensor, under the layer's own name.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const ParameterDesc& d) {
    kernels::Io io = r.io();
    io.params = {r.weight("")};
    kernels::run(r.ctx, d, io);
}

} // namespace cnnshape
