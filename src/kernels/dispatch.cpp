// The kernels.hpp entry points: the SIMD kernel when the SIMD backend is chosen and it handles
// the case, else the scalar reference kernel (ncnn's pattern: the fast path falls back to the
// parent implementation for whatever it does not vectorise).
#include "cnnshape/error.hpp"
#include "cnnshape/kernels.hpp"
#include "cnnshape/parallel.hpp"
#include "ref/ref.hpp"
#include "simd/simd.hpp"
#include <cstdlib>
#include <string>

namespace cnnshape::kernels {

namespace {
Backend backend_named(const std::string& v, const std::string& what) {
    if (v == "ref") return Backend::Ref;
    if (v == "simd") return Backend::SimdWhereHandled;
    throw UsageError(what + " '" + v + "' is not a backend: use ref or simd");
}
} // namespace

Backend default_backend() {
    const char* env = std::getenv("CNNSHAPE_BACKEND");
    if (!env || !*env) return Backend::SimdWhereHandled;
    return backend_named(env, "CNNSHAPE_BACKEND");
}

std::string simd_arch() {
    return simd::arch();
}

void check_simd_arch_env() {
    simd::check_arch_env();
}

Context make_context(const std::string& backend, int threads) {
    Context ctx;
    ctx.backend = backend.empty() ? default_backend() : backend_named(backend, "--backend");
    check_simd_arch_env();
    ctx.threads = threads > 0 ? threads : hardware_threads();
    return ctx;
}

#define CNNSHAPE_OP(folder, Desc)                                                                  \
    void run(const Context& ctx, const Desc& d, const Io& io) {                                    \
        if (ctx.backend == Backend::SimdWhereHandled && simd::run(ctx, d, io)) return;             \
        ref::run(ctx, d, io);                                                                      \
    }
#include "ops/ops.def"
#undef CNNSHAPE_OP

bool conv_fused(const Context& ctx, const ConvDesc& d, const Io& io, const ConvEpilogue& ep) {
    // The reference backend is the oracle: it always runs the layers one by one.
    return ctx.backend == Backend::SimdWhereHandled && simd::conv_fused(ctx, d, io, ep);
}

void batch_norm_coefficients(const BatchNormDesc& d, const float* weight, const float* bias,
                             const float* running_mean, const float* running_var, float* alpha,
                             float* beta) {
    ref::batch_norm_coefficients(d, weight, bias, running_mean, running_var, alpha, beta);
}

} // namespace cnnshape::kernels
