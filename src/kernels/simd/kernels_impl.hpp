// The SIMD kernels of every family, templated on the xsimd architecture, and the table that
// exports them. Included by exactly one translation unit per architecture (kernels_avx512.cpp,
// kernels_avx2.cpp, kernels_sse2.cpp), each compiled with that architecture's flags; see
// common.hpp for the rules every kernel header follows.
#pragma once
#include "adaptive_pool.hpp"
#include "batch_norm.hpp"
#include "conv.hpp"
#include "elementwise.hpp"
#include "linear.hpp"
#include "pool.hpp"

namespace cnnshape::kernels::simd {
namespace {

template <class Arch>
KernelTable make_table(const char* name) {
    return KernelTable{name,
                       &conv_impl<Arch>,
                       &pool_impl<Arch>,
                       &adaptive_pool_impl<Arch>,
                       &linear_impl<Arch>,
                       &batch_norm_impl<Arch>,
                       &elementwise_impl<Arch>,
                       &add_impl<Arch>};
}

} // namespace
} // namespace cnnshape::kernels::simd
