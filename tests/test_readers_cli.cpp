// The command line on pasted text: --model in every command that loads a network, the refusal
// (exit 2) and its JSON error, the warning about arguments print(model) text does not show, and
// names in pasted code. The expected numbers are PyTorch's (tests/data/readers/expected.json,
// from tools/gen_reader_fixtures.py).
#include "cli_support.hpp"
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using cnnshape::test::run_cli;
using cnnshape::test::slurp;
using cnnshape::test::source_path;

namespace {

const std::string kData = "tests/data/readers/";

const nlohmann::json& expected() {
    static const nlohmann::json j =
        nlohmann::json::parse(slurp(source_path(kData + "expected.json")));
    return j;
}

std::string shape_x(const nlohmann::json& shape) {
    std::string s;
    for (auto& d : shape)
        s += (s.empty() ? "" : "x") + std::to_string(d.get<long long>());
    return s;
}

} // namespace

TEST_CASE("plan refuses a text with several networks, listing them (exit 2)", "[readers][cli]") {
    auto r = run_cli("plan " + kData + "two_nets.py");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "cnnshape: spec error in " + kData +
                       "two_nets.py: the text holds 2 nn.Sequential networks, and cnnshape will "
                       "not guess which one is meant; choose one with --model:\n"
                       "  --model features     line 5\n"
                       "  --model classifier   line 15\n");

    auto j = run_cli("plan " + kData + "two_nets.py --format json");
    CHECK(j.code == 2);
    auto e = nlohmann::json::parse(j.out);
    REQUIRE(e.contains("error"));
    CHECK(e["error"]["exit_code"] == 2);
    CHECK(e["error"]["where"] == kData + "two_nets.py");
    CHECK(e["error"]["candidates"] ==
          nlohmann::json::parse(R"([{"name": "features", "line": 5, "kind": "python"},
                                    {"name": "classifier", "line": 15, "kind": "python"}])"));
}

TEST_CASE("a model class with forward() is planned whole, its Sequentials by --model",
          "[readers][cli]") {
    // net_class.py holds two Sequentials inside `class Net`: the class's forward() is read.
    auto whole = run_cli("plan " + kData + "net_class.py --format json");
    REQUIRE(whole.code == 0);
    auto p = nlohmann::json::parse(whole.out);
    const auto& w = expected()["net_class.py"]["whole"];
    CHECK(p["output_shape"] == w["output"]);
    CHECK(p["totals"]["params"] == w["params"]);
    CHECK(p["layers"][0]["name"] == "features.0");
    CHECK(p["layers"][9]["name"] == "classifier.1");
}

TEST_CASE("plan --model plans the network named, with PyTorch's numbers", "[readers][cli]") {
    for (auto& [file, rec] : expected().items()) {
        if (!rec.contains("models")) continue;
        for (auto& [model, want] : rec["models"].items()) {
            std::string cmd = "plan " + kData + file + " --model " + model + " --input " +
                              shape_x(want["input"]) + " --format json";
            CAPTURE(cmd);
            auto r = run_cli(cmd);
            REQUIRE(r.code == 0);
            auto j = nlohmann::json::parse(r.out);
            CHECK(j["output_shape"] == want["output"]);
            CHECK(j["totals"]["params"] == want["params"]);
            // print(model) text does not show MaxPool2d's return_indices (features has one);
            // Python source shows what it gives.
            bool maxpool = false;
            for (auto& l : j["layers"])
                maxpool = maxpool || l["type"] == "MaxPool2d";
            bool print = file.find("_print") != std::string::npos;
            CHECK(j.contains("assumed_defaults") == (print && maxpool));
        }
        if (rec.contains("whole")) {
            // cnnshape cannot read the class's forward(), but its two parts add up to PyTorch's
            // total: 5,184 + 330 = 5,514 params, and the classifier's output is the model's.
            long long sum = 0;
            for (auto& [model, want] : rec["models"].items())
                sum += want["params"].get<long long>();
            CHECK(sum == rec["whole"]["params"].get<long long>());
        }
    }
}

