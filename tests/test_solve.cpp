// `cnnshape solve`: the seed quiz ("which kernel and stride turn 10 into 3?"), --check, whole
// networks over a range of input sizes, and the promise that the solver and the engine agree:
// every solution, read back from its printed expression, plans to the target, and a brute force
// over the same bounds with make_plan finds exactly the same set.
#include "cli_support.hpp"
#include "support.hpp"

#include "cnnshape/explain.hpp"
#include "cnnshape/solve.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

using namespace cnnshape;
using namespace cnnshape_test;
using Catch::Contains;
using cnnshape::test::check_golden;
using cnnshape::test::run_cli;
using cnnshape::test::slurp;
using cnnshape::test::source_path;

namespace {

// The quiz's four options (tutorial seed 000).
const std::vector<std::string> kQuizOptions = {
    "nn.AvgPool2d(kernel_size=4, stride=4)", "nn.MaxPool2d(kernel_size=2, stride=2) x2",
    "nn.AvgPool2d(kernel_size=5, stride=5)", "nn.MaxPool2d(kernel_size=3, stride=3)"};

// A solution as comparable numbers: per axis (k, s, p, d, op), then ceil_mode.
using Key = std::pair<
    std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t>>,
    bool>;

Key key_of(const Solution& s) {
    Key k;
    for (auto& a : s.axes)
        k.first.emplace_back(a.kernel, a.stride, a.padding, a.dilation, a.output_padding);
    k.second = s.ceil_mode;
    return k;
}

std::string tuple_text(const std::vector<std::int64_t>& v) {
    if (v.size() == 1) return std::to_string(v[0]);
    std::string s = "(";
    for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + std::to_string(v[i]);
    return s + ")";
}

// Brute force, written independently of the solver: every argument spelled out as a keyword
// (tuples on every axis), each layer planned by make_plan on (1, C, *in).
std::set<Key> brute_force(const std::string& type, const Shape& in, const Shape& out,
                          const SolveBounds& b) {
    bool pool = type.find("Pool") != std::string::npos;
    bool avg = type.find("AvgPool") != std::string::npos;
    bool transposed = type.find("Transpose") != std::string::npos;
    std::size_t nd = in.size();
    // Per-axis tuples (k, s, p, d, op).
    std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t>>
        axis;
    for (std::int64_t k = 1; k <= b.max_kernel; ++k)
        for (std::int64_t s = 1; s <= b.max_stride; ++s)
            for (std::int64_t p = 0; p <= b.max_padding; ++p)
                for (std::int64_t d = 1; d <= (avg ? 1 : b.max_dilation); ++d)
                    for (std::int64_t op = 0; op <= (transposed ? b.max_stride : 0); ++op)
                        axis.emplace_back(k, s, p, d, op);
    std::set<Key> found;
    std::vector<std::size_t> idx(nd, 0);
    bool square = std::all_of(in.begin(), in.end(), [&](auto v) { return v == in[0]; }) &&
                  std::all_of(out.begin(), out.end(), [&](auto v) { return v == out[0]; });
    while (true) {
        for (int ceil = 0; ceil < (pool && b.allow_ceil ? 2 : 1); ++ceil) {
            std::vector<std::int64_t> k, s, p, d, op;
            for (std::size_t i = 0; i < nd; ++i) {
                auto [ki, si, pi, di, oi] = axis[square ? idx[0] : idx[i]];
                k.push_back(ki), s.push_back(si), p.push_back(pi), d.push_back(di),
                    op.push_back(oi);
            }
            std::string expr = "nn." + type + "(" +
                               (pool ? "" : "in_channels=1, out_channels=1, ") +
                               "kernel_size=" + tuple_text(k) + ", stride=" + tuple_text(s) +
                               ", padding=" + tuple_text(p);
            if (!avg) expr += ", dilation=" + tuple_text(d);
            if (transposed) expr += ", output_padding=" + tuple_text(op);
            if (pool) expr += std::string(", ceil_mode=") + (ceil ? "True" : "False");
            expr += ")";
            Shape x{1, 1};
            x.insert(x.end(), in.begin(), in.end());
            try {
                Plan plan = plan_exprs({expr}, x);
                if (Shape(plan.output.end() - nd, plan.output.end()) == out) {
                    Key key;
                    for (std::size_t i = 0; i < nd; ++i)
                        key.first.emplace_back(k[i], s[i], p[i], d[i], op[i]);
                    key.second = ceil == 1;
                    found.insert(key);
                }
            } catch (const LayerError&) {
            }
        }
        if (square) {
            if (++idx[0] == axis.size()) break;
            continue;
        }
        std::size_t i = nd;
        while (i > 0 && ++idx[i - 1] == axis.size())
            idx[--i] = 0;
        if (i == 0) break;
    }
    return found;
}

} // namespace

