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

// Exit codes scripts rely on, the same in every command (README "Exit codes", `cnnshape --help`).
constexpr int kOk = 0;
constexpr int kInvalidNetwork = 1; // the network is invalid: PyTorch would raise
constexpr int kUsage = 2; // bad input: malformed or unreadable spec or file, bad command line
constexpr int kInternalError = 3; // a bug in cnnshape: please report it
constexpr int kCheckFailed = 4;   // a check failed: --max-*, --expect-output, diff --exit-code
constexpr int kResourceLimit = 5; // refused by run's --memory-limit, or out of memory

// The table as --help prints it (the footer of `cnnshape --help`).
inline const char* exit_codes_help() {
    return "Exit codes:\n"
           "  0  success\n"
           "  1  invalid network: PyTorch would raise\n"
           "  2  bad input: a malformed or unreadable spec or file, or a bad command line\n"
           "  3  internal error: a bug in cnnshape (please report it)\n"
           "  4  a check failed: --max-params, --max-macs, --max-memory or --expect-output "
           "broken,\n"
           "     solve --check not met, or diff --exit-code found differences\n"
           "  5  resource limit: run refused by --memory-limit, or out of memory\n"
           "When one run has several outcomes (plan --batch lines, diff's two specs, solve "
           "--check\n"
           "expressions), it exits with the most severe: 3, 5, 2, 1, then 4.";
}

// The more severe of two outcomes: 3 > 5 > 2 > 1 > 4 > 0.
inline int most_severe(int a, int b) {
    auto rank = [](int c) {
        switch (c) {
        case kOk:
            return 0;
        case kCheckFailed:
            return 1;
        case kInvalidNetwork:
            return 2;
        case kUsage:
            return 3;
        case kResourceLimit:
            return 4;
        default:
            return 5; // kInternalError, and anything unexpected
        }
    };
    return rank(a) >= rank(b) ? a : b;
}

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
