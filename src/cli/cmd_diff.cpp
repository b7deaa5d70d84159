// cnnshape diff A B [--input SHAPE] [--format text|json] [--exit-code]
#include "cnnshape/diff.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include "commands.hpp"
#include "common.hpp"
#include <algorithm>
#include <iostream>
#include <optional>

namespace cnnshape::cli {
namespace {

struct DiffOptions {
    std::string a, b;
    std::string input;
    std::string format = "text";
    std::string mode;
    std::string model, model_a, model_b;
    bool exit_code = false;
};

// Plans one side, or prints why it cannot and gives the exit code.
std::optional<Plan> plan_side(const std::string& spec, const std::string& model,
                              const DiffOptions& o, bool json_out, int& code,
                              nlohmann::ordered_json& errors) {
    const std::vector<ModelCandidate>* candidates = nullptr;
    auto fail = [&](const std::string& message, const std::string& where, const LayerError* le,
                    int c) {
        nlohmann::ordered_json e;
        e["spec"] = spec;
        e["message"] = message;
        e["where"] = where;
        e["layer"] = le ? nlohmann::ordered_json(le->index()) : nlohmann::ordered_json(nullptr);
        e["name"] = le ? nlohmann::ordered_json(le->name()) : nlohmann::ordered_json(nullptr);
        e["type"] = le ? nlohmann::ordered_json(le->type()) : nlohmann::ordered_json(nullptr);
        e["exit_code"] = c;
        if (candidates) e["candidates"] = candidates_json(*candidates);
        if (json_out) errors.push_back(e);
        code = most_severe(code, c);
        return std::nullopt;
    };
    Network net;
    try {
        ReadHints hints; // a model file's forward() is read on the input, in the mode asked for
        if (!o.input.empty()) hints.input = parse_shape(o.input);
        if (o.mode == "train") hints.mode = Mode::Train;
        if (o.mode == "eval") hints.mode = Mode::Eval;
        net = load_spec_file(spec, model, hints);
        print_reader_notes(net);
        print_input_note(net, o.input);
        if (!o.input.empty()) net.input = parse_shape(o.input);
        if (!net.input)
            throw UsageError("no input shape in " + spec +
                             ": pass --input SHAPE or put \"input\" in the spec");
        if (o.mode == "train") net.mode = Mode::Train;
        if (o.mode == "eval") net.mode = Mode::Eval;
        return make_plan(net, *net.input);
    } catch (const SpecError& e) {
        std::string place = e.place().empty() ? spec : spec + " at " + e.place();
        std::cerr << "cnnshape: spec error in " << place << ": " << e.what() << "\n";
        if (auto* choice = dynamic_cast<const ModelChoiceError*>(&e))
            candidates = &choice->candidates();
        return fail(e.what(), place, nullptr, kUsage);
    } catch (const LayerError& e) {
        const Node& n = net.nodes.at(e.index());
        std::cerr << "cnnshape: " << spec << ": " << e.what() << "\n";
        std::cerr << "  (defined at " << n.where << " in " << spec << ")\n";
        return fail(e.what(), n.where, &e, kInvalidNetwork);
    } catch (const UsageError& e) {
        std::cerr << "cnnshape: " << e.what() << "\n";
        return fail(e.what(), "", nullptr, kUsage);
    } catch (const std::bad_alloc&) {
        std::cerr << "cnnshape: " << spec << ": out of memory\n";
        return fail("out of memory", "", nullptr, kResourceLimit);
    } catch (const std::exception& e) {
        // A bug; the other spec is still reported.
        std::string message = std::string("internal error: ") + e.what() +
                              " (this is a bug in cnnshape; please report it)";
        std::cerr << "cnnshape: " << spec << ": " << message << "\n";
        return fail(message, "", nullptr, kInternalError);
    }
}

int run_diff(const DiffOptions& o) {
    bool json_out = o.format == "json";
    if (o.a == "-" && o.b == "-") {
        std::cerr << "cnnshape: only one of the two specs can be standard input\n";
        return kUsage;
    }
    int code = kOk;
    nlohmann::ordered_json errors = nlohmann::ordered_json::array();
    // Both sides are read, so that one run reports every problem.
    if (!o.model.empty() && (!o.model_a.empty() || !o.model_b.empty())) {
        std::cerr << "cnnshape: --model names the network of both specs; give it, or --model-a "
                     "and --model-b, not both\n";
        return kUsage;
    }
    std::optional<Plan> a =
        plan_side(o.a, o.model.empty() ? o.model_a : o.model, o, json_out, code, errors);
    std::optional<Plan> b =
        plan_side(o.b, o.model.empty() ? o.model_b : o.model, o, json_out, code, errors);
    if (!a || !b) {
        if (json_out)
            std::cout << nlohmann::ordered_json{{"errors", errors}}.dump(
                             2, ' ', false, nlohmann::json::error_handler_t::replace)
                      << "\n";
        return code;
    }
    PlanDiff d = diff_plans(*a, *b);
    auto label = [](const std::string& spec) { return spec == "-" ? "(stdin)" : spec; };
    std::cout << (json_out ? report_diff_json(*a, *b, d, label(o.a), label(o.b))
                           : report_diff_text(*a, *b, d, label(o.a), label(o.b)));
    return o.exit_code && !d.same() ? kCheckFailed : kOk;
}

} // namespace

namespace {
Runner setup_diff(CLI::App& app);
const CommandRegistration diff_registration("diff", 60, setup_diff);
} // namespace

namespace {
Runner setup_diff(CLI::App& app) {
    auto o = std::make_shared<DiffOptions>();
    CLI::App* sub = app.add_subcommand(
        "diff", "Compare the plans of two specs: layers added, removed or changed, and totals");
    sub->add_option("a", o->a, "The first (old) spec; - reads stdin")
        ->required()
        ->type_name("SPEC");
    sub->add_option("b", o->b, "The second (new) spec; - reads stdin")
        ->required()
        ->type_name("SPEC");
    sub->add_option("-i,--input", o->input, "Input shape for both specs; overrides their input")
        ->type_name("SHAPE");
    sub->add_option("-f,--format", o->format, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    sub->add_option("--model", o->model,
                    "When both specs are Python or print(model) text holding several "
                    "nn.Sequential networks: the one to read from each, by the name it is "
                    "assigned to or the line it starts on")
        ->type_name("NAME");
    sub->add_option("--model-a", o->model_a, "As --model, for the first spec only")
        ->type_name("NAME");
    sub->add_option("--model-b", o->model_b, "As --model, for the second spec only")
        ->type_name("NAME");
    sub->add_option("--mode", o->mode, "Module mode for both: eval (default) or train")
        ->check(CLI::IsMember({"eval", "train"}));
    sub->add_flag("--exit-code", o->exit_code,
                  "Exit 4 when the plans differ (git diff --exit-code says 1; 1 is an invalid "
                  "network here), 0 when they are the same");
    sub->footer("Examples:\n"
                "  cnnshape diff examples/networks/funnel.json "
                "examples/networks/funnel_stride2.json\n"
                "  cnnshape diff old.json new.json --input 1x3x224x224 --format json\n"
                "  cnnshape diff old.json new.json --exit-code || echo changed\n"
                "\n"
                "Layers are matched by name. Exit codes: 0 both specs plan (with --exit-code: and "
                "do not differ),\n4 they differ (with --exit-code), 1 a network is invalid, 2 a "
                "spec is malformed or unreadable;\nwhen both specs fail, the more severe (see "
                "'cnnshape --help').");
    return [o] { return run_guarded(o->format == "json", [&] { return run_diff(*o); }); };
}

} // namespace

} // namespace cnnshape::cli
