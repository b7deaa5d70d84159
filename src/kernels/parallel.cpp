// The pool behind parallel_for: workers are started on first use and kept, so a network's many
// layers do not pay thread start-up each time. A job is published by bumping a generation
// counter; workers spin briefly before sleeping because layers follow each other within
// microseconds. Chunks are handed out through an atomic counter, so a thread slowed down by
// the rest of the machine simply takes fewer of them, and a worker that wakes up after the
// caller has taken every chunk never holds the caller up.
#include "cnnshape/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace cnnshape {

namespace {

thread_local bool t_in_worker = false;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
}

// Spin for about this long before blocking on a condition variable: long enough to bridge the
// serial stretches between a network's layers (weight packing, the executor's bookkeeping), so
// workers are awake when the next layer starts (ResNet-18 at 2 threads: ~1% faster than 50 us).
constexpr auto kSpin = std::chrono::microseconds(300);

class Pool {
public:
    ~Pool() {
        {
            std::lock_guard<std::mutex> lk(m_);
            stop_ = true;
            generation_.fetch_add(1, std::memory_order_release);
        }
        work_cv_.notify_all();
        for (auto& t : workers_)
            t.join();
    }

    // Runs the job with up to `helpers` workers besides the caller. Returns false (nothing run)
    // when another caller holds the pool.
    bool run(int helpers, std::int64_t n, std::int64_t chunk, const RangeFn& fn) {
        std::unique_lock<std::mutex> busy(run_mutex_, std::try_to_lock);
        if (!busy.owns_lock()) return false;
        while (int(workers_.size()) < helpers) {
            int id = int(workers_.size());
            workers_.emplace_back([this, id] { loop(id); });
        }
        fn_ = &fn;
        n_ = n;
        chunk_ = chunk;
        wanted_ = helpers;
        next_.store(0, std::memory_order_relaxed);
        state_.store(kOpen, std::memory_order_release);
        {
            std::lock_guard<std::mutex> lk(m_);
            generation_.fetch_add(1, std::memory_order_release);
        }
        work_cv_.notify_all();
        work();
        // Close the job: a worker that was not scheduled in time does not join any more, so the
        // caller only waits for workers that are running chunks right now.
        if (state_.fetch_and(~kOpen, std::memory_order_acq_rel) != kOpen) wait_done();
        return true;
    }

private:
    static constexpr unsigned kOpen = 1u << 31; // the job accepts workers; low bits count them

    void work() {
        for (;;) {
            std::int64_t b = next_.fetch_add(chunk_, std::memory_order_relaxed);
            if (b >= n_) break;
            (*fn_)(b, std::min(n_, b + chunk_));
        }
    }

    void wait_done() {
        auto until = std::chrono::steady_clock::now() + kSpin;
        for (int i = 0; state_.load(std::memory_order_acquire) != 0; ++i) {
            cpu_relax();
            if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) {
                std::unique_lock<std::mutex> lk(m_);
                done_cv_.wait(lk, [&] { return state_.load(std::memory_order_acquire) == 0; });
                return;
            }
        }
    }

    // Joins the current job if it is still open.
    bool join() {
        unsigned s = state_.load(std::memory_order_acquire);
        while (s & kOpen)
            if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) return true;
        return false;
    }

    void loop(int id) {
        t_in_worker = true;
        std::uint64_t seen = 0;
        for (;;) {
            auto until = std::chrono::steady_clock::now() + kSpin;
            for (int i = 0; generation_.load(std::memory_order_acquire) == seen; ++i) {
                cpu_relax();
                if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) {
                    std::unique_lock<std::mutex> lk(m_);
                    work_cv_.wait(
                        lk, [&] { return generation_.load(std::memory_order_acquire) != seen; });
                    break;
                }
            }
            seen = generation_.load(std::memory_order_acquire);
            if (stop_) return;
            if (!join()) continue;
            if (id < wanted_) work();
            // The last worker out of a closed job wakes the caller.
            if (state_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
                std::lock_guard<std::mutex> lk(m_);
                done_cv_.notify_all();
            }
        }
    }

    std::mutex run_mutex_; // one caller at a time
    std::mutex m_;
    std::condition_variable work_cv_, done_cv_;
    std::vector<std::thread> workers_;
    std::atomic<std::uint64_t> generation_{0};
    bool stop_ = false;
    // The current job; written by the caller before it is opened.
    const RangeFn* fn_ = nullptr;
    std::int64_t n_ = 0, chunk_ = 1;
    int wanted_ = 0;
    std::atomic<std::int64_t> next_{0};
    std::atomic<unsigned> state_{0}; // kOpen | number of workers inside the job
};

Pool& pool() {
    static Pool p;
    return p;
}

} // namespace

int hardware_threads() {
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : int(n);
}

void parallel_for(int threads, std::int64_t n, std::int64_t grain, RangeFn fn) {
    if (n <= 0) return;
    grain = std::max<std::int64_t>(grain, 1);
    std::int64_t max_chunks = (n + grain - 1) / grain;
    if (threads <= 1 || max_chunks <= 1 || t_in_worker) {
        fn(0, n);
        return;
    }
    int helpers = int(std::min<std::int64_t>(threads, max_chunks)) - 1;
    // A few chunks per thread, so a thread that is slowed down can be made up for.
    std::int64_t chunks = std::min<std::int64_t>(max_chunks, std::int64_t(helpers + 1) * 16);
    std::int64_t chunk = (n + chunks - 1) / chunks;
    if (!pool().run(helpers, n, chunk, fn)) fn(0, n);
}

} // namespace cnnshape
