// Dense row-major tensors for `cnnshape run`: float32 values, int64 indices. 64-byte aligned so
// SIMD kernels can use aligned loads where it pays.
#pragma once
#include "cnnshape/shape.hpp"
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
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
    // Elements are default-initialised: `vector(n)` and `resize(n)` leave floats unwritten (the
    // kernels write every output element), while `vector(n, value)` still fills.
    template <typename U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <typename U, typename... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
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
    // A tensor whose elements are not written yet (for kernel outputs).
    static BasicTensor uninitialized(Shape s) {
        BasicTensor t;
        t.data.resize(std::size_t(numel(s)));
        t.shape = std::move(s);
        return t;
    }
    std::int64_t size() const { return std::int64_t(data.size()); }
    T* ptr() { return data.data(); }
    const T* ptr() const { return data.data(); }
};

using Tensor = BasicTensor<float>;
using IndexTensor = BasicTensor<std::int64_t>;

} // namespace cnnshape
