// `cnnshape run` and the executor: printing as PyTorch prints, inputs from shapes, files and
// literals, weights from the seed or from files, memory accounting, and exit codes.
#include "cli_support.hpp"
#include "cnnshape/execute.hpp"
#include "cnnshape/run_setup.hpp"
#include "cnnshape/tensor_io.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

using cnnshape::test::run_cli;
using cnnshape::test::slurp;
using namespace cnnshape;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/cnnshape-run-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return path + "/" + name; }
};

const char* kMaxPool4x4 = "run --layer \"nn.MaxPool2d(2, 2)\" --input "
                          "'[[[[1.0,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]]]'";

} // namespace

TEST_CASE("run prints the output exactly as print(output) does in PyTorch", "[run][cli]") {
    auto r = run_cli(kMaxPool4x4);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK(r.out == "tensor([[[[ 6.,  8.],\n          [14., 16.]]]])\n");
}

TEST_CASE("run fills a shape with arange (1, 2, 3, ...) like the literal 4x4 input", "[run][cli]") {
    auto literal = run_cli(kMaxPool4x4);
    auto filled = run_cli("run --layer \"nn.MaxPool2d(2, 2)\" --input 1x1x4x4 --fill arange");
    CHECK(filled.code == 0);
    CHECK(filled.out == literal.out);
}

TEST_CASE("run prints values and indices as the tuple PyTorch returns", "[run][cli]") {
    auto r = run_cli("run --layer \"nn.MaxPool2d(2, 2, return_indices=True)\" --input 1x1x4x4 "
                     "--fill arange");
    CHECK(r.code == 0);
    CHECK(r.out == "(tensor([[[[ 6.,  8.],\n          [14., 16.]]]]), tensor([[[[ 5,  7],\n"
                   "          [13, 15]]]]))\n");
}

TEST_CASE("run reads inputs from .npy and .json files", "[run][cli]") {
    TempDir dir;
    Tensor t({1, 1, 4, 4});
    for (int i = 0; i < 16; ++i)
        t.data[i] = float(i + 1);
    write_npy(dir / "x.npy", t);
    std::ofstream(dir / "x.json") << "[[[[1.0,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]]]";
    auto want = run_cli(kMaxPool4x4).out;
    for (const char* f : {"x.npy", "x.json"}) {
        CAPTURE(f);
        auto r = run_cli("run --layer \"nn.MaxPool2d(2, 2)\" --input " + dir / f);
        CHECK(r.code == 0);
        CHECK(r.out == want);
    }
    auto missing = run_cli("run --layer \"nn.ReLU()\" --input " + dir / "nope.npy");
    CHECK(missing.code == 2);
}

TEST_CASE("run --output and --indices write .npy files with the printed values", "[run][cli]") {
    TempDir dir;
    auto r = run_cli("run --layer \"nn.MaxPool2d(2, 2, return_indices=True)\" --input 1x1x4x4 "
                     "--fill arange --output " +
                     dir / "y.npy" + " --indices " + dir / "i.npy");
    REQUIRE(r.code == 0);
    LoadedTensor y = read_npy(dir / "y.npy");
    CHECK(y.tensor.shape == Shape{1, 1, 2, 2});
    CHECK(std::vector<float>(y.tensor.data.begin(), y.tensor.data.end()) ==
          std::vector<float>{6, 8, 14, 16});
    LoadedTensor i = read_npy(dir / "i.npy");
    CHECK(std::vector<float>(i.tensor.data.begin(), i.tensor.data.end()) ==
          std::vector<float>{5, 7, 13, 15});
    auto no_idx =
        run_cli("run --layer \"nn.MaxPool2d(2)\" --input 1x1x4x4 --indices " + dir / "j.npy");
    CHECK(no_idx.code == 2);
    CHECK_FALSE(fs::exists(dir / "j.npy"));
}

TEST_CASE("run --save-all writes every layer's output by name", "[run][cli]") {
    TempDir dir;
    auto r = run_cli("run examples/networks/lenet5.json --save-all " + dir / "acts");
    REQUIRE(r.code == 0);
    for (const char* name : {"c1", "tanh1", "s2", "flatten", "output"})
        CHECK(fs::exists(dir / (std::string("acts/") + name + ".npy")));
    LoadedTensor last = read_npy(dir / "acts/output.npy");
    CHECK(last.tensor.shape == Shape{1, 10});
}

