// cnnshape: a thin CLI over the shape engine. Subcommands register themselves (commands.hpp).
#include "cnnshape/error.hpp"
#include "cnnshape/version.hpp"
#include "commands.hpp"
#include <algorithm>
#include <iostream>

namespace cnnshape::cli {
std::vector<CommandEntry>& command_registry() {
    static std::vector<CommandEntry> r;
    return r;
}
} // namespace cnnshape::cli

int main(int argc, char** argv) {
    using namespace cnnshape::cli;
    CLI::App app{"cnnshape: PyTorch-exact output shapes, parameter counts and costs of CNN layers"};
    app.set_version_flag("--version", std::string("cnnshape ") + CNNSHAPE_VERSION);
    app.require_subcommand(1);
    app.footer("Exit codes: 0 success, 1 invalid network (PyTorch would raise) or a failed check, "
               "2 usage error or malformed spec.\nSee 'cnnshape <command> --help'.");
    auto entries = command_registry();
    std::sort(entries.begin(), entries.end(),
              [](const CommandEntry& a, const CommandEntry& b) { return a.order < b.order; });
    std::vector<std::pair<std::string, Runner>> runners;
    for (auto& e : entries)
        runners.emplace_back(e.name, e.setup(app));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? kOk : kUsage;
    }
    // Commands handle their own errors; this is the net under them, so nothing ends in abort().
    try {
        for (auto& [name, run] : runners)
            if (app.got_subcommand(name)) return run();
    } catch (const cnnshape::SpecError& e) {
        std::cerr << "cnnshape: spec error at " << e.full() << "\n";
        return kUsage;
    } catch (const cnnshape::UsageError& e) {
        std::cerr << "cnnshape: " << e.what() << "\n";
        return kUsage;
    } catch (const cnnshape::LayerError& e) {
        std::cerr << "cnnshape: " << e.what() << "\n";
        return kInvalidNetwork;
    } catch (const cnnshape::ShapeError& e) {
        std::cerr << "cnnshape: " << e.what() << "\n";
        return kInvalidNetwork;
    } catch (const std::bad_alloc&) {
        std::cerr << "cnnshape: out of memory\n";
        return kUsage;
    } catch (const std::exception& e) {
        std::cerr << "cnnshape: internal error: " << e.what() << "\n";
        return kInternalError;
    }
    return kUsage;
}
