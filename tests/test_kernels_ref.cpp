// The kernels against PyTorch: every case of tests/data/run/*.json (made by
// tools/gen_run_fixtures.py) is planned from its layer expressions, given the recorded
// state_dict and input (or, for a case whose "spec" is an object, from that spec), run with the
// reference kernels and with the dispatcher's default backend,
// and compared with PyTorch's output: exactly, or within the tolerance the case records; where
// the case records what print(output) printed (bicubic.json), the printed text too.
#include "cli_support.hpp"
#include "cnnshape/execute.hpp"
#include "cnnshape/kernels.hpp"
#include "cnnshape/tensor_io.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace cnnshape;
using nlohmann::json;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

json fixture(const std::string& family) {
    std::string text = slurp(std::string(CNNSHAPE_TEST_DATA) + "/run/" + family + ".json");
    REQUIRE_FALSE(text.empty());
    return json::parse(text);
}

using cnnshape_test::unbase64;

Tensor tensor_of(const json& j) {
    Tensor t(j.at("shape").get<Shape>());
    std::string bytes = unbase64(j.at("f32").get<std::string>());
    REQUIRE(bytes.size() == t.data.size() * 4);
    if (!bytes.empty()) std::memcpy(t.ptr(), bytes.data(), bytes.size()); // an empty tensor: null
    return t;
}

IndexTensor indices_of(const json& j) {
    IndexTensor t(j.at("shape").get<Shape>());
    std::string bytes = unbase64(j.at("i64").get<std::string>());
    REQUIRE(bytes.size() == t.data.size() * 8);
    if (!bytes.empty()) std::memcpy(t.ptr(), bytes.data(), bytes.size());
    return t;
}

// Number of elements that differ; the first one is described in `first`.
std::int64_t mismatches(const Tensor& got, const Tensor& want, const json& tol,
                        std::string& first) {
    bool exact = tol.is_string() && tol.get<std::string>() == "exact";
    double rtol = exact ? 0 : tol.at("rtol").get<double>();
    double atol = exact ? 0 : tol.at("atol").get<double>();
    std::int64_t bad = 0;
    for (std::size_t i = 0; i < want.data.size(); ++i) {
        float a = got.data[i], b = want.data[i];
        bool ok;
        if (std::isnan(b) || std::isnan(a))
            ok = std::isnan(a) && std::isnan(b);
        else if (exact) // the sign of zero too: PyTorch's relu(-0) is -0, its sum of -0s +0
            ok = a == b && std::signbit(a) == std::signbit(b);
        else if (std::isinf(b))
            ok = a == b;
        else
            ok = std::fabs(double(a) - double(b)) <= atol + rtol * std::fabs(double(b));
        if (!ok && bad++ == 0) {
            std::ostringstream ss;
            ss.precision(9);
            ss << "element " << i << ": got " << a << ", PyTorch " << b;
            first = ss.str();
        }
    }
    return bad;
}

Plan plan_case(const json& c, const Shape& input) {
    Mode mode = c.value("mode", "eval") == "train" ? Mode::Train : Mode::Eval;
    if (c.contains("spec")) {
        // A path to an example, or the spec itself (binary.json's branches).
        Network net = c.at("spec").is_object()
                          ? load_spec_json(c.at("spec").dump())
                          : load_spec_file(std::string(CNNSHAPE_SOURCE_DIR) + "/" +
                                           c.at("spec").get<std::string>());
        net.mode = mode;
        return make_plan(net, input);
    }
    return cnnshape_test::plan_exprs(c.at("layers").get<std::vector<std::string>>(), input, mode);
}

