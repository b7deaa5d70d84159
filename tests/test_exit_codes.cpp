// Exit codes, one per outcome, the same in every command (README "Exit codes"): 0 ok, 1 invalid
// network, 2 bad input, 3 internal error, 4 a check failed, 5 a resource limit. Codes 3 and 5 that
// cannot be provoked from outside come from CNNSHAPE_FAULT (src/core/fault.cpp), which makes the
// planner (or `layers`) throw a logic_error or a bad_alloc.
#include "cli_support.hpp"
#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

using cnnshape::test::run_cli;

namespace {

// run_cli with CNNSHAPE_FAULT set for the child, unset again afterwards.
cnnshape::test::Run run_with_fault(const char* fault, const std::string& args,
                                   const std::string& stdin_text = "") {
    setenv("CNNSHAPE_FAULT", fault, 1);
    auto r = run_cli(args, stdin_text);
    unsetenv("CNNSHAPE_FAULT");
    return r;
}

const char* kFunnel = "examples/networks/funnel.json";
const char* kInvalid = "examples/networks/invalid/maxpool_output_too_small.json";
const char* kMalformed = "examples/networks/invalid/misspelled_keyword.json";

} // namespace

TEST_CASE("exit codes: every command, every outcome it can have", "[cli][exit]") {
    struct Case {
        std::string args;
        int code;
        const char* fault; // CNNSHAPE_FAULT, or nullptr
        const char* err;   // stderr contains
    };
    const std::string f = kFunnel, inv = kInvalid, bad = kMalformed;
    auto c = GENERATE_COPY(
        // plan
        Case{"plan " + f, 0, nullptr, ""},
        Case{"plan " + inv, 1, nullptr, "Output size is too small"},
        Case{"plan " + bad, 2, nullptr, "kernal_size"},
        Case{"plan " + f, 3, "internal", "internal error: fault injected in make_plan"},
        Case{"plan " + f + " --max-params 1k", 4, nullptr, "check failed: params"},
        Case{"plan " + f + " --expect-output 1x1", 4, nullptr, "check failed: output shape"},
        Case{"plan " + f, 5, "oom", "cnnshape: out of memory"},
        // explain
        Case{"explain " + f, 0, nullptr, ""},
        Case{"explain " + inv, 1, nullptr, "Output size is too small"},
        Case{"explain " + bad, 2, nullptr, "kernal_size"},
        Case{"explain " + f, 3, "internal", "internal error"},
        Case{"explain " + f, 5, "oom", "out of memory"},
        // run
        Case{"run --layer 'nn.ReLU()' --input 2", 0, nullptr, ""},
        Case{"run --layer 'nn.Conv2d(3, 8, 3)' --input 1x4x8x8", 1, nullptr, "expected input"},
        Case{"run --layer 'nn.ReLU()'", 2, nullptr, "no input"},
        Case{"run --layer 'nn.ReLU()' --input 2", 3, "internal", "internal error"},
        Case{"run --layer 'nn.ReLU()' --input 1x3x64x64 --memory-limit 1000", 5, nullptr,
             "refusing to run"},
        Case{"run --layer 'nn.ReLU()' --input 2", 5, "oom", "out of memory"},
        Case{"run --layer 'nn.ReLU()' --input 2 --max-memory 1k", 2, nullptr,
             "run --max-memory is now --memory-limit"},
        // solve
        Case{"solve --input 10 --output 3 --layer MaxPool2d", 0, nullptr, ""},
        Case{"solve --input 10 --output 30 --layer MaxPool2d", 1, nullptr, ""},
        Case{"solve --input 10 --output 3", 2, nullptr, "--layer"},
        Case{"solve --input 10 --output 3 --layer MaxPool2d", 3, "internal", "internal error"},
        Case{"solve --input 10 --output 3 --check 'nn.MaxPool2d(2)'", 4, nullptr, ""},
        Case{"solve --input 10 --output 3 --layer MaxPool2d", 5, "oom", "out of memory"},
        // diff
        Case{"diff " + f + " " + f + " --exit-code", 0, nullptr, ""},
        Case{"diff " + f + " " + inv, 1, nullptr, "Output size is too small"},
        Case{"diff " + f + " " + bad, 2, nullptr, "kernal_size"},
        Case{"diff " + f + " " + f, 3, "internal", "internal error"},
        Case{"diff " + f + " examples/networks/funnel_stride2.json --exit-code", 4, nullptr, ""},
        Case{"diff " + f + " " + f, 5, "oom", "out of memory"},
        // layers
        Case{"layers Conv2d", 0, nullptr, ""},
        Case{"layers Conv4d", 2, nullptr, "unknown layer type"},
        Case{"layers", 3, "internal", "internal error"}, Case{"layers", 5, "oom", "out of memory"},
        // the command line itself
        Case{"", 2, nullptr, "cnnshape: a command is required"},
        Case{"plna " + f, 2, nullptr, "cnnshape: unknown command 'plna'; did you mean 'plan'?"},
        Case{"plan " + f + " --inptu 1x3x8x8", 2, nullptr,
             "cnnshape: unknown option '--inptu'; did you mean '--input'?"});
    CAPTURE(c.args, c.fault ? c.fault : "");
    auto r = c.fault ? run_with_fault(c.fault, c.args) : run_cli(c.args);
    CHECK(r.code == c.code);
    CHECK_THAT(r.err, Catch::Contains(c.err));
    if (c.code == 0 || c.code == 4) CHECK(!r.out.empty()); // the report is still printed
}

