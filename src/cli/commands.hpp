// Subcommands: each lives in its own cmd_<name>.cpp with an options struct, a setup function that
// binds CLI11 options, and a run function that calls the library. No shape math lives here.
// A command registers itself with a static CommandRegistration, so adding one touches no other
// file.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cnnshape::cli {

// Exit codes scripts rely on.
constexpr int kOk = 0;
constexpr int kInvalidNetwork = 1; // PyTorch would raise; or a CI assertion failed
constexpr int kUsage = 2;          // usage error, unreadable file, malformed spec
constexpr int kInternalError = 3;  // a bug in cnnshape: please report it

using Runner = std::function<int()>;
using Setup = Runner (*)(CLI::App& app); // adds the subcommand, returns its runner

struct CommandEntry {
    std::string name;
    int order; // position in --help
    Setup setup;
};

std::vector<CommandEntry>& command_registry();

struct CommandRegistration {
    CommandRegistration(const char* name, int order, Setup setup) {
        command_registry().push_back({name, order, setup});
    }
};

} // namespace cnnshape::cli
