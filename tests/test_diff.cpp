// cnnshape diff: layers matched by name, each added, removed or changed, with the totals before
// and after; the text and JSON reports (golden files) and the exit codes.
// Regenerate the golden files with CNNSHAPE_UPDATE_GOLDEN=1 after an intended change.
#include "cli_support.hpp"
#include "support.hpp"

#include "cnnshape/diff.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

using namespace cnnshape;
using cnnshape::test::check_golden;
using cnnshape::test::run_cli;
using cnnshape::test::slurp;
using cnnshape::test::source_path;
using cnnshape_test::plan_json;

namespace {

const char* kBase = R"({"input": [1, 3, 32, 32], "layers": [
    {"name": "conv", "type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3},
    {"name": "relu", "type": "ReLU"},
    {"name": "pool", "type": "MaxPool2d", "kernel_size": 2},
    {"name": "flat", "type": "Flatten"},
    {"name": "fc", "type": "Linear", "in_features": 1800, "out_features": 10}]})";

std::vector<std::pair<Change, std::string>> kinds(const PlanDiff& d) {
    std::vector<std::pair<Change, std::string>> out;
    for (auto& l : d.layers)
        out.emplace_back(l.change, l.name);
    return out;
}

} // namespace

TEST_CASE("a plan does not differ from itself", "[diff]") {
    Plan p = plan_json(kBase);
    PlanDiff d = diff_plans(p, p);
    CHECK(d.same());
    CHECK(d.layers.empty());
    CHECK(d.unchanged == 5);
    for (auto& t : d.totals)
        CHECK(t.a == t.b);
}

TEST_CASE("a changed argument shows with everything it changed downstream", "[diff]") {
    Plan a = plan_json(kBase);
    std::string text = kBase;
    text.replace(text.find("\"kernel_size\": 2"), 16, "\"kernel_size\": 2, \"stride\": 1");
    text.replace(text.find("1800"), 4, "6728");
    Plan b = plan_json(text);
    PlanDiff d = diff_plans(a, b);
    CHECK_FALSE(d.same());
    REQUIRE(kinds(d) == std::vector<std::pair<Change, std::string>>{{Change::Changed, "pool"},
                                                                    {Change::Changed, "flat"},
                                                                    {Change::Changed, "fc"}});
    const LayerDiff& pool = d.layers[0];
    REQUIRE(pool.fields.size() >= 2);
    CHECK(pool.fields[0].field == "args.stride");
    CHECK(pool.fields[0].a.is_null()); // stride=None: the kernel size
    CHECK(pool.fields[0].a_text == "None");
    CHECK(pool.fields[0].b == 1);
    CHECK(pool.fields[1].field == "output_shape");
    CHECK(pool.fields[1].a_text == "1x8x15x15");
    CHECK(pool.fields[1].b_text == "1x8x29x29");
    const LayerDiff& fc = d.layers[2];
    std::vector<std::string> fields;
    for (auto& f : fc.fields)
        fields.push_back(f.field);
    CHECK(fields == std::vector<std::string>{"args.in_features", "input_shapes", "params",
                                             "trainable_params", "macs"});
    CHECK(fc.fields[2].delta == (6728 - 1800) * 10);
    CHECK(d.unchanged == 2);
    CHECK(d.same_output); // 1x10 either way
}

TEST_CASE("added and removed layers are listed where they stand", "[diff]") {
    Plan a = plan_json(kBase);
    Plan b = plan_json(R"({"input": [1, 3, 32, 32], "layers": [
        {"name": "conv", "type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3},
        {"name": "bn", "type": "BatchNorm2d", "num_features": 8},
        {"name": "relu", "type": "ReLU"},
        {"name": "flat", "type": "Flatten"},
        {"name": "fc", "type": "Linear", "in_features": 7200, "out_features": 10},
        {"name": "out", "type": "Softmax", "dim": 1}]})");
    PlanDiff d = diff_plans(a, b);
    CHECK(kinds(d) == std::vector<std::pair<Change, std::string>>{{Change::Added, "bn"},
                                                                  {Change::Changed, "relu"},
                                                                  {Change::Removed, "pool"},
                                                                  {Change::Changed, "flat"},
                                                                  {Change::Changed, "fc"},
                                                                  {Change::Added, "out"}});
    CHECK(d.count(Change::Added) == 2);
    CHECK(d.count(Change::Removed) == 1);
    CHECK(d.unchanged == 1); // conv
    // relu keeps its shapes but now takes bn's output.
    REQUIRE(d.layers[1].fields.size() == 1);
    CHECK(d.layers[1].fields[0].field == "inputs");
    CHECK(d.layers[2].a_index == 2);
    CHECK(d.layers[2].b_index == -1);
    CHECK(d.layers[0].a_index == -1);
    CHECK(d.layers[0].b_index == 1);
}

TEST_CASE("a layer whose inputs change is reported", "[diff]") {
    const char* a = R"({"input": [1, 4, 8, 8], "layers": [
        {"name": "a", "type": "ReLU"}, {"name": "b", "type": "ReLU"},
        {"name": "sum", "type": "Add", "inputs": ["a", "b"]}]})";
    const char* b = R"({"input": [1, 4, 8, 8], "layers": [
        {"name": "a", "type": "ReLU"}, {"name": "b", "type": "ReLU"},
        {"name": "sum", "type": "Add", "inputs": ["input", "b"]}]})";
    PlanDiff d = diff_plans(plan_json(a), plan_json(b));
    REQUIRE(d.layers.size() == 1);
    REQUIRE(d.layers[0].fields.size() == 1);
    CHECK(d.layers[0].fields[0].field == "inputs");
    CHECK(d.layers[0].fields[0].a_text == "a, b");
    CHECK(d.layers[0].fields[0].b_text == "input, b");
}

