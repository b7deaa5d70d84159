// Pasted Python source and print(model) text, then plan and reports.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        fuzzing::plan_and_report(cnnshape::load_spec_python(fuzzing::text_of(data, size)));
    } catch (const cnnshape::SpecError&) {
    } catch (const cnnshape::UsageError&) {
    }
    return 0;
}
