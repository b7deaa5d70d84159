// What every op's header (src/ops/<folder>/op.hpp) builds on: the size-list type and the types
// its run_op/explain_op declarations name, declared here so an op header includes no report or
// execution header.
#pragma once
#include <cstdint>
#include <vector>

namespace cnnshape {

using IntList = std::vector<std::int64_t>;

struct OpRun;            // src/exec/op_run.hpp: one layer's tensors during a run
struct LayerPlan;        // plan.hpp
struct LayerExplanation; // explain.hpp

} // namespace cnnshape
