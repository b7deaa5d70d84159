// cnnshape plan [SPEC] [--input SHAPE] [--layer EXPR]... [--format FORMAT] [checks] [--batch]
#include "cnnshape/budget.hpp"
#include "cnnshape/compact_json.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/report.hpp"
#include "commands.hpp"
#include "common.hpp"
#include <cstdio>
#include <fmt/format.h>
#include <iostream>

namespace cnnshape::cli {
namespace {

struct PlanOptions {
    std::string spec;
    std::string input;
    std::vector<std::string> layers;
    std::string format = "table";
    bool format_given = false;
    std::string mode;
    std::string model;
    std::string expect_output, max_params, max_macs, max_memory;
    bool batch = false;
};

Budget read_budget(const PlanOptions& o) {
    Budget b;
    if (!o.expect_output.empty()) b.expect_output = parse_shape(o.expect_output);
    if (!o.max_params.empty()) b.max_params = parse_quantity(o.max_params, "--max-params", false);
    if (!o.max_macs.empty()) b.max_macs = parse_quantity(o.max_macs, "--max-macs", false);
    if (!o.max_memory.empty()) b.max_memory = parse_quantity(o.max_memory, "--max-memory", true);
    return b;
}

std::string format_plan(const Plan& plan, const std::string& format) {
    if (format == "json") return report_json_text(plan);
    if (format == "csv") return report_csv(plan);
    if (format == "markdown") return report_markdown(plan);
    if (format == "dot") return report_dot(plan);
    if (format == "mermaid") return report_mermaid(plan);
    if (format == "svg") return report_svg(plan);
    return report_table(plan);
}

// --- plan --batch ------------------------------------------------------------------------------
//
// A question per line: a shape, then layer expressions, separated by whitespace or ';' outside
// brackets and quotes ("1x1x6x6 nn.MaxPool2d(2, 2) nn.Conv2d(1, 4, 3)"). A name may be followed
// by spaces before its '(' ("nn.ReLU ()"). Blank lines and lines starting with '#' get no answer.

std::vector<std::string> split_batch_line(const std::string& line) {
    std::vector<std::string> items;
    std::string cur;
    int depth = 0;
    char quote = 0;
    auto end_item = [&] {
        if (!cur.empty()) items.push_back(std::move(cur));
        cur.clear();
    };
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quote) {
            if (c == '\\' && i + 1 < line.size()) {
                cur += c;
                cur += line[++i];
                continue;
            }
            if (c == quote) quote = 0;
            cur += c;
            continue;
        }
        if (c == '\'' || c == '"') quote = c;
        if (c == '(' || c == '[' || c == '{') ++depth;
        if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
        bool space = c == ' ' || c == '\t' || c == '\r';
        if (depth == 0 && (space || c == ';')) {
            if (space) {
                std::size_t j = i;
                while (j < line.size() && (line[j] == ' ' || line[j] == '\t' || line[j] == '\r'))
                    ++j;
                if (j < line.size() && line[j] == '(' && !cur.empty()) {
                    i = j - 1; // "nn.ReLU ()": the call continues
                    continue;
                }
            }
            end_item();
            continue;
        }
        cur += c;
    }
    end_item();
    return items;
}

// "--layer 2, column 5" -> "expression 2, column 5": in batch mode the layers are expressions.
std::string batch_where(const std::string& where) {
    static const std::string prefix = "--layer ";
    if (where.compare(0, prefix.size(), prefix) == 0)
        return "expression " + where.substr(prefix.size());
    return where;
}

void json_string(std::string& out, const std::string& s) {
    out += compact_json(nlohmann::json(s));
}

