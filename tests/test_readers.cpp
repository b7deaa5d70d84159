// Pasted text never plans the wrong network: choosing among several nn.Sequential (--model),
// names in layer arguments, what print(model) text cannot show, and the places where a reader
// used to drop something it had not read. Library-level tests; the CLI's are in
// test_readers_cli.cpp.
#include "cnnshape/error.hpp"
#include "cnnshape/layer.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/pyexpr.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

using namespace cnnshape;

namespace {

template <typename E = SpecError>
E error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const E& e) {
        return e;
    }
    FAIL("the expected error was not thrown");
    throw std::logic_error("unreachable");
}

std::string first_line(const std::string& s) {
    return s.substr(0, s.find('\n'));
}

// The candidates as "name@line" ("@line" for one without a name), kind "print" marked "p:".
std::vector<std::string> listed(const ModelChoiceError& e) {
    std::vector<std::string> out;
    for (const auto& c : e.candidates())
        out.push_back((c.kind == "print" ? "p:" : "") + c.name + "@" + std::to_string(c.line));
    return out;
}

size_t child_count(const Value& seq) {
    const Call& s = seq.as_call();
    if (s.args.size() == 1 && s.args[0].is_call() &&
        s.args[0].as_call().base_name() == "OrderedDict")
        return s.args[0].as_call().args[0].as_tuple().size();
    return s.args.size();
}

const char* kClass = R"(import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3),
            nn.ReLU(),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(32, 10),
            nn.Softmax(dim=1),
        )

model = Net()
)";

} // namespace

// ---------------------------------------------------------------------------------------------
// Several networks in one text.

TEST_CASE("a text with several nn.Sequential is refused without --model, listing them",
          "[readers]") {
    auto e = error_of<ModelChoiceError>([] { parse_sequential_text(kClass); });
    CHECK(e.where().empty());
    CHECK(listed(e) == std::vector<std::string>{"self.features@8", "self.classifier@12"});
    CHECK(first_line(e.what()) == "the text holds 2 nn.Sequential networks, and cnnshape will "
                                  "not guess which one is meant; choose one with --model:");
    CHECK_THAT(e.what(), Catch::Contains("\n  --model self.features     line 8\n"
                                         "  --model self.classifier   line 12"));
}

TEST_CASE("choosing with --model: by its name, its attribute name or its line", "[readers]") {
    auto [model, children] = GENERATE(table<std::string, size_t>({
        {"self.features", 2},
        {"features", 2},
        {"self.classifier", 3},
        {"classifier", 3},
        {"8", 2},
        {"12", 3},
    }));
    CAPTURE(model);
    SequentialText st = parse_sequential_text(kClass, model);
    CHECK(child_count(st.sequential) == children);
    CHECK(st.candidates.size() == 2);
    CHECK(st.notes.empty()); // chosen explicitly
}

TEST_CASE("a --model naming no network lists what there is", "[readers]") {
    auto e = error_of<ModelChoiceError>([] { parse_sequential_text(kClass, "head"); });
    CHECK(first_line(e.what()) == "--model head names none of the networks in the text; it holds:");
    CHECK(listed(e).size() == 2);
    auto line = error_of<ModelChoiceError>([] { parse_sequential_text(kClass, "9"); });
    CHECK(listed(line).size() == 2);
    auto none = error_of<ModelChoiceError>(
        [] { parse_sequential_text("x = torch.rand(3)\nm = nn.Sequential()", "features"); });
    CHECK(listed(none) == std::vector<std::string>{"m@2"});
}

TEST_CASE("one Sequential is planned as before and an attribute one carries a note", "[readers]") {
    SequentialText st = parse_sequential_text("model = nn.Sequential(nn.ReLU())");
    CHECK(st.notes.empty());
    CHECK(st.candidates.size() == 1);
    SequentialText attr = parse_sequential_text(
        "class N(nn.Module):\n  def __init__(self):\n    self.body = nn.Sequential(nn.ReLU())\n");
    REQUIRE(attr.notes.size() == 1);
    CHECK(attr.notes[0] ==
          "planning self.body, the one nn.Sequential in the text; the class it belongs to may do "
          "more in its forward(), which cnnshape does not read");
}

TEST_CASE("Sequentials nested in a Sequential are part of it, not candidates", "[readers]") {
    auto text =
        GENERATE(as<std::string>{}, "m = nn.Sequential(nn.Sequential(nn.ReLU()), nn.Tanh())",
                 "m = nn.Sequential(\n  OrderedDict([('a', nn.Sequential(nn.ReLU()))])\n)",
                 "m = nn.Sequential(Wrap(nn.Sequential(nn.ReLU())), nn.Tanh())");
    CAPTURE(text);
    std::vector<ModelCandidate> cs;
    try {
        cs = parse_sequential_text(text).candidates;
    } catch (const SpecError& e) {
        // Wrap is not a layer; the point is that the choice was not refused.
        CHECK(dynamic_cast<const ModelChoiceError*>(&e) == nullptr);
        return;
    }
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].name == "m");
}

