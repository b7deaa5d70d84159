// The SIMD kernels compiled for sse2 (flags in CMakeLists.txt).
#include "kernels_impl.hpp"

namespace cnnshape::kernels::simd {

const KernelTable& table_sse2() {
    static const KernelTable table = make_table<xsimd::sse2>("sse2");
    return table;
}

} // namespace cnnshape::kernels::simd