TEST_CASE("run --format json reports shape, values, stats, backend and timing", "[run][cli]") {
    auto r = run_cli("run --layer \"nn.AvgPool2d(2)\" --input 1x1x4x4 --fill arange --format json "
                     "--repeat 3 --backend ref");
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["output_shape"] == nlohmann::json::array({1, 1, 2, 2}));
    CHECK(j["output"][0][0][0][0] == 3.5);
    CHECK(j["stats"]["max"] == 13.5);
    CHECK(j["backend"] == "ref");
    CHECK(j["timing"]["runs"] == 3);
    CHECK(j["timing"]["median_ms"].get<double>() >= j["timing"]["min_ms"].get<double>());
}

TEST_CASE("run summarises large outputs and names the backend on stderr", "[run][cli]") {
    auto r = run_cli("run --layer \"nn.ReLU()\" --input 2x1000 --fill ones --backend ref");
    REQUIRE(r.code == 0);
    CHECK(r.out.find("torch.Size([2, 1000]), 2000 values") != std::string::npos);
    CHECK(r.out.find("min 1, max 1, mean 1") != std::string::npos);
    CHECK(r.err == "backend: ref\n");
}

TEST_CASE("run uses the seed: torch.manual_seed(S) weights and torch.randn input", "[run][cli]") {
    // Both the LeNet-5 output and the numbers are checked against PyTorch in the fixtures; here
    // the CLI must agree with the library and differ between seeds.
    auto a = run_cli("run examples/networks/lenet5.json --seed 0");
    auto b = run_cli("run examples/networks/lenet5.json --seed 1");
    CHECK(a.code == 0);
    CHECK(a.out == "tensor([[-0.0272, -0.0650,  0.0321,  0.0830, -0.0605,  0.0007, -0.0695,  "
                   "0.0588,\n          0.0052,  0.0863]])\n");
    CHECK(a.out != b.out);
}

TEST_CASE("run takes a 0-d input given as the empty list, tuple or torch.Size", "[run][cli]") {
    // PyTorch: torch.manual_seed(0); print(nn.ReLU()(torch.randn([]))) and, in train mode,
    // print(nn.Dropout()(torch.randn([]))) after torch.manual_seed(0).
    auto shape = GENERATE(as<std::string>{}, "'[]'", "'()'", "'torch.Size([])'");
    CAPTURE(shape);
    auto r = run_cli("run --layer \"nn.ReLU()\" --layer \"nn.Identity()\" --input " + shape);
    CHECK(r.code == 0);
    CHECK(r.out == "tensor(1.5410)\n");
    auto d = run_cli("run --layer \"nn.Dropout()\" --mode train --seed 0 --input " + shape);
    CHECK(d.code == 0);
    CHECK(d.out == "tensor(3.0820)\n");
    auto bad = run_cli("run --layer \"nn.Conv2d(1, 1, 1)\" --input " + shape);
    CHECK(bad.code == 1);
    CHECK_THAT(bad.err, Catch::Contains("Expected 3D (unbatched) or 4D (batched) input to conv2d, "
                                        "but got input of size: []"));
}

TEST_CASE("run prints bicubic upsampling with PyTorch's digits (test_nn.py's case)", "[run][cli]") {
    // tests/data/run/bicubic.json starts with test_upsamplingBicubic2d: arange(8).view(1, 2, 2, 2)
    // upsampled by 2, and records what print(output) printed in PyTorch.
    auto doc = nlohmann::json::parse(slurp(std::string(CNNSHAPE_TEST_DATA) + "/run/bicubic.json"));
    const auto& c = doc.at("cases").at(0);
    REQUIRE(c.at("name").get<std::string>().rfind("test_nn test_upsamplingBicubic2d", 0) == 0);
    auto r = run_cli("run --layer \"" + c.at("layers").at(0).get<std::string>() +
                     "\" --input '[[[[0.0, 1], [2, 3]], [[4, 5], [6, 7]]]]'");
    CHECK(r.code == 0);
    CHECK(r.out == c.at("printed").get<std::string>() + "\n");
}

