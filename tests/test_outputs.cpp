// Networks with several outputs (a spec's "outputs": auxiliary heads, feature maps) and the
// layers that hold a tensor of their own (Parameter, Buffer): what counts, what runs, what the
// reports show. Values against PyTorch are in tests/data/run/parameter.json.
#include "cli_support.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/execute.hpp"
#include "cnnshape/explain.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/report.hpp"
#include "support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

using namespace cnnshape;
using Catch::Matchers::Contains;

namespace {

// A trunk, a main head and an auxiliary head that the main output does not use.
const char* kAux = R"({"input": [1, 3, 8, 8], "layers": [
    {"name": "stem", "type": "Conv2d", "args": [3, 4, 3], "padding": 1},
    {"name": "pool", "type": "AdaptiveAvgPool2d", "args": [1]},
    {"name": "flat", "type": "Flatten"},
    {"name": "fc", "type": "Linear", "args": [4, 10]},
    {"name": "aux", "type": "Sequential", "inputs": ["stem"], "layers": [
        {"name": "0", "type": "AdaptiveAvgPool2d", "args": [2]},
        {"name": "1", "type": "Flatten"},
        {"name": "2", "type": "Linear", "args": [16, 5]}]}]%s})";

std::string aux_spec(const std::string& outputs) {
    std::string s = kAux;
    return s.replace(s.find("%s"), 2, outputs);
}

SpecError spec_error_of(const std::string& json) {
    return cnnshape_test::spec_error([&] { load_spec_json(json); });
}

} // namespace

TEST_CASE("several outputs: each has its shape, every layer reaching one counts", "[outputs]") {
    Plan p = cnnshape_test::plan_json(aux_spec(R"(, "outputs": {"out": "fc", "aux": "aux"})"));
    REQUIRE(p.outputs.size() == 2);
    CHECK(p.named_outputs());
    CHECK(p.outputs[0].name == "out");
    CHECK(p.outputs[0].shape == Shape{1, 10});
    CHECK(p.outputs[1].name == "aux");
    CHECK(p.outputs[1].shape == Shape{1, 5});
    CHECK(p.output == Shape{1, 10});
    CHECK(p.unused_layers() == 0);
    const std::int64_t conv = 4 * 64 * 27, fc = 40, aux = 80;
    CHECK(p.totals.macs == conv + fc + aux);
    CHECK(p.totals.params == 4 * 27 + 4 + 50 + 85);
    std::string table = report_table(p);
    CHECK_THAT(table, Contains("-> outputs out 1x10, aux 1x5"));
    auto j = report_json(p);
    CHECK(j["outputs"].dump() == R"([{"name":"out","layer":"fc","shape":[1,10]},)"
                                 R"({"name":"aux","layer":"aux.2","shape":[1,5]}])");
    CHECK(j["output_shape"].dump() == "[1,10]");
    CHECK_THAT(report_markdown(p), Contains("-> outputs out 1x10, aux 1x5"));
    // As a list, each output is named by its reference.
    Plan q = cnnshape_test::plan_json(aux_spec(R"(, "outputs": ["aux.2", "fc"])"));
    CHECK(q.outputs[0].name == "aux.2");
    CHECK(q.output == Shape{1, 5});
}

