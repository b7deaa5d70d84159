// cnnshape_bench_plan: how fast is `cnnshape plan`?
//
// Times whole `cnnshape plan SPEC --format json` processes (posix_spawn, stdout to /dev/null, exit
// status checked) and, separately, the engine in-process (load_spec_file + make_plan, and the JSON
// report on top), so process start-up can be told apart from planning. Exits 1 when a target is
// missed, 2 when a run fails or on bad usage.
//
// usage: cnnshape_bench_plan [--cnnshape PATH] [--repo DIR] [--runs N] [--layers N] [--keep-spec]
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/report.hpp"
#include "cnnshape/shape.hpp"
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

#ifndef CNNSHAPE_BENCH_DEFAULT_BINARY
#define CNNSHAPE_BENCH_DEFAULT_BINARY "build/cnnshape"
#endif
#ifndef CNNSHAPE_BENCH_HELLO
#define CNNSHAPE_BENCH_HELLO ""
#endif
#ifndef CNNSHAPE_BENCH_DEFAULT_REPO
#define CNNSHAPE_BENCH_DEFAULT_REPO "."
#endif

constexpr int kWarmups = 3;

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Stats {
    double median = 0, min = 0, p90 = 0;
    std::size_t n = 0;
};

Stats stats_of(std::vector<double> v) {
    Stats s;
    s.n = v.size();
    if (v.empty()) return s;
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    s.min = v.front();
    // Nearest-rank 90th percentile.
    std::size_t rank = static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(n)));
    s.p90 = v[std::max<std::size_t>(rank, 1) - 1];
    return s;
}

// ---------------------------------------------------------------------------------------------
// The generated network: `layers` leaf layers at 16 channels on a [1, 16, 32, 32] input. Residual
// blocks as nested Sequentials, ResNet-style (conv, bn, relu, conv, bn, Add with the block input,
// relu: 7 leaves each); whatever is left over is a tail of conv/bn/relu. Shapes stay valid
// throughout (3x3 convolutions with padding 1 keep 32x32).

std::string generate_spec(long layers) {
    std::ostringstream o;
    o << "{\n  \"name\": \"generated_" << layers << "\",\n  \"input\": [1, 16, 32, 32],\n"
      << "  \"layers\": [\n";
    const char* conv = "\"type\": \"Conv2d\", \"in_channels\": 16, \"out_channels\": 16, "
                       "\"kernel_size\": 3, \"padding\": 1, \"bias\": false";
    const char* bn = "\"type\": \"BatchNorm2d\", \"num_features\": 16";
    const char* relu = "\"type\": \"ReLU\", \"inplace\": true";
    const long blocks = layers / 7;
    const long tail = layers % 7;
    bool first = true;
    auto sep = [&] {
        if (!first) o << ",\n";
        first = false;
    };
    for (long b = 0; b < blocks; ++b) {
        sep();
        o << "    {\"name\": \"block" << b << "\", \"type\": \"Sequential\", \"layers\": [\n"
          << "      {\"name\": \"conv1\", " << conv << "},\n"
          << "      {\"name\": \"bn1\", " << bn << "},\n"
          << "      {\"name\": \"relu\", " << relu << "},\n"
          << "      {\"name\": \"conv2\", " << conv << "},\n"
          << "      {\"name\": \"bn2\", " << bn << "},\n"
          << "      {\"name\": \"add\", \"type\": \"Add\", \"inputs\": [\"bn2\", \"input\"]},\n"
          << "      {\"name\": \"relu2\", " << relu << "}\n"
          << "    ]}";
    }
    for (long t = 0; t < tail; ++t) {
        sep();
        const char* body = t % 3 == 0 ? conv : t % 3 == 1 ? bn : relu;
        o << "    {\"name\": \"tail" << t << "\", " << body << "}";
    }
    o << "\n  ]\n}\n";
    return o.str();
}

// ---------------------------------------------------------------------------------------------
// Whole processes.

struct RunResult {
    bool ok = false;
    double ms = 0;
    long max_rss_kb = 0; // the child's peak resident set
    std::string failure; // exit status and stderr when !ok
};

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

