// How explain describes MultiheadAttention: the heads, the sequence lengths and the tuple.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const AttentionDesc& d) {
    check_equal(d.embed_dim, l.output.empty() ? 0 : l.output.back(), l, "embed_dim");
    e.notes.push_back(fmt::format(
        "{} heads of head_dim {} = {} / {}: every query position (L = {}) attends to {} key "
        "position{} (S = {}{}{}), over a batch of {}{}",
        d.num_heads, d.head_dim, d.embed_dim, d.num_heads, d.L, d.S_total,
        d.S_total == 1 ? "" : "s", d.S, d.add_bias_kv ? ", +1 for bias_k/bias_v" : "",
        d.add_zero_attn ? ", +1 zero row (add_zero_attn)" : "", d.N,
        d.batched ? (d.batch_first ? " (batch_first: (N, L, E))" : " ((L, N, E))")
                  : " (unbatched: (L, E))"));
    if (!d.packed)
        e.notes.push_back(fmt::format("key and value are projected from kdim={} and vdim={} "
                                      "by q/k/v_proj_weight, not in_proj_weight",
                                      d.kdim, d.vdim));
    if (d.need_weights)
        e.notes.push_back(
            fmt::format("returns (attn_output, attn_weights); attn_weights {} (\"{}[1]\")",
                        d.average_attn_weights ? "averaged over the heads" : "per head", l.name));
    else
        e.notes.push_back(fmt::format("need_weights=False: returns (attn_output, None); "
                                      "take \"{}[0]\"",
                                      l.name));
    if (l.input_shapes.size() == 1)
        e.notes.push_back("one input: self-attention, query = key = value");
}

} // namespace cnnshape
