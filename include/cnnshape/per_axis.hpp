// Broadcasting one value to every axis: PyTorch's "an int or a tuple" (_ntuple, ConvParams
// expand_param_if_needed, F.interpolate's size and scale_factor). Include rule: the layer classes
// (src/ops/*/layer.cpp, src/layers), the kernels and the analyses (src/analysis) may include
// this header; it depends on nothing of cnnshape, so any of them can.
#pragma once
#include <cstddef>
#include <vector>

namespace cnnshape {

// A one-element list stands for n copies of its element; any other list is returned unchanged
// (its length is the caller's to check).
template <class T>
std::vector<T> per_axis(const std::vector<T>& v, std::size_t n) {
    return v.size() == 1 ? std::vector<T>(n, v.front()) : v;
}

// One value for each of n axes.
template <class T>
std::vector<T> per_axis(const T& x, std::size_t n) {
    return std::vector<T>(n, x);
}

} // namespace cnnshape
