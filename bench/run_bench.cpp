// cnnshape_bench_kernels: how fast are the SIMD kernels, next to PyTorch?
//
// Times each case in-process (inputs allocated once, 3 warm-up runs, then the median of at least
// --runs runs and --min-time seconds), at each thread count, and prints GFLOP/s or GB/s. With
// --torch FILE (the JSON that bench/torch_bench.py prints) it shows PyTorch's medians beside ours,
// the speed-up, and whether each target is met. Exit status: 0 all targets met (or none checked),
// 1 a target missed, 2 bad usage or a failed run.
//
// usage: cnnshape_bench_kernels [--torch FILE] [--threads 1,2] [--runs N] [--min-time S]
//                               [--repo DIR] [--case NAME]... [--ref] [--list]
//                               [--interleave ROUNDS] [--python PATH] [--probe]
// --interleave: PyTorch is timed live (a child bench/torch_bench.py per round) alternating with
// cnnshape, and both sides' samples are pooled over the rounds (instead of --torch's figures from
// minutes earlier). --probe: each call of a case is followed by a register-only FMA loop and the
// page faults are counted: is a slow call the kernel or the machine?
#include "cnnshape/execute.hpp"
#include "cnnshape/kernels.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/parallel.hpp"
#include "cnnshape/plan.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

#ifndef CNNSHAPE_BENCH_DEFAULT_REPO
#define CNNSHAPE_BENCH_DEFAULT_REPO "."
#endif
#ifndef CNNSHAPE_BENCH_DEFAULT_BINARY
#define CNNSHAPE_BENCH_DEFAULT_BINARY "cnnshape"
#endif

