// Python model files (`class Net(nn.Module)` with forward()), read without Python: each file in
// tests/data/pymodel/ plans to what PyTorch 1.13 gives for the same model and input
// (tests/data/pymodel/expected.json, written by tools/gen_pymodel_fixtures.py: output shapes,
// parameters, trainable parameters, buffers, MACs by cnnshape's convention, and the state_dict's
// keys and shapes, which are the layers' names and tensors). And what the reader refuses: at
// the file's line and column, with the line and a caret, exit 2.
#include "cli_support.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/execute.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/random.hpp"
#include "cnnshape/solve.hpp"
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
            if (!t.persistent || !t.shared_key.empty()) continue;
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

TEST_CASE("pymodel: solve --input-range reads the file again for every size", "[pymodel]") {
    // U-Net's forward() computes F.pad's amounts from x.size(): the layers read for one input do
    // not hold for another, so every size is read again (read once, U-Net accepted 7 of 105
    // heights where PyTorch accepts all). Expected: forward() on zeros of each size, in PyTorch.
    auto cases = nlohmann::json::parse(slurp(source_path(kDir + "expected.json")));
    int checked = 0;
    for (const auto& c : cases) {
        if (c["input_range"].is_null()) continue;
        std::string file = c["file"].get<std::string>();
        CAPTURE(file);
        ReadHints hints;
        std::string input = arg_of(c["args"], "--input");
        if (!input.empty()) hints.input = parse_shape(input);
        if (arg_of(c["args"], "--mode") == "train") hints.mode = Mode::Train;
        Network net = load_spec_file(source_path(kDir + file), arg_of(c["args"], "--model"), hints);
        if (hints.mode) net.mode = *hints.mode;
        REQUIRE(net.read_for_input);
        const auto& want = c["input_range"];
        RangeResult r;
        try {
            r = solve_input_range(net, c["input"].get<Shape>(), want["lo"].get<std::int64_t>(),
                                  want["hi"].get<std::int64_t>(), "");
        } catch (const UsageError& e) { // attention on [N, L, E]: no conv or pool to vary
            CHECK(std::string(e.what()) ==
                  "the network has no 1d/2d/3d layer, so it has no spatial axes to vary");
            continue;
        }
        CHECK(r.accepted == want["accepted"].get<std::vector<std::int64_t>>());
        if (!r.accepted.empty()) {
            REQUIRE(r.smallest_output);
            CHECK(*r.smallest_output == want["smallest_output"].get<Shape>());
        }
        ++checked;
    }
    CHECK(checked >= 20);
    // A range too wide to read the file for each size is refused before any is read.
    ReadHints h;
    h.input = Shape{1, 3, 101, 75};
    Network unet = load_spec_file(source_path(kDir + "unet.py"), "", h);
    CHECK_THROWS_WITH(solve_input_range(unet, *unet.input, 1, 10001, "H"),
                      "--input-range 1:10001 covers 10,001 sizes; a Python model file is read "
                      "again for each size, so at most 10,000 are tried");
    // JSON specs are planned as read.
    CHECK_FALSE(load_spec_text(R"j({"layers": ["nn.ReLU()"]})j").read_for_input);
}

TEST_CASE("pymodel: run --seed draws the weights in the order __init__ builds the modules",
          "[pymodel][run]") {
    // torch.manual_seed(0); model = Net(); torch.manual_seed(0); x = torch.randn(input);
    // model.eval()(x), recorded for the files that initialise nothing themselves.
    auto cases = nlohmann::json::parse(slurp(source_path(kDir + "expected.json")));
    int checked = 0;
    for (const auto& c : cases) {
        std::string file = c["file"].get<std::string>();
        CAPTURE(file);
        ReadHints hints;
        std::string input = arg_of(c["args"], "--input");
        if (!input.empty()) hints.input = parse_shape(input);
        Network net = load_spec_file(source_path(kDir + file), arg_of(c["args"], "--model"), hints);
        // The reader finds the file's own initialisation (run then says it is not replayed)
        // exactly where the fixture script found nn.init, .apply, normal_, torch.ones, ...
        CAPTURE(net.own_init);
        CHECK(net.own_init.empty() == !c["seed0"].is_null());
        CHECK((net.own_init_count == 0) == net.own_init.empty());
        if (c["seed0"].is_null()) continue;
        Plan p = make_plan(net, *net.input);
        StateDict w = init_weights(p, 0);
        TorchGenerator g(0);
        Tensor x(*net.input);
        fill_randn(g, x.ptr(), x.size());
        RunOptions ro;
        ro.rng = &g;
        RunResult r = execute(p, w, x, ro);
        const auto& first = c["seed0"]["first"];
        REQUIRE(r.output.size() >= std::int64_t(first.size()));
        double scale = 1e-30;
        for (const auto& v : first)
            scale = std::max(scale, std::abs(v.get<double>()));
        for (std::size_t i = 0; i < first.size(); ++i) {
            CAPTURE(i);
            CHECK(std::abs(r.output.data[i] - first[i].get<double>()) <= 1e-4 * scale);
        }
        double sum = 0;
        for (float v : r.output.data)
            sum += v;
        CHECK(std::abs(sum - c["seed0"]["sum"].get<double>()) <=
              1e-4 * std::max(1.0, std::abs(c["seed0"]["sum"].get<double>())) *
                  std::sqrt(double(r.output.size())));
        ++checked;
    }
    CHECK(checked >= 10);
}