// Answers one line, appending its JSON to `out`; returns its exit code.
int answer_batch_line(std::size_t number, const std::string& line, Mode mode, std::string& out) {
    auto fail = [&](const std::string& message, const std::string& where, const LayerError* le,
                    int code) {
        out += fmt::format("{{\"line\": {}, \"error\": {{\"message\": ", number);
        json_string(out, message);
        out += ", \"where\": ";
        json_string(out, where);
        if (le) {
            out += fmt::format(", \"layer\": {}, \"name\": ", le->index());
            json_string(out, le->name());
            out += ", \"type\": ";
            json_string(out, le->type());
        } else {
            out += ", \"layer\": null, \"name\": null, \"type\": null";
        }
        out += fmt::format(", \"exit_code\": {}}}, \"exit_code\": {}}}\n", code, code);
        return code;
    };
    std::vector<std::string> items = split_batch_line(line);
    if (items.empty())
        return fail("expected a shape, then layer expressions", "shape", nullptr, kUsage);
    Network net;
    try {
        Shape input = parse_shape(items[0]);
        net = network_from_exprs({items.begin() + 1, items.end()});
        net.input = input;
        net.mode = mode;
    } catch (const SpecError& e) {
        return fail(e.what(), batch_where(e.place()), nullptr, kUsage);
    } catch (const UsageError& e) {
        return fail(e.what(), "shape", nullptr, kUsage);
    } catch (const std::bad_alloc&) {
        return fail("out of memory", "", nullptr, kResourceLimit);
    } catch (const std::exception& e) {
        // One odd line must not end the answers to the others.
        return fail(std::string("internal error: ") + e.what() +
                        " (this is a bug in cnnshape; please report it)",
                    "", nullptr, kInternalError);
    }
    Plan plan;
    try {
        plan = make_plan(net, *net.input);
    } catch (const LayerError& e) {
        return fail(e.what(), batch_where(net.nodes.at(e.index()).where), &e, kInvalidNetwork);
    } catch (const UsageError& e) {
        return fail(e.what(), "shape", nullptr, kUsage);
    } catch (const std::bad_alloc&) {
        return fail("out of memory", "", nullptr, kResourceLimit);
    } catch (const std::exception& e) {
        return fail(std::string("internal error: ") + e.what() +
                        " (this is a bug in cnnshape; please report it)",
                    "", nullptr, kInternalError);
    }
    out += fmt::format("{{\"line\": {}, \"output_shape\": [", number);
    for (std::size_t i = 0; i < plan.output.size(); ++i) {
        if (i) out += ", ";
        out += std::to_string(plan.output[i]);
    }
    out += fmt::format("], \"params\": {}, \"macs\": {}}}\n", plan.totals.params, plan.totals.macs);
    return kOk;
}

int run_batch(const PlanOptions& o) {
    try {
        if (!o.spec.empty() || !o.layers.empty() || !o.input.empty() || !o.model.empty())
            throw UsageError("--batch reads its questions from standard input; give no spec, "
                             "--layer, --input or --model");
        if (!read_budget(o).empty())
            throw UsageError("--batch answers with shapes and counts; the checks (--expect-output, "
                             "--max-params, --max-macs, --max-memory) apply to a single plan");
        if (o.format_given && o.format != "json")
            throw UsageError("--batch always answers in JSON lines; --format " + o.format +
                             " does not apply");
    } catch (const UsageError& e) {
        std::cerr << "cnnshape: " << e.what() << "\n";
        return kUsage;
    }
    Mode mode = o.mode == "train" ? Mode::Train : Mode::Eval;
    std::ios::sync_with_stdio(false);
    std::string line, out;
    std::size_t number = 0;
    int worst = kOk;
    auto flush = [&] {
        std::fwrite(out.data(), 1, out.size(), stdout);
        std::fflush(stdout);
        out.clear();
    };
    while (std::getline(std::cin, line)) {
        ++number;
        std::size_t b = line.find_first_not_of(" \t\r");
        if (b == std::string::npos || line[b] == '#') continue;
        int code = answer_batch_line(number, line, mode, out);
        worst = most_severe(worst, code);
        // Write when the input has nothing more buffered, so that a program asking one question
        // at a time gets its answer before it asks the next; otherwise in large blocks.
        if (out.size() > (1 << 16) || std::cin.rdbuf()->in_avail() <= 0) flush();
    }
    flush();
    return worst;
}

// --- plan --------------------------------------------------------------------------------------

// The network and plan of `plan`, never freed: the process ends right after writing the report,
// and freeing a large plan's many small allocations took longer than planning it (a pointer
// stays here, so they are not leaks to a leak checker either).
struct Kept {
    Network net;
    Plan plan;
};
Kept* kept = nullptr;

int run_plan(const PlanOptions& o) {
    if (o.batch) return run_batch(o);
    bool json_out = o.format == "json";
    kept = new Kept;
    Network& net = kept->net;
    Budget budget;
    try {
        net = load_network("plan", o.spec, o.layers, o.mode, o.model, o.input);
        budget = read_budget(o);
        set_input_shape(net, o.input);
    } catch (const SpecError& e) {
        return report_spec_error(e, o.spec, json_out);
    } catch (const UsageError& e) {
        return report_usage_error(e.what(), json_out);
    }
    Plan& plan = kept->plan;
    try {
        plan = make_plan(net, *net.input);
    } catch (const LayerError& e) {
        return report_layer_error(e, net, o.spec, json_out);
    }
    // The report is printed whether or not the checks pass, so CI logs show it.
    std::vector<Check> checks = check_budget(plan, budget);
    std::string report = format_plan(plan, o.format);
    if (json_out && !budget.empty()) report = with_checks_json(report, checks);
    std::cout << report << std::flush;
    int code = kOk;
    for (auto& c : checks) {
        if (c.ok) continue;
        std::cerr << "cnnshape: check failed: " << c.message << "\n";
        code = kCheckFailed;
    }
    return code;
}

} // namespace

