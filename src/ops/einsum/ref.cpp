// torch.einsum: for every output element (row-major), the sum over the summed variables
// (row-major) of the operands' product, accumulated in double and rounded once. PyTorch contracts
// pairs through bmm (BLAS order), so this agrees to float32 rounding, not bit for bit.
#include "kernels/ref/ref.hpp"

namespace cnnshape::kernels::ref {

void run(const Context&, const EinsumDesc& d, const Io& io) {
    const std::size_t nv = d.sizes.size(), nt = io.in.size();
    const std::size_t no = std::size_t(d.n_out);
    std::int64_t outs = 1, inner = 1;
    for (std::size_t v = 0; v < nv; ++v)
        (v < no ? outs : inner) *= d.sizes[v];
    float* y = io.out;
    std::vector<std::int64_t> pos(nv, 0), off(nt, 0);
    // Odometer over variables [from, to): last fastest, every operand's offset kept in step.
    auto step = [&](std::size_t from, std::size_t to) {
        for (std::size_t v = to; v-- > from;) {
            ++pos[v];
            for (std::size_t t = 0; t < nt; ++t)
                off[t] += d.strides[t][v];
            if (pos[v] < d.sizes[v]) return;
            for (std::size_t t = 0; t < nt; ++t)
                off[t] -= d.strides[t][v] * pos[v];
            pos[v] = 0;
        }
    };
    for (std::int64_t o = 0; o < outs; ++o) {
        double acc = 0;
        for (std::int64_t r = 0; r < inner; ++r) {
            double p = 1;
            for (std::size_t t = 0; t < nt; ++t)
                p *= double(io.in[t][off[t]]);
            acc += p;
            step(no, nv);
        }
        y[o] = float(acc);
        step(0, no);
    }
}

} // namespace cnnshape::kernels::ref
