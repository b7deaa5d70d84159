// How `run` feeds the binary kernels: every input with its Plan shape; the output shape is the
// Plan's broadcast, never recomputed here.
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const BinaryDesc& d) {
    kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