TEST_CASE("Sequentials not assigned to a name are listed by line", "[readers]") {
    std::string text = "blocks = nn.ModuleList([\n    nn.Sequential(nn.ReLU()),\n"
                       "    nn.Sequential(nn.Tanh()),\n])\n"
                       "net = Wrapper(\n    head=nn.Sequential(nn.Sigmoid()),\n)\n";
    auto e = error_of<ModelChoiceError>([&] { parse_sequential_text(text); });
    CHECK(listed(e) == std::vector<std::string>{"@2", "@3", "@6"});
    CHECK_THAT(e.what(), Catch::Contains("--model 6   line 6, not assigned to a name"));
    SequentialText st = parse_sequential_text(text, "3");
    CHECK(st.sequential.repr() == "nn.Sequential(nn.Tanh())");
}

TEST_CASE("the same network assigned to the same name again is one network", "[readers]") {
    std::string same = "m = nn.Sequential(nn.ReLU(),\n  nn.Tanh())\nprint(m)\n"
                       "m = nn.Sequential(nn.ReLU(), nn.Tanh())  # again\n";
    CHECK(parse_sequential_text(same).sequential.repr() == "nn.Sequential(nn.ReLU(), nn.Tanh())");
    CHECK(parse_sequential_text(same, "m").candidates.size() == 2);

    std::string different = "m = nn.Sequential(nn.ReLU())\nm = nn.Sequential(nn.Tanh())\n";
    auto e = error_of<ModelChoiceError>([&] { parse_sequential_text(different); });
    CHECK(first_line(e.what()) ==
          "'m' names 2 different networks; choose one by the line it starts on:");
    CHECK(listed(e) == std::vector<std::string>{"m@1", "m@2"});
    auto named = error_of<ModelChoiceError>([&] { parse_sequential_text(different, "m"); });
    CHECK(first_line(named.what()) ==
          "--model m names 2 different networks; choose one by the line it starts on:");
    CHECK(parse_sequential_text(different, "2").sequential.repr() == "nn.Sequential(nn.Tanh())");
}

TEST_CASE("assignment targets: annotations, chains and keywords", "[readers]") {
    auto [text, name] = GENERATE(table<std::string, std::string>({
        {"model: nn.Module = nn.Sequential(nn.ReLU())", "model"},
        {"a = b = nn.Sequential(nn.ReLU())", "b"},
        {"self.net=nn.Sequential(nn.ReLU())", "self.net"},
        {"return nn.Sequential(nn.ReLU())", ""},
        {"x == nn.Sequential(nn.ReLU())", ""},
        {"f(features=nn.Sequential(nn.ReLU()))", ""},
    }));
    CAPTURE(text);
    SequentialText st = parse_sequential_text(text);
    REQUIRE(st.candidates.size() == 1);
    CHECK(st.candidates[0].name == name);
}

TEST_CASE("print(model) of a module holding Sequentials lists them and --model picks one",
          "[readers]") {
    std::string text = "Net(\n"
                       "  (features): Sequential(\n"
                       "    (0): Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1))\n"
                       "    (1): ReLU()\n"
                       "  )\n"
                       "  (classifier): Sequential(\n"
                       "    (0): Flatten(start_dim=1, end_dim=-1)\n"
                       "    (1): Linear(in_features=32, out_features=10, bias=True)\n"
                       "  )\n"
                       ")\n";
    auto e = error_of<ModelChoiceError>([&] { parse_sequential_text(text); });
    CHECK(e.where() == "line 1, column 1");
    CHECK(first_line(e.what()) == "'Net' is a container whose forward() cnnshape cannot see; only "
                                  "Sequential containers can be read from print(model) text");
    CHECK(listed(e) == std::vector<std::string>{"p:features@2", "p:classifier@6"});
    SequentialText st = parse_sequential_text(text, "classifier");
    CHECK(st.print_text);
    CHECK(child_count(st.sequential) == 2);
    CHECK(parse_sequential_text(text, "self.features").candidates.size() == 2);
}

TEST_CASE("two print(model) blocks, or code and its printed output, are two networks",
          "[readers]") {
    std::string two = "Sequential(\n  (0): ReLU()\n)\nSequential(\n  (0): Tanh()\n)\n";
    auto e = error_of<ModelChoiceError>([&] { parse_sequential_text(two); });
    CHECK(listed(e) == std::vector<std::string>{"p:@1", "p:@4"});
    CHECK(parse_sequential_text(two, "4").sequential.repr() ==
          "Sequential(OrderedDict([('0', Tanh())]))");

    std::string both = "m = nn.Sequential(nn.ReLU())\nprint(m)\n"
                       "Sequential(\n  (0): ReLU()\n)\n";
    auto b = error_of<ModelChoiceError>([&] { parse_sequential_text(both); });
    CHECK(listed(b) == std::vector<std::string>{"m@1", "p:@3"});
    CHECK_FALSE(parse_sequential_text(both, "m").print_text);
}

