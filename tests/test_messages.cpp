// Messages that send users the right way: a PyTorch layer cnnshape does not support yet is said
// to be one (not a typo of another layer), misspelt keywords get a hint by spelling, prefix,
// alias or edit distance, and `run --input` reads torch.tensor(...) code as the tutorials write
// it. Every reader and command gets the same messages.
#include "cli_support.hpp"
#include "cnnshape/layer.hpp"
#include "cnnshape/network.hpp"
#include "support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

using namespace cnnshape;
using Catch::Contains;
using Catch::StartsWith;
using cnnshape::test::run_cli;
using cnnshape_test::spec_error;

namespace {

// The layers PyTorch writes as code rather than modules (x + y, torch.cat, x.chunk(2)) are
// spelled as torch functions among their aliases, except these Tensor methods, which torch has
// no function for, and Buffer (a module's register_buffer).
const std::set<std::string> kTensorMethods = {"View", "Contiguous", "Expand", "Slice", "Buffer"};

std::string unsupported(const TorchModule& m) {
    std::string owner =
        std::string(m.path).rfind("torchvision.", 0) == 0 ? "torchvision" : "PyTorch";
    return owner + " has " + m.path + "; cnnshape does not support it yet";
}

} // namespace

// ---- the list of PyTorch's classes ------------------------------------------------------------

TEST_CASE("the list of PyTorch's module classes is sorted and holds every supported layer",
          "[messages]") {
    const auto& mods = torch_modules();
    REQUIRE(mods.size() > 150); // torch 1.13 has 156 in torch.nn, torchvision.ops 16 more
    for (std::size_t i = 1; i < mods.size(); ++i) {
        CAPTURE(mods[i - 1].name, mods[i].name);
        CHECK(std::string(mods[i - 1].name) < std::string(mods[i].name));
    }
    for (auto& m : mods) {
        std::string name = m.name, path = m.path;
        CAPTURE(name, path);
        CHECK(!name.empty());
        CHECK(std::isupper(static_cast<unsigned char>(name[0])));
        CHECK(Catch::EndsWith("." + name).match(path));
        CHECK(find_torch_module(name) == &m);
    }
    for (auto& t : layer_types()) {
        CAPTURE(t.name);
        const TorchModule* m = find_torch_module(t.name);
        if (!m) { // a torch function or Tensor method
            bool spelled = kTensorMethods.count(t.name) > 0;
            for (const std::string& a : t.aliases)
                spelled = spelled || a.rfind("torch.", 0) == 0;
            CHECK(spelled);
            continue;
        }
        // torchvision's layer types are written by their torchvision.ops (or torchvision.models)
        // path, an alias
        if (std::string(m->path).rfind("torchvision.", 0) == 0) {
            CHECK(std::find(t.aliases.begin(), t.aliases.end(), std::string(m->path)) !=
                  t.aliases.end());
            continue;
        }
        CHECK(std::string(m->path) == "nn." + t.name);
    }
    for (const char* n : {"PReLU", "ELU", "SELU", "CELU", "GLU", "Dropout1d", "Unflatten",
                          "LayerNorm", "MultiheadAttention", "Sequential", "StochasticDepth"})
        CHECK(find_torch_module(n) != nullptr);
    CHECK(find_torch_module("nn.PReLU") == find_torch_module("PReLU"));
    CHECK(std::string(find_torch_module("StochasticDepth")->path) ==
          "torchvision.ops.StochasticDepth");
    CHECK(find_torch_module("Conv2D") == nullptr);
    CHECK(find_torch_module("_ConvNd") == nullptr);
}

// ---- PyTorch's layers that cnnshape does not support yet --------------------------------------

TEST_CASE("every PyTorch class cnnshape does not support is said to be one, never a typo",
          "[messages]") {
    int n = 0;
    for (auto& m : torch_modules()) {
        std::string name = m.name;
        if (find_layer_type(name) || name == "Sequential") continue;
        CAPTURE(name);
        ++n;
        std::string prefix = std::string(m.path).rfind("nn.", 0) == 0 ? "nn." : "";
        SpecError e = spec_error([&] { network_from_exprs({prefix + name + "()"}); });
        CHECK_THAT(e.what(), Contains(unsupported(m)));
        CHECK_THAT(e.what(), Contains("`cnnshape layers` lists the layers cnnshape supports"));
        CHECK_THAT(e.what(), !Contains("did you mean"));
    }
    // Enough classes that the loop means something (98 after issue 11's normalisations); it
    // shrinks as cnnshape supports more of them.
    CHECK(n > 50);
}

