// How explain describes Mean, Sum, Amax and Amin: which dims are reduced, and how many elements
// meet in each output.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const ReduceDesc& d) {
    static const char* what[] = {"sums", "averages", "takes the maximum", "takes the minimum"};
    const Shape& in = l.input_shapes.at(0);
    std::vector<std::string> dims;
    for (std::int64_t v : d.dims)
        dims.push_back(fmt::format("{} ({})", v, in.at(v)));
    std::string over =
        d.dims.size() == in.size()
            ? (in.empty() ? "its one element" : "every dimension")
            : fmt::format("dimension{} {}", d.dims.size() == 1 ? "" : "s", join(dims, ", "));
    e.notes.push_back(fmt::format("{} {} over {}: {} element{} into each output, {} -> {}", l.type,
                                  what[int(d.op)], over, d.count, d.count == 1 ? "" : "s",
                                  shape_x(in), shape_x(l.output)));
    e.notes.push_back(d.keepdim ? "keepdim=True: the reduced dimensions stay, as size 1"
                                : "the reduced dimensions are removed (keepdim=False)");
    if (d.op == ReduceOp::Mean && d.count == 0)
        e.notes.push_back("nothing to average: every output is 0 / 0 = nan, as in PyTorch");
}

} // namespace cnnshape
