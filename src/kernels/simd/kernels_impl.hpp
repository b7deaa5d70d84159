// The kernel table of one architecture, from every op's SIMD kernel (src/ops/<folder>/simd.hpp,
// templated on the xsimd architecture). Included by exactly one translation unit per architecture
// (kernels_avx512.cpp, kernels_avx2.cpp, kernels_sse2.cpp), each compiled with that
// architecture's flags; see common.hpp for the rules every kernel header follows.
#pragma once
#include "cnnshape/op_simd_headers.hpp" // generated from src/ops/ops.def

#include <type_traits>

namespace cnnshape::kernels::simd {
namespace {

// Whether an op has a SIMD kernel: a simd_kernel<Arch> overload for its Desc.
template <class Arch, class Desc, class = void>
struct HasSimd : std::false_type {};
template <class Arch, class Desc>
struct HasSimd<
    Arch, Desc,
    std::void_t<decltype(simd_kernel<Arch>(
        std::declval<const Context&>(), std::declval<const Desc&>(), std::declval<const Io&>()))>>
    : std::true_type {};

template <class Arch, class Desc>
SimdKernel<Desc>* kernel_of() {
    if constexpr (HasSimd<Arch, Desc>::value) {
        SimdKernel<Desc>* f = &simd_kernel<Arch>;
        return f;
    } else {
        return nullptr;
    }
}

template <class Arch>
KernelTable make_table(const char* name) {
    KernelTable t;
    t.name = name;
#define CNNSHAPE_OP(folder, Desc) t.folder = kernel_of<Arch, Desc>();
#include "ops/ops.def"
#undef CNNSHAPE_OP
    t.conv_fused = &conv_fused_kernel<Arch>;
    return t;
}

} // namespace
} // namespace cnnshape::kernels::simd
