// Layers that return tuples (Chunk, Split, Unbind) and the "c[1]" references that take their
// elements: reader errors, plan errors, reports, explain and a run. Shapes and messages against
// PyTorch are in tests/data/conformance/split.json, values in tests/data/run/split.json.
#include "cli_support.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/execute.hpp"
#include "cnnshape/explain.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/report.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace cnnshape;
using Catch::Matchers::Contains;

namespace {

const char* kShuffle = R"({"input": [1, 8, 6, 6], "layers": [
    {"name": "c", "type": "Chunk", "chunks": 2, "dim": 1},
    {"name": "b", "type": "Conv2d", "args": [4, 4, 3], "padding": 1, "inputs": ["c[1]"]},
    {"name": "y", "type": "torch.cat", "inputs": ["c[0]", "b"], "dim": 1},
    {"name": "s", "type": "Split", "args": [[3, 5]], "dim": 1},
    {"name": "z", "type": "Mul", "inputs": ["s[1]", "s[1]"]}]})";

SpecError spec_error_of(const std::string& json) {
    return cnnshape_test::spec_error([&] { load_spec_json(json); });
}

} // namespace

TEST_CASE("tuple elements are taken by index and planned with their own shapes", "[split]") {
    Plan p = cnnshape_test::plan_json(kShuffle);
    REQUIRE(p.layers.size() == 5);
    CHECK(p.layers[0].tuple);
    CHECK(p.layers[0].outputs == std::vector<Shape>{{1, 4, 6, 6}, {1, 4, 6, 6}});
    CHECK(p.layers[0].output_bytes == 2 * 4 * 36 * 4);
    CHECK(p.layers[1].inputs == std::vector<std::string>{"c[1]"});
    CHECK(p.layers[2].inputs == std::vector<std::string>{"c[0]", "b"});
    CHECK(p.layers[3].outputs == std::vector<Shape>{{1, 3, 6, 6}, {1, 5, 6, 6}});
    CHECK(p.layers[4].input_shapes == std::vector<Shape>{{1, 5, 6, 6}, {1, 5, 6, 6}});
    CHECK(p.output == Shape{1, 5, 6, 6});
    CHECK(output_text(p.layers[0]) == "2 x 1x4x6x6");
    CHECK(output_text(p.layers[3]) == "(1x3x6x6, 1x5x6x6)");
    CHECK(p.totals.macs == 4 * 36 * 4 * 9);
    auto j = report_json(p);
    CHECK(j["layers"][3]["output_shapes"].dump() == "[[1,3,6,6],[1,5,6,6]]");
    CHECK_FALSE(j["layers"][1].contains("output_shapes"));
}

TEST_CASE("a whole tuple, or an element of a non-tuple, is refused where it is written",
          "[split]") {
    auto e = spec_error_of(R"({"layers": [{"name": "c", "type": "Chunk", "chunks": 2},
        {"type": "ReLU"}]})");
    CHECK(e.where() == "layers[1]");
    CHECK_THAT(e.what(), Contains("'c' (Chunk) returns a tuple of tensors: take one by index") &&
                             Contains("\"c[0]\""));
    e = spec_error_of(R"({"layers": [{"name": "c", "type": "Unbind"},
        {"type": "Add", "inputs": ["c", "c[0]"]}]})");
    CHECK(e.where() == "layers[1].inputs");
    e = spec_error_of(R"({"layers": [{"name": "r", "type": "ReLU"},
        {"type": "ReLU", "inputs": ["r[0]"]}]})");
    CHECK_THAT(e.what(), Contains("returns one tensor, not a tuple: write \"r\""));
    e = spec_error_of(R"({"layers": [{"name": "c", "type": "Chunk", "chunks": 2},
        {"type": "ReLU", "inputs": ["c[-1]"]}]})");
    CHECK_THAT(e.what(), Contains("non-negative index"));
    e = spec_error_of(R"({"layers": [{"name": "c", "type": "Chunk", "chunks": 2},
        {"type": "ReLU", "inputs": ["d[0]"]}]})");
    CHECK_THAT(e.what(), Contains("'inputs' refers to 'd'"));
    // A Sequential may take an element; its first layer then takes it.
    Plan p = cnnshape_test::plan_json(R"({"input": [2, 6], "layers": [
        {"name": "c", "type": "Chunk", "chunks": 3, "dim": 1},
        {"name": "seq", "type": "Sequential", "inputs": ["c[2]"], "layers": [{"type": "ReLU"}]}]})");
    CHECK(p.output == Shape{2, 2});
    CHECK(p.layers[1].inputs == std::vector<std::string>{"c[2]"});
}

TEST_CASE("an index past the tuple's end is PyTorch's tuple index out of range", "[split]") {
    Network net = load_spec_json(R"({"layers": [{"name": "c", "type": "Chunk", "chunks": 4},
        {"type": "ReLU", "inputs": ["c[2]"]}]})");
    // 3 rows into 4 chunks gives pieces of 1: three of them.
    CHECK(make_plan(net, {3, 2}).output == Shape{1, 2});
    auto e = cnnshape_test::expect_error<LayerError>([&] { make_plan(net, {2, 2}); });
    CHECK_THAT(e.rule(), Contains("tuple index out of range: 'c' returns 2 tensors"));
    auto r = cnnshape::test::run_cli("plan - --input 2x2", R"({"layers": [
        {"name": "c", "type": "Chunk", "chunks": 4}, {"type": "ReLU", "inputs": ["c[2]"]}]})");
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Contains("tuple index out of range"));
    // Unbind of a zero-size dim: no elements at all.
    Network u = load_spec_json(R"({"layers": [{"name": "u", "type": "Unbind"},
        {"type": "ReLU", "inputs": ["u[0]"]}]})");
    CHECK_THROWS_AS(make_plan(u, {0, 3}), LayerError);
}

TEST_CASE("explain says how the dim is cut; run gives each element", "[split]") {
    Network net = load_spec_json(kShuffle);
    Explanation ex = explain_network(net, {1, 8, 6, 6});
    std::string text = explain_text(ex);
    CHECK_THAT(text, Contains("Chunk cuts dimension 1 (8) into 2 tensors: 4 + 4"));
    CHECK_THAT(text, Contains("Split cuts dimension 1 (8) into 2 tensors: 3 + 5"));
    auto r = cnnshape::test::run_cli("run - --seed 1 --format json", kShuffle);
    CHECK(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["output_shape"].dump() == "[1,5,6,6]");
}

TEST_CASE("Chunk, Split and Unbind are listed with their torch spellings", "[split]") {
    auto r = cnnshape::test::run_cli("layers");
    CHECK_THAT(r.out, Contains("Chunk") && Contains("torch.chunk") && Contains("torch.split") &&
                          Contains("torch.unbind"));
    CHECK(cnnshape_test::plan_exprs({"torch.split([2, 1], dim=-1)"}, {4, 3}).output == Shape{4, 2});
}