TEST_CASE("run --seed: torch.manual_seed's range, a negative seed wraps, past it exit 2",
          "[run][cli]") {
    const std::string net = "run --layer \"nn.Linear(3, 2)\" --input 2x3";
    auto minus_one = run_cli(net + " --seed -1");
    auto max64 = run_cli(net + " --seed 18446744073709551615");
    CHECK(minus_one.code == 0);
    CHECK(minus_one.out == max64.out);
    CHECK(run_cli(net + " --seed=-9223372036854775808").out ==
          run_cli(net + " --seed 9223372036854775808").out);
    for (const char* s :
         {"18446744073709551616", "99999999999999999999999", "-9223372036854775809"}) {
        CAPTURE(s);
        auto r = run_cli(net + " --seed " + s);
        CHECK(r.code == 2);
        CHECK(r.out.empty());
        CHECK_THAT(r.err, Catch::Contains(std::string("--seed ") + s + " is out of range"));
        CHECK_THAT(r.err, Catch::Contains("Overflow when unpacking long"));
    }
    auto frac = run_cli(net + " --seed 1.5");
    CHECK(frac.code == 2);
    CHECK_THAT(frac.err, Catch::Contains("--seed '1.5' is not an integer"));
}

TEST_CASE("run loads weights from a directory of KEY.npy files", "[run][cli]") {
    TempDir dir;
    fs::create_directories(dir / "w");
    Plan plan =
        make_plan(load_spec_file(cnnshape::test::source_path("examples/networks/lenet5.json")),
                  {1, 1, 32, 32});
    StateDict sd = init_weights(plan, 7);
    for (auto& [key, t] : sd)
        write_npy(dir / ("w/" + key + ".npy"), t);
    auto seeded =
        run_cli("run examples/networks/lenet5.json --seed 7 --input 1x1x32x32 --fill ones");
    auto loaded = run_cli("run examples/networks/lenet5.json --weights " + dir / "w" +
                          " --input 1x1x32x32 --fill ones");
    CHECK(loaded.code == 0);
    CHECK(loaded.out == seeded.out);

    // A missing key is refused as load_state_dict(strict=True) would, unless --no-strict.
    fs::remove(dir / "w/f5.bias.npy");
    write_npy(dir / "w/extra.npy", Tensor({2}));
    auto strict = run_cli("run examples/networks/lenet5.json --weights " + dir / "w");
    CHECK(strict.code == 2);
    CHECK(strict.err.find("Missing key(s) in state_dict: \"f5.bias\".") != std::string::npos);
    CHECK(strict.err.find("Unexpected key(s) in state_dict: \"extra\".") != std::string::npos);
    auto lax = run_cli("run examples/networks/lenet5.json --no-strict --weights " + dir / "w");
    CHECK(lax.code == 0);

    // A wrong shape gives PyTorch's size mismatch message.
    write_npy(dir / "w/f5.bias.npy", Tensor({3}));
    auto bad = run_cli("run examples/networks/lenet5.json --weights " + dir / "w");
    CHECK(bad.code == 2);
    CHECK(bad.err.find("size mismatch for f5.bias: copying a param with shape torch.Size([3]) "
                       "from checkpoint, the shape in current model is torch.Size([120]).") !=
          std::string::npos);
}

TEST_CASE("run exit codes: 1 invalid network, 2 usage, 5 memory limit", "[run][cli]") {
    CHECK(run_cli("run --layer \"nn.Conv2d(3, 8, 3)\" --input 1x4x8x8").code == 1);
    CHECK(run_cli("run --layer \"nn.ReLU()\"").code == 2);
    CHECK(run_cli("run --layer \"nn.ReLU()\" --input '[[1.0, 2.0], [3.0]]'").code == 2);
    auto mem = run_cli("run --layer \"nn.ReLU()\" --input 1x3x64x64 --memory-limit 1000");
    CHECK(mem.code == 5);
    CHECK(mem.err.find("more than the limit of 1000 bytes (1.00 KB)") != std::string::npos);
    CHECK(mem.err.find("98304 bytes (98.30 KB)") != std::string::npos);
    // Train-mode Dropout draws PyTorch's mask (it was refused before): it runs.
    auto drop = run_cli("run --layer \"nn.Dropout(0.5)\" --input 4 --mode train --seed 0");
    CHECK(drop.code == 0);
    CHECK(drop.err.empty());
    CHECK(run_cli("run --layer \"nn.Dropout(0.5)\" --input 4").code == 0);
}

TEST_CASE("batch norm in train mode uses the batch statistics", "[run][cli]") {
    auto r = run_cli("run --layer \"nn.BatchNorm1d(1)\" --input '[[1.0], [3.0]]' --mode train");
    CHECK(r.code == 0);
    CHECK(r.out == "tensor([[-1.0000],\n        [ 1.0000]])\n");
}

TEST_CASE("every example network runs", "[run][cli]") {
    for (auto& e : fs::directory_iterator(cnnshape::test::source_path("examples/networks"))) {
        if (e.path().extension() != ".json" || e.path().filename() == "expected.json") continue;
        CAPTURE(e.path().filename().string());
        auto r = run_cli("run " + e.path().string() + " --threads 2");
        CHECK(r.code == 0);
        CHECK_FALSE(r.out.empty());
    }
}

