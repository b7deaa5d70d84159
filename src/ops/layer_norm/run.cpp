// How `run` feeds the layer and group norm kernel: the input, and weight and bias when affine.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const LayerNormDesc& d) {
    kernels::Io io = r.io();
    io.params = {r.weight_if(d.affine, "weight"), r.weight_if(d.affine, "bias")};
    kernels::run(r.ctx, d, io);
}

} // namespace cnnshape
