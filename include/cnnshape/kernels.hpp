// Kernels: one entry point per layer family. Each has a scalar reference implementation
// (src/kernels/ref, written to be obviously right: the oracle) and, where it pays, an xsimd
// implementation (src/kernels/simd) picked at run time for the CPU (AVX-512, AVX2, SSE2) through
// xsimd::dispatch. The SIMD side handles the cases it vectorises and falls back to the reference
// for the rest. Kernels trust the Plan: shapes come in, nothing is recomputed or checked here.
//
// Shapes passed to kernels are the batched view (N, C, *spatial); an unbatched input is the same
// data with N = 1. Outputs are preallocated with the Plan's output shape.
#pragma once
#include "cnnshape/exec_desc.hpp"
#include "cnnshape/shape.hpp"
#include <cstdint>
#include <string>

namespace cnnshape::kernels {

enum class Backend { Ref, Simd };

// The backend to use when none is forced: CNNSHAPE_BACKEND=ref|simd in the environment, else simd.
// Any other value of CNNSHAPE_BACKEND is a UsageError: a forced implementation is never ignored.
Backend default_backend();
// The instruction set the SIMD kernels run with on this CPU ("avx512f", "avx2", "sse2", ...).
std::string simd_arch();
// Throws UsageError when CNNSHAPE_SIMD_ARCH is set to a name that was not compiled in or that this
// CPU cannot run (the kernels would otherwise run with another architecture than the one asked).
void check_simd_arch_env();

struct Context {
    Backend backend = Backend::Simd;
    int threads = 1;
};

// The context for a run: `backend` is "ref", "simd" or "" (CNNSHAPE_BACKEND, else simd); threads
// <= 0 means one per hardware thread. Checks the environment's forced choices (UsageError).
Context make_context(const std::string& backend, int threads);

void conv(const Context& ctx, const ConvDesc& d, const Shape& x_shape, const float* x,
          const float* weight, const float* bias, const Shape& y_shape, float* y);

// What a convolution's outputs can go through on their way to memory, in the same pass:
// BatchNorm in eval mode, y = fma(y, alpha[c], beta[c]) per output channel (alpha null: none),
// then ReLU. The bits are those of conv, batch_norm and elementwise(ReLU) run one after another.
struct ConvEpilogue {
    const float* alpha = nullptr;
    const float* beta = nullptr;
    bool relu = false;
};

// conv with its epilogue in one pass. False (nothing written) when the chosen backend does not
// fuse this case; the caller then runs the layers one after another.
bool conv_fused(const Context& ctx, const ConvDesc& d, const Shape& x_shape, const float* x,
                const float* weight, const float* bias, const ConvEpilogue& ep,
                const Shape& y_shape, float* y);

// BatchNorm's eval-mode coefficients per channel, as PyTorch computes them: alpha = invstd * w,
// beta = fma(-mean, alpha, b) (weight/bias null when affine=False).
void batch_norm_coefficients(const BatchNormDesc& d, const float* weight, const float* bias,
                             const float* running_mean, const float* running_var, float* alpha,
                             float* beta);

// MaxPool / AvgPool / LPPool. `indices` (may be null) receives MaxPool's flat h*W+w indices.
void pool(const Context& ctx, const PoolDesc& d, const Shape& x_shape, const float* x,
          const Shape& y_shape, float* y, std::int64_t* indices);

void adaptive_pool(const Context& ctx, const AdaptivePoolDesc& d, const Shape& x_shape,
                   const float* x, const Shape& y_shape, float* y, std::int64_t* indices);

// x_shape is (*, in_features) as given (not batched-viewed).
void linear(const Context& ctx, const LinearDesc& d, const Shape& x_shape, const float* x,
            const float* weight, const float* bias, float* y);

// Eval mode with running statistics (PyTorch's x * alpha + beta form), or batch statistics.
// weight/bias may be null (affine=False); running stats null when not tracked.
void batch_norm(const Context& ctx, const BatchNormDesc& d, const Shape& x_shape, const float* x,
                const float* weight, const float* bias, const float* running_mean,
                const float* running_var, float* y);

void constant_pad(const Context& ctx, const ConstantPadDesc& d, const Shape& x_shape,
                  const float* x, const Shape& y_shape, float* y);

void upsample(const Context& ctx, const UpsampleDesc& d, const Shape& x_shape, const float* x,
              const Shape& y_shape, float* y);

// Shape-preserving layers (activations, Identity, Dropout in eval, Softmax along d.dim).
void elementwise(const Context& ctx, const ElementwiseDesc& d, const Shape& shape, const float* x,
                 float* y);

// a + b with broadcasting into y_shape.
void add(const Context& ctx, const Shape& a_shape, const float* a, const Shape& b_shape,
         const float* b, const Shape& y_shape, float* y);

// torch.cat of n tensors along d.dim.
void concat(const Context& ctx, const ConcatDesc& d, const std::vector<Shape>& shapes,
            const std::vector<const float*>& xs, const Shape& y_shape, float* y);

} // namespace cnnshape::kernels