TEST_CASE("an unsupported PyTorch layer gets the same message in every reader", "[messages]") {
    const std::string msg = "PyTorch has nn.RReLU; cnnshape does not support it yet";
    SECTION("--layer") {
        SpecError e = spec_error([] { network_from_exprs({"nn.ReLU()", "nn.RReLU()"}); });
        CHECK_THAT(e.where(), StartsWith("--layer 2"));
        CHECK_THAT(e.what(), Contains(msg));
    }
    SECTION("JSON \"type\"") {
        SpecError e = spec_error(
            [] { load_spec_json(R"({"layers": [{"type": "ReLU"}, {"type": "RReLU"}]})"); });
        CHECK(e.where() == "layers[1]");
        CHECK_THAT(e.what(), Contains(msg));
    }
    SECTION("pasted Python") {
        SpecError e = spec_error([] {
            load_spec_python("import torch.nn as nn\nmodel = nn.Sequential(\n    nn.Conv2d(3, 8, "
                             "3),\n    nn.RReLU(),\n)\n");
        });
        CHECK_THAT(e.what(), Contains(msg));
    }
    SECTION("print(model) text") {
        SpecError e = spec_error([] {
            load_spec_text("Sequential(\n  (0): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))\n"
                           "  (1): RReLU(lower=0.125, upper=0.3333333333333333)\n)\n");
        });
        CHECK_THAT(e.what(), Contains(msg));
    }
    SECTION("print(model) text: one of PyTorch's containers") {
        SpecError e = spec_error([] {
            load_spec_text("Sequential(\n  (0): TransformerEncoderLayer(\n    (linear1): "
                           "Linear(in_features=8, out_features=16, bias=True)\n  )\n)\n");
        });
        CHECK_THAT(e.what(), Contains("PyTorch has nn.TransformerEncoderLayer; cnnshape does "
                                      "not support it yet"));
        // MultiheadAttention is supported, but its print(model) text lacks num_heads.
        SpecError m = spec_error([] {
            load_spec_text("Sequential(\n  (0): MultiheadAttention(\n    (out_proj): "
                           "NonDynamicallyQuantizableLinear(in_features=4, out_features=4, "
                           "bias=True)\n  )\n)\n");
        });
        CHECK_THAT(m.what(), Contains("print(model) shows MultiheadAttention only by its "
                                      "submodules"));
        // A user's own class is still one whose forward() cnnshape cannot see.
        SpecError f = spec_error(
            [] { load_spec_text("Sequential(\n  (0): BasicBlock(\n    (c): ReLU()\n  )\n)\n"); });
        CHECK_THAT(f.what(), Contains("'BasicBlock' is a container whose forward()"));
    }
    SECTION("torchvision.ops") {
        SpecError e =
            spec_error([] { network_from_exprs({"torchvision.ops.DropBlock2d(0.1, 3)"}); });
        CHECK_THAT(e.what(), Contains("torchvision has torchvision.ops.DropBlock2d; cnnshape "
                                      "does not support it yet"));
    }
}

TEST_CASE("print(model) text of PyTorch's unsupported layers names them as such", "[messages]") {
    // tools/gen_torch_modules.py: print(nn.Sequential(m)) as torch 1.13 prints it.
    std::ifstream in(std::string(CNNSHAPE_TEST_DATA) + "/unsupported_print.json");
    REQUIRE(in.good());
    nlohmann::json fx = nlohmann::json::parse(in);
    REQUIRE(fx.at("cases").size() >= 40);
    for (auto& c : fx.at("cases")) {
        std::string name = c.at("name"), path = c.at("path"), text = c.at("print");
        CAPTURE(name, text);
        REQUIRE(find_torch_module(name) != nullptr);
        CHECK(find_layer_type(name) == nullptr);
        SpecError e = spec_error([&] { load_spec_text(text); });
        CHECK_THAT(e.what(), Contains(" has " + path + "; cnnshape does not support it yet"));
    }
}