// Runs argv with stdout to /dev/null and stderr to err_path; times spawn to reap.
RunResult run_once(const std::vector<std::string>& args, const std::string& err_path) {
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);

    RunResult r;
    pid_t pid = 0;
    auto t0 = Clock::now();
    int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        r.failure = std::string("cannot start ") + args[0] + ": " + std::strerror(rc);
        return r;
    }
    int status = 0;
    struct rusage ru {};
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            r.failure = std::string("waitpid: ") + std::strerror(errno);
            return r;
        }
    }
    r.ms = ms_since(t0);
    r.max_rss_kb = ru.ru_maxrss;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        r.ok = true;
        return r;
    }
    std::ostringstream why;
    if (WIFEXITED(status))
        why << "exit status " << WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        why << "killed by signal " << WTERMSIG(status);
    else
        why << "status " << status;
    std::string err = slurp(err_path);
    if (!err.empty()) why << "; stderr:\n" << err;
    r.failure = why.str();
    return r;
}

// ---------------------------------------------------------------------------------------------
// In-process: the same work as the CLI, minus start-up and writing.

// Repeats fn until about `budget_ms` have passed (at least min_iters, at most max_iters).
Stats time_in_process(const std::function<void()>& fn, double budget_ms, int min_iters,
                      int max_iters) {
    fn(); // warm-up
    std::vector<double> v;
    auto start = Clock::now();
    while (static_cast<int>(v.size()) < max_iters &&
           (static_cast<int>(v.size()) < min_iters || ms_since(start) < budget_ms)) {
        auto t0 = Clock::now();
        fn();
        v.push_back(ms_since(t0));
    }
    return stats_of(std::move(v));
}

// ---------------------------------------------------------------------------------------------

struct Case {
    std::string label;
    std::vector<std::string> cli_args; // after the binary
    std::function<cnnshape::Network()> load;
    int runs = 50;
    std::optional<double> target_ms; // median per process must be below this
    std::string program;             // run this instead of cnnshape when set
    bool zoo = false;                // examples/networks/zoo: summarised in a table of its own
};

// Every spec of examples/networks/zoo/, sorted by name.
std::vector<std::string> zoo_specs(const std::string& dir) {
    std::vector<std::string> r;
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            // status.json is the zoo tool's record of which models convert, not a spec.
            if (n.size() > 5 && n.compare(n.size() - 5, 5, ".json") == 0 && n != "status.json")
                r.push_back(n);
        }
        closedir(d);
    }
    std::sort(r.begin(), r.end());
    return r;
}

void usage(const char* argv0) {
    std::cerr << "usage: " << argv0
              << " [--cnnshape PATH] [--repo DIR] [--runs N] [--layers N] [--keep-spec] [--no-zoo]"
                 " [--curve N,N,...] [--no-curve]\n"
                 "  --cnnshape PATH  the cnnshape binary (default " CNNSHAPE_BENCH_DEFAULT_BINARY
                 ")\n"
                 "  --repo DIR       repository root, for examples/networks "
                 "(default " CNNSHAPE_BENCH_DEFAULT_REPO ")\n"
                 "  --runs N         process runs per case after 3 warm-ups (default 50; 20 "
                 "for the generated network)\n"
                 "  --layers N       layers in the generated network (default 10000)\n"
                 "  --keep-spec      keep the generated spec file and print its path\n"
                 "  --no-zoo         leave out examples/networks/zoo (20 runs of each spec)\n"
                 "  --curve N,...    generated networks for the plan-time curve (default "
                 "1000,10000,100000,1000000)\n"
                 "  --no-curve       leave out the curve\n";
}

std::string fmt_ms(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, v < 10 ? "%.3f" : v < 100 ? "%.2f" : "%.1f", v);
    return buf;
}

std::string pad(const std::string& s, std::size_t w, bool right = false) {
    if (s.size() >= w) return s;
    return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

} // namespace

