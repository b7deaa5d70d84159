// cnnshape plan [SPEC] [--input SHAPE] [--layer EXPR]... [--format table|json|csv|markdown]
#include "cnnshape/error.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/report.hpp"
#include "commands.hpp"
#include <fmt/format.h>
#include <iostream>

namespace cnnshape::cli {
namespace {

struct PlanOptions {
    std::string spec;
    std::string input;
    std::vector<std::string> layers;
    std::string format = "table";
    std::string mode;
};

void print_error_json(const std::string& message, const std::string& where, const LayerError* le,
                      int code) {
    nlohmann::ordered_json e;
    e["message"] = message;
    e["where"] = where;
    e["layer"] = le ? nlohmann::ordered_json(le->index()) : nlohmann::ordered_json(nullptr);
    e["name"] = le ? nlohmann::ordered_json(le->name()) : nlohmann::ordered_json(nullptr);
    e["type"] = le ? nlohmann::ordered_json(le->type()) : nlohmann::ordered_json(nullptr);
    e["exit_code"] = code;
    std::cout << nlohmann::ordered_json{{"error", e}}.dump(2) << "\n";
}

int run_plan(const PlanOptions& o) {
    bool json_out = o.format == "json";
    Network net;
    try {
        if (!o.spec.empty() && !o.layers.empty())
            throw UsageError("give a spec file or --layer expressions, not both");
        if (o.spec.empty() && o.layers.empty())
            throw UsageError("nothing to plan: give a spec file (or - for stdin) or --layer EXPR");
        net = o.spec.empty() ? network_from_exprs(o.layers) : load_spec_file(o.spec);
        if (!o.input.empty()) net.input = parse_shape(o.input);
        if (!net.input)
            throw UsageError("no input shape: pass --input SHAPE (e.g. --input 1x3x224x224) or put "
                             "\"input\" in the spec");
        if (o.mode == "train")
            net.mode = Mode::Train;
        else if (o.mode == "eval")
            net.mode = Mode::Eval;
    } catch (const SpecError& e) {
        std::string file = o.spec.empty() || o.spec == "-" ? "" : o.spec;
        std::string place = file.empty()        ? e.place()
                            : e.place().empty() ? file
                                                : file + " at " + e.place();
        std::cerr << "cnnshape: spec error" << (file.empty() ? " at " : " in ") << place << ": "
                  << e.what() << "\n";
        if (json_out) print_error_json(e.what(), place, nullptr, kUsage);
        return kUsage;
    } catch (const UsageError& e) {
        std::cerr << "cnnshape: " << e.what() << "\n";
        if (json_out) print_error_json(e.what(), "", nullptr, kUsage);
        return kUsage;
    }
    Plan plan;
    try {
        plan = make_plan(net, *net.input);
    } catch (const LayerError& e) {
        const Node& n = net.nodes.at(e.index());
        std::cerr << "cnnshape: " << e.what() << "\n";
        std::cerr << "  (defined at " << n.where << (o.spec.empty() ? "" : " in " + o.spec)
                  << ")\n";
        if (json_out) print_error_json(e.what(), n.where, &e, kInvalidNetwork);
        return kInvalidNetwork;
    }
    if (o.format == "json")
        std::cout << report_json_text(plan);
    else if (o.format == "csv")
        std::cout << report_csv(plan);
    else if (o.format == "markdown")
        std::cout << report_markdown(plan);
    else
        std::cout << report_table(plan);
    return kOk;
}

} // namespace

namespace {
Runner setup_plan(CLI::App& app);
const CommandRegistration registration("plan", 10, setup_plan);
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
    sub->add_option("-f,--format", o->format, "Output format")
        ->check(CLI::IsMember({"table", "json", "csv", "markdown"}))
        ->capture_default_str();
    sub->add_option(
           "--mode", o->mode,
           "Module mode: eval (default) or train (BatchNorm then needs more than one value "
           "per channel)")
        ->check(CLI::IsMember({"eval", "train"}));
    sub->footer(
        "Examples:\n"
        "  cnnshape plan examples/networks/resnet18.json\n"
        "  cnnshape plan --input 1x1x6x6 --layer \"nn.MaxPool2d(kernel_size=2, stride=2)\"\n"
        "  cnnshape plan examples/networks/funnel.py --format json");
    return [o] { return run_plan(*o); };
}

} // namespace

} // namespace cnnshape::cli
