// Element types that tensor files hold, and their conversion to float32 (shared by the .npy and
// safetensors readers). The data is little-endian, as on every host cnnshape builds for.
#pragma once
#include <cstdint>

namespace cnnshape::detail {

enum class DType { F16, BF16, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64, Bool };

// IEEE half to float, exactly (subnormals, inf and NaN payloads included).
float half_to_float(std::uint16_t h);

// n elements of type t at src (any alignment) to float32.
void convert_to_float(DType t, const char* src, float* dst, std::int64_t n);

} // namespace cnnshape::detail
