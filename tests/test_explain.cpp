// `cnnshape explain`: the formulas with the numbers put in, the edge notes, and the promise that
// every formula agrees with the shape engine (explain_layer throws std::logic_error otherwise, so
// explaining every conformance case is a consistency check of the whole module).
//
// The PyTorch numbers below (average-pool divisors, unread positions) were produced with PyTorch
// 1.13.1 (/usr/bin/python3) by this snippet; they hold for 2.x as well:
//
//   x = torch.ones(1, 1, H, W)
//   avg = nn.AvgPool2d(k, s, p, ceil_mode=c, count_include_pad=cip, divisor_override=dov)(x)
//   sums = nn.AvgPool2d(k, s, p, ceil_mode=c, count_include_pad=cip, divisor_override=1)(x)
//   divisors = collections.Counter((sums / avg).round().int().flatten().tolist())
//
//   x = torch.ones(1, 1, L, requires_grad=True)
//   conv = nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d, bias=False)
//   conv.weight.data.fill_(1.0); conv(x).sum().backward()
//   unread = (x.grad[0, 0] == 0).nonzero().flatten().tolist()
#include "cli_support.hpp"
#include "support.hpp"

#include "cnnshape/explain.hpp"
#include "cnnshape/layer.hpp"
#include "cnnshape/pyexpr.hpp"
#include "cnnshape/report.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace cnnshape;
using namespace cnnshape_test;
using Catch::Contains;
using cnnshape::test::check_golden;
using cnnshape::test::run_cli;
using cnnshape::test::slurp;
using cnnshape::test::source_path;

namespace {

LayerExplanation explain_one(const std::string& expr, const Shape& input) {
    Plan p = plan_exprs({expr}, input);
    REQUIRE(p.layers.size() == 1);
    return explain_layer(p.layers[0]);
}

// Every line of a layer's explanation, for Contains checks.
std::string all_text(const LayerExplanation& e) {
    std::string s;
    for (auto& a : e.axes) {
        s += a.formula + "\n";
        for (auto& n : a.notes)
            s += n + "\n";
    }
    for (auto& n : e.notes)
        s += n + "\n";
    return s + e.params + "\n" + e.buffers + "\n";
}

// The number after the last "= " of a formula.
std::int64_t formula_result(const std::string& f) {
    auto eq = f.rfind("= ");
    REQUIRE(eq != std::string::npos);
    return std::stoll(f.substr(eq + 2));
}

} // namespace

TEST_CASE("explain puts the numbers into PyTorch's pooling formula", "[explain]") {
    auto e = explain_one("nn.MaxPool2d(kernel_size=2, stride=2)", {1, 1, 6, 6});
    REQUIRE(e.axes.size() == 1); // H and W share their numbers
    CHECK(e.axes[0].axes == std::vector<std::string>{"H", "W"});
    CHECK(e.axes[0].formula == "H_out = W_out = floor((6 + 2*0 - 1*(2-1) - 1) / 2) + 1 = 3");
    CHECK(e.axes[0].notes.empty()); // every row and column is read
    CHECK(e.params.empty());

    auto r = run_cli("explain --input 1x1x6x6 --layer \"nn.MaxPool2d(kernel_size=2, stride=2)\"");
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK_THAT(r.out, Contains("floor((6 + 2*0 - 1*(2-1) - 1) / 2) + 1 = 3"));
}

TEST_CASE("explain uses AvgPool's formula (no dilation) and separates unequal axes", "[explain]") {
    auto e = explain_one("nn.AvgPool2d(kernel_size=(4, 3), stride=(4, 3))", {1, 1, 10, 12});
    REQUIRE(e.axes.size() == 2);
    CHECK(e.axes[0].formula == "H_out = floor((10 + 2*0 - 4) / 4) + 1 = 2");
    CHECK(e.axes[1].formula == "W_out = floor((12 + 2*0 - 3) / 3) + 1 = 4");
    // The floor leaves rows 8 and 9 unread; the columns fit exactly.
    REQUIRE(e.axes[0].notes.size() == 1);
    CHECK_THAT(e.axes[0].notes[0],
               Contains("the floor leaves the last 2 rows (indices 8-9) unused"));
    CHECK(e.axes[1].notes.empty());
}

