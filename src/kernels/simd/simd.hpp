// The xsimd side of the kernels. Each function returns false when it does not handle the case
// (the dispatcher then runs the reference kernel), so the SIMD side can grow case by case.
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

// ep (may be null): the epilogue to apply before storing (see kernels::conv_fused); with one,
// false also means "not fused here".
bool conv(const Context& ctx, const ConvDesc& d, const Shape& x_shape, const float* x,
          const float* weight, const float* bias, const Shape& y_shape, float* y,
          const ConvEpilogue* ep = nullptr);
bool pool(const Context& ctx, const PoolDesc& d, const Shape& x_shape, const float* x,
          const Shape& y_shape, float* y, std::int64_t* indices);
bool adaptive_pool(const Context& ctx, const AdaptivePoolDesc& d, const Shape& x_shape,
                   const float* x, const Shape& y_shape, float* y, std::int64_t* indices);
bool linear(const Context& ctx, const LinearDesc& d, const Shape& x_shape, const float* x,
            const float* weight, const float* bias, float* y);
bool batch_norm(const Context& ctx, const BatchNormDesc& d, const Shape& x_shape, const float* x,
                const float* weight, const float* bias, const float* running_mean,
                const float* running_var, float* y);
bool elementwise(const Context& ctx, const ElementwiseDesc& d, const Shape& shape, const float* x,
                 float* y);
bool add(const Context& ctx, const Shape& a_shape, const float* a, const Shape& b_shape,
         const float* b, const Shape& y_shape, float* y);
bool constant_pad(const Context& ctx, const ConstantPadDesc& d, const Shape& x_shape,
                  const float* x, const Shape& y_shape, float* y);
// Area mode runs the adaptive average pooling kernel, as the reference does.
bool upsample(const Context& ctx, const UpsampleDesc& d, const Shape& x_shape, const float* x,
              const Shape& y_shape, float* y);
bool concat(const Context& ctx, const ConcatDesc& d, const std::vector<Shape>& shapes,
            const std::vector<const float*>& xs, const Shape& y_shape, float* y);

} // namespace cnnshape::kernels::simd
