// How explain describes the data-movement layers: what moves where, and that nothing is computed.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

namespace {

const char* what(const std::string& type) {
    static const std::pair<const char*, const char*> lines[] = {
        {"Reshape", "gives the same elements, in the same order, a new shape"},
        {"View", "gives the same elements, in the same order, a new shape"},
        {"Permute", "reorders the dimensions"},
        {"Transpose", "swaps two dimensions"},
        {"Squeeze", "drops dimensions of size 1"},
        {"Unsqueeze", "inserts a dimension of size 1"},
        {"Unflatten", "splits one dimension into several"},
        {"TensorUnflatten", "splits one dimension into several"},
        {"Expand", "repeats the input along its dimensions of size 1 (and new leading ones)"},
        {"Roll", "shifts the elements cyclically"},
        {"Contiguous", "copies the input unchanged"},
        {"PixelShuffle", "moves r*r channels into an r x r block of pixels"},
        {"PixelUnshuffle", "moves each r x r block of pixels into r*r channels"},
        {"ChannelShuffle", "interleaves the channel groups"},
        {"Select", "takes one index of a dimension and drops the dimension"},
        {"Narrow", "keeps a contiguous range of one dimension"},
        {"Slice", "keeps every step-th index of a range of one dimension"},
        {"Flip", "reverses the order along the given dimensions"},
    };
    for (auto& [t, l] : lines)
        if (type == t) return l;
    return "moves data";
}

} // namespace

void explain_op(LayerExplanation& e, const LayerPlan& l, const ReshapeDesc&) {
    e.notes.push_back(fmt::format("{} {}: {} -> {}; data movement only (0 MACs)", l.type,
                                  what(l.type), shape_x(l.input_shapes.at(0)), shape_x(l.output)));
}

} // namespace cnnshape
