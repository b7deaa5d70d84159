// cnnshape run [SPEC] [--layer EXPR]... [--input SHAPE|FILE.npy|LITERAL|FILE.json] [--seed S]
//   [--fill randn|rand|zeros|ones|arange] [--weights FILE|DIR] [--output FILE.npy]
//   [--indices FILE.npy] [--save-all DIR] [--format text|json] [--repeat N] [--backend ref|simd]
//   [--threads N] [--memory-limit BYTES] [--mode eval|train] [--no-strict]
// Plans the network, builds (or loads) its weights as PyTorch would, runs it, and prints what
// print(output) prints in PyTorch.
#include "cnnshape/budget.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/execute.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/parallel.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/random.hpp"
#include "cnnshape/run_setup.hpp"
#include "cnnshape/tensor_io.hpp"
#include "commands.hpp"
#include "common.hpp"
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <unistd.h>

namespace cnnshape::cli {
namespace {

using json = nlohmann::ordered_json;

struct RunCliOptions {
    std::string spec;
    std::vector<std::string> layers;
    std::string input;
    std::string seed = "0"; // read by parse_manual_seed: torch.manual_seed's range
    std::string fill = "randn";
    bool fill_given = false; // --fill was on the command line
    std::string weights, output, indices, save_all;
    std::string format = "text";
    int repeat = 0;
    std::string backend;
    int threads = 0; // 0: every core
    std::string memory_limit;
    std::string old_max_memory; // run --max-memory, renamed --memory-limit: refused with a hint
    bool old_max_memory_given = false;
    std::string mode;
    std::string model;
    bool no_strict = false;
};

constexpr std::int64_t kPrintLimit = 1000; // PyTorch's print threshold

// The shortest decimal that reads back as the same float, as a double JSON number (so 0.1f is
// written 0.1, not 0.10000000149011612). Non-finite values become null.
json float_json(float v) {
    if (!std::isfinite(v)) return nullptr;
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::strtod(std::string(buf, res.ptr).c_str(), nullptr);
}

template <typename T, typename F>
json nested(const Shape& shape, const T* data, std::size_t dim, std::int64_t& pos, F conv) {
    if (dim == shape.size()) return conv(data[pos++]);
    json arr = json::array();
    for (std::int64_t i = 0; i < shape[dim]; ++i)
        arr.push_back(nested(shape, data, dim + 1, pos, conv));
    return arr;
}

struct Stats {
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    double mean = 0;
    std::int64_t nan = 0, count = 0;
};

Stats stats_of(const Tensor& t) {
    Stats s;
    double sum = 0;
    for (float v : t.data) {
        if (std::isnan(v)) {
            ++s.nan;
            continue;
        }
        s.min = std::min(s.min, double(v));
        s.max = std::max(s.max, double(v));
        sum += v;
        ++s.count;
    }
    s.mean = s.count ? sum / double(s.count) : std::nan("");
    return s;
}

std::string backend_text(kernels::Backend b) {
    return b == kernels::Backend::Ref ? "ref" : "simd";
}

// The tensors of a network's final tuple, in order (its None elements are not tensors).
std::vector<const Tensor*> tuple_tensors(const Plan& plan, const RunResult& result) {
    std::vector<const Tensor*> v;
    std::int64_t node =
        plan.outputs.empty() ? std::int64_t(plan.layers.size()) - 1 : plan.outputs[0].node;
    if (node >= 0 && !plan.layers[std::size_t(node)].outputs.empty()) v.push_back(&result.output);
    for (const Tensor& t : result.output_rest)
        v.push_back(&t);
    return v;
}

// Where --output saves one of several named outputs: "y.npy" and "aux" give "y.aux.npy".
std::string output_path(const std::string& path, const std::string& name) {
    std::string safe = name;
    for (char& c : safe)
        if (c == '/' || c == '\\') c = '_';
    std::filesystem::path p(path);
    std::string ext = p.extension().string();
    p.replace_extension();
    return p.string() + "." + safe + (ext.empty() ? ".npy" : ext);
}

int run_run(const RunCliOptions& o) {
    bool json_out = o.format == "json";
    auto usage = [&](const std::string& msg) { return report_usage_error(msg, json_out); };
    Network net;
    RunInput input_arg;
    std::uint64_t seed = 0;
    try {
        if (o.repeat < 0) throw UsageError("--repeat must be at least 0");
        if (o.threads < 0) throw UsageError("--threads must be at least 1 (or 0 for every core)");
        if (o.old_max_memory_given)
            throw UsageError("run --max-memory is now --memory-limit BYTES (the cap on the run's "
                             "peak memory, exit 5 when exceeded); --max-memory is plan's budget "
                             "check");
        try {
            seed = parse_manual_seed(o.seed);
        } catch (const UsageError& e) {
            throw UsageError(std::string("--") + e.what());
        }
        // Read first: a Python model file's forward() is read on the input's shape.
        if (!o.input.empty()) input_arg = read_run_input(o.input);
        std::string input_shape;
        if (!o.input.empty())
            input_shape = shape_x(input_arg.tensor ? input_arg.tensor->shape : *input_arg.shape);
        net = load_network("run", o.spec, o.layers, o.mode, o.model, input_shape);
        print_input_note(net, o.input);
        if (!o.input.empty()) {
            net.input = input_arg.tensor ? input_arg.tensor->shape : *input_arg.shape;
            if (!input_arg.fill.empty() && o.fill_given && o.fill != input_arg.fill)
                throw UsageError(fmt::format("--input torch.{}(...) and --fill {} say different "
                                             "things: give one of them",
                                             input_arg.fill, o.fill));
        }
        if (!net.input)
            throw UsageError("no input: pass --input SHAPE, FILE.npy or a literal list, or put "
                             "\"input\" in the spec");
    } catch (const SpecError& e) {
        return report_spec_error(e, o.spec, json_out);
    } catch (const UsageError& e) {
        return usage(e.what());
    }
    if (!input_arg.note.empty()) std::cerr << "cnnshape: note: " << input_arg.note << "\n";
    if (!net.own_init.empty() && o.weights.empty())
        std::cerr << "cnnshape: note: the model initialises weights itself (" << net.own_init
                  << (net.own_init_count > 1
                          ? fmt::format(", and {} more place{}", net.own_init_count - 1,
                                        net.own_init_count > 2 ? "s" : "")
                          : std::string())
                  << "), which run does not replay: its weights are each module's default "
                     "initialisation drawn from --seed, so the output is not PyTorch's for this "
                     "seed; pass --weights with the model's state_dict for that\n";
    if (input_arg.tensor)
        if (std::string note = nonfinite_note(*input_arg.tensor); !note.empty())
            std::cerr << "cnnshape: note: " << note << "\n";

    Plan plan;
    try {
        plan = make_plan(net, *net.input);
    } catch (const LayerError& e) {
        return report_layer_error(e, net, o.spec, json_out);
    }

    kernels::Context ctx;
    try {
        ctx = kernels::make_context(o.backend, o.threads);
    } catch (const UsageError& e) {
        return usage(e.what());
    }
    RunResult result;
    std::vector<double> times_ms;
    try {
        // Refuse before allocating anything big.
        std::int64_t limit = o.memory_limit.empty()
                                 ? physical_memory() / 2
                                 : parse_quantity(o.memory_limit, "--memory-limit", true);
        if (limit <= 0) throw UsageError("--memory-limit must be more than 0 bytes");
        bool keep_all = !o.save_all.empty();
        check_memory_limit(plan, keep_all, limit,
                           "; raise --memory-limit (default: half of the physical memory) or use "
                           "a smaller input");
        if (!o.indices.empty()) check_returns_indices(plan);

        StateDict weights = init_weights(plan, seed);
        if (!o.weights.empty()) {
            WeightLoadReport rep = load_weights(plan, o.weights, weights);
            for (auto& n : rep.notes)
                std::cerr << "cnnshape: note: " << n << "\n";
            if (std::string mismatch = state_dict_mismatch(rep); !mismatch.empty()) {
                if (!o.no_strict)
                    throw UsageError(mismatch + "\n(--no-strict runs anyway, keeping missing "
                                                "tensors at their --seed initialisation)");
                std::cerr << "cnnshape: warning: loading " << o.weights
                          << " (--no-strict):" << state_dict_mismatch(rep, true) << "\n";
            }
        }

        TorchGenerator gen(seed);
        Tensor input =
            input_arg.tensor
                ? std::move(*input_arg.tensor)
                : make_input(*net.input, input_arg.fill.empty() ? o.fill : input_arg.fill, gen);
        RunOptions ro;
        ro.rng = &gen;
        ro.kernels = ctx;
        ro.keep_all = keep_all;
        ro.max_bytes = limit;
        result = execute(plan, weights, input, ro);
        if (o.repeat > 0) {
            RunOptions timed = ro;
            timed.keep_all = false;
            for (int i = 0; i < o.repeat; ++i) {
                auto t0 = std::chrono::steady_clock::now();
                RunResult r = execute(plan, weights, input, timed);
                auto t1 = std::chrono::steady_clock::now();
                times_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
            }
        }

        if (!o.output.empty()) {
            if (plan.named_outputs())
                for (std::size_t k = 0; k < plan.outputs.size(); ++k)
                    write_npy(output_path(o.output, plan.outputs[k].name), result.outputs[k]);
            else if (result.output_tuple && !result.indices)
                // A tuple (Chunk, MultiheadAttention): y.0.npy, y.1.npy, ... for its tensors.
                for (std::size_t k = 0; k < tuple_tensors(plan, result).size(); ++k)
                    write_npy(output_path(o.output, std::to_string(k)),
                              *tuple_tensors(plan, result)[k]);
            else
                write_npy(o.output, result.output);
        }
        if (!o.indices.empty()) write_npy(o.indices, *result.indices);
        if (keep_all) {
            std::filesystem::create_directories(o.save_all);
            for (std::size_t i = 0; i < plan.layers.size(); ++i)
                if (plan.layers[i].used) // a layer that reaches no output never runs
                    write_npy((std::filesystem::path(o.save_all) / (plan.layers[i].name + ".npy"))
                                  .string(),
                              result.layer_outputs[i]);
        }
    } catch (const UsageError& e) {
        return usage(e.what());
    } catch (const ResourceError& e) {
        return report_error(e.what(), kResourceLimit, json_out);
    } // out of memory (5), file system errors (2) and bugs (3): run_guarded

    std::string arch =
        ctx.backend == kernels::Backend::SimdWhereHandled ? kernels::simd_arch() : "";
    std::string ran = backend_text(ctx.backend) + (arch.empty() ? "" : " (" + arch + ")");
    std::sort(times_ms.begin(), times_ms.end());
    double median = 0;
    if (!times_ms.empty()) {
        std::size_t n = times_ms.size();
        median = n % 2 ? times_ms[n / 2] : (times_ms[n / 2 - 1] + times_ms[n / 2]) / 2;
    }
    const Tensor& out = result.output;
    std::int64_t printed = out.size();
    for (const Tensor& t : result.output_rest)
        printed += t.size();
    bool small = printed <= kPrintLimit;
    auto stats_json = [](const Tensor& t) {
        Stats ts = stats_of(t);
        json s;
        s["numel"] = t.size();
        s["min"] = ts.count ? float_json(float(ts.min)) : json(nullptr);
        s["max"] = ts.count ? float_json(float(ts.max)) : json(nullptr);
        s["mean"] = ts.count ? json(ts.mean) : json(nullptr);
        s["nan"] = ts.nan;
        return s;
    };
    if (json_out) {
        json j;
        j["output_shape"] = out.shape;
        std::int64_t pos = 0;
        j["output"] = small ? nested(out.shape, out.ptr(), 0, pos, float_json) : json(nullptr);
        if (plan.named_outputs()) {
            json arr = json::array();
            for (std::size_t k = 0; k < plan.outputs.size(); ++k) {
                const Tensor& t = result.outputs[k];
                std::int64_t p = 0;
                arr.push_back(
                    {{"name", plan.outputs[k].name},
                     {"shape", t.shape},
                     {"output", t.size() <= kPrintLimit ? nested(t.shape, t.ptr(), 0, p, float_json)
                                                        : json(nullptr)},
                     {"stats", stats_json(t)}});
            }
            j["outputs"] = arr;
        }
        if (result.output_tuple && !result.indices) {
            // Every tensor of the tuple in order (None elements are left out, as in the text).
            json arr = json::array();
            for (const Tensor* t : tuple_tensors(plan, result)) {
                std::int64_t p = 0;
                arr.push_back({{"shape", t->shape},
                               {"output", t->size() <= kPrintLimit
                                              ? nested(t->shape, t->ptr(), 0, p, float_json)
                                              : json(nullptr)},
                               {"stats", stats_json(*t)}});
            }
            j["tuple"] = arr;
            j["tuple_nones"] = result.output_nones;
        }
        if (result.indices) {
            pos = 0;
            j["indices"] = small ? nested(result.indices->shape, result.indices->ptr(), 0, pos,
                                          [](std::int64_t v) { return json(v); })
                                 : json(nullptr);
        }
        j["stats"] = stats_json(out);
        j["backend"] = backend_text(ctx.backend);
        j["arch"] = arch.empty() ? json(nullptr) : json(arch);
        j["threads"] = ctx.threads;
        j["peak_bytes"] = result.peak_bytes;
        if (!times_ms.empty())
            j["timing"] = json{
                {"runs", times_ms.size()}, {"median_ms", median}, {"min_ms", times_ms.front()}};
        std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return kOk;
    }
    // A tensor too big to print: its shape, statistics and first values.
    auto summary = [](const std::string& label, const Tensor& t) {
        Stats ts = stats_of(t);
        std::cout << fmt::format("{}: {}, {} values (more than {}: summarised; --output "
                                 "FILE.npy saves them all)\n",
                                 label, shape_torch(t.shape), t.size(), kPrintLimit);
        std::cout << fmt::format("min {:.6g}, max {:.6g}, mean {:.6g}", ts.min, ts.max, ts.mean);
        if (ts.nan) std::cout << fmt::format(", {} NaN", ts.nan);
        std::cout << "\nfirst values:";
        for (std::int64_t i = 0; i < std::min<std::int64_t>(8, t.size()); ++i)
            std::cout << fmt::format(" {:.6g}", t.data[i]);
        std::cout << "\n";
    };
    bool any_big = !small;
    if (plan.named_outputs()) {
        // One block per output, as a forward returning a dict of tensors prints item by item.
        for (std::size_t k = 0; k < plan.outputs.size(); ++k) {
            const Tensor& t = result.outputs[k];
            const std::string& name = plan.outputs[k].name;
            if (t.size() <= kPrintLimit) {
                std::cout << name << ": " << shape_torch(t.shape) << "\n"
                          << format_torch(t) << "\n";
            } else {
                any_big = true;
                summary(name, t);
            }
        }
    } else if (small) {
        // print(output); a module returning indices returns a tuple, printed as Python does.
        if (result.indices) {
            std::cout << "(" << format_torch(out) << ", " << format_torch(*result.indices) << ")\n";
        } else if (result.output_tuple) {
            // A tuple (Chunk, MultiheadAttention): every element, None for the missing ones, and
            // Python's trailing comma for one element.
            std::vector<std::string> parts;
            for (const Tensor* t : tuple_tensors(plan, result))
                parts.push_back(format_torch(*t));
            for (std::int64_t i = 0; i < result.output_nones; ++i)
                parts.push_back("None");
            std::string text;
            for (std::size_t i = 0; i < parts.size(); ++i)
                text += (i ? ", " : "") + parts[i];
            std::cout << "(" << text << (parts.size() == 1 ? ",)" : ")") << "\n";
        } else
            std::cout << format_torch(out) << "\n";
    } else {
        summary("output", out);
    }
    if (any_big || !times_ms.empty()) std::cerr << "backend: " << ran << "\n";
    if (!times_ms.empty())
        std::cerr << fmt::format("time: median {:.3f} ms, min {:.3f} ms over {} runs (after one "
                                 "warm-up run)\n",
                                 median, times_ms.front(), times_ms.size());
    return kOk;
}

Runner setup_run(CLI::App& app);
const CommandRegistration run_registration("run", 20, setup_run);

Runner setup_run(CLI::App& app) {
    auto o = std::make_shared<RunCliOptions>();
    CLI::App* sub = app.add_subcommand(
        "run", "Run the network on a tensor and print what PyTorch's print(output) would");
    sub->add_option("spec", o->spec,
                    "Network spec: JSON, nn.Sequential Python text or print(model) text; - reads "
                    "stdin");
    sub->add_option("-l,--layer", o->layers,
                    "A layer as a PyTorch expression, e.g. \"nn.MaxPool2d(2, stride=2)\"; repeat "
                    "for more layers, in order")
        ->take_all()
        ->type_name("EXPR");
    sub->add_option("-i,--input", o->input,
                    "A shape to fill (1x3x32x32; see --fill), a .npy file, a literal nested list "
                    "such as '[[[[1.0, 2.0], [3.0, 4.0]]]]' (also as PyTorch code: "
                    "'torch.tensor([[1., 2.]])'), a .json file holding one, or "
                    "'torch.randn(1, 3, 32, 32)' (rand, zeros, ones: a shape and its fill); "
                    "default: the spec's input shape")
        ->type_name("SHAPE|FILE|LIST");
    sub->add_option("--seed", o->seed,
                    "Seed for the weights and for a random input: the same as torch.manual_seed "
                    "(-2^63 .. 2^64-1; a negative seed wraps as in PyTorch)")
        ->capture_default_str()
        ->type_name("S");
    CLI::Option* fill = sub->add_option("--fill", o->fill, "How to fill an input given as a shape")
                            ->check(CLI::IsMember({"randn", "rand", "zeros", "ones", "arange"}))
                            ->capture_default_str();
    sub->add_option("-w,--weights", o->weights,
                    "A .safetensors file or a directory of KEY.npy files (state_dict keys such "
                    "as 0.weight)")
        ->type_name("FILE|DIR");
    sub->add_flag("--no-strict", o->no_strict,
                  "Run even when --weights has missing or unexpected keys (load_state_dict "
                  "strict=False); missing tensors keep their --seed initialisation");
    sub->add_option("-o,--output", o->output, "Save the output as .npy")->type_name("FILE");
    sub->add_option("--indices", o->indices,
                    "Save the max pooling indices (int64) of the last layer as .npy")
        ->type_name("FILE");
    sub->add_option("--save-all", o->save_all,
                    "Save every layer's output into DIR as <layer name>.npy")
        ->type_name("DIR");
    sub->add_option("-f,--format", o->format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    sub->add_option("--repeat", o->repeat, "Time N more forward passes after the first one")
        ->type_name("N");
    sub->add_option("--backend", o->backend,
                    "Kernels: simd (default; CNNSHAPE_BACKEND=ref|simd also chooses) or ref")
        ->check(CLI::IsMember({"ref", "simd"}));
    sub->add_option("--threads", o->threads,
                    "Threads for the kernels; 0 (the default) uses every core")
        ->type_name("N");
    sub->add_option("--memory-limit", o->memory_limit,
                    "Refuse to run (exit 5) when the tensors alive at the peak would need more "
                    "than this many bytes (500MB, 2GiB, ...); default: half of the physical memory")
        ->type_name("BYTES");
    sub->add_option("--model", o->model,
                    "With Python or print(model) text that holds several nn.Sequential networks: "
                    "the one to run, by the name it is assigned to or the line it starts on")
        ->type_name("NAME");
    CLI::Option* old_max_memory =
        sub->add_option("--max-memory", o->old_max_memory, "Renamed --memory-limit")
            ->group(""); // hidden: refused with a pointer to the new name
    sub->add_option("--mode", o->mode,
                    "Module mode: eval (default) or train (BatchNorm uses batch statistics; "
                    "Dropout draws its mask from the --seed generator)")
        ->check(CLI::IsMember({"eval", "train"}));
    sub->footer("Examples:\n"
                "  cnnshape run --layer \"nn.MaxPool2d(2, 2)\" --input 1x1x4x4 --fill arange\n"
                "  cnnshape run examples/networks/lenet5.json --seed 0\n"
                "  cnnshape run examples/networks/resnet18.json --output out.npy --format json\n"
                "\n"
                "Exit codes: see 'cnnshape --help' (5: refused by --memory-limit, or out of "
                "memory).");
    sub->callback([o, old_max_memory] { o->old_max_memory_given = old_max_memory->count() > 0; });
    return [o, fill] {
        o->fill_given = fill->count() > 0;
        return run_guarded(o->format == "json", [&] { return run_run(*o); });
    };
}

} // namespace
} // namespace cnnshape::cli