// LeNet-5 modernised: ReLU and max pooling in the first stage, 'same' padding in c1.
const char* kLenetVariant = R"(import torch
import torch.nn as nn
from collections import OrderedDict

model = nn.Sequential(OrderedDict([
    ('c1', nn.Conv2d(1, 6, 5, padding=2)),
    ('relu1', nn.ReLU()),
    ('s2', nn.MaxPool2d(2)),
    ('c3', nn.Conv2d(6, 16, 5)),
    ('tanh2', nn.Tanh()),
    ('s4', nn.AvgPool2d(2)),
    ('flatten', nn.Flatten()),
    ('f5', nn.Linear(576, 120)),
    ('tanh3', nn.Tanh()),
    ('f6', nn.Linear(120, 84)),
    ('tanh4', nn.Tanh()),
    ('output', nn.Linear(84, 10)),
]))
print(model(torch.rand(1, 1, 32, 32)).shape)
)";

TEST_CASE("diff prints text and JSON as the golden files show", "[cli][diff]") {
    struct Case {
        const char* args;
        const char* stdin_text;
        const char* golden;
    };
    auto c = GENERATE(
        Case{"diff examples/networks/funnel.json examples/networks/funnel_stride2.json", "",
             "diff_funnel_stride2.txt"},
        Case{"diff examples/networks/funnel.json examples/networks/funnel_no_pool.json "
             "--format json",
             "", "diff_funnel_no_pool.json"},
        Case{"diff examples/networks/vgg16.json examples/networks/alexnet.json", "",
             "diff_vgg16_alexnet.txt"},
        Case{"diff examples/networks/lenet5.json -", kLenetVariant, "diff_lenet5_variant.txt"},
        Case{"diff examples/networks/lenet5.json - --format json", kLenetVariant,
             "diff_lenet5_variant.json"});
    CAPTURE(c.args);
    auto r = run_cli(c.args, c.stdin_text);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    check_golden(c.golden, r.out);
}

TEST_CASE("diff JSON has the documented fields", "[cli][diff]") {
    auto r = run_cli("diff examples/networks/funnel.json examples/networks/funnel_stride2.json "
                     "-f json");
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["same"] == false);
    CHECK(j["a"]["spec"] == "examples/networks/funnel.json");
    CHECK(j["b"]["layers"] == 2);
    CHECK(j["counts"] ==
          nlohmann::json::parse(R"({"changed": 2, "added": 0, "removed": 2, "unchanged": 0})"));
    CHECK(j["totals"]["macs"]["delta"] == 1408608 - 5634432);
    auto& first = j["layers"][0];
    CHECK(first["change"] == "changed");
    CHECK(first["fields"][0] ==
          nlohmann::json::parse(R"({"field": "args.stride", "a": 1, "b": 2})"));
    CHECK(j["layers"][2]["change"] == "removed");
    CHECK(j["layers"][2]["b_index"].is_null());
}

TEST_CASE("diff exit codes", "[cli][diff]") {
    struct Case {
        const char* args;
        int code;
        const char* err;
    };
    auto c = GENERATE(
        Case{"diff examples/networks/funnel.json examples/networks/funnel_stride2.json", 0, ""},
        Case{"diff examples/networks/funnel.json examples/networks/funnel_stride2.json "
             "--exit-code",
             4, ""},
        Case{"diff examples/networks/funnel.json examples/networks/funnel.py --exit-code", 0, ""},
        Case{"diff examples/networks/funnel.json "
             "examples/networks/invalid/maxpool_output_too_small.json",
             1, "Output size is too small"},
        Case{"diff examples/networks/invalid/misspelled_keyword.json "
             "examples/networks/funnel.json",
             2, "kernal_size"},
        Case{"diff examples/networks/invalid/misspelled_keyword.json "
             "examples/networks/invalid/maxpool_output_too_small.json",
             2, "Output size is too small"},
        Case{"diff examples/networks/funnel.json no/such.json", 2, "no/such.json"},
        Case{"diff examples/networks/funnel.json", 2, "b is required"},
        Case{"diff - -", 2, "only one of the two specs"});
    CAPTURE(c.args);
    auto r = run_cli(c.args);
    CHECK(r.code == c.code);
    CHECK_THAT(r.err, Catch::Contains(c.err));
}

TEST_CASE("diff reads one spec from standard input, errors in JSON name the spec", "[cli][diff]") {
    std::string python = slurp(source_path("examples/networks/funnel.py"));
    auto r = run_cli("diff examples/networks/funnel.json - --exit-code", python);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("no differences: 4 layers"));

    auto j = run_cli("diff examples/networks/invalid/maxpool_output_too_small.json "
                     "examples/networks/invalid/misspelled_keyword.json --format json");
    CHECK(j.code == 2);
    auto errors = nlohmann::json::parse(j.out)["errors"];
    REQUIRE(errors.size() == 2);
    CHECK(errors[0]["spec"] == "examples/networks/invalid/maxpool_output_too_small.json");
    CHECK(errors[0]["exit_code"] == 1);
    CHECK(errors[0]["type"] == "MaxPool2d");
    CHECK(errors[1]["exit_code"] == 2);
    CHECK(errors[1]["layer"].is_null());
}
