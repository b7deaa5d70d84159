// What each per-architecture translation unit exports: one table of kernel entry points,
// compiled with that architecture's flags. simd_dispatch.cpp picks a table once with
// xsimd::dispatch (or CNNSHAPE_SIMD_ARCH) and forwards the simd.hpp calls to it.
#pragma once
#include "simd.hpp"

#include <cstddef>

namespace cnnshape::kernels::simd {

struct KernelTable {
    const char* name; // xsimd's architecture name: "avx512f", "fma3<avx2>", "sse2"
    decltype(&simd::conv) conv;
    decltype(&simd::pool) pool;
    decltype(&simd::adaptive_pool) adaptive_pool;
    decltype(&simd::linear) linear;
    decltype(&simd::batch_norm) batch_norm;
    decltype(&simd::elementwise) elementwise;
    decltype(&simd::add) add;
    // Filled by with_resample() (kernels_resample_impl.hpp); null: the reference runs.
    decltype(&simd::constant_pad) constant_pad = nullptr;
    decltype(&simd::upsample) upsample = nullptr;
    decltype(&simd::concat) concat = nullptr;
};

// Defined in kernels_<arch>.cpp.
const KernelTable& table_avx512();
const KernelTable& table_avx2();
const KernelTable& table_sse2();

// Per-thread scratch memory, 64-byte aligned, valid until the same thread asks again with the
// same slot. Lives in the portable translation unit so no allocation code is compiled with
// (and shared from) an AVX-512 unit.
float* scratch(int slot, std::size_t floats);

} // namespace cnnshape::kernels::simd
