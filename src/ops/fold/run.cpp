// How `run` feeds the Fold / Unfold kernel (an unbatched input is one image: N = 1).
#include "exec/op_run.hpp"

namespace cnnshape {

void run_op(const OpRun& r, const FoldDesc& d) {
    kernels::run(r.ctx, d, r.io());
}

} // namespace cnnshape
