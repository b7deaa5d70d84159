// The SIMD kernels compiled for avx512f (flags in CMakeLists.txt).
#include "kernels_impl.hpp"

namespace cnnshape::kernels::simd {

const KernelTable& table_avx512() {
    static const KernelTable table = make_table<xsimd::avx512f>("avx512f");
    return table;
}

} // namespace cnnshape::kernels::simd
