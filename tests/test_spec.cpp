// Unit tests for the spec readers: JSON specs (naming, "inputs" resolution, argument binding and
// its errors, "trainable"), nn.Sequential Python source, print(model) text and --layer expressions.
// Shapes and counts were produced by PyTorch 1.13.1 from the equivalent nn.Sequential.
#include "support.hpp"

#include "cnnshape/error.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/report.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

using namespace cnnshape;
using namespace cnnshape_test;
using Catch::Contains;
using Catch::StartsWith;

namespace {

std::vector<std::string> node_names(const Network& net) {
    std::vector<std::string> r;
    for (auto& n : net.nodes)
        r.push_back(n.name);
    return r;
}

std::vector<std::string> layer_names(const Plan& p) {
    std::vector<std::string> r;
    for (auto& l : p.layers)
        r.push_back(l.name);
    return r;
}

const LayerPlan& by_name(const Plan& p, const std::string& name) {
    for (auto& l : p.layers)
        if (l.name == name) return l;
    FAIL("no layer named " << name);
    throw std::logic_error("unreachable");
}

using Names = std::vector<std::string>;

} // namespace

// ---- naming -------------------------------------------------------------------------------------

TEST_CASE("unnamed layers are named by their index, nested ones with dotted prefixes", "[spec]") {
    // PyTorch: nn.Sequential(Conv2d(3,4,3), ReLU(), nn.Sequential(Conv2d(4,4,1),
    // nn.Sequential(ReLU())), nn.Sequential(Flatten())) names its leaves
    // '0', '1', '2.0', '2.1.0', '3.0' and gives (1, 144) on (1, 3, 8, 8), 132 parameters.
    Network net = load_spec_json(R"({"input": [1, 3, 8, 8], "layers": [
        {"type": "Conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": 3},
        {"type": "ReLU"},
        {"type": "Sequential", "layers": [
            {"type": "Conv2d", "in_channels": 4, "out_channels": 4, "kernel_size": 1},
            {"type": "Sequential", "layers": [{"type": "ReLU"}]}
        ]},
        {"type": "Sequential", "layers": [{"type": "Flatten"}]}
    ]})");
    CHECK(node_names(net) == Names{"0", "1", "2.0", "2.1.0", "3.0"});
    CHECK(net.nodes[3].where == "layers[2].layers[1].layers[0]");
    Plan p = make_plan(net, *net.input);
    CHECK(p.output == Shape{1, 144});
    CHECK(p.totals.params == 132);
    CHECK(p.totals.macs == 4464);
    CHECK(p.layers[0].inputs == Names{"input"});
    CHECK(p.layers[2].inputs == Names{"1"});
    CHECK(p.layers[3].inputs == Names{"2.0"});
    CHECK(p.layers[4].inputs == Names{"2.1.0"});
}

TEST_CASE("given names replace the index and prefix nested layers", "[spec]") {
    Network net = load_spec_json(R"({"name": "tiny", "input": [1, 3, 8, 8], "layers": [
        {"name": "conv", "type": "Conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": 3},
        {"type": "ReLU"},
        {"name": "head", "type": "Sequential", "layers": [
            {"type": "Flatten"},
            {"name": "fc", "type": "Linear", "in_features": 144, "out_features": 2}
        ]}
    ]})");
    CHECK(net.name == "tiny");
    CHECK(node_names(net) == Names{"conv", "1", "head.0", "head.fc"});
    Plan p = make_plan(net, *net.input);
    CHECK(p.name == "tiny");
    CHECK(p.output == Shape{1, 2});
    CHECK(p.layers[3].inputs == Names{"head.0"});
}

TEST_CASE("a name may be written as a JSON integer", "[spec]") {
    Network net = load_spec_json(R"({"layers": [{"name": 7, "type": "ReLU"}]})");
    CHECK(node_names(net) == Names{"7"});
}

TEST_CASE("names must be unique within a Sequential, may repeat across Sequentials", "[spec]") {
    SpecError e = spec_error([] {
        load_spec_json(
            R"({"layers": [{"name": "a", "type": "ReLU"}, {"name": "a", "type": "Tanh"}]})");
    });
    CHECK(e.where() == "layers[1].name");
    CHECK_THAT(e.what(), Contains("'a'"));

    // ResNet's blocks all have a conv1
    Network net = load_spec_json(R"({"layers": [
        {"name": "b1", "type": "Sequential", "layers": [{"name": "conv1", "type": "ReLU"}]},
        {"name": "b2", "type": "Sequential", "layers": [{"name": "conv1", "type": "ReLU"}]}
    ]})");
    CHECK(node_names(net) == Names{"b1.conv1", "b2.conv1"});
}

TEST_CASE("names cannot contain '.', be empty, or be \"input\"", "[spec]") {
    SpecError dot =
        spec_error([] { load_spec_json(R"({"layers": [{"name": "a.b", "type": "ReLU"}]})"); });
    CHECK(dot.where() == "layers[0].name");
    CHECK_THAT(dot.what(), Contains("a.b"));
    CHECK_THAT(dot.what(), Contains("'.'"));

    SpecError empty =
        spec_error([] { load_spec_json(R"({"layers": [{"name": "", "type": "ReLU"}]})"); });
    CHECK(empty.where() == "layers[0].name");

    SpecError reserved = spec_error([] {
        load_spec_json(R"({"layers": [{"type": "ReLU"}, {"name": "input", "type": "Tanh"}]})");
    });
    CHECK(reserved.where() == "layers[1].name");
    CHECK_THAT(reserved.what(), Contains("input"));

    SpecError nested = spec_error([] {
        load_spec_json(R"({"layers": [{"name": "s", "type": "Sequential", "layers": [
            {"name": "input", "type": "ReLU"}]}]})");
    });
    CHECK(nested.where() == "layers[0].layers[0].name");
}

