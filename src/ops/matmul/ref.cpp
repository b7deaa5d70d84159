// torch.matmul / torch.bmm: per batch matrix, y[i][j] = sum over k of a[i][k] * b[k][j], each
// accumulated in double in k order and rounded once (PyTorch's BLAS order is not reproducible;
// this is the product rounded once, which BLAS approaches within float32 rounding).
#include "kernels/ref/ref.hpp"
#include "cnnshape/parallel.hpp"

namespace cnnshape::kernels::ref {

void run(const Context& ctx, const MatmulDesc& d, const Io& io) {
    const float* a = io.in.at(0);
    const float* b = io.in.at(1);
    float* y = io.out;
    const std::int64_t m = d.m, k = d.k, n = d.n, nd = std::int64_t(d.batch.size());
    std::int64_t batches = 1;
    for (std::int64_t v : d.batch)
        batches *= v;
    parallel_for(ctx.threads, batches * m, 1, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t job = begin; job < end; ++job) {
            const std::int64_t bi = job / m, i = job % m;
            std::int64_t ao = 0, bo = 0, rest = bi;
            for (std::int64_t t = nd; t-- > 0;) {
                const std::int64_t idx = rest % d.batch[t];
                rest /= d.batch[t];
                ao += idx * d.a_stride[t];
                bo += idx * d.b_stride[t];
            }
            const float* ar = a + ao + i * k;
            const float* bm = b + bo;
            float* yr = y + (bi * m + i) * n;
            for (std::int64_t j = 0; j < n; ++j) {
                double acc = 0;
                for (std::int64_t p = 0; p < k; ++p)
                    acc += double(ar[p]) * double(bm[p * n + j]);
                yr[j] = float(acc);
            }
        }
    });
}

} // namespace cnnshape::kernels::ref