int main(int argc, char** argv) {
    std::string binary = CNNSHAPE_BENCH_DEFAULT_BINARY;
    std::string repo = CNNSHAPE_BENCH_DEFAULT_REPO;
    std::optional<int> runs;
    long layers = 10000;
    bool keep_spec = false;
    bool zoo = true;
    std::vector<long> curve = {1000, 10000, 100000, 1000000};
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "cnnshape_bench_plan: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        auto positive = [&](const std::string& v) -> long {
            char* end = nullptr;
            long n = std::strtol(v.c_str(), &end, 10);
            if (v.empty() || *end || n <= 0) {
                std::cerr << "cnnshape_bench_plan: " << a << " wants a positive integer, got '" << v
                          << "'\n";
                std::exit(2);
            }
            return n;
        };
        if (a == "--cnnshape")
            binary = value();
        else if (a == "--repo")
            repo = value();
        else if (a == "--runs")
            runs = static_cast<int>(positive(value()));
        else if (a == "--layers")
            layers = positive(value());
        else if (a == "--keep-spec")
            keep_spec = true;
        else if (a == "--no-zoo")
            zoo = false;
        else if (a == "--no-curve")
            curve.clear();
        else if (a == "--curve") {
            curve.clear();
            std::stringstream list(value());
            for (std::string item; std::getline(list, item, ',');)
                curve.push_back(positive(item));
        } else if (a == "-h" || a == "--help") {
            usage(argv[0]);
            return 0;
        } else {
            usage(argv[0]);
            return 2;
        }
    }
    if (access(binary.c_str(), X_OK) != 0) {
        std::cerr << "cnnshape_bench_plan: " << binary << " is not an executable file\n";
        return 2;
    }
    const std::string nets = repo + "/examples/networks/";

    // Scratch files: the generated spec and the children's stderr.
    const char* tmpdir = std::getenv("TMPDIR");
    std::string tmp = tmpdir && *tmpdir ? tmpdir : "/tmp";
    std::string spec_path = tmp + "/cnnshape_bench_XXXXXX.json";
    std::string err_path = tmp + "/cnnshape_bench_err_XXXXXX";
    {
        int fd = mkstemps(spec_path.data(), 5);
        if (fd < 0) {
            std::cerr << "cnnshape_bench_plan: cannot create " << spec_path << ": "
                      << std::strerror(errno) << "\n";
            return 2;
        }
        std::string text = generate_spec(layers);
        if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
            std::cerr << "cnnshape_bench_plan: cannot write " << spec_path << "\n";
            return 2;
        }
        close(fd);
        int efd = mkstemp(err_path.data());
        if (efd < 0) {
            std::cerr << "cnnshape_bench_plan: cannot create " << err_path << "\n";
            return 2;
        }
        close(efd);
    }
    auto cleanup = [&] {
        if (!keep_spec) std::remove(spec_path.c_str());
        std::remove(err_path.c_str());
    };
    if (keep_spec) std::cout << "generated spec: " << spec_path << "\n";

    const std::string big_label = "generated " + std::to_string(layers) + "-layer";
    auto spec_case = [&](const std::string& label, const std::string& path, int default_runs,
                         std::optional<double> target) {
        return Case{label,
                    {"plan", path, "--format", "json"},
                    [path] { return cnnshape::load_spec_file(path); },
                    runs.value_or(default_runs),
                    target,
                    {}};
    };
    std::vector<Case> cases;
    if (access("/bin/true", X_OK) == 0)
        cases.push_back(Case{
            "spawn floor (/bin/true)", {}, nullptr, runs.value_or(50), std::nullopt, "/bin/true"});
    cases.push_back(Case{
        "start-up floor (--version)", {"--version"}, nullptr, runs.value_or(50), std::nullopt, {}});
    const std::string hello = CNNSHAPE_BENCH_HELLO;
    const bool have_hello = !hello.empty() && access(hello.c_str(), X_OK) == 0;
    if (have_hello)
        cases.push_back(
            Case{"C++ floor (hello)", {}, nullptr, runs.value_or(50), std::nullopt, hello});
    cases.push_back(spec_case("resnet18.json", nets + "resnet18.json", 50, 2.0));
    cases.push_back(spec_case("vgg16.json", nets + "vgg16.json", 50, std::nullopt));
    cases.push_back(spec_case("mobilenet_v2.json", nets + "mobilenet_v2.json", 50, std::nullopt));
    cases.push_back(
        Case{"--layer MaxPool2d(2, 2)",
             {"plan", "--input", "1x1x6x6", "--layer", "nn.MaxPool2d(2, 2)", "--format", "json"},
             [] {
                 auto net = cnnshape::network_from_exprs({"nn.MaxPool2d(2, 2)"});
                 net.input = cnnshape::parse_shape("1x1x6x6");
                 return net;
             },
             runs.value_or(50),
             std::nullopt,
             {}});
    cases.push_back(spec_case(big_label, spec_path, 20, 50.0));
    // The default output format, for comparison (no target; same engine work, lighter report).
    cases.push_back(Case{"resnet18.json (table)",
                         {"plan", nets + "resnet18.json"},
                         nullptr,
                         runs.value_or(50),
                         std::nullopt,
                         {}});
    cases.push_back(Case{
        big_label + " (table)", {"plan", spec_path}, nullptr, runs.value_or(20), std::nullopt, {}});
    if (zoo)
        for (const std::string& f : zoo_specs(nets + "zoo")) {
            Case k = spec_case(f.substr(0, f.size() - 5), nets + "zoo/" + f, 20, 10.0);
            k.load = nullptr; // process times only
            k.zoo = true;
            cases.push_back(std::move(k));
        }

    struct Row {
        Stats proc;
        Stats engine, full; // in-process: load+plan, and load+plan+JSON report
        std::size_t plan_layers = 0;
        bool has_engine = false;
    };
    std::vector<Row> rows(cases.size());
    bool failed = false, missed = false;

    std::cout << "cnnshape plan benchmark: " << binary << "\n"
              << "process times are spawn-to-reap wall clock of `cnnshape plan SPEC --format json` "
                 "(\"(table)\": default format), stdout to /dev/null, after "
              << kWarmups << " warm-ups\n\n";

    // Process runs: 3 warm-ups per case, then round-robin over the cases (one run of each case
    // that still needs runs per round), so a burst of load from elsewhere on the machine is shared
    // by every case rather than landing on one.
    std::vector<std::vector<std::string>> argvs;
    std::vector<std::vector<double>> times(cases.size());
    std::vector<std::string> failures(cases.size());
    for (const Case& k : cases) {
        argvs.push_back({k.program.empty() ? binary : k.program});
        argvs.back().insert(argvs.back().end(), k.cli_args.begin(), k.cli_args.end());
    }
    auto run_case = [&](std::size_t c, bool keep) {
        if (!failures[c].empty()) return;
        RunResult r = run_once(argvs[c], err_path);
        if (!r.ok)
            failures[c] = r.failure;
        else if (keep)
            times[c].push_back(r.ms);
    };
    for (std::size_t c = 0; c < cases.size(); ++c)
        for (int i = 0; i < kWarmups; ++i)
            run_case(c, false);
    for (bool more = true; more;) {
        more = false;
        for (std::size_t c = 0; c < cases.size(); ++c) {
            if (static_cast<int>(times[c].size()) >= cases[c].runs || !failures[c].empty())
                continue;
            run_case(c, true);
            more = true;
        }
    }

    for (std::size_t c = 0; c < cases.size(); ++c) {
        const Case& k = cases[c];
        if (!failures[c].empty()) {
            std::cerr << "cnnshape_bench_plan: " << k.label << " FAILED: " << failures[c] << "\n";
            failed = true;
            continue;
        }
        rows[c].proc = stats_of(times[c]);

        if (k.load) {
            try {
                auto net = k.load();
                if (!net.input) throw std::runtime_error("the spec has no input shape");
                rows[c].plan_layers = cnnshape::make_plan(net, *net.input).layers.size();
                // Big specs get fewer iterations; small ones many.
                rows[c].engine = time_in_process(
                    [&] {
                        auto n = k.load();
                        auto p = cnnshape::make_plan(n, *n.input);
                        if (p.layers.empty()) std::abort();
                    },
                    1000, 5, 2000);
                rows[c].full = time_in_process(
                    [&] {
                        auto n = k.load();
                        auto p = cnnshape::make_plan(n, *n.input);
                        auto s = cnnshape::report_json_text(p);
                        if (s.empty()) std::abort();
                    },
                    1000, 5, 2000);
                rows[c].has_engine = true;
            } catch (const std::exception& e) {
                std::cerr << "cnnshape_bench_plan: " << k.label
                          << " FAILED in-process: " << e.what() << "\n";
                failed = true;
            }
        }
    }
    for (std::size_t c = 0; c < cases.size(); ++c) {
        if (cases[c].label != big_label || !rows[c].has_engine) continue;
        if (rows[c].plan_layers != static_cast<std::size_t>(layers)) {
            std::cerr << "cnnshape_bench_plan: the generated network planned to "
                      << rows[c].plan_layers << " layers, expected " << layers << "\n";
            failed = true;
        }
    }

    // Per-process table.
    std::cout << pad("case", 32) << pad("runs", 6, true) << pad("median ms", 11, true)
              << pad("min ms", 10, true) << pad("p90 ms", 10, true) << pad("target", 10, true)
              << "  result\n";
    double version_ms = -1, hello_ms = -1;
    for (std::size_t c = 0; c < cases.size(); ++c) {
        const Case& k = cases[c];
        const Row& r = rows[c];
        if (k.label == "start-up floor (--version)" && r.proc.n) version_ms = r.proc.median;
        if (k.label == "C++ floor (hello)" && r.proc.n) hello_ms = r.proc.median;
        if (k.zoo) continue;
        std::cout << pad(k.label, 32);
        if (r.proc.n == 0) {
            std::cout << pad("-", 6, true) << pad("-", 11, true) << pad("-", 10, true)
                      << pad("-", 10, true)
                      << pad(k.target_ms ? "< " + fmt_ms(*k.target_ms) : "-", 10, true)
                      << "  FAIL (run failed)\n";
            continue;
        }
        std::string result = "-";
        if (k.target_ms) {
            bool pass = r.proc.median < *k.target_ms;
            if (!pass) missed = true;
            result = pass ? "PASS" : "FAIL";
        }
        std::cout << pad(std::to_string(r.proc.n), 6, true) << pad(fmt_ms(r.proc.median), 11, true)
                  << pad(fmt_ms(r.proc.min), 10, true) << pad(fmt_ms(r.proc.p90), 10, true)
                  << pad(k.target_ms ? "< " + fmt_ms(*k.target_ms) : "-", 10, true) << "  "
                  << result << "\n";
    }

    if (version_ms >= 0 && hello_ms >= 0) {
        double over = version_ms - hello_ms;
        bool pass = over < 0.5;
        if (!pass) missed = true;
        std::cout << "\nstart-up: --version takes " << fmt_ms(over)
                  << " ms more than the C++ floor (target < 0.500)  " << (pass ? "PASS" : "FAIL")
                  << "\n";
    }

    // The zoo: its slowest specs, and how many meet the target.
    std::vector<std::size_t> zoo_rows;
    for (std::size_t c = 0; c < cases.size(); ++c)
        if (cases[c].zoo) zoo_rows.push_back(c);
    if (!zoo_rows.empty()) {
        std::sort(zoo_rows.begin(), zoo_rows.end(), [&](std::size_t a, std::size_t b) {
            return rows[a].proc.median > rows[b].proc.median;
        });
        std::size_t under = 0;
        for (std::size_t c : zoo_rows)
            if (rows[c].proc.n && rows[c].proc.median < *cases[c].target_ms) ++under;
        if (under < zoo_rows.size()) missed = true;
        std::cout << "\nexamples/networks/zoo: " << under << " of " << zoo_rows.size()
                  << " specs under " << fmt_ms(*cases[zoo_rows[0]].target_ms)
                  << " ms per process (median); the slowest:\n";
        for (std::size_t i = 0; i < zoo_rows.size() && i < 8; ++i) {
            const Row& r = rows[zoo_rows[i]];
            std::cout << pad("  " + cases[zoo_rows[i]].label, 32)
                      << pad(std::to_string(r.proc.n), 6, true)
                      << pad(fmt_ms(r.proc.median), 11, true) << pad(fmt_ms(r.proc.min), 10, true)
                      << pad(fmt_ms(r.proc.p90), 10, true)
                      << pad("< " + fmt_ms(*cases[zoo_rows[i]].target_ms), 10, true) << "  "
                      << (r.proc.median < *cases[zoo_rows[i]].target_ms ? "PASS" : "FAIL") << "\n";
        }
    }

    // In-process table: where a process's time goes.
    std::cout << "\nin-process medians (same specs; no exec, no output written):\n"
              << pad("case", 32) << pad("layers", 8, true) << pad("load+plan", 11, true)
              << pad("+json rpt", 11, true) << pad("iters", 7, true) << pad("process", 10, true)
              << pad("rest", 9, true) << "\n";
    for (std::size_t c = 0; c < cases.size(); ++c) {
        const Row& r = rows[c];
        if (!r.has_engine) continue;
        std::cout << pad(cases[c].label, 32) << pad(std::to_string(r.plan_layers), 8, true)
                  << pad(fmt_ms(r.engine.median), 11, true) << pad(fmt_ms(r.full.median), 11, true)
                  << pad(std::to_string(r.engine.n), 7, true)
                  << pad(r.proc.n ? fmt_ms(r.proc.median) : "-", 10, true)
                  << pad(r.proc.n && r.proc.median >= r.full.median
                             ? fmt_ms(r.proc.median - r.full.median)
                             : "noise",
                         9, true)
                  << "\n";
    }
    std::cout << "(load+plan: load_spec_file + make_plan; +json rpt: also report_json_text(); "
                 "rest: process median minus +json rpt = exec, start-up, writing, exit)\n";

    // The curve: plan time against layers, on generated networks of each size.
    if (!curve.empty()) {
        std::cout << "\nplan time by network size (generated networks, `plan SPEC --format json`; "
                     "1 warm-up and 10 runs up to 10,000 layers, 3 runs to 100,000, then 1):\n"
                  << pad("layers", 10, true) << pad("spec MB", 9, true) << pad("runs", 6, true)
                  << pad("median ms", 11, true) << pad("us/layer", 10, true)
                  << pad("peak RSS MB", 13, true) << "\n";
        std::vector<double> per_layer;
        for (long n : curve) {
            std::string path = tmp + "/cnnshape_bench_curve_XXXXXX.json";
            int fd = mkstemps(path.data(), 5);
            if (fd < 0) {
                std::cerr << "cnnshape_bench_plan: cannot create " << path << "\n";
                failed = true;
                break;
            }
            std::string text = generate_spec(n);
            bool wrote = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
            close(fd);
            std::vector<std::string> args = {binary, "plan", path, "--format", "json"};
            int nruns = n <= 10000 ? 10 : n <= 100000 ? 3 : 1;
            std::vector<double> ts;
            long rss = 0;
            std::string failure = wrote ? "" : "cannot write " + path;
            if (failure.empty() && n <= 10000) {
                RunResult w = run_once(args, err_path);
                if (!w.ok) failure = w.failure;
            }
            for (int i = 0; i < nruns && failure.empty(); ++i) {
                RunResult r = run_once(args, err_path);
                if (!r.ok) failure = r.failure;
                ts.push_back(r.ms);
                rss = std::max(rss, r.max_rss_kb);
            }
            std::remove(path.c_str());
            if (!failure.empty()) {
                std::cerr << "cnnshape_bench_plan: curve at " << n << " layers FAILED: " << failure
                          << "\n";
                failed = true;
                continue;
            }
            Stats st = stats_of(ts);
            per_layer.push_back(st.median * 1000 / double(n));
            char mb[32];
            std::snprintf(mb, sizeof mb, "%.1f", double(text.size()) / 1e6);
            std::cout << pad(std::to_string(n), 10, true) << pad(mb, 9, true)
                      << pad(std::to_string(st.n), 6, true) << pad(fmt_ms(st.median), 11, true)
                      << pad(fmt_ms(per_layer.back()), 10, true)
                      << pad(std::to_string(rss / 1024), 13, true) << "\n";
        }
        if (per_layer.size() > 1) {
            // Linear: no size costs more than twice per layer what the cheapest size does (the
            // smallest sizes also carry the fixed start-up cost, so they are the dearest per
            // layer when the rest is linear).
            double lo = *std::min_element(per_layer.begin(), per_layer.end());
            double hi_big = 0;
            for (std::size_t i = 0; i < per_layer.size(); ++i)
                if (curve[i] >= 10000) hi_big = std::max(hi_big, per_layer[i]);
            bool pass = hi_big <= 2 * lo;
            if (!pass) missed = true;
            std::cout << "linear: from 10,000 layers up, the dearest size costs "
                      << fmt_ms(hi_big / lo) << "x per layer what the cheapest does (target <= 2)  "
                      << (pass ? "PASS" : "FAIL") << "\n";
        }
    }

    cleanup();
    if (failed) {
        std::cout << "\nRESULT: FAIL (a run failed)\n";
        return 2;
    }
    std::cout << (missed ? "\nRESULT: FAIL (target missed)\n" : "\nRESULT: PASS\n");
    return missed ? 1 : 0;
}