// ---- "inputs" resolution ------------------------------------------------------------------------

TEST_CASE("\"input\" is the enclosing Sequential's input", "[spec]") {
    Plan p = plan_json(R"({"input": [1, 4, 8, 8], "layers": [
        {"name": "stem", "type": "Conv2d", "in_channels": 4, "out_channels": 8, "kernel_size": 3, "padding": 1},
        {"name": "block", "type": "Sequential", "layers": [
            {"name": "conv1", "type": "Conv2d", "in_channels": 8, "out_channels": 8, "kernel_size": 3, "padding": 1},
            {"name": "relu", "type": "ReLU"},
            {"name": "add", "type": "Add", "inputs": ["relu", "input"]}
        ]},
        {"name": "out", "type": "Add", "inputs": ["block", "stem"]},
        {"name": "cat", "type": "Concat", "dim": 1, "inputs": ["out", "input"]}
    ]})");
    CHECK(layer_names(p) == Names{"stem", "block.conv1", "block.relu", "block.add", "out", "cat"});
    CHECK(by_name(p, "stem").inputs == Names{"input"});
    CHECK(by_name(p, "block.conv1").inputs == Names{"stem"});
    CHECK(by_name(p, "block.add").inputs == Names{"block.relu", "stem"});
    // a Sequential's name stands for its last layer's output
    CHECK(by_name(p, "out").inputs == Names{"block.add", "stem"});
    CHECK(by_name(p, "cat").inputs == Names{"out", "input"});
    CHECK(p.output == Shape{1, 12, 8, 8});
    CHECK(p.totals.params == 880); // two Conv2d(.., 8, 3, padding=1): 296 + 584
    CHECK(p.totals.macs == 55296);
}

TEST_CASE("a Sequential with \"inputs\" starts from that tensor", "[spec]") {
    // ResNet's downsample branch: a Sequential fed from the block input.
    Plan p = plan_json(R"({"input": [1, 4, 8, 8], "layers": [
        {"name": "a", "type": "Conv2d", "in_channels": 4, "out_channels": 8, "kernel_size": 1},
        {"name": "b", "type": "Conv2d", "in_channels": 8, "out_channels": 8, "kernel_size": 3, "stride": 2, "padding": 1},
        {"name": "down", "type": "Sequential", "inputs": ["a"], "layers": [
            {"name": "c", "type": "Conv2d", "in_channels": 8, "out_channels": 8, "kernel_size": 1, "stride": 2},
            {"name": "echo", "type": "Identity", "inputs": "input"}
        ]},
        {"name": "sum", "type": "Add", "inputs": ["b", "down.c"]}
    ]})");
    CHECK(by_name(p, "down.c").inputs == Names{"a"});
    CHECK(by_name(p, "down.echo").inputs == Names{"a"});
    CHECK(by_name(p, "down.echo").output == Shape{1, 8, 8, 8});
    CHECK(by_name(p, "sum").inputs == Names{"b", "down.c"});
    CHECK(p.output == Shape{1, 8, 4, 4});
}

TEST_CASE("names resolve among earlier siblings, then enclosing scopes, then dotted names",
          "[spec]") {
    Plan p = plan_json(R"({"input": [1, 2, 4, 4], "layers": [
        {"name": "x", "type": "ReLU"},
        {"name": "blk", "type": "Sequential", "layers": [
            {"name": "y", "type": "Identity", "inputs": "x"},
            {"name": "x", "type": "Sigmoid"},
            {"name": "z", "type": "Tanh", "inputs": "x"},
            {"name": "deep", "type": "Sequential", "layers": [
                {"name": "u", "type": "Identity", "inputs": "y"},
                {"name": "t", "type": "Identity", "inputs": "x"}
            ]}
        ]},
        {"name": "w", "type": "Identity", "inputs": "blk.y"},
        {"name": "v", "type": "Identity", "inputs": "x"},
        {"name": "d", "type": "Identity", "inputs": ["blk.deep.u"]}
    ]})");
    // not yet defined in blk: the enclosing scope's x
    CHECK(by_name(p, "blk.y").inputs == Names{"x"});
    CHECK(by_name(p, "blk.x").inputs == Names{"blk.y"});
    // defined in blk by now: the sibling wins over the outer x
    CHECK(by_name(p, "blk.z").inputs == Names{"blk.x"});
    // two levels down: the nearest enclosing scope that has the name
    CHECK(by_name(p, "blk.deep.u").inputs == Names{"blk.y"});
    CHECK(by_name(p, "blk.deep.t").inputs == Names{"blk.x"});
    // full dotted names reach into a Sequential
    CHECK(by_name(p, "w").inputs == Names{"blk.y"});
    CHECK(by_name(p, "d").inputs == Names{"blk.deep.u"});
    // back at the top, x is the top-level x again
    CHECK(by_name(p, "v").inputs == Names{"x"});
    CHECK(p.output == Shape{1, 2, 4, 4});
}