TEST_CASE("a Sequential in a docstring or a string is not code", "[readers]") {
    auto text = GENERATE(as<std::string>{},
                         "\"\"\"Build it.\n\nExample: nn.Sequential(nn.Tanh())\n\"\"\"\n"
                         "m = nn.Sequential(nn.ReLU())\n",
                         "doc = '''\nnn.Sequential(nn.Tanh())\n'''\nm = nn.Sequential(nn.ReLU())\n",
                         "s = r'nn.Sequential(nn.Tanh())'\nm = nn.Sequential(nn.ReLU())\n",
                         "s = f\"{nn.Sequential(nn.Tanh())}\"\nm = nn.Sequential(nn.ReLU())\n");
    CAPTURE(text);
    SequentialText st = parse_sequential_text(text);
    CHECK(st.candidates.size() == 1);
    CHECK(st.sequential.repr() == "nn.Sequential(nn.ReLU())");
}

TEST_CASE("the example input is the one passed to the chosen network", "[readers]") {
    std::string text = "a = nn.Sequential(nn.ReLU())\nb = nn.Sequential(nn.Tanh())\n"
                       "x = torch.rand(1, 4)\ny = torch.rand(2, 8)\n"
                       "a(x)\nb(y)\nb(torch.zeros(3, 3))\n";
    SequentialText a = parse_sequential_text(text, "a");
    CHECK(*a.example_input == Shape{1, 4});
    CHECK(a.example_guess.empty());
    SequentialText b = parse_sequential_text(text, "b");
    CHECK(*b.example_input == Shape{2, 8});

    // Not passed to it: the first example, said to be a guess when there are several networks.
    std::string unused = "a = nn.Sequential(nn.ReLU())\nb = nn.Sequential(nn.Tanh())\n"
                         "x = torch.randn(1, 3, 32, 32)\n";
    SequentialText g = parse_sequential_text(unused, "b");
    CHECK(*g.example_input == Shape{1, 3, 32, 32});
    CHECK(g.example_guess == "torch.randn at line 3");
    CHECK(parse_sequential_text("m = nn.Sequential()\nx = torch.rand(2)").example_guess.empty());
}

// ---------------------------------------------------------------------------------------------
// Names in layer arguments.

TEST_CASE("simple assignments before the network resolve the names in its arguments", "[readers]") {
    auto [text, repr] = GENERATE(table<std::string, std::string>({
        {"C = 16\nm = nn.Sequential(nn.Conv2d(3, C, 3))", "nn.Sequential(nn.Conv2d(3, 16, 3))"},
        {"k = 3\nm = nn.Sequential(nn.MaxPool2d(k, stride=k - 1))",
         "nn.Sequential(nn.MaxPool2d(3, stride=2))"},
        {"cfg = (2, 2)\nm = nn.Sequential(nn.MaxPool2d(kernel_size=cfg))",
         "nn.Sequential(nn.MaxPool2d(kernel_size=(2, 2)))"},
        {"C = 16\nC2 = C * 2\nm = nn.Sequential(nn.Linear(C, C2 // 4))",
         "nn.Sequential(nn.Linear(16, 8))"},
        {"C = 8\nC += 8\nC *= 2\nm = nn.Sequential(nn.Linear(C, 1))",
         "nn.Sequential(nn.Linear(32, 1))"},
        {"a, b = 4, 8\nm = nn.Sequential(nn.Linear(a, b))", "nn.Sequential(nn.Linear(4, 8))"},
        {"(a, b) = (4, 8)\nm = nn.Sequential(nn.Linear(b, a))", "nn.Sequential(nn.Linear(8, 4))"},
        {"n: int = 5\nm = nn.Sequential(nn.Linear(n, n))", "nn.Sequential(nn.Linear(5, 5))"},
        {"mode = 'bilinear'\nm = nn.Sequential(nn.Upsample(scale_factor=2, mode=mode))",
         "nn.Sequential(nn.Upsample(scale_factor=2, mode='bilinear'))"},
        {"p = .25; q = True\nm = nn.Sequential(nn.Dropout(p, q))",
         "nn.Sequential(nn.Dropout(0.25, True))"},
        {"C = 4\nC = 6\nm = nn.Sequential(nn.Linear(C, C))", "nn.Sequential(nn.Linear(6, 6))"},
        {"C = 4\nclass N(nn.Module):\n    def __init__(self):\n        c = C * 2\n"
         "        self.w = c + 1\n        self.f = nn.Sequential(nn.Linear(c, self.w))\n",
         "nn.Sequential(nn.Linear(8, 9))"},
        {"C = 4\nif x:\n    m = nn.Sequential(nn.Linear(C, C))", "nn.Sequential(nn.Linear(4, 4))"},
        {"m = nn.Sequential(nn.Conv2d(3, 8, 3, device=device, dtype=torch.float32))",
         "nn.Sequential(nn.Conv2d(3, 8, 3, device=device, dtype=torch.float32))"},
    }));
    CAPTURE(text);
    CHECK(parse_sequential_text(text).sequential.repr() == repr);
}

