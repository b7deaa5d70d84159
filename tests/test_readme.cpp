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

namespace {

struct BadInput {
    std::string command, contains;
    int code = 0;
};

std::string unescape_cell(std::string cell) {
    // Markdown table cells escape '|' as '\|'; commands and texts are in backticks.
    std::string out;
    for (std::size_t i = 0; i < cell.size(); ++i) {
        if (cell[i] == '\\' && i + 1 < cell.size() && cell[i + 1] == '|') continue;
        out += cell[i];
    }
    auto a = out.find('`'), b = out.rfind('`');
    return (a != std::string::npos && b > a) ? out.substr(a + 1, b - a - 1) : out;
}

std::vector<std::string> split_row(const std::string& line) {
    std::vector<std::string> cells;
    std::string cur;
    for (std::size_t i = 1; i < line.size(); ++i) {
        if (line[i] == '|' && line[i - 1] != '\\') {
            cells.push_back(cur);
            cur.clear();
        } else {
            cur += line[i];
        }
    }
    return cells;
}

std::vector<BadInput> bad_inputs(const std::string& readme) {
    std::vector<BadInput> rows;
    auto start = readme.find("<!-- bad-inputs");
    REQUIRE(start != std::string::npos);
    std::istringstream in(readme.substr(start));
    std::string line;
    std::getline(in, line); // the marker
    std::getline(in, line); // header
    std::getline(in, line); // rule
    while (std::getline(in, line) && !line.empty() && line[0] == '|') {
        auto cells = split_row(line);
        REQUIRE(cells.size() >= 4);
        rows.push_back({unescape_cell(cells[1]), unescape_cell(cells[3]), std::stoi(cells[2])});
    }
    return rows;
}

} // namespace

TEST_CASE("README's bad-input table is true", "[readme][cli]") {
    auto rows = bad_inputs(slurp(source_path("README.md")));
    REQUIRE(rows.size() >= 15);
    for (auto& r : rows) {
        CAPTURE(r.command);
        // Run through the shell from the source directory, with `cnnshape` the built binary.
        std::string cmd = r.command, bin = std::string("'") + CNNSHAPE_BINARY + "'";
        for (std::size_t p = 0; (p = cmd.find("cnnshape ", p)) != std::string::npos;) {
            cmd.replace(p, 8, bin);
            p += bin.size();
        }
        std::string err = "/tmp/cnnshape-bad-" + std::to_string(getpid()) + ".err";
        std::string full = std::string("cd '") + CNNSHAPE_SOURCE_DIR + "' && { " + cmd +
                           "; } >/dev/null 2>'" + err + "'";
        int status = std::system(full.c_str());
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        CHECK(code == r.code);
        CHECK_THAT(slurp(err), Catch::Contains(r.contains));
        std::remove(err.c_str());
    }
}