TEST_CASE("a nested layer's local name is not visible outside without its prefix", "[spec]") {
    SpecError e = spec_error([] {
        load_spec_json(R"({"layers": [
            {"name": "blk", "type": "Sequential", "layers": [{"name": "conv1", "type": "ReLU"}]},
            {"name": "use", "type": "Identity", "inputs": "conv1"}
        ]})");
    });
    CHECK(e.where() == "layers[1].inputs");
    CHECK_THAT(e.what(), Contains("'conv1'"));
}

TEST_CASE("forward references and unknown names are spec errors naming the reference", "[spec]") {
    SECTION("forward reference") {
        SpecError e = spec_error([] {
            load_spec_json(R"({"layers": [
                {"name": "add", "type": "Add", "inputs": ["input", "later"]},
                {"name": "later", "type": "ReLU"}
            ]})");
        });
        CHECK(e.where() == "layers[0].inputs");
        CHECK_THAT(e.what(), Contains("'later'"));
    }
    SECTION("a layer cannot take its own output") {
        SpecError e = spec_error([] {
            load_spec_json(R"({"layers": [{"name": "me", "type": "ReLU", "inputs": "me"}]})");
        });
        CHECK_THAT(e.what(), Contains("'me'"));
    }
    SECTION("unknown name") {
        SpecError e = spec_error([] {
            load_spec_json(R"({"layers": [
                {"name": "a", "type": "ReLU"},
                {"name": "b", "type": "Add", "inputs": ["a", "nope"]}
            ]})");
        });
        CHECK(e.where() == "layers[1].inputs");
        CHECK_THAT(e.what(), Contains("'nope'"));
    }
    SECTION("inside a nested Sequential") {
        SpecError e = spec_error([] {
            load_spec_json(R"({"layers": [{"name": "s", "type": "Sequential", "layers": [
                {"type": "ReLU"}, {"type": "Identity", "inputs": "ghost"}]}]})");
        });
        CHECK(e.where() == "layers[0].layers[1].inputs");
        CHECK_THAT(e.what(), Contains("'ghost'"));
    }
    SECTION("inputs must be names") {
        SpecError e = spec_error(
            [] { load_spec_json(R"({"layers": [{"type": "Add", "inputs": ["input", 3]}]})"); });
        CHECK(e.where() == "layers[0].inputs[1]");
        SpecError f =
            spec_error([] { load_spec_json(R"({"layers": [{"type": "ReLU", "inputs": 3}]})"); });
        CHECK(f.where() == "layers[0].inputs");
    }
}

TEST_CASE("Add needs two inputs, Concat one or more, other layers exactly one", "[spec]") {
    SpecError one = spec_error([] {
        load_spec_json(R"({"layers": [{"type": "ReLU"}, {"type": "Add", "inputs": ["input"]}]})");
    });
    CHECK_THAT(one.where(), StartsWith("layers[1]"));
    CHECK_THAT(one.what(), Contains("Add"));

    SpecError none = spec_error([] { load_spec_json(R"({"layers": [{"type": "Add"}]})"); });
    CHECK_THAT(none.where(), StartsWith("layers[0]"));

    // torch.cat([x]) is x: one input is enough (DenseNet's first dense layer concatenates one).
    Network cat1 = load_spec_json(R"({"layers": [{"type": "Concat", "dim": 1}]})");
    CHECK(make_plan(cat1, {1, 3, 4, 4}).layers.at(0).output == Shape{1, 3, 4, 4});
    SpecError cat0 = spec_error(
        [] { load_spec_json(R"({"layers": [{"type": "Concat", "dim": 1, "inputs": []}]})"); });
    CHECK_THAT(cat0.where(), StartsWith("layers[0]"));
    CHECK_THAT(cat0.what(), Contains("at least one layer name"));

    SpecError relu = spec_error([] {
        load_spec_json(R"({"layers": [{"name": "a", "type": "Tanh"},
            {"type": "ReLU", "inputs": ["input", "a"]}]})");
    });
    CHECK(relu.where() == "layers[1].inputs");

    // Add in an --layer list has no way to name two inputs
    SpecError expr = spec_error([] { network_from_exprs({"nn.ReLU()", "Add()"}); });
    CHECK_THAT(expr.where(), StartsWith("--layer 2"));
}

// ---- JSON syntax and structure ------------------------------------------------------------------

TEST_CASE("JSON syntax errors give the line and column", "[spec]") {
    SECTION("trailing comma: the ']' on line 5, column 3") {
        std::string text =
            "{\n  \"input\": [1, 3, 8, 8],\n  \"layers\": [\n    {\"type\": \"ReLU\"},\n  ]\n}";
        SpecError e = spec_error([&] { load_spec_json(text); });
        CHECK(e.where() == "line 5, column 3");
        CHECK_THAT(e.what(), Contains("invalid JSON"));
    }
    SECTION("missing comma between members, on line 2") {
        std::string text = "{\"layers\": [\n  {\"type\": \"ReLU\" \"inplace\": true}\n]}";
        SpecError e = spec_error([&] { load_spec_json(text); });
        CHECK_THAT(e.where(), StartsWith("line 2, column "));
    }
    SECTION("unterminated text") {
        SpecError e = spec_error([] { load_spec_json("{\"layers\": [\n  {\"type\": \"ReLU\"}"); });
        CHECK_THAT(e.where(), StartsWith("line 2, column "));
    }
    SECTION("an empty text") {
        SpecError e = spec_error([] { load_spec_json(""); });
        CHECK_THAT(e.where(), StartsWith("line 1, column "));
    }
}

