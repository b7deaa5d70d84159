// cnnshape explain [SPEC] [--input SHAPE] [--layer EXPR]... [--format text|json] [--mode MODE]
#include "cnnshape/error.hpp"
#include "cnnshape/explain.hpp"
#include "cnnshape/network.hpp"
#include "commands.hpp"
#include "common.hpp"
#include <iostream>

namespace cnnshape::cli {
namespace {

struct ExplainOptions {
    std::string spec;
    std::string input;
    std::vector<std::string> layers;
    std::string format = "text";
    std::string mode;
    std::string model;
};

int run_explain(const ExplainOptions& o) {
    bool json_out = o.format == "json";
    Network net;
    try {
        net = load_network("explain", o.spec, o.layers, o.mode, o.model, o.input);
        set_input_shape(net, o.input);
    } catch (const SpecError& e) {
        return report_spec_error(e, o.spec, json_out);
    } catch (const UsageError& e) {
        return report_usage_error(e.what(), json_out);
    }
    Explanation ex = explain_network(net, *net.input); // a bug throwing here: run_guarded, exit 3
    std::string where;
    if (ex.error) where = net.nodes.at(ex.error->index()).where;
    if (json_out) {
        auto j = explain_json(ex);
        if (ex.error) {
            auto& e = j["error"];
            e["where"] = where;
            e["exit_code"] = kInvalidNetwork;
        }
        std::cout << json_text(j);
    } else {
        std::cout << explain_text(ex);
    }
    if (ex.error) {
        print_layer_error(*ex.error, net, o.spec);
        return kInvalidNetwork;
    }
    return kOk;
}

Runner setup_explain(CLI::App& app);
const CommandRegistration explain_registration("explain", 20, setup_explain);

Runner setup_explain(CLI::App& app) {
    auto o = std::make_shared<ExplainOptions>();
    CLI::App* sub = app.add_subcommand(
        "explain", "Show, layer by layer, PyTorch's size formula with the numbers put in and what "
                   "happens at the edges");
    sub->add_option("spec", o->spec,
                    "Network spec: JSON, nn.Sequential Python text or print(model) text; - reads "
                    "stdin");
    sub->add_option("-i,--input", o->input, "Input shape, e.g. 1x3x224x224; overrides the spec's");
    sub->add_option("-l,--layer", o->layers,
                    "A layer as a PyTorch expression; repeat for more layers, in order")
        ->take_all();
    sub->add_option("--model", o->model,
                    "With Python or print(model) text that holds several nn.Sequential networks: "
                    "the one to explain, by the name it is assigned to or the line it starts on")
        ->type_name("NAME");
    sub->add_option("-f,--format", o->format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    sub->add_option("--mode", o->mode, "Module mode: eval (default) or train")
        ->check(CLI::IsMember({"eval", "train"}));
    sub->footer("Examples:\n"
                "  cnnshape explain --input 1x1x6x6 --layer \"nn.MaxPool2d(2, stride=2)\"\n"
                "  cnnshape explain examples/networks/resnet18.json\n"
                "  cnnshape explain examples/networks/funnel.json --format json");
    return [o] { return run_guarded(o->format == "json", [&] { return run_explain(*o); }); };
}

} // namespace
} // namespace cnnshape::cli