namespace {
Runner setup_plan(CLI::App& app);
const CommandRegistration plan_registration("plan", 10, setup_plan);
} // namespace

namespace {
Runner setup_plan(CLI::App& app) {
    auto o = std::make_shared<PlanOptions>();
    CLI::App* sub =
        app.add_subcommand("plan", "Infer every layer's output shape, parameters, MACs, "
                                   "memory and receptive field");
    sub->add_option("spec", o->spec,
                    "Network spec: JSON, nn.Sequential Python text or print(model) text; - reads "
                    "stdin");
    sub->add_option("-i,--input", o->input,
                    "Input shape, e.g. 1x3x224x224, 1,3,224,224 or [1, 3, 224, 224]; overrides the "
                    "spec's input");
    sub->add_option("-l,--layer", o->layers,
                    "A layer as a PyTorch expression, e.g. \"nn.MaxPool2d(2, stride=2)\"; repeat "
                    "for more layers, in order")
        ->take_all();
    sub->add_option("--model", o->model,
                    "With Python or print(model) text that holds several nn.Sequential networks: "
                    "the one to plan, by the name it is assigned to (model, self.features) or the "
                    "line it starts on")
        ->type_name("NAME");
    CLI::Option* format =
        sub->add_option("-f,--format", o->format,
                        "Output format; dot, mermaid: the layer graph with shapes on the edges; "
                        "svg: the feature maps drawn left to right")
            ->check(CLI::IsMember({"table", "json", "csv", "markdown", "dot", "mermaid", "svg"}))
            ->capture_default_str();
    sub->add_option(
           "--mode", o->mode,
           "Module mode: eval (default) or train (BatchNorm then needs more than one value "
           "per channel)")
        ->check(CLI::IsMember({"eval", "train"}));
    sub->add_option("--expect-output", o->expect_output,
                    "Check: the output shape must be SHAPE (exit 4 if not)")
        ->type_name("SHAPE");
    sub->add_option("--max-params", o->max_params,
                    "Check: at most N parameters; N may use k, M, G (x1000) or Ki, Mi, Gi (x1024), "
                    "e.g. 10M")
        ->type_name("N");
    sub->add_option("--max-macs", o->max_macs, "Check: at most N MACs, e.g. 2G")->type_name("N");
    sub->add_option("--max-memory", o->max_memory,
                    "Check: activations + params + buffers at most BYTES (the input tensor is not "
                    "counted), e.g. 200MB or 1GiB")
        ->type_name("BYTES");
    sub->add_flag("--batch", o->batch,
                  "Answer many questions in one process: read lines 'SHAPE EXPR...' from stdin, "
                  "write a JSON answer per line");
    sub->footer(
        "Examples:\n"
        "  cnnshape plan examples/networks/resnet18.json\n"
        "  cnnshape plan --input 1x1x6x6 --layer \"nn.MaxPool2d(kernel_size=2, stride=2)\"\n"
        "  cnnshape plan examples/networks/funnel.py --format json\n"
        "  cnnshape plan net.py --model self.features --input 1x3x32x32\n"
        "  cnnshape plan examples/networks/resnet18.json --max-params 12M --max-macs 2G\n"
        "  cnnshape plan examples/networks/resnet18.json --format svg > resnet18.svg\n"
        "  echo '1x1x6x6 nn.MaxPool2d(2, 2) nn.Conv2d(1, 4, 3)' | cnnshape plan --batch\n"
        "\n"
        "Checks print the report, then a line per broken limit on stderr, and exit 4.\n"
        "--batch writes {\"line\", \"output_shape\", \"params\", \"macs\"} or {\"line\", "
        "\"error\", \"exit_code\"} per line;\n"
        "it exits 0 if every line was valid, else with the most severe line's code (2 malformed "
        "before 1 invalid).\n"
        "Exit codes: see 'cnnshape --help'.");
    sub->callback([o, format] { o->format_given = format->count() > 0; });
    return
        [o] { return run_guarded(!o->batch && o->format == "json", [&] { return run_plan(*o); }); };
}

} // namespace

} // namespace cnnshape::cli
