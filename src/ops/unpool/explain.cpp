// How explain describes MaxUnpool: the default output size, or the output_size asked for.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const UnpoolDesc& d) {
    static const char* names3[] = {"D", "H", "W"};
    const Shape& in = l.input_shapes.at(0);
    for (int i = 0; i < d.nd; ++i) {
        AxisExplanation ax;
        const char* n = names3[3 - d.nd + i];
        ax.axes = {n};
        ax.in = in[in.size() - d.nd + i];
        ax.out = l.output[l.output.size() - d.nd + i];
        ax.formula = d.output_size ? fmt::format("{}_out = output_size = {}", n, ax.out)
                                   : fmt::format("{}_out = ({} - 1)*{} - 2*{} + {} = {}", n, ax.in,
                                                 d.stride[i], d.padding[i], d.kernel[i], ax.out);
        e.axes.push_back(ax);
    }
    e.notes.push_back("the output is 0 except where the indices put the values");
}

} // namespace cnnshape
