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
#include "cnnshape/execute.hpp"
#include "cnnshape/kernels.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/parallel.hpp"
#include "cnnshape/plan.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#if defined(__SSE2__)
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

#include <time.h>

#ifndef CNNSHAPE_BENCH_DEFAULT_REPO
#define CNNSHAPE_BENCH_DEFAULT_REPO "."
#endif

namespace {

using namespace cnnshape;
namespace K = cnnshape::kernels;
using i64 = std::int64_t;
using Clock = std::chrono::steady_clock;

struct Options {
    std::string torch_file, repo = CNNSHAPE_BENCH_DEFAULT_REPO;
    std::vector<int> threads{1, 2};
    int runs = 30;
    double min_time = 0.5;
    std::vector<std::string> only;
    bool ref = false, list = false;
};

// One benchmark case: `prepare` builds inputs for a context and returns the function to time.
struct Case {
    std::string name, label;
    double flops = 0, bytes = 0; // per run, for GFLOP/s and GB/s
    double target = 0;           // minimum speed-up over PyTorch (0: none)
    bool scaling = false;        // also check 2 threads >= 1.7x 1 thread
    double input_bytes = 0;      // memory-bound cases: the input every run must read once
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
    c.input_bytes = double(numel(xs)) * 4;
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
    c.input_bytes = double(numel(xs)) * 4;
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

Case conv_case() {
    const Shape xs{1, 64, 56, 56}, ys{1, 64, 56, 56};
    Case c;
    c.name = "conv3x3_64";
    c.label = "Conv2d(64, 64, 3, padding=1) 1x64x56x56";
    c.flops = 2.0 * 64 * 64 * 9 * 56 * 56;
    c.bytes = double(numel(xs) + numel(ys) + 64 * 64 * 9) * 4;
    c.target = 0.9;
    c.scaling = true;
    c.prepare = [=](const K::Context& ctx) -> std::function<void()> {
        auto x = std::make_shared<std::vector<float>>(random_floats(numel(xs), 3));
        auto w = std::make_shared<std::vector<float>>(random_floats(64 * 64 * 9, 4));
        auto y = std::make_shared<std::vector<float>>(numel(ys));
        ConvDesc d;
        d.in_channels = 64, d.out_channels = 64;
        d.kernel = {3, 3}, d.stride = {1, 1}, d.dilation = {1, 1}, d.pad_l = {1, 1},
        d.pad_r = {1, 1}, d.output_padding = {0, 0};
        d.bias = false;
        return [=] {
            K::run(ctx, d, K::Io{{xs}, {x->data()}, {w->data(), nullptr}, ys, y->data()});
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

Timing time_it(const std::function<void()>& f, int min_runs, double min_time) {
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
    std::sort(ms.begin(), ms.end());
    std::sort(cpu.begin(), cpu.end());
    return {ms[ms.size() / 2], ms.front(), cpu[cpu.size() / 2], int(ms.size())};
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

// The time one thread takes just to read `bytes` of floats once (a sum the compiler cannot drop),
// the same buffer each run as the kernels' cases: no kernel that reads its input once can beat it.
double read_floor_ms(double bytes, double min_time) {
    std::vector<float> buf(std::size_t(bytes / 4), 1.0f);
    volatile float sink = 0;
    auto f = [&] {
        const std::size_t n = buf.size() / 32 * 32;
#if defined(__SSE2__)
        // Eight independent vector sums: two 16-byte loads per cycle are far more than one
        // core's memory bandwidth, so the loop waits on memory, not on the additions.
        __m128 a[8];
        for (auto& v : a)
            v = _mm_setzero_ps();
        for (std::size_t i = 0; i < n; i += 32)
            for (int k = 0; k < 8; ++k)
                a[k] = _mm_add_ps(a[k], _mm_loadu_ps(buf.data() + i + 4 * k));
        float out[4];
        _mm_storeu_ps(out, _mm_add_ps(a[0], a[7]));
        sink = sink + out[0];
#else
        float acc[32] = {};
        for (std::size_t i = 0; i < n; i += 32)
            for (int k = 0; k < 32; ++k)
                acc[k] += buf[i + k];
        sink = sink + acc[0] + acc[31];
#endif
    };
    return time_it(f, 30, min_time).median_ms;
}

std::vector<int> parse_ints(const std::string& s) {
    std::vector<int> v;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        v.push_back(std::stoi(item));
    return v;
}

int usage(const char* msg) {
    std::fprintf(stderr,
                 "%s\nusage: cnnshape_bench_kernels [--torch FILE] [--threads 1,2] [--runs N] "
                 "[--min-time S] [--repo DIR] [--case NAME]... [--ref] [--list]\n",
                 msg);
    return 2;
}

std::string fmt_num(double v, const char* f = "%.3f") {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
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
        cases.push_back(binary_case("semul", "x * gate, 1x256x28x28 by 1x256x1x1", BinaryOp::Mul,
                                    {1, 256, 28, 28}, {1, 256, 1, 1}));
        cases.push_back(conv_case());
        cases.push_back(resnet_case(o.repo));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cannot set up the cases: %s\n", e.what());
        return 2;
    }
    if (o.list) {
        for (auto& c : cases)
            std::printf("%-14s %s\n", c.name.c_str(), c.label.c_str());
        return 0;
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
    std::printf("medians of >= %d runs and >= %.1f s after 3 warm-ups; speed-up = PyTorch ms / "
                "cnnshape ms\n\n",
                o.runs, o.min_time);
    std::printf("%-42s %3s %9s %9s %9s %9s %9s %9s %8s %7s %8s %7s\n", "case", "thr", "cnnshape",
                "min", "cpu", "PyTorch", "PT cpu", "speed-up", "target", "result", "GFLOP/s",
                "GB/s");

    bool missed = false, checked = false;
    std::vector<std::string> notes, floors;
    for (auto& c : cases) {
        if (!o.only.empty() && std::find(o.only.begin(), o.only.end(), c.name) == o.only.end())
            continue;
        std::map<int, double> ours;
        for (int t : o.threads) {
            K::Context ctx;
            ctx.backend = K::Backend::SimdWhereHandled;
            ctx.threads = t;
            Timing tm;
            try {
                auto f = c.prepare(ctx);
                tm = time_it(f, o.runs, o.min_time);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "%s failed: %s\n", c.name.c_str(), e.what());
                return 2;
            }
            ours[t] = tm.median_ms;
            auto pt = torch_ms(c.name, t);
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
            auto pc = torch_get(c.name, t, "cpu_ms");
            std::printf("%-42s %3d %9.4f %9.4f %9.4f %9s %9s %9s %8s %7s %8s %7s\n",
                        c.label.c_str(), t, tm.median_ms, tm.min_ms, tm.cpu_ms,
                        pt ? fmt_num(*pt, "%.4f").c_str() : "-",
                        pc ? fmt_num(*pc, "%.4f").c_str() : "-", speed.c_str(), target.c_str(),
                        result.c_str(),
                        c.flops > 0 ? fmt_num(c.flops / tm.median_ms / 1e6, "%.1f").c_str() : "-",
                        c.bytes > 0 ? fmt_num(c.bytes / tm.median_ms / 1e6, "%.1f").c_str() : "-");
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
        if (c.input_bytes > 0 && ours.count(1)) {
            const double floor_ms = read_floor_ms(c.input_bytes, o.min_time);
            std::string n = c.label + ": reading its " + fmt_num(c.input_bytes / 1e6, "%.1f") +
                            " MB input once takes " + fmt_num(floor_ms, "%.4f") +
                            " ms at 1 thread; the kernel takes " +
                            fmt_num(ours[1] / floor_ms, "%.2f") + "x that";
            if (auto p1 = torch_ms(c.name, 1))
                n += "; no single-thread kernel can be more than " +
                     fmt_num(*p1 / floor_ms, "%.1fx") + " faster than PyTorch";
            floors.push_back(n);
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
        std::printf("\nmemory floor (these kernels read their input once; one core's memory "
                    "bandwidth bounds them):\n");
        for (auto& n : floors)
            std::printf("  %s\n", n.c_str());
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
