// cnnshape layers [NAME]: the layer types cnnshape knows, with PyTorch's signatures.
#include "cnnshape/fault.hpp"
#include "cnnshape/layer.hpp"
#include "commands.hpp"
#include "common.hpp"
#include <iostream>

namespace cnnshape::cli {
namespace {

std::string signature(const LayerType& t) {
    if (t.accepts_anything) return t.name + "(*args, **kwargs)";
    std::string s = t.name + "(";
    bool star = false;
    for (std::size_t i = 0; i < t.params.size(); ++i) {
        const ParamSpec& p = t.params[i];
        if (i) s += ", ";
        if (p.keyword_only && !star) {
            s += "*, ";
            star = true;
        }
        s += p.name;
        if (!p.required) s += "=" + p.default_value.repr();
    }
    s += ")";
    for (std::size_t i = 0; i < t.aliases.size(); ++i)
        s += (i ? ", " : "  also ") + t.aliases[i];
    return s;
}

} // namespace

namespace {
Runner setup_layers(CLI::App& app);
const CommandRegistration layers_registration("layers", 90, setup_layers);
} // namespace

namespace {
Runner setup_layers(CLI::App& app) {
    auto name = std::make_shared<std::string>();
    CLI::App* sub = app.add_subcommand("layers", "List the supported layer types and their "
                                                 "PyTorch signatures");
    sub->add_option("name", *name, "Show only this layer type, e.g. Conv2d");
    sub->footer("Example:\n  cnnshape layers MaxPool2d");
    Runner run = [name]() {
        fault_point("layers");
        if (!name->empty()) {
            const LayerType* t = find_layer_type(*name);
            if (!t) {
                std::cerr << "cnnshape: " << unknown_layer_message(*name) << "\n";
                return kUsage;
            }
            std::cout << signature(*t) << "\n";
            return kOk;
        }
        for (auto& t : layer_types())
            std::cout << signature(t) << "\n";
        return kOk;
    };
    return [run] { return run_guarded(false, run); };
}

} // namespace

} // namespace cnnshape::cli
