// How `run` feeds the linear kernel: (*, in_features) as given, weight and bias.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const LinearDesc& d) {
    kernels::Io io = r.io();
    io.params = {r.weight("weight"), r.weight_if(d.bias, "bias")};
    kernels::run(r.ctx, d, io);
}

} // namespace cnnshape
