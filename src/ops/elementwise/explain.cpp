// How explain describes the shape-preserving layers (activations, Identity, Dropout).
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

namespace {

std::string activation_line(const LayerPlan& l, const ElementwiseDesc& d) {
    switch (d.act) {
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
