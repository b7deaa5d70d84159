// How explain describes Matmul and Bmm: which product PyTorch computes, and the MACs.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const MatmulDesc& d) {
    const Shape& a = l.input_shapes.at(0);
    const Shape& b = l.input_shapes.at(1);
    std::string kind = a.size() == 1 && b.size() == 1 ? "a dot product"
                       : b.size() == 1                ? "matrix-vector products"
                       : a.size() == 1                ? "vector-matrix products"
                       : d.batch.empty()              ? "one matrix product"
                                                      : "a batch of matrix products";
    std::int64_t batches = 1;
    for (std::int64_t v : d.batch)
        batches = checked_mul(batches, v);
    e.notes.push_back(fmt::format("{} of {} and {}: {} ({} x ({}x{} @ {}x{})) -> {}", l.type,
                                  shape_x(a), shape_x(b), kind, batches, d.m, d.k, d.k, d.n,
                                  shape_x(l.output)));
    if (!d.batch.empty() && a.size() >= 3 && b.size() >= 3)
        e.notes.push_back(fmt::format("the batch dims broadcast to {}", shape_x(d.batch)));
    check_equal(checked_mul(numel(l.output), d.k), l.macs, l, "MACs");
    e.notes.push_back(
        fmt::format("MACs = output elements x K = {} x {} = {}", numel(l.output), d.k, l.macs));
}

} // namespace cnnshape
