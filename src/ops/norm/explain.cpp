// How explain describes BatchNorm and InstanceNorm.
#include "analysis/explain_support.hpp"

namespace cnnshape {

void explain_op(LayerExplanation& e, const LayerPlan& l, const BatchNormDesc& bd) {
    if (bd.instance_nd) {
        e.notes.push_back(fmt::format(
            "{} normalises each of the {} channels of each sample with {}: shape kept", l.type,
            bd.num_features,
            bd.batch_stats ? "that sample's own statistics" : "its running statistics"));
        return;
    }
    e.notes.push_back(fmt::format(
        "{} normalises each of the {} channels with {}: shape kept", l.type, bd.num_features,
        bd.batch_stats ? "the batch's statistics" : "its running statistics"));
}

} // namespace cnnshape