TEST_CASE("the layers the issue names are not suggested as typos of others", "[messages]") {
    // Before: PReLU, ELU, SELU, CELU -> "did you mean 'ReLU'?", GLU -> GELU, Dropout1d ->
    // Dropout2d, Unflatten -> Flatten (PReLU ... Dropout1d, Unflatten and PixelShuffle are
    // supported now: RReLU -> ReLU, Softmin -> Softmax).
    // LayerNorm and InstanceNorm2d are supported now too: RNN and TransformerEncoderLayer.
    auto name = GENERATE(as<std::string>{}, "RReLU", "Softmin", "RNN", "TransformerEncoderLayer");
    CAPTURE(name);
    SpecError e = spec_error([&] { network_from_exprs({"nn." + name + "()"}); });
    CHECK(std::string(e.what()) == "PyTorch has nn." + name +
                                       "; cnnshape does not support it yet (`cnnshape layers` "
                                       "lists the layers cnnshape supports)");
}

TEST_CASE("a name PyTorch does not have either is a typo, with a hint", "[messages]") {
    struct Case {
        const char* name;
        const char* message;
    };
    auto c = GENERATE(
        Case{"nn.Conv2D", "unknown layer type 'nn.Conv2D' (did you mean 'Conv2d'?)"},
        Case{"nn.Conv4d", "unknown layer type 'nn.Conv4d' (did you mean 'Conv1d'?)"},
        Case{"nn.Relu", "unknown layer type 'nn.Relu' (did you mean 'ReLU'?)"},
        Case{"nn.MaxPool2D", "unknown layer type 'nn.MaxPool2D' (did you mean 'MaxPool2d'?)"},
        Case{"nn.BatchNorm_2d", "unknown layer type 'nn.BatchNorm_2d' (did you mean "
                                "'BatchNorm2d'?)"},
        // a typo of a class cnnshape does not support: say so
        Case{"nn.Prelu", "unknown layer type 'nn.Prelu' (did you mean 'PReLU'?)"},
        Case{"nn.Softmn", "unknown layer type 'nn.Softmn' (did you mean nn.Softmin? PyTorch has "
                          "it, but cnnshape does not support it yet; `cnnshape layers` lists the "
                          "layers cnnshape supports)"},
        Case{"nn.TransformerEncoderLayr",
             "unknown layer type 'nn.TransformerEncoderLayr' (did you mean "
             "nn.TransformerEncoderLayer? PyTorch has it, but cnnshape does not support it yet"},
        // other frameworks' names
        Case{"Dense", "unknown layer type 'Dense' (did you mean 'Linear'? 'Dense' is Keras's name "
                      "for it)"},
        Case{"MaxPooling2D", "(did you mean 'MaxPool2d'? 'MaxPooling2D' is Keras's name for it)"},
        Case{"GlobalAveragePooling2D", "(did you mean 'AdaptiveAvgPool2d'?"},
        Case{"LayerNormalization", "(did you mean 'LayerNorm'? 'LayerNormalization' is Keras's "
                                   "name for it)"},
        // nothing close
        Case{"nn.Zzzzzz", "unknown layer type 'nn.Zzzzzz' (`cnnshape layers` lists the layers "
                          "cnnshape supports)"});
    CAPTURE(c.name);
    SpecError e = spec_error([&] { network_from_exprs({std::string(c.name) + "()"}); });
    CHECK_THAT(e.what(), Contains(c.message));
}

TEST_CASE("cnnshape layers NAME and solve --layer say the same", "[messages][cli]") {
    auto r = run_cli("layers RReLU");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "cnnshape: PyTorch has nn.RReLU; cnnshape does not support it yet (`cnnshape "
                   "layers` lists the layers cnnshape supports)\n");
    auto typo = run_cli("layers Conv2D");
    CHECK(typo.code == 2);
    CHECK_THAT(typo.err, Contains("unknown layer type 'Conv2D' (did you mean 'Conv2d'?)"));

    auto s = run_cli("solve --input 10 --output 5 --layer nn.FractionalMaxPool2d");
    CHECK(s.code == 2);
    CHECK_THAT(s.err, Contains("PyTorch has nn.FractionalMaxPool2d; cnnshape does not support it "
                               "yet; solve --layer takes a layer type: MaxPool1d/2d/3d"));
    auto st = run_cli("solve --input 10 --output 5 --layer MaxPool2D");
    CHECK(st.code == 2);
    CHECK_THAT(st.err, Contains("unknown layer type 'MaxPool2D' (did you mean 'MaxPool2d'?)"));
    // Only solvable types are suggested in solve.
    auto sf = run_cli("solve --input 10 --output 5 --layer Foo");
    CHECK(sf.code == 2);
    CHECK_THAT(sf.err, !Contains("did you mean"));
    // A type cnnshape supports but solve does not solve.
    auto sr = run_cli("solve --input 10 --output 5 --layer ReLU");
    CHECK(sr.code == 2);
    CHECK_THAT(sr.err, Contains("(got 'ReLU')"));
}