TEST_CASE("a name cnnshape cannot resolve is an error at that name, saying why", "[readers]") {
    auto [text, where, first] = GENERATE(table<std::string, std::string, std::string>({
        {"model = nn.Sequential(nn.Conv2d(3, C, 3))", "column 36",
         "'C' is a name cnnshape could not resolve: it is not assigned in the text; write the "
         "value here"},
        {"def make(C):\n    return nn.Sequential(nn.Conv2d(3, C, 3))", "line 2, column 39",
         "'C' is a name cnnshape could not resolve: a parameter of make() (line 1), so its value "
         "depends on the call"},
        {"C = int(sys.argv[1])\nm = nn.Sequential(nn.Conv2d(3, C, 3))", "line 2, column 32",
         "'C' is a name cnnshape could not resolve: line 1 assigns it 'int(sys.argv[1])', which "
         "cnnshape does not evaluate (it reads literal values, and arithmetic on names assigned "
         "them)"},
        {"C = width(3)\nm = nn.Sequential(nn.Conv2d(3, C, 3))", "line 2, column 32",
         "'C' is a name cnnshape could not resolve: line 1 assigns it 'width(3)', a call "
         "cnnshape does not evaluate (it reads literal values, and arithmetic on names assigned "
         "them)"},
        {"conv = nn.Conv2d(3, 8, 3)\nm = nn.Sequential(conv, nn.ReLU())", "line 2, column 19",
         "'conv' is a name cnnshape could not resolve: line 1 assigns it 'nn.Conv2d(3, 8, 3)', a "
         "module; cnnshape reads the layers written inside the nn.Sequential(...) call"},
        {"for C in (8, 16):\n    m = nn.Sequential(nn.Conv2d(3, C, 3))", "line 2, column 36",
         "'C' is a name cnnshape could not resolve: the loop variable of the 'for' at line 1"},
        {"if big:\n    C = 64\nm = nn.Sequential(nn.Conv2d(3, C, 3))", "line 3, column 32",
         "'C' is a name cnnshape could not resolve: line 2 assigns it inside a block (if, for, "
         "def, ...) that ends before this line; write the value here"},
        {"m = nn.Sequential(nn.Conv2d(3, C, 3))\nC = 4", "line 1, column 32",
         "'C' is a name cnnshape could not resolve: it is assigned only after this line (at line "
         "2)"},
        {"C = 4\ndef f():\n    return nn.Sequential(nn.Conv2d(3, C, 3))\nC = 8\nm = f()",
         "line 3, column 39",
         "'C' is a name cnnshape could not resolve: line 4 assigns it again after this function, "
         "and its value depends on when the function runs"},
        {"from config import C\nm = nn.Sequential(nn.Conv2d(3, C, 3))", "line 2, column 32",
         "'C' is a name cnnshape could not resolve: imported at line 1"},
        {"C = 16\nm = nn.Sequential(nn.Conv2d(3, cfg.C, 3))", "line 2, column 32",
         "'cfg.C' is a name cnnshape could not resolve: it is not assigned in the text; write "
         "the value here"},
        {"m = nn.Sequential(nn.Upsample(scale_factor=2, mode=nearest))", "column 52",
         "'nearest' is a name cnnshape could not resolve: it is not assigned in the text; write "
         "the value here"},
    }));
    CAPTURE(text);
    SpecError e = error_of([&] { parse_sequential_text(text); });
    CHECK(e.where() == where);
    CHECK(first_line(e.what()) == first);
    CHECK(std::string(e.what()).find("must be int") == std::string::npos);
}

TEST_CASE("names planned end to end give PyTorch's numbers", "[readers]") {
    // nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.MaxPool2d((2, 2)), nn.Conv2d(16, 32, 3))
    // on 1x3x32x32 in PyTorch 1.13: 1x32x14x14, 448 + 4,640 params.
    Network net = load_spec_python("C = 16\nk = 3\ncfg = (2, 2)\n"
                                   "m = nn.Sequential(nn.Conv2d(3, C, k, padding=k // 2), "
                                   "nn.MaxPool2d(cfg), nn.Conv2d(C, C * 2, k))\n"
                                   "x = torch.rand(1, 3, 32, 32)\n");
    Plan p = make_plan(net, *net.input);
    CHECK(p.output == Shape{1, 32, 14, 14});
    CHECK(p.totals.params == 5088);
}