TEST_CASE("a head that reaches no output holds its parameters but costs no MACs", "[outputs]") {
    // No "outputs": the output is the last layer's, so the main head after "stem" is unused.
    Plan p = cnnshape_test::plan_json(aux_spec(""));
    CHECK(p.output == Shape{1, 5});
    CHECK(p.unused_layers() == 3);
    CHECK_FALSE(p.layers[1].used);
    CHECK_FALSE(p.layers[3].used);
    CHECK(p.layers[4].used);
    CHECK(p.totals.params == 4 * 27 + 4 + 50 + 85); // as model.parameters() counts
    CHECK(p.totals.macs == 4 * 64 * 27 + 80);
    // Activations: only the layers that run.
    std::int64_t act = 0;
    for (auto& l : p.layers)
        if (l.used) act += l.output_bytes;
    CHECK(p.totals.activation_bytes == act);
    std::string table = report_table(p);
    CHECK_THAT(table, Contains("unused"));
    CHECK_THAT(table, Contains("3 layers reach no output: their parameters count, their MACs "
                               "and memory do not"));
    auto j = report_json(p);
    CHECK(j["layers"][3]["used"] == false);
    CHECK_FALSE(j["layers"][4].contains("used"));
    CHECK_FALSE(j.contains("outputs")); // one unnamed output
    std::string csv = report_csv(p);
    CHECK_THAT(csv, Contains(",receptive_field,used\n"));
    CHECK_THAT(csv, Contains("\n3,fc,Linear,") && Contains(",40,40,-,false\n"));
    CHECK_THAT(csv, Contains("\n4,aux.0,"));
    // An unused layer never runs, and the planned peak does not hold its output.
    Network net = load_spec_json(aux_spec(""));
    Plan full = make_plan(load_spec_json(aux_spec(R"(, "outputs": ["aux", "fc"])")), {1, 3, 8, 8});
    CHECK(planned_peak_bytes(p, false) <= planned_peak_bytes(full, false));
    StateDict w = init_weights(p, 0);
    CHECK(w.count("fc.weight")); // still in the state_dict
    RunResult r = execute(p, w, Tensor({1, 3, 8, 8}, 1.0f), RunOptions{});
    CHECK(r.output.shape == Shape{1, 5});
    REQUIRE(r.outputs.size() == 1);
}

TEST_CASE("outputs run: each is the tensor its layer gives", "[outputs]") {
    Plan p = cnnshape_test::plan_json(aux_spec(R"(, "outputs": {"out": "fc", "aux": "aux",
        "feat": "stem", "x": "input", "again": "fc"})"));
    StateDict w = init_weights(p, 3);
    Tensor x = Tensor({1, 3, 8, 8}, 0.5f);
    RunOptions keep;
    keep.keep_all = true;
    RunResult all = execute(p, w, x, keep);
    RunResult r = execute(p, w, x, RunOptions{});
    REQUIRE(r.outputs.size() == 5);
    CHECK(r.outputs[0].data == all.layer_outputs[3].data);
    CHECK(r.outputs[1].data == all.layer_outputs[6].data);
    CHECK(r.outputs[2].data == all.layer_outputs[0].data);
    CHECK(r.outputs[3].data == x.data);
    CHECK(r.outputs[4].data == r.outputs[0].data);
    CHECK(r.output.data == r.outputs[0].data);
}

