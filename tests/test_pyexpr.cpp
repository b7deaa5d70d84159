// Tests for the PyTorch-text readers: Value::repr, parse_py_expr and parse_sequential_text.
#include "cnnshape/error.hpp"
#include "cnnshape/pyexpr.hpp"
#include "cnnshape/value.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace cnnshape;

namespace {

// Runs f, which must throw SpecError, and returns the error.
SpecError spec_error(const std::function<void()>& f) {
    try {
        f();
    } catch (const SpecError& e) {
        return e;
    }
    FAIL("no SpecError was thrown");
    throw std::logic_error("unreachable");
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t b = 0;
    while (true) {
        size_t e = s.find(sep, b);
        out.push_back(s.substr(b, e == std::string::npos ? e : e - b));
        if (e == std::string::npos) return out;
        b = e + 1;
    }
}

// Checks the error contract: where() is "column C" or "line L, column C", the message's first line
// is `first`, and the message ends with the offending line and a caret under column C (ASCII texts
// without tabs, lines shorter than the echo window).
void check_error(const SpecError& e, const std::string& text, const std::string& where,
                 const std::string& first) {
    CAPTURE(text, e.where(), e.what());
    CHECK(e.where() == where);
    std::vector<std::string> msg = split(e.what(), '\n');
    REQUIRE(msg.size() >= 3);
    CHECK(msg[0] == first);
    size_t line = 1, col = 0;
    if (where.rfind("line ", 0) == 0) {
        line = std::stoul(where.substr(5));
        col = std::stoul(where.substr(where.find("column ") + 7));
    } else {
        col = std::stoul(where.substr(7));
    }
    std::vector<std::string> lines = split(text, '\n');
    REQUIRE(line <= lines.size());
    std::string src_line = lines[line - 1];
    while (!src_line.empty() && src_line.back() == '\r')
        src_line.pop_back();
    CHECK(msg[msg.size() - 2] == "  " + src_line);
    CHECK(msg.back() == "  " + std::string(col - 1, ' ') + "^");
}

void check_expr_error(const std::string& text, const std::string& where, const std::string& first) {
    check_error(spec_error([&] { parse_py_expr(text); }), text, where, first);
}

void check_seq_error(const std::string& text, const std::string& where, const std::string& first) {
    check_error(spec_error([&] { parse_sequential_text(text); }), text, where, first);
}

const Call& call_of(const Value& v) {
    REQUIRE(v.is_call());
    return v.as_call();
}

const Value& kwarg(const Call& c, const std::string& name) {
    for (const auto& kv : c.kwargs)
        if (kv.first == name) return kv.second;
    FAIL("no keyword argument " << name);
    throw std::logic_error("unreachable");
}

// The ('name', Call) pairs of a Sequential in OrderedDict form.
const Value::List& children(const Value& seq) {
    const Call& s = call_of(seq);
    REQUIRE(s.base_name() == "Sequential");
    REQUIRE(s.args.size() == 1);
    REQUIRE(s.kwargs.empty());
    const Call& od = call_of(s.args[0]);
    REQUIRE(od.name == "OrderedDict");
    REQUIRE(od.args.size() == 1);
    REQUIRE(od.args[0].is_tuple());
    REQUIRE(od.args[0].is_list);
    for (const auto& pair : od.args[0].as_tuple()) {
        REQUIRE(pair.is_tuple());
        REQUIRE_FALSE(pair.is_list);
        REQUIRE(pair.as_tuple().size() == 2);
        REQUIRE(pair.as_tuple()[0].is_string());
        REQUIRE(pair.as_tuple()[1].is_call());
    }
    return od.args[0].as_tuple();
}

// Must parse or throw SpecError; anything else (another exception, a crash) fails.
void parses_or_spec_error(const std::string& text, bool sequential) {
    try {
        if (sequential)
            parse_sequential_text(text);
        else
            parse_py_expr(text);
    } catch (const SpecError& e) {
        std::string w = e.where();
        bool ok = w.empty() || w.rfind("column ", 0) == 0 || w.rfind("line ", 0) == 0;
        if (!ok) FAIL("bad where() " << w << " for " << text);
    } catch (const std::exception& e) {
        FAIL("unexpected exception " << e.what() << " for text: " << text);
    }
}

const std::string kFunnelSeed = R"SEED(Sebastian Raschka
Deep Learning Fundamentals, Unit 7
Typical pooling layers don't have any learnable parameters
Pooling layers can help with local invariance
... but some information will be lost
Some architectures skip pooling layers altogether
We can reduce the feature map size with more "stride"
A typical setup

```
import torch
import torch.nn as nn

layers_with_pooling = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=3),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Conv2d(8, 16, kernel_size=3),
    nn.MaxPool2d(kernel_size=2, stride=2),
)

example = torch.rand(3, 110, 110)
layers_with_pooling(example).shape

torch.Size([16, 26, 26])
```

without pooling layers

```
layers_no_pooling = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=3),
    #nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Conv2d(8, 16, kernel_size=3),
    #nn.MaxPool2d(kernel_size=2, stride=2),
)

example = torch.rand(3, 110, 110)
layers_no_pooling(example).shape

torch.Size([16, 106, 106])
```
)SEED";

// print(torchvision.models.vgg16().features), torch 1.13 / torchvision 0.14.
const std::string kVgg16Features = R"PT(Sequential(
  (0): Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (1): ReLU(inplace=True)
  (2): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (3): ReLU(inplace=True)
  (4): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  (5): Conv2d(64, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (6): ReLU(inplace=True)
  (7): Conv2d(128, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (8): ReLU(inplace=True)
  (9): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  (10): Conv2d(128, 256, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (11): ReLU(inplace=True)
  (12): Conv2d(256, 256, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (13): ReLU(inplace=True)
  (14): Conv2d(256, 256, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (15): ReLU(inplace=True)
  (16): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  (17): Conv2d(256, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (18): ReLU(inplace=True)
  (19): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (20): ReLU(inplace=True)
  (21): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (22): ReLU(inplace=True)
  (23): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  (24): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (25): ReLU(inplace=True)
  (26): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (27): ReLU(inplace=True)
  (28): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (29): ReLU(inplace=True)
  (30): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
)
)PT";

// print(model) of a Sequential holding many layer kinds and a nested Sequential (torch 1.13).
const std::string kMixedPrint = R"PT(Sequential(
  (0): Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (1): ReLU(inplace=True)
  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  (3): Sequential(
    (0): Linear(in_features=512, out_features=10, bias=True)
    (1): Upsample(scale_factor=2.0, mode=nearest)
  )
  (4): Identity()
  (5): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
  (6): Dropout(p=0.5, inplace=False)
  (7): Flatten(start_dim=1, end_dim=-1)
  (8): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=same)
  (9): LeakyReLU(negative_slope=0.01)
  (10): Softmax(dim=1)
  (11): AdaptiveAvgPool2d(output_size=(7, 7))
  (12): Upsample(size=(4, 4), mode=bilinear)
  (13): ConvTranspose2d(4, 4, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))
  (14): LayerNorm((4, 5), eps=1e-05, elementwise_affine=True)
  (15): GELU(approximate='none')
  (16): Unflatten(dim=1, unflattened_size=(2, 3))
  (17): Hardtanh(min_val=-2.0, max_val=2.0)
  (18): BatchNorm1d(10, eps=0.001, momentum=None, affine=True, track_running_stats=True)
  (19): Conv2d(3, 3, kernel_size=(3, 3), stride=(1, 1), dilation=(2, 2), groups=3, bias=False, padding_mode=reflect)
)
)PT";

