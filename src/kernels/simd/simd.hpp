// The xsimd side of the kernels. Each run() returns false when it does not handle the case (the
// dispatcher then runs the reference kernel), so the SIMD side can grow case by case.
// Implementations are templated on the xsimd architecture, compiled once per target
// (one translation unit per arch), and picked at run time with xsimd::dispatch.
//
// CNNSHAPE_SIMD_ARCH=avx512f|avx2|sse2 in the environment forces a narrower architecture than the
// CPU's best; check_arch_env() refuses a name that is unknown or that this CPU cannot run (callers
// check before running; the kernels themselves then use the CPU's best). Tests use force_arch()
// to run each architecture.
#pragma once
#include "cnnshape/kernels.hpp"

#include <vector>

namespace cnnshape::kernels::simd {

std::string arch(); // the architecture in use: xsimd dispatch's pick, or the forced one

// The compiled-in architectures this CPU can run, best first ("avx512f", "avx2", "sse2").
std::vector<std::string> available_archs();
// Every compiled-in architecture, best first, whether or not this CPU can run it.
std::vector<std::string> compiled_archs();
// UsageError if CNNSHAPE_SIMD_ARCH is set and does not name an available architecture.
void check_arch_env();
// Use `name` from now on. "" goes back to the default pick: CNNSHAPE_SIMD_ARCH if it names an
// available architecture, else the CPU's best. False if `name` is not available.
bool force_arch(const std::string& name);

// One overload per op of src/ops/ops.def: the op's SIMD kernel for the architecture in use, false
// when it declines the case (or the op has none).
#define CNNSHAPE_OP(folder, Desc) SimdKernel<Desc> run;
#include "ops/ops.def"
#undef CNNSHAPE_OP

// Convolution with its epilogue (kernels::conv_fused); false: not fused here.
bool conv_fused(const Context& ctx, const ConvDesc& d, const Io& io, const ConvEpilogue& ep);

} // namespace cnnshape::kernels::simd