TEST_CASE("activations are freed after their last consumer", "[run]") {
    Network net = load_spec_file(cnnshape::test::source_path("examples/networks/unet_small.json"));
    Plan plan = make_plan(net, *net.input);
    std::int64_t lean = planned_peak_bytes(plan, false), all = planned_peak_bytes(plan, true);
    CHECK(lean < all);
    CHECK(all == plan.totals.activation_bytes + plan.totals.input_bytes + [&] {
        std::int64_t w = 0;
        for (auto& lp : plan.layers)
            for (auto& t : lp.tensors)
                w += numel(t.shape) * 4;
        return w;
    }());
    Tensor x(plan.input, 0.5f);
    RunOptions opt;
    opt.kernels.backend = kernels::Backend::Ref;
    RunResult r = execute(plan, init_weights(plan, 0), x, opt);
    CHECK(r.peak_bytes == lean);
    CHECK(r.output.shape == plan.output);
    opt.keep_all = true;
    RunResult kept = execute(plan, init_weights(plan, 0), x, opt);
    CHECK(kept.peak_bytes == all);
    CHECK(kept.layer_outputs.size() == plan.layers.size());
    CHECK(kept.output.data == r.output.data);
    opt.max_bytes = lean - 1;
    opt.keep_all = false;
    CHECK_THROWS_AS(execute(plan, init_weights(plan, 0), x, opt), ResourceError);
}

// Found by fuzz/fuzz_run.cpp: parameter bytes past 64 bits were a bare ShapeError out of
// make_plan (which promises LayerError), and a plan whose tensors add up to more than 64 bits of
// bytes overflowed planned_peak_bytes (undefined behaviour; the peak wrapped around).
TEST_CASE("byte totals past 64 bits: a LayerError from the plan, a saturated planned peak",
          "[run]") {
    const std::int64_t big = std::int64_t(1) << 31;
    Network wide = load_spec_json(R"({"input": [1, 2147483648], "layers": [
        {"type": "Linear", "in_features": 2147483648, "out_features": 2147483648}]})");
    try {
        (void)make_plan(wide, {1, big});
        FAIL("make_plan accepted 2^62 parameters");
    } catch (const LayerError& e) {
        CHECK(e.index() == 0);
        CHECK(std::string(e.what()).find("(totals)") != std::string::npos);
    }
    // 6 EiB of weights and 8 EiB of activations: each total fits in 64 bits, their sum does not.
    Network net = load_spec_json(R"({"input": [1, 1, 1073741824], "layers": [
        {"type": "Upsample", "scale_factor": 1073741824, "mode": "nearest"},
        {"type": "AdaptiveAvgPool1d", "output_size": 1},
        {"type": "Flatten"},
        {"type": "Linear", "in_features": 1, "out_features": 864691128455135232}]})");
    Plan plan = make_plan(net, *net.input);
    const std::int64_t max = std::numeric_limits<std::int64_t>::max();
    CHECK(planned_peak_bytes(plan, false) == max);
    CHECK(planned_peak_bytes(plan, true) == max);
    auto r = run_cli("run --layer \"nn.Upsample(scale_factor=1073741824)\" --layer "
                     "\"nn.AdaptiveAvgPool1d(1)\" --layer \"nn.Flatten()\" --layer "
                     "\"nn.Linear(1, 864691128455135232)\" --input 1x1x1073741824");
    CHECK(r.code == 5);
    CHECK(r.err.find("refusing to run") != std::string::npos);
    CHECK(r.err.find(std::to_string(max) + " bytes") != std::string::npos);
}