namespace {

using namespace cnnshape;
namespace K = cnnshape::kernels;
using i64 = std::int64_t;
using Clock = std::chrono::steady_clock;

struct Options {
    std::string torch_file, repo = CNNSHAPE_BENCH_DEFAULT_REPO,
                            cnnshape = CNNSHAPE_BENCH_DEFAULT_BINARY;
    std::vector<int> threads{1, 2};
    int runs = 30;
    double min_time = 0.5;
    std::vector<std::string> only;
    bool ref = false, list = false;
    double dram_mib = 1024; // the DRAM bandwidth buffer (0: skip)
    bool probe = false;
    int interleave = 0; // > 0: time PyTorch live, alternating with cnnshape, in this many rounds
    std::string python = "/usr/bin/python3";
};

// One benchmark case: `prepare` builds inputs for a context and returns the function to time.
struct Case {
    std::string name, label;
    double flops = 0, bytes = 0; // per run, for GFLOP/s and GB/s
    double target = 0;           // minimum speed-up over PyTorch (0: none)
    bool scaling = false;        // also check 2 threads >= 1.7x 1 thread
    std::function<std::function<void()>(const K::Context&)> prepare;
};

std::vector<float> random_floats(i64 n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (auto& x : v)
        x = dist(rng);
    return v;
}

i64 pool_out(i64 in, i64 k, i64 s, i64 p) {
    return (in + 2 * p - k) / s + 1;
}

Case pool_case(std::string name, PoolKind kind, i64 k, i64 s, i64 p, double target) {
    const Shape xs{1, 64, 112, 112};
    const i64 o = pool_out(112, k, s, p);
    const Shape ys{1, 64, o, o};
    Case c;
    c.name = std::move(name);
    c.label = std::string(kind == PoolKind::Max ? "MaxPool2d(" : "AvgPool2d(") + std::to_string(k) +
              ", " + std::to_string(s) + ", " + std::to_string(p) + ") 1x64x112x112";
    c.bytes = double(numel(xs) + numel(ys)) * 4;
    c.target = target;
    c.prepare = [=](const K::Context& ctx) -> std::function<void()> {
        auto x = std::make_shared<std::vector<float>>(random_floats(numel(xs), 1));
        auto y = std::make_shared<std::vector<float>>(numel(ys));
        PoolDesc d;
        d.kind = kind;
        d.kernel = {k, k}, d.stride = {s, s}, d.padding = {p, p}, d.dilation = {1, 1};
        return [=] { K::run(ctx, d, K::Io{{xs}, {x->data()}, {}, ys, y->data(), nullptr}); };
    };
    return c;
}

Case adaptive_case(std::string name, bool is_max, Shape xs, i64 out, double target) {
    const Shape ys{xs[0], xs[1], out, out};
    Case c;
    c.name = std::move(name);
    c.label = std::string(is_max ? "AdaptiveMaxPool2d(" : "AdaptiveAvgPool2d(") +
              std::to_string(out) + ") " + std::to_string(xs[0]) + "x" + std::to_string(xs[1]) +
              "x" + std::to_string(xs[2]) + "x" + std::to_string(xs[3]);
    c.bytes = double(numel(xs) + numel(ys)) * 4;
    c.target = target;
    c.prepare = [=](const K::Context& ctx) -> std::function<void()> {
        auto x = std::make_shared<std::vector<float>>(random_floats(numel(xs), 2));
        auto y = std::make_shared<std::vector<float>>(numel(ys));
        AdaptivePoolDesc d;
        d.is_max = is_max;
        d.output_size = {out, out};
        return [=] { K::run(ctx, d, K::Io{{xs}, {x->data()}, {}, ys, y->data(), nullptr}); };
    };
    return c;
}

// Conv2d(C, OC, k, stride, padding=k/2, bias=False) on N x C x H x H: the ResNet shapes.
Case conv_case(std::string name, i64 N, i64 C, i64 OC, i64 H, i64 k, i64 stride, double target,
               bool scaling) {
    const i64 p = k / 2, OH = (H + 2 * p - k) / stride + 1;
    const Shape xs{N, C, H, H}, ys{N, OC, OH, OH};
    Case c;
    c.name = std::move(name);
    c.label = "Conv2d(" + std::to_string(C) + ", " + std::to_string(OC) + ", " + std::to_string(k) +
              (stride != 1 ? ", " + std::to_string(stride) : "") +
              (p ? ", padding=" + std::to_string(p) : "") + ") " + std::to_string(N) + "x" +
              std::to_string(C) + "x" + std::to_string(H) + "x" + std::to_string(H);
    c.flops = 2.0 * double(C * OC * k * k) * double(N * OH * OH);
    c.bytes = double(numel(xs) + numel(ys) + C * OC * k * k) * 4;
    c.target = target;
    c.scaling = scaling;
    c.prepare = [=](const K::Context& ctx) -> std::function<void()> {
        auto x = std::make_shared<std::vector<float>>(random_floats(numel(xs), 3));
        auto w = std::make_shared<std::vector<float>>(random_floats(C * OC * k * k, 4));
        auto y = std::make_shared<std::vector<float>>(numel(ys));
        ConvDesc d;
        d.in_channels = C, d.out_channels = OC;
        d.kernel = {k, k}, d.stride = {stride, stride}, d.dilation = {1, 1}, d.pad_l = {p, p},
        d.pad_r = {p, p}, d.output_padding = {0, 0};
        d.bias = false;
        return [=] {
            K::run(ctx, d, K::Io{{xs}, {x->data()}, {w->data(), nullptr}, ys, y->data()});
        };
    };
    return c;
}

// torch.matmul of two n x n matrices.
Case matmul_case(i64 n) {
    Case c;
    c.name = "matmul" + std::to_string(n);
    c.label = "matmul " + std::to_string(n) + "x" + std::to_string(n) + " @ " + std::to_string(n) +
              "x" + std::to_string(n);
    c.flops = 2.0 * double(n) * double(n) * double(n);
    c.bytes = 3.0 * double(n * n) * 4;
    c.target = 1.0;
    c.prepare = [=](const K::Context& ctx) -> std::function<void()> {
        auto a = std::make_shared<std::vector<float>>(random_floats(n * n, 5));
        auto b = std::make_shared<std::vector<float>>(random_floats(n * n, 6));
        auto y = std::make_shared<std::vector<float>>(n * n);
        MatmulDesc d;
        d.m = n, d.k = n, d.n = n;
        const Shape s{n, n};
        return [=] { K::run(ctx, d, K::Io{{s, s}, {a->data(), b->data()}, {}, s, y->data()}); };
    };
    return c;
}

// nn.Linear(I, O) on an M x I batch.
Case linear_case(i64 M, i64 I, i64 O) {
    Case c;
    c.name = "linear" + std::to_string(M) + "_" + std::to_string(I) + "_" + std::to_string(O);
    c.label = "Linear(" + std::to_string(I) + ", " + std::to_string(O) + ") " + std::to_string(M) +
              "x" + std::to_string(I);
    c.flops = 2.0 * double(M) * double(I) * double(O);
    c.bytes = double(M * I + I * O + O + M * O) * 4;
    c.target = 1.0;
    c.prepare = [=](const K::Context& ctx) -> std::function<void()> {
        auto x = std::make_shared<std::vector<float>>(random_floats(M * I, 7));
        auto w = std::make_shared<std::vector<float>>(random_floats(O * I, 8));
        auto b = std::make_shared<std::vector<float>>(random_floats(O, 9));
        auto y = std::make_shared<std::vector<float>>(M * O);
        LinearDesc d;
        d.in_features = I, d.out_features = O, d.bias = true;
        const Shape xs{M, I}, ys{M, O};
        return [=] {
            K::run(ctx, d, K::Io{{xs}, {x->data()}, {w->data(), b->data()}, ys, y->data()});
        };
    };
    return c;
}

Case upsample_case(std::string name, UpsampleMode mode) {
    const Shape xs{1, 64, 56, 56}, ys{1, 64, 112, 112};
    Case c;
    c.name = std::move(name);
    c.label = std::string("Upsample(2, ") +
              (mode == UpsampleMode::Nearest ? "nearest" : "bilinear") + ") 1x64x56x56";
    c.bytes = double(numel(xs) + numel(ys)) * 4;
    c.prepare = [=](const K::Context& ctx) -> std::function<void()> {
        auto x = std::make_shared<std::vector<float>>(random_floats(numel(xs), 6));
        auto y = std::make_shared<std::vector<float>>(numel(ys));
        UpsampleDesc d;
        d.mode = mode;
        d.output_size = {112, 112};
        d.scale_factor = {2.0, 2.0};
        return [=] { K::run(ctx, d, K::Io{{xs}, {x->data()}, {}, ys, y->data()}); };
    };
    return c;
}

Case concat_case() {
    const Shape xs{1, 64, 56, 56}, ys{1, 128, 56, 56};
    Case c;
    c.name = "cat2x64";
    c.label = "torch.cat(2 x 1x64x56x56, dim=1)";
    c.bytes = double(2 * numel(xs) + numel(ys)) * 4;
    c.prepare = [=](const K::Context& ctx) -> std::function<void()> {
        auto a = std::make_shared<std::vector<float>>(random_floats(numel(xs), 7));
        auto b = std::make_shared<std::vector<float>>(random_floats(numel(xs), 8));
        auto y = std::make_shared<std::vector<float>>(numel(ys));
        ConcatDesc d;
        d.dim = 1;
        return [=] { K::run(ctx, d, K::Io{{xs, xs}, {a->data(), b->data()}, {}, ys, y->data()}); };
    };
    return c;
}

Case binary_case(std::string name, std::string label, BinaryOp op, Shape as, Shape bs) {
    Case c;
    c.name = std::move(name);
    c.label = std::move(label);
    const Shape ys = as;
    c.bytes = double(numel(as) + numel(bs) + numel(ys)) * 4;
    c.prepare = [=](const K::Context& ctx) -> std::function<void()> {
        auto a = std::make_shared<std::vector<float>>(random_floats(numel(as), 9));
        auto b = std::make_shared<std::vector<float>>(random_floats(numel(bs), 10));
        auto y = std::make_shared<std::vector<float>>(numel(ys));
        BinaryDesc d;
        d.op = op;
        return [=] { K::run(ctx, d, K::Io{{as, bs}, {a->data(), b->data()}, {}, ys, y->data()}); };
    };
    return c;
}

Case pad_case() {
    const Shape xs{1, 64, 56, 56}, ys{1, 64, 58, 58};
    Case c;
    c.name = "pad1";
    c.label = "ZeroPad2d(1) 1x64x56x56";
    c.bytes = double(numel(xs) + numel(ys)) * 4;
    c.prepare = [=](const K::Context& ctx) -> std::function<void()> {
        auto x = std::make_shared<std::vector<float>>(random_floats(numel(xs), 11));
        auto y = std::make_shared<std::vector<float>>(numel(ys));
        PadDesc d;
        d.pad = {1, 1, 1, 1};
        return [=] { K::run(ctx, d, K::Io{{xs}, {x->data()}, {}, ys, y->data()}); };
    };
    return c;
}

Case batchnorm_case() {
    const Shape xs{1, 64, 112, 112};
    Case c;
    c.name = "bn64";
    c.label = "BatchNorm2d(64) eval 1x64x112x112";
    c.bytes = double(2 * numel(xs)) * 4;
    c.prepare = [=](const K::Context& ctx) -> std::function<void()> {
        auto x = std::make_shared<std::vector<float>>(random_floats(numel(xs), 12));
        auto p = std::make_shared<std::vector<float>>(random_floats(4 * 64, 13));
        for (i64 i = 3 * 64; i < 4 * 64; ++i) // running_var > 0
            (*p)[std::size_t(i)] = 1.0f + std::fabs((*p)[std::size_t(i)]);
        auto y = std::make_shared<std::vector<float>>(numel(xs));
        BatchNormDesc d;
        d.num_features = 64;
        return [=] {
            const float* q = p->data();
            K::run(ctx, d, K::Io{{xs}, {x->data()}, {q, q + 64, q + 128, q + 192}, xs, y->data()});
        };
    };
    return c;
}

Case relu_case() {
    const Shape xs{1, 64, 112, 112};
    Case c;
    c.name = "relu64";
    c.label = "ReLU 1x64x112x112";
    c.bytes = double(2 * numel(xs)) * 4;
    c.prepare = [=](const K::Context& ctx) -> std::function<void()> {
        auto x = std::make_shared<std::vector<float>>(random_floats(numel(xs), 14));
        auto y = std::make_shared<std::vector<float>>(numel(xs));
        ElementwiseDesc d;
        d.act = Activation::ReLU;
        return [=] { K::run(ctx, d, K::Io{{xs}, {x->data()}, {}, xs, y->data()}); };
    };
    return c;
}

Case resnet_case(const std::string& repo) {
    Case c;
    c.name = "resnet18";
    c.label = "ResNet-18 forward 1x3x224x224";
    c.target = 1.0;
    c.scaling = true;
    auto plan = std::make_shared<Plan>(make_plan(
        load_spec_file(repo + "/examples/networks/resnet18.json"), Shape{1, 3, 224, 224}));
    c.flops = 2.0 * double(plan->totals.macs);
    c.prepare = [plan](const K::Context& ctx) -> std::function<void()> {
        auto weights = std::make_shared<StateDict>(init_weights(*plan, 0));
        auto input = std::make_shared<Tensor>(plan->input);
        auto v = random_floats(input->size(), 5);
        std::copy(v.begin(), v.end(), input->data.begin());
        RunOptions opt;
        opt.kernels = ctx;
        return [=] { (void)execute(*plan, *weights, *input, opt); };
    };
    return c;
}

struct Timing {
    double median_ms = 0, min_ms = 0, cpu_ms = 0; // cpu: median process CPU time per run
    int runs = 0;
};

double cpu_ms_now() {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) * 1e-6;
}

