// MultiheadAttention: its tuple, inputs, counts, state_dict names, initialisation and the cases
// `run` refuses. Shapes and messages against PyTorch are in tests/data/conformance/attention.json,
// values in tests/data/run/attention.json (whose "init" cases are checked here).
#include "cli_support.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/execute.hpp"
#include "cnnshape/explain.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/report.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace cnnshape;
using Catch::Matchers::Contains;

namespace {

// q, k and v cut from one (2, 6 + 4 + 5) input, then attention with kdim=4, vdim=5.
const char* kCross = R"({"input": [2, 15], "layers": [
    {"name": "q", "type": "torch.narrow", "inputs": ["input"], "dim": 1, "start": 0, "length": 6},
    {"name": "k", "type": "torch.narrow", "inputs": ["input"], "dim": 1, "start": 6, "length": 4},
    {"name": "v", "type": "torch.narrow", "inputs": ["input"], "dim": 1, "start": 10, "length": 5},
    {"name": "a", "type": "MultiheadAttention", "embed_dim": 6, "num_heads": 3, "kdim": 4,
     "vdim": 5, "add_bias_kv": true, "inputs": ["q", "k", "v"]},
    {"name": "y", "type": "ReLU", "inputs": ["a[0]"]}]})";

} // namespace

TEST_CASE("self-attention returns (attn_output, attn_weights) with PyTorch's counts",
          "[attention]") {
    Plan p = cnnshape_test::plan_exprs({"nn.MultiheadAttention(8, 2)"}, {5, 3, 8});
    const LayerPlan& l = p.layers.at(0);
    CHECK(l.tuple);
    CHECK(l.outputs == std::vector<Shape>{{5, 3, 8}, {3, 5, 5}});
    // in_proj_weight 3E x E, in_proj_bias 3E, out_proj E x E + E.
    CHECK(l.params == 3 * 64 + 24 + 64 + 8);
    // q, k, v projections and out_proj (L*N*E*E each), QK^T and AV (N*L*S*E each).
    CHECK(l.macs == 4 * 15 * 64 + 2 * 15 * 5 * 8);
    std::vector<std::string> names;
    for (auto& t : l.tensors)
        names.push_back(t.name);
    CHECK(names == std::vector<std::string>{"in_proj_weight", "in_proj_bias", "out_proj.weight",
                                            "out_proj.bias"});
    CHECK(output_text(l) == "(5x3x8, 3x5x5)");
    Plan bf = cnnshape_test::plan_exprs(
        {"nn.MultiheadAttention(8, 4, batch_first=True, average_attn_weights=False)"}, {2, 5, 8});
    CHECK(bf.layers[0].outputs == std::vector<Shape>{{2, 5, 8}, {2, 4, 5, 5}});
    Plan un =
        cnnshape_test::plan_exprs({"nn.MultiheadAttention(8, 2, need_weights=False)"}, {5, 8});
    CHECK(un.layers[0].outputs == std::vector<Shape>{{5, 8}});
}

TEST_CASE("query, key and value come from \"inputs\"; kdim and vdim get their own weights",
          "[attention]") {
    Plan p = cnnshape_test::plan_json(kCross);
    const LayerPlan& a = p.layers.at(3);
    CHECK(a.inputs == std::vector<std::string>{"q", "k", "v"});
    // S = 2, plus bias_k: the weights are (L, S + 1) unbatched.
    CHECK(a.outputs == std::vector<Shape>{{2, 6}, {2, 3}});
    std::vector<std::string> names;
    for (auto& t : a.tensors)
        names.push_back(t.name);
    CHECK(names == std::vector<std::string>{"q_proj_weight", "k_proj_weight", "v_proj_weight",
                                            "in_proj_bias", "bias_k", "bias_v", "out_proj.weight",
                                            "out_proj.bias"});
    CHECK(a.params == 36 + 24 + 30 + 18 + 12 + 36 + 6);
    CHECK(p.output == Shape{2, 6});
    // Two inputs: PyTorch's forward needs value too.
    auto e = cnnshape_test::expect_error<LayerError>([] {
        cnnshape_test::plan_json(R"({"input": [2, 8], "layers": [{"name": "r", "type": "ReLU"},
            {"name": "a", "type": "MultiheadAttention", "args": [8, 2], "inputs": ["r", "r"]},
            {"type": "ReLU", "inputs": ["a[0]"]}]})");
    });
    CHECK_THAT(e.rule(), Contains("missing 1 required positional argument: 'value'"));
}