void check_case(const json& c, kernels::Backend backend) {
    std::string name = c.at("name").get<std::string>();
    CAPTURE(name);
    Tensor input = tensor_of(c.at("input"));
    Plan plan = plan_case(c, input.shape);
    StateDict sd = init_weights(plan, c.value("seed", 0));
    if (c.contains("state"))
        for (auto& [key, v] : c.at("state").items()) {
            REQUIRE(sd.count(key));
            sd[key] = tensor_of(v);
        }
    RunOptions opt;
    opt.kernels.backend = backend;
    // Train-mode Dropout: PyTorch drew its masks right after torch.manual_seed(dropout_seed).
    TorchGenerator dropout_rng(c.value("dropout_seed", std::uint64_t(0)));
    opt.rng = &dropout_rng;
    RunResult r = execute(plan, sd, input, opt);
    // Several named outputs ("outputs" in the spec): each against PyTorch's, by name (the
    // fixture is read unordered, so which one is first is not known here).
    if (c.contains("outputs")) {
        REQUIRE(plan.outputs.size() == c.at("outputs").size());
        for (std::size_t k = 0; k < plan.outputs.size(); ++k) {
            const std::string& out_name = plan.outputs[k].name;
            CAPTURE(out_name);
            Tensor want = tensor_of(c.at("outputs").at(out_name));
            REQUIRE(r.outputs.at(k).shape == want.shape);
            std::string first;
            CHECK(mismatches(r.outputs[k], want, c.at("tol"), first) == 0);
            CAPTURE(first);
            CHECK(first.empty());
        }
        return;
    }
    Tensor want = tensor_of(c.at("output"));
    REQUIRE(r.output.shape == want.shape);
    std::string first;
    CHECK(mismatches(r.output, want, c.at("tol"), first) == 0);
    CAPTURE(first);
    CHECK(first.empty());
    // The digits `cnnshape run` prints are the ones print(output) shows in PyTorch.
    if (c.contains("printed")) CHECK(format_torch(r.output) == c.at("printed").get<std::string>());
    if (c.contains("indices")) {
        IndexTensor wi = indices_of(c.at("indices"));
        REQUIRE(r.indices.has_value());
        REQUIRE(r.indices->shape == wi.shape);
        CHECK(r.indices->data == wi.data);
    }
}

} // namespace

TEST_CASE("reference kernels reproduce PyTorch on every fixture", "[kernels]") {
    auto family = GENERATE(from_range(cnnshape_test::fixture_families("run", {"init"})));
    CAPTURE(family);
    json doc = fixture(family);
    REQUIRE(doc.at("cases").size() > 0);
    for (auto& c : doc.at("cases"))
        check_case(c, kernels::Backend::Ref);
}

TEST_CASE("the default backend reproduces PyTorch on every fixture", "[kernels]") {
    auto family = GENERATE(from_range(cnnshape_test::fixture_families("run", {"init"})));
    CAPTURE(family);
    json doc = fixture(family);
    for (auto& c : doc.at("cases"))
        check_case(c, kernels::default_backend());
}

TEST_CASE("init_weights draws PyTorch's initial parameters bit for bit", "[kernels][run]") {
    json doc = fixture("init");
    REQUIRE(doc.at("cases").size() >= 5);
    for (auto& c : doc.at("cases")) {
        std::string name = c.at("name").get<std::string>();
        CAPTURE(name);
        Plan plan = cnnshape_test::plan_exprs(c.at("layers").get<std::vector<std::string>>(),
                                              c.at("input_shape").get<Shape>());
        StateDict sd = init_weights(plan, c.at("seed").get<std::uint64_t>());
        for (auto& [key, v] : c.at("state").items()) {
            CAPTURE(key);
            REQUIRE(sd.count(key));
            Tensor want = tensor_of(v);
            REQUIRE(sd[key].shape == want.shape);
            CHECK(std::memcmp(sd[key].ptr(), want.ptr(), want.data.size() * 4) == 0);
        }
    }
}