TEST_CASE("ceil mode: when it adds a window and when PyTorch drops the last one", "[explain]") {
    SECTION("in=5, k=3, s=3, p=1: the third window would start in the right padding") {
        auto e = explain_one("nn.MaxPool2d(3, stride=3, padding=1, ceil_mode=True)", {1, 1, 5, 5});
        REQUIRE(e.output == Shape{1, 1, 2, 2});
        REQUIRE(e.axes.size() == 1);
        CHECK(e.axes[0].formula == "H_out = W_out = ceil((5 + 2*1 - 1*(3-1) - 1) / 3) + 1 - 1 = 2");
        REQUIRE_FALSE(e.axes[0].notes.empty());
        CHECK_THAT(e.axes[0].notes[0],
                   Contains("rounding up gives 3 windows, but the last would start at index 5") &&
                       Contains("in the right padding (the input ends at index 4)") &&
                       Contains("PyTorch keeps a last window only if it starts inside the "
                                "input or the left padding"));
    }
    SECTION("in=3, k=2, s=2, p=1 (SEMANTICS.md): naive 3, PyTorch 2") {
        auto e = explain_one("nn.MaxPool1d(2, stride=2, padding=1, ceil_mode=True)", {1, 1, 3});
        REQUIRE(e.axes.size() == 1);
        CHECK(e.axes[0].axes == std::vector<std::string>{"L"});
        CHECK(e.axes[0].formula == "L_out = ceil((3 + 2*1 - 1*(2-1) - 1) / 2) + 1 - 1 = 2");
    }
    SECTION("in=5, k=2, s=2: ceil mode adds a window that overhangs the input") {
        auto e = explain_one("nn.AvgPool2d(2, stride=2, ceil_mode=True)", {1, 1, 5, 5});
        REQUIRE(e.axes.size() == 1);
        CHECK(e.axes[0].formula == "H_out = W_out = ceil((5 + 2*0 - 2) / 2) + 1 = 3");
        CHECK_THAT(e.axes[0].notes.at(0), Contains("ceil_mode adds a window: floor would give 2") &&
                                              Contains("starts at index 4") &&
                                              Contains("reaches index 5"));
    }
    SECTION("the windows fit exactly: ceil mode changes nothing") {
        auto e = explain_one("nn.MaxPool2d(2, stride=2, ceil_mode=True)", {1, 1, 6, 6});
        CHECK_THAT(e.axes.at(0).notes.at(0), Contains("ceil_mode changes nothing here"));
    }
}

TEST_CASE("average-pool edge divisors match PyTorch's", "[explain]") {
    struct Case {
        const char* expr;
        Shape in;
        const char* note; // "" when every window divides by the kernel size
    };
    // Divisor histograms from the PyTorch snippet at the top of this file.
    auto c = GENERATE(
        Case{"nn.AvgPool2d(2, stride=2, ceil_mode=True)",
             {1, 1, 5, 5},
             "average divisors differ from 2*2 = 4 at the edges: 4 for 4 windows, 2 for 4 "
             "windows, 1 for 1 window (count_include_pad=True counts padding but not the "
             "ceil-mode overhang past the padded input)"},
        Case{"nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)",
             {1, 1, 6, 6},
             "average divisors differ from 3*3 = 9 at the edges: 9 for 9 windows, 6 for 6 "
             "windows, 4 for 1 window (count_include_pad=True counts padding but not the "
             "ceil-mode overhang past the padded input)"},
        Case{"nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)",
             {1, 1, 6, 6},
             "average divisors differ from 3*3 = 9 at the edges: 9 for 4 windows, 6 for 4 "
             "windows, 4 for 1 window, 3 for 4 windows, 2 for 2 windows, 1 for 1 window "
             "(count_include_pad=False counts only real input elements)"},
        Case{"nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)",
             {1, 1, 5, 4},
             "average divisors differ from 3*3 = 9 at the edges: 9 for 1 window, 6 for 3 "
             "windows, 4 for 2 windows (count_include_pad=False counts only real input "
             "elements)"},
        Case{"nn.AvgPool2d(2, stride=2, padding=1, ceil_mode=True, count_include_pad=False)",
             {1, 1, 9, 9},
             "average divisors differ from 2*2 = 4 at the edges: 4 for 16 windows, 2 for 8 "
             "windows, 1 for 1 window (count_include_pad=False counts only real input "
             "elements)"},
        Case{"nn.AvgPool2d(3, stride=3, padding=1, ceil_mode=True)", {1, 1, 7, 7}, ""},
        Case{"nn.AvgPool2d(2, stride=2, divisor_override=3)",
             {1, 1, 5, 5},
             "divisor_override=3: every window's sum is divided by 3, not by its size 2*2 = 4"});
    CAPTURE(c.expr, c.in);
    auto e = explain_one(c.expr, c.in);
    std::string found;
    for (auto& n : e.notes)
        if (n.find("divisor") != std::string::npos) found = n;
    CHECK(found == c.note);
}