TEST_CASE("outputs in the CLI: printed per name, saved per name", "[outputs]") {
    std::string spec = aux_spec(R"(, "outputs": {"out": "fc", "aux": "aux"})");
    auto r = cnnshape::test::run_cli("run - --seed 0", spec);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Contains("out: torch.Size([1, 10])\ntensor([["));
    CHECK_THAT(r.out, Contains("aux: torch.Size([1, 5])\ntensor([["));
    r = cnnshape::test::run_cli("run - --seed 0 --format json", spec);
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["outputs"].size() == 2);
    CHECK(j["outputs"][1]["name"] == "aux");
    CHECK(j["outputs"][1]["shape"].dump() == "[1,5]");
    CHECK(j["outputs"][1]["output"].size() == 1);
    CHECK(j["output_shape"].dump() == "[1,10]");
    std::string dir = "/tmp/cnnshape-outputs-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    r = cnnshape::test::run_cli("run - --seed 0 --output " + dir + "/y.npy", spec);
    REQUIRE(r.code == 0);
    CHECK(std::filesystem::exists(dir + "/y.out.npy"));
    CHECK(std::filesystem::exists(dir + "/y.aux.npy"));
    CHECK_FALSE(std::filesystem::exists(dir + "/y.npy"));
    r = cnnshape::test::run_cli("plan -", spec);
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Contains("-> outputs out 1x10, aux 1x5"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("bad outputs are refused where they are written", "[outputs]") {
    auto e = spec_error_of(aux_spec(R"(, "outputs": ["fc", "head"])"));
    CHECK(e.where() == "outputs[1]");
    CHECK_THAT(e.what(), Contains("'outputs' names 'head', which is not a layer of the network"));
    e = spec_error_of(aux_spec(R"(, "outputs": [])"));
    CHECK_THAT(e.what(), Contains("names no layer"));
    e = spec_error_of(aux_spec(R"(, "outputs": {"a": "fc", "b": 3})"));
    CHECK(e.where() == "outputs.b");
    CHECK_THAT(e.what(), Contains("an output is a layer name"));
    e = spec_error_of(aux_spec(R"(, "outputs": "fc")"));
    CHECK_THAT(e.what(), Contains("must be a list of layer names, or an object"));
    e = spec_error_of(aux_spec(R"(, "outputs": ["fc", "fc"])"));
    CHECK_THAT(e.what(), Contains("two outputs are named 'fc'"));
    // A nested layer by its local name only is not an output name: the dotted name is.
    e = spec_error_of(aux_spec(R"(, "outputs": ["2"])"));
    CHECK_THAT(e.what(), Contains("not a layer of the network"));
    // A tuple: name its elements.
    const char* chunk = R"({"layers": [{"name": "c", "type": "Chunk", "chunks": 2, "dim": 1}],
        "outputs": %s})";
    std::string s = chunk;
    e = spec_error_of(std::string(s).replace(s.find("%s"), 2, R"(["c"])"));
    CHECK_THAT(e.what(),
               Contains("'c' (Chunk), which returns a tuple of tensors") && Contains("\"c[0]\""));
    Network net = load_spec_json(std::string(s).replace(s.find("%s"), 2, R"(["c[1]", "c[0]"])"));
    Plan p = make_plan(net, {2, 6});
    CHECK(p.outputs[0].shape == Shape{2, 3});
    RunResult r = execute(p, init_weights(p, 0), Tensor({2, 6}, 2.0f), RunOptions{});
    CHECK(r.outputs[0].shape == Shape{2, 3});
    // An element past the end: PyTorch's IndexError, as a plan error of that layer.
    Network past = load_spec_json(std::string(s).replace(s.find("%s"), 2, R"(["c[2]"])"));
    auto le = cnnshape_test::expect_error<LayerError>([&] { make_plan(past, {2, 6}); });
    CHECK_THAT(le.rule(), Contains("tuple index out of range: 'c' returns 2 tensors"));
    auto cli = cnnshape::test::run_cli("plan - --input 2x6",
                                       std::string(s).replace(s.find("%s"), 2, R"(["c[2]"])"));
    CHECK(cli.code == 1);
}