// Per-call samples (wall and process CPU ms), kept when several rounds are pooled.
struct Samples {
    std::vector<double> ms, cpu;
};

Timing summarize(Samples s) {
    std::sort(s.ms.begin(), s.ms.end());
    std::sort(s.cpu.begin(), s.cpu.end());
    return {s.ms[s.ms.size() / 2], s.ms.front(), s.cpu[s.cpu.size() / 2], int(s.ms.size())};
}

Timing time_it(const std::function<void()>& f, int min_runs, double min_time,
               Samples* keep = nullptr) {
    for (int i = 0; i < 3; ++i)
        f();
    // Calls shorter than 50 us are timed in groups (one sample = `group` calls, divided), so the
    // clock's own cost does not count; torch_bench.py does the same.
    int group = 1;
    {
        auto t0 = Clock::now();
        for (int i = 0; i < 5; ++i)
            f();
        double one = std::chrono::duration<double>(Clock::now() - t0).count() / 5;
        if (one < 50e-6) group = int(std::min(1000.0, std::ceil(50e-6 / std::max(one, 1e-9))));
    }
    std::vector<double> ms, cpu;
    const auto start = Clock::now();
    while (int(ms.size()) < min_runs ||
           (std::chrono::duration<double>(Clock::now() - start).count() < min_time &&
            ms.size() < 5000)) {
        double c0 = cpu_ms_now();
        auto t0 = Clock::now();
        for (int i = 0; i < group; ++i)
            f();
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / group);
        cpu.push_back((cpu_ms_now() - c0) / group);
    }
    if (keep) {
        keep->ms.insert(keep->ms.end(), ms.begin(), ms.end());
        keep->cpu.insert(keep->cpu.end(), cpu.begin(), cpu.end());
    }
    return summarize({std::move(ms), std::move(cpu)});
}

