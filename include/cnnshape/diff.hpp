// What changed between two Plans: layers matched by their dotted name, each one added, removed or
// changed (arguments, shapes, params, MACs, receptive field), and the totals before and after.
// The diff only compares what the Plans hold; it never re-plans.
#pragma once
#include "cnnshape/plan.hpp"
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cnnshape {

struct FieldChange {
    // "type", "args.stride", "inputs", "input_shapes", "output_shape", "params",
    // "trainable_params", "buffers", "macs", "receptive_field"
    std::string field;
    nlohmann::ordered_json a, b;       // the values as the JSON report writes them
    std::string a_text, b_text;        // as the table writes them: "8x54x54", "1,168", "(2, 2)"
    std::optional<std::int64_t> delta; // b - a, for counts
};

enum class Change { Added, Removed, Changed };

struct LayerDiff {
    Change change = Change::Changed;
    std::string name;
    std::int64_t a_index = -1, b_index = -1; // into Plan::layers; -1 on the side it is missing
    std::vector<FieldChange> fields;         // for Changed: what differs, in a fixed order
};

struct TotalDiff {
    std::string field; // "params", "trainable_params", ... as in the JSON report's totals
    std::int64_t a = 0, b = 0;
};

struct PlanDiff {
    std::vector<LayerDiff> layers; // in the order of b, removed layers where they stood in a
    std::int64_t unchanged = 0;    // layers present in both and equal
    std::vector<TotalDiff> totals; // every total, changed or not
    bool same_input = true, same_output = true;
    bool same() const { return layers.empty() && same_input && same_output; }
    std::int64_t count(Change c) const;
};

PlanDiff diff_plans(const Plan& a, const Plan& b);

// `label_a` and `label_b` say where each plan came from (usually the spec paths).
std::string report_diff_text(const Plan& a, const Plan& b, const PlanDiff& d,
                             const std::string& label_a, const std::string& label_b);
// One object; one layer per line, like the plan's JSON report.
std::string report_diff_json(const Plan& a, const Plan& b, const PlanDiff& d,
                             const std::string& label_a, const std::string& label_b);

} // namespace cnnshape