// ---- keyword arguments --------------------------------------------------------------------------

TEST_CASE("misspelt keywords get a hint by spelling, prefix, alias or edit distance",
          "[messages]") {
    struct Case {
        const char* layer;
        const char* hint;
    };
    auto c = GENERATE(
        // the seed quiz's wrong options
        Case{"nn.AvgPool2d(kernel=3, stride=2)", "'kernel' (did you mean 'kernel_size'?)"},
        Case{"nn.MaxPool2d(size=3, stride=2)", "'size' (did you mean 'kernel_size'?)"},
        Case{"nn.MaxPool2d(3, step=2)", "'step' (did you mean 'stride'?)"},
        // abbreviations and longer forms
        Case{"nn.AvgPool2d(3, pad=1)", "'pad' (did you mean 'padding'?)"},
        Case{"nn.Conv2d(3, 8, 3, pad=1)", "'pad' (did you mean 'padding'?)"},
        Case{"nn.AvgPool2d(3, ceil=True)", "'ceil' (did you mean 'ceil_mode'?)"},
        Case{"nn.AvgPool2d(3, count_include_padding=False)",
             "'count_include_padding' (did you mean 'count_include_pad'?)"},
        Case{"nn.AvgPool2d(3, divisor=2)", "'divisor' (did you mean 'divisor_override'?)"},
        Case{"nn.MaxPool2d(k=3)", "'k' (did you mean 'kernel_size'?)"},
        Case{"nn.MaxPool2d(3, s=2)", "'s' (did you mean 'stride'?)"},
        Case{"nn.MaxPool2d(3, p=1)", "'p' (did you mean 'padding'?)"},
        Case{"nn.MaxPool2d(3, dilate=2)", "'dilate' (did you mean 'dilation'?)"},
        Case{"nn.MaxPool2d(kernal=3)", "'kernal' (did you mean 'kernel_size'?)"},
        Case{"nn.Conv2d(in_ch=3, out_channels=8, kernel_size=3)",
             "'in_ch' (did you mean 'in_channels'?)"},
        Case{"nn.Conv2d(3, out_ch=8, kernel_size=3)", "'out_ch' (did you mean 'out_channels'?)"},
        Case{"nn.Conv2d(3, 8, 3, bias_enabled=False)", "'bias_enabled' (did you mean 'bias'?)"},
        Case{"nn.Linear(4, 2, bias_enabled=False)", "'bias_enabled' (did you mean 'bias'?)"},
        // other spellings
        Case{"nn.Conv2d(inchannels=3, out_channels=8, kernel_size=3)",
             "'inchannels' (did you mean 'in_channels'?)"},
        Case{"nn.Conv2d(3, 8, kernelSize=3)", "'kernelSize' (did you mean 'kernel_size'?)"},
        Case{"nn.MaxPool2d(3, CEIL_MODE=True)", "'CEIL_MODE' (did you mean 'ceil_mode'?)"},
        // other frameworks' names
        Case{"nn.AvgPool2d(3, ksize=1)",
             "'ksize' (did you mean 'kernel_size'? 'ksize' is TensorFlow's name for it)"},
        Case{"nn.MaxPool2d(pool_size=2)",
             "'pool_size' (did you mean 'kernel_size'? 'pool_size' is Keras's name for it)"},
        Case{"nn.Conv2d(3, filters=8, kernel_size=3)",
             "'filters' (did you mean 'out_channels'? 'filters' is Keras's name for it)"},
        Case{"nn.Conv2d(3, 8, 3, strides=2)", "'strides' (did you mean 'stride'?"},
        Case{"nn.Conv2d(3, 8, 3, use_bias=False)", "'use_bias' (did you mean 'bias'?"},
        Case{"nn.Conv2d(3, 8, 3, dilation_rate=2)", "'dilation_rate' (did you mean 'dilation'?"},
        Case{"nn.Linear(4, units=2)", "'units' (did you mean 'out_features'?"},
        Case{"nn.Linear(in_channels=4, out_features=2)",
             "'in_channels' (did you mean 'in_features'? 'in_channels' is the convolutions' "
             "name for it)"},
        Case{"nn.Dropout(rate=0.5)", "'rate' (did you mean 'p'?"},
        Case{"nn.LeakyReLU(alpha=0.2)", "'alpha' (did you mean 'negative_slope'?"},
        Case{"nn.Softmax(axis=1)", "'axis' (did you mean 'dim'?"},
        Case{"nn.BatchNorm2d(8, epsilon=1e-3)", "'epsilon' (did you mean 'eps'?"},
        Case{"nn.Conv2d(3, 8, 3, activation='relu')",
             "'activation'; PyTorch layers take no activation: add it as a layer of its own, "
             "such as nn.ReLU(), after this one"},
        // nothing matches: the keywords are listed
        Case{"nn.MaxPool2d(3, zzz=2)", "'zzz'; MaxPool2d takes kernel_size, stride, padding, "
                                       "dilation, return_indices, ceil_mode"},
        Case{"nn.MaxPool2d(3, groups=2)", "'groups'; MaxPool2d takes kernel_size, stride"},
        Case{"nn.Tanh(x=1)", "'x'; Tanh takes no arguments"},
        // one letter is no typo of a short keyword ('p' is two edits from 'eps')
        Case{"nn.BatchNorm2d(8, p=0.1)", "'p'; BatchNorm2d takes num_features, eps, momentum"});
    CAPTURE(c.layer);
    SpecError e = spec_error([&] { network_from_exprs({c.layer}); });
    CHECK_THAT(e.what(), Contains(std::string("got an unexpected keyword argument ") + c.hint));
}