// How much faster 2 threads run pure arithmetic than 1 right now: about 2 on an idle 2-core
// machine, less when other processes hold the cores. Thread-scaling results are read against it.
double thread_ceiling() {
    auto run = [](int threads) {
        std::vector<double> ms;
        for (int rep = 0; rep < 5; ++rep) {
            auto t0 = Clock::now();
            parallel_for(threads, 64, 1, [](i64 b, i64 e) {
                for (i64 i = b; i < e; ++i) {
                    volatile float s = 1.0f; // a dependent chain the compiler cannot remove
                    for (int k = 0; k < 20000; ++k)
                        s = s * 0.9999999f + 1e-7f;
                }
            });
            ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
        std::sort(ms.begin(), ms.end());
        return ms[ms.size() / 2];
    };
    return run(1) / run(2);
}

// ---------------------------------------------------------------------------------------------
// The roofline: this core's peak float32 FMA rate and its memory-read bandwidth, at the width of
// the SIMD architecture the kernels run (avx512f: 16 lanes, fma3<avx2>: 8, sse2: 4 with a separate
// multiply and add). Both are medians of process CPU time over repeated trials, like the kernels'
// `cpu` column, so time the scheduler gives to other processes on a shared machine does not count.

double thread_cpu_s() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

constexpr int kChains = 24; // independent FMA chains: > latency (4) x FMA ports (2), in registers

#if defined(__x86_64__)
__attribute__((target("avx512f"))) float fma_chains_avx512(long iters, float seed) {
    __m512 a[kChains];
    for (int k = 0; k < kChains; ++k)
        a[k] = _mm512_set1_ps(seed + float(k));
    const __m512 m = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
    for (long i = 0; i < iters; ++i) {
#pragma GCC unroll 24
        for (int k = 0; k < kChains; ++k)
            a[k] = _mm512_fmadd_ps(a[k], m, c);
    }
    for (int k = 1; k < kChains; ++k)
        a[0] = _mm512_add_ps(a[0], a[k]);
    alignas(64) float out[16];
    _mm512_store_ps(out, a[0]);
    return out[0] + out[15];
}

__attribute__((target("avx2,fma"))) float fma_chains_avx2(long iters, float seed) {
    __m256 a[kChains];
    for (int k = 0; k < kChains; ++k)
        a[k] = _mm256_set1_ps(seed + float(k));
    const __m256 m = _mm256_set1_ps(0.9999999f), c = _mm256_set1_ps(1e-7f);
    for (long i = 0; i < iters; ++i) {
#pragma GCC unroll 24
        for (int k = 0; k < kChains; ++k)
            a[k] = _mm256_fmadd_ps(a[k], m, c);
    }
    for (int k = 1; k < kChains; ++k)
        a[0] = _mm256_add_ps(a[0], a[k]);
    alignas(32) float out[8];
    _mm256_store_ps(out, a[0]);
    return out[0] + out[7];
}

// Streaming sum of n floats (n a multiple of 128), eight independent vector sums.
__attribute__((target("avx512f"))) float sum_avx512(const float* p, std::size_t n) {
    __m512 a[8];
    for (auto& v : a)
        v = _mm512_setzero_ps();
    for (std::size_t i = 0; i < n; i += 128)
        for (int k = 0; k < 8; ++k)
            a[k] = _mm512_add_ps(a[k], _mm512_loadu_ps(p + i + 16 * k));
    for (int k = 1; k < 8; ++k)
        a[0] = _mm512_add_ps(a[0], a[k]);
    alignas(64) float out[16];
    _mm512_store_ps(out, a[0]);
    return out[0] + out[15];
}

__attribute__((target("avx2"))) float sum_avx2(const float* p, std::size_t n) {
    __m256 a[8];
    for (auto& v : a)
        v = _mm256_setzero_ps();
    for (std::size_t i = 0; i < n; i += 64)
        for (int k = 0; k < 8; ++k)
            a[k] = _mm256_add_ps(a[k], _mm256_loadu_ps(p + i + 8 * k));
    for (int k = 1; k < 8; ++k)
        a[0] = _mm256_add_ps(a[0], a[k]);
    alignas(32) float out[8];
    _mm256_store_ps(out, a[0]);
    return out[0] + out[7];
}
#endif

float fma_chains_sse2(long iters, float seed) {
#if defined(__SSE2__)
    __m128 a[kChains];
    for (int k = 0; k < kChains; ++k)
        a[k] = _mm_set1_ps(seed + float(k));
    const __m128 m = _mm_set1_ps(0.9999999f), c = _mm_set1_ps(1e-7f);
    for (long i = 0; i < iters; ++i) {
#pragma GCC unroll 24
        for (int k = 0; k < kChains; ++k)
            a[k] = _mm_add_ps(_mm_mul_ps(a[k], m), c);
    }
    for (int k = 1; k < kChains; ++k)
        a[0] = _mm_add_ps(a[0], a[k]);
    return _mm_cvtss_f32(a[0]);
#else
    float a[kChains];
    for (int k = 0; k < kChains; ++k)
        a[k] = seed + float(k);
    for (long i = 0; i < iters; ++i)
        for (int k = 0; k < kChains; ++k)
            a[k] = a[k] * 0.9999999f + 1e-7f;
    return a[0] + a[kChains - 1];
#endif
}

float sum_sse2(const float* p, std::size_t n) {
#if defined(__SSE2__)
    __m128 a[8];
    for (auto& v : a)
        v = _mm_setzero_ps();
    for (std::size_t i = 0; i < n; i += 32)
        for (int k = 0; k < 8; ++k)
            a[k] = _mm_add_ps(a[k], _mm_loadu_ps(p + i + 4 * k));
    for (int k = 1; k < 8; ++k)
        a[0] = _mm_add_ps(a[0], a[k]);
    return _mm_cvtss_f32(a[0]);
#else
    float a[32] = {};
    for (std::size_t i = 0; i < n; i += 32)
        for (int k = 0; k < 32; ++k)
            a[k] += p[i + k];
    return a[0] + a[31];
#endif
}

// The kernels' vector width in bits: 512, 256 or 128.
int kernel_width_bits() {
    const std::string a = K::simd_arch();
    return a.find("avx512") != std::string::npos ? 512
           : a.find("avx2") != std::string::npos ? 256
                                                 : 128;
}

// Median over trials of f's process CPU time, each trial at least `min_trial` s.
template <class F>
double median_cpu_s(F&& f, int trials, double min_trial, double& per_call_units,
                    double* fastest = nullptr) {
    // Calibrate how many calls make one trial.
    long reps = 1;
    for (;;) {
        const double t0 = thread_cpu_s();
        for (long r = 0; r < reps; ++r)
            f();
        const double dt = thread_cpu_s() - t0;
        if (dt >= min_trial || reps >= (1L << 30)) break;
        reps *= dt > 0 ? std::max(2L, long(std::ceil(min_trial / dt * 1.2))) : 16;
    }
    std::vector<double> t;
    for (int k = 0; k < trials; ++k) {
        const double t0 = thread_cpu_s();
        for (long r = 0; r < reps; ++r)
            f();
        t.push_back((thread_cpu_s() - t0) / double(reps));
    }
    std::sort(t.begin(), t.end());
    per_call_units = double(reps);
    if (fastest) *fastest = t.front();
    return t[t.size() / 2];
}

volatile float g_sink = 0; // keeps the measuring loops' results alive

// Peak GFLOP/s of one core: kChains independent FMA chains at the kernels' width (2 flops per
// lane per FMA; SSE2 has no FMA, so a multiply and an add).
// The core's peak: the fastest of 40 trials of ~10 ms over ~0.4 s. On this VM the FMA throughput
// one thread sees drops to about half for seconds at a time when the other vCPU is busy (stop 22
// in bench/README.md), so a median would report that state as the peak; `now` gets the median.
double peak_gflops(double* now = nullptr) {
    const int bits = kernel_width_bits();
    const long iters = 20000;
    auto run = [&] {
#if defined(__x86_64__)
        if (bits == 512) return fma_chains_avx512(iters, g_sink);
        if (bits == 256) return fma_chains_avx2(iters, g_sink);
#endif
        return fma_chains_sse2(iters, g_sink);
    };
    double unused = 0, fastest = 0;
    const double s =
        median_cpu_s([&] { g_sink = g_sink + run() * 1e-30f; }, 40, 0.01, unused, &fastest);
    const double flops = double(iters) * kChains * (bits / 32) * 2;
    if (now) *now = flops / s / 1e9;
    return flops / fastest / 1e9;
}

// Read bandwidth (GB/s) of one core streaming a buffer of `bytes` with the kernels' vector loads,
// the same buffer every call: warm in whatever cache level it fits, DRAM when it fits none.
double read_gbs(double bytes, int trials, double min_trial) {
    const std::size_t n = std::max<std::size_t>(128, std::size_t(bytes / 4) / 128 * 128);
    std::vector<float> buf(n, 1.0f); // written once: every page is mapped before timing
    const int bits = kernel_width_bits();
    auto run = [&] {
#if defined(__x86_64__)
        if (bits == 512) return sum_avx512(buf.data(), n);
        if (bits == 256) return sum_avx2(buf.data(), n);
#endif
        return sum_sse2(buf.data(), n);
    };
    run();
    double unused = 0;
    const double s = median_cpu_s([&] { g_sink = g_sink + run(); }, trials, min_trial, unused);
    return double(n) * 4 / s / 1e9;
}

// --probe: 60 calls of f, each followed by a fixed register-only FMA loop (no memory traffic,
// so its time only moves with the core's own speed: clock, a busy sibling, the hypervisor).
// Prints min / median / max of both in process CPU time, their correlation, and the minor page
// faults per call.
std::string fmt_num(double v, const char* f);

void probe_report(const std::string& label, const std::function<void()>& f) {
    const int bits = kernel_width_bits();
    const long iters = 9000;
    auto fma = [&] {
#if defined(__x86_64__)
        if (bits == 512) return fma_chains_avx512(iters, g_sink);
        if (bits == 256) return fma_chains_avx2(iters, g_sink);
#endif
        return fma_chains_sse2(iters, g_sink);
    };
    for (int i = 0; i < 3; ++i)
        f();
    rusage r0{}, r1{};
    std::vector<double> a, b;
    getrusage(RUSAGE_SELF, &r0);
    long faults = 0;
    for (int i = 0; i < 60; ++i) {
        rusage q0{}, q1{};
        getrusage(RUSAGE_SELF, &q0);
        const double t0 = thread_cpu_s();
        f();
        const double t1 = thread_cpu_s();
        getrusage(RUSAGE_SELF, &q1);
        faults += q1.ru_minflt - q0.ru_minflt;
        g_sink = g_sink + fma() * 1e-30f;
        const double t2 = thread_cpu_s();
        a.push_back((t1 - t0) * 1e3);
        b.push_back((t2 - t1) * 1e3);
    }
    getrusage(RUSAGE_SELF, &r1);
    double ma = 0, mb = 0;
    for (int i = 0; i < 60; ++i)
        ma += a[i] / 60, mb += b[i] / 60;
    double sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < 60; ++i)
        sab += (a[i] - ma) * (b[i] - mb), saa += (a[i] - ma) * (a[i] - ma),
            sbb += (b[i] - mb) * (b[i] - mb);
    auto stats = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return fmt_num(v.front(), "%.3f") + " / " + fmt_num(v[v.size() / 2], "%.3f") + " / " +
               fmt_num(v.back(), "%.3f");
    };
    const double flops = double(iters) * kChains * (bits / 32) * 2;
    std::vector<double> g;
    for (double v : b)
        g.push_back(flops / (v * 1e-3) / 1e9);
    std::sort(g.begin(), g.end());
    std::printf("probe %s: call ms min/median/max %s; FMA loop %s ms (%.0f / %.0f GFLOP/s at "
                "its fastest / median); correlation %.2f; minor page faults %.2f per call\n",
                label.c_str(), stats(a).c_str(), stats(b).c_str(), g.back(), g[g.size() / 2],
                sab / std::sqrt(std::max(saa * sbb, 1e-30)), double(faults) / 60.0);
    std::fflush(stdout);
}