TEST_CASE("attn_weights of need_weights=False is None, and taking it says so", "[attention]") {
    auto e = cnnshape_test::expect_error<LayerError>([] {
        cnnshape_test::plan_json(R"({"input": [4, 8], "layers": [
            {"name": "a", "type": "MultiheadAttention", "args": [8, 2], "need_weights": false},
            {"type": "ReLU", "inputs": ["a[1]"]}]})");
    });
    CHECK_THAT(e.rule(), Contains("tuple index out of range") &&
                             Contains("with need_weights=False, MultiheadAttention returns "
                                      "(attn_output, None)"));
}

TEST_CASE("masks other than None are refused; forward's keywords are keyword-only", "[attention]") {
    auto e = cnnshape_test::spec_error(
        [] { network_from_exprs({"nn.MultiheadAttention(8, 2, attn_mask=1)"}); });
    CHECK_THAT(e.what(), Contains("attn_mask: cnnshape supports only None"));
    e = cnnshape_test::spec_error(
        [] { network_from_exprs({"nn.MultiheadAttention(8, 2, is_causal=True)"}); });
    CHECK_THAT(e.what(), Contains("unexpected keyword argument 'is_causal'"));
    CHECK_NOTHROW(network_from_exprs({"nn.MultiheadAttention(8, 2, key_padding_mask=None)"}));
}

TEST_CASE("MultiheadAttention's initial parameters are PyTorch's bit for bit", "[attention]") {
    // tools/gen_run_fixtures.py: torch.manual_seed(seed); nn.MultiheadAttention(...).state_dict()
    auto doc = nlohmann::json::parse(
        cnnshape::test::slurp(std::string(CNNSHAPE_TEST_DATA) + "/run/attention.json"));
    REQUIRE(doc.at("init").size() >= 3);
    for (auto& c : doc.at("init")) {
        std::string name = c.at("name");
        CAPTURE(name);
        Plan plan =
            make_plan(load_spec_json(c.at("spec").dump()), c.at("spec").at("input").get<Shape>());
        StateDict sd = init_weights(plan, c.at("seed").get<std::uint64_t>());
        std::size_t n = 0;
        for (auto& [key, v] : c.at("state").items()) {
            CAPTURE(key);
            REQUIRE(sd.count(key));
            std::string bytes = cnnshape_test::unbase64(v.at("f32").get<std::string>());
            REQUIRE(sd[key].shape == v.at("shape").get<Shape>());
            REQUIRE(bytes.size() == sd[key].data.size() * 4);
            CHECK(std::memcmp(sd[key].ptr(), bytes.data(), bytes.size()) == 0);
            ++n;
        }
        CHECK(n == sd.size());
    }
}

TEST_CASE("train mode drops attention weights; explain names the heads", "[attention]") {
    // The mask itself is checked against PyTorch in tests/data/run/attention.json.
    auto train = cnnshape::test::run_cli(
        "run --layer \"nn.MultiheadAttention(8, 2, dropout=0.5)\" --input 3x1x8 --mode train");
    auto eval = cnnshape::test::run_cli(
        "run --layer \"nn.MultiheadAttention(8, 2, dropout=0.5)\" --input 3x1x8");
    CHECK(train.code == 0);
    CHECK(eval.code == 0);
    CHECK(train.out != eval.out);
    auto r = cnnshape::test::run_cli(
        "run --layer \"nn.MultiheadAttention(8, 2, dropout=0.1)\" --input 3x1x8 --format json");
    CHECK(r.code == 0);
    CHECK(nlohmann::json::parse(r.out)["output_shape"].dump() == "[3,1,8]");
    r = cnnshape::test::run_cli(
        "plan --layer \"nn.MultiheadAttention(8, 2, dropout=1.5)\" --input 3x1x8 --mode train");
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Contains("dropout probability has to be between 0 and 1, but got 1.5"));
    Explanation ex =
        explain_network(network_from_exprs({"nn.MultiheadAttention(8, 2)"}), {5, 3, 8});
    std::string text = explain_text(ex);
    CHECK_THAT(text, Contains("2 heads of head_dim 4 = 8 / 2") &&
                         Contains("self-attention, query = key = value") &&
                         Contains("params = 24*8 + 24 + 8*8 + 8 = 288 (in_proj_weight, "
                                  "in_proj_bias, out_proj.weight, out_proj.bias)"));
}

