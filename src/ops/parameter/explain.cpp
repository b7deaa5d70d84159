// How explain describes Parameter and Buffer.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const ParameterDesc& d) {
    e.notes.push_back(fmt::format("{} of shape {}: a tensor the module holds (state_dict key "
                                  "'{}'), taken by the layers that name it; it reads no input",
                                  d.buffer ? "a buffer" : "a learned parameter", shape_x(l.output),
                                  l.name));
}

} // namespace cnnshape
