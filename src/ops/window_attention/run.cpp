// How `run` feeds the shifted window attention kernel: qkv and proj, relative_position_index
// (checked as aten's index checks it: an integer in [-rows, rows) of the bias table), then V1's
// relative_position_bias_table or V2's logit_scale, cpb_mlp and relative_coords_table.
#include "cnnshape/error.hpp"
#include "exec/op_run.hpp"
#include <cmath>
#include <fmt/format.h>

namespace cnnshape {

void run_op(const OpRun& r, const WindowAttentionDesc& d) {
    if (d.attention_dropout > 0 || d.dropout > 0)
        throw UsageError(fmt::format("{}: attention_dropout={} and dropout={}: "
                                     "shifted_window_attention calls F.dropout with "
                                     "training=True, so PyTorch drops at random in eval mode "
                                     "too; cnnshape runs only p = 0",
                                     r.layer.name, d.attention_dropout, d.dropout));
    kernels::Io io = r.io();
    const float* index = r.weight("relative_position_index");
    const std::int64_t n = d.ws0 * d.ws1 * d.ws0 * d.ws1, rows = d.table_rows;
    for (std::int64_t i = 0; i < n; ++i) {
        const float v = index[i];
        if (!(v >= -float(rows) && v < float(rows)) || v != std::floor(v))
            throw UsageError(fmt::format("{}: index {} is out of bounds for dimension 0 with "
                                         "size {}",
                                         r.layer.name, v, rows));
    }
    io.params = {r.weight("qkv.weight"), r.weight_if(d.qkv_bias, "qkv.bias"),
                 r.weight("proj.weight"), r.weight_if(d.proj_bias, "proj.bias"), index};
    if (!d.v2) {
        io.params.push_back(r.weight("relative_position_bias_table"));
    } else {
        io.params.push_back(r.weight("logit_scale"));
        io.params.push_back(r.weight("cpb_mlp.0.weight"));
        io.params.push_back(r.weight("cpb_mlp.0.bias"));
        io.params.push_back(r.weight("cpb_mlp.2.weight"));
        io.params.push_back(r.weight("relative_coords_table"));
    }
    kernels::run(r.ctx, d, io);
}

} // namespace cnnshape