namespace {

// A model file whose forward() body is `body` (indented by 8), planned on a 2x4 input.
std::string net_with(const std::string& body) {
    return "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"
           "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
           "        self.fc = nn.Linear(4, 4)\n\n    def forward(self, x):\n" +
           body;
}

SpecError read_error(const std::string& text) {
    ReadHints hints;
    hints.input = Shape{2, 4};
    try {
        load_spec_text(text, "", hints);
    } catch (const SpecError& e) {
        return e;
    }
    FAIL("no SpecError for:\n" << text);
    return SpecError("", "");
}

} // namespace

TEST_CASE("pymodel: what the reader cannot evaluate is an error at its line and column",
          "[pymodel]") {
    struct Case {
        std::string body, where, message;
    };
    const std::vector<Case> cases = {
        {"        while x.size(1) > 2:\n            x = self.fc(x)\n        return x\n",
         "line 11, column 9", "'while' loops are not supported"},
        {"        x = timm.layers.foo(x)\n        return x\n", "line 11, column 13",
         "name 'timm' is not defined"},
        {"        y = z + 1\n        z = 2\n        return x\n", "line 11, column 13",
         "local variable 'z' referenced before assignment"},
        {"        y = w + 1\n        return x\n", "line 11, column 13", "name 'w' is not defined"},
        {"        for i in range(10**9):\n            x = self.fc(x)\n        return x\n",
         "line 11, column 18",
         "range() of 1000000000 elements: cnnshape evaluates at most "
         "1000000"},
        {"        return self.forward(x)\n", "line 11, column 21",
         "maximum recursion depth exceeded: calls nest more than 150 deep"},
        {"        if x.sum() > 0:\n            x = self.fc(x)\n        return x\n",
         "line 11, column 14", "this condition depends on a tensor's values"},
        {"        for i in range(3000):\n            for j in range(3000):\n"
         "                pass\n        return x\n",
         "line 12, column 22", "more than 5000000 evaluation steps"},
        {"        try:\n            x = self.fc(x)\n        except Exception:\n"
         "            pass\n        return x\n",
         "line 11, column 9", "'try' statements are not supported"},
        {"        super.__init__()\n        return x\n", "line 11, column 15",
         "super is used without being called"},
        {"        return x + divmod(3)\n", "line 11, column 20",
         "divmod() is missing a required argument"},
        {"        return self.fc(x).foo()\n", "line 11, column 27",
         "Tensor.foo() is not a tensor operation cnnshape knows"},
        {"        return self.fc(x, 3)\n", "line 11, column 21",
         "Linear is called with a value of type int, not a tensor"},
        {"        return eval('x')\n", "line 11, column 16", "eval() is not supported"},
        {"        return x +\n", "line 11, column 18", "invalid syntax: expected a value"},
        {"        return self.fc(x\n", "line 11, column 23", "'(' was never closed"},
        {"          return x\n      return x\n", "line 12, column 7",
         "unindent does not match any outer indentation level"},
        // operations no layer computes, and what a mapping cannot take
        {"        return x.exp()\n", "line 11, column 18", "Tensor.exp() has no cnnshape layer"},
        {"        return 2 / x\n", "line 11, column 18",
         "a number divided by a tensor (a reciprocal) has no cnnshape layer"},
        {"        return x ** 3\n", "line 11, column 18",
         "a tensor to the power 3 has no cnnshape layer (x ** 2 is planned as x * x)"},
        {"        return x.clamp(1, 0)\n", "line 11, column 18",
         "clamp() with min >= max (min=1, max=0) is not supported"},
        {"        return x.view(1, 2, 4).t()\n", "line 11, column 32",
         "t() expects a tensor with <= 2 dimensions, but self is 3D"},
        {"        return F.linear(x, self.fc.weight)\n", "line 11, column 36",
         "fc.weight is used before fc is called in forward(): cnnshape knows a layer's weights "
         "from its first call"},
        {"        return self.fc(x) * self.fc.weight\n", "line 11, column 27",
         "fc.weight is a layer's weight: cnnshape takes it only as the weight (or bias) of "
         "F.linear, F.conv1d/2d/3d, F.layer_norm or F.batch_norm, not as a tensor to compute "
         "with"},
        {"        return F.linear(x, x)\n", "line 11, column 18",
         "F.linear() takes its weight as an nn.Parameter or buffer of the model"},
        {"        return x.repeat(0, 1)\n", "line 11, column 18",
         "repeat() with a 0 has no cnnshape layer"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.body);
        SpecError e = read_error(net_with(c.body));
        CHECK(e.where() == c.where);
        CHECK_THAT(e.what(), Catch::Contains(c.message));
        // the message shows the line and a caret under the column
        std::string msg = e.what();
        CHECK(msg.find("\n  ") != std::string::npos);
        CHECK(msg.back() == '^');
    }
}

