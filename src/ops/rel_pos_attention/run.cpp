// How `run` feeds RelativePositionalMultiHeadAttention: to_qkv, merge, the bias table and
// relative_position_index (checked as aten's index checks it: an integer in [-rows, rows)).
#include "cnnshape/error.hpp"
#include "exec/op_run.hpp"
#include <cmath>
#include <fmt/format.h>

namespace cnnshape {

void run_op(const OpRun& r, const RelPosAttentionDesc& d) {
    kernels::Io io = r.io();
    const float* index = r.weight("relative_position_index");
    const std::int64_t rows = d.table_rows;
    const std::int64_t n = rows == 1 ? 1 : d.P * d.P; // max_seq_len 1: one index
    for (std::int64_t i = 0; i < n; ++i) {
        const float v = index[i];
        if (!(v >= -float(rows) && v < float(rows)) || v != std::floor(v))
            throw UsageError(fmt::format("{}: index {} is out of bounds for dimension 0 with "
                                         "size {}",
                                         r.layer.name, v, rows));
    }
    io.params = {r.weight("to_qkv.weight"),
                 r.weight("to_qkv.bias"),
                 r.weight("merge.weight"),
                 r.weight("merge.bias"),
                 r.weight("relative_position_bias_table"),
                 index};
    kernels::run(r.ctx, d, io);
}

} // namespace cnnshape