// Hand-checked rules, independent of the fixtures.
namespace {
Tensor run_exprs(const std::vector<std::string>& exprs, const Tensor& x,
                 kernels::Backend backend = kernels::Backend::Ref,
                 std::optional<IndexTensor>* idx = nullptr) {
    Plan plan = cnnshape_test::plan_exprs(exprs, x.shape);
    RunOptions opt;
    opt.kernels.backend = backend;
    RunResult r = execute(plan, init_weights(plan, 0), x, opt);
    if (idx) *idx = r.indices;
    return r.output;
}

Tensor iota(const Shape& s, float start = 1) {
    Tensor t(s);
    for (std::size_t i = 0; i < t.data.size(); ++i)
        t.data[i] = start + float(i);
    return t;
}
} // namespace

TEST_CASE("max pooling: first maximum wins ties, the last NaN wins, indices per plane",
          "[kernels]") {
    Tensor x({1, 2, 2, 2});
    x.data = {1, 1, 1, 1, NAN, 2, NAN, 3};
    std::optional<IndexTensor> idx;
    Tensor y = run_exprs({"nn.MaxPool2d(2, return_indices=True)"}, x, kernels::Backend::Ref, &idx);
    CHECK(y.data[0] == 1);
    CHECK(std::isnan(y.data[1]));
    REQUIRE(idx);
    CHECK(idx->data == std::vector<std::int64_t, AlignedAllocator<std::int64_t>>{0, 2});
}

TEST_CASE("max pooling: a window entirely in the padding gives -inf and its start index",
          "[kernels]") {
    // in=2, k=2, d=3, p=1: taps -1 and 2 are both outside.
    Tensor x({1, 1, 2});
    x.data = {5, 7};
    std::optional<IndexTensor> idx;
    Tensor y = run_exprs({"nn.MaxPool1d(2, stride=1, padding=1, dilation=3, return_indices=True)"},
                         x, kernels::Backend::Ref, &idx);
    REQUIRE(y.shape == Shape{1, 1, 1});
    CHECK(std::isinf(y.data[0]));
    CHECK(y.data[0] < 0);
    CHECK(idx->data[0] == 2);
}

TEST_CASE("avg pooling: the ceil-mode overhang is not counted as padding", "[kernels]") {
    // SEMANTICS.md: arange(25) 5x5, AvgPool2d(2, 2, ceil_mode=True).
    Tensor x = iota({1, 1, 5, 5}, 0);
    Tensor y = run_exprs({"nn.AvgPool2d(2, stride=2, ceil_mode=True)"}, x);
    std::vector<float> want = {3.0f, 5.0f, 6.5f, 13.0f, 15.0f, 16.5f, 20.5f, 22.5f, 24.0f};
    CHECK(std::vector<float>(y.data.begin(), y.data.end()) == want);
}

TEST_CASE("add broadcasts and concat joins along its dim", "[kernels]") {
    Tensor a = iota({2, 3}), b({3}), y({2, 3});
    b.data = {10, 20, 30};
    kernels::Context ctx{kernels::Backend::Ref, 1};
    kernels::run(ctx, BinaryDesc{},
                 kernels::Io{{a.shape, b.shape}, {a.ptr(), b.ptr()}, {}, y.shape, y.ptr()});
    CHECK(std::vector<float>(y.data.begin(), y.data.end()) ==
          std::vector<float>{11, 22, 33, 14, 25, 36});
    Tensor c({2, 1}), z({2, 4});
    c.data = {-1, -2};
    kernels::run(ctx, ConcatDesc{1},
                 kernels::Io{{a.shape, c.shape}, {a.ptr(), c.ptr()}, {}, z.shape, z.ptr()});
    CHECK(std::vector<float>(z.data.begin(), z.data.end()) ==
          std::vector<float>{1, 2, 3, -1, 4, 5, 6, -2});
}

