// How explain describes Concat.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const ConcatDesc& cc) {
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