TEST_CASE("JSON spec structure errors", "[spec]") {
    SECTION("unknown top-level key") {
        SpecError e =
            spec_error([] { load_spec_json(R"({"input": [1, 3, 8, 8], "layerz": []})"); });
        CHECK(e.where() == "layerz");
        CHECK_THAT(e.what(), Contains("layerz"));
    }
    SECTION("no layers") {
        SpecError e = spec_error([] { load_spec_json(R"({"input": [1, 3, 8, 8]})"); });
        CHECK_THAT(e.what(), Contains("layers"));
    }
    SECTION("layers not an array") {
        SpecError e = spec_error([] { load_spec_json(R"({"layers": {"type": "ReLU"}})"); });
        CHECK(e.where() == "layers");
    }
    SECTION("a layer without type") {
        SpecError e = spec_error(
            [] { load_spec_json(R"({"layers": [{"type": "ReLU"}, {"kernel_size": 3}]})"); });
        CHECK(e.where() == "layers[1]");
        CHECK_THAT(e.what(), Contains("type"));
    }
    SECTION("a layer that is a number") {
        SpecError e = spec_error([] { load_spec_json(R"({"layers": [3]})"); });
        CHECK(e.where() == "layers[0]");
    }
    SECTION("unknown layer type with a hint") {
        SpecError e = spec_error([] {
            load_spec_json(
                R"({"layers": [{"type": "Conv2D", "in_channels": 3, "out_channels": 8, "kernel_size": 3}]})");
        });
        CHECK(e.where() == "layers[0]");
        CHECK_THAT(e.what(), Contains("Conv2D"));
        CHECK_THAT(e.what(), Contains("did you mean 'Conv2d'"));
    }
    SECTION("only a Sequential has layers") {
        SpecError e =
            spec_error([] { load_spec_json(R"({"layers": [{"type": "ReLU", "layers": []}]})"); });
        CHECK(e.where() == "layers[0].layers");
    }
    SECTION("a Sequential takes no layer arguments") {
        SpecError e = spec_error([] {
            load_spec_json(
                R"({"layers": [{"type": "Sequential", "kernel_size": 3, "layers": []}]})");
        });
        CHECK(e.where() == "layers[0].kernel_size");
    }
    SECTION("bad mode") {
        SpecError e = spec_error([] { load_spec_json(R"({"mode": "test", "layers": []})"); });
        CHECK(e.where() == "mode");
    }
    SECTION("bad input shape") {
        SpecError e =
            spec_error([] { load_spec_json(R"({"input": [1, -3, 8, 8], "layers": []})"); });
        CHECK(e.where() == "input[1]");
    }
}

TEST_CASE("JSON spec options: mode, input as text, bare array, string layers, comments", "[spec]") {
    SECTION("mode train") {
        Network net = load_spec_json(R"({"mode": "train", "input": [1, 3, 1, 1],
            "layers": [{"type": "BatchNorm2d", "num_features": 3}]})");
        CHECK(net.mode == Mode::Train);
        LayerError e = expect_error<LayerError>([&] { make_plan(net, *net.input); });
        CHECK_THAT(e.rule(),
                   Contains("Expected more than 1 value per channel when training, got input "
                            "size torch.Size([1, 3, 1, 1])"));
        Network ev = load_spec_json(R"({"mode": "eval", "layers": [{"type": "ReLU"}]})");
        CHECK(ev.mode == Mode::Eval);
    }
    SECTION("input written as text") {
        Network net = load_spec_json(R"({"input": "1x3x8x8", "layers": [{"type": "ReLU"}]})");
        REQUIRE(net.input);
        CHECK(*net.input == Shape{1, 3, 8, 8});
    }
    SECTION("a bare array of layers") {
        Network net = load_spec_json(R"([{"type": "ReLU"}, {"type": "Flatten"}])");
        CHECK_FALSE(net.input.has_value());
        CHECK(node_names(net) == Names{"0", "1"});
        CHECK(make_plan(net, {2, 3, 4}).output == Shape{2, 12});
    }
    SECTION("layers written as PyTorch expressions") {
        Plan p = plan_json(R"J({"input": [1, 3, 32, 32], "layers": [
            "nn.Conv2d(3, 8, kernel_size=3, stride=2)", {"type": "ReLU"}, "torch.nn.Flatten()"]})J");
        CHECK(layer_names(p) == Names{"0", "1", "2"});
        CHECK(p.layers[0].output == Shape{1, 8, 15, 15});
        CHECK(p.layers[0].params == 224);
        CHECK(p.layers[0].macs == 48600);
        CHECK(p.output == Shape{1, 1800});
    }
    SECTION("a misspelt keyword inside a string layer") {
        SpecError e = spec_error(
            [] { load_spec_json(R"J({"layers": ["nn.Conv2d(3, 8, kernal_size=3)"]})J"); });
        CHECK_THAT(e.where(), StartsWith("layers[0]"));
        CHECK_THAT(e.what(), Contains("kernal_size"));
    }
    SECTION("comment keys are ignored") {
        Network net = load_spec_json(R"({"comment": "x", "description": "y", "layers": [
            {"type": "ReLU", "comment": "z"},
            {"type": "Sequential", "comment": "w", "layers": [{"type": "Tanh"}]}]})");
        CHECK(node_names(net) == Names{"0", "1.0"});
    }
    SECTION("type with an nn. prefix") {
        Network net =
            load_spec_json(R"({"layers": [{"type": "nn.ReLU"}, {"type": "torch.nn.Tanh"}]})");
        CHECK(net.nodes[0].layer->type() == "ReLU");
        CHECK(net.nodes[1].layer->type() == "Tanh");
    }
    SECTION("load_spec_text picks the reader") {
        Network j = load_spec_text("  {\"layers\": [{\"type\": \"ReLU\"}]}");
        CHECK(j.nodes.size() == 1);
        Network py =
            load_spec_text("import torch.nn as nn\nm = nn.Sequential(nn.ReLU(), nn.Tanh())\n");
        CHECK(py.nodes.size() == 2);
    }
}

