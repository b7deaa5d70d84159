// Shape strings (--input).
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        cnnshape::Shape s = cnnshape::parse_shape(fuzzing::text_of(data, size));
        (void)cnnshape::shape_x(s);
    } catch (const cnnshape::UsageError&) {
    }
    return 0;
}
