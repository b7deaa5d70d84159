// Python model files (class Net(nn.Module) with forward()): read, evaluated on a small input in
// eval or train mode (the first byte chooses), then planned with every report.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    cnnshape::ReadHints hints;
    static const cnnshape::Shape shapes[] = {{1, 3, 8, 8}, {2, 3, 32, 32}, {1, 4}, {1, 1, 16}};
    hints.input = shapes[data[0] & 3];
    hints.mode = (data[0] & 4) ? cnnshape::Mode::Train : cnnshape::Mode::Eval;
    try {
        cnnshape::Network net =
            cnnshape::load_spec_python(fuzzing::text_of(data + 1, size - 1), "", hints);
        fuzzing::plan_and_report(net);
    } catch (const cnnshape::SpecError&) {
    } catch (const cnnshape::UsageError&) {
    }
    return 0;
}
