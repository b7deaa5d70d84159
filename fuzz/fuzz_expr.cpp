// PyTorch expressions (--layer), one per line, then plan and reports.
#include "cnnshape/pyexpr.hpp"
#include "fuzz_common.hpp"
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text = fuzzing::text_of(data, size);
    try {
        (void)cnnshape::parse_py_expr(text);
    } catch (const cnnshape::SpecError&) {
    }
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line) && lines.size() < 64;)
        lines.push_back(line);
    try {
        fuzzing::plan_and_report(cnnshape::network_from_exprs(lines));
    } catch (const cnnshape::SpecError&) {
    } catch (const cnnshape::UsageError&) {
    }
    return 0;
}
