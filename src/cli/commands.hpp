// Subcommands: each has an options struct, a setup function that binds CLI11 options, and a run
// function that calls the library. No shape math lives here.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cnnshape::cli {

// Exit codes scripts rely on.
constexpr int kOk = 0;
constexpr int kInvalidNetwork = 1;
constexpr int kUsage = 2;

using Runner = std::function<int()>;

Runner setup_plan(CLI::App& app);
Runner setup_layers(CLI::App& app);

} // namespace cnnshape::cli
