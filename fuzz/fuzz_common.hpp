// Shared by the harnesses: every input must end in a result or one of cnnshape's own error types.
// Anything else (another exception, a crash, a sanitizer report, a hang) is a finding.
#pragma once
#include "cnnshape/error.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/report.hpp"
#include <cstdint>
#include <string>

namespace fuzzing {

inline std::string text_of(const std::uint8_t* data, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

// Plans the network on its own input (or a small default) and formats every report.
inline void plan_and_report(const cnnshape::Network& net) {
    cnnshape::Shape in = net.input.value_or(cnnshape::Shape{1, 3, 8, 8});
    try {
        cnnshape::Plan p = cnnshape::make_plan(net, in);
        (void)cnnshape::report_table(p);
        (void)cnnshape::report_json_text(p);
        (void)cnnshape::report_csv(p);
        (void)cnnshape::report_markdown(p);
    } catch (const cnnshape::LayerError&) {
    } catch (const cnnshape::UsageError&) {
    }
}

} // namespace fuzzing
