// The README's examples are run exactly as written: every ```console block's "$ cnnshape ..."
// commands, with the output that follows them, and "$ echo $?" checking the exit code.
#include "cli_support.hpp"
#include <catch2/catch.hpp>

using cnnshape::test::run_cli;
using cnnshape::test::slurp;
using cnnshape::test::source_path;

namespace {

struct Example {
    std::string command; // after "$ cnnshape "
    std::string expected_output;
    int expected_code = 0;
};

std::vector<Example> console_examples(const std::string& readme) {
    std::vector<Example> out;
    std::istringstream in(readme);
    std::string line;
    bool inside = false;
    while (std::getline(in, line)) {
        if (!inside) {
            inside = line == "```console";
            continue;
        }
        if (line == "```") {
            inside = false;
            continue;
        }
        if (line.rfind("$ cnnshape", 0) == 0) {
            out.push_back(Example{line.substr(std::string("$ cnnshape").size()), "", 0});
        } else if (line == "$ echo $?") {
            std::getline(in, line);
            REQUIRE_FALSE(out.empty());
            out.back().expected_code = std::stoi(line);
        } else {
            REQUIRE_FALSE(out.empty());
            out.back().expected_output += line + "\n";
        }
    }
    return out;
}

} // namespace

TEST_CASE("README examples run as written", "[readme][cli]") {
    auto examples = console_examples(slurp(source_path("README.md")));
    REQUIRE(examples.size() >= 8);
    for (auto& e : examples) {
        CAPTURE(e.command);
        auto r = run_cli(e.command);
        CHECK(r.code == e.expected_code);
        CHECK(r.out + r.err == e.expected_output);
    }
}