// ---- argument binding ---------------------------------------------------------------------------

TEST_CASE("\"args\" are positional arguments in PyTorch's order", "[spec]") {
    SECTION("all positional") {
        Plan p = plan_json(
            R"({"input": [1, 3, 32, 32], "layers": [{"type": "Conv2d", "args": [3, 8, 3]}]})");
        CHECK(p.output == Shape{1, 8, 30, 30});
        CHECK(p.layers[0].params == 224);
        CHECK(p.layers[0].macs == 194400);
    }
    SECTION("mixed with keywords") {
        // nn.Conv2d(3, 8, kernel_size=3, stride=2) on (1, 3, 32, 32)
        Plan p = plan_json(R"({"input": [1, 3, 32, 32],
            "layers": [{"type": "Conv2d", "args": [3, 8], "kernel_size": 3, "stride": 2}]})");
        CHECK(p.output == Shape{1, 8, 15, 15});
        CHECK(p.layers[0].args_json()["stride"] == 2);
        CHECK(p.layers[0].args_json()["in_channels"] == 3);
    }
    SECTION("positional tuples") {
        // nn.MaxPool2d((2, 1), (2, 1)) on (1, 1, 8, 8) -> (1, 1, 4, 8)
        Plan p = plan_json(
            R"({"input": [1, 1, 8, 8], "layers": [{"type": "MaxPool2d", "args": [[2, 1], [2, 1]]}]})");
        CHECK(p.output == Shape{1, 1, 4, 8});
    }
    SECTION("a value given both ways") {
        SpecError e = spec_error([] {
            load_spec_json(
                R"({"layers": [{"type": "Conv2d", "args": [3, 8, 3], "in_channels": 3}]})");
        });
        CHECK_THAT(e.where(), StartsWith("layers[0]"));
        CHECK_THAT(e.what(), Contains("got multiple values for argument 'in_channels'"));
    }
    SECTION("Identity(*args, **kwargs) takes anything") {
        // nn.Identity(54, unused_argument='x') is valid PyTorch
        Plan p = plan_json(R"({"input": [2, 3], "layers": [
            {"type": "Identity", "args": [54], "unused_argument": "x"}]})");
        CHECK(p.output == Shape{2, 3});
    }
    SECTION("args must be an array") {
        SpecError e =
            spec_error([] { load_spec_json(R"({"layers": [{"type": "ReLU", "args": true}]})"); });
        CHECK(e.where() == "layers[0].args");
    }
}

TEST_CASE("an unknown keyword is named, with a did-you-mean hint", "[spec]") {
    SpecError e = spec_error([] {
        load_spec_json(R"({"layers": [{"type": "ReLU"},
            {"type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernal_size": 3}]})");
    });
    CHECK(e.where() == "layers[1].kernal_size");
    // Python: "Conv2d.__init__() got an unexpected keyword argument 'kernal_size'"
    CHECK_THAT(e.what(), Contains("got an unexpected keyword argument 'kernal_size'"));
    CHECK_THAT(e.what(), Contains("did you mean 'kernel_size'"));

    SpecError f = spec_error([] {
        load_spec_json(R"({"layers": [{"type": "MaxPool2d", "kernel_size": 2, "strides": 2}]})");
    });
    CHECK(f.where() == "layers[0].strides");
    CHECK_THAT(f.what(), Contains("did you mean 'stride'"));

    SpecError g = spec_error([] {
        network_from_exprs({"nn.ReLU()", "nn.Conv2d(3, 8, 3, paddin=1)"});
    });
    CHECK_THAT(g.where(), StartsWith("--layer 2"));
    CHECK_THAT(g.what(), Contains("got an unexpected keyword argument 'paddin'"));
    CHECK_THAT(g.what(), Contains("did you mean 'padding'"));

    // nothing close: no hint
    SpecError h =
        spec_error([] { load_spec_json(R"({"layers": [{"type": "ReLU", "zzzzzzzz": 1}]})"); });
    CHECK_THAT(h.what(), Contains("got an unexpected keyword argument 'zzzzzzzz'"));
    CHECK_THAT(h.what(), !Contains("did you mean"));
}

