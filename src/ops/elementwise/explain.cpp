// How explain describes the shape-preserving layers (activations, Identity, Dropout).
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

namespace {

std::string activation_line(const LayerPlan& l, const ElementwiseDesc& d) {
    switch (d.act) {
    case Activation::Dropout:
        if (d.stochastic)
            return fmt::format(
                "{} in train mode zeroes {} at random with p={} and scales the "
                "rest by 1/(1-p): shape kept",
                l.type, d.stochastic == 1 ? "whole rows (dim 0 entries)" : "the whole input", d.p);
        if (d.alpha)
            return fmt::format("{} in train mode sets {} at random with p={} to SELU's negative "
                               "saturation, then rescales and shifts: shape kept",
                               l.type, d.channelwise ? "whole channels" : "elements", d.p);
        return fmt::format("{} in train mode zeroes {} at random with p={}: shape kept", l.type,
                           d.channelwise ? "whole channels" : "elements", d.p);
    case Activation::PReLU:
        return fmt::format("{} is elementwise with {} learned slope{} for x < 0: shape kept",
                           l.type, d.num_parameters,
                           d.num_parameters == 1 ? "" : "s (one per channel)");
    case Activation::Identity:
        if (l.type.find("Dropout") != std::string::npos || l.type == "StochasticDepth")
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
