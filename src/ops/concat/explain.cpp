// How explain describes Concat and Stack.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const ConcatDesc& cc) {
    if (cc.stack) {
        check_equal(std::int64_t(l.input_shapes.size()), l.output.at(cc.dim), l, "Stack");
        e.notes.push_back(fmt::format("Stack puts its {} input{} of shape {} side by side along a "
                                      "new dimension {}: {}",
                                      l.input_shapes.size(), l.input_shapes.size() == 1 ? "" : "s",
                                      shape_x(l.input_shapes.at(0)), cc.dim, shape_x(l.output)));
        return;
    }
    std::vector<std::string> s;
    std::int64_t total = 0;
    for (auto& x : l.input_shapes) {
        std::int64_t v = x.at(cc.dim);
        s.push_back(std::to_string(v));
        total = checked_add(total, v);
    }
    check_equal(total, l.output.at(cc.dim), l, "Concat");
    e.notes.push_back(
        fmt::format("Concat along dimension {}: {} = {}", cc.dim, join(s, " + "), total));
}

} // namespace cnnshape
