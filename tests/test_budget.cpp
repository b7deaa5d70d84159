// CI checks on the command line: budget assertions on `plan` (--expect-output, --max-params,
// --max-macs, --max-memory) and many questions in one process with `plan --batch`.
#include "cli_support.hpp"
#include "support.hpp"

#include "cnnshape/budget.hpp"
#include "cnnshape/error.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace cnnshape;
using cnnshape::test::run_cli;
using cnnshape_test::plan_exprs;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        out.push_back(line);
    return out;
}

} // namespace

TEST_CASE("limits are read with decimal and binary suffixes", "[budget]") {
    struct Case {
        const char* text;
        bool bytes;
        std::int64_t value;
    };
    auto c = GENERATE(
        Case{"0", false, 0}, Case{"10000000", false, 10000000}, Case{"10_000_000", false, 10000000},
        Case{"10,000,000", false, 10000000}, Case{"10M", false, 10000000},
        Case{"1.5G", false, 1500000000}, Case{"12k", false, 12000}, Case{"12K", false, 12000},
        Case{"2T", false, 2000000000000}, Case{"1e7", false, 10000000}, Case{"2.5e3", false, 2500},
        Case{" 3M ", false, 3000000}, Case{"512Ki", false, 524288}, Case{"1Mi", false, 1048576},
        Case{"2Gi", false, 2147483648}, Case{"1Ti", false, 1099511627776},
        Case{"0.5Ki", false, 512}, Case{"500MB", true, 500000000}, Case{"2GiB", true, 2147483648},
        Case{"100B", true, 100}, Case{"9223372036854775807", false, 9223372036854775807});
    CAPTURE(c.text, c.bytes);
    CHECK(parse_quantity(c.text, "--max-x", c.bytes) == c.value);
}

TEST_CASE("limits that are not whole non-negative 64-bit numbers are usage errors", "[budget]") {
    struct Case {
        const char* text;
        bool bytes;
        const char* why;
    };
    auto c = GENERATE(
        Case{"", false, "empty"}, Case{"-1", false, "negative"},
        Case{"ten", false, "expected a whole number"}, Case{"10m", false, "unknown suffix 'm'"},
        Case{"10MB", false, "unknown suffix 'MB'"}, Case{"10Mb", true, "unknown suffix 'Mb'"},
        Case{"1.5", false, "not a whole number"}, Case{"0.3Ki", false, "not a whole number"},
        Case{"9223372036854775808", false, "does not fit in 64 bits"},
        Case{"1e30", false, "does not fit in 64 bits"}, Case{"10MM", false, "unknown suffix"},
        Case{"1.", false, "expected"});
    CAPTURE(c.text, c.bytes);
    auto e = cnnshape_test::expect_error<UsageError>(
        [&] { parse_quantity(c.text, "--max-params", c.bytes); });
    CHECK_THAT(e.what(), Catch::StartsWith("--max-params: invalid value"));
    CHECK_THAT(e.what(), Catch::Contains(c.why));
}

TEST_CASE("the memory limit counts activations + params + buffers, not the input", "[budget]") {
    Plan p = plan_exprs({"nn.Conv2d(3, 8, 3)", "nn.BatchNorm2d(8)"}, {1, 3, 10, 10});
    // conv 8x3x3x3+8 = 224 params, BN 16 params; BN buffers 8+8 floats and an int64.
    std::int64_t activations = 2 * 8 * 8 * 8 * 4, params = (224 + 16) * 4, buffers = 16 * 4 + 8;
    CHECK(p.totals.activation_bytes == activations);
    CHECK(budget_memory(p.totals) == activations + params + buffers);

    Budget exact;
    exact.max_memory = activations + params + buffers;
    CHECK(check_budget(p, exact).at(0).ok);
    Budget under;
    under.max_memory = activations + params + buffers - 1;
    auto c = check_budget(p, under).at(0);
    CHECK_FALSE(c.ok);
    CHECK(c.message == "memory 5,128 B > max 5,127 B (by 1 B, 0.0%; activations + params + "
                       "buffers)");
}

