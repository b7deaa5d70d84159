// Issue 11's tensor ops: reductions (Mean, Sum, Amax, Amin), Stack, Matmul and Bmm. Shapes and
// messages against PyTorch are in tests/data/conformance/{reduce,stack,matmul}.json, values in
// tests/data/run/{reduce,stack,matmul}.json; here the counts, the receptive field, explain, the
// rules hand-checked, and the SIMD matrix product against the reference on sizes around the
// vector width.
#include "cnnshape/error.hpp"
#include "cnnshape/execute.hpp"
#include "cnnshape/explain.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <fmt/format.h>

using namespace cnnshape;
using Catch::Matchers::Contains;

namespace {

Tensor ramp(const Shape& s, float scale = 0.37f) {
    Tensor t(s);
    for (std::size_t i = 0; i < t.data.size(); ++i)
        t.data[i] = std::sin(float(i) * scale) * 3.0f;
    return t;
}

Tensor run_plan(const Plan& p, const Tensor& x, kernels::Backend backend) {
    RunOptions opt;
    opt.kernels.backend = backend;
    return execute(p, init_weights(p, 0), x, opt).output;
}

} // namespace

TEST_CASE("reductions: no params, 0 MACs, the reduced dims kept or removed", "[tensor_ops]") {
    Plan p = cnnshape_test::plan_exprs({"torch.mean((2, 3), keepdim=True)"}, {2, 8, 5, 5});
    CHECK(p.output == Shape{2, 8, 1, 1});
    CHECK(p.totals.params == 0);
    CHECK(p.totals.macs == 0);
    CHECK(cnnshape_test::plan_exprs({"torch.sum(-1)"}, {2, 3, 4}).output == Shape{2, 3});
    CHECK(cnnshape_test::plan_exprs({"torch.amax()"}, {2, 3, 4}).output == Shape{});
    CHECK(cnnshape_test::plan_exprs({"Amin(dim=())"}, {2, 3}).output == Shape{});
    CHECK(cnnshape_test::plan_exprs({"Mean(dim=[])"}, {2, 3}).output == Shape{});
    CHECK(cnnshape_test::plan_exprs({"torch.sum(0)"}, {}).output == Shape{});
    auto e = cnnshape_test::layer_error({"torch.mean((1, -2))"}, {2, 3, 4});
    CHECK(e.rule() == "dim 1 appears multiple times in the list of dims");
    e = cnnshape_test::layer_error({"torch.sum(4)"}, {2, 3, 4, 5});
    CHECK(e.rule() == "Dimension out of range (expected to be in range of [-4, 3], but got 4)");
    e = cnnshape_test::layer_error({"torch.amax(1)"}, {2, 0, 3});
    CHECK(e.rule() == "amax(): Expected reduction dim 1 to have non-zero size.");
}

TEST_CASE("a keepdim reduction over the spatial axes covers them, as global pooling does",
          "[tensor_ops]") {
    Plan mean = cnnshape_test::plan_exprs(
        {"nn.Conv2d(3, 4, 3, stride=2)", "torch.mean((-1, -2), keepdim=True)"}, {1, 3, 15, 15});
    Plan pool = cnnshape_test::plan_exprs(
        {"nn.Conv2d(3, 4, 3, stride=2)", "nn.AdaptiveAvgPool2d(1)"}, {1, 3, 15, 15});
    REQUIRE(mean.layers[1].rf.size() == 2);
    REQUIRE(pool.layers[1].rf.size() == 2);
    for (int a = 0; a < 2; ++a) {
        CHECK(mean.layers[1].rf[a].size == pool.layers[1].rf[a].size);
        CHECK(mean.layers[1].rf[a].size == 15);
    }
    // Without keepdim the spatial dims are gone; over the channels alone the field stays.
    Plan gone =
        cnnshape_test::plan_exprs({"nn.Conv2d(3, 4, 3)", "torch.mean((2, 3))"}, {1, 3, 9, 9});
    CHECK(gone.layers[1].rf.empty());
    Plan kept = cnnshape_test::plan_exprs({"nn.Conv2d(3, 4, 3)", "torch.amax(1)"}, {1, 3, 9, 9});
    REQUIRE(kept.layers[1].rf.size() == 2);
    CHECK(kept.layers[1].rf[0].size == 3);
}

TEST_CASE("Stack joins branches along a new dim; Matmul counts output x K MACs", "[tensor_ops]") {
    Plan p = cnnshape_test::plan_json(R"({"input": [2, 6, 4, 5], "layers": [
        {"name": "c", "type": "Chunk", "chunks": 2, "dim": 1},
        {"name": "kt", "type": "torch.transpose", "dim0": -2, "dim1": -1, "inputs": ["c[1]"]},
        {"name": "s", "type": "torch.matmul", "inputs": ["c[0]", "kt"]},
        {"name": "o", "type": "Matmul", "inputs": ["s", "c[1]"]},
        {"name": "y", "type": "torch.stack", "inputs": ["o", "c[0]"], "dim": -1}]})");
    CHECK(p.layers[2].output == Shape{2, 3, 4, 4});
    CHECK(p.layers[2].macs == 2 * 3 * 4 * 4 * 5);
    CHECK(p.layers[3].output == Shape{2, 3, 4, 5});
    CHECK(p.layers[3].macs == 2 * 3 * 4 * 5 * 4);
    CHECK(p.layers[4].output == Shape{2, 3, 4, 5, 2});
    CHECK(p.layers[4].macs == 0);
    CHECK(p.totals.macs == 480 + 480);
    std::string text;
    for (auto& n : explain_layer(p.layers[2]).notes)
        text += n + "\n";
    CHECK_THAT(text, Contains("a batch of matrix products") && Contains("MACs = output elements"));
    // A dot product: K MACs, a 0-d result.
    Plan dot = cnnshape_test::plan_json(R"({"input": [14], "layers": [
        {"name": "c", "type": "Chunk", "chunks": 2},
        {"type": "torch.matmul", "inputs": ["c[0]", "c[1]"]}]})");
    CHECK(dot.output == Shape{});
    CHECK(dot.totals.macs == 7);
    auto e = cnnshape_test::spec_error(
        [] { load_spec_json(R"({"input": [4], "layers": [{"type": "torch.matmul"}]})"); });
    CHECK_THAT(e.what(), Contains("Matmul joins branches"));
}