TEST_CASE("pymodel: the command line lists the candidates, and errors exit 2", "[pymodel][cli]") {
    auto several = run_cli("plan " + kDir + "resnet.py --input 1x3x32x32 --model Nothing");
    CHECK(several.code == 2);
    // two top-level classes: listed
    std::string two = "import torch.nn as nn\n"
                      "class A(nn.Module):\n    def forward(self, x):\n        return x\n"
                      "class B(nn.Module):\n    def forward(self, x):\n        return x\n";
    auto r = run_cli("plan - --input 1x3", two);
    CHECK(r.code == 2);
    CHECK(r.err == "cnnshape: spec error: the file defines 2 module classes that no other class "
                   "uses; choose one with --model NAME (or --model 'NAME(args)'):\n"
                   "  A (line 2)\n  B (line 5)\n");
    CHECK(run_cli("plan - --input 1x3 --model B", two).code == 0);
    auto w = run_cli("plan " + kDir + "errors/while_loop.py --input 1x4");
    CHECK(w.code == 2);
    CHECK(w.err == "cnnshape: spec error in " + kDir +
                       "errors/while_loop.py at line 11, column 9: 'while' loops are not "
                       "supported: cnnshape evaluates loops whose length it knows before they "
                       "run (for ... in range(n), over a list, a ModuleList)\n"
                       "          while x.size(1) > 2:\n"
                       "          ^\n");
    // a shape rule broken in forward() is the plan's error, exit 1, at the layer
    auto shape = run_cli("plan - --input 2x4", net_with("        return self.fc(x).view(2, 7)\n"));
    CHECK(shape.code == 1);
    CHECK_THAT(shape.err, Catch::Contains("layer 1 ('view', View): shape '[2, 7]' is invalid for "
                                          "input of size 8"));
    // deep nesting (blocks inside a recursion) stops at a bound, not on the C++ stack
    std::string deep = "import torch.nn as nn\ndef f(n):\n";
    std::string ind = "    ";
    for (int i = 0; i < 90; ++i) {
        deep += ind + "if True:\n";
        ind += "    ";
    }
    deep += ind + "return f(n + 1)\nclass Net(nn.Module):\n    def forward(self, x):\n"
                  "        f(0)\n        return x\n";
    auto d = run_cli("plan - --input 1x2", deep);
    CHECK(d.code == 2);
    CHECK_THAT(d.err, Catch::Contains("nests blocks, calls and expressions more than 3000 deep"));
    // ... whatever stack the process was given: the reader runs on a stack of its own
    {
        char dir[] = "/tmp/cnnshape-test-XXXXXX";
        REQUIRE(mkdtemp(dir));
        std::string d_in = std::string(dir) + "/deep.py";
        std::ofstream(d_in) << deep;
        int status = std::system(("ulimit -s 512 && '" + std::string(CNNSHAPE_BINARY) + "' plan '" +
                                  d_in + "' --input 1x2 >/dev/null 2>&1")
                                     .c_str());
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 2);
        std::system(("rm -rf '" + std::string(dir) + "'").c_str());
    }
    // a module called twice holds no tensors of its own: explain says whose they are
    auto ex = run_cli("explain " + kDir + "functional_ops.py --input 2x3x16x16");
    CHECK(ex.code == 0);
    CHECK_THAT(ex.out, Catch::Contains("layer 16 'mix_1': Conv2d(8, 8, k=3, p=1)"));
    CHECK_THAT(ex.out, Catch::Contains("params = 0: its tensors are mix.weight, mix.bias, "
                                       "counted where they are held"));
    CHECK_THAT(ex.out, Catch::Contains("params = 0: its tensors are bn_w, bn_b, mean, var"));
    // --model with arguments
    auto call =
        run_cli("plan " + kDir +
                "resnet.py --input 1x3x32x32 --model 'ResNet(num_classes=7)' --format json");
    REQUIRE(call.code == 0);
    CHECK(nlohmann::json::parse(call.out)["output_shape"] == nlohmann::json::array({1, 7}));
}