// print(torchvision.models.resnet18().layer1), shortened to its first block.
const std::string kResNetLayer1 = R"PT(Sequential(
  (0): BasicBlock(
    (conv1): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
    (bn1): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
    (relu): ReLU(inplace=True)
    (conv2): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
    (bn2): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
  )
))PT";

// The start of print(torchvision.models.resnet18()).
const std::string kResNetTop = R"PT(ResNet(
  (conv1): Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)
  (bn1): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
  (relu): ReLU(inplace=True)
  (maxpool): MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)
  (layer1): Sequential(
    (0): BasicBlock(
      (conv1): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
    )
  )
))PT";

} // namespace

// ---------------------------------------------------------------------------------------------
// Value

TEST_CASE("Value::repr of floats is Python's repr", "[pyexpr]") {
    auto [d, repr] = GENERATE(table<double, std::string>({
        {1e-5, "1e-05"},
        {2.0, "2.0"},
        {0.1, "0.1"},
        {0.5, "0.5"},
        {-0.5, "-0.5"},
        {0.0, "0.0"},
        {-0.0, "-0.0"},
        {1e-3, "0.001"},
        {1e-4, "0.0001"},
        {0.00012, "0.00012"},
        {123.456, "123.456"},
        {1e15, "1000000000000000.0"},
        {1e16, "1e+16"},
        {1.5e20, "1.5e+20"},
        {1.25e-7, "1.25e-07"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1.0 / 3.0, "0.3333333333333333"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {100.0, "100.0"},
        {std::numeric_limits<double>::infinity(), "inf"},
        {-std::numeric_limits<double>::infinity(), "-inf"},
        {std::nan(""), "nan"},
    }));
    CAPTURE(d);
    CHECK(Value::real(d).repr() == repr);
}

TEST_CASE("Value::repr of other values", "[pyexpr]") {
    CHECK(Value::none().repr() == "None");
    CHECK(Value::boolean(true).repr() == "True");
    CHECK(Value::boolean(false).repr() == "False");
    CHECK(Value::integer(3).repr() == "3");
    CHECK(Value::integer(-7).repr() == "-7");
    CHECK(Value::integer(std::numeric_limits<std::int64_t>::min()).repr() ==
          "-9223372036854775808");
    CHECK(Value::string("same").repr() == "'same'");
    CHECK(Value::string("it's").repr() == "\"it's\"");
    CHECK(Value::string("a'b\"c").repr() == "'a\\'b\"c'");
    CHECK(Value::string("back\\slash\n\t").repr() == "'back\\\\slash\\n\\t'");
    CHECK(Value::string(std::string("\x01", 1)).repr() == "'\\x01'");
    Value bare = Value::string("nearest");
    bare.bare_word = true;
    CHECK(bare.repr() == "nearest");
    CHECK(Value::tuple({Value::integer(3), Value::integer(3)}).repr() == "(3, 3)");
    CHECK(Value::tuple({Value::integer(3)}).repr() == "(3,)");
    CHECK(Value::tuple({}).repr() == "()");
    Value list = Value::tuple({Value::integer(1), Value::integer(2)});
    list.is_list = true;
    CHECK(list.repr() == "[1, 2]");
    Value one = Value::tuple({Value::integer(1)});
    one.is_list = true;
    CHECK(one.repr() == "[1]");
    auto c = std::make_shared<Call>();
    c->name = "nn.Conv2d";
    c->args = {Value::integer(3), Value::integer(8)};
    c->kwargs = {{"kernel_size", Value::tuple({Value::integer(3), Value::integer(3)})},
                 {"bias", Value::boolean(false)}};
    Value cv;
    cv.v = c;
    CHECK(cv.repr() == "nn.Conv2d(3, 8, kernel_size=(3, 3), bias=False)");
    auto k = std::make_shared<Call>();
    k->name = "ReLU";
    k->kwargs = {{"inplace", Value::boolean(true)}};
    Value kv;
    kv.v = k;
    CHECK(kv.repr() == "ReLU(inplace=True)");
}

TEST_CASE("Value::type_name uses Python's words", "[pyexpr]") {
    auto [text, type] = GENERATE(table<std::string, std::string>({
        {"None", "NoneType"},
        {"True", "bool"},
        {"3", "int"},
        {"-3", "int"},
        {"0.5", "float"},
        {"'same'", "str"},
        {"same", "str"},
        {"(3, 3)", "tuple"},
        {"()", "tuple"},
        {"[1, 2]", "list"},
        {"nn.Conv2d(3, 8, 3)", "Conv2d"},
        {"torch.nn.ReLU()", "ReLU"},
    }));
    CAPTURE(text);
    CHECK(parse_py_expr(text).type_name() == type);
}

TEST_CASE("Call::base_name strips torch.nn. and nn.", "[pyexpr]") {
    auto [name, base] = GENERATE(table<std::string, std::string>({
        {"Conv2d", "Conv2d"},
        {"nn.Conv2d", "Conv2d"},
        {"torch.nn.Conv2d", "Conv2d"},
        {"nn.Sequential", "Sequential"},
        {"torch.nn.Sequential", "Sequential"},
        {"Sequential", "Sequential"},
        {"torch.rand", "torch.rand"},
        {"my.Block", "my.Block"},
        {"nnx.Conv2d", "nnx.Conv2d"},
    }));
    Call c;
    c.name = name;
    CAPTURE(name);
    CHECK(c.base_name() == base);
}

// ---------------------------------------------------------------------------------------------
// parse_py_expr: accepted forms

TEST_CASE("parse_py_expr reads literals and round-trips through repr", "[pyexpr]") {
    auto [text, repr] = GENERATE(table<std::string, std::string>({
        {"3", "3"},
        {"0", "0"},
        {"00", "0"},
        {"-3", "-3"},
        {"+3", "3"},
        {"- 3", "-3"},
        {"--3", "3"},
        {"1_000_000", "1000000"},
        {"0x_ff", "255"},
        {"0o17", "15"},
        {"0b1010", "10"},
        {"9223372036854775807", "9223372036854775807"},
        {"-9223372036854775808", "-9223372036854775808"},
        {"1e-5", "1e-05"},
        {"1E-5", "1e-05"},
        {".5", "0.5"},
        {"2.", "2.0"},
        {"1.5E3", "1500.0"},
        {"1_0.5", "10.5"},
        {"-0.25", "-0.25"},
        {"1e-400", "0.0"},
        {"0.1", "0.1"},
        {"True", "True"},
        {"False", "False"},
        {"None", "None"},
        {"'same'", "'same'"},
        {"\"same\"", "'same'"},
        {"'it\\'s'", "\"it's\""},
        {"'a\\nb'", "'a\\nb'"},
        {"'\\x41\\u00e9'", "'A\xC3\xA9'"},
        {"'\\101'", "'A'"},
        {"'\\q'", "'\\\\q'"},
        {"r'\\d'", "'\\\\d'"},
        {"'''tri'ple'''", "\"tri'ple\""},
        {"'a' 'b'", "'ab'"},
        {"''", "''"},
        {"same", "same"},
        {"torch.float32", "torch.float32"},
        {"(3, 3)", "(3, 3)"},
        {"(3,)", "(3,)"},
        {"(3)", "3"},
        {"((3))", "3"},
        {"()", "()"},
        {"[]", "[]"},
        {"[1, 2]", "[1, 2]"},
        {"[1, 2,]", "[1, 2]"},
        {"[(1, 2), [3]]", "[(1, 2), [3]]"},
        {"( 1 ,\n 2 , )", "(1, 2)"},
        {"nn.Conv2d(3, 8, kernel_size=3)", "nn.Conv2d(3, 8, kernel_size=3)"},
        {"nn.Conv2d(3,8,kernel_size=3,)", "nn.Conv2d(3, 8, kernel_size=3)"},
        {"torch.nn.MaxPool2d(2, stride=2)", "torch.nn.MaxPool2d(2, stride=2)"},
        {"nn.ReLU()", "nn.ReLU()"},
        {"nn.ReLU ( )", "nn.ReLU()"},
        {"Upsample(scale_factor=2.0, mode=nearest)", "Upsample(scale_factor=2.0, mode=nearest)"},
        {"nn.Upsample(scale_factor=2, mode='nearest')",
         "nn.Upsample(scale_factor=2, mode='nearest')"},
        {"nn.Conv2d(3, 8, 3, padding=same)", "nn.Conv2d(3, 8, 3, padding=same)"},
        {"torch.rand(3, dtype=torch.float32)", "torch.rand(3, dtype=torch.float32)"},
        {"float('inf')", "inf"},
        {"float('-inf')", "-inf"},
        {"-float('inf')", "-inf"},
        {"float(' +Infinity ')", "inf"},
        {"float('nan')", "nan"},
        {"float(2)", "2.0"},
        {"float('1e-3')", "0.001"},
        {"float('1_000.5')", "1000.5"},
        {"math.inf", "inf"},
        {"-math.inf", "-inf"},
        {"torch.nan", "nan"},
        {"f(float)", "f(float)"},
        {"float(x)", "float(x)"},
        {"nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())",
         "nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())"},
        {"f(a, b=-1)", "f(a, b=-1)"},
        {"nn.Hardtanh(-2.0, 2.0)", "nn.Hardtanh(-2.0, 2.0)"},
        {"  nn.ReLU()  \n", "nn.ReLU()"},
        {"nn.ReLU()  # a comment", "nn.ReLU()"},
        {"nn.Conv2d(3, # in\n 8, # out\n 3)", "nn.Conv2d(3, 8, 3)"},
        {"nn.Conv2d(3, \\\n 8)", "nn.Conv2d(3, 8)"},
        {"\xC2\xA0nn.ReLU()", "nn.ReLU()"},
        {"\xEF\xBB\xBFnn.ReLU()", "nn.ReLU()"},
        {"nn.Conv2d(3,\r\n 8)", "nn.Conv2d(3, 8)"},
    }));
    CAPTURE(text);
    Value v = parse_py_expr(text);
    CHECK(v.repr() == repr);
}

TEST_CASE("parse_py_expr gives the right kinds and values", "[pyexpr]") {
    CHECK(parse_py_expr("3").as_int() == 3);
    CHECK(parse_py_expr("1_000").as_int() == 1000);
    CHECK(parse_py_expr("-9223372036854775808").as_int() ==
          std::numeric_limits<std::int64_t>::min());
    CHECK(parse_py_expr("1e-5").as_float() == 1e-5);
    CHECK(parse_py_expr(".5").as_float() == 0.5);
    CHECK(parse_py_expr("2.").is_float());
    CHECK(parse_py_expr("2").is_int());
    CHECK(parse_py_expr("True").as_bool());
    CHECK(parse_py_expr("None").is_none());

    Value s = parse_py_expr("'same'");
    CHECK(s.as_string() == "same");
    CHECK_FALSE(s.bare_word);
    Value b = parse_py_expr("nearest");
    CHECK(b.as_string() == "nearest");
    CHECK(b.bare_word);
    Value d = parse_py_expr("torch.float32");
    CHECK(d.as_string() == "torch.float32");
    CHECK(d.bare_word);

    Value t = parse_py_expr("(3,)");
    REQUIRE(t.is_tuple());
    CHECK_FALSE(t.is_list);
    CHECK(t.as_tuple().size() == 1);
    Value l = parse_py_expr("[1, 2]");
    REQUIRE(l.is_tuple());
    CHECK(l.is_list);
    CHECK(parse_py_expr("(3)").is_int());
}

TEST_CASE("parse_py_expr reads calls with positional and keyword arguments", "[pyexpr]") {
    std::string text = "nn.Conv2d(3, 8, kernel_size=3, stride=(2, 2), padding=same, bias=False)";
    Value v = parse_py_expr(text);
    const Call& c = call_of(v);
    CHECK(c.name == "nn.Conv2d");
    CHECK(c.base_name() == "Conv2d");
    REQUIRE(c.args.size() == 2);
    CHECK(c.args[0].as_int() == 3);
    CHECK(c.args[1].as_int() == 8);
    REQUIRE(c.kwargs.size() == 4);
    CHECK(c.kwargs[0].first == "kernel_size");
    CHECK(c.kwargs[0].second.as_int() == 3);
    CHECK(c.kwargs[1].first == "stride");
    CHECK(c.kwargs[1].second.repr() == "(2, 2)");
    CHECK(c.kwargs[2].second.as_string() == "same");
    CHECK(c.kwargs[2].second.bare_word);
    CHECK(c.kwargs[3].second.as_bool() == false);
    // Positions are byte offsets into the text.
    CHECK(c.pos == 0);
    CHECK(v.pos == 0);
    CHECK(c.end_pos == std::int64_t(text.size()));
    CHECK(c.args[0].pos == 10);
    CHECK(c.args[1].pos == 13);
    CHECK(c.kwargs[0].second.pos == std::int64_t(text.find("=3") + 1));
    CHECK(c.kwargs[1].second.pos == std::int64_t(text.find("(2, 2)")));
    CHECK(c.kwargs[2].second.pos == std::int64_t(text.find("same")));

    Value nested = parse_py_expr("  nn.Sequential(\n    nn.ReLU(),\n    nn.Identity())");
    const Call& s = call_of(nested);
    CHECK(s.pos == 2);
    REQUIRE(s.args.size() == 2);
    CHECK(call_of(s.args[0]).pos == 21);
    CHECK(call_of(s.args[1]).name == "nn.Identity");
    CHECK(s.args[1].pos == 36);

    CHECK(parse_py_expr("-3").pos == 0);
    CHECK(parse_py_expr(" (1, 2)").pos == 1);
    CHECK(parse_py_expr("'a' 'b'").pos == 0);
}

TEST_CASE("parse_py_expr folds constant arithmetic like Python", "[pyexpr]") {
    auto [text, repr] = GENERATE(table<std::string, std::string>({
        {"16 * 5 * 5", "400"},
        {"nn.Linear(16 * 5 * 5, 120)", "nn.Linear(400, 120)"},
        {"1 + 2 * 3", "7"},
        {"(1 + 2) * 3", "9"},
        {"10 - 2 - 3", "5"},
        {"7 // 2", "3"},
        {"-7 // 2", "-4"},
        {"7 // -2", "-4"},
        {"7 % 3", "1"},
        {"-7 % 3", "2"},
        {"7 % -3", "-2"},
        {"7 / 2", "3.5"},
        {"4 / 2", "2.0"},
        {"2 ** 10", "1024"},
        {"2 ** 3 ** 2", "512"},
        {"-2 ** 2", "-4"},
        {"(-2) ** 2", "4"},
        {"2 ** -1", "0.5"},
        {"0 ** 0", "1"},
        {"1.5 * 2", "3.0"},
        {"0.1 + 0.2", "0.30000000000000004"},
        {"7.5 // 2", "3.0"},
        {"-7.5 % 2", "0.5"},
        {"2.0 ** 0.5", "1.4142135623730951"},
        {"3 - -1", "4"},
        {"-(3)", "-3"},
        {"-(1.5)", "-1.5"},
        {"(-9223372036854775807 - 1) // 1", "-9223372036854775808"},
        {"(1, 2 * 2)", "(1, 4)"},
    }));
    CAPTURE(text);
    CHECK(parse_py_expr(text).repr() == repr);
}

// ---------------------------------------------------------------------------------------------
// parse_py_expr: errors

TEST_CASE("parse_py_expr reports the place of a syntax error with a caret", "[pyexpr]") {
    auto [text, where, first] = GENERATE(table<std::string, std::string, std::string>({
        {"nn.Conv2d(3, 8, kernel_size=3", "column 29",
         "expected ',' or ')' but the text ended; the '(' at column 10 is not closed"},
        {"nn.Conv2d(3, 8, kernel_size=", "column 28",
         "expected a value after 'kernel_size=' but the text ended"},
        {"nn.Conv2d(3, 8, kernel_size=)", "column 29",
         "expected a value after 'kernel_size=' but found ')'"},
        {"nn.Conv2d(", "column 10", "expected an argument or ')' but the text ended"},
        {"nn.Conv2d(3 8)", "column 13", "expected ',' or ')' but found '8'"},
        {"nn.Hardtanh(float('1 5'))", "column 19", "could not convert string to float: '1 5'"},
        {"float('0x10')", "column 7", "could not convert string to float: '0x10'"},
        {"nn.Conv2d(3,, 8)", "column 13", "expected an argument or ')' but found ','"},
        {"nn.Conv2d(stride=2, 3)", "column 21", "positional argument follows keyword argument"},
        {"nn.Conv2d(3, stride=2, stride=3)", "column 24", "keyword argument repeated: stride"},
        {"nn.Sequential(*layers)", "column 15",
         "cannot read '*' argument unpacking: cnnshape reads only arguments written out literally"},
        {"f(**kw)", "column 3",
         "cannot read '**' argument unpacking: cnnshape reads only arguments written out "
         "literally"},
        {"", "column 1", "expected an expression but the text is empty"},
        {"   ", "column 1", "expected an expression but the text is empty"},
        {"# only a comment", "column 1", "expected an expression but the text is empty"},
        {"(1, 2", "column 5",
         "expected ',' or ')' but the text ended; the '(' at column 1 is not closed"},
        {"[1, 2", "column 5",
         "expected ',' or ']' but the text ended; the '[' at column 1 is not closed"},
        {"[1, 2)", "column 6", "expected ',' or ']' but found ')'"},
        {"(1, ]", "column 5", "expected a value or ')' but found ']'"},
        {"(", "column 1", "expected a value or ')' but the text ended"},
        {")", "column 1", "expected a value but found ')'"},
        {"nn.ReLU() nn.ReLU()", "column 11",
         "expected the end of the text after the expression but found 'nn.ReLU'"},
        {"nn.ReLU().cuda()", "column 10",
         "expected the end of the text after the expression but found '.'"},
        {"mode=nearest", "column 5",
         "expected the end of the text after the expression but found '='"},
        {"f(x == 1)", "column 5", "expected ',' or ')' but found '=='"},
        {"f(a.b=1)", "column 6", "expected ',' or ')' but found '='"},
        {"{1: 2}", "column 1", "expected a value but found '{'"},
        {"$", "column 1", "expected a value but found '$'"},
        {"f(1, @)", "column 6", "expected an argument or ')' but found '@'"},
        {"9223372036854775808", "column 1",
         "integer out of range (it does not fit in 64 bits): '9223372036854775808'"},
        {"-9223372036854775809", "column 2",
         "integer out of range (it does not fit in 64 bits): '9223372036854775809'"},
        {"99999999999999999999999", "column 1",
         "integer out of range (it does not fit in 64 bits): '99999999999999999999999'"},
        {"0xFFFFFFFFFFFFFFFFFF", "column 1",
         "integer out of range (it does not fit in 64 bits): '0xFFFFFFFFFFFFFFFFFF'"},
        {"f(1__000)", "column 3", "invalid number '1__000'"},
        {"1_", "column 1", "invalid number '1_'"},
        {"3x", "column 1", "invalid number '3x'"},
        {"1e", "column 1", "invalid number '1e'"},
        {"1e+", "column 1", "invalid number '1e'"},
        {"0x", "column 1", "invalid number '0x'"},
        {"0b102", "column 1", "invalid number '0b102'"},
        {"3j", "column 1", "invalid number '3j'"},
        {"1.2.3", "column 4", "expected the end of the text after the expression but found '.3'"},
        {"08", "column 1", "leading zeros in decimal integer literals are not permitted: '08'"},
        {"1e999", "column 1", "float literal out of range: '1e999'"},
        {"f('abc)", "column 3", "unterminated string literal"},
        {"'abc\ndef'", "line 1, column 1", "unterminated string literal"},
        {"'''abc", "column 1", "unterminated triple-quoted string literal"},
        {"'\\x4'", "column 2", "truncated \\xXX escape in a string"},
        {"'\\u12'", "column 2", "truncated \\uXXXX escape in a string"},
        {"'\\U00110000'", "column 2", "illegal Unicode character in a string escape"},
        {"'\\N{DASH}'", "column 2", "\\N{...} escapes are not supported"},
        {"-", "column 1", "expected a value after '-' but the text ended"},
        {"-'a'", "column 2", "bad operand type for unary -: 'str'"},
        {"-True", "column 2", "bad operand type for unary -: 'bool'"},
        {"-(-9223372036854775807 - 1)", "column 1",
         "integer overflow: -(-9223372036854775808) does not fit in 64 bits"},
        {"1 +", "column 3", "expected a value after '+' but the text ended"},
        {"1 * )", "column 5", "expected a value after '*' but found ')'"},
        {"x + 1", "column 3", "unsupported operand type(s) for +: 'str' and 'int'"},
        {"(1,) * 2", "column 6", "unsupported operand type(s) for *: 'tuple' and 'int'"},
        {"1 / 0", "column 3", "division by zero"},
        {"1 // 0", "column 3", "division by zero"},
        {"1 % 0", "column 3", "division by zero"},
        {"1.0 / 0", "column 5", "division by zero"},
        {"0 ** -1", "column 3", "0 cannot be raised to a negative power"},
        {"(-8.0) ** 0.5", "column 8", "a negative number raised to a fractional power is complex"},
        {"2 ** 64", "column 3", "integer overflow: the result of 2 ** 64 does not fit in 64 bits"},
        {"9223372036854775807 + 1", "column 21",
         "integer overflow: the result of 9223372036854775807 + 1 does not fit in 64 bits"},
        {"1e300 * 1e300", "column 7", "the result of 1e+300 * 1e+300 is too large for a float"},
    }));
    check_expr_error(text, where, first);
}

TEST_CASE("parse_py_expr errors on several lines give line and column", "[pyexpr]") {
    auto [text, where, first] = GENERATE(table<std::string, std::string, std::string>({
        {"nn.Sequential(\n  nn.Conv2d(3, 8, 3),\n  nn.ReLU(\n", "line 3, column 10",
         "expected an argument or ')' but the text ended"},
        {"nn.Sequential(\n  nn.Conv2d(3, 8, 3)\n  nn.ReLU()\n)", "line 3, column 3",
         "expected ',' or ')' but found 'nn.ReLU'"},
        {"nn.Sequential(\n  nn.Conv2d(3, 8, 3),\n  nn.ReLU(\n\n\n", "line 3, column 10",
         "expected an argument or ')' but the text ended"},
        {"nn.Sequential(\n  nn.Conv2d(3, 8, 3),\n  nn.ReLU(\n  # the end\n", "line 4, column 11",
         "expected an argument or ')' but the text ended; the '(' at line 3, column 10 is not "
         "closed"},
        {"f(\n  1,\n  x=2,\n  3)", "line 4, column 3",
         "positional argument follows keyword argument"},
        {"\n\nf(1, 2", "line 3, column 6",
         "expected ',' or ')' but the text ended; the '(' at line 3, column 2 is not closed"},
        {"f(1,\r\n  $)", "line 2, column 3", "expected an argument or ')' but found '$'"},
    }));
    check_expr_error(text, where, first);
}

TEST_CASE("parse_py_expr error messages name odd characters", "[pyexpr]") {
    SpecError e =
        spec_error([] { parse_py_expr("nn.Upsample(mode=\xE2\x80\x9Cnearest\xE2\x80\x9D)"); });
    CHECK(e.where() == "column 18");
    CHECK(split(e.what(), '\n')[0] ==
          "expected a value after 'mode=' but found '\xE2\x80\x9C' (U+201C), a typographic quote; "
          "Python needs ' or \"");
    // The caret counts characters, not bytes.
    CHECK(split(e.what(), '\n')[2] == "  " + std::string(17, ' ') + "^");

    SpecError c = spec_error([] { parse_py_expr(std::string("f(\x01)", 4)); });
    CHECK(c.where() == "column 3");
    CHECK(split(c.what(), '\n')[0] ==
          "expected an argument or ')' but found the control character 0x01");
    CHECK(split(c.what(), '\n')[1] == "  f(?)"); // control characters are not echoed raw

    SpecError b = spec_error([] { parse_py_expr("f(\xFF)"); });
    CHECK(split(b.what(), '\n')[0] ==
          "expected an argument or ')' but found the byte 0xFF (not UTF-8 text)");

    // Tabs are kept in the caret line so that the caret lines up.
    SpecError t = spec_error([] { parse_py_expr("f(\t1 2)"); });
    CHECK(t.where() == "column 6");
    CHECK(split(t.what(), '\n')[2] == "    \t  ^");
}

TEST_CASE("parse_py_expr shows a window of very long lines", "[pyexpr]") {
    std::string text = "f(" + std::string(5000, '1') + " 2)";
    // The number is fine; the missing comma after it is the error.
    std::string longnum = "[";
    for (int i = 0; i < 2000; ++i)
        longnum += "1, ";
    longnum += "1 2]";
    SpecError e = spec_error([&] { parse_py_expr(longnum); });
    CHECK(e.where() == "column " + std::to_string(longnum.size() - 1));
    std::vector<std::string> lines = split(e.what(), '\n');
    REQUIRE(lines.size() == 3);
    CHECK(lines[1].size() < 120);
    CHECK(lines[1].rfind("  ...", 0) == 0);
    size_t caret = lines[2].find('^');
    REQUIRE(caret != std::string::npos);
    CHECK(lines[1][caret] == '2');

    SpecError big = spec_error([&] { parse_py_expr(text); });
    CHECK(split(big.what(), '\n')[0].rfind("integer out of range", 0) == 0);
    CHECK(std::string(big.what()).size() < 400);
}

TEST_CASE("parse_py_expr caps nesting at 200 levels", "[pyexpr]") {
    auto nest = [](const std::string& open, const std::string& close, int n) {
        std::string s;
        for (int i = 0; i < n; ++i)
            s += open;
        s += "1";
        for (int i = 0; i < n; ++i)
            s += close;
        return s;
    };
    auto [open, close, col] = GENERATE(table<std::string, std::string, int>({
        {"[", "]", 201},
        {"(", ",)", 201},
        {"f(", ")", 402},
        {"nn.Sequential(", ")", 2814},
        {"-", "", 201},
        {"1**", "", 602},
    }));
    CAPTURE(open);
    CHECK_NOTHROW(parse_py_expr(nest(open, close, 200)));
    SpecError e = spec_error([&] { parse_py_expr(nest(open, close, 201)); });
    CHECK(split(e.what(), '\n')[0] ==
          "too deeply nested: more than 200 levels of brackets, calls or signs");
    CHECK(e.where() == "column " + std::to_string(col));
    // Far deeper texts fail the same way instead of overflowing the stack.
    SpecError deep = spec_error([&] { parse_py_expr(nest(open, close, 100000)); });
    CHECK(split(deep.what(), '\n')[0] ==
          "too deeply nested: more than 200 levels of brackets, calls or signs");
}

TEST_CASE("parse_py_expr handles texts of a megabyte", "[pyexpr]") {
    std::string list = "[";
    while (list.size() < (1u << 20))
        list += "12345, ";
    list += "6]";
    Value v = parse_py_expr(list);
    CHECK(v.as_tuple().size() > 100000);

    std::string sum = "1";
    while (sum.size() < (1u << 20))
        sum += " + 1";
    CHECK(parse_py_expr(sum).as_int() == std::int64_t((sum.size() - 1) / 4 + 1));

    std::string comment = "f(1, # " + std::string(1 << 20, 'x') + "\n 2)";
    CHECK(parse_py_expr(comment).repr() == "f(1, 2)");

    std::string unclosed = "f(" + std::string(1 << 20, ' ');
    CHECK_THROWS_AS(parse_py_expr(unclosed), SpecError);
    std::string many_lines = "f(";
    for (int i = 0; i < 100000; ++i)
        many_lines += "1,\n";
    SpecError e = spec_error([&] { parse_py_expr(many_lines); });
    CHECK(e.where() == "line 100000, column 2");
}

TEST_CASE("parse_py_expr survives random garbage", "[pyexpr]") {
    std::mt19937 rng(12345);
    const std::string alphabet = "()[]{},.=+-*/%#'\"\\ \t\n\r0123456789_eExXabcnNTFru:;@$!";
    std::uniform_int_distribution<int> len(0, 48);
    for (int i = 0; i < 3000; ++i) {
        std::string s;
        int n = len(rng);
        for (int k = 0; k < n; ++k) {
            if (rng() % 8 == 0)
                s += char(rng() % 256);
            else
                s += alphabet[rng() % alphabet.size()];
        }
        parses_or_spec_error(s, false);
        parses_or_spec_error(s, true);
    }
}

TEST_CASE("parse_py_expr survives truncated and mutated valid texts", "[pyexpr]") {
    const std::vector<std::string> valid = {
        "nn.Conv2d(3, 8, kernel_size=(3, 3), stride=2, padding='same', bias=False)",
        "nn.Sequential(OrderedDict([('conv1', nn.Conv2d(1, 20, 5)), ('relu1', nn.ReLU())]))",
        "[1e-5, .5, 2., -3, 0x1F, 1_000, \"a\\\"b\", None, True, (1,), [], 16 * 5 ** 2 // 3]",
    };
    std::mt19937 rng(777);
    for (const auto& v : valid) {
        CHECK_NOTHROW(parse_py_expr(v));
        for (size_t n = 0; n <= v.size(); ++n)
            parses_or_spec_error(v.substr(0, n), false);
        for (int i = 0; i < 1000; ++i) {
            std::string m = v;
            int edits = 1 + int(rng() % 3);
            for (int k = 0; k < edits; ++k) {
                size_t at = rng() % (m.size() + 1);
                switch (rng() % 3) {
                case 0:
                    m.insert(at, 1, char(rng() % 128));
                    break;
                case 1:
                    if (at < m.size()) m.erase(at, 1);
                    break;
                default:
                    if (at < m.size()) m[at] = char(rng() % 128);
                }
            }
            parses_or_spec_error(m, false);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// parse_sequential_text: Python source

TEST_CASE("parse_sequential_text reads the funnel seed text", "[pyexpr]") {
    SequentialText st = parse_sequential_text(kFunnelSeed, "layers_with_pooling");
    const Call& seq = call_of(st.sequential);
    CHECK(seq.name == "nn.Sequential");
    REQUIRE(seq.args.size() == 4);
    CHECK(seq.args[0].repr() == "nn.Conv2d(3, 8, kernel_size=3)");
    CHECK(seq.args[1].repr() == "nn.MaxPool2d(kernel_size=2, stride=2)");
    CHECK(seq.args[2].repr() == "nn.Conv2d(8, 16, kernel_size=3)");
    CHECK(seq.args[3].repr() == "nn.MaxPool2d(kernel_size=2, stride=2)");
    CHECK(seq.pos == std::int64_t(kFunnelSeed.find("nn.Sequential")));
    CHECK(seq.args[0].pos == std::int64_t(kFunnelSeed.find("nn.Conv2d(3, 8")));
    REQUIRE(st.example_input.has_value());
    CHECK(*st.example_input == Shape{3, 110, 110});

    // The second block: commented-out layers are not read.
    SequentialText st2 = parse_sequential_text(kFunnelSeed, "layers_no_pooling");
    const Call& seq2 = call_of(st2.sequential);
    REQUIRE(seq2.args.size() == 2);
    CHECK(seq2.args[1].repr() == "nn.Conv2d(8, 16, kernel_size=3)");
    CHECK(*st2.example_input == Shape{3, 110, 110});
}

TEST_CASE("parse_sequential_text reads the OrderedDict source form", "[pyexpr]") {
    std::string text = R"(import torch
import torch.nn as nn
from collections import OrderedDict

model = nn.Sequential(OrderedDict([
    ('conv1', nn.Conv2d(1, 20, 5)),
    ('relu1', nn.ReLU()),
    ("conv2", nn.Conv2d(20, 64, 5)),
    ('relu2', nn.ReLU()),  # trailing comma and a comment
]))
x = torch.randn(1, 1, 28, 28)
print(model(x).shape)
)";
    SequentialText st = parse_sequential_text(text);
    const Value::List& kids = children(st.sequential);
    REQUIRE(kids.size() == 4);
    CHECK(kids[0].as_tuple()[0].as_string() == "conv1");
    CHECK(kids[2].as_tuple()[0].as_string() == "conv2");
    CHECK(kids[2].as_tuple()[1].repr() == "nn.Conv2d(20, 64, 5)");
    CHECK(kids[3].as_tuple()[1].as_call().base_name() == "ReLU");
    CHECK(*st.example_input == Shape{1, 1, 28, 28});
}

TEST_CASE("parse_sequential_text finds the first Sequential call", "[pyexpr]") {
    auto [text, repr] = GENERATE(table<std::string, std::string>({
        {"model = nn.Sequential(nn.ReLU())", "nn.Sequential(nn.ReLU())"},
        {"model = torch.nn.Sequential(nn.ReLU())", "torch.nn.Sequential(nn.ReLU())"},
        {"from torch.nn import Sequential\nm = Sequential(ReLU())", "Sequential(ReLU())"},
        {"m = nn.Sequential (\n  nn.ReLU(),\n)", "nn.Sequential(nn.ReLU())"},
        {"# m = nn.Sequential(nn.Tanh())\nm = nn.Sequential(nn.ReLU())",
         "nn.Sequential(nn.ReLU())"},
        {"s = 'nn.Sequential(nn.Tanh())'\nm = nn.Sequential(nn.ReLU())",
         "nn.Sequential(nn.ReLU())"},
        {"Let's use nn.Sequential(nn.Tanh()) here\nm = nn.Sequential(nn.ReLU())",
         "nn.Sequential(nn.ReLU())"},
        {"class Net(nn.Sequential):\n  pass\nm = nn.Sequential(nn.ReLU())",
         "nn.Sequential(nn.ReLU())"},
        {"m = MySequential(1)\nn2 = keras.Sequential(2)\nm = nn.Sequential(nn.ReLU())",
         "nn.Sequential(nn.ReLU())"},
        {"self.features = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(inplace=True)).to(device)",
         "nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(inplace=True))"},
        {"m = nn.Sequential()", "nn.Sequential()"},
        {"m = nn.Sequential(nn.Linear(16 * 5 * 5, 120), nn.ReLU())",
         "nn.Sequential(nn.Linear(400, 120), nn.ReLU())"},
        {"Sequential()", "Sequential()"},
    }));
    CAPTURE(text);
    CHECK(parse_sequential_text(text).sequential.repr() == repr);
}

TEST_CASE("parse_sequential_text finds the example input", "[pyexpr]") {
    auto [text, shape] = GENERATE(table<std::string, std::string>({
        {"example = torch.rand(3, 110, 110)", "[3, 110, 110]"},
        {"x = torch.randn(1, 3, 224, 224)", "[1, 3, 224, 224]"},
        {"x = torch.zeros((2, 3, 32, 32))", "[2, 3, 32, 32]"},
        {"x = torch.ones([2, 3, 32, 32])", "[2, 3, 32, 32]"},
        {"x = torch.empty(8,)", "[8]"},
        {"x = torch.rand(3, 110, 110, dtype=torch.float32)", "[3, 110, 110]"},
        {"x = torch.rand((3, 110), device='cpu')", "[3, 110]"},
        {"x = torch.rand(1_000, 0)", "[1000, 0]"},
        {"x = torch.rand(\n  1,\n  3,\n)", "[1, 3]"},
        // The first example is the one read: when its sizes cannot be read, a later call (a
        // weight, a target) is not taken in its place.
        {"x = torch.rand(batch, 3)\ny = torch.rand(2, 3)", ""},
        {"x = torch.rand(-1, 3)\ny = torch.rand(4)", ""},
        {"x = torch.rand(1.5)\ny = torch.randn(5, 5)", ""},
        {"x = torch.rand(())\ny = torch.rand(6)", ""},
        {"x = torch.rand()\ny = torch.rand(7)", ""},
        {"x = torch.rand(2, x)\ny = torch.rand(9)", ""},
        // Names are resolved as in layer arguments.
        {"batch = 8\nx = torch.rand(batch, 3)\ny = torch.rand(2, 3)", "[8, 3]"},
        {"shape = (1, 3, 32, 32)\nx = torch.randn(shape)", "[1, 3, 32, 32]"},
        {"x = torch.ones(size=(2, 3))", "[2, 3]"},
        {"x = torch.rand(3, 4, generator=g)", "[3, 4]"},
        {"# x = torch.rand(1, 2)\ny = torch.rand(3, 4)", "[3, 4]"},
        {"x = torch.tensor([1, 2])\ny = torch.rand(3, 4)", "[3, 4]"},
        {"x = torch.randn(2, 3, 32, 32)\ny = torch.randn(6, 3, 3, 3)", "[2, 3, 32, 32]"},
        {"x = torch.rand(3, 4  # comment\n)", "[3, 4]"},
        {"x = my.torch.rand(3, 4)", ""},
        {"x = torch.rand(3, 4", ""},
        {"x = torch.rand(99999999999999999999)", ""},
        {"x = torch.Size([16, 26, 26])", ""},
        {"x = torch.rand(x.shape)", ""},
        {"nothing here", ""},
    }));
    CAPTURE(text);
    SequentialText st = parse_sequential_text("m = nn.Sequential(nn.ReLU())\n" + text);
    if (shape.empty()) {
        CHECK_FALSE(st.example_input.has_value());
    } else {
        REQUIRE(st.example_input.has_value());
        CHECK(shape_list(*st.example_input) == shape);
    }
}

TEST_CASE("parse_sequential_text reports errors in Python source", "[pyexpr]") {
    auto [text, where, first] = GENERATE(table<std::string, std::string, std::string>({
        {"import torch\nm = nn.Sequential(\n  nn.Conv2d(3, 8, 3)\n  nn.ReLU(),\n)\n",
         "line 4, column 3", "expected ',' or ')' but found 'nn.ReLU'"},
        {"import torch\nm = nn.Sequential(\n  nn.Conv2d(3, 8, 3),\n", "line 3, column 21",
         "expected an argument or ')' but the text ended; the '(' at line 2, column 18 is not "
         "closed"},
        {"m = nn.Sequential(*layers)", "column 19",
         "cannot read '*' argument unpacking: cnnshape reads only arguments written out literally"},
        {"m = nn.Sequential(nn.Conv2d(3, 8, kernel_size=3, kernel_size=5))", "column 50",
         "keyword argument repeated: kernel_size"},
    }));
    check_seq_error(text, where, first);
}

TEST_CASE("parse_sequential_text without a Sequential is an error", "[pyexpr]") {
    auto text = GENERATE(as<std::string>{}, "", "import torch\nx = torch.rand(3)\n",
                         "conv = nn.Conv2d(3, 8, 3)", "# nn.Sequential(nn.ReLU())",
                         "isinstance(m, nn.Sequential)", "Sequential\n  (0): ReLU()");
    CAPTURE(text);
    SpecError e = spec_error([&] { parse_sequential_text(text); });
    CHECK(e.where().empty());
    CHECK(std::string(e.what()) ==
          "no nn.Sequential(...) found: the text holds neither a call of nn.Sequential nor the "
          "print(model) output of a Sequential");
}

// ---------------------------------------------------------------------------------------------
// parse_sequential_text: print(model) output

TEST_CASE("parse_sequential_text reads print(vgg16().features)", "[pyexpr]") {
    SequentialText st = parse_sequential_text(kVgg16Features);
    CHECK_FALSE(st.example_input.has_value());
    const Value::List& kids = children(st.sequential);
    REQUIRE(kids.size() == 31);
    for (size_t i = 0; i < kids.size(); ++i) {
        CAPTURE(i);
        CHECK(kids[i].as_tuple()[0].as_string() == std::to_string(i));
        CHECK_FALSE(kids[i].as_tuple()[0].bare_word);
    }
    const Call& conv = kids[0].as_tuple()[1].as_call();
    CHECK(conv.name == "Conv2d");
    REQUIRE(conv.args.size() == 2);
    CHECK(conv.args[1].as_int() == 64);
    CHECK(kwarg(conv, "kernel_size").repr() == "(3, 3)");
    CHECK(kwarg(conv, "padding").repr() == "(1, 1)");
    const Call& pool = kids[30].as_tuple()[1].as_call();
    CHECK(pool.name == "MaxPool2d");
    CHECK(kwarg(pool, "ceil_mode").as_bool() == false);
    CHECK(kwarg(pool, "dilation").as_int() == 1);
    CHECK(kids[1].as_tuple()[1].repr() == "ReLU(inplace=True)");
    // Positions point into the text.
    CHECK(kids[0].as_tuple()[1].pos == std::int64_t(kVgg16Features.find("Conv2d(3, 64")));
    CHECK(kids[0].as_tuple()[0].pos == std::int64_t(kVgg16Features.find("(0)") + 1));
    CHECK(st.sequential.as_call().pos == 0);
}

TEST_CASE("parse_sequential_text print(model) leaves round-trip through repr", "[pyexpr]") {
    SequentialText st = parse_sequential_text(kMixedPrint);
    const Value::List& kids = children(st.sequential);
    REQUIRE(kids.size() == 20);
    // Every leaf line "(name): Repr" comes back as Repr.
    std::vector<std::string> lines = split(kMixedPrint, '\n');
    size_t k = 0;
    for (const auto& line : lines) {
        size_t colon = line.find("): ");
        if (line.rfind("  (", 0) != 0 || line.rfind("    ", 0) == 0) continue;
        std::string repr = line.substr(colon + 3);
        CAPTURE(line);
        if (repr == "Sequential(") {
            ++k;
            continue;
        }
        REQUIRE(k < kids.size());
        CHECK(kids[k].as_tuple()[1].repr() == repr);
        ++k;
    }
    CHECK(k == 20);
    const Value::List& inner = children(kids[3].as_tuple()[1]);
    REQUIRE(inner.size() == 2);
    CHECK(inner[1].as_tuple()[1].repr() == "Upsample(scale_factor=2.0, mode=nearest)");
    const Value& mode = kwarg(inner[1].as_tuple()[1].as_call(), "mode");
    CHECK(mode.as_string() == "nearest");
    CHECK(mode.bare_word);
    CHECK(kwarg(kids[8].as_tuple()[1].as_call(), "padding").as_string() == "same");
    CHECK(kwarg(kids[18].as_tuple()[1].as_call(), "momentum").is_none());
    CHECK(kwarg(kids[18].as_tuple()[1].as_call(), "eps").as_float() == 0.001);
    CHECK(kwarg(kids[7].as_tuple()[1].as_call(), "end_dim").as_int() == -1);
    CHECK(kwarg(kids[15].as_tuple()[1].as_call(), "approximate").as_string() == "none");
    CHECK_FALSE(kwarg(kids[15].as_tuple()[1].as_call(), "approximate").bare_word);
}

TEST_CASE("parse_sequential_text reads named and nested print(model) children", "[pyexpr]") {
    std::string text = "Sequential(\n"
                       "  (conv1): Conv2d(1, 20, kernel_size=(5, 5), stride=(1, 1))\n"
                       "  (relu1): ReLU()\n"
                       "  (blk): Sequential(\n"
                       "    (fc): Linear(in_features=2, out_features=3, bias=True)\n"
                       "    (deeper): Sequential(\n"
                       "      (0): Identity()\n"
                       "    )\n"
                       "  )\n"
                       "  (empty): Sequential()\n"
                       ")\n";
    SequentialText st = parse_sequential_text(text);
    const Value::List& kids = children(st.sequential);
    REQUIRE(kids.size() == 4);
    CHECK(kids[0].as_tuple()[0].as_string() == "conv1");
    CHECK(kids[1].as_tuple()[0].as_string() == "relu1");
    CHECK(kids[2].as_tuple()[0].as_string() == "blk");
    CHECK(kids[3].as_tuple()[0].as_string() == "empty");
    CHECK(kids[3].as_tuple()[1].repr() == "Sequential()");
    const Value::List& blk = children(kids[2].as_tuple()[1]);
    REQUIRE(blk.size() == 2);
    CHECK(blk[0].as_tuple()[1].repr() == "Linear(in_features=2, out_features=3, bias=True)");
    const Value::List& deeper = children(blk[1].as_tuple()[1]);
    REQUIRE(deeper.size() == 1);
    CHECK(deeper[0].as_tuple()[0].as_string() == "0");
    CHECK(deeper[0].as_tuple()[1].repr() == "Identity()");
    CHECK(st.sequential.repr() ==
          "Sequential(OrderedDict([('conv1', Conv2d(1, 20, kernel_size=(5, 5), stride=(1, 1))), "
          "('relu1', ReLU()), ('blk', Sequential(OrderedDict([('fc', Linear(in_features=2, "
          "out_features=3, bias=True)), ('deeper', Sequential(OrderedDict([('0', "
          "Identity())])))]))), "
          "('empty', Sequential())]))");
}

TEST_CASE("parse_sequential_text finds print(model) text among other text", "[pyexpr]") {
    auto [text, count] = GENERATE(table<std::string, size_t>({
        {"In [3]: print(model)\nOut[3]: Sequential(\n  (0): ReLU()\n)\n", 1},
        {">>> print(model)\nSequential(\n  (0): ReLU()\n  (1): Tanh()\n)\n>>> model(x).shape\n"
         "torch.Size([1, 2])\n",
         2},
        {"Sequential(\r\n  (0): ReLU()\r\n  (1): Tanh()\r\n)\r\n", 2},
        {"Sequential(\n\n  (0): ReLU()\n\n  (1): Tanh()\n\n)", 2},
        {"\tSequential(\n\t  (0): ReLU()\n\t)", 1},
        {"  (features): Sequential(\n    (0): ReLU()\n  )\n", 1},
        {"Sequential(\n  (0):  ReLU()  \n)   \ntrailing text (with parens)\n", 1},
        {"Sequential(\n  (0): ReLU()\n)\nx = torch.rand(2, 3)\n", 1},
    }));
    CAPTURE(text);
    SequentialText st = parse_sequential_text(text);
    CHECK(children(st.sequential).size() == count);
}

TEST_CASE("parse_sequential_text rejects print(model) containers other than Sequential",
          "[pyexpr]") {
    auto [text, where, first] = GENERATE(table<std::string, std::string, std::string>({
        {kResNetLayer1, "line 2, column 8",
         "'BasicBlock' is a container whose forward() cnnshape cannot see; only Sequential "
         "containers can be read from print(model) text"},
        {kResNetTop, "line 1, column 1",
         "'ResNet' is a container whose forward() cnnshape cannot see; only Sequential containers "
         "can be read from print(model) text"},
        {"model output:\nVGG(\n  (features): Sequential(\n    (0): ReLU()\n  )\n)\n",
         "line 2, column 1",
         "'VGG' is a container whose forward() cnnshape cannot see; only Sequential containers can "
         "be read from print(model) text"},
        {"Sequential(\n  (0): ReLU()\n  (1): ModuleList(\n    (0): ReLU()\n  )\n)",
         "line 3, column 8",
         "'ModuleList' is a container whose forward() cnnshape cannot see; only Sequential "
         "containers can be read from print(model) text"},
    }));
    check_seq_error(text, where, first);
}

TEST_CASE("parse_sequential_text reports broken print(model) text by line and column", "[pyexpr]") {
    auto [text, where, first] = GENERATE(table<std::string, std::string, std::string>({
        {"Sequential(\n  (0): Conv2d(3, 8, kernel_size=(3, 3))\n  ...\n)", "line 3, column 3",
         "this print(model) text is cut short ('...'); paste the complete output"},
        {"Sequential(\n  (0): ReLU()\n  garbage here\n)", "line 3, column 3",
         "expected a child line such as '(0): Conv2d(...)' or ')' closing the 'Sequential(' of "
         "line 1 but found 'garbage'"},
        {"Sequential(\n  (0): ReLU()\n", "line 2, column 13",
         "expected ')' closing the 'Sequential(' of line 1 but the text ended"},
        {"Sequential(\n  (0): ReLU()\n  (1): Sequential(\n    (0): Tanh()\n)", "line 5, column 1",
         "expected ')' closing the 'Sequential(' of line 1 but the text ended"},
        {"Sequential(\n  (0): Conv2d(3, 8, kernel_size=(3, 3)\n)", "line 2, column 38",
         "expected ',' or ')' but the line ended; the '(' at line 2, column 14 is not closed"},
        {"Sequential(\n  (0): Conv2d(3, 8 kernel_size=3)\n)", "line 2, column 20",
         "expected ',' or ')' but found 'kernel_size'"},
        {"Sequential(\n  (0): ReLU() extra\n)", "line 2, column 15",
         "expected the end of the line after the module but found 'extra'"},
        {"Sequential(\n  (0): ReLU\n)", "line 2, column 8",
         "expected a module such as 'Conv2d(...)' after '(0): ' but found 'ReLU'"},
        {"Sequential(\n  (0): 42\n)", "line 2, column 8",
         "expected a module such as 'Conv2d(...)' after '(0): ' but found 42"},
        {"Sequential(\n  (0): ReLU()\n  (): Tanh()\n)", "line 3, column 3",
         "a child module has an empty name"},
        {"Sequential(\n  (0): Upsample(scale_factor=2.0, mode=\xE2\x80\x9Cnearest\xE2\x80\x9D)\n)",
         "line 2, column 40",
         "expected a value after 'mode=' but found '\xE2\x80\x9C' (U+201C), a typographic quote; "
         "Python needs ' or \""},
    }));
    if (text.find('\xE2') != std::string::npos) {
        // Not ASCII: the caret check in check_error counts bytes, so check where() and line 1.
        SpecError e = spec_error([&] { parse_sequential_text(text); });
        CHECK(e.where() == where);
        CHECK(split(e.what(), '\n')[0] == first);
    } else {
        check_seq_error(text, where, first);
    }
}

TEST_CASE("parse_sequential_text caps print(model) nesting", "[pyexpr]") {
    auto nested = [](int n) {
        std::string s;
        for (int i = 0; i < n; ++i)
            s += std::string(size_t(2 * i), ' ') + "(x): Sequential(\n";
        s += std::string(size_t(2 * n), ' ') + "(0): ReLU()\n";
        for (int i = n - 1; i >= 0; --i)
            s += std::string(size_t(2 * i), ' ') + ")\n";
        return "Sequential(\n" + s + ")\n";
    };
    CHECK_NOTHROW(parse_sequential_text(nested(150)));
    SpecError e = spec_error([&] { parse_sequential_text(nested(1000)); });
    CHECK(split(e.what(), '\n')[0] == "too deeply nested: more than 200 levels of Sequential");
}

TEST_CASE("parse_sequential_text survives garbage and truncations", "[pyexpr]") {
    std::vector<std::string> valid = {kFunnelSeed.substr(0, kFunnelSeed.find("without pooling")),
                                      kMixedPrint,
                                      "m = nn.Sequential(OrderedDict([('a', nn.ReLU()), ('b', "
                                      "nn.Conv2d(3, 8, (3, 3)))]))\nx = torch.rand((1, 3, 8, 8))"};
    for (const auto& v : valid) {
        CHECK_NOTHROW(parse_sequential_text(v));
        for (size_t n = 0; n <= v.size(); n += 1)
            parses_or_spec_error(v.substr(0, n), true);
    }
    std::mt19937 rng(4242);
    for (int i = 0; i < 2000; ++i) {
        std::string m = valid[size_t(i) % valid.size()];
        int edits = 1 + int(rng() % 4);
        for (int k = 0; k < edits; ++k) {
            size_t at = rng() % (m.size() + 1);
            const char* pieces[] = {"(",   ")", "\n", "  (0): ", "Sequential(",
                                    "...", "'", "#",  ",",       "x"};
            switch (rng() % 3) {
            case 0:
                m.insert(at, pieces[rng() % 10]);
                break;
            case 1:
                if (at < m.size()) m.erase(at, 1 + rng() % 8);
                break;
            default:
                if (at < m.size()) m[at] = char(rng() % 256);
            }
        }
        parses_or_spec_error(m, true);
    }
}

TEST_CASE("parse_sequential_text handles megabyte texts", "[pyexpr]") {
    std::string big = "Sequential(\n";
    for (int i = 0; big.size() < (1u << 20); ++i)
        big += "  (" + std::to_string(i) + "): Conv2d(3, 3, kernel_size=(3, 3), stride=(1, 1))\n";
    big += ")\n";
    CHECK(children(parse_sequential_text(big).sequential).size() > 10000);

    std::string calls;
    while (calls.size() < (1u << 20))
        calls += "torch.rand(torch.rand(";
    CHECK_THROWS_AS(parse_sequential_text(calls), SpecError);
    std::string seqs;
    while (seqs.size() < (1u << 20))
        seqs += "nn.Sequential(";
    CHECK_THROWS_AS(parse_sequential_text(seqs), SpecError);
    std::string line_of_calls;
    while (line_of_calls.size() < (1u << 20))
        line_of_calls += "'x' # nn.Sequential( torch.rand(1 ";
    CHECK_THROWS_AS(parse_sequential_text(line_of_calls), SpecError);
    std::string headers;
    while (headers.size() < (1u << 20))
        headers += "Foo(\n";
    CHECK_THROWS_AS(parse_sequential_text(headers), SpecError);
}