TEST_CASE("the seed quiz: which kernel and stride turn 10 into 3", "[solve]") {
    SolveQuery q;
    q.layer = "MaxPool2d";
    q.input = {10};
    q.output = {3};
    SolveResult r = solve_layer(q);
    REQUIRE_FALSE(r.solutions.empty());
    CHECK(r.same_on_every_axis);
    CHECK(r.input == Shape{10, 10});
    // The quiz's answer is the simplest one, and it leaves the last row and column unread.
    CHECK(r.solutions[0].expression == "nn.MaxPool2d(kernel_size=3, stride=3)");
    CHECK(r.solutions[0].unused_edge == std::vector<std::int64_t>{1, 1});
    // kernel == stride solutions come first.
    CHECK(r.solutions[1].expression == "nn.MaxPool2d(kernel_size=4, stride=4, ceil_mode=True)");
    CHECK(r.solutions[1].unused_edge == std::vector<std::int64_t>{0, 0});

    auto cli = run_cli("solve --input 10 --output 3 --layer MaxPool2d");
    CHECK(cli.code == 0);
    CHECK_THAT(cli.out, Contains("  nn.MaxPool2d(kernel_size=3, stride=3)"));
}

TEST_CASE("the seed quiz's options checked: exactly one gives 3", "[solve]") {
    CheckReport rep = check_expressions(kQuizOptions, {10}, {3});
    REQUIRE(rep.checks.size() == 4);
    int matches = 0;
    for (auto& c : rep.checks) {
        CAPTURE(c.text);
        CHECK(c.error.empty());
        CHECK(c.nd == 2);
        matches += c.matches;
        Shape out(c.shapes.back().end() - 2, c.shapes.back().end());
        CHECK(out == (c.matches ? Shape{3, 3} : Shape{2, 2}));
    }
    CHECK(matches == 1);
    CHECK(rep.checks[3].matches);
    CHECK(rep.checks[1].layers.size() == 2); // "x2" repeats the layer
    CHECK(rep.checks[1].shapes == std::vector<Shape>{{1, 1, 10, 10}, {1, 1, 5, 5}, {1, 1, 2, 2}});

    std::string args = "solve --input 10 --output 3 --check";
    for (auto& o : kQuizOptions)
        args += " \"" + o + "\"";
    auto r = run_cli(args);
    CHECK(r.code == 4); // three of the four fail
    CHECK_THAT(r.out, Contains("1 of 4 map 10 to 3"));
    auto j = run_cli(args + " --format json");
    auto doc = nlohmann::json::parse(j.out);
    CHECK(doc["matched"] == 1);
    std::vector<nlohmann::json> outs;
    for (auto& c : doc["checks"])
        outs.push_back(c["output"]);
    CHECK(outs == std::vector<nlohmann::json>{{2, 2}, {2, 2}, {2, 2}, {3, 3}});
    CHECK(run_cli("solve --input 10 --output 3 --check \"nn.MaxPool2d(kernel_size=3, "
                  "stride=3)\"")
              .code == 0);
}

TEST_CASE("split_chain reads repeats and arrows", "[solve]") {
    CHECK(split_chain("nn.MaxPool2d(2, 2) x2") ==
          std::vector<std::string>{"nn.MaxPool2d(2, 2)", "nn.MaxPool2d(2, 2)"});
    CHECK(split_chain("nn.Conv2d(3, 8, 3) -> nn.ReLU() -> nn.MaxPool2d(2) * 2") ==
          std::vector<std::string>{"nn.Conv2d(3, 8, 3)", "nn.ReLU()", "nn.MaxPool2d(2)",
                                   "nn.MaxPool2d(2)"});
    CHECK(split_chain("nn.Upsample(mode='a->b')") ==
          std::vector<std::string>{"nn.Upsample(mode='a->b')"});
    CHECK_THROWS_AS(split_chain("nn.ReLU() ->"), UsageError);
    CHECK_THROWS_AS(split_chain("nn.ReLU() x0"), UsageError);
}