TEST_CASE("reductions by hand: sums and means, NaN wins the maximum, an empty mean is nan",
          "[tensor_ops]") {
    Tensor x({2, 3});
    x.data = {1, 2, 3, 4, NAN, -6};
    for (auto backend : {kernels::Backend::Ref, kernels::default_backend()}) {
        Tensor s = run_plan(cnnshape_test::plan_exprs({"torch.sum(0)"}, x.shape), x, backend);
        CHECK(s.data[0] == 5);
        CHECK(std::isnan(s.data[1]));
        CHECK(s.data[2] == -3);
        Tensor m = run_plan(cnnshape_test::plan_exprs({"torch.amax(1)"}, x.shape), x, backend);
        CHECK(m.data[0] == 3);
        CHECK(std::isnan(m.data[1]));
        Tensor n = run_plan(cnnshape_test::plan_exprs({"torch.amin(0)"}, x.shape), x, backend);
        CHECK(n.data[0] == 1);
        CHECK(std::isnan(n.data[1]));
        CHECK(n.data[2] == -6);
        Tensor mean =
            run_plan(cnnshape_test::plan_exprs({"torch.mean(1)"}, {2, 0}), Tensor({2, 0}), backend);
        REQUIRE(mean.data.size() == 2);
        CHECK(std::isnan(mean.data[0]));
    }
}

TEST_CASE("the SIMD matrix product agrees with the reference around the vector width",
          "[tensor_ops][kernels]") {
    for (std::int64_t m : {1, 2, 3, 4, 5, 9})
        for (std::int64_t k : {0, 1, 3, 8, 17})
            for (std::int64_t n : {1, 2, 7, 8, 9, 15, 16, 17, 33}) {
                CAPTURE(m, k, n);
                // [2, m, k+n] cut into a = [2, m, k] and b = the first k rows of [2, m, n] (k <= m)
                // would tie the sizes; build both operands from one input instead: x = [2, m*k +
                // k*n], a and b are its two pieces reshaped.
                std::string spec = fmt::format(
                    R"({{"input": [2, {}], "layers": [
                    {{"name": "s", "type": "Split", "args": [[{}, {}]], "dim": 1}},
                    {{"name": "a", "type": "torch.reshape", "shape": [2, {}, {}], "inputs": ["s[0]"]}},
                    {{"name": "b", "type": "torch.reshape", "shape": [2, {}, {}], "inputs": ["s[1]"]}},
                    {{"type": "torch.matmul", "inputs": ["a", "b"]}}]}})",
                    m * k + k * n, m * k, k * n, m, k, k, n);
                Plan p = cnnshape_test::plan_json(spec);
                Tensor x = ramp(p.layers[0].input_shapes[0]);
                Tensor r = run_plan(p, x, kernels::Backend::Ref);
                Tensor s = run_plan(p, x, kernels::default_backend());
                REQUIRE(r.data.size() == std::size_t(2 * m * n));
                REQUIRE(s.data.size() == r.data.size());
                for (std::size_t i = 0; i < r.data.size(); ++i)
                    CHECK(std::fabs(s.data[i] - r.data[i]) <=
                          1e-5f * (1 + std::fabs(r.data[i])) * float(std::max<std::int64_t>(k, 1)));
            }
}

TEST_CASE("Einsum: attention's equations, MACs as the matmul they are", "[tensor_ops]") {
    Plan p = cnnshape_test::plan_json(R"({"input": [2, 6, 4, 5], "layers": [
        {"name": "c", "type": "Chunk", "chunks": 2, "dim": 1},
        {"name": "s", "type": "torch.einsum", "equation": "bhid,bhjd->bhij",
         "inputs": ["c[0]", "c[1]"]},
        {"name": "t", "type": "Einsum", "args": ["bhij->bhji"], "inputs": ["s"]}]})");
    CHECK(p.layers[1].output == Shape{2, 3, 4, 4});
    CHECK(p.layers[1].macs == 2 * 3 * 4 * 4 * 5);
    CHECK(p.layers[2].macs == 0);
    CHECK(p.layers[1].brief == "Einsum('bhid,bhjd->bhij')");
    Tensor x = ramp({2, 6, 4, 5});
    Plan q = cnnshape_test::plan_json(R"({"input": [2, 6, 4, 5], "layers": [
        {"name": "c", "type": "Chunk", "chunks": 2, "dim": 1},
        {"name": "kt", "type": "torch.transpose", "dim0": -2, "dim1": -1, "inputs": ["c[1]"]},
        {"name": "m", "type": "Matmul", "inputs": ["c[0]", "kt"]},
        {"name": "s", "type": "torch.einsum", "equation": "bhid,bhjd->bhij",
         "inputs": ["c[0]", "c[1]"]},
        {"type": "Sub", "inputs": ["m", "s"]}]})");
    Tensor d = run_plan(q, x, kernels::Backend::Ref);
    for (float v : d.data)
        CHECK(std::fabs(v) < 1e-5f);
}
