// Dense row-major tensors for `cnnshape run`: float32 values, int64 indices. 64-byte aligned so
// SIMD kernels can use aligned loads where it pays.
#pragma once
#include "cnnshape/shape.hpp"
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace cnnshape {

template <typename T>
struct AlignedAllocator {
    using value_type = T;
    AlignedAllocator() = default;
    template <typename U>
    AlignedAllocator(const AlignedAllocator<U>&) {}
    T* allocate(std::size_t n) {
        return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64)));
    }
    void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t(64)); }
    template <typename U>
    bool operator==(const AlignedAllocator<U>&) const {
        return true;
    }
    template <typename U>
    bool operator!=(const AlignedAllocator<U>&) const {
        return false;
    }
};

template <typename T>
struct BasicTensor {
    Shape shape;
    std::vector<T, AlignedAllocator<T>> data;

    BasicTensor() = default;
    explicit BasicTensor(Shape s, T fill = T(0)) : shape(std::move(s)), data(numel(shape), fill) {}
    std::int64_t size() const { return std::int64_t(data.size()); }
    T* ptr() { return data.data(); }
    const T* ptr() const { return data.data(); }
};

using Tensor = BasicTensor<float>;
using IndexTensor = BasicTensor<std::int64_t>;

} // namespace cnnshape