TEST_CASE("Parameter and Buffer: a tensor of the module's own, taken by later layers",
          "[outputs][parameter]") {
    // A ViT-style class token and positional embedding.
    const char* vit = R"({"input": [2, 4, 8], "layers": [
        {"name": "class_token", "type": "nn.Parameter", "args": [[1, 1, 8]]},
        {"name": "tok", "type": "Expand", "args": [[2, -1, -1]]},
        {"name": "cat", "type": "torch.cat", "inputs": ["tok", "input"], "dim": 1},
        {"name": "pos_embedding", "type": "Parameter", "args": [[1, 5, 8]]},
        {"name": "add", "type": "Add", "inputs": ["cat", "pos_embedding"]},
        {"name": "scale", "type": "Buffer", "shape": [8]},
        {"name": "y", "type": "Mul", "inputs": ["add", "scale"]}]})";
    Plan p = cnnshape_test::plan_json(vit);
    CHECK(p.output == Shape{2, 5, 8});
    CHECK(p.layers[0].inputs.empty());
    CHECK(p.layers[0].output == Shape{1, 1, 8});
    CHECK(p.totals.params == 8 + 40);
    CHECK(p.totals.trainable_params == 48);
    CHECK(p.totals.buffers == 8);
    CHECK(p.totals.macs == 0);
    StateDict w = init_weights(p, 0);
    CHECK(w.count("class_token"));
    CHECK(w.count("pos_embedding"));
    CHECK(w.count("scale"));
    w["class_token"] = Tensor({1, 1, 8}, 1.0f);
    w["pos_embedding"] = Tensor({1, 5, 8}, 0.5f);
    w["scale"] = Tensor({8}, 2.0f);
    RunResult r = execute(p, w, Tensor({2, 4, 8}, 3.0f), RunOptions{});
    REQUIRE(r.output.shape == Shape{2, 5, 8});
    CHECK(r.output.data[0] == 3.0f);     // (1 + 0.5) * 2: the class token
    CHECK(r.output.data[8] == 7.0f);     // (3 + 0.5) * 2
    CHECK(r.output.data[5 * 8] == 3.0f); // the second sample's class token
    std::string table = report_table(p);
    CHECK_THAT(table, Contains("Parameter([1, 1, 8])"));
    Explanation ex = explain_network(load_spec_json(vit), {2, 4, 8});
    CHECK_THAT(explain_text(ex), Contains("a learned parameter of shape 1x1x8"));
    // requires_grad=False: a parameter, not trainable.
    Plan frozen = cnnshape_test::plan_exprs({"nn.Parameter([3, 4], requires_grad=False)"}, {1});
    CHECK(frozen.totals.params == 12);
    CHECK(frozen.totals.trainable_params == 0);
    CHECK(frozen.output == Shape{3, 4});
    // A non-persistent buffer: counted, not in the state_dict --weights loads.
    Plan np = cnnshape_test::plan_exprs({"Buffer([3], persistent=False)"}, {1});
    CHECK(np.totals.buffers == 3);
}

TEST_CASE("Parameter's errors are PyTorch's", "[outputs][parameter]") {
    auto e = cnnshape_test::layer_error({"nn.Parameter([2, -1])"}, {1});
    CHECK(std::string(e.rule()) == "Trying to create tensor with negative dimension -1: [2, -1]");
    auto s = spec_error_of(R"({"layers": [{"type": "ReLU"},
        {"type": "Parameter", "shape": [2], "inputs": ["0"]}]})");
    CHECK_THAT(s.what(), Contains("Parameter takes no input (it is a tensor of its own), got 1"));
    auto r = cnnshape::test::run_cli("plan --input 1 --layer 'nn.Parameter()'");
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Contains("missing 1 required positional argument: 'shape'"));
}

TEST_CASE("a network ending in a tuple: JSON lists and --output saves every tensor", "[outputs]") {
    const char* spec = R"({"input": [1, 4, 2, 2], "layers": [
        {"name": "c", "type": "Chunk", "chunks": 2, "dim": 1}]})";
    auto r = cnnshape::test::run_cli("run - --fill arange --format json", spec);
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    REQUIRE(j["tuple"].size() == 2);
    CHECK(j["tuple"][0]["shape"].dump() == "[1,2,2,2]");
    CHECK(j["tuple"][1]["output"].dump() ==
          "[[[[9.0,10.0],[11.0,12.0]],[[13.0,14.0],[15.0,16.0]]]]");
    CHECK(j["tuple_nones"] == 0);
    CHECK(j["output"] == j["tuple"][0]["output"]);
    std::string dir = "/tmp/cnnshape-tuple-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    r = cnnshape::test::run_cli("run - --fill arange --output " + dir + "/y.npy", spec);
    REQUIRE(r.code == 0);
    CHECK(std::filesystem::exists(dir + "/y.0.npy"));
    CHECK(std::filesystem::exists(dir + "/y.1.npy"));
    CHECK_FALSE(std::filesystem::exists(dir + "/y.npy"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("AdaptiveMaxPool(return_indices=True) returns (values, indices)", "[outputs]") {
    const char* spec = R"({"input": [1, 1, 4, 4], "layers": [
        {"name": "p", "type": "AdaptiveMaxPool2d", "args": [2], "return_indices": true},
        {"name": "v", "type": "Flatten", "inputs": ["p[0]"]},
        {"name": "i", "type": "Flatten", "inputs": ["p[1]"]}],
        "outputs": {"values": "v", "indices": "i"}})";
    Plan p = cnnshape_test::plan_json(spec);
    REQUIRE(p.layers[0].tuple);
    CHECK(p.outputs[1].shape == Shape{1, 4});
    auto r = cnnshape::test::run_cli("run - --fill arange --format json", spec);
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["outputs"][0]["output"].dump() == "[[6.0,8.0,14.0,16.0]]"); // arange from 1
    CHECK(j["outputs"][1]["output"].dump() == "[[5.0,7.0,13.0,15.0]]");
    // Without "[k]" a later layer cannot take the whole tuple.
    auto e = spec_error_of(R"({"input": [1, 1, 4, 4], "layers": [
        {"name": "p", "type": "AdaptiveMaxPool2d", "args": [2], "return_indices": true},
        {"name": "f", "type": "Flatten"}]})");
    CHECK_THAT(e.what(), Contains("returns a tuple"));
}

