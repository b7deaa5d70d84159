// cnnshape_bench_scale: the big-input cases the tests run for correctness, timed.
//
// The tests (test_solve, test_budget, test_pyexpr, test_readers) check that these inputs give the
// right answers; how long they take is a performance target, so it is measured here and not in
// ctest, where a loaded machine would make a timed check fail for no reason. Each case runs once
// as a warm-up, then --runs times; the median is compared with the case's target. Exits 1 when a
// target is missed, 2 on a failure or bad usage.
//
// usage: cnnshape_bench_scale [--cnnshape PATH] [--runs N]
#include "cnnshape/error.hpp"
#include "cnnshape/pyexpr.hpp"
#include "cnnshape/solve.hpp"
#include "cnnshape/value.hpp"
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#ifndef CNNSHAPE_BENCH_DEFAULT_BINARY
#define CNNSHAPE_BENCH_DEFAULT_BINARY "build/cnnshape"
#endif

namespace {

using Clock = std::chrono::steady_clock;

struct Case {
    std::string label;
    double target_ms;
    std::function<void()> body; // throws std::runtime_error when the answer is wrong
};

void expect(bool ok, const std::string& what) {
    if (!ok) throw std::runtime_error(what);
}

template <class F>
bool throws_spec_error(F&& f) {
    try {
        f();
    } catch (const cnnshape::SpecError&) {
        return true;
    }
    return false;
}

std::string batch_input(int n) {
    std::string input;
    for (int i = 0; i < n; ++i)
        input += "1x3x" + std::to_string(16 + i % 48) +
                 "x32 nn.Conv2d(3, 16, 3, padding=1) nn.ReLU() nn.MaxPool2d(2, 2) "
                 "nn.Conv2d(16, 32, 3, stride=2) nn.BatchNorm2d(32) nn.AdaptiveAvgPool2d(1) "
                 "nn.Flatten() nn.Linear(32, 10)\n";
    return input;
}

} // namespace

int main(int argc, char** argv) {
    std::string binary = CNNSHAPE_BENCH_DEFAULT_BINARY;
    int runs = 5;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--cnnshape" && i + 1 < argc) {
            binary = argv[++i];
        } else if (a == "--runs" && i + 1 < argc) {
            runs = std::max(1, std::atoi(argv[++i]));
        } else {
            std::cerr << "usage: " << argv[0] << " [--cnnshape PATH] [--runs N]\n";
            return 2;
        }
    }

    const char* tmpdir = std::getenv("TMPDIR");
    std::string batch_path =
        std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/cnnshape_bench_scale_XXXXXX";
    int fd = mkstemp(batch_path.data());
    if (fd < 0) {
        std::cerr << "cnnshape_bench_scale: cannot create " << batch_path << "\n";
        return 2;
    }
    const int batch_lines = 5000;
    const std::string input = batch_input(batch_lines);
    bool wrote = write(fd, input.data(), input.size()) == static_cast<ssize_t>(input.size());
    close(fd);
    if (!wrote) {
        std::remove(batch_path.c_str());
        std::cerr << "cnnshape_bench_scale: cannot write " << batch_path << "\n";
        return 2;
    }

    std::vector<Case> cases;
    cases.push_back({"solve MaxPool2d 64 -> 8 (540,672 candidates)", 250, [] {
                         cnnshape::SolveQuery q;
                         q.layer = "MaxPool2d";
                         q.input = {64};
                         q.output = {8};
                         auto r = cnnshape::solve_layer(q);
                         expect(r.candidates > 10000 && r.planned > 1000,
                                "solve: too few candidates");
                     }});
    // 5,000 lines in 1,000 ms is 5,000 lines per second.
    cases.push_back({"plan --batch, 5,000 lines (process)", 1000, [&] {
                         std::string cmd =
                             "'" + binary + "' plan --batch < '" + batch_path + "' > /dev/null";
                         expect(std::system(cmd.c_str()) == 0, "plan --batch failed: " + cmd);
                     }});
    cases.push_back({"parse_py_expr: 1 MB list, 1 MB sum, 100,000 lines", 500, [] {
                         std::string list = "[";
                         while (list.size() < (1u << 20))
                             list += "12345, ";
                         list += "6]";
                         expect(cnnshape::parse_py_expr(list).as_tuple().size() > 100000, "list");
                         std::string sum = "1";
                         while (sum.size() < (1u << 20))
                             sum += " + 1";
                         expect(cnnshape::parse_py_expr(sum).as_int() ==
                                    std::int64_t((sum.size() - 1) / 4 + 1),
                                "sum");
                         std::string many_lines = "f(";
                         for (int i = 0; i < 100000; ++i)
                             many_lines += "1,\n";
                         expect(throws_spec_error([&] { cnnshape::parse_py_expr(many_lines); }),
                                "unclosed call");
                     }});
    cases.push_back({"parse_sequential_text: 1 MB print(model)", 500, [] {
                         std::string big = "Sequential(\n";
                         for (int i = 0; big.size() < (1u << 20); ++i)
                             big += "  (" + std::to_string(i) +
                                    "): Conv2d(3, 3, kernel_size=(3, 3), stride=(1, 1))\n";
                         big += ")\n";
                         auto st = cnnshape::parse_sequential_text(big);
                         expect(st.sequential.is_call(), "Sequential");
                     }});
    cases.push_back({"Python text: 100,000 names and a network using them", 1000, [] {
                         std::string text = "import torch.nn as nn\n";
                         for (int i = 0; i < 100000; ++i)
                             text += "C" + std::to_string(i) + " = " + std::to_string(i + 1) + "\n";
                         text += "def build():\n    return nn.Sequential(\n";
                         for (int i = 0; i < 100000; i += 50)
                             text += "        nn.Linear(C" + std::to_string(i) + ", C" +
                                     std::to_string(i + 1) + "),\n";
                         text += "    )\n";
                         auto st = cnnshape::parse_sequential_text(text);
                         expect(st.sequential.as_call().args.size() == 2000, "2000 layers");
                     }});

    std::cout << "cnnshape scale benchmark (1 warm-up, then " << runs << " runs; medians)\n\n";
    bool failed = false, missed = false;
    for (const Case& c : cases) {
        std::vector<double> ms;
        try {
            c.body();
            for (int i = 0; i < runs; ++i) {
                auto t0 = Clock::now();
                c.body();
                ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            }
        } catch (const std::exception& e) {
            std::cout << c.label << ": FAILED: " << e.what() << "\n";
            failed = true;
            continue;
        }
        std::sort(ms.begin(), ms.end());
        double median =
            ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
        bool pass = median < c.target_ms;
        if (!pass) missed = true;
        char line[256];
        std::snprintf(line, sizeof line, "%-54s %9.1f ms  (min %7.1f)  target < %6.0f ms  %s",
                      c.label.c_str(), median, ms.front(), c.target_ms, pass ? "PASS" : "FAIL");
        std::cout << line << "\n";
    }
    std::remove(batch_path.c_str());
    if (failed) {
        std::cout << "\nRESULT: FAIL (a case failed)\n";
        return 2;
    }
    std::cout << (missed ? "\nRESULT: FAIL (target missed)\n" : "\nRESULT: PASS\n");
    return missed ? 1 : 0;
}
