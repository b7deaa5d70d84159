// cnnshape: a thin CLI over the shape engine.
#include "cnnshape/version.hpp"
#include "commands.hpp"
#include <iostream>

int main(int argc, char** argv) {
    using namespace cnnshape::cli;
    CLI::App app{"cnnshape: PyTorch-exact output shapes, parameter counts and costs of CNN layers"};
    app.set_version_flag("--version", std::string("cnnshape ") + CNNSHAPE_VERSION);
    app.require_subcommand(1);
    app.footer(
        "Exit codes: 0 valid network, 1 invalid network (PyTorch would raise), 2 usage error "
        "or malformed spec.\nSee 'cnnshape <command> --help'.");
    std::vector<std::pair<CLI::App*, Runner>> commands;
    Runner plan = setup_plan(app);
    Runner layers = setup_layers(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? kOk : kUsage;
    }
    if (app.got_subcommand("plan")) return plan();
    if (app.got_subcommand("layers")) return layers();
    return kUsage;
}
