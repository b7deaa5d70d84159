// How explain describes Flatten: the dims it merges and their product.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

namespace {

std::string flatten_line(const LayerPlan& l, const FlattenDesc& d) {
    const Shape& in = l.input_shapes.at(0);
    std::int64_t rank = in.size();
    if (rank == 0) return "Flatten of a 0-dim tensor gives shape (1)";
    std::int64_t s = d.start_dim, en = d.end_dim;
    if (s == en) return fmt::format("Flatten over the single dimension {}: shape kept", s);
    std::vector<std::string> f;
    std::int64_t prod = 1;
    for (std::int64_t i = s; i <= en; ++i)
        f.push_back(std::to_string(in[i])), prod = checked_mul(prod, in[i]);
    check_equal(prod, l.output.at(s), l, "Flatten");
    return fmt::format("Flatten merges dimensions {}..{} of {}: {} = {}{}", s, en, shape_x(in),
                       join(f, "*"), with_commas(prod),
                       rank == 3 && s == 1 ? " (an unbatched (C, H, W) input gives (C, H*W))" : "");
}

} // namespace

void explain_op(LayerExplanation& e, const LayerPlan& l, const FlattenDesc& d) {
    e.notes.push_back(flatten_line(l, d));
}

} // namespace cnnshape