TEST_CASE("every solution plans to the target, and brute force finds the same set", "[solve]") {
    struct Case {
        const char* layer;
        Shape in, out;
        SolveBounds bounds;
    };
    auto c = GENERATE(
        Case{"MaxPool2d", {10}, {3}, {10, 10, 5, 2, true}},
        Case{"AvgPool2d", {10, 12}, {3, 4}, {5, 5, 2, 1, true}},
        Case{"MaxPool1d", {9}, {4}, {6, 6, 3, 3, true}}, // max_pool1d's own pad <= k/2 rule
        Case{"AvgPool3d", {4}, {2}, {5, 4, 2, 1, true}}, // avg_pool3d: input >= kernel
        Case{"Conv2d", {12}, {5}, {6, 6, 3, 2, false}},
        Case{"Conv1d", {7}, {7}, {7, 3, 4, 3, false}},
        Case{"ConvTranspose2d", {5}, {10}, {6, 4, 3, 2, false}},
        Case{"MaxPool2d", {7, 9}, {3, 4}, {4, 4, 2, 2, false}});
    CAPTURE(c.layer, c.in, c.out);
    SolveQuery q;
    q.layer = c.layer;
    q.input = c.in;
    q.output = c.out;
    q.bounds = c.bounds;
    SolveResult r = solve_layer(q);
    REQUIRE_FALSE(r.solutions.empty());
    std::set<Key> solved;
    for (auto& s : r.solutions) {
        CAPTURE(s.expression);
        // Read back from the printed text, as --layer would.
        Plan plan = plan_exprs({s.expression}, r.input_shape);
        CHECK(Shape(plan.output.end() - r.output.size(), plan.output.end()) == r.output);
        std::vector<std::int64_t> edges = unused_edges(plan.layers[0]);
        if (edges.empty()) edges.assign(r.output.size(), 0); // transposed convolutions
        CHECK(s.unused_edge == edges);
        CHECK(solved.insert(key_of(s)).second); // no duplicates
    }
    // The brute force spells out output_padding 0..max_stride; the solver's set is the same.
    SolveBounds b = r.bounds;
    std::set<Key> brute = brute_force(c.layer, r.input, r.output, b);
    CHECK(brute.size() == solved.size());
    CHECK(brute == solved);
}

TEST_CASE("per-axis sizes give per-axis tuples", "[solve]") {
    SolveQuery q;
    q.layer = "nn.AvgPool2d";
    q.input = {10, 12};
    q.output = {3, 4};
    SolveResult r = solve_layer(q);
    CHECK_FALSE(r.same_on_every_axis);
    REQUIRE(r.solutions.size() > 2);
    CHECK(r.solutions[0].expression == "nn.AvgPool2d(kernel_size=3, stride=3)");
    CHECK(r.solutions[0].unused_edge == std::vector<std::int64_t>{1, 0});
    CHECK(r.solutions[1].expression ==
          "nn.AvgPool2d(kernel_size=(4, 3), stride=(4, 3), ceil_mode=True)");
    SolveQuery bad;
    bad.layer = "MaxPool2d";
    bad.input = {10, 12, 14};
    bad.output = {3};
    CHECK_THROWS_AS(solve_layer(bad), UsageError);
}

TEST_CASE("solve --format json lists every solution with its arguments", "[solve]") {
    auto r = run_cli("solve --input 10 --output 3 --layer MaxPool2d --format json");
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["layer"] == "MaxPool2d");
    CHECK(j["input"] == nlohmann::json({10, 10}));
    CHECK(j["output"] == nlohmann::json({3, 3}));
    CHECK(j["bounds"]["max_kernel"] == 10);
    REQUIRE(j["solutions"].size() == j["count"]);
    CHECK(j["solutions"].size() > 20); // JSON is not limited like the text
    auto first = j["solutions"][0];
    CHECK(first["expression"] == "nn.MaxPool2d(kernel_size=3, stride=3)");
    CHECK(first["kernel_size"] == 3);
    CHECK(first["stride"] == 3);
    CHECK(first["padding"] == 0);
    CHECK(first["dilation"] == 1);
    CHECK(first["ceil_mode"] == false);
    CHECK(first["unused_edge"] == 1);

    auto a = nlohmann::json::parse(
        run_cli("solve --input 10x12 --output 3x4 --layer AvgPool2d --format json --limit 2").out);
    REQUIRE(a["solutions"].size() == 2);
    CHECK(a["solutions"][1]["kernel_size"] == nlohmann::json({4, 3}));
    CHECK_FALSE(a["solutions"][1].contains("dilation")); // AvgPool has none
    CHECK(a["solutions"][0]["unused_edge"] == nlohmann::json({1, 0}));

    auto t = nlohmann::json::parse(
        run_cli("solve --input 7 --output 14 --layer ConvTranspose2d --format json").out);
    CHECK(t["solutions"][0]["expression"] == "nn.ConvTranspose2d(1, 1, kernel_size=2, stride=2)");
    CHECK(t["solutions"][0].contains("output_padding"));
    CHECK_FALSE(t["solutions"][0].contains("ceil_mode"));
}