TEST_CASE("the funnel tutorial's five Sequentials: refused, then each one by name",
          "[readers][cli]") {
    auto r = run_cli("plan " + kData + "funnel_five.py");
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains("the text holds 3 nn.Sequential networks"));
    CHECK_THAT(r.err, Catch::Contains("--model layers_with_pooling   lines 4, 14, 34"));
    // The example input is the one passed to each network: no --input needed.
    auto& models = expected()["funnel_five.py"]["models"];
    for (auto& [model, want] : models.items()) {
        auto p = run_cli("plan " + kData + "funnel_five.py --model " + model + " --format json");
        CAPTURE(model, p.err);
        REQUIRE(p.code == 0);
        CHECK(p.err.empty());
        auto j = nlohmann::json::parse(p.out);
        CHECK(j["input_shape"] == want["input"]);
        CHECK(j["output_shape"] == want["output"]);
        CHECK(j["totals"]["params"] == want["params"]);
    }
}

TEST_CASE("a --model error is exit 2: an unknown name, with JSON or with --layer",
          "[readers][cli]") {
    auto unknown = run_cli("plan " + kData + "net_class.py --model head --format json");
    CHECK(unknown.code == 2);
    CHECK_THAT(unknown.err, Catch::Contains("--model head names none of the networks in the "
                                            "text; it holds:\n  --model self.features"));
    // the class Net (a model file's class, line 5) and its two Sequentials
    auto cands = nlohmann::json::parse(unknown.out)["error"]["candidates"];
    CHECK(cands.size() == 3);
    CHECK(cands[0]["name"] == "Net");
    CHECK(cands[1]["name"] == "self.features");

    auto json = run_cli("plan examples/networks/funnel.json --model features");
    CHECK(json.code == 2);
    CHECK_THAT(json.err, Catch::Contains("a JSON spec holds one network"));

    auto layer = run_cli("plan --input 1x3 --layer \"nn.ReLU()\" --model features");
    CHECK(layer.code == 2);
    CHECK_THAT(layer.err, Catch::Contains("--layer expressions make one network"));

    auto batch = run_cli("plan --batch --model features", "1x3 nn.ReLU()\n");
    CHECK(batch.code == 2);
}

TEST_CASE("every command that loads a network takes --model", "[readers][cli]") {
    const std::string net = kData + "net_class.py";
    auto run = run_cli("run " + net + " --model self.classifier --input 1x32x1x1 --format json");
    CHECK(run.code == 0);
    CHECK(nlohmann::json::parse(run.out)["output_shape"] == nlohmann::json::array({1, 10}));
    CHECK(run_cli("run " + kData + "two_nets.py --input 1x32x1x1").code == 2);

    auto explain = run_cli("explain " + net + " --model features");
    CHECK(explain.code == 0);
    CHECK_THAT(explain.out, Catch::Contains("AdaptiveAvgPool2d"));
    CHECK(run_cli("explain " + kData + "two_nets.py").code == 2);

    auto solve = run_cli("solve " + net + " --model features --input-range 8:9 --format json");
    CHECK(solve.code == 0);
    CHECK(run_cli("solve " + kData + "two_nets.py --input-range 8:9").code == 2);

    auto diff = run_cli("diff " + net + " " + kData +
                        "net_class_print.txt --model-a self.features --model-b features --input "
                        "1x3x32x32");
    CHECK(diff.code == 0); // the Python and its print(model) text plan the same network
    CHECK_THAT(diff.out, Catch::Contains("params             5,184      5,184"));
    auto both = run_cli("diff " + net + " " + net + " --model features --input 1x3x32x32");
    CHECK(both.code == 0);
    const std::string two = kData + "two_nets.py";
    auto refused = run_cli("diff " + two + " " + two + " --input 1x3x32x32 --format json");
    CHECK(refused.code == 2);
    auto errors = nlohmann::json::parse(refused.out)["errors"];
    REQUIRE(errors.size() == 2);
    CHECK(errors[0]["candidates"].size() == 2);
    CHECK(run_cli("diff " + net + " " + net + " --model a --model-a b").code == 2);
}