TEST_CASE("each broken limit says which and by how much", "[budget]") {
    Plan p = plan_exprs({"nn.Conv2d(3, 8, 3)"}, {1, 3, 10, 10}); // 224 params, 13,824 MACs
    Budget b;
    b.expect_output = Shape{1, 8, 8, 8};
    b.max_params = 200;
    b.max_macs = 20000;
    b.max_memory = 0;
    auto checks = check_budget(p, b);
    REQUIRE(checks.size() == 4);
    CHECK(checks[0].name == "output_shape");
    CHECK(checks[0].ok);
    CHECK(checks[1].name == "params");
    CHECK_FALSE(checks[1].ok);
    CHECK(checks[1].message == "params 224 > max 200 (by 24, 12.0%)");
    CHECK(checks[2].name == "macs");
    CHECK(checks[2].ok);
    CHECK(checks[3].name == "memory");
    CHECK(checks[3].message == "memory 2,944 B > max 0 B (by 2,944 B; activations + params + "
                               "buffers)"); // no percentage of a zero limit

    b.expect_output = Shape{1, 8, 6, 6};
    auto wrong = check_budget(p, b).at(0);
    CHECK_FALSE(wrong.ok);
    CHECK(wrong.message == "output shape 1x8x8x8 != expected 1x8x6x6");
    CHECK(checks_json(check_budget(p, b)) ==
          "[{\"name\": \"output_shape\", \"limit\": [1, 8, 6, 6], \"actual\": [1, 8, 8, 8], "
          "\"ok\": false}, {\"name\": \"params\", \"limit\": 200, \"actual\": 224, \"ok\": false}, "
          "{\"name\": \"macs\", \"limit\": 20000, \"actual\": 13824, \"ok\": true}, {\"name\": "
          "\"memory\", \"limit\": 0, \"actual\": 2944, \"ok\": false}]");
}

TEST_CASE("plan checks: the report is printed, then a line per broken limit, exit 4", "[cli]") {
    auto r = run_cli("plan examples/networks/resnet18.json --max-params 10M --max-macs 2G "
                     "--expect-output 1x1000");
    CHECK(r.code == 4);
    CHECK_THAT(r.out, Catch::StartsWith("resnet18: input 1x3x224x224 -> output 1x1000"));
    CHECK(r.err == "cnnshape: check failed: params 11,689,512 > max 10,000,000 (by 1,689,512, "
                   "16.9%)\n");

    auto ok = run_cli("plan examples/networks/resnet18.json --max-params 11.7M --max-macs 1.9G "
                      "--max-memory 80MB --expect-output 1,1000");
    CHECK(ok.code == 0);
    CHECK(ok.err.empty());

    auto all = run_cli("plan examples/networks/resnet18.json --max-params 10Mi --max-macs 1G "
                       "--max-memory 50MB --expect-output 1x10 --format csv");
    CHECK(all.code == 4);
    CHECK_THAT(all.out, Catch::StartsWith("index,name,type"));
    CHECK(lines_of(all.err) ==
          std::vector<std::string>{
              "cnnshape: check failed: output shape 1x1000 != expected 1x10",
              "cnnshape: check failed: params 11,689,512 > max 10,485,760 (by 1,203,752, 11.5%)",
              "cnnshape: check failed: MACs 1,814,073,344 > max 1,000,000,000 (by 814,073,344, "
              "81.4%)",
              "cnnshape: check failed: memory 79,720,160 B > max 50,000,000 B (by 29,720,160 B, "
              "59.4%; activations + params + buffers)"});
}