// Found by fuzz/fuzz_run.cpp: PyTorch checks BatchNorm's num_features against the channels only
// for a non-empty input, and the kernel read num_features-sized tensors for every input channel
// (out of bounds under AddressSanitizer: tools/sanitize.sh).
TEST_CASE("BatchNorm of an empty batch whose channels differ from num_features", "[run]") {
    // Alone, and after a convolution (the SIMD backend runs Conv -> BatchNorm -> ReLU as one).
    for (const char* layers : {R"([{"type": "BatchNorm2d", "num_features": 8}, {"type": "ReLU"}])",
                               R"([{"type": "Conv2d", "in_channels": 9, "out_channels": 9,
                                    "kernel_size": 1}, {"type": "BatchNorm2d", "num_features": 8},
                                   {"type": "ReLU"}])"})
        for (const char* mode : {"eval", "train"}) {
            Network net = load_spec_json(std::string(R"({"input": [0, 9, 4, 4], "mode": ")") +
                                         mode + R"(", "layers": )" + layers + "}");
            Plan plan = make_plan(net, *net.input);
            for (auto backend : {kernels::Backend::Ref, kernels::Backend::SimdWhereHandled}) {
                CAPTURE(layers, mode, int(backend));
                RunOptions opt;
                opt.kernels.backend = backend;
                RunResult r = execute(plan, init_weights(plan, 0), Tensor(plan.input), opt);
                CHECK(r.output.shape == Shape{0, 9, 4, 4});
                CHECK(r.output.size() == 0);
            }
        }
}

TEST_CASE("run loads weights from a .safetensors file", "[run][cli]") {
    TempDir dir;
    // Linear(3, 2): weight [[1, 0, 0], [0, 1, 1]], bias [0.5, -1].
    std::vector<float> values = {1, 0, 0, 0, 1, 1, 0.5f, -1};
    std::string header = R"({"0.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
                         R"("0.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}})";
    {
        std::ofstream f(dir / "w.safetensors", std::ios::binary);
        std::uint64_t n = header.size();
        for (int i = 0; i < 8; ++i)
            f.put(char((n >> (8 * i)) & 0xff));
        f << header;
        f.write(reinterpret_cast<const char*>(values.data()), values.size() * 4);
    }
    auto r = run_cli("run --layer \"nn.Linear(3, 2)\" --input '[1.0, 2.0, 3.0]' --weights " +
                     dir / "w.safetensors");
    CHECK(r.code == 0);
    CHECK(r.out == "tensor([1.5000, 4.0000])\n");
}

TEST_CASE("run's decisions are library calls: input, notes, limits, strict loading", "[run]") {
    RunInput shape = read_run_input("1x3x4x4");
    CHECK(shape.shape == Shape{1, 3, 4, 4});
    CHECK(!shape.tensor);
    RunInput list = read_run_input("[1, 3, 4, 4]"); // a flat list of integers is a shape
    CHECK(list.shape == Shape{1, 3, 4, 4});
    RunInput values = read_run_input("[[1.0, 2.0]]");
    REQUIRE(values.tensor);
    CHECK(values.tensor->shape == Shape{1, 2});
    RunInput code = read_run_input("torch.rand(2, 3)");
    CHECK(code.shape == Shape{2, 3});
    CHECK(code.fill == "rand");
    CHECK_THROWS_AS(read_run_input("missing.npy"), UsageError);

    TorchGenerator g(0);
    Tensor a = make_input({4}, "arange", g);
    CHECK(std::vector<float>(a.data.begin(), a.data.end()) == std::vector<float>{1, 2, 3, 4});
    CHECK(nonfinite_note(a).empty());
    a.data[2] = std::numeric_limits<float>::infinity();
    CHECK(nonfinite_note(a) == "the input holds 0 NaN and 1 infinite values (the first at index "
                               "[2]); they propagate as in PyTorch");

    CHECK(bytes_text(999) == "999 bytes");
    CHECK(bytes_text(98304) == "98304 bytes (98.30 KB)");

    Network net = network_from_exprs({"nn.MaxPool2d(2, return_indices=True)"});
    Plan pooled = make_plan(net, {1, 1, 4, 4});
    CHECK_NOTHROW(check_returns_indices(pooled));
    Plan relu = make_plan(network_from_exprs({"nn.ReLU()"}), {1, 1, 4, 4});
    CHECK_THROWS_AS(check_returns_indices(relu), UsageError);
    std::int64_t peak = planned_peak_bytes(relu, false);
    CHECK_NOTHROW(check_memory_limit(relu, false, peak));
    CHECK_NOTHROW(check_memory_limit(relu, false, 0)); // no limit
    CHECK_THROWS_AS(check_memory_limit(relu, false, peak - 1), ResourceError);

    WeightLoadReport rep;
    CHECK(state_dict_mismatch(rep).empty());
    rep.missing_keys = {"0.weight", "0.bias"};
    rep.unexpected_keys = {"1.weight"};
    CHECK(state_dict_mismatch(rep) ==
          "Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: "
          "\"0.weight\", \"0.bias\". \n\tUnexpected key(s) in state_dict: \"1.weight\". ");
    CHECK(state_dict_mismatch(rep, true).rfind("\n\tMissing key(s)", 0) == 0);
}