// ---------------------------------------------------------------------------------------------
// What is done to the network after it is built.

TEST_CASE("calls chained after nn.Sequential(...) that change it are refused", "[readers]") {
    auto [text, where, first] = GENERATE(table<std::string, std::string, std::string>({
        {"m = nn.Sequential(nn.ReLU()).half()", "column 30",
         "'.half(...)' makes the network torch.float16; cnnshape plans float32 networks only"},
        {"m = nn.Sequential(nn.ReLU()).to(torch.float64)", "column 30",
         "'.to(...)' makes the network torch.float64; cnnshape plans float32 networks only"},
        {"m = nn.Sequential(nn.ReLU()).to(device, dtype=torch.bfloat16)", "column 30",
         "'.to(...)' makes the network torch.bfloat16; cnnshape plans float32 networks only"},
        {"m = nn.Sequential(nn.ReLU(), nn.Tanh())[:-1]", "column 40",
         "'[...]' after the nn.Sequential(...) call takes a part of it; cnnshape reads the whole "
         "call, so write the layers that are meant"},
        {"m = nn.Sequential(nn.ReLU()).requires_grad_(False)", "column 30",
         "'.requires_grad_(...)' after the nn.Sequential(...) call may change the network, which "
         "cnnshape does not follow; write the network it gives as one nn.Sequential(...)"},
    }));
    CAPTURE(text);
    SpecError e = error_of([&] { parse_sequential_text(text); });
    CHECK(e.where() == where);
    CHECK(first_line(e.what()) == first);
}

TEST_CASE("calls chained after nn.Sequential(...) that keep it are accepted", "[readers]") {
    auto text = GENERATE(as<std::string>{}, "m = nn.Sequential(nn.ReLU()).to(device)",
                         "m = nn.Sequential(nn.ReLU()).to('cuda').eval()",
                         "m = nn.Sequential(nn.ReLU()).cuda().train()",
                         "m = nn.Sequential(nn.ReLU()).to(torch.float32)",
                         "y = nn.Sequential(nn.ReLU())(x).shape",
                         "m = nn.Sequential(nn.ReLU())  # .half()");
    CAPTURE(text);
    CHECK(parse_sequential_text(text).sequential.repr() == "nn.Sequential(nn.ReLU())");
}

TEST_CASE("later statements that change the network are refused", "[readers]") {
    auto [later, where, what] = GENERATE(table<std::string, std::string, std::string>({
        {"m.append(nn.Tanh())", "line 2, column 1", "'m.append(...)' changes 'm'"},
        {"m.add_module('t', nn.Tanh())", "line 2, column 1", "'m.add_module(...)' changes 'm'"},
        {"m.insert(0, nn.Tanh())", "line 2, column 1", "'m.insert(...)' changes 'm'"},
        {"m.extend([nn.Tanh()])", "line 2, column 1", "'m.extend(...)' changes 'm'"},
        {"m[0] = nn.Tanh()", "line 2, column 1", "'m[...] = ...' changes 'm'"},
        {"del m[0]", "line 2, column 1", "'del m[...]' changes 'm'"},
        {"m += extra", "line 2, column 1", "'m += ...' changes 'm'"},
        {"m.double()", "line 2, column 1", "'m.double(...)' makes the network torch.float64"},
        {"m = m.to(torch.float16)", "line 2, column 5",
         "'m.to(...)' makes the network torch.float16"},
    }));
    std::string text = "m = nn.Sequential(nn.ReLU())\n" + later + "\n";
    CAPTURE(text);
    SpecError e = error_of([&] { parse_sequential_text(text); });
    CHECK(e.where() == where);
    CHECK_THAT(e.what(), Catch::StartsWith(what));
}

TEST_CASE("later statements that keep the network, or change another, are accepted", "[readers]") {
    auto later = GENERATE(as<std::string>{}, "m.to(device)\nm.eval()\ny = m(x)\nprint(m)",
                          "other.append(nn.Tanh())", "m2 = nn.ModuleList()\nm2.append(m)",
                          "m = 3\nm.append(1)", "for p in m.parameters():\n    print(p.shape)");
    std::string text = "m = nn.Sequential(nn.ReLU())\n" + later + "\n";
    CAPTURE(text);
    CHECK(parse_sequential_text(text, "m").sequential.repr() == "nn.Sequential(nn.ReLU())");
}

// ---------------------------------------------------------------------------------------------
// print(model) text: the arguments it does not show.

