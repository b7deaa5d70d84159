// What each per-architecture translation unit exports: one table of kernel entry points,
// compiled with that architecture's flags. simd_dispatch.cpp picks a table once with
// xsimd::dispatch (or CNNSHAPE_SIMD_ARCH) and forwards the simd.hpp calls to it.
#pragma once
#include "simd.hpp"

#include <cstddef>

namespace cnnshape::kernels::simd {

struct KernelTable {
    const char* name = nullptr; // xsimd's architecture name: "avx512f", "fma3<avx2>", "sse2"
    // One entry per op of src/ops/ops.def, named after its folder; null: the reference runs.
#define CNNSHAPE_OP(folder, Desc) SimdKernel<Desc>* folder = nullptr;
#include "ops/ops.def"
#undef CNNSHAPE_OP
    bool (*conv_fused)(const Context&, const ConvDesc&, const Io&, const ConvEpilogue&) = nullptr;
};

// The entry of `Desc`'s op.
#define CNNSHAPE_OP(folder, Desc)                                                                  \
    inline SimdKernel<Desc>* entry(const KernelTable& t, const Desc&) {                            \
        return t.folder;                                                                           \
    }
#include "ops/ops.def"
#undef CNNSHAPE_OP

// Defined in kernels_<arch>.cpp.
const KernelTable& table_avx512();
const KernelTable& table_avx2();
const KernelTable& table_sse2();

// Per-thread scratch memory, 64-byte aligned, valid until the same thread asks again with the
// same slot. Lives in the portable translation unit so no allocation code is compiled with
// (and shared from) an AVX-512 unit.
float* scratch(int slot, std::size_t floats);

} // namespace cnnshape::kernels::simd
