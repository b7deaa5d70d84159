// The elementwise binary family (Add, Sub, Mul, Div and their torch.* spellings): how many
// inputs each takes, tensor-scalar `other`, keyword-only alpha and rounding_mode, briefs, explain
// text and the kernels' left-to-right folding. Shapes and messages against PyTorch are in
// tests/data/conformance/binary.json and the values in tests/data/run/binary.json.
#include "cli_support.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/execute.hpp"
#include "cnnshape/explain.hpp"
#include "cnnshape/kernels.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <fmt/format.h>

using namespace cnnshape;
using Catch::Matchers::Contains;

namespace {

Plan plan_of(const std::string& json) {
    return cnnshape_test::plan_json(json);
}

SpecError spec_error_of(const std::string& json) {
    return cnnshape_test::spec_error([&] { load_spec_json(json); });
}

const char* kTwoBranches = R"({"input": [2, 4, 3, 3], "layers": [
    {"name": "gate", "type": "AdaptiveAvgPool2d", "output_size": 1},
    {"name": "y", "type": "%s", "inputs": ["input", "gate"]%s}]})";

// The template with its first %s replaced by `type`, the second by `extra`.
std::string fill(std::string tmpl, const std::string& type, const std::string& extra) {
    auto at = tmpl.find("%s");
    tmpl.replace(at, 2, type);
    at = tmpl.find("%s", at + type.size());
    tmpl.replace(at, 2, extra);
    return tmpl;
}

std::string two_branches(const std::string& type, const std::string& extra = "") {
    return fill(kTwoBranches, type, extra);
}

} // namespace

TEST_CASE("binary layers are found by class name and by torch function name", "[binary]") {
    for (auto [name, type] : {std::pair{"torch.add", "Add"},
                              {"torch.sub", "Sub"},
                              {"torch.subtract", "Sub"},
                              {"torch.mul", "Mul"},
                              {"torch.multiply", "Mul"},
                              {"torch.div", "Div"},
                              {"torch.divide", "Div"},
                              {"torch.cat", "Concat"},
                              {"torch.concat", "Concat"},
                              {"Mul", "Mul"}}) {
        CAPTURE(name);
        const LayerType* t = find_layer_type(name);
        REQUIRE(t != nullptr);
        CHECK(t->name == type);
        CHECK(t->family == "merge");
    }
    CHECK(find_layer_type("torch.pow") == nullptr);
    CHECK(find_layer_type("nn.Mul") == find_layer_type("Mul"));
}

TEST_CASE("binary layers broadcast two branches, as the SE block multiplies", "[binary]") {
    for (const char* type : {"Add", "Sub", "Mul", "Div", "torch.mul"}) {
        CAPTURE(type);
        Plan p = plan_of(two_branches(type));
        CHECK(p.output == Shape{2, 4, 3, 3});
        CHECK(p.layers.at(1).input_shapes == std::vector<Shape>{{2, 4, 3, 3}, {2, 4, 1, 1}});
        CHECK(p.totals.macs == 0);
        CHECK(p.totals.params == 0);
    }
}

TEST_CASE("Add and Mul chain any number of inputs; Sub and Div take exactly two", "[binary]") {
    const char* three = R"({"input": [1, 2, 2], "layers": [
        {"name": "a", "type": "ReLU"}, {"name": "b", "type": "Tanh"},
        {"name": "y", "type": "%s", "inputs": ["input", "a", "b"]%s}]})";
    CHECK(plan_of(fill(three, "Mul", "")).output == Shape{1, 2, 2});
    CHECK(plan_of(fill(three, "Add", "")).output == Shape{1, 2, 2});
    SpecError sub = spec_error_of(fill(three, "Sub", ""));
    CHECK(sub.where() == "layers[2].inputs");
    CHECK_THAT(sub.what(), Contains("Sub takes 2 inputs, got 3"));
    SpecError div = spec_error_of(fill(three, "torch.div", ""));
    CHECK_THAT(div.what(), Contains("takes 2 inputs, got 3"));
    // torch.add(input, other, alpha=2) has two tensors.
    SpecError alpha = spec_error_of(fill(three, "Add", R"(, "alpha": 2)"));
    CHECK_THAT(alpha.what(), Contains("Add takes 2 inputs, got 3 (with alpha it is "
                                      "torch.add(input, other, alpha=2))"));
    // One input and no number: what to write.
    SpecError one =
        spec_error_of(R"({"layers": [{"type": "ReLU"}, {"type": "Mul", "inputs": ["input"]}]})");
    CHECK_THAT(one.what(), Contains("Mul joins branches: give it \"inputs\" with at least two "
                                    "layer names, or a number as \"other\""));
}

TEST_CASE("a number as other makes a one-input layer, in a chain or from --layer", "[binary]") {
    Network net = network_from_exprs({"nn.ReLU()", "torch.mul(0.5)", "torch.add(1, alpha=3)",
                                      "torch.div(2, rounding_mode='floor')"});
    Plan p = make_plan(net, {2, 3});
    CHECK(p.output == Shape{2, 3});
    CHECK(p.layers.at(1).brief == "Mul(other=0.5)");
    CHECK(p.layers.at(2).brief == "Add(other=1, alpha=3)");
    CHECK(p.layers.at(3).brief == "Div(other=2, rounding_mode='floor')");
    // Two tensors and a number is one operand too many.
    SpecError e = spec_error_of(two_branches("Add", R"(, "other": 2)"));
    CHECK(e.where() == "layers[1].inputs");
    CHECK_THAT(e.what(), Contains("Add takes exactly one input, got 2 (other=2 is the second "
                                  "operand)"));
    Tensor x({1, 4});
    x.data = {-3, -1, 1, 7.5f};
    Plan q = make_plan(network_from_exprs({"torch.sub(0.5)", "torch.div(-2)"}), x.shape);
    Tensor y = execute(q, {}, x, RunOptions{}).output;
    CHECK(std::vector<float>(y.data.begin(), y.data.end()) ==
          std::vector<float>{1.75f, 0.75f, -0.25f, -3.5f});
}