TEST_CASE("a missing required argument is reported like Python does", "[spec]") {
    struct Case {
        const char* layer;
        const char* message; // Python's, after "<Class>.__init__() "
    };
    auto c = GENERATE(values<Case>({
        {R"({"type": "Conv2d", "in_channels": 3, "out_channels": 8})",
         "missing 1 required positional argument: 'kernel_size'"},
        {R"({"type": "Conv2d", "args": [3, 8]})",
         "missing 1 required positional argument: 'kernel_size'"},
        {R"({"type": "MaxPool2d"})", "missing 1 required positional argument: 'kernel_size'"},
        {R"({"type": "LPPool2d", "args": [2]})",
         "missing 1 required positional argument: 'kernel_size'"},
        {R"({"type": "Linear", "args": [4]})",
         "missing 1 required positional argument: 'out_features'"},
        {R"({"type": "ZeroPad2d"})", "missing 1 required positional argument: 'padding'"},
        {R"({"type": "ConstantPad2d", "padding": 1})",
         "missing 1 required positional argument: 'value'"},
    }));
    CAPTURE(c.layer);
    SpecError e =
        spec_error([&] { load_spec_json(std::string(R"({"layers": [)") + c.layer + "]}"); });
    CHECK(e.where() == "layers[0]");
    CHECK_THAT(e.what(), Contains(c.message));

    SpecError x = spec_error([] { network_from_exprs({"nn.MaxPool2d()"}); });
    CHECK_THAT(x.where(), StartsWith("--layer 1"));
    CHECK_THAT(x.what(), Contains("missing 1 required positional argument: 'kernel_size'"));
}

TEST_CASE("too many positional arguments", "[spec]") {
    // Python: "ReLU.__init__() takes from 1 to 2 positional arguments but 3 were given" (its counts
    // include self); only the wording is checked here.
    SpecError e = spec_error(
        [] { load_spec_json(R"({"layers": [{"type": "ReLU", "args": [true, true]}]})"); });
    CHECK(e.where() == "layers[0]");
    CHECK_THAT(e.what(), Contains("ReLU"));
    CHECK_THAT(e.what(), Contains("positional arguments but"));
    CHECK_THAT(e.what(), Contains("were given"));

    SpecError f =
        spec_error([] { network_from_exprs({"nn.Conv2d(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)"}); });
    CHECK_THAT(f.where(), StartsWith("--layer 1"));
    CHECK_THAT(f.what(), Contains("positional arguments but"));
}

TEST_CASE("a wrongly typed argument is a spec error at that argument", "[spec]") {
    struct Case {
        const char* layer;
        const char* arg;
    };
    auto c = GENERATE(values<Case>({
        {R"({"type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": "3"})",
         "kernel_size"},
        {R"({"type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "stride": 1.5})",
         "stride"},
        {R"({"type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "bias": "yes"})",
         "bias"},
        {R"({"type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "padding_mode": 3})",
         "padding_mode"},
        {R"({"type": "Conv2d", "in_channels": "3", "out_channels": 8, "kernel_size": 3})",
         "in_channels"},
        {R"({"type": "Linear", "in_features": 4, "out_features": 2.5})", "out_features"},
        {R"({"type": "MaxPool2d", "kernel_size": [2, "a"]})", "kernel_size"},
        {R"({"type": "MaxPool2d", "kernel_size": 2, "ceil_mode": "true"})", "ceil_mode"},
        {R"({"type": "Dropout", "p": "x"})", "p"},
        {R"({"type": "Upsample", "scale_factor": "2"})", "scale_factor"},
        {R"({"type": "AdaptiveAvgPool2d", "output_size": "7"})", "output_size"},
        {R"({"type": "BatchNorm2d", "num_features": 8, "eps": "small"})", "eps"},
        {R"({"type": "Flatten", "start_dim": 1.0})", "start_dim"},
        {R"({"type": "Concat", "dim": "1", "inputs": ["input", "input"]})", "dim"},
    }));
    CAPTURE(c.layer);
    SpecError e = spec_error(
        [&] { load_spec_json(std::string(R"({"layers": [{"type": "ReLU"}, )") + c.layer + "]}"); });
    CAPTURE(e.where(), e.what());
    CHECK_THAT(e.where(), StartsWith("layers[1]"));
    CHECK(ends_with(e.where(), std::string(".") + c.arg));
}

TEST_CASE("wrongly typed arguments in --layer expressions", "[spec]") {
    SpecError e = spec_error([] { network_from_exprs({"nn.Conv2d(3, 8, '3')"}); });
    // "--layer 1, argument 'kernel_size'"
    CHECK_THAT(e.where(), StartsWith("--layer 1"));
    CHECK_THAT(e.where(), Contains("kernel_size"));
}

// ---- trainable ----------------------------------------------------------------------------------