TEST_CASE("print(model) text of MultiheadAttention is refused: it lacks num_heads", "[attention]") {
    auto e = cnnshape_test::spec_error([] {
        load_spec_text("Sequential(\n  (0): MultiheadAttention(\n    (out_proj): "
                       "NonDynamicallyQuantizableLinear(in_features=8, out_features=8, "
                       "bias=True)\n  )\n)\n");
    });
    CHECK_THAT(e.what(), Contains("write it as a PyTorch expression or in a JSON spec"));
}

TEST_CASE("run prints the whole tuple, as print(output) does", "[attention]") {
    // torch.manual_seed(0); m = nn.MultiheadAttention(4, 2); torch.manual_seed(0);
    // x = torch.randn(2, 1, 4); print(m.eval()(x, x, x, need_weights=False)) under no_grad.
    auto r = cnnshape::test::run_cli(
        "run --layer \"nn.MultiheadAttention(4, 2, need_weights=False)\" --input 2x1x4");
    CHECK(r.code == 0);
    CHECK(r.out == "(tensor([[[0.0939, 0.2406, 0.0843, 0.1125]],\n\n"
                   "        [[0.3839, 0.2088, 0.1919, 0.1668]]]), None)\n");
    r = cnnshape::test::run_cli("run --layer \"nn.MultiheadAttention(4, 2)\" --input 2x4");
    CHECK(r.out == "(tensor([[0.0939, 0.2406, 0.0843, 0.1125],\n"
                   "        [0.3839, 0.2088, 0.1919, 0.1668]]), tensor([[0.4095, 0.5905],\n"
                   "        [0.3760, 0.6240]]))\n");
    // torch.chunk's tuples, a one-element one with Python's trailing comma.
    r = cnnshape::test::run_cli("run --layer \"torch.chunk(2)\" --input 4 --fill arange");
    CHECK(r.out == "(tensor([1., 2.]), tensor([3., 4.]))\n");
    r = cnnshape::test::run_cli("run --layer \"torch.chunk(1)\" --input 2 --fill arange");
    CHECK(r.out == "(tensor([1., 2.]),)\n");
    Plan p =
        cnnshape_test::plan_exprs({"nn.MultiheadAttention(4, 2, need_weights=False)"}, {2, 1, 4});
    CHECK(output_text(p.layers[0]) == "(2x1x4, None)");
}

TEST_CASE("a layer named twice in \"inputs\" is one tensor, as `key is value` in PyTorch",
          "[attention]") {
    // mha(q, kv, kv) projects kv with in_proj_weight's last 2E rows at once: PyTorch's linear
    // then names an 8x16 matrix; with two distinct tensors, an 8x8 one.
    auto message = [](const char* v) {
        return cnnshape_test::expect_error<LayerError>([&] {
                   cnnshape_test::plan_json(std::string(R"({"input": [4, 3, 14], "layers": [
                {"name": "q", "type": "torch.narrow", "inputs": ["input"], "dim": 2, "start": 0, "length": 8},
                {"name": "kv", "type": "torch.narrow", "inputs": ["input"], "dim": 2, "start": 8, "length": 6},
                {"name": "kv2", "type": "torch.narrow", "inputs": ["input"], "dim": 2, "start": 8, "length": 6},
                {"name": "a", "type": "MultiheadAttention", "args": [8, 2], "inputs": ["q", "kv", ")") +
                                            v + R"("]}, {"type": "ReLU", "inputs": ["a[0]"]}]})");
               })
            .rule();
    };
    CHECK_THAT(message("kv"),
               Contains("mat1 and mat2 shapes cannot be multiplied (12x6 and 8x16)"));
    CHECK_THAT(message("kv2"),
               Contains("mat1 and mat2 shapes cannot be multiplied (12x6 and 8x8)"));
}