TEST_CASE("binary layers check their arguments with PyTorch's words", "[binary]") {
    auto message = [](const std::string& expr) {
        try {
            make_plan(network_from_exprs({expr}), {2, 3});
        } catch (const LayerError& e) {
            return std::string(e.rule());
        } catch (const SpecError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(message("torch.add(1, alpha=True)"),
               Contains("Boolean alpha only supported for Boolean results."));
    CHECK_THAT(message("torch.sub(1, alpha=1e300)"),
               Contains("value cannot be converted to type float without overflow"));
    CHECK_THAT(message("torch.div(2, rounding_mode='round')"),
               Contains("div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                        "found 'round'"));
    CHECK_THAT(message("torch.sub(True)"),
               Contains("Subtraction, the `-` operator, with a bool tensor is not supported."));
    CHECK_THAT(message("torch.mul('x')"), Contains("argument 'other' (position 2) must be Tensor"));
    // alpha and rounding_mode are keyword-only, as in torch.add(input, other, *, alpha=1).
    CHECK_THAT(message("torch.add(1, 2)"),
               Contains("Add() takes from 1 to 2 positional arguments but 3 were given"));
    CHECK_THAT(message("torch.mul(1, alpha=2)"),
               Contains("got an unexpected keyword argument 'alpha'"));
}

TEST_CASE("binary kernels fold inputs left to right and broadcast", "[binary][kernels]") {
    // [2, 1, 3] - [2, 3] -> [2, 2, 3]; then a chain x * x * x of three.
    Tensor a({2, 1, 3}), b({2, 3}), y({2, 2, 3});
    a.data = {1, 2, 3, 4, 5, 6};
    b.data = {10, 20, 30, 40, 50, 60};
    BinaryDesc sub;
    sub.op = BinaryOp::Sub;
    for (auto backend : {kernels::Backend::Ref, kernels::default_backend()}) {
        kernels::Context ctx{backend, 1};
        kernels::run(ctx, sub,
                     kernels::Io{{a.shape, b.shape}, {a.ptr(), b.ptr()}, {}, y.shape, y.ptr()});
        CHECK(std::vector<float>(y.data.begin(), y.data.end()) ==
              std::vector<float>{-9, -18, -27, -39, -48, -57, -6, -15, -24, -36, -45, -54});
        BinaryDesc mul;
        mul.op = BinaryOp::Mul;
        Tensor z({2, 3});
        kernels::run(
            ctx, mul,
            kernels::Io{
                {b.shape, b.shape, b.shape}, {b.ptr(), b.ptr(), b.ptr()}, {}, z.shape, z.ptr()});
        CHECK(z.data[5] == 216000.0f);
    }
}

TEST_CASE("floor division is exact where floor(a / b) is not", "[binary][kernels]") {
    // PyTorch: torch.div(torch.tensor([-7., 7., -0., 5., 1.]), torch.tensor([2., -2., 3., 0.,
    // 0.1]), rounding_mode='floor') -> [-4., -4., -0., inf, 9.]  (1 / 0.1 rounds to 10).
    Tensor a({5}), b({5}), y({5});
    a.data = {-7, 7, -0.0f, 5, 1};
    b.data = {2, -2, 3, 0, 0.1f};
    BinaryDesc d;
    d.op = BinaryOp::Div;
    d.rounding = Rounding::Floor;
    kernels::run(kernels::Context{kernels::Backend::Ref, 1}, d,
                 kernels::Io{{a.shape, b.shape}, {a.ptr(), b.ptr()}, {}, y.shape, y.ptr()});
    CHECK(y.data[0] == -4);
    CHECK(y.data[1] == -4);
    CHECK(y.data[2] == 0);
    CHECK(std::signbit(y.data[2]));
    CHECK(std::isinf(y.data[3]));
    CHECK(y.data[4] == 9);
}

TEST_CASE("explain says what a binary layer does with its shapes", "[binary][explain]") {
    Plan p = plan_of(two_branches("Mul"));
    LayerExplanation e = explain_layer(p.layers.at(1));
    REQUIRE_FALSE(e.notes.empty());
    CHECK(e.notes.at(0) == "Mul multiplies its 2 inputs elementwise, broadcasting sizes of 1: "
                           "2x4x3x3 and 2x4x1x1 -> 2x4x3x3");
    Plan q = make_plan(network_from_exprs({"torch.div(4)"}), {3, 5});
    CHECK(explain_layer(q.layers.at(0)).notes.at(0) ==
          "Div divides its input by 4 elementwise: the shape stays 3x5");
}

TEST_CASE("cnnshape layers shows keyword-only arguments and the torch spellings", "[binary][cli]") {
    auto r = cnnshape::test::run_cli("layers Add");
    CHECK(r.code == 0);
    CHECK(r.out == "Add(other=None, *, alpha=1)  also torch.add\n");
    auto c = cnnshape::test::run_cli("layers torch.cat");
    CHECK(c.out == "Concat(dim=0)  also torch.cat, torch.concat\n");
}
