// How explain describes the shape-preserving layers (activations, Identity, Dropout, Softmax, and
// Flatten, which runs as the identity on the data).
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

namespace {

std::string activation_line(const LayerPlan& l, const ElementwiseDesc& d) {
    const Shape& in = l.input_shapes.at(0);
    if (l.type == "Flatten") {
        std::int64_t rank = in.size();
        if (rank == 0) return "Flatten of a 0-dim tensor gives shape (1)";
        std::int64_t s = l.args.value("start_dim", 1), en = l.args.value("end_dim", -1);
        if (s < 0) s += rank;
        if (en < 0) en += rank;
        if (s == en) return fmt::format("Flatten over the single dimension {}: shape kept", s);
        std::vector<std::string> f;
        std::int64_t prod = 1;
        for (std::int64_t i = s; i <= en; ++i)
            f.push_back(std::to_string(in[i])), prod = checked_mul(prod, in[i]);
        check_equal(prod, l.output.at(s), l, "Flatten");
        return fmt::format("Flatten merges dimensions {}..{} of {}: {} = {}{}", s, en, shape_x(in),
                           join(f, "*"), with_commas(prod),
                           rank == 3 && s == 1 ? " (an unbatched (C, H, W) input gives (C, H*W))"
                                               : "");
    }
    switch (d.act) {
    case Activation::Softmax:
        return fmt::format("Softmax over dimension {}: shape kept", d.dim);
    case Activation::Dropout:
        return fmt::format("{} in train mode zeroes {} at random with p={}: shape kept", l.type,
                           d.channelwise ? "whole channels" : "elements", d.p);
    case Activation::Identity:
        if (l.type.rfind("Dropout", 0) == 0)
            return fmt::format("{} is the identity in eval mode: shape kept", l.type);
        return fmt::format("{}: shape kept", l.type);
    default:
        return fmt::format("{} is elementwise: shape kept", l.type);
    }
}

} // namespace

void explain_op(LayerExplanation& e, const LayerPlan& l, const ElementwiseDesc& d) {
    e.notes.push_back(activation_line(l, d));
}

} // namespace cnnshape