TEST_CASE("\"trainable\": false freezes a layer or a whole Sequential", "[spec]") {
    // PyTorch parameter counts: Conv2d(3, 4, 3) 112, BatchNorm2d(4) 8, Linear(144, 2) 290.
    Plan p = plan_json(R"({"input": [1, 3, 8, 8], "layers": [
        {"name": "conv", "type": "Conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": 3, "trainable": false},
        {"name": "bn", "type": "BatchNorm2d", "num_features": 4},
        {"name": "head", "type": "Sequential", "trainable": false, "layers": [
            {"type": "Flatten"},
            {"type": "Linear", "in_features": 144, "out_features": 2}
        ]}
    ]})");
    CHECK(p.output == Shape{1, 2});
    CHECK(by_name(p, "conv").params == 112);
    CHECK(by_name(p, "conv").trainable_params == 0);
    CHECK(by_name(p, "bn").params == 8);
    CHECK(by_name(p, "bn").trainable_params == 8);
    CHECK(by_name(p, "head.1").params == 290);
    CHECK(by_name(p, "head.1").trainable_params == 0);
    CHECK(p.totals.params == 410);
    CHECK(p.totals.trainable_params == 8);
    CHECK(p.totals.non_trainable_params == 402);
    CHECK(p.totals.buffers == 9);
    CHECK(p.totals.macs == 4176);

    SpecError e =
        spec_error([] { load_spec_json(R"({"layers": [{"type": "ReLU", "trainable": "no"}]})"); });
    CHECK(e.where() == "layers[0].trainable");
}

// ---- Python source and print(model) -------------------------------------------------------------

TEST_CASE("Python source with nn.Sequential", "[spec]") {
    SECTION("the funnel example, with its example tensor") {
        Network net =
            load_spec_file(std::string(CNNSHAPE_SOURCE_DIR) + "/examples/networks/funnel.py");
        REQUIRE(net.input);
        CHECK(*net.input == Shape{3, 110, 110});
        CHECK(node_names(net) == Names{"0", "1", "2", "3"});
        Plan p = make_plan(net, *net.input);
        CHECK(p.output == Shape{16, 26, 26});
        CHECK(p.totals.params == 1392);
        CHECK(p.totals.macs == 5634432);
    }
    SECTION("OrderedDict names") {
        Network net = load_spec_python(R"(import torch.nn as nn
from collections import OrderedDict

model = nn.Sequential(OrderedDict([
    ('conv1', nn.Conv2d(1, 20, 5)),
    ('relu1', nn.ReLU()),
    ('conv2', nn.Conv2d(20, 64, 5)),
    ('relu2', nn.ReLU())
]))
)");
        CHECK(node_names(net) == Names{"conv1", "relu1", "conv2", "relu2"});
        Plan p = make_plan(net, {1, 1, 28, 28});
        CHECK(p.output == Shape{1, 64, 20, 20});
        CHECK(p.totals.params == 32584);
        CHECK(p.totals.macs == 13088000);
        CHECK(p.layers[2].inputs == Names{"relu1"});
    }
    SECTION("nested nn.Sequential") {
        Network net = load_spec_python(
            "model = nn.Sequential(\n    nn.Conv2d(3, 8, 3),\n    nn.Sequential(nn.ReLU(), "
            "nn.Conv2d(8, 4, 1)),\n    nn.Flatten(),\n)\n");
        CHECK(node_names(net) == Names{"0", "1.0", "1.1", "2"});
        Plan p = make_plan(net, {1, 3, 10, 10});
        CHECK(p.output == Shape{1, 256});
        CHECK(p.totals.params == 260);
        CHECK(p.totals.macs == 15872);
    }
    SECTION("a misspelt keyword") {
        SpecError e = spec_error(
            [] { load_spec_python("m = nn.Sequential(nn.Conv2d(3, 8, kernal_size=3))\n"); });
        CHECK_THAT(e.what(), Contains("got an unexpected keyword argument 'kernal_size'"));
        CHECK_THAT(e.what(), Contains("did you mean 'kernel_size'"));
    }
    SECTION("no Sequential at all") {
        spec_error([] { load_spec_python("import torch\nx = torch.rand(3, 4)\n"); });
    }
}

TEST_CASE("print(model) text", "[spec]") {
    SECTION("VGG16 features") {
        Network net =
            load_spec_file(std::string(CNNSHAPE_SOURCE_DIR) + "/examples/networks/vgg16_print.txt");
        REQUIRE(net.nodes.size() == 31);
        CHECK(net.nodes.front().name == "0");
        CHECK(net.nodes.back().name == "30");
        CHECK(net.nodes[4].layer->type() == "MaxPool2d");
        Plan p = make_plan(net, {1, 3, 224, 224});
        CHECK(p.output == Shape{1, 512, 7, 7});
        CHECK(p.totals.params == 14714688);
        CHECK(p.totals.buffers == 0);
        CHECK(p.totals.macs == 15346630656);
    }
    SECTION("nested, with named children (as PyTorch 1.13 prints it)") {
        const char* text = R"(Sequential(
  (0): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))
  (1): Sequential(
    (conv): Conv2d(8, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (relu): ReLU()
  )
  (2): Flatten(start_dim=1, end_dim=-1)
)
)";
        Network net = load_spec_python(text);
        CHECK(node_names(net) == Names{"0", "1.conv", "1.relu", "2"});
        Plan p = make_plan(net, {1, 3, 10, 10});
        CHECK(p.output == Shape{1, 512});
        CHECK(p.totals.params == 808);
        CHECK(p.totals.macs == 50688);
    }
    SECTION("a container other than Sequential cannot be read") {
        const char* text = R"(Sequential(
  (0): BasicBlock(
    (conv1): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
    (relu): ReLU(inplace=True)
  )
)
)";
        SpecError e = spec_error([&] { load_spec_python(text); });
        CHECK_THAT(e.what(), Contains("BasicBlock"));
    }
}

// ---- --layer expressions ------------------------------------------------------------------------