TEST_CASE("every layer type PyTorch prints has its list of hidden arguments", "[readers]") {
    for (const LayerType& t : layer_types()) {
        CAPTURE(t.name);
        // Add, Sub, Mul, Div, Concat, and the data-movement functions (torch.reshape, ...): torch
        // functions, not modules; torchvision.ops.Permute prints no arguments at all.
        const TorchModule* m = find_torch_module(t.name);
        if (t.family == "merge" || !m || std::string(m->path).rfind("nn.", 0) != 0) {
            CHECK(print_hidden_arguments(t.name) == nullptr);
            continue;
        }
        const std::vector<std::string>* hidden = print_hidden_arguments(t.name);
        REQUIRE(hidden != nullptr);
        for (const std::string& h : *hidden) {
            bool known = false;
            for (const ParamSpec& p : t.params)
                known = known || p.name == h;
            CHECK(known);
        }
    }
    // Checked against PyTorch 1.13's repr by tools/gen_print_hidden.py.
    CHECK(*print_hidden_arguments("AvgPool2d") ==
          std::vector<std::string>{"ceil_mode", "count_include_pad", "divisor_override"});
    CHECK(*print_hidden_arguments("AvgPool1d") ==
          std::vector<std::string>{"ceil_mode", "count_include_pad"});
    CHECK(*print_hidden_arguments("MaxPool2d") == std::vector<std::string>{"return_indices"});
    CHECK(*print_hidden_arguments("Upsample") ==
          std::vector<std::string>{"align_corners", "recompute_scale_factor"});
    CHECK(print_hidden_arguments("Conv2d")->size() == 2); // device, dtype
    CHECK(print_hidden_arguments("BatchNorm2d")->size() == 2);
    CHECK(print_hidden_arguments("LPPool2d")->empty());
    CHECK(print_hidden_arguments("Dropout")->empty());
}

TEST_CASE("print(model) layers record the arguments assumed at their defaults", "[readers]") {
    Network net = load_spec_python("Sequential(\n"
                                   "  (0): Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1))\n"
                                   "  (1): AvgPool2d(kernel_size=3, stride=3, padding=0)\n"
                                   "  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, "
                                   "dilation=1, ceil_mode=False)\n"
                                   "  (3): Upsample(scale_factor=2.0, mode=bilinear)\n"
                                   "  (4): Hardswish()\n"
                                   "  (5): AvgPool2d(kernel_size=1, ceil_mode=True)\n"
                                   ")\n");
    REQUIRE(net.nodes.size() == 6);
    CHECK(net.nodes[0].assumed.empty()); // device and dtype change nothing cnnshape reports
    CHECK(net.nodes[1].assumed ==
          std::vector<std::string>{"ceil_mode", "count_include_pad", "divisor_override"});
    CHECK(net.nodes[2].assumed == std::vector<std::string>{"return_indices"});
    CHECK(net.nodes[3].assumed ==
          std::vector<std::string>{"align_corners", "recompute_scale_factor"});
    CHECK(net.nodes[4].assumed.empty()); // inplace changes no value or shape
    // Written out (by hand), an argument is no longer assumed.
    CHECK(net.nodes[5].assumed ==
          std::vector<std::string>{"count_include_pad", "divisor_override"});
    Plan p = make_plan(net, Shape{1, 1, 12, 12});
    CHECK(p.layers[1].assumed == net.nodes[1].assumed);

    // Python source shows every argument it gives: nothing is assumed.
    Network py = load_spec_python("m = nn.Sequential(nn.AvgPool2d(3), nn.MaxPool2d(2))");
    for (const Node& n : py.nodes)
        CHECK(n.assumed.empty());
}

// ---------------------------------------------------------------------------------------------
// The other readers: nothing written is dropped.

TEST_CASE("a key repeated in a JSON object is an error, not the last value", "[readers]") {
    auto [text, where, key] = GENERATE(table<std::string, std::string, std::string>({
        {R"({"input": [1, 3, 8, 8], "layers": [{"type": "Conv2d", "out_channels": 8,
 "kernel_size": 3, "kernel_size": 5}]})",
         "line 2, column 20", "kernel_size"},
        {R"J({"input": [1, 3], "input": [1, 4], "layers": ["nn.ReLU()"]})J", "line 1, column 19",
         "input"},
        {R"([{"type": "ReLU", "t\u0079pe": "Tanh"}])", "line 1, column 19", "type"},
    }));
    CAPTURE(text);
    SpecError e = error_of([&] { load_spec_json(text); });
    CHECK(e.where() == where);
    CHECK(std::string(e.what()) == "duplicate key \"" + key +
                                       "\" in one object: JSON readers keep only the last value, "
                                       "so cnnshape refuses to guess which is meant");
    // The same key in different objects is fine.
    CHECK_NOTHROW(load_spec_json(
        R"({"layers": [{"type": "ReLU", "name": "a"}, {"type": "ReLU", "name": "b"}]})"));
}

