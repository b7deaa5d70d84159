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
    if (v == "simd") return Backend::Simd;
    throw UsageError(what + " '" + v + "' is not a backend: use ref or simd");
}
} // namespace

Backend default_backend() {
    const char* env = std::getenv("CNNSHAPE_BACKEND");
    if (!env || !*env) return Backend::Simd;
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

void conv(const Context& ctx, const ConvDesc& d, const Shape& x_shape, const float* x,
          const float* weight, const float* bias, const Shape& y_shape, float* y) {
    if (ctx.backend == Backend::Simd &&
        simd::conv(ctx, d, x_shape, x, weight, bias, y_shape, y, nullptr))
        return;
    ref::conv(ctx, d, x_shape, x, weight, bias, y_shape, y);
}

bool conv_fused(const Context& ctx, const ConvDesc& d, const Shape& x_shape, const float* x,
                const float* weight, const float* bias, const ConvEpilogue& ep,
                const Shape& y_shape, float* y) {
    // The reference backend is the oracle: it always runs the layers one by one.
    return ctx.backend == Backend::Simd &&
           simd::conv(ctx, d, x_shape, x, weight, bias, y_shape, y, &ep);
}

void batch_norm_coefficients(const BatchNormDesc& d, const float* weight, const float* bias,
                             const float* running_mean, const float* running_var, float* alpha,
                             float* beta) {
    ref::batch_norm_coefficients(d, weight, bias, running_mean, running_var, alpha, beta);
}

void pool(const Context& ctx, const PoolDesc& d, const Shape& x_shape, const float* x,
          const Shape& y_shape, float* y, std::int64_t* indices) {
    if (ctx.backend == Backend::Simd && simd::pool(ctx, d, x_shape, x, y_shape, y, indices)) return;
    ref::pool(ctx, d, x_shape, x, y_shape, y, indices);
}

void adaptive_pool(const Context& ctx, const AdaptivePoolDesc& d, const Shape& x_shape,
                   const float* x, const Shape& y_shape, float* y, std::int64_t* indices) {
    if (ctx.backend == Backend::Simd &&
        simd::adaptive_pool(ctx, d, x_shape, x, y_shape, y, indices))
        return;
    ref::adaptive_pool(ctx, d, x_shape, x, y_shape, y, indices);
}

void linear(const Context& ctx, const LinearDesc& d, const Shape& x_shape, const float* x,
            const float* weight, const float* bias, float* y) {
    if (ctx.backend == Backend::Simd && simd::linear(ctx, d, x_shape, x, weight, bias, y)) return;
    ref::linear(ctx, d, x_shape, x, weight, bias, y);
}

void batch_norm(const Context& ctx, const BatchNormDesc& d, const Shape& x_shape, const float* x,
                const float* weight, const float* bias, const float* running_mean,
                const float* running_var, float* y) {
    if (ctx.backend == Backend::Simd &&
        simd::batch_norm(ctx, d, x_shape, x, weight, bias, running_mean, running_var, y))
        return;
    ref::batch_norm(ctx, d, x_shape, x, weight, bias, running_mean, running_var, y);
}

void constant_pad(const Context& ctx, const ConstantPadDesc& d, const Shape& x_shape,
                  const float* x, const Shape& y_shape, float* y) {
    if (ctx.backend == Backend::Simd && simd::constant_pad(ctx, d, x_shape, x, y_shape, y)) return;
    ref::constant_pad(ctx, d, x_shape, x, y_shape, y);
}

void upsample(const Context& ctx, const UpsampleDesc& d, const Shape& x_shape, const float* x,
              const Shape& y_shape, float* y) {
    if (ctx.backend == Backend::Simd && simd::upsample(ctx, d, x_shape, x, y_shape, y)) return;
    ref::upsample(ctx, d, x_shape, x, y_shape, y);
}

void elementwise(const Context& ctx, const ElementwiseDesc& d, const Shape& shape, const float* x,
                 float* y) {
    if (ctx.backend == Backend::Simd && simd::elementwise(ctx, d, shape, x, y)) return;
    ref::elementwise(ctx, d, shape, x, y);
}

void add(const Context& ctx, const Shape& a_shape, const float* a, const Shape& b_shape,
         const float* b, const Shape& y_shape, float* y) {
    if (ctx.backend == Backend::Simd && simd::add(ctx, a_shape, a, b_shape, b, y_shape, y)) return;
    ref::add(ctx, a_shape, a, b_shape, b, y_shape, y);
}

void concat(const Context& ctx, const ConcatDesc& d, const std::vector<Shape>& shapes,
            const std::vector<const float*>& xs, const Shape& y_shape, float* y) {
    if (ctx.backend == Backend::Simd && simd::concat(ctx, d, shapes, xs, y_shape, y)) return;
    ref::concat(ctx, d, shapes, xs, y_shape, y);
}

} // namespace cnnshape::kernels