TEST_CASE("positions no window reads match PyTorch's zero gradients", "[explain]") {
    struct Case {
        std::int64_t L, k, s, p, d;
        std::vector<std::int64_t> unread; // from the PyTorch snippet at the top of this file
    };
    auto c = GENERATE(Case{10, 3, 3, 0, 1, {9}}, Case{10, 2, 2, 1, 2, {0, 2, 4, 6, 8}},
                      Case{7, 2, 2, 1, 2, {0, 2, 4, 6}}, Case{3, 1, 2, 0, 1, {1}},
                      Case{10, 2, 3, 0, 1, {2, 5, 8, 9}}, Case{10, 3, 2, 1, 3, {0, 8}},
                      Case{11, 4, 3, 2, 2, {9}});
    CAPTURE(c.L, c.k, c.s, c.p, c.d);
    std::string expr =
        fmt::format("nn.Conv1d(1, 1, {}, stride={}, padding={}, dilation={})", c.k, c.s, c.p, c.d);
    Plan plan = plan_exprs({expr}, {1, 1, c.L});
    std::int64_t out = plan.output.back();
    AxisCoverage cov = window_coverage(c.L, out, c.k, c.s, c.p, c.d);
    std::int64_t lead = 0, trail = 0;
    while (lead < std::int64_t(c.unread.size()) && c.unread[lead] == lead)
        ++lead;
    while (trail < std::int64_t(c.unread.size()) - lead &&
           c.unread[c.unread.size() - 1 - trail] == c.L - 1 - trail)
        ++trail;
    CHECK(cov.lead == lead);
    CHECK(cov.trail == trail);
    CHECK(cov.interior_known);
    CHECK(cov.interior == std::int64_t(c.unread.size()) - lead - trail);
    CHECK(unused_edges(plan.layers[0]) == std::vector<std::int64_t>{lead + trail});
}

TEST_CASE("explain says which edge pixels the floor leaves unused", "[explain]") {
    auto e = explain_one("nn.MaxPool2d(kernel_size=3, stride=3)", {1, 1, 10, 10});
    REQUIRE(e.axes.size() == 1);
    REQUIRE(e.axes[0].notes.size() == 1);
    CHECK(e.axes[0].notes[0] ==
          "the floor leaves the last 1 row and column (index 9) unused: another window would "
          "start at index 9 but would not fit in the input plus padding");

    auto d = explain_one("nn.MaxPool1d(2, stride=2, padding=1, dilation=2)", {1, 1, 7});
    std::string t = all_text(d);
    CHECK_THAT(t, Contains("no window reads the first 1 position (index 0): dilation 2 steps over "
                           "it"));
    CHECK_THAT(t, Contains("2 positions between the first and last read ones are never read: "
                           "dilation 2 leaves gaps between taps"));
    CHECK_THAT(t,
               Contains("no window reads the last 1 position (index 6): dilation 2 steps over it"));
}

TEST_CASE("adaptive pooling windows: overlapping, repeated and even", "[explain]") {
    auto e = explain_one("nn.AdaptiveAvgPool2d((3, 4))", {1, 1, 10, 10});
    REQUIRE(e.axes.size() == 2);
    CHECK(e.axes[0].formula == "H_out = output_size = 3");
    CHECK(e.axes[0].notes.at(0) == "windows [floor(i*10/3), ceil((i+1)*10/3)) are all 4 wide; 2 "
                                   "overlap the previous one: [0, 4) [3, 7) [6, 10)");
    CHECK(e.axes[1].notes.at(0) == "windows [floor(i*10/4), ceil((i+1)*10/4)) are all 3 wide; 2 "
                                   "overlap the previous one: [0, 3) [2, 5) [5, 8) [7, 10)");

    // SEMANTICS.md: c=2, b=5 -> [0,1),[0,1),[0,2),[1,2),[1,2)
    auto r = explain_one("nn.AdaptiveMaxPool1d(5)", {1, 1, 2});
    REQUIRE(r.axes.size() == 1);
    CHECK_THAT(r.axes[0].notes.at(0),
               Contains("1 to 2 wide") && Contains("[0, 1) [0, 1) [0, 2) [1, 2) [1, 2)"));
    CHECK_THAT(r.axes[0].notes.at(1), Contains("more outputs (5) than inputs (2)"));

    auto even = explain_one("nn.AdaptiveAvgPool2d(7)", {1, 512, 14, 14});
    CHECK_THAT(even.axes.at(0).notes.at(0),
               Contains("all 2 wide and do not overlap: the same as kernel_size=2, stride=2"));
    auto global = explain_one("nn.AdaptiveAvgPool2d(1)", {1, 512, 7, 7});
    CHECK_THAT(all_text(global), Contains("global average pooling"));
}

