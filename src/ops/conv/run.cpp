// How `run` feeds the convolution kernel: the batched view, weight and bias.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const ConvDesc& d) {
    kernels::Io io = r.batched_io(d.nd);
    io.params = {r.weight("weight"), r.weight_if(d.bias, "bias")};
    kernels::run(r.ctx, d, io);
}

} // namespace cnnshape
