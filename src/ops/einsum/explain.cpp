// How explain describes Einsum: the equation, what is summed, and the MACs.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const EinsumDesc& d) {
    std::vector<std::string> shapes;
    for (auto& s : l.input_shapes)
        shapes.push_back(shape_x(s));
    std::int64_t summed = 1;
    for (std::size_t i = std::size_t(d.n_out); i < d.sizes.size(); ++i)
        summed = checked_mul(summed, d.sizes[i]);
    e.notes.push_back(fmt::format("{} of {} -> {}: each output sums {} product{} of {} operand{}",
                                  l.brief, join(shapes, ", "), shape_x(l.output), summed,
                                  summed == 1 ? "" : "s", l.input_shapes.size(),
                                  l.input_shapes.size() == 1 ? "" : "s"));
    const std::int64_t macs =
        checked_mul(checked_mul(std::int64_t(l.input_shapes.size()) - 1, numel(l.output)), summed);
    check_equal(macs, l.macs, l, "MACs");
    e.notes.push_back(fmt::format("MACs = (operands - 1) x output elements x summed = {}", macs));
}

} // namespace cnnshape
