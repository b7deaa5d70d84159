// A small parallel_for over a persistent pool of std::threads. Work is split into chunks of
// indices; which thread runs a chunk never changes what is computed for an index, so kernels
// that write each output from one index give the same bits with 1 thread or many.
#pragma once
#include <cstdint>
#include <type_traits>
#include <utility>

namespace cnnshape {

// A non-owning reference to a callable `void(std::int64_t begin, std::int64_t end)`: no
// allocation and no std::function, so kernels compiled for different instruction sets share
// no out-of-line template code through it.
class RangeFn {
public:
    template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, RangeFn>>>
    RangeFn(F&& f) // NOLINT: implicit on purpose, so a lambda can be passed directly
        : obj_(const_cast<void*>(static_cast<const void*>(&f))),
          call_(+[](void* o, std::int64_t b, std::int64_t e) {
              (*static_cast<std::remove_reference_t<F>*>(o))(b, e);
          }) {}
    void operator()(std::int64_t b, std::int64_t e) const { call_(obj_, b, e); }

private:
    void* obj_;
    void (*call_)(void*, std::int64_t, std::int64_t);
};

// Runs fn(b, e) over [0, n) in chunks of at least `grain` indices, on up to `threads` threads
// (the caller is one of them). threads <= 1, n <= grain, a nested call from inside a worker, or
// a call while another caller holds the pool all run serially on the calling thread.
void parallel_for(int threads, std::int64_t n, std::int64_t grain, RangeFn fn);

// Number of hardware threads (at least 1): the CLI's default for --threads.
int hardware_threads();

} // namespace cnnshape
