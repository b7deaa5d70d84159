// Kernels: one entry point per op of src/ops/ops.def, run(ctx, desc, io), with one signature for
// all. Each op has a scalar reference implementation (src/ops/<folder>/ref.cpp, written to be
// obviously right: the oracle) and, where it pays, an xsimd implementation (simd.hpp in the same
// folder) picked at run time for the CPU (AVX-512, AVX2, SSE2) through xsimd::dispatch. The SIMD
// side handles the cases it vectorises and falls back to the reference for the rest. Kernels
// trust the Plan: shapes come in, nothing is recomputed or checked here.
//
// Shapes passed to kernels are the batched view (N, C, *spatial); an unbatched input is the same
// data with N = 1. Outputs are preallocated with the Plan's output shape.
#pragma once
#include "cnnshape/exec_desc.hpp"
#include "cnnshape/shape.hpp"
#include <cstdint>
#include <string>
#include <vector>

namespace cnnshape::kernels {

// Ref: the reference kernels only. SimdWhereHandled: each op's SIMD kernel where it handles the
// case (simd_kernel returns false for the cases it declines), else the reference kernel; so a
// layer can run its reference kernel under either backend. The strings users type
// (CNNSHAPE_BACKEND, --backend) stay "ref" and "simd".
enum class Backend { Ref, SimdWhereHandled };

// The backend to use when none is forced: CNNSHAPE_BACKEND=ref|simd in the environment, else simd.
// Any other value of CNNSHAPE_BACKEND is a UsageError: a forced implementation is never ignored.
Backend default_backend();
// The instruction set the SIMD kernels run with on this CPU ("avx512f", "avx2", "sse2", ...).
std::string simd_arch();
// Throws UsageError when CNNSHAPE_SIMD_ARCH is set to a name that was not compiled in or that this
// CPU cannot run (the kernels would otherwise run with another architecture than the one asked).
void check_simd_arch_env();

struct Context {
    Backend backend = Backend::SimdWhereHandled;
    int threads = 1;
};

// The context for a run: `backend` is "ref", "simd" or "" (CNNSHAPE_BACKEND, else simd); threads
// <= 0 means one per hardware thread. Checks the environment's forced choices (UsageError).
Context make_context(const std::string& backend, int threads);

// What one kernel call reads and writes. The shapes are the Plan's (in the batched view for the
// ops that take one, see each op's run.cpp); the kernel writes every element of `out`.
struct Io {
    std::vector<Shape> in_shapes;
    std::vector<const float*> in;
    // The layer's tensors the kernel reads, in the order the op's kernels name them (Conv and
    // Linear: weight, bias; BatchNorm: weight, bias, running_mean, running_var); null when absent.
    std::vector<const float*> params;
    Shape out_shape;
    float* out = nullptr;
    std::int64_t* indices = nullptr; // MaxPool's and AdaptiveMaxPool's indices (may be null)
    // A layer that returns a tuple (Chunk, Split, Unbind): every element, `out` being the first.
    std::vector<Shape> out_shapes = {};
    std::vector<float*> outs = {};

    const Shape& x_shape() const { return in_shapes.at(0); }
    const float* x() const { return in.at(0); }
    const float* param(std::size_t i) const { return i < params.size() ? params[i] : nullptr; }
};

// The one kernel signature. A reference kernel always runs; a SIMD kernel returns false (having
// written nothing) for a case it does not handle.
template <class Desc>
using RefKernel = void(const Context& ctx, const Desc& d, const Io& io);
template <class Desc>
using SimdKernel = bool(const Context& ctx, const Desc& d, const Io& io);

// kernels::run: the SIMD kernel when the SIMD backend is chosen and it handles the case, else the
// reference kernel (ref::run). One overload per op of the list.
#define CNNSHAPE_OP(folder, Desc) RefKernel<Desc> run;
#include "ops/ops.def"
#undef CNNSHAPE_OP

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
bool conv_fused(const Context& ctx, const ConvDesc& d, const Io& io, const ConvEpilogue& ep);

// BatchNorm's eval-mode coefficients per channel, as PyTorch computes them: alpha = invstd * w,
// beta = fma(-mean, alpha, b) (weight/bias null when affine=False).
void batch_norm_coefficients(const BatchNormDesc& d, const float* weight, const float* bias,
                             const float* running_mean, const float* running_var, float* alpha,
                             float* beta);

} // namespace cnnshape::kernels
