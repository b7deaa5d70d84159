// How `run` feeds PatchMerging(V2): reduction.weight, norm.weight and norm.bias.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const PatchMergingDesc& d) {
    kernels::Io io = r.io();
    io.params = {r.weight("reduction.weight"), r.weight("norm.weight"), r.weight("norm.bias")};
    kernels::run(r.ctx, d, io);
}

} // namespace cnnshape