TEST_CASE("solve exit codes", "[solve]") {
    CHECK(run_cli("solve --input 10 --output 3 --layer MaxPool2d").code == 0);
    // Pooling never enlarges: no solution.
    auto none = run_cli("solve --input 10 --output 20 --layer MaxPool2d");
    CHECK(none.code == 1);
    CHECK_THAT(none.out, Contains("no solution"));
    CHECK(run_cli("solve --input 10 --output 3 --layer Linear").code == 2);
    CHECK(run_cli("solve --input 10 --layer MaxPool2d").code == 2);
    CHECK(run_cli("solve --input 10 --output 3 --layer MaxPool2d --max-kernel 0").code == 2);
    CHECK(run_cli("solve").code == 2);
    CHECK(run_cli("solve --input 10 --output 3 --check \"nn.MaxPool2d(3\"").code == 2);
    auto json_usage = run_cli("solve --input 10 --output 3 --layer Nope --format json");
    CHECK(json_usage.code == 2);
    CHECK(nlohmann::json::parse(json_usage.out)["error"]["exit_code"] == 2);
    CHECK(run_cli("solve examples/networks/maxpool_6x6.json --input-range 1:1").code == 1);
    CHECK(run_cli("solve examples/networks/maxpool_6x6.json --input-range 5").code == 2);
    CHECK(run_cli("solve examples/networks/maxpool_6x6.json --input-range 1:9 --axis Q").code == 2);
}

TEST_CASE("a whole network over a range of input sizes", "[solve]") {
    Network net = load_spec_file(source_path("examples/networks/maxpool_6x6.json"));
    RangeResult r = solve_input_range(net, *net.input, 1, 12, "");
    CHECK(r.axes == std::vector<std::string>{"H", "W"});
    CHECK(r.accepted == std::vector<std::int64_t>{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    CHECK(r.no_unused_edge == std::vector<std::int64_t>{2, 4, 6, 8, 10, 12});
    REQUIRE(r.smallest_output);
    CHECK(*r.smallest_output == Shape{1, 1, 1, 1});
    REQUIRE(r.rejected_size);
    CHECK(*r.rejected_size == 1);
    CHECK_THAT(r.rejected_error, Contains("Output size is too small"));

    // VGG-16 needs 32 (five 2x2 pools) and reads every pixel at multiples of 32.
    Network vgg = load_spec_file(source_path("examples/networks/vgg16.json"));
    RangeResult v = solve_input_range(vgg, *vgg.input, 1, 100, "");
    REQUIRE_FALSE(v.accepted.empty());
    CHECK(v.accepted.front() == 32);
    CHECK(v.accepted.back() == 100);
    CHECK(v.no_unused_edge == std::vector<std::int64_t>{32, 64, 96});

    // One axis: only W varies.
    Network funnel = load_spec_file(source_path("examples/networks/funnel.json"));
    RangeResult w = solve_input_range(funnel, *funnel.input, 1, 20, "W");
    CHECK(w.dims == std::vector<std::size_t>{2});
    CHECK(w.accepted.front() == 10);
    auto cli = run_cli("solve examples/networks/funnel.json --input-range 1:20 --axis W");
    CHECK(cli.code == 0);
    CHECK_THAT(cli.out, Contains("funnel: input 3x110xN, N = 1..20 (W)"));
    CHECK_THAT(cli.out, Contains("smallest: 10 -> output 16x26x1"));
}

TEST_CASE("solve searches thousands of candidates and plans only the plausible ones", "[solve]") {
    // How long this takes is measured by bench/scale_bench.cpp, not here.
    SolveQuery q;
    q.layer = "MaxPool2d";
    q.input = {64};
    q.output = {8};
    SolveResult r = solve_layer(q);
    CAPTURE(r.candidates, r.planned);
    CHECK(r.candidates > 10000);
    CHECK(r.planned > 1000);
    CHECK(r.planned < r.candidates / 10);
}

TEST_CASE("solve prints the golden text", "[solve][cli]") {
    struct Case {
        const char* args;
        const char* golden;
        int code;
    };
    auto c = GENERATE(
        Case{"solve --input 10 --output 3 --layer MaxPool2d", "solve_quiz.txt", 0},
        Case{"solve --input 10 --output 3 --check \"nn.AvgPool2d(kernel_size=4, stride=4)\" "
             "\"nn.MaxPool2d(kernel_size=2, stride=2) x2\" \"nn.AvgPool2d(kernel_size=5, "
             "stride=5)\" \"nn.MaxPool2d(kernel_size=3, stride=3)\"",
             "solve_check_quiz.txt", 4},
        Case{"solve --input 32 --output 16 --layer Conv2d --in-channels 3 --out-channels 16 "
             "--limit 8",
             "solve_conv.txt", 0},
        Case{"solve examples/networks/vgg16.json --input-range 1:256", "solve_range_vgg16.txt", 0});
    CAPTURE(c.args);
    auto r = run_cli(c.args);
    CHECK(r.code == c.code);
    CHECK(r.err.empty());
    check_golden(c.golden, r.out);
}
