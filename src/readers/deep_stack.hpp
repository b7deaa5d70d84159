// Runs a function on a thread of its own with a large stack, so that the recursive readers
// (statements in blocks in calls...) reach their own nesting bounds with room to spare whatever
// stack limit the process was started with (`ulimit -s`). Exceptions cross back to the caller.
// Internal to src/readers.
#pragma once
#include <cstddef>
#include <exception>
#include <optional>
#include <pthread.h>
#include <type_traits>
#include <utility>

namespace cnnshape {

inline constexpr std::size_t kReaderStackBytes = std::size_t(256) << 20; // reserved, not touched

template <class F>
auto on_deep_stack(F&& f) -> std::invoke_result_t<F&> {
    using R = std::invoke_result_t<F&>;
    struct Ctx {
        F* f;
        std::optional<R> result;
        std::exception_ptr error;
    } ctx{&f, std::nullopt, nullptr};
    auto body = [](void* p) -> void* {
        auto* c = static_cast<Ctx*>(p);
        try {
            c->result.emplace((*c->f)());
        } catch (...) {
            c->error = std::current_exception();
        }
        return nullptr;
    };
    pthread_attr_t attr;
    pthread_t thread;
    bool started = pthread_attr_init(&attr) == 0;
    if (started) {
        started = pthread_attr_setstacksize(&attr, kReaderStackBytes) == 0 &&
                  pthread_create(&thread, &attr, body, &ctx) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!started) return f(); // no thread to be had: the caller's stack, as before
    pthread_join(thread, nullptr);
    if (ctx.error) std::rethrow_exception(ctx.error);
    return std::move(*ctx.result);
}

} // namespace cnnshape
