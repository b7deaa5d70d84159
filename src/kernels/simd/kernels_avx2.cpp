// The SIMD kernels compiled for avx2 (flags in CMakeLists.txt).
#include "kernels_impl.hpp"

namespace cnnshape::kernels::simd {

const KernelTable& table_avx2() {
    static const KernelTable table = make_table<xsimd::fma3<xsimd::avx2>>("avx2");
    return table;
}

} // namespace cnnshape::kernels::simd
