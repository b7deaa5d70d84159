// Runs the cnnshape binary from tests and captures what it prints; compares with golden files.
#pragma once
#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace cnnshape::test {

struct Run {
    int code = -1;
    std::string out, err;
};

inline std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// `args` is appended to the binary's path as shell words; `stdin_text` is fed on standard input.
inline Run run_cli(const std::string& args, const std::string& stdin_text = "") {
    char dir[] = "/tmp/cnnshape-test-XXXXXX";
    if (!mkdtemp(dir)) return {};
    std::string d = dir;
    {
        std::ofstream in(d + "/in");
        in << stdin_text;
    }
    // Braces so that a pipeline in `args` ("... | tail -n 2") is redirected as a whole.
    std::string cmd = std::string("cd '") + CNNSHAPE_SOURCE_DIR + "' && { '" + CNNSHAPE_BINARY +
                      "' " + args + "; } <'" + d + "/in' >'" + d + "/out' 2>'" + d + "/err'";
    int status = std::system(cmd.c_str());
    Run r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(d + "/out");
    r.err = slurp(d + "/err");
    std::system(("rm -rf '" + d + "'").c_str());
    return r;
}

inline std::string source_path(const std::string& rel) {
    return std::string(CNNSHAPE_SOURCE_DIR) + "/" + rel;
}

// Compares `actual` with tests/golden/NAME; CNNSHAPE_UPDATE_GOLDEN=1 rewrites the file instead.
inline void check_golden(const std::string& name, const std::string& actual) {
    std::string path = source_path("tests/golden/" + name);
    if (std::getenv("CNNSHAPE_UPDATE_GOLDEN")) {
        std::ofstream(path, std::ios::binary) << actual;
        WARN("updated " << path);
        return;
    }
    std::string expected = slurp(path);
    REQUIRE_FALSE(expected.empty());
    CHECK(actual == expected);
}

} // namespace cnnshape::test