TEST_CASE("network_from_exprs: names, nesting and errors", "[spec]") {
    SECTION("a nested nn.Sequential") {
        Network net = network_from_exprs(
            {"nn.Conv2d(3, 8, 3)", "nn.Sequential(nn.ReLU(), nn.Conv2d(8, 4, 1))", "nn.Flatten()"});
        CHECK(node_names(net) == Names{"0", "1.0", "1.1", "2"});
        CHECK(net.nodes[0].where == "--layer 1");
        Plan p = make_plan(net, {1, 3, 10, 10});
        CHECK(p.output == Shape{1, 256});
        CHECK(p.totals.params == 260);
        CHECK(p.totals.macs == 15872);
        CHECK(p.layers[1].inputs == Names{"0"});
        CHECK(p.layers[3].inputs == Names{"1.1"});
    }
    SECTION("an OrderedDict inside") {
        Network net = network_from_exprs(
            {"nn.ReLU()", "nn.Sequential(OrderedDict([('a', nn.Tanh()), ('b', nn.Sigmoid())]))"});
        CHECK(node_names(net) == Names{"0", "1.a", "1.b"});
    }
    SECTION("torch.nn. prefix and no prefix") {
        Network net = network_from_exprs({"torch.nn.ReLU()", "Tanh()"});
        CHECK(net.nodes[0].layer->type() == "ReLU");
        CHECK(net.nodes[1].layer->type() == "Tanh");
    }
    SECTION("syntax error") {
        SpecError e = spec_error([] { network_from_exprs({"nn.ReLU()", "nn.Conv2d(3, 8"}); });
        CHECK_THAT(e.where(), StartsWith("--layer 2"));
    }
    SECTION("not a layer") {
        SpecError e = spec_error([] { network_from_exprs({"3"}); });
        CHECK_THAT(e.where(), StartsWith("--layer 1"));
    }
    SECTION("unknown layer type") {
        SpecError e = spec_error([] { network_from_exprs({"nn.Conv2D(3, 8, 3)"}); });
        CHECK_THAT(e.where(), StartsWith("--layer 1"));
        CHECK_THAT(e.what(), Contains("did you mean 'Conv2d'"));
    }
    SECTION("no layers: the output is the input") {
        Network net = network_from_exprs({});
        Plan p = make_plan(net, {1, 3, 4, 4});
        CHECK(p.layers.empty());
        CHECK(p.output == Shape{1, 3, 4, 4});
    }
}

TEST_CASE("load_spec_file reports unreadable and empty files", "[spec]") {
    CHECK_THROWS_AS(load_spec_file("/nonexistent/cnnshape/spec.json"), UsageError);
}

// Found by fuzzing: numbers nlohmann cannot hold threw out_of_range, not parse_error.
TEST_CASE("a JSON number too large for a double is a spec error", "[spec]") {
    CHECK_THROWS_AS(cnnshape::load_spec_json(
                        R"({"input": [1], "layers": [{"type": "ReLU", "x": 2E22222222}]})"),
                    cnnshape::SpecError);
}

// Found by fuzzing: a layer name with bytes that are not UTF-8 (pasted print(model) text) made
// the JSON report throw; it now replaces them.
TEST_CASE("names that are not UTF-8 still give a JSON report", "[spec]") {
    auto net = cnnshape::load_spec_python("Sequential(\n  (a\xff): ReLU()\n)\n");
    auto plan = cnnshape::make_plan(net, {1, 3, 4, 4});
    std::string text;
    CHECK_NOTHROW(text = cnnshape::report_json_text(plan));
    CHECK_THAT(text, Catch::Contains("\"name\": \"a\xef\xbf\xbd\""));
}

TEST_CASE("a million layers plan; one more is refused at the layer past it, from any reader",
          "[spec][limits]") {
    auto json_spec = [](std::size_t n) {
        std::string s = R"({"input": [1, 4], "layers": [)";
        s.reserve(n * 18 + 64);
        for (std::size_t i = 0; i < n; ++i)
            s += i ? R"(, {"type": "ReLU"})" : R"({"type": "ReLU"})";
        return s + "]}";
    };
    SECTION("exactly the limit: a correct plan") {
        Network net = load_spec_text(json_spec(kMaxSpecLayers));
        REQUIRE(net.nodes.size() == kMaxSpecLayers);
        Plan p = make_plan(net, *net.input);
        CHECK(p.layers.size() == kMaxSpecLayers);
        CHECK(p.output == Shape{1, 4});
        CHECK(p.totals.activation_bytes == std::int64_t(kMaxSpecLayers) * 16);
    }
    SECTION("JSON: one more") {
        try {
            load_spec_text(json_spec(kMaxSpecLayers + 1));
            FAIL("no error");
        } catch (const SpecError& e) {
            CHECK(e.where() == "layers[1000000]");
            CHECK(std::string(e.what()) ==
                  "more than 1000000 layers: cnnshape plans at most 1000000");
            CHECK(!e.location().empty()); // line and column in the file
        }
    }
    SECTION("nn.Sequential text: one more") {
        std::string s = "nn.Sequential(\n";
        for (std::size_t i = 0; i <= kMaxSpecLayers; ++i)
            s += "  nn.ReLU(),\n";
        s += ")\n";
        CHECK_THROWS_WITH(load_spec_text(s), Catch::Contains("more than 1000000 layers"));
    }
}
