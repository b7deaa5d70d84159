// The torchvision zoo (examples/networks/zoo/, written by tools/gen_zoo.py from torch.fx traces):
// every committed spec plans to the output shape, params, buffers and MACs PyTorch gives
// (tests/data/zoo/expected.json, computed from the torchvision models alone: parameters(),
// buffers() and forward hooks on the convolutions and linear layers), and the status file lists
// exactly the specs that are there.
#include "cli_support.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include "cnnshape/tensor_io.hpp"
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <nlohmann/json.hpp>
#include <set>
#include <unistd.h>

using namespace cnnshape;
using cnnshape::test::run_cli;
using cnnshape::test::slurp;
using cnnshape::test::source_path;

namespace {

nlohmann::json read_json(const std::string& rel) {
    return nlohmann::json::parse(slurp(source_path(rel)));
}

std::set<std::string> zoo_specs() {
    std::string dir = source_path("examples/networks/zoo");
    std::set<std::string> names;
    DIR* d = opendir(dir.c_str());
    if (!d) return names;
    while (dirent* ent = readdir(d)) {
        std::string n = ent->d_name;
        if (n.size() > 5 && n.substr(n.size() - 5) == ".json" && n != "status.json")
            names.insert(n.substr(0, n.size() - 5));
    }
    closedir(d);
    return names;
}

std::string fnv1a64(const std::string& text) {
    std::uint64_t h = 0xCBF29CE484222325ull;
    for (unsigned char c : text)
        h = (h ^ c) * 0x100000001B3ull;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

} // namespace

TEST_CASE("zoo: the status file lists exactly the committed specs", "[zoo]") {
    auto status = read_json("examples/networks/zoo/status.json");
    auto expected = read_json("tests/data/zoo/expected.json");
    // torchvision 0.14: 80 classification models and 6 segmentation models
    CHECK(status.size() == 86);
    CHECK(expected.size() == 86);
    std::set<std::string> converted;
    for (auto& [name, s] : status.items()) {
        CAPTURE(name);
        CHECK(expected.contains(name));
        if (s["converted"].get<bool>()) {
            converted.insert(name);
            CHECK(s["unsupported"].empty());
        } else {
            CHECK(!s["unsupported"].empty()); // a model left out says why
        }
    }
    CHECK(zoo_specs() == converted);
}

TEST_CASE("zoo: every converted torchvision model plans to PyTorch's totals", "[zoo]") {
    auto expected = read_json("tests/data/zoo/expected.json");
    auto names = zoo_specs();
    REQUIRE(names.size() >= 40);
    for (const auto& name : names) {
        CAPTURE(name);
        REQUIRE(expected.contains(name));
        const auto& e = expected[name];
        Network net = load_spec_file(source_path("examples/networks/zoo/" + name + ".json"));
        Shape input = e["input"].get<Shape>();
        REQUIRE(net.input);
        CHECK(*net.input == input);
        Plan p = make_plan(net, input);
        CHECK(p.output == e["output"].get<Shape>());
        CHECK(p.totals.params == e["params"].get<std::int64_t>());
        CHECK(p.totals.trainable_params == e["trainable_params"].get<std::int64_t>());
        CHECK(p.totals.buffers == e["buffers"].get<std::int64_t>());
        // MACs the hooks cannot see (a matrix product outside a module) leave the count unchecked
        if (!e.contains("macs_unchecked")) CHECK(p.totals.macs == e["macs"].get<std::int64_t>());
        // the layers' tensors are torchvision's state_dict, key for key and shape for shape, so
        // `run --weights` loads it strictly
        std::vector<std::string> keys;
        for (const auto& lp : p.layers)
            for (const auto& t : lp.tensors) {
                if (!t.persistent) continue; // counted in buffers(), not in the state_dict
                // a Parameter or Buffer layer's key is its own name (encoder.pos_embedding)
                std::string k = (t.name.empty() ? lp.name : lp.name + "." + t.name) + ":";
                for (std::size_t i = 0; i < t.shape.size(); ++i)
                    k += (i ? "," : "") + std::to_string(t.shape[i]);
                keys.push_back(k);
            }
        std::sort(keys.begin(), keys.end());
        std::string joined;
        for (std::size_t i = 0; i < keys.size(); ++i)
            joined += (i ? "\n" : "") + keys[i];
        CHECK(keys.size() == e["state_dict"]["keys"].get<std::size_t>());
        CHECK(fnv1a64(joined) == e["state_dict"]["fnv1a64"].get<std::string>());
    }
}

// `cnnshape run SPEC --seed 0` builds its weights as torch.manual_seed(0) and each layer's
// reset_parameters() in order; tests/data/zoo/run.json holds what PyTorch's eval forward of the
// torchvision model gives with its modules initialised that way (tools/gen_zoo.py
// --run-fixtures), so no weight files are committed. Convolutions agree to 1e-4 relative.
TEST_CASE("zoo: seeded runs of small torchvision models match PyTorch's forward", "[zoo][run]") {
    auto cases = read_json("tests/data/zoo/run.json");
    REQUIRE(cases.size() >= 3);
    char dir[] = "/tmp/cnnshape-zoo-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::string out = std::string(dir) + "/out.npy";
    for (const auto& c : cases) {
        for (const char* backend : {"ref", "simd"}) {
            std::string model = c["model"];
            CAPTURE(model, backend);
            Shape in = c["input"].get<Shape>();
            std::string shape;
            for (auto d : in)
                shape += (shape.empty() ? "" : "x") + std::to_string(d);
            auto r = run_cli("run examples/networks/zoo/" + model + ".json --input " + shape +
                             " --seed " + std::to_string(c["seed"].get<long long>()) +
                             " --backend " + backend + " --output " + out);
            REQUIRE(r.code == 0);
            Tensor got = read_npy(out).tensor;
            CHECK(got.shape == c["output_shape"].get<Shape>());
            auto want = c["output"].get<std::vector<double>>();
            REQUIRE(got.data.size() == want.size());
            double scale = 0, diff = 0;
            for (std::size_t i = 0; i < want.size(); ++i) {
                scale = std::max(scale, std::fabs(want[i]));
                diff = std::max(diff, std::fabs(double(got.data[i]) - want[i]));
            }
            CAPTURE(diff, scale);
            CHECK(scale > 0);
            CHECK(diff <= 1e-4 * scale);
        }
    }
    std::system((std::string("rm -rf '") + dir + "'").c_str());
}