TEST_CASE("convolution: padding='same' split, transposed formula, parameter products",
          "[explain]") {
    auto c = explain_one("nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)",
                         {1, 3, 224, 224});
    CHECK(c.axes.at(0).formula == "H_out = W_out = floor((224 + 2*3 - 1*(7-1) - 1) / 2) + 1 = 112");
    CHECK(c.params == "params = 64*3*7*7 = 9,408 (bias=False)");

    auto same = explain_one("nn.Conv2d(1, 1, kernel_size=(4, 3), padding='same')", {1, 1, 8, 8});
    CHECK(same.output == Shape{1, 1, 8, 8});
    CHECK(same.axes.at(0).formula == "H_out = floor((8 + 1 + 2 - 1*(4-1) - 1) / 1) + 1 = 8");
    CHECK(same.axes.at(1).formula == "W_out = floor((8 + 2*1 - 1*(3-1) - 1) / 1) + 1 = 8");
    CHECK_THAT(all_text(same), Contains("H: total 1*(4-1) = 3, 1 before and 2 after") &&
                                   Contains("W: total 1*(3-1) = 2, 1 before and 1 after") &&
                                   Contains("extra unit after"));
    CHECK(same.params == "params = 1*1*4*3 + 1 = 13");

    auto t = explain_one("nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)",
                         {1, 16, 5, 5});
    CHECK(t.output == Shape{1, 8, 10, 10});
    CHECK(t.axes.at(0).formula == "H_out = W_out = (5-1)*2 - 2*1 + 1*(3-1) + 1 + 1 = 10");
    CHECK_THAT(all_text(t), Contains("output_padding=1 adds 1 row and column at the end") &&
                                Contains("maps every size 9..10 to 5"));
    CHECK(t.params == "params = 16*8*3*3 + 8 = 1,160");

    auto g = explain_one("nn.Conv2d(32, 32, 3, padding=1, groups=32)", {1, 32, 8, 8});
    CHECK_THAT(all_text(g), Contains("groups=32: each filter sees 32/32 = 1 input channel "
                                     "(depthwise)"));
    CHECK(g.params == "params = 32*1*3*3 + 32 = 320");

    auto reflect =
        explain_one("nn.Conv2d(1, 1, 3, padding=1, padding_mode='reflect')", {1, 1, 5, 5});
    CHECK_THAT(all_text(reflect), Contains("padding_mode='reflect'"));
}

TEST_CASE("other layers get a one-line explanation", "[explain]") {
    Network net = load_spec_file(source_path("examples/networks/lenet5.json"));
    Explanation ex = explain_network(net, *net.input);
    REQUIRE(ex.output);
    REQUIRE_FALSE(ex.error);
    std::string text = explain_text(ex);
    CHECK_THAT(text, Contains("Flatten merges dimensions 1..3 of 1x16x5x5: 16*5*5 = 400"));
    CHECK_THAT(text, Contains("Linear maps the last dimension 400 -> 120"));
    CHECK_THAT(text, Contains("params = 120*400 + 120 = 48,120"));

    auto bn = explain_one("nn.BatchNorm2d(16)", {2, 16, 4, 4});
    CHECK(bn.params == "params = 16 + 16 = 32 (weight, bias)");
    CHECK(bn.buffers == "buffers = 16 + 16 + 1 = 33 (running_mean, running_var, "
                        "num_batches_tracked)");
    CHECK_THAT(explain_one("nn.ReLU()", {1, 3, 4, 4}).notes.at(0),
               Contains("ReLU is elementwise: shape kept"));
    CHECK_THAT(explain_one("nn.Dropout(0.2)", {1, 3}).notes.at(0),
               Contains("identity in eval mode"));
    auto up = explain_one("nn.Upsample(scale_factor=2, mode='bilinear')", {1, 3, 7, 5});
    CHECK(up.axes.at(0).formula == "H_out = floor(7 * 2.0) = 14");
    CHECK(up.axes.at(1).formula == "W_out = floor(5 * 2.0) = 10");
    auto pad = explain_one("nn.ZeroPad2d((1, 2, -1, 0))", {1, 1, 4, 4});
    CHECK(pad.axes.at(0).formula == "H_out = 4 + (-1) + 0 = 3");
    CHECK(pad.axes.at(1).formula == "W_out = 4 + 1 + 2 = 7");

    Network unet = load_spec_file(source_path("examples/networks/unet_small.json"));
    std::string u = explain_text(explain_network(unet, *unet.input));
    CHECK_THAT(u, Contains("Concat along dimension 1: 32 + 16 = 48"));
}