TEST_CASE("the reference kernels give the same result with any thread count", "[kernels]") {
    Tensor x = iota({2, 4, 9, 9});
    for (auto& v : x.data)
        v = std::sin(v);
    Plan plan = cnnshape_test::plan_exprs({"nn.Conv2d(4, 6, 3, padding=1, groups=2)"}, x.shape);
    StateDict sd = init_weights(plan, 3);
    RunOptions one, four;
    one.kernels = {kernels::Backend::Ref, 1};
    four.kernels = {kernels::Backend::Ref, 4};
    CHECK(execute(plan, sd, x, one).output.data == execute(plan, sd, x, four).output.data);
}

TEST_CASE("CNNSHAPE_BACKEND forces the reference backend", "[kernels]") {
    const char* old = std::getenv("CNNSHAPE_BACKEND");
    std::string saved = old ? old : "";
    setenv("CNNSHAPE_BACKEND", "ref", 1);
    CHECK(kernels::default_backend() == kernels::Backend::Ref);
    setenv("CNNSHAPE_BACKEND", "simd", 1);
    CHECK(kernels::default_backend() == kernels::Backend::SimdWhereHandled);
    CHECK(kernels::make_context("", 3).backend == kernels::Backend::SimdWhereHandled);
    CHECK(kernels::make_context("", 3).threads == 3);
    CHECK(kernels::make_context("ref", 1).backend == kernels::Backend::Ref);
    // An unknown backend is refused, never quietly replaced by the default.
    setenv("CNNSHAPE_BACKEND", "fast", 1);
    CHECK_THROWS_WITH(kernels::default_backend(),
                      "CNNSHAPE_BACKEND 'fast' is not a backend: use ref or simd");
    CHECK(kernels::make_context("ref", 1).backend == kernels::Backend::Ref);
    CHECK_THROWS_WITH(kernels::make_context("vector", 1),
                      "--backend 'vector' is not a backend: use ref or simd");
    if (old)
        setenv("CNNSHAPE_BACKEND", saved.c_str(), 1);
    else
        unsetenv("CNNSHAPE_BACKEND");
    CHECK_FALSE(kernels::simd_arch().empty());
}

TEST_CASE("run refuses an unknown CNNSHAPE_BACKEND or CNNSHAPE_SIMD_ARCH", "[kernels][cli]") {
    struct Restore {
        std::string name, value;
        bool had;
        explicit Restore(const char* n) : name(n) {
            const char* v = std::getenv(n);
            had = v != nullptr;
            value = v ? v : "";
        }
        ~Restore() {
            if (had)
                setenv(name.c_str(), value.c_str(), 1);
            else
                unsetenv(name.c_str());
        }
    } backend("CNNSHAPE_BACKEND"), arch("CNNSHAPE_SIMD_ARCH");
    unsetenv("CNNSHAPE_SIMD_ARCH");
    setenv("CNNSHAPE_BACKEND", "fast", 1);
    auto r = cnnshape::test::run_cli("run --layer \"nn.ReLU()\" --input 4");
    CHECK(r.code == 2);
    CHECK(r.err.find("CNNSHAPE_BACKEND 'fast' is not a backend: use ref or simd") !=
          std::string::npos);
    CHECK(r.out.empty());
    unsetenv("CNNSHAPE_BACKEND");
    setenv("CNNSHAPE_SIMD_ARCH", "avx1024", 1);
    r = cnnshape::test::run_cli("run --layer \"nn.ReLU()\" --input 4 --backend ref");
    CHECK(r.code == 2);
    CHECK(r.err.find("CNNSHAPE_SIMD_ARCH 'avx1024' is not an architecture") != std::string::npos);
    setenv("CNNSHAPE_SIMD_ARCH", "sse2", 1);
    r = cnnshape::test::run_cli("run --layer \"nn.ReLU()\" --input 4 --seed 0");
    CHECK(r.code == 0);
}