TEST_CASE("keyword hints name the layer and the keyword in every reader", "[messages]") {
    const std::string msg =
        "AvgPool2d() got an unexpected keyword argument 'kernel' (did you mean 'kernel_size'?)";
    SECTION("JSON") {
        SpecError e = spec_error([] {
            load_spec_json(R"({"layers": [{"type": "ReLU"}, {"type": "AvgPool2d", "kernel": 3}]})");
        });
        CHECK(e.where() == "layers[1].kernel");
        CHECK_THAT(e.what(), Contains(msg));
    }
    SECTION("Python") {
        SpecError e = spec_error([] {
            load_spec_python("model = nn.Sequential(\n    nn.AvgPool2d(kernel=3, stride=2),\n)\n");
        });
        CHECK_THAT(e.where(), Contains("argument 'kernel'"));
        CHECK_THAT(e.what(), Contains(msg));
    }
    SECTION("--layer") {
        SpecError e = spec_error([] { network_from_exprs({"nn.AvgPool2d(kernel=3, stride=2)"}); });
        CHECK(e.where() == "--layer 1, argument 'kernel'");
        CHECK_THAT(e.what(), Contains(msg));
    }
}

TEST_CASE("Keras's padding strings on a layer that takes numbers get a hint", "[messages]") {
    SpecError v = spec_error([] { network_from_exprs({"nn.MaxPool2d(2, padding='valid')"}); });
    CHECK_THAT(v.what(), Contains("not str ('valid'); 'valid' is padding=0, the default"));
    SpecError s = spec_error([] { network_from_exprs({"nn.AvgPool2d(3, padding='same')"}); });
    CHECK_THAT(s.what(), Contains("AvgPool2d has no padding='same': with stride=1 and an odd "
                                  "kernel_size k, padding=k // 2 keeps the size"));
    SpecError z = spec_error([] { network_from_exprs({"nn.ZeroPad2d('same')"}); });
    CHECK_THAT(z.what(), !Contains("keeps the size"));
}

// ---- run --input as the tutorials write it ------------------------------------------------------

