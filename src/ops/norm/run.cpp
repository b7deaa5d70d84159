// How `run` feeds the batch norm kernel: weight and bias when affine, the running statistics when
// tracked. InstanceNorm's input in the batched view (an unbatched one gets N = 1).
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const BatchNormDesc& d) {
    kernels::Io io = d.instance_nd ? r.batched_io(d.instance_nd) : r.io();
    io.params = {r.weight_if(d.affine, "weight"), r.weight_if(d.affine, "bias"),
                 r.weight_if(d.track_running_stats, "running_mean"),
                 r.weight_if(d.track_running_stats, "running_var")};
    kernels::run(r.ctx, d, io);
}

} // namespace cnnshape