TEST_CASE("plan checks in JSON add a checks array to the report", "[cli]") {
    auto r = run_cli("plan examples/networks/funnel.json --format json --max-params 1k "
                     "--max-macs 6M --expect-output 16x26x26");
    CHECK(r.code == 4);
    auto j = nlohmann::ordered_json::parse(r.out);
    CHECK(j["totals"]["params"] == 1392); // the report is all there
    REQUIRE(j.contains("checks"));
    CHECK(j.back() == j["checks"]); // the last field
    CHECK(j["checks"] == nlohmann::ordered_json::parse(
                             R"([{"name": "output_shape", "limit": [16, 26, 26],
                                  "actual": [16, 26, 26], "ok": true},
                                 {"name": "params", "limit": 1000, "actual": 1392, "ok": false},
                                 {"name": "macs", "limit": 6000000, "actual": 5634432,
                                  "ok": true}])"));
    auto plain = run_cli("plan examples/networks/funnel.json --format json");
    CHECK_FALSE(nlohmann::json::parse(plain.out).contains("checks"));
}

TEST_CASE("plan checks: bad limits are usage errors, invalid networks stay exit 1", "[cli]") {
    struct Case {
        const char* args;
        int code;
        const char* message;
    };
    auto c = GENERATE(
        Case{"plan examples/networks/funnel.json --max-params 10m", 2,
             "--max-params: invalid value '10m': unknown suffix 'm'"},
        Case{"plan examples/networks/funnel.json --max-memory lots", 2,
             "--max-memory: invalid value 'lots'"},
        Case{"plan examples/networks/funnel.json --expect-output 16x26xx", 2, "invalid shape"},
        Case{"plan --input 1x1x6x6 --layer \"nn.MaxPool2d(7)\" --max-params 1", 1,
             "Output size is too small"});
    CAPTURE(c.args);
    auto r = run_cli(c.args);
    CHECK(r.code == c.code);
    CHECK_THAT(r.err, Catch::Contains(c.message));
}

TEST_CASE("plan --batch answers a JSON line per question", "[cli][batch]") {
    std::string input = "1x1x6x6 nn.MaxPool2d(2, 2) nn.Conv2d(1, 4, 3)\n"
                        "\n"
                        "# comments and blank lines get no answer\n"
                        "1x3x32x32 nn.Conv2d(3, 8, 3, padding=1); nn.ReLU ()  ;MaxPool2d((2, 2))\n"
                        "[1, 3, 8, 8]\n"
                        "torch.Size([1, 3, 8, 8]) nn.Upsample(scale_factor=2, mode='bilinear')\n";
    auto r = run_cli("plan --batch", input);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK(lines_of(r.out) ==
          std::vector<std::string>{
              R"({"line": 1, "output_shape": [1, 4, 1, 1], "params": 40, "macs": 36})",
              R"({"line": 4, "output_shape": [1, 8, 16, 16], "params": 224, "macs": 221184})",
              R"({"line": 5, "output_shape": [1, 3, 8, 8], "params": 0, "macs": 0})",
              R"({"line": 6, "output_shape": [1, 3, 16, 16], "params": 0, "macs": 0})"});
}

TEST_CASE("plan --batch: a bad line gets an error answer, the exit code is the worst", "[cli]") {
    std::string invalid = "1x1x6x6 nn.MaxPool2d(2)\n1x1x6x6 nn.MaxPool2d(7)\n";
    auto r = run_cli("plan --batch", invalid);
    CHECK(r.code == 1);
    auto lines = lines_of(r.out);
    REQUIRE(lines.size() == 2);
    auto e = nlohmann::json::parse(lines[1]);
    CHECK(e["line"] == 2);
    CHECK(e["exit_code"] == 1);
    CHECK(e["error"]["exit_code"] == 1);
    CHECK(e["error"]["layer"] == 0);
    CHECK(e["error"]["type"] == "MaxPool2d");
    CHECK(e["error"]["where"] == "expression 1");
    CHECK_THAT(e["error"]["message"].get<std::string>(),
               Catch::Contains("Output size is too small"));

    auto m = run_cli("plan --batch", invalid + "3xbad nn.ReLU()\n1x1x6x6 nn.Conv2d(1, 2, 3\n" +
                                         "1x1x6x6 nn.ReLU() nn.Conv9d(1)\n");
    CHECK(m.code == 2);
    lines = lines_of(m.out);
    REQUIRE(lines.size() == 5);
    auto shape = nlohmann::json::parse(lines[2]);
    CHECK(shape["exit_code"] == 2);
    CHECK(shape["error"]["where"] == "shape");
    CHECK(shape["error"]["layer"].is_null());
    auto syntax = nlohmann::json::parse(lines[3]);
    CHECK(syntax["exit_code"] == 2);
    CHECK_THAT(syntax["error"]["where"].get<std::string>(), Catch::StartsWith("expression 1"));
    auto unknown = nlohmann::json::parse(lines[4]);
    CHECK(unknown["error"]["where"] == "expression 2");

    auto empty = run_cli("plan --batch", " ; \n1x3x4x4 ;; nn.ReLU()\n");
    CHECK(empty.code == 2);
    CHECK(lines_of(empty.out) ==
          std::vector<std::string>{
              R"({"line": 1, "error": {"message": "expected a shape, then layer expressions", )"
              R"("where": "shape", "layer": null, "name": null, "type": null, "exit_code": 2}, )"
              R"("exit_code": 2})",
              R"({"line": 2, "output_shape": [1, 3, 4, 4], "params": 0, "macs": 0})"});
}

