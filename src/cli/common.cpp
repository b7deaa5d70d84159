#include "common.hpp"
#include "cnnshape/shape.hpp"
#include "commands.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

namespace cnnshape::cli {

nlohmann::ordered_json candidates_json(const std::vector<ModelCandidate>& cs) {
    using json = nlohmann::ordered_json;
    json out = json::array();
    for (const auto& c : cs)
        out.push_back(json{{"name", c.name.empty() ? json(nullptr) : json(c.name)},
                           {"line", c.line},
                           {"kind", c.kind}});
    return out;
}

void print_error_json(const std::string& message, const std::string& where, const LayerError* le,
                      int code, const std::vector<ModelCandidate>* candidates) {
    using json = nlohmann::ordered_json;
    json e{{"message", message},
           {"where", where},
           {"layer", le ? json(le->index()) : json(nullptr)},
           {"name", le ? json(le->name()) : json(nullptr)},
           {"type", le ? json(le->type()) : json(nullptr)},
           {"exit_code", code}};
    if (candidates) e["candidates"] = candidates_json(*candidates);
    std::cout << json{{"error", e}}.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

int report_spec_error(const SpecError& e, const std::string& spec, bool json_out) {
    const std::string file = spec == "-" ? "" : spec;
    const std::string place = file.empty()        ? e.place()
                              : e.place().empty() ? file
                                                  : file + " at " + e.place();
    std::cerr << "cnnshape: spec error"
              << (place.empty() ? "" : (file.empty() ? " at " : " in ") + place) << ": " << e.what()
              << "\n";
    auto* choice = dynamic_cast<const ModelChoiceError*>(&e);
    if (json_out)
        print_error_json(e.what(), place, nullptr, kUsage,
                         choice ? &choice->candidates() : nullptr);
    return kUsage;
}

void print_layer_error(const LayerError& e, const Network& net, const std::string& spec) {
    std::cerr << "cnnshape: " << e.what() << "\n";
    std::cerr << "  (defined at " << net.nodes.at(e.index()).where
              << (spec.empty() ? "" : " in " + spec) << ")\n";
}

int report_layer_error(const LayerError& e, const Network& net, const std::string& spec,
                       bool json_out) {
    print_layer_error(e, net, spec);
    if (json_out) print_error_json(e.what(), net.nodes.at(e.index()).where, &e, kInvalidNetwork);
    return kInvalidNetwork;
}

int report_error(const std::string& message, int code, bool json_out) {
    std::cerr << "cnnshape: " << message << "\n";
    if (json_out) print_error_json(message, "", nullptr, code);
    return code;
}

int report_usage_error(const std::string& message, bool json_out) {
    return report_error(message, kUsage, json_out);
}

int run_guarded(bool json_out, const std::function<int()>& body) {
    try {
        return body();
    } catch (const SpecError& e) {
        return report_spec_error(e, "", json_out);
    } catch (const UsageError& e) {
        return report_usage_error(e.what(), json_out);
    } catch (const LayerError& e) {
        std::cerr << "cnnshape: " << e.what() << "\n";
        if (json_out) print_error_json(e.what(), "", &e, kInvalidNetwork);
        return kInvalidNetwork;
    } catch (const ShapeError& e) {
        return report_error(e.what(), kInvalidNetwork, json_out);
    } catch (const ResourceError& e) {
        return report_error(e.what(), kResourceLimit, json_out);
    } catch (const std::bad_alloc&) {
        return report_error("out of memory", kResourceLimit, json_out);
    } catch (const std::filesystem::filesystem_error& e) {
        return report_usage_error(e.what(), json_out);
    } catch (const std::exception& e) {
        return report_error(std::string("internal error: ") + e.what() +
                                " (this is a bug in cnnshape; please report it)",
                            kInternalError, json_out);
    }
}

void print_reader_notes(const Network& net) {
    for (const std::string& n : net.notes)
        std::cerr << "cnnshape: note: " << n << "\n";
    // Grouped by layer type and arguments, so that a VGG's five MaxPool2d take one line.
    std::vector<std::pair<std::string, std::vector<std::string>>> groups;
    for (const Node& n : net.nodes) {
        if (n.assumed.empty()) continue;
        std::string args;
        for (const std::string& a : n.assumed) {
            const Value* v = n.layer->args().find(a);
            args += (args.empty() ? "" : ", ") + a + "=" + (v ? v->repr() : "?");
        }
        std::string key = n.layer->type() + ": " + args;
        auto g =
            std::find_if(groups.begin(), groups.end(), [&](auto& x) { return x.first == key; });
        if (g == groups.end()) {
            groups.push_back({key, {}});
            g = groups.end() - 1;
        }
        g->second.push_back(n.name);
    }
    if (groups.empty()) return;
    std::cerr << "cnnshape: warning: print(model) text does not show every argument; these were "
                 "taken at their defaults (write the layers as Python or JSON to give them):\n";
    for (auto& [key, names] : groups) {
        std::string type = key.substr(0, key.find(':'));
        std::string list;
        for (std::size_t i = 0; i < names.size() && i < 8; ++i)
            list += (i ? ", " : "") + names[i];
        if (names.size() > 8) list += ", ... (" + std::to_string(names.size()) + " layers)";
        std::cerr << "  " << (names.size() > 1 ? "layers " : "layer ") << list << " (" << type
                  << ")" << key.substr(key.find(':')) << "\n";
    }
}

Network load_network(const std::string& verb, const std::string& spec,
                     const std::vector<std::string>& layers, const std::string& mode,
                     const std::string& model, const std::string& input) {
    if (!spec.empty() && !layers.empty())
        throw UsageError("give a spec file or --layer expressions, not both");
    if (spec.empty() && layers.empty())
        throw UsageError("nothing to " + verb +
                         ": give a spec file (or - for stdin) or --layer EXPR");
    if (!model.empty() && spec.empty())
        throw UsageError("--model chooses among the networks of a Python or print(model) spec; "
                         "--layer expressions make one network");
    // A Python model file's forward() is read on the input shape, in the mode asked for.
    ReadHints hints;
    if (!input.empty()) {
        try {
            hints.input = parse_shape(input);
        } catch (const UsageError&) {
            // run's --input may be a file or a literal: the reader uses the file's example
        }
    }
    if (mode == "train") hints.mode = Mode::Train;
    if (mode == "eval") hints.mode = Mode::Eval;
    Network net = spec.empty() ? network_from_exprs(layers) : load_spec_file(spec, model, hints);
    print_reader_notes(net);
    if (mode == "train")
        net.mode = Mode::Train;
    else if (mode == "eval")
        net.mode = Mode::Eval;
    return net;
}

void print_input_note(const Network& net, const std::string& input) {
    if (input.empty() && net.input && !net.input_note.empty())
        std::cerr << "cnnshape: note: " << net.input_note << "\n";
}

void set_input_shape(Network& net, const std::string& input) {
    print_input_note(net, input);
    if (!input.empty()) net.input = parse_shape(input);
    if (!net.input)
        throw UsageError("no input shape: pass --input SHAPE (e.g. --input 1x3x224x224) or put "
                         "\"input\" in the spec");
}

} // namespace cnnshape::cli