TEST_CASE("planning print(model) text says which arguments it took at their defaults",
          "[readers][cli]") {
    auto& rec = expected()["print_hidden.txt"];
    auto r = run_cli("plan " + kData + "print_hidden.txt --input 1x1x12x12 --format json");
    REQUIRE(r.code == 0);
    // What the text shows plans as PyTorch plans it with those arguments at their defaults ...
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["output_shape"] == rec["defaults"]["output"]);
    // ... which is not what the network that printed it gives:
    CHECK(rec["real"]["output"] != rec["defaults"]["output"]);
    CHECK(r.err ==
          "cnnshape: warning: print(model) text does not show every argument; these were taken at "
          "their defaults (write the layers as Python or JSON to give them):\n"
          "  layer 1 (AvgPool2d): ceil_mode=False, count_include_pad=True, divisor_override=None\n"
          "  layer 2 (MaxPool2d): return_indices=False\n"
          "  layer 3 (Upsample): align_corners=None, recompute_scale_factor=None\n");
    REQUIRE(j.contains("assumed_defaults"));
    auto& a = j["assumed_defaults"];
    REQUIRE(a.size() == 3);
    for (auto& entry : a) {
        std::string name = entry["name"];
        std::vector<std::string> args;
        for (auto& [k, v] : entry["arguments"].items())
            args.push_back(k);
        CHECK(args == rec["assumed"][name].get<std::vector<std::string>>());
    }
    CHECK(a[0] == nlohmann::json::parse(R"({"index": 1, "name": "1", "type": "AvgPool2d",
        "arguments": {"ceil_mode": false, "count_include_pad": true, "divisor_override": null}})"));
    // Run and explain say it too.
    CHECK_THAT(run_cli("run " + kData + "print_hidden.txt --input 1x1x12x12").err,
               Catch::Contains("layer 1 (AvgPool2d): ceil_mode=False"));
    CHECK_THAT(run_cli("explain " + kData + "print_hidden.txt --input 1x1x12x12").err,
               Catch::Contains("layer 2 (MaxPool2d): return_indices=False"));
}

TEST_CASE("a guessed input and a class attribute are said on stderr", "[readers][cli]") {
    auto r = run_cli("plan " + kData + "net_class.py --model self.features");
    CHECK(r.code == 0);
    CHECK(r.err == "cnnshape: note: the input shape 1x3x32x32 is the text's first example "
                   "(torch.randn at line 28), which may belong to another of its networks; pass "
                   "--input to plan with another\n");
    CHECK(run_cli("plan " + kData + "net_class.py --model self.features --input 1x3x32x32")
              .err.empty());
    auto v = run_cli("plan " + kData + "variables.py --format json");
    CHECK(v.code == 0);
    // The class around the Sequential has a forward(): the model file reader plans it.
    CHECK(v.err.empty());
}

TEST_CASE("a name in pasted code that cannot be resolved is exit 2 at its line and column",
          "[readers][cli]") {
    auto r = run_cli("plan - --input 1x3x8x8",
                     "import torch.nn as nn\n\nmodel = nn.Sequential(nn.Conv2d(3, C, 3))\n");
    CHECK(r.code == 2);
    CHECK(r.err == "cnnshape: spec error at line 3, column 36: 'C' is a name cnnshape could not "
                   "resolve: it is not assigned in the text; write the value here\n"
                   "  model = nn.Sequential(nn.Conv2d(3, C, 3))\n"
                   "                                     ^\n");
    auto ok = run_cli("plan - --input 1x3x8x8 --format csv",
                      "C = 16\nmodel = nn.Sequential(nn.Conv2d(3, C, 3))\n");
    CHECK(ok.code == 0);
    CHECK_THAT(ok.out, Catch::Contains("1x3x8x8,1x16x6x6,448"));
}