TEST_CASE("plan --batch refuses options that belong to a single plan", "[cli]") {
    auto args = GENERATE(as<std::string>{}, "plan --batch examples/networks/funnel.json",
                         "plan --batch --input 1x3x8x8", "plan --batch --max-params 1M",
                         "plan --batch --format csv");
    CAPTURE(args);
    auto r = run_cli(args, "1x1x6x6 nn.ReLU()\n");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains("--batch"));
    CHECK(run_cli("plan --batch --format json --mode train", "1x3x4x4 nn.BatchNorm2d(3)\n").code ==
          0);
}

TEST_CASE("plan --batch answers every one of thousands of lines", "[cli][batch]") {
    // Lines per second are measured by bench/scale_bench.cpp, not here.
    const int n = 5000;
    std::string input;
    for (int i = 0; i < n; ++i)
        input += "1x3x" + std::to_string(16 + i % 48) +
                 "x32 nn.Conv2d(3, 16, 3, padding=1) nn.ReLU() nn.MaxPool2d(2, 2) "
                 "nn.Conv2d(16, 32, 3, stride=2) nn.BatchNorm2d(32) nn.AdaptiveAvgPool2d(1) "
                 "nn.Flatten() nn.Linear(32, 10)\n";
    auto r = run_cli("plan --batch", input);
    REQUIRE(r.code == 0);
    auto lines = lines_of(r.out);
    REQUIRE(lines.size() == std::size_t(n));
    CHECK(lines.back() ==
          R"({"line": 5000, "output_shape": [1, 10], "params": 5482, "macs": 479552})");
}

TEST_CASE("the README's plan --batch example is what plan --batch prints", "[cli][batch]") {
    // The example sits in a ```sh block (it pipes printf into cnnshape), so test_readme.cpp does
    // not run it; this does.
    std::istringstream readme(cnnshape::test::slurp(cnnshape::test::source_path("README.md")));
    std::string line, input, expected;
    bool found = false;
    while (std::getline(readme, line)) {
        const std::string head = "$ printf '", tail = "' | cnnshape plan --batch";
        if (line.rfind(head, 0) != 0 || line.size() < head.size() + tail.size() ||
            line.compare(line.size() - tail.size(), tail.size(), tail) != 0)
            continue;
        std::string body = line.substr(head.size(), line.size() - head.size() - tail.size());
        for (std::size_t i = 0; i < body.size(); ++i) {
            if (body.compare(i, 2, "\\n") == 0) {
                input += '\n';
                ++i;
            } else {
                input += body[i];
            }
        }
        while (std::getline(readme, line) && line != "```")
            expected += line + "\n";
        found = true;
        break;
    }
    REQUIRE(found);
    auto r = run_cli("plan --batch", input);
    CHECK(r.out == expected);
    CHECK(r.code == 1);
}
