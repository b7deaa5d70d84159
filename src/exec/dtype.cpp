#include "dtype.hpp"
#include <cstring>

namespace cnnshape::detail {

float half_to_float(std::uint16_t h) {
    std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
    std::uint32_t exp = (h >> 10) & 0x1fu;
    std::uint32_t mant = h & 0x3ffu;
    std::uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    } else if (mant == 0) {
        bits = sign;
    } else {
        int e = -1;
        do {
            ++e;
            mant <<= 1;
        } while ((mant & 0x400u) == 0);
        bits = sign | (std::uint32_t(112 - e) << 23) | ((mant & 0x3ffu) << 13);
    }
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

namespace {
template <typename T>
T load_le(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v); // the host is little-endian
    return v;
}
} // namespace

void convert_to_float(DType t, const char* src, float* dst, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
        switch (t) {
        case DType::F32:
            dst[i] = load_le<float>(src + 4 * i);
            break;
        case DType::F64:
            dst[i] = static_cast<float>(load_le<double>(src + 8 * i));
            break;
        case DType::F16:
            dst[i] = half_to_float(load_le<std::uint16_t>(src + 2 * i));
            break;
        case DType::BF16: {
            std::uint32_t bits = std::uint32_t(load_le<std::uint16_t>(src + 2 * i)) << 16;
            std::memcpy(&dst[i], &bits, sizeof bits);
            break;
        }
        case DType::I64:
            dst[i] = static_cast<float>(load_le<std::int64_t>(src + 8 * i));
            break;
        case DType::I32:
            dst[i] = static_cast<float>(load_le<std::int32_t>(src + 4 * i));
            break;
        case DType::I16:
            dst[i] = static_cast<float>(load_le<std::int16_t>(src + 2 * i));
            break;
        case DType::I8:
            dst[i] = static_cast<float>(load_le<std::int8_t>(src + i));
            break;
        case DType::U64:
            dst[i] = static_cast<float>(load_le<std::uint64_t>(src + 8 * i));
            break;
        case DType::U32:
            dst[i] = static_cast<float>(load_le<std::uint32_t>(src + 4 * i));
            break;
        case DType::U16:
            dst[i] = static_cast<float>(load_le<std::uint16_t>(src + 2 * i));
            break;
        case DType::U8:
            dst[i] = static_cast<float>(load_le<std::uint8_t>(src + i));
            break;
        case DType::Bool:
            dst[i] = src[i] != 0 ? 1.0f : 0.0f;
            break;
        }
    }
}

} // namespace cnnshape::detail
