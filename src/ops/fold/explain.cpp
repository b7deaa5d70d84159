// How explain describes Fold and Unfold: the number of sliding blocks per axis.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const FoldDesc& d) {
    static const char* names[] = {"H", "W"};
    for (int i = 0; i < 2; ++i) {
        AxisExplanation ax;
        ax.axes = {names[i]};
        ax.in = d.fold ? d.blocks[i] : d.image[i];
        ax.out = d.fold ? d.image[i] : d.blocks[i];
        std::int64_t keff = d.dilation[i] * (d.kernel[i] - 1) + 1;
        std::string blocks =
            fmt::format("blocks_{} = floor(({} + 2*{} - {}) / {}) + 1 = {}", names[i], d.image[i],
                        d.padding[i], keff, d.stride[i], d.blocks[i]);
        // The formula ends in the axis' output: the blocks (Unfold) or output_size (Fold).
        ax.formula = d.fold ? fmt::format("{} (output_size) from {}; {}_out = {}", names[i], blocks,
                                          names[i], d.image[i])
                            : blocks;
        e.axes.push_back(ax);
    }
    std::int64_t k = d.kernel[0] * d.kernel[1];
    if (d.fold)
        e.notes.push_back(fmt::format(
            "Fold sums {} x {} blocks of {} channel{} x {} kernel taps into a {}x{} image (0 MACs: "
            "data movement and sums of overlaps)",
            d.blocks[0], d.blocks[1], d.channels, d.channels == 1 ? "" : "s", k, d.image[0],
            d.image[1]));
    else
        e.notes.push_back(
            fmt::format("Unfold copies each of the {} x {} = {} sliding blocks into a "
                        "column of {} channel{} x {} kernel taps = {} (0 MACs)",
                        d.blocks[0], d.blocks[1], d.blocks[0] * d.blocks[1], d.channels,
                        d.channels == 1 ? "" : "s", k, d.channels * k));
    (void)l;
}

} // namespace cnnshape