std::vector<int> parse_ints(const std::string& s) {
    std::vector<int> v;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        v.push_back(std::stoi(item));
    return v;
}

// PyTorch's samples for one case at one thread count, timed now by a child
// `python bench/torch_bench.py --case NAME` (the --interleave rounds): false if it failed.
bool torch_live(const Options& o, const std::string& name, int threads, int runs, double min_time,
                Samples& out) {
    char out_path[] = "/tmp/cnnshape_bench_torch_XXXXXX";
    const int fd = mkstemp(out_path);
    if (fd < 0) return false;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> args = {
        o.python,     o.repo + "/bench/torch_bench.py", "--case", name,
        "--threads",  std::to_string(threads),          "--runs", std::to_string(runs),
        "--min-time", std::to_string(min_time)};
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    // As run_speed.sh: glibc keeps PyTorch's freed blocks instead of unmapping them each call.
    std::vector<std::string> env = {"GLIBC_TUNABLES=glibc.malloc.mmap_threshold=2147483647:"
                                    "glibc.malloc.trim_threshold=2147483647"};
    for (char** e = environ; *e; ++e)
        if (std::strncmp(*e, "GLIBC_TUNABLES=", 15) != 0) env.emplace_back(*e);
    std::vector<char*> envp;
    for (auto& e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = 0;
    const int err = posix_spawn(&pid, o.python.c_str(), &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    close(fd);
    int status = 0;
    bool ok = err == 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0;
    if (ok) {
        try {
            std::ifstream in(out_path);
            nlohmann::json j;
            in >> j;
            auto& r = j.at("results").at(name).at(std::to_string(threads));
            for (double v : r.at("wall_ms"))
                out.ms.push_back(v);
            for (double v : r.at("cpu_samples_ms"))
                out.cpu.push_back(v);
        } catch (const std::exception&) {
            ok = false;
        }
    }
    std::remove(out_path);
    return ok && !out.ms.empty();
}

int usage(const char* msg) {
    std::fprintf(stderr,
                 "%s\nusage: cnnshape_bench_kernels [--torch FILE] [--threads 1,2] [--runs N] "
                 "[--min-time S] [--repo DIR] [--cnnshape PATH] [--dram-mib N] [--case NAME]... "
                 "[--ref] [--list] [--interleave ROUNDS] [--python PATH] [--probe]\n",
                 msg);
    return 2;
}

std::string fmt_num(double v, const char* f = "%.3f") {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

// Peak RSS of `cnnshape run` on ResNet-50 (1x3x224x224, 1 thread, random weights), measured as
// the child's ru_maxrss, against the target: 1.3 x (its weights + its two largest activations).
// 0: met, 1: missed, 2: the run failed. `line` gets the report.
int rss_report(const Options& o, std::string& line) {
    const std::string spec = o.repo + "/examples/networks/zoo/resnet50.json";
    Plan plan;
    try {
        plan = make_plan(load_spec_file(spec), Shape{1, 3, 224, 224});
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cannot plan %s: %s\n", spec.c_str(), e.what());
        return 2;
    }
    const double weights = double(plan.totals.param_bytes + plan.totals.buffer_bytes);
    std::vector<double> acts;
    for (const auto& l : plan.layers)
        if (l.used) acts.push_back(double(l.output_bytes));
    std::sort(acts.rbegin(), acts.rend());
    const double two = acts.size() >= 2 ? acts[0] + acts[1] : acts.empty() ? 0.0 : acts[0];
    const double bound = 1.3 * (weights + two);

    char out_path[] = "/tmp/cnnshape_bench_rss_XXXXXX";
    const int fd = mkstemp(out_path);
    if (fd < 0) return 2;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> args = {o.cnnshape,  "run", spec,       "--input", "1x3x224x224",
                                     "--threads", "1",   "--format", "json"};
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int err = posix_spawn(&pid, o.cnnshape.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd);
    int status = 0;
    rusage ru{};
    const bool ok = err == 0 && wait4(pid, &status, 0, &ru) == pid && WIFEXITED(status) &&
                    WEXITSTATUS(status) == 0;
    double peak_bytes = 0;
    if (ok) {
        try {
            std::ifstream in(out_path);
            nlohmann::json j;
            in >> j;
            peak_bytes = j.value("peak_bytes", 0.0);
        } catch (const std::exception&) {
        }
    }
    std::remove(out_path);
    if (!ok) {
        std::fprintf(stderr, "`%s run %s` failed\n", o.cnnshape.c_str(), spec.c_str());
        return 2;
    }
    const double rss = double(ru.ru_maxrss) * 1024; // Linux: kilobytes (KiB)
    const bool met = rss <= bound;
    line = "ResNet-50 1x3x224x224, `cnnshape run --threads 1`: peak RSS " +
           fmt_num(rss / 1e6, "%.1f") + " MB; weights " + fmt_num(weights / 1e6, "%.1f") +
           " MB + two largest activations " + fmt_num(two / 1e6, "%.1f") +
           " MB = " + fmt_num((weights + two) / 1e6, "%.1f") +
           " MB, RSS = " + fmt_num(rss / (weights + two), "%.2fx") + " that (target <= 1.3x, " +
           fmt_num(bound / 1e6, "%.1f") + " MB) " + (met ? "met" : "MISSED") +
           "; the executor's own count of live tensors peaked at " +
           fmt_num(peak_bytes / 1e6, "%.1f") + " MB";
    return met ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error("missing value for " + a);
            return argv[++i];
        };
        try {
            if (a == "--torch")
                o.torch_file = value();
            else if (a == "--threads")
                o.threads = parse_ints(value());
            else if (a == "--runs")
                o.runs = std::stoi(value());
            else if (a == "--min-time")
                o.min_time = std::stod(value());
            else if (a == "--repo")
                o.repo = value();
            else if (a == "--case")
                o.only.push_back(value());
            else if (a == "--ref")
                o.ref = true;
            else if (a == "--list")
                o.list = true;
            else if (a == "--cnnshape")
                o.cnnshape = value();
            else if (a == "--dram-mib")
                o.dram_mib = std::stod(value());
            else if (a == "--interleave")
                o.interleave = std::stoi(value());
            else if (a == "--probe")
                o.probe = true;
            else if (a == "--python")
                o.python = value();
            else
                return usage(("unknown argument " + a).c_str());
        } catch (const std::exception& e) {
            return usage(e.what());
        }
    }

    std::vector<Case> cases;
    try {
        cases.push_back(pool_case("maxpool3s2p1", PoolKind::Max, 3, 2, 1, 20));
        cases.push_back(pool_case("maxpool2s2", PoolKind::Max, 2, 2, 0, 20));
        cases.push_back(pool_case("avgpool3s2p1", PoolKind::Avg, 3, 2, 1, 5));
        cases.push_back(pool_case("avgpool2s2", PoolKind::Avg, 2, 2, 0, 5));
        cases.push_back(adaptive_case("adaptiveavg7", false, {1, 64, 112, 112}, 7, 5));
        cases.push_back(adaptive_case("adaptivemax7", true, {1, 64, 112, 112}, 7, 5));
        cases.push_back(adaptive_case("globalavg", false, {1, 512, 7, 7}, 1, 5));
        cases.push_back(upsample_case("upnearest2x", UpsampleMode::Nearest));
        cases.push_back(upsample_case("upbilinear2x", UpsampleMode::Bilinear));
        cases.push_back(concat_case());
        cases.push_back(binary_case("add64", "x + y, 2 x 1x64x56x56", BinaryOp::Add,
                                    {1, 64, 56, 56}, {1, 64, 56, 56}));
        cases.push_back(binary_case("mul64", "x * y, 2 x 1x64x56x56", BinaryOp::Mul,
                                    {1, 64, 56, 56}, {1, 64, 56, 56}));
        cases.push_back(binary_case("semul", "x * gate, 1x256x28x28 by 1x256x1x1", BinaryOp::Mul,
                                    {1, 256, 28, 28}, {1, 256, 1, 1}));
        cases.push_back(pad_case());
        cases.push_back(batchnorm_case());
        cases.push_back(relu_case());
        cases.push_back(conv_case("conv3x3_64", 1, 64, 64, 56, 3, 1, 1.15, true));
        // ResNet shapes: 3x3 C -> C at 56/28/14/7, 1x1 4C -> C (the bottleneck's reduce) and
        // C -> 4C (its expand), batch 1 and 8.
        const i64 chans[] = {64, 128, 256, 512}, sizes[] = {56, 28, 14, 7};
        for (i64 n : {i64(1), i64(8)})
            for (int i = 0; i < 4; ++i) {
                const i64 ch = chans[i], hw = sizes[i];
                const std::string b = "_b" + std::to_string(n);
                if (!(ch == 64 && n == 1))
                    cases.push_back(conv_case("conv3x3_" + std::to_string(ch) + b, n, ch, ch, hw, 3,
                                              1, 1.15, false));
                cases.push_back(
                    conv_case("conv1x1_" + std::to_string(4 * ch) + "_" + std::to_string(ch) + b, n,
                              4 * ch, ch, hw, 1, 1, 1.15, false));
                cases.push_back(
                    conv_case("conv1x1_" + std::to_string(ch) + "_" + std::to_string(4 * ch) + b, n,
                              ch, 4 * ch, hw, 1, 1, 1.15, false));
            }
        for (i64 n : {i64(256), i64(512), i64(1024)})
            cases.push_back(matmul_case(n));
        cases.push_back(linear_case(256, 1024, 1024));
        cases.push_back(linear_case(1, 4096, 4096));
        cases.push_back(resnet_case(o.repo));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cannot set up the cases: %s\n", e.what());
        return 2;
    }
    const char* kRss = "rss_resnet50";
    if (o.list) {
        for (auto& c : cases)
            std::printf("%-14s %s\n", c.name.c_str(), c.label.c_str());
        std::printf("%-14s %s\n", kRss, "peak RSS of `cnnshape run` on ResNet-50, 1x3x224x224");
        return 0;
    }
    auto selected = [&](const std::string& name) {
        return o.only.empty() || std::find(o.only.begin(), o.only.end(), name) != o.only.end();
    };

    // First, while this process is small: a child's ru_maxrss starts from the high-water mark
    // of the process that spawned it (posix_spawn shares our memory until the exec).
    std::string rss_line;
    int rss_rc = 0;
    if (selected(kRss)) {
        rss_rc = rss_report(o, rss_line);
        if (rss_rc == 2) return 2;
    }

    nlohmann::json torch;
    if (!o.torch_file.empty()) {
        std::ifstream in(o.torch_file);
        if (!in) return usage(("cannot read " + o.torch_file).c_str());
        try {
            in >> torch;
        } catch (const std::exception& e) {
            return usage((o.torch_file + ": " + e.what()).c_str());
        }
    }
    // results.NAME.THREADS = {"ms": median wall ms, "cpu_ms": median process CPU ms}
    auto torch_get = [&](const std::string& name, int threads,
                         const char* key) -> std::optional<double> {
        if (torch.is_null() || !torch.contains("results") || !torch["results"].contains(name))
            return std::nullopt;
        auto& r = torch["results"][name];
        std::string t = std::to_string(threads);
        if (!r.contains(t) || !r[t].contains(key)) return std::nullopt;
        return r[t][key].get<double>();
    };
    auto torch_ms = [&](const std::string& name, int threads) {
        return torch_get(name, threads, "ms");
    };

    std::printf("cnnshape kernel benchmark: SIMD architecture %s, %d hardware threads\n",
                K::simd_arch().c_str(), hardware_threads());
    if (!torch.is_null())
        std::printf("PyTorch %s (oneDNN %s), timed by bench/torch_bench.py\n",
                    torch.value("torch_version", "?").c_str(),
                    torch.value("mkldnn", false) ? "on" : "off");

    // The roofline of this core, at the kernels' vector width (see peak_gflops, read_gbs).
    double peak_now = 0;
    const double peak = peak_gflops(&peak_now);
    const double dram = o.dram_mib > 0 ? read_gbs(o.dram_mib * 1048576.0, 5, 0.0) : 0.0;
    std::printf("roofline, 1 thread, %d-bit vectors, process CPU time: peak %.1f GFLOP/s (%d "
                "independent FMA chains, fastest of 40 trials; their median %.1f)",
                kernel_width_bits(), peak, kChains, peak_now);
    if (dram > 0)
        std::printf("; read bandwidth %.1f GB/s from DRAM (a %.0f MiB buffer)", dram, o.dram_mib);
    std::printf("\n");
    std::map<double, double> warm; // working-set bytes -> warm read GB/s
    auto warm_gbs = [&](double bytes) {
        auto it = warm.find(bytes);
        if (it != warm.end()) return it->second;
        return warm[bytes] = read_gbs(bytes, 15, 0.02);
    };

    std::printf("medians of >= %d runs and >= %.1f s after 3 warm-ups; speed-up = PyTorch ms / "
                "cnnshape ms; bound = 1 thread's roofline: 2 x MACs / peak (FMA) or bytes read + "
                "written / the read bandwidth of a warm buffer of that size (mem); x bound = cpu / "
                "bound (1 = at the bound)\n\n",
                o.runs, o.min_time);
    std::printf("%-42s %3s %9s %9s %9s %9s %9s %9s %8s %7s %8s %7s %9s %4s %7s %8s %7s %6s %6s\n",
                "case", "thr", "cnnshape", "min", "cpu", "PyTorch", "PT cpu", "speed-up", "target",
                "result", "GFLOP/s", "GB/s", "bound", "by", "x bound", "PT x bnd", "x DRAM",
                "%peak", "PT %pk");

    bool missed = false, checked = false;
    std::vector<std::string> notes, floors;
    for (auto& c : cases) {
        if (!selected(c.name)) continue;
        // The bound that applies at 1 thread: the larger of the compute and memory times.
        const double compute_ms = c.flops > 0 ? c.flops / peak / 1e6 : 0.0;
        const double gbs = c.bytes > 0 ? warm_gbs(c.bytes) : 0.0;
        const double mem_ms = c.bytes > 0 ? c.bytes / gbs / 1e6 : 0.0;
        const bool by_mem = mem_ms >= compute_ms;
        const double bound_ms = std::max(compute_ms, mem_ms);
        std::map<int, double> ours;
        for (int t : o.threads) {
            K::Context ctx;
            ctx.backend = K::Backend::SimdWhereHandled;
            ctx.threads = t;
            Timing tm;
            std::optional<double> pt = torch_ms(c.name, t), pc = torch_get(c.name, t, "cpu_ms");
            try {
                auto f = c.prepare(ctx);
                if (o.probe) probe_report(c.label + " (" + std::to_string(t) + " thr)", f);
                if (o.interleave > 0) {
                    // Rounds of PyTorch then cnnshape, samples pooled: both medians come from
                    // the same minutes of a machine whose speed changes from minute to minute.
                    const int rounds = o.interleave;
                    const int runs = std::max(1, o.runs / rounds);
                    const double mt = o.min_time / rounds;
                    Samples mine, theirs;
                    bool live = true;
                    for (int r = 0; r < rounds; ++r) {
                        live = live && torch_live(o, c.name, t, runs, mt, theirs);
                        time_it(f, runs, mt, &mine);
                    }
                    tm = summarize(mine);
                    if (live) {
                        const Timing p = summarize(theirs);
                        pt = p.median_ms, pc = p.cpu_ms;
                    }
                } else {
                    tm = time_it(f, o.runs, o.min_time);
                }
            } catch (const std::exception& e) {
                std::fprintf(stderr, "%s failed: %s\n", c.name.c_str(), e.what());
                return 2;
            }
            ours[t] = tm.median_ms;
            std::string speed = "-", target = "-", result = "-";
            if (pt) {
                double s = *pt / tm.median_ms;
                speed = fmt_num(s, "%.2fx");
                if (c.target > 0) {
                    target = ">=" + fmt_num(c.target, "%g") + "x";
                    checked = true;
                    result = s >= c.target ? "met" : "MISSED";
                    missed = missed || s < c.target;
                }
            }
            std::string b = "-", by = "-", xb = "-", ptxb = "-", xd = "-", pk = "-", ptpk = "-";
            if (c.flops >
                0) { // flops / (process CPU time x 1 core's peak): share of the cores used
                pk = fmt_num(100.0 * c.flops / (tm.cpu_ms * 1e6 * peak), "%.0f%%");
                if (pc) ptpk = fmt_num(100.0 * c.flops / (*pc * 1e6 * peak), "%.0f%%");
            }
            if (t == 1 && bound_ms > 0) {
                b = fmt_num(bound_ms, "%.4f");
                by = by_mem ? "mem" : "FMA";
                xb = fmt_num(tm.cpu_ms / bound_ms, "%.2fx");
                if (pc) ptxb = fmt_num(*pc / bound_ms, "%.1fx");
                if (by_mem && dram > 0) xd = fmt_num(tm.cpu_ms / (c.bytes / dram / 1e6), "%.2fx");
                if (by_mem) {
                    // Memory-bound kernels: within 2.5x of the floor.
                    const bool ok = tm.cpu_ms <= 2.5 * bound_ms;
                    checked = true;
                    missed = missed || !ok;
                    floors.push_back(c.label + ": " + fmt_num(c.bytes / 1e6, "%.2f") +
                                     " MB read + written at " + fmt_num(gbs, "%.1f") +
                                     " GB/s = " + fmt_num(bound_ms, "%.4f") + " ms; cpu " +
                                     fmt_num(tm.cpu_ms, "%.4f") +
                                     " ms = " + fmt_num(tm.cpu_ms / bound_ms, "%.2fx") +
                                     " the floor (target <= 2.5x) " + (ok ? "met" : "MISSED"));
                    if (pc) floors.back() += "; PyTorch " + fmt_num(*pc / bound_ms, "%.1fx");
                }
            }
            std::printf("%-42s %3d %9.4f %9.4f %9.4f %9s %9s %9s %8s %7s %8s %7s %9s %4s %7s %8s "
                        "%7s %6s %6s\n",
                        c.label.c_str(), t, tm.median_ms, tm.min_ms, tm.cpu_ms,
                        pt ? fmt_num(*pt, "%.4f").c_str() : "-",
                        pc ? fmt_num(*pc, "%.4f").c_str() : "-", speed.c_str(), target.c_str(),
                        result.c_str(),
                        c.flops > 0 ? fmt_num(c.flops / tm.median_ms / 1e6, "%.1f").c_str() : "-",
                        c.bytes > 0 ? fmt_num(c.bytes / tm.median_ms / 1e6, "%.1f").c_str() : "-",
                        b.c_str(), by.c_str(), xb.c_str(), ptxb.c_str(), xd.c_str(), pk.c_str(),
                        ptpk.c_str());
            std::fflush(stdout);
        }
        if (o.ref) {
            K::Context ctx;
            ctx.backend = K::Backend::Ref;
            ctx.threads = 1;
            auto f = c.prepare(ctx);
            Timing tm = time_it(f, 3, 0.0);
            std::printf("%-42s %3s %9.4f %9.4f   (reference kernels, 1 thread: SIMD is %.1fx "
                        "faster)\n",
                        c.label.c_str(), "ref", tm.median_ms, tm.min_ms,
                        ours.count(1) ? tm.median_ms / ours[1] : 0.0);
        }
        if (c.scaling && ours.count(1) && ours.count(2)) {
            double s = ours[1] / ours[2];
            bool ok = s >= 1.7;
            checked = true;
            missed = missed || !ok;
            notes.push_back(c.label + ": 2 threads vs 1 = " + fmt_num(s, "%.2fx") +
                            " (target >= 1.7x) " + (ok ? "met" : "MISSED"));
            if (auto p1 = torch_ms(c.name, 1), p2 = torch_ms(c.name, 2); p1 && p2)
                notes.back() += "; PyTorch " + fmt_num(*p1 / *p2, "%.2fx");
        }
    }
    if (!floors.empty()) {
        std::printf("\nmemory floor at 1 thread (bytes read + written over the read bandwidth of a "
                    "warm buffer of that size: no kernel moving those bytes is faster):\n");
        for (auto& n : floors)
            std::printf("  %s\n", n.c_str());
    }
    if (selected(kRss)) {
        checked = true;
        missed = missed || rss_rc != 0;
        std::printf("\nmemory of `run`:\n  %s\n", rss_line.c_str());
    }
    if (!notes.empty()) {
        std::printf("\nthread scaling (machine ceiling now: 2 threads of pure arithmetic run %.2fx "
                    "faster than 1; ~2x when the cores are idle):\n",
                    thread_ceiling());
        for (auto& n : notes)
            std::printf("  %s\n", n.c_str());
    }
    if (checked) std::printf("\n%s\n", missed ? "some targets MISSED" : "all targets met");
    return missed ? 1 : 0;
}