// Not run by default ("[.]"): reports, per family, how many cases each backend reproduces bit
// for bit even where the fixture allows a tolerance.
TEST_CASE("report which fixture cases are bit-exact", "[.][exactness]") {
    for (auto backend : {kernels::Backend::Ref, kernels::default_backend()})
        for (const auto& family : cnnshape_test::fixture_families("run", {"init"})) {
            json doc = fixture(family);
            int exact = 0, total = 0;
            double worst = 0; // largest |got - want| / max(|want|, 1e-3) over finite values
            std::string inexact;
            for (auto& c : doc.at("cases")) {
                Tensor input = tensor_of(c.at("input"));
                Plan plan = plan_case(c, input.shape);
                StateDict sd = init_weights(plan, c.value("seed", 0));
                if (c.contains("state"))
                    for (auto& [key, v] : c.at("state").items())
                        sd[key] = tensor_of(v);
                RunOptions opt;
                opt.kernels.backend = backend;
                RunResult r = execute(plan, sd, input, opt);
                std::string first;
                ++total;
                Tensor want = tensor_of(c.at("output"));
                for (std::size_t i = 0; i < want.data.size(); ++i)
                    if (std::isfinite(want.data[i]) && std::isfinite(r.output.data[i]))
                        worst =
                            std::max(worst, std::fabs(double(r.output.data[i]) - want.data[i]) /
                                                std::max(std::fabs(double(want.data[i])), 1e-3));
                if (mismatches(r.output, want, json("exact"), first) == 0)
                    ++exact;
                else
                    inexact += "\n  " + c.at("name").get<std::string>() + ": " + first;
            }
            WARN((backend == kernels::Backend::Ref ? "ref " : "default ")
                 << family << ": " << exact << "/" << total << " bit-exact, worst relative error "
                 << worst << inexact);
        }
}

TEST_CASE("PReLU's weight starts at init and is counted as parameters", "[kernels][run]") {
    Plan plan = cnnshape_test::plan_exprs({"nn.PReLU(3, init=0.1)"}, {2, 3, 4});
    REQUIRE(plan.layers.size() == 1);
    CHECK(plan.layers[0].params == 3);
    CHECK(plan.layers[0].macs == 0);
    StateDict sd = init_weights(plan, 0);
    REQUIRE(sd.count("0.weight"));
    CHECK(sd["0.weight"].shape == Shape{3});
    for (float v : sd["0.weight"].data)
        CHECK(v == 0.1f);
}

TEST_CASE("torchvision.ops.StochasticDepth is one type in every spelling", "[kernels][run]") {
    const LayerType* t = find_layer_type("StochasticDepth");
    REQUIRE(t != nullptr);
    CHECK(find_layer_type("torchvision.ops.StochasticDepth") == t);
    CHECK(find_layer_type("ops.StochasticDepth") == t);
    Plan json = cnnshape_test::plan_json(
        R"({"input": [4, 3], "layers": [{"type": "torchvision.ops.StochasticDepth", "p": 0.2,)"
        R"( "mode": "row"}]})");
    CHECK(json.layers.at(0).type == "StochasticDepth");
    Network py = load_spec_python("import torchvision\nimport torch.nn as nn\nm = nn.Sequential("
                                  "nn.ReLU(), torchvision.ops.StochasticDepth(0.5, 'batch'))\n");
    REQUIRE(py.nodes.size() == 2);
    Network text = load_spec_text("Sequential(\n  (0): StochasticDepth(p=0.2, mode=row)\n)\n");
    Plan tp = make_plan(text, {4, 3});
    CHECK(tp.layers.at(0).type == "StochasticDepth");
    // Train mode plans as eval does; only 'row' on a 0-d input fails, as in torchvision.
    CHECK(cnnshape_test::plan_exprs({"torchvision.ops.StochasticDepth(0.2, 'row')"}, {4, 3},
                                    Mode::Train)
              .output == Shape{4, 3});
    auto e = cnnshape_test::layer_error({"torchvision.ops.StochasticDepth(0.2, 'row')"}, {},
                                        Mode::Train);
    CHECK_THAT(e.what(), Catch::Matchers::Contains("tuple index out of range"));
}
