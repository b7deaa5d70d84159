// How explain describes LayerNorm and GroupNorm.
#include "analysis/explain_support.hpp"

namespace cnnshape {

void explain_op(LayerExplanation& e, const LayerPlan& l, const LayerNormDesc& d) {
    if (d.kind == LayerNormKind::GroupNorm)
        e.notes.push_back(fmt::format(
            "GroupNorm splits the channels into {} groups and normalises each group of each "
            "sample ({} values) with its own mean and variance{}: shape kept",
            d.groups, d.row, d.affine ? ", then a weight and bias per channel" : ""));
    else
        e.notes.push_back(fmt::format(
            "{} normalises each run of the last {} values with its own mean and variance{}: "
            "shape kept",
            l.type, d.row, d.affine ? ", then a weight and bias per element" : ""));
}

} // namespace cnnshape