TEST_CASE("run --input reads torch.tensor(...) as the tutorial writes it", "[messages][run][cli]") {
    // /work/shared/seeds' pooling tutorial, verbatim (one line, the comment after it included).
    const std::string tutorial =
        "input_tensor = torch.tensor([[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, "
        "11.0, 12.0], [13.0, 14.0, 15.0, 16.0]]]]) # Define MaxPool2d with 2x2 kernel and stride 2";
    auto max =
        run_cli("run --layer \"nn.MaxPool2d(kernel_size=2, stride=2)\" --input '" + tutorial + "'");
    CHECK(max.code == 0);
    CHECK(max.err.empty());
    // PyTorch's print(max_pooled) and print(avg_pooled):
    CHECK(max.out == "tensor([[[[ 6.,  8.],\n          [14., 16.]]]])\n");
    auto avg =
        run_cli("run --layer \"nn.AvgPool2d(kernel_size=2, stride=2)\" --input '" + tutorial + "'");
    CHECK(avg.code == 0);
    CHECK(avg.out == "tensor([[[[ 3.5000,  5.5000],\n          [11.5000, 13.5000]]]])\n");

    for (const char* in :
         {"torch.tensor([[1., 2.], [3., 4.]])",
          "torch.tensor([[1., 2.], [3., 4.]], "
          "dtype=torch.float32)",
          "torch.Tensor([[1, 2], [3, 4]])", "x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])"}) {
        CAPTURE(in);
        auto r = run_cli(std::string("run --layer \"nn.ReLU()\" --input '") + in + "'");
        CHECK(r.code == 0);
        CHECK(r.err.empty());
        CHECK(r.out == "tensor([[1., 2.],\n        [3., 4.]])\n");
    }
    // Integers: int64 in PyTorch, which cnnshape says.
    auto ints = run_cli("run --layer \"nn.ReLU()\" --input 'torch.tensor([[1, 2], [3, 4]])'");
    CHECK(ints.code == 0);
    CHECK_THAT(ints.err, Contains("cnnshape: note: torch.tensor(...) of integers is an int64 "
                                  "tensor in PyTorch"));
    // A shape stays a shape.
    auto shape = run_cli("run --layer \"nn.MaxPool2d(2, 2)\" --input 1x1x4x4 --fill arange");
    CHECK(shape.out == max.out);
}

TEST_CASE("run --input reads torch.randn(sizes) and friends as a shape and its fill",
          "[messages][run][cli]") {
    // The tutorials' inputs: torch.randn(1, 1, 6, 6) after torch.manual_seed(S) is what
    // --fill randn --seed S gives.
    auto code = run_cli("run --layer \"nn.MaxPool2d(kernel_size=2, stride=2)\" --input "
                        "'input_tensor = torch.randn(1, 1, 6, 6)' --seed 3");
    auto shape =
        run_cli("run --layer \"nn.MaxPool2d(kernel_size=2, stride=2)\" --input 1x1x6x6 --seed 3");
    CHECK(code.code == 0);
    CHECK(code.err.empty());
    CHECK(code.out == shape.out);
    auto rand = run_cli("run --layer \"nn.ReLU()\" --input 'example = torch.rand(3, 4)  # an "
                        "image' --seed 1");
    auto rand_shape = run_cli("run --layer \"nn.ReLU()\" --input 3x4 --fill rand --seed 1");
    CHECK(rand.code == 0);
    CHECK(rand.out == rand_shape.out);
    CHECK(rand.out != run_cli("run --layer \"nn.ReLU()\" --input 3x4 --seed 1").out);
    auto zeros = run_cli("run --layer \"nn.ReLU()\" --input 'torch.zeros(2)'");
    CHECK(zeros.out == "tensor([0., 0.])\n");
    // The same fill given twice is fine; two different ones are a usage error.
    CHECK(run_cli("run --layer \"nn.ReLU()\" --input 'torch.zeros(2)' --fill zeros").code == 0);
    auto both = run_cli("run --layer \"nn.ReLU()\" --input 'torch.rand(2)' --fill randn");
    CHECK(both.code == 2);
    CHECK_THAT(both.err, Contains("--input torch.rand(...) and --fill randn say different "
                                  "things"));
}

TEST_CASE("run --input: bad tensor code is exit 2 with the position", "[messages][run][cli]") {
    struct Case {
        const char* input;
        const char* message;
    };
    auto c = GENERATE(
        Case{"torch.tensor([[1., 2.],, [3., 4.]])",
             "invalid tensor literal: expected a number or a list for [1], found ',' (column 24)"},
        Case{"torch.tensor([[1., 2.], [3.]])",
             "invalid tensor literal: [1] has 1 element but [0] has 2 (column 25)"},
        Case{"torch.tensor([[1., 2.]], dtype=torch.float16)", "dtype=torch.float16 is not read"},
        Case{"torch.tensor([[1., 2.]]", "missing ')'"},
        Case{"torch.arange(16.)", "not torch.arange(...)"});
    CAPTURE(c.input);
    auto r = run_cli(std::string("run --layer \"nn.ReLU()\" --input '") + c.input + "'");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Contains(c.message));
}