TEST_CASE("a dtype other than float32 is refused, not ignored", "[readers]") {
    auto [expr, ok] = GENERATE(table<std::string, bool>({
        {"nn.Conv2d(3, 8, 3, dtype=torch.float16)", false},
        {"nn.Linear(3, 8, dtype=torch.float64)", false},
        {"nn.BatchNorm2d(3, dtype=torch.bfloat16)", false},
        {"nn.Conv2d(3, 8, 3, dtype=torch.float32)", true},
        {"nn.Conv2d(3, 8, 3, dtype=torch.float)", true},
        {"nn.Conv2d(3, 8, 3, dtype=None)", true},
        {"nn.Conv2d(3, 8, 3, device='cuda')", true},
    }));
    CAPTURE(expr);
    if (ok) {
        CHECK_NOTHROW(network_from_exprs({expr}));
    } else {
        SpecError e = error_of([&] { network_from_exprs({expr}); });
        CHECK(e.where() == "--layer 1, argument 'dtype'");
        CHECK_THAT(e.what(), Catch::Contains("cnnshape plans float32 layers only"));
    }
    SpecError j = error_of([] {
        load_spec_json(R"([{"type": "Linear", "in_features": 2, "out_features": 3,
                            "dtype": "torch.float16"}])");
    });
    CHECK_THAT(j.what(), Catch::Contains("dtype='torch.float16'"));
}

TEST_CASE("OrderedDict keyword entries are layers too", "[readers]") {
    // PyTorch: Sequential(OrderedDict([('a', ReLU())], b=Tanh())) has children a and b.
    Network net =
        load_spec_python("m = nn.Sequential(OrderedDict([('a', nn.ReLU())], b=nn.Tanh()))");
    REQUIRE(net.nodes.size() == 2);
    CHECK(net.nodes[0].name == "a");
    CHECK(net.nodes[1].name == "b");
    CHECK(net.nodes[1].layer->type() == "Tanh");
}

TEST_CASE("a --model with a JSON spec is a usage error", "[readers]") {
    CHECK_THROWS_AS(load_spec_text(R"({"layers": []})", "model"), UsageError);
    CHECK_NOTHROW(load_spec_text(R"J({"input": [1, 2], "layers": ["nn.ReLU()"]})J", ""));
}

TEST_CASE("a bare name in a --layer expression is said to be a name, not a str", "[readers]") {
    SpecError e = error_of([] { network_from_exprs({"nn.Conv2d(3, C, 3)"}); });
    CHECK(e.where() == "--layer 1, argument 'out_channels'");
    CHECK(std::string(e.what()) ==
          "Conv2d() argument 'out_channels' must be int, but 'C' is a name cnnshape could not "
          "resolve (an expression cannot refer to variables; write the value)");
    // A quoted string is still a str.
    SpecError q = error_of([] { network_from_exprs({"nn.Conv2d(3, 'C', 3)"}); });
    CHECK(std::string(q.what()) == "Conv2d() argument 'out_channels' must be int, not str ('C')");
}

TEST_CASE("choosing, names and later-change checks survive truncated and mutated texts",
          "[readers]") {
    std::vector<std::string> valid = {
        kClass,
        "C = 16\nk = (3, 3)\na, b = 2, C * 2\nC += 1\n\"\"\"doc nn.Sequential(x)\"\"\"\n"
        "def f(n):\n    for i in range(n):\n        pass\n"
        "m = nn.Sequential(nn.Conv2d(3, C, k), nn.Linear(a, b)).to(device)\n"
        "m.eval()\nm[0] = 1\ndel m[1]\nx = torch.rand(1, 3, C, C)\nm(x)\n",
        "Net(\n  (features): Sequential(\n    (0): ReLU()\n  )\n  (head): Sequential(\n"
        "    (0): Linear(in_features=2, out_features=3, bias=True)\n  )\n)\n"};
    const std::vector<std::string> models = {"", "features", "self.classifier", "m", "3", "x"};
    auto check = [&](const std::string& text) {
        for (const std::string& model : models) {
            try {
                parse_sequential_text(text, model);
            } catch (const SpecError& e) {
                std::string w = e.where();
                bool ok = w.empty() || w.rfind("column ", 0) == 0 || w.rfind("line ", 0) == 0;
                if (!ok) FAIL("bad where() " << w << " for " << text);
            } catch (const std::exception& e) {
                FAIL("unexpected exception " << e.what() << " for text: " << text);
            }
        }
    };
    for (const auto& v : valid)
        for (size_t n = 0; n <= v.size(); n += 3)
            check(v.substr(0, n));
    unsigned seed = 777;
    auto rnd = [&] { return seed = seed * 1103515245u + 12345u, (seed >> 8); };
    const char* pieces[] = {
        "(",  ")", "\n", "=", " = ",  "\"\"\"", "'", "#", ",", "C", "+=", "nn.Sequential(",
        "  ", "[", "]",  ":", "def ", "for ",   "."};
    for (int i = 0; i < 1500; ++i) {
        std::string m = valid[size_t(i) % valid.size()];
        int edits = 1 + int(rnd() % 4);
        for (int k = 0; k < edits; ++k) {
            size_t at = rnd() % (m.size() + 1);
            switch (rnd() % 3) {
            case 0:
                m.insert(at, pieces[rnd() % (sizeof pieces / sizeof *pieces)]);
                break;
            case 1:
                if (at < m.size()) m.erase(at, 1 + rnd() % 8);
                break;
            default:
                if (at < m.size()) m[at] = char(rnd() % 256);
            }
        }
        check(m);
    }
}

