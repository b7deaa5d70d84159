// cnnshape solve --input SIZE --output SIZE --layer TYPE [bounds] [--format text|json]
// cnnshape solve --input SIZE --output SIZE --check EXPR...
// cnnshape solve SPEC --input-range LO:HI [--axis H] [--input SHAPE]
#include "cnnshape/error.hpp"
#include "cnnshape/explain.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/solve.hpp"
#include "commands.hpp"
#include "common.hpp"
#include <fmt/format.h>
#include <iostream>

namespace cnnshape::cli {
namespace {

struct SolveOptions {
    std::string spec, input, output, layer, input_range, axis, model;
    std::vector<std::string> checks;
    std::int64_t max_kernel = -1, max_stride = -1, max_padding = -1, max_dilation = -1;
    std::int64_t in_channels = 1, out_channels = -1;
    bool no_ceil = false;
    std::int64_t limit = -1;
    std::string format = "text";
};

Shape sizes(const std::string& text, const char* what) {
    if (text.empty()) throw UsageError(fmt::format("{} is required", what));
    return parse_shape(text);
}

std::pair<std::int64_t, std::int64_t> parse_range(const std::string& text) {
    auto colon = text.find(':');
    try {
        if (colon == std::string::npos) throw std::invalid_argument(text);
        std::size_t a = 0, b = 0;
        std::string l = text.substr(0, colon), h = text.substr(colon + 1);
        std::int64_t lo = std::stoll(l, &a), hi = std::stoll(h, &b);
        if (a != l.size() || b != h.size()) throw std::invalid_argument(text);
        return {lo, hi};
    } catch (const std::logic_error&) {
        throw UsageError(fmt::format("--input-range '{}': expected LO:HI, e.g. 1:512", text));
    }
}

int run_solve(const SolveOptions& o) {
    bool json_out = o.format == "json";
    try {
        if (!o.checks.empty()) {
            if (!o.layer.empty() || !o.spec.empty() || !o.input_range.empty() || !o.model.empty())
                throw UsageError("--check takes --input and --output only (no --layer, SPEC, "
                                 "--model or --input-range)");
            CheckReport rep = check_expressions(o.checks, sizes(o.input, "--input"),
                                                sizes(o.output, "--output"), o.in_channels);
            if (json_out)
                std::cout << json_text(check_json(rep));
            else
                std::cout << check_text(rep);
            int code = kOk;
            for (auto& c : rep.checks)
                code = most_severe(code, c.spec_error ? kUsage : c.matches ? kOk : kCheckFailed);
            return code;
        }
        if (!o.spec.empty() || !o.input_range.empty()) {
            if (o.spec.empty() || o.input_range.empty())
                throw UsageError("a whole network needs both SPEC and --input-range LO:HI");
            if (!o.layer.empty() || !o.output.empty())
                throw UsageError("SPEC --input-range takes no --layer or --output");
            ReadHints hints; // a model file's forward() is read on the input
            if (!o.input.empty()) hints.input = parse_shape(o.input);
            Network net = load_spec_file(o.spec, o.model, hints);
            print_reader_notes(net);
            print_input_note(net, o.input);
            if (!o.input.empty()) net.input = parse_shape(o.input);
            if (!net.input)
                throw UsageError("no input shape to vary: put \"input\" in the spec or pass "
                                 "--input SHAPE (e.g. --input 1x3x224x224)");
            auto [lo, hi] = parse_range(o.input_range);
            RangeResult r = solve_input_range(net, *net.input, lo, hi, o.axis);
            if (json_out)
                std::cout << json_text(range_json(r));
            else
                std::cout << range_text(r);
            return r.accepted.empty() ? kInvalidNetwork : kOk;
        }
        if (!o.model.empty()) throw UsageError("--model chooses the network of SPEC --input-range");
        if (o.layer.empty())
            throw UsageError("nothing to solve: give --layer TYPE (e.g. --layer MaxPool2d), "
                             "--check EXPR, or SPEC --input-range LO:HI");
        SolveQuery q;
        q.layer = o.layer;
        q.input = sizes(o.input, "--input");
        q.output = sizes(o.output, "--output");
        q.bounds = {o.max_kernel, o.max_stride, o.max_padding, o.max_dilation, !o.no_ceil};
        q.in_channels = o.in_channels;
        q.out_channels = o.out_channels < 0 ? o.in_channels : o.out_channels;
        SolveResult r = solve_layer(q);
        if (json_out)
            std::cout << json_text(solve_json(r, o.limit < 0 ? 0 : o.limit));
        else
            std::cout << solve_text(r, o.limit < 0 ? 20 : o.limit);
        return r.solutions.empty() ? kInvalidNetwork : kOk;
    } catch (const SpecError& e) {
        return report_spec_error(e, o.spec, json_out);
    } catch (const UsageError& e) {
        return report_usage_error(e.what(), json_out);
    } // anything else is a bug: run_guarded reports it with exit code 3
}

Runner setup_solve(CLI::App& app);
const CommandRegistration solve_registration("solve", 25, setup_solve);

Runner setup_solve(CLI::App& app) {
    auto o = std::make_shared<SolveOptions>();
    CLI::App* sub = app.add_subcommand(
        "solve", "Find the layer arguments that turn one size into another, check candidate "
                 "layers, or list the input sizes a network accepts");
    sub->add_option("spec", o->spec, "Network spec (with --input-range)");
    sub->add_option("-i,--input", o->input,
                    "Input size: 10 (every spatial axis) or 10x12 (per axis); with SPEC, the "
                    "input shape to vary");
    sub->add_option("-o,--output", o->output, "Wanted output size: 3 or 3x4");
    sub->add_option("-l,--layer", o->layer,
                    "Layer type to solve for: MaxPool2d, AvgPool2d, Conv2d, ConvTranspose2d "
                    "(1d and 3d too)");
    sub->add_option("--max-kernel", o->max_kernel,
                    "Largest kernel_size to try (default: the larger size, at most 64)");
    sub->add_option("--max-stride", o->max_stride,
                    "Largest stride to try (default: the larger size, at most 64)");
    sub->add_option("--max-padding", o->max_padding,
                    "Largest padding to try (default: half the kernel bound)");
    sub->add_option("--max-dilation", o->max_dilation, "Largest dilation to try (default 2)");
    sub->add_flag("--no-ceil", o->no_ceil, "Do not try ceil_mode=True");
    sub->add_option("--in-channels", o->in_channels,
                    "in_channels written into Conv expressions (default 1)");
    sub->add_option("--out-channels", o->out_channels,
                    "out_channels written into Conv expressions (default: --in-channels)");
    sub->add_option("--check", o->checks,
                    "PyTorch expressions to check instead of searching; a chain is written "
                    "\"nn.A(..) -> nn.B(..)\", a repeat \"nn.MaxPool2d(2, 2) x2\"")
        ->take_all();
    sub->add_option("--input-range", o->input_range,
                    "With SPEC: the sizes to try, LO:HI (e.g. 1:512)");
    sub->add_option("--model", o->model,
                    "With SPEC: when its Python or print(model) text holds several nn.Sequential "
                    "networks, the one to read, by the name it is assigned to or its line")
        ->type_name("NAME");
    sub->add_option("--axis", o->axis,
                    "With SPEC: vary only this spatial axis (H, W, D or L); default all together");
    sub->add_option("--limit", o->limit,
                    "Show at most this many solutions; 0 shows all (default: 20 in text, all in "
                    "JSON)");
    sub->add_option("-f,--format", o->format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    sub->footer("Examples:\n"
                "  cnnshape solve --input 10 --output 3 --layer MaxPool2d\n"
                "  cnnshape solve --input 10 --output 3 --check \"nn.MaxPool2d(kernel_size=3, "
                "stride=3)\" \"nn.MaxPool2d(2, 2) x2\"\n"
                "  cnnshape solve examples/networks/resnet18.json --input-range 1:512\n"
                "\n"
                "Exit codes: 0 a solution, every check met, or some size accepted; 1 no solution "
                "or no size accepted;\n4 a --check expression does not give the output; 2 bad "
                "input (see 'cnnshape --help').");
    return [o] { return run_guarded(o->format == "json", [&] { return run_solve(*o); }); };
}

} // namespace
} // namespace cnnshape::cli