TEST_CASE("pymodel: run says when the file's own initialisation is not replayed",
          "[pymodel][cli]") {
    auto call = run_cli("run " + kDir + "resnet.py --input 1x3x32x32");
    CHECK(call.code == 0);
    CHECK_THAT(call.err, Catch::Contains("cnnshape: note: the model initialises weights itself "
                                         "(line 85: nn.init.kaiming_normal_, and 59 more "
                                         "places), which run does not replay"));
    call = run_cli("run " + kDir + "functional_ops.py --input 2x8x10x10");
    CHECK_THAT(call.err, Catch::Contains("(line 34: nn.Parameter(torch.randn(...) * ...), and 1 "
                                         "more place), which run does not replay"));
    // torch.ones buffers start at 1: nothing to say
    call = run_cli("run " + kDir + "aux_eval.py --input 2x3x32x32");
    CHECK(call.code == 0);
    CHECK(call.err.find("initialises") == std::string::npos);
    // a file that initialises nothing itself, and plan, say nothing
    call = run_cli("run " + kDir + "cifar10_tutorial.py --input 1x3x32x32");
    CHECK(call.err.find("initialises") == std::string::npos);
    call = run_cli("plan " + kDir + "resnet.py --input 1x3x32x32");
    CHECK(call.err.find("initialises") == std::string::npos);
}

TEST_CASE("pymodel: Parameters and buffers of torch.ones/full start at their value", "[pymodel]") {
    std::string text = "import torch\nimport torch.nn as nn\n\n"
                       "class Net(nn.Module):\n    def __init__(self):\n"
                       "        super().__init__()\n"
                       "        self.a = nn.Parameter(1e-6 * torch.ones(4))\n"
                       "        self.register_buffer('b', torch.full((4,), 0.1) * 3)\n"
                       "        self.c = nn.Parameter(-torch.ones(4))\n"
                       "        self.d = nn.Parameter(torch.ones(4).mul_(0.5) + 2)\n"
                       "        self.e = nn.Parameter(torch.zeros(4).fill_(7) / 3)\n"
                       "        self.f = nn.Parameter(torch.zeros(4) * 5)\n"
                       "        self.g = nn.Parameter(torch.randn(4) * 0 + 1)\n\n"
                       "    def forward(self, x):\n"
                       "        return x + self.a + self.b + self.c + self.d + self.e + self.f + "
                       "self.g\n";
    ReadHints hints;
    hints.input = Shape{2, 4};
    Network net = load_spec_text(text, "", hints);
    Plan p = make_plan(net, *net.input);
    std::map<std::string, double> fill;
    for (const auto& lp : p.layers)
        for (const auto& t : lp.tensors)
            if (lp.type == "Parameter" || lp.type == "Buffer")
                fill[lp.name] = t.init == Init::Constant ? t.value : 0.0;
    // float32 arithmetic, as PyTorch's tensor-scalar kernels compute
    CHECK(fill.at("a") == double(1.0f * float(1e-6)));
    CHECK(fill.at("b") == double(float(0.1) * 3.0f));
    CHECK(fill.at("c") == -1.0);
    CHECK(fill.at("d") == 2.5);
    CHECK(fill.at("e") == double(7.0f / 3.0f));
    CHECK(fill.at("f") == 0.0);
    CHECK(fill.at("g") == 0.0); // random: not known, and said
    CHECK(net.own_init == "line 13: nn.Parameter(torch.randn(...) * ... + ...)");
    CHECK(net.own_init_count == 1);
    // run: the known values are the tensors' (seeded weights of the rest: zeros)
    StateDict w = init_weights(p, 0);
    Tensor x(*net.input);
    RunResult r = execute(p, w, x, RunOptions{});
    const float want =
        ((((((0.0f + 1e-6f) + float(0.1) * 3.0f) + -1.0f) + 2.5f) + 7.0f / 3.0f) + 0.0f) + 0.0f;
    CHECK(r.output.data[0] == want);
}

