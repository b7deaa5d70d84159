// Flatten is a view in PyTorch: the output holds the input's data unchanged, so the reference
// kernel copies it (the Plan already gave the output its shape).
#include "kernels/ref/ref.hpp"
#include <algorithm>

namespace cnnshape::kernels::ref {

void run(const Context&, const FlattenDesc&, const Io& io) {
    const float* x = io.x();
    if (x != io.out) std::copy(x, x + numel(io.x_shape()), io.out);
}

} // namespace cnnshape::kernels::ref