TEST_CASE("names in a Python text of megabytes resolve", "[readers]") {
    // 100,000 assignments and a network using them: linear work (line numbers were once found by
    // counting from the start, quadratic here; bench/scale_bench.cpp times it).
    std::string text = "import torch.nn as nn\n";
    for (int i = 0; i < 100000; ++i)
        text += "C" + std::to_string(i) + " = " + std::to_string(i + 1) + "\n";
    text += "def build():\n    return nn.Sequential(\n";
    for (int i = 0; i < 100000; i += 50)
        text += "        nn.Linear(C" + std::to_string(i) + ", C" + std::to_string(i + 1) + "),\n";
    text += "    )\n";
    SequentialText st = parse_sequential_text(text);
    CHECK(st.sequential.as_call().args.size() == 2000);
    CHECK(st.sequential.as_call().args[1].repr() == "nn.Linear(51, 52)");
}

TEST_CASE("print(model) lines outside the block planned are not dropped silently", "[readers]") {
    auto [text, where] = GENERATE(table<std::string, std::string>({
        // Pasted from the middle of a larger print(model): (0) and (2) are not in (1).
        {"  (0): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))\n  (1): Sequential(\n"
         "    (0): ReLU()\n  )\n  (2): Linear(in_features=2, out_features=3, bias=True)\n)\n",
         "line 1, column 3"},
        // A ')' too early: (1) would be left out.
        {"Sequential(\n  (0): ReLU()\n)\n  (1): Tanh()\n)\n", "line 4, column 3"},
    }));
    CAPTURE(text);
    SpecError e = error_of([&] { parse_sequential_text(text); });
    CHECK(e.where() == where);
    CHECK_THAT(e.what(), Catch::StartsWith("this print(model) line is outside the Sequential of "
                                           "line "));
    // Chosen explicitly, the block is what was asked for.
    CHECK_NOTHROW(parse_sequential_text(text, text[0] == 'S' ? "1" : "2"));
}

TEST_CASE("a --model matches the last part of a dotted print(model) path and numeric names",
          "[readers]") {
    std::string text = "  (net): Net(\n    (body): Sequential(\n      (0): ReLU()\n    )\n"
                       "    (head): Sequential(\n      (0): Tanh()\n    )\n  )\n";
    auto e = error_of<ModelChoiceError>([&] { parse_sequential_text(text); });
    CHECK(listed(e) == std::vector<std::string>{"p:net.body@2", "p:net.head@5"});
    CHECK(parse_sequential_text(text, "head").sequential.repr() ==
          "Sequential(OrderedDict([('0', Tanh())]))");
    CHECK(parse_sequential_text(text, "net.body").chosen == 0);

    // A child named "1" is chosen by its line, as the list says; its name works when no
    // network starts on line 1.
    std::string numbered = "  (0): ReLU()\n  (1): Sequential(\n    (0): Tanh()\n  )\n";
    auto n = error_of<ModelChoiceError>([&] { parse_sequential_text(numbered, "7"); });
    CHECK_THAT(n.what(), Catch::Contains("\n  --model 2   line 2, print(model) text"));
    CHECK(parse_sequential_text(numbered, "2").chosen == 0);
    CHECK(parse_sequential_text(numbered, "1").chosen == 0);
}

TEST_CASE("a second JSON value after the spec is an error, not ignored", "[readers]") {
    SpecError e = error_of([] {
        load_spec_json("{\"input\": [1, 3], \"layers\": [\"nn.ReLU()\"]}\n{\"layers\": []}\n");
    });
    CHECK(e.where() == "line 2, column 1");
    CHECK_THAT(e.what(), Catch::Contains("expected end of input"));
    SpecError t = error_of([] { network_from_exprs({"nn.ReLU() nn.Tanh()"}); });
    CHECK_THAT(t.what(), Catch::StartsWith("expected the end of the text after the expression but "
                                           "found 'nn.Tanh'"));
}