TEST_CASE("an invalid network is explained up to the failing layer", "[explain]") {
    Network net = network_from_exprs(
        {"nn.MaxPool2d(2)", "nn.MaxPool2d(2)", "nn.MaxPool2d(2)", "nn.MaxPool2d(2)"});
    Explanation ex = explain_network(net, {1, 1, 4, 4});
    REQUIRE(ex.error);
    CHECK(ex.error->index() == 2);
    CHECK_FALSE(ex.output);
    REQUIRE(ex.layers.size() == 2);
    CHECK(ex.layers[1].output == Shape{1, 1, 1, 1});
    auto j = explain_json(ex);
    CHECK(j["error"]["layer"] == 2);
    CHECK(j["layers"].size() == 2);

    // A construction error later in the network does not hide what plans before it.
    Network late = network_from_exprs({"nn.MaxPool2d(2)", "nn.Conv2d(3, 8, 3, groups=2)"});
    Explanation lx = explain_network(late, {1, 3, 8, 8});
    REQUIRE(lx.error);
    CHECK(lx.error->index() == 1);
    CHECK(lx.layers.size() == 1);

    auto r = run_cli("explain --input 1x1x4x4 --layer \"nn.MaxPool2d(2)\" --layer "
                     "\"nn.MaxPool2d(2)\" --layer \"nn.MaxPool2d(2)\"");
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Contains("layer 1: MaxPool2d(k=2), 1x1x2x2 -> 1x1x1x1"));
    CHECK_THAT(r.out, !Contains("layer 2:"));
    CHECK_THAT(r.err, Contains("layer 2 ('2', MaxPool2d): Given input size: (1x1x1). Calculated "
                               "output size: (1x0x0). Output size is too small"));
    CHECK_THAT(r.err, Contains("(defined at --layer 3)"));

    auto rj = run_cli("explain --input 1x1x4x4 --layer \"nn.MaxPool2d(2)\" --layer "
                      "\"nn.MaxPool2d(4)\" --format json");
    CHECK(rj.code == 1);
    auto jj = nlohmann::json::parse(rj.out);
    CHECK(jj["error"]["exit_code"] == 1);
    CHECK(jj["error"]["where"] == "--layer 2");
    CHECK(jj["layers"].size() == 1);
}

TEST_CASE("explain exit codes and usage errors", "[explain]") {
    CHECK(run_cli("explain examples/networks/funnel.json").code == 0);
    auto no_input = run_cli("explain --layer \"nn.ReLU()\"");
    CHECK(no_input.code == 2);
    CHECK_THAT(no_input.err, Contains("no input shape"));
    auto nothing = run_cli("explain");
    CHECK(nothing.code == 2);
    auto bad = run_cli("explain --input 1x1x4x4 --layer \"nn.MaxPool2d(2\"");
    CHECK(bad.code == 2);
    CHECK_THAT(bad.err, Contains("spec error at --layer 1"));
    auto missing = run_cli("explain no/such/file.json");
    CHECK(missing.code == 2);
    auto both = run_cli("explain examples/networks/funnel.json --layer \"nn.ReLU()\"");
    CHECK(both.code == 2);
}

