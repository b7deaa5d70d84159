// JSON spec reader, then plan and reports of whatever it accepts.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        fuzzing::plan_and_report(cnnshape::load_spec_json(fuzzing::text_of(data, size)));
    } catch (const cnnshape::SpecError&) {
    } catch (const cnnshape::UsageError&) {
    }
    return 0;
}
