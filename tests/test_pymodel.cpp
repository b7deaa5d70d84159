// Python model files (`class Net(nn.Module)` with forward()), read without Python: each file in
// tests/data/pymodel/ plans to what PyTorch 1.13 gives for the same model and input
// (tests/data/pymodel/expected.json, written by tools/gen_pymodel_fixtures.py: output shapes,
// parameters, trainable parameters, buffers, MACs by cnnshape's convention, and the state_dict's
// keys and shapes, which are the layers' names and tensors). And what the reader refuses: at
// the file's line and column, with the line and a caret, exit 2.
#include "cli_support.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace cnnshape;
using cnnshape::test::run_cli;
using cnnshape::test::slurp;
using cnnshape::test::source_path;

namespace {

const std::string kDir = "tests/data/pymodel/";

std::string arg_of(const nlohmann::json& args, const std::string& name) {
    for (std::size_t i = 0; i + 1 < args.size(); i += 2)
        if (args[i] == name) return args[i + 1].get<std::string>();
    return "";
}

std::vector<std::string> state_dict(const Plan& p) {
    std::vector<std::string> keys;
    for (const auto& lp : p.layers)
        for (const auto& t : lp.tensors) {
            if (!t.persistent) continue;
            std::string k = (t.name.empty() ? lp.name : lp.name + "." + t.name) + ":";
            for (std::size_t i = 0; i < t.shape.size(); ++i)
                k += (i ? "," : "") + std::to_string(t.shape[i]);
            keys.push_back(k);
        }
    std::sort(keys.begin(), keys.end());
    return keys;
}

} // namespace

TEST_CASE("pymodel: model files plan to PyTorch's shapes, counts and state_dict", "[pymodel]") {
    auto cases = nlohmann::json::parse(slurp(source_path(kDir + "expected.json")));
    REQUIRE(cases.size() >= 5);
    for (const auto& c : cases) {
        std::string file = c["file"].get<std::string>();
        CAPTURE(file);
        ReadHints hints;
        std::string input = arg_of(c["args"], "--input");
        if (!input.empty()) hints.input = parse_shape(input);
        if (arg_of(c["args"], "--mode") == "train") hints.mode = Mode::Train;
        Network net = load_spec_file(source_path(kDir + file), arg_of(c["args"], "--model"), hints);
        if (hints.mode) net.mode = *hints.mode;
        Shape in = c["input"].get<Shape>();
        REQUIRE(net.input);
        CHECK(*net.input == in);
        Plan p = make_plan(net, in);
        std::vector<Shape> outs;
        for (const auto& o : p.outputs)
            outs.push_back(o.shape);
        CHECK(outs == c["outputs"].get<std::vector<Shape>>());
        CHECK(p.totals.params == c["params"].get<std::int64_t>());
        CHECK(p.totals.trainable_params == c["trainable"].get<std::int64_t>());
        CHECK(p.totals.buffers == c["buffers"].get<std::int64_t>());
        CHECK(p.totals.macs == c["macs"].get<std::int64_t>());
        std::vector<std::string> want;
        for (const auto& kv : c["state_dict"]) {
            std::string k = kv[0].get<std::string>() + ":";
            for (std::size_t i = 0; i < kv[1].size(); ++i)
                k += (i ? "," : "") + std::to_string(kv[1][i].get<long long>());
            want.push_back(k);
        }
        std::sort(want.begin(), want.end());
        CHECK(state_dict(p) == want);
    }
}