TEST_CASE("explain prints the golden text and JSON", "[explain][cli]") {
    struct Case {
        const char* args;
        const char* golden;
    };
    auto c = GENERATE(
        Case{"explain examples/networks/funnel.json", "explain_funnel.txt"},
        Case{"explain --input 1x1x5x5 --layer \"nn.MaxPool2d(3, stride=3, padding=1, "
             "ceil_mode=True)\" --layer \"nn.AvgPool2d(2, ceil_mode=True, "
             "count_include_pad=False)\"",
             "explain_ceil.txt"},
        Case{"explain examples/networks/maxpool_6x6.json --format json", "explain_maxpool.json"});
    CAPTURE(c.args);
    auto r = run_cli(c.args);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    check_golden(c.golden, r.out);
}

TEST_CASE("every conformance case is explained without disagreeing with the engine", "[explain]") {
    std::size_t explained = 0, axes = 0;
    for (const auto& family : cnnshape_test::fixture_families("conformance")) {
        std::ifstream f(std::string(CNNSHAPE_TEST_DATA) + "/conformance/" + family + ".json");
        REQUIRE(f.good());
        auto doc = nlohmann::json::parse(f);
        for (auto& c : doc["cases"]) {
            if (!c.contains("output")) continue;
            std::string expr = c["layer"];
            // PyTorch's module tests also cover layer types cnnshape does not support yet.
            if (!find_layer_type(expr.substr(0, expr.find('(')))) continue;
            CAPTURE(family, expr, c["input"].dump());
            LayerPlan lp;
            if (c.contains("inputs")) {
                // Several input tensors (the binary family): the layer plan the engine would make.
                LayerPtr layer = make_layer(parse_py_expr(expr).as_call(), "case");
                for (auto& s : c["inputs"])
                    lp.input_shapes.push_back(s.get<Shape>());
                Lowering lower;
                LayerOutput out = layer->infer(lp.input_shapes, InferContext{}, lower);
                lp.type = layer->type();
                lp.brief = layer->brief();
                lp.output = out.shape;
                lp.macs = out.macs;
                lp.exec = lower.exec;
                CHECK(lp.output == c["output"].get<Shape>());
            } else {
                Network net = network_from_exprs({expr});
                if (c.value("mode", "eval") == "train") net.mode = Mode::Train;
                lp = make_plan(net, c["input"].get<Shape>()).layers.at(0);
            }
            LayerExplanation e;
            REQUIRE_NOTHROW(e = explain_layer(lp));
            for (auto& a : e.axes) {
                CHECK(formula_result(a.formula) == a.out);
                ++axes;
            }
            ++explained;
        }
    }
    CHECK(explained >= 13000);
    CHECK(axes >= 10000);
}

TEST_CASE("explain agrees with the engine on a sweep of pooling and convolution arguments",
          "[explain]") {
    std::size_t n = 0;
    for (auto type : {"MaxPool1d", "AvgPool1d", "Conv1d", "ConvTranspose1d"})
        for (std::int64_t in = 1; in <= 9; ++in)
            for (std::int64_t k = 1; k <= 4; ++k)
                for (std::int64_t s = 1; s <= 3; ++s)
                    for (std::int64_t p = 0; p <= 2; ++p)
                        for (std::int64_t d = 1; d <= 2; ++d)
                            for (int ceil = 0; ceil < 2; ++ceil) {
                                std::string t = type;
                                bool pool = t.find("Pool") != std::string::npos;
                                if (!pool && ceil) continue;
                                if (t == "AvgPool1d" && d > 1) continue;
                                std::string args =
                                    pool ? fmt::format("{}, stride={}, padding={}", k, s, p)
                                         : fmt::format("1, 1, {}, stride={}, padding={}", k, s, p);
                                if (t != "AvgPool1d") args += fmt::format(", dilation={}", d);
                                if (ceil) args += ", ceil_mode=True";
                                if (t == "MaxPool1d") args += ", return_indices=True";
                                std::string expr = "nn." + t + "(" + args + ")";
                                Plan plan;
                                try {
                                    plan = plan_exprs({expr}, {1, 1, in});
                                } catch (const LayerError&) {
                                    continue;
                                }
                                CAPTURE(expr, in);
                                LayerExplanation e;
                                REQUIRE_NOTHROW(e = explain_layer(plan.layers[0]));
                                REQUIRE(e.axes.size() == 1);
                                CHECK(formula_result(e.axes[0].formula) == plan.output.back());
                                ++n;
                            }
    CHECK(n > 1000);
}