TEST_CASE("exit codes 3 and 5 in JSON carry the code in the error object", "[cli][exit]") {
    for (auto [fault, code] : {std::pair<const char*, int>{"internal", 3}, {"oom", 5}}) {
        CAPTURE(fault);
        auto r = run_with_fault(fault, std::string("plan ") + kFunnel + " --format json");
        CHECK(r.code == code);
        auto j = nlohmann::json::parse(r.out);
        CHECK(j["error"]["exit_code"] == code);
    }
}

TEST_CASE("several outcomes in one run give the most severe code", "[cli][exit]") {
    // plan --batch: a malformed line (2) outranks an invalid one (1), an internal error (3) both.
    auto b = run_cli("plan --batch", "1x1x6x6 nn.MaxPool2d(7)\n1x1x6x6 nn.MaxPol2d(2)\n");
    CHECK(b.code == 2);
    auto only_invalid = run_cli("plan --batch", "1x1x6x6 nn.MaxPool2d(7)\n1x1x6x6 nn.ReLU()\n");
    CHECK(only_invalid.code == 1);
    auto bug =
        run_with_fault("internal", "plan --batch", "1x1x6x6 nn.MaxPol2d(2)\n1x4 nn.ReLU()\n");
    CHECK(bug.code == 3);
    CHECK_THAT(bug.out, Catch::Contains("\"exit_code\": 3"));
    // diff: an invalid B (1) outranks the difference --exit-code reports (4)
    auto d = run_cli(std::string("diff ") + kFunnel + " " + kInvalid + " --exit-code");
    CHECK(d.code == 1);
    // solve --check: an unreadable expression (2) outranks a check not met (4)
    auto s = run_cli("solve --input 10 --output 3 --check 'nn.MaxPool2d(2)' 'nn.MaxPool2d(2'");
    CHECK(s.code == 2);
}

TEST_CASE("the command line: help, version and suggestions", "[cli][exit]") {
    auto help = run_cli("help");
    CHECK(help.code == 0);
    CHECK_THAT(help.out, Catch::Contains("Exit codes:"));
    auto help_plan = run_cli("help plan");
    CHECK(help_plan.code == 0);
    CHECK(help_plan.out == run_cli("plan --help").out);
    auto v = run_cli("-V");
    CHECK(v.code == 0);
    CHECK(v.out == run_cli("--version").out);
    auto many = run_cli(std::string("plan ") + kFunnel + " --max 1");
    CHECK(many.code == 2);
    CHECK_THAT(many.err, Catch::Contains("did you mean '--max-params', '--max-macs' or "
                                         "'--max-memory'?"));
    auto prefix = run_cli(std::string("plan ") + kFunnel + " --max-param 1k");
    CHECK(prefix.code == 2);
    CHECK_THAT(prefix.err, Catch::Contains("did you mean '--max-params'?"));
    auto none = run_cli("plan --zzzzzz");
    CHECK(none.code == 2);
    CHECK_THAT(none.err, Catch::StartsWith("cnnshape: unknown option '--zzzzzz'\n"));
    auto unknown_help = run_cli("help plna");
    CHECK(unknown_help.code == 2);
    CHECK_THAT(unknown_help.err, Catch::Contains("did you mean 'plan'?"));
}
