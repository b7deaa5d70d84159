// CI assertions on a Plan: limits from the command line (`--max-params 10M`), checked against the
// Plan's totals. Checking reads the Plan; it computes nothing the Plan does not already hold.
#pragma once
#include "cnnshape/plan.hpp"
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cnnshape {

// A count or a byte size as people write it: "10000000", "10_000_000", "10,000,000", "10M",
// "1.5G", "1e7", "512Ki", "2Gi". Decimal suffixes k/K, M, G, T step by 1000; binary Ki, Mi, Gi, Ti
// by 1024. When `bytes`, a trailing "B" is allowed too ("512MB", "2GiB"). The result must be a
// whole, non-negative number that fits 64 bits. Throws UsageError naming `option` and the text.
std::int64_t parse_quantity(const std::string& text, const std::string& option, bool bytes);

// The total that --max-memory limits: every layer's output (activations) plus parameter and
// buffer bytes, float32 (num_batches_tracked int64). The input tensor is not counted. Saturates at
// the largest int64.
std::int64_t budget_memory(const Totals& t);

struct Budget {
    std::optional<Shape> expect_output;
    std::optional<std::int64_t> max_params, max_macs, max_memory;
    bool empty() const { return !expect_output && !max_params && !max_macs && !max_memory; }
};

struct Check {
    std::string name;                     // "output_shape", "params", "macs", "memory"
    nlohmann::ordered_json limit, actual; // numbers; shapes as arrays
    bool ok = true;
    // For a broken limit, which limit broke and by how much:
    // "params 11,689,512 > max 10,000,000 (by 1,689,512, 16.9%)".
    std::string message;
};

// One Check per limit given, in the order output_shape, params, macs, memory.
std::vector<Check> check_budget(const Plan& plan, const Budget& budget);

// [{"name": ..., "limit": ..., "actual": ..., "ok": ...}, ...] on one line.
std::string checks_json(const std::vector<Check>& checks);

// The --format json report text (report_json_text) with "checks" added as its last field.
std::string with_checks_json(const std::string& report_json, const std::vector<Check>& checks);

} // namespace cnnshape
