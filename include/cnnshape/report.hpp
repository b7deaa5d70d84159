// Reports format a Plan; they never recompute it.
#pragma once
#include "cnnshape/plan.hpp"
#include <nlohmann/json.hpp>
#include <string>

namespace cnnshape {

std::string report_table(const Plan& plan); // aligned, thousands separators, <= 120 columns
std::string
report_json_text(const Plan& plan); // the --format json text (schema 1), a layer per line
nlohmann::ordered_json report_json(const Plan& plan); // the same, parsed
std::string report_csv(const Plan& plan);             // RFC 4180, a row per layer
std::string report_markdown(const Plan& plan); // a GitHub table, a row per layer, then totals

// Pictures (graph.cpp). DOT and Mermaid draw the layer graph, branches and merges included: a node
// per layer, the input and the output, and an edge per tensor labelled with its shape. The SVG is
// the funnel drawing: each feature map a box scaled (log) by height, width and channels, labelled
// with its shape, left to right in execution order; layers that keep the shape share a box.
std::string report_dot(const Plan& plan);
std::string report_mermaid(const Plan& plan);
std::string report_svg(const Plan& plan); // SVG 1.1, self-contained

// Formatting helpers shared with the CLI.
std::string with_commas(std::int64_t v);            // 1234567 -> "1,234,567"
std::string human_count(std::int64_t v);            // 1814073344 -> "1.81 G"
std::string human_bytes(std::int64_t v);            // 4816896 -> "4.82 MB" (decimal units)
std::string rf_text(const std::vector<RfAxis>& rf); // "7x7 /4"

} // namespace cnnshape