TEST_CASE("pymodel: float constants bind as layer arguments", "[pymodel]") {
    std::string text = "import math\nimport torch\nimport torch.nn as nn\n\n"
                       "class Net(nn.Module):\n    def __init__(self):\n"
                       "        super().__init__()\n"
                       "        self.a = nn.Hardtanh(min_val=float('-inf'), max_val=math.inf)\n"
                       "        self.p = nn.ConstantPad2d(1, -torch.inf)\n"
                       "        self.t = nn.Threshold(math.pi, math.e)\n\n"
                       "    def forward(self, x):\n        return self.t(self.p(self.a(x)))\n";
    ReadHints hints;
    hints.input = Shape{1, 3, 4, 4};
    Network net = load_spec_text(text, "", hints);
    Plan p = make_plan(net, *net.input);
    CHECK(p.output == Shape{1, 3, 6, 6});
    REQUIRE(p.layers.size() == 3);
    CHECK(
        p.layers[0].args_json().dump() ==
        R"({"min_val":"-inf","max_val":"inf","inplace":false,"min_value":null,"max_value":null})");
    CHECK(p.layers[1].brief == "ConstantPad2d(1, 1, 1, 1, value=-inf)");
    CHECK(p.layers[2].args_json().dump() ==
          R"({"threshold":3.141592653589793,"value":2.718281828459045,"inplace":false})");
}

TEST_CASE("pymodel: Python's values, as Python computes them", "[pymodel]") {
    // Each expression is a Linear's out_features; the values are Python 3's.
    const std::vector<std::pair<std::string, std::int64_t>> cases = {
        {"sum(i for i in range(4))", 6}, // a generator argument (found by fuzzing)
        {"-7 // 2 + 10", 6},
        {"-7 % 3", 2},
        {"int(math.ceil(10 / 4))", 3},
        {"len(f'ab{3:02d}')", 4},
        {"len('x%dy' % 12)", 4},
        {"max([3, 9, 2]) - min(5, 1)", 8},
        {"2 ** 3 ** 2 // 64", 8},
        {"int(round(2.5))", 2},
        {"True + True", 2},
        {"[1, 2, 3][-1] * {'a': 2}['a']", 6},
        {"(lambda a, *r, k=2: a + len(r) * k)(1, 9, 9)", 5},
        {"int(7 / 2)", 3},
        {"len([x for x in range(10) if x % 3 == 0])", 4},
        {"sorted([3, 1, 2], reverse=True)[0]", 3},
        {"self.out", 12},      // a @property
        {"self.half(24)", 12}, // a @classmethod
        {"7 if 'b' in ('a', 'b') and not None else 0", 7},
        {"len(list(zip([1, 2, 3], 'ab')))", 2},
        {"[k for k, v in enumerate([5, 6, 7]) if v == 7][0]", 2},
        {"int(math.pi * 2)", 6},
        {"int(math.e + math.tau)", 9},
        {"int(min(9, math.inf))", 9},
        {"int(max(2, -torch.inf))", 2},
        {"3 if math.nan != math.nan else 0", 3},
        {"int(min(5, float('inf')))", 5},
        {"1 if math.nan < 1 else 0", 0},
        {"1 if not (math.nan >= 1) else 0", 1},
        {"int(max(1, math.nan))", 1},
        {"int(min(2, math.nan))", 2},
        {"4 if (float('nan'), 1) < (float('nan'), 2) else 5", 5},
        {"6 if [1.0, 2] <= [1, 2] else 7", 6},
    };
    for (const auto& [expr, value] : cases) {
        CAPTURE(expr);
        std::string text = "import math\nimport torch.nn as nn\n\nclass Net(nn.Module):\n"
                           "    width = 6\n\n    def __init__(self):\n"
                           "        super().__init__()\n        self.fc = nn.Linear(4, " +
                           expr +
                           ")\n\n    @property\n    def out(self):\n"
                           "        return self.width * 2\n\n    @classmethod\n"
                           "    def half(cls, n):\n        return n // 2\n\n"
                           "    def forward(self, x):\n        return self.fc(x)\n";
        ReadHints hints;
        hints.input = Shape{1, 4};
        Network net = load_spec_text(text, "", hints);
        Plan p = make_plan(net, *net.input);
        CHECK(p.output == Shape{1, value});
    }
}