// The JSON report writes each layer's arguments straight from the bound Values (report.cpp's
// append_value_json, for speed); explain and diff use LayerPlan::args_json(), built through
// nlohmann. The two encodings must agree on every argument of every layer: every spec under
// examples/networks (the zoo included), and expressions with the Value kinds the specs lack
// (non-finite floats, nested tuples, None, strings, inferred in_channels).
TEST_CASE("the JSON report's arguments are LayerPlan::args_json() for every layer",
          "[report][json]") {
    auto check_plan = [](const Plan& p, const std::string& what) {
        auto report = nlohmann::ordered_json::parse(report_json_text(p));
        const auto& layers = report.at("layers");
        REQUIRE(layers.size() == p.layers.size());
        for (std::size_t i = 0; i < p.layers.size(); ++i) {
            CAPTURE(what, i, p.layers[i].name);
            CHECK(layers[i].at("args").dump() == p.layers[i].args_json().dump());
        }
    };
    std::vector<std::string> specs;
    for (const char* dir : {"examples/networks", "examples/networks/zoo"})
        for (const auto& e : std::filesystem::directory_iterator(test::source_path(dir)))
            if (e.path().extension() == ".json" && e.path().filename() != "expected.json" &&
                e.path().filename() != "status.json")
                specs.push_back(e.path().string());
    std::sort(specs.begin(), specs.end());
    REQUIRE(specs.size() >= 100);
    std::size_t planned = 0;
    for (const auto& s : specs) {
        Network net = load_spec_file(s);
        if (!net.input) continue; // a spec without its own input: planned elsewhere
        check_plan(make_plan(net, *net.input), s);
        ++planned;
    }
    CHECK(planned >= 90);

    auto [input, exprs] = GENERATE(table<std::string, std::vector<std::string>>({
        {"1x3x8x8",
         {"nn.Hardtanh(min_val=float('-inf'), max_val=float('inf'))",
          "nn.Threshold(float('nan'), 0.5)", "nn.LeakyReLU(1e-300)"}},
        {"1x3x8x8", {"nn.LazyConv2d(4, (3, 1), stride=(2, 1), padding=(0, 1))"}},
        {"1x3x8x8", {"nn.Upsample(scale_factor=(2.0, 1.5), mode='bilinear')"}},
        {"1x3x8x8", {"nn.ConstantPad2d((1, 2, 0, 1), float('-inf'))", "nn.Unflatten(1, (3, 1))"}},
        {"1x3x8x8", {"nn.Conv2d(3, 6, 3, padding='same', padding_mode='reflect', groups=3)"}},
        {"1x3x8x8", {"nn.AvgPool2d(3, None, 1, True, False, None)", "nn.Flatten(1, -1)"}},
        {"2x5x7", {"nn.LazyBatchNorm1d(eps=1e-05, momentum=None)", "nn.LazyLinear(3)"}},
    }));
    CAPTURE(exprs);
    Network net = network_from_exprs(exprs);
    check_plan(make_plan(net, parse_shape(input)), input);
}
