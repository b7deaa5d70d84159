// Every example network plans to the totals PyTorch/torchvision give (examples/networks/
// expected.json, written by tools/verify_examples.py), and every spec in invalid/ fails with
// its exit code and message.
#include "cli_support.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"
#include <catch2/catch.hpp>
#include <dirent.h>
#include <nlohmann/json.hpp>

using namespace cnnshape;
using cnnshape::test::run_cli;
using cnnshape::test::slurp;
using cnnshape::test::source_path;

TEST_CASE("example networks match PyTorch's totals", "[examples]") {
    auto expected = nlohmann::json::parse(slurp(source_path("examples/networks/expected.json")));
    REQUIRE(expected.size() >= 15);
    for (const auto& e : expected) {
        std::string file = e["file"];
        CAPTURE(file);
        Network net = load_spec_file(source_path("examples/networks/" + file));
        Shape input = e["input"].get<Shape>();
        if (net.input) CHECK(*net.input == input); // the spec's own input where it has one
        Plan p = make_plan(net, input);
        CHECK(p.output == e["output"].get<Shape>());
        CHECK(p.totals.params == e["params"].get<std::int64_t>());
        CHECK(p.totals.trainable_params == e["trainable_params"].get<std::int64_t>());
        CHECK(p.totals.buffers == e["buffers"].get<std::int64_t>());
        CHECK(p.totals.macs == e["macs"].get<std::int64_t>());
    }
}

TEST_CASE("torchvision's published totals", "[examples]") {
    struct Case {
        const char* file;
        std::int64_t params;
    };
    auto c = GENERATE(Case{"alexnet.json", 61100840}, Case{"vgg16.json", 138357544},
                      Case{"resnet18.json", 11689512}, Case{"mobilenet_v2.json", 3504872});
    CAPTURE(c.file);
    Network net = load_spec_file(source_path(std::string("examples/networks/") + c.file));
    Plan p = make_plan(net, {1, 3, 224, 224});
    CHECK(p.totals.params == c.params);
    CHECK(p.output == Shape{1, 1000});
    if (std::string(c.file) == "resnet18.json") {
        CHECK(p.totals.macs == 1814073344); // torchvision: 1.81 GFLOPS (multiply-adds)
        // 4.8k BatchNorm running statistics + 20 num_batches_tracked
        CHECK(p.totals.buffers == 9620);
    }
}

TEST_CASE("the seed tutorials' answers", "[examples]") {
    auto plan_of = [](const char* file) {
        Network net = load_spec_file(source_path(std::string("examples/networks/") + file));
        return make_plan(net, *net.input);
    };
    CHECK(plan_of("maxpool_6x6.json").output == Shape{1, 1, 3, 3});
    CHECK(plan_of("pool_4x4_max.json").output == Shape{1, 1, 2, 2});
    CHECK(plan_of("pool_4x4_avg.json").output == Shape{1, 1, 2, 2});
    CHECK(plan_of("funnel.json").output == Shape{16, 26, 26});
    CHECK(plan_of("funnel.py").output == Shape{16, 26, 26});
    CHECK(plan_of("funnel_stride2.json").output == Shape{16, 26, 26});
    CHECK(plan_of("funnel_no_pool.json").output == Shape{16, 106, 106});
    CHECK(plan_of("adaptive_avg_7x7.json").output == Shape{2, 3, 7, 7});
    CHECK(plan_of("adaptive_max_7x7.json").output == Shape{2, 3, 7, 7});
}

TEST_CASE("invalid example specs fail with their exit code and message", "[examples][cli]") {
    std::string dir = source_path("examples/networks/invalid");
    DIR* d = opendir(dir.c_str());
    REQUIRE(d);
    std::vector<std::string> names;
    while (dirent* ent = readdir(d)) {
        std::string n = ent->d_name;
        if (n.size() > 9 && n.substr(n.size() - 9) == ".expected")
            names.push_back(n.substr(0, n.size() - 9));
    }
    closedir(d);
    REQUIRE(names.size() >= 12);
    for (auto& name : names) {
        CAPTURE(name);
        std::string spec;
        for (auto ext : {".json", ".py", ".txt"})
            if (std::ifstream(dir + "/" + name + ext).good())
                spec = "examples/networks/invalid/" + name + ext;
        REQUIRE(!spec.empty());
        std::istringstream exp(slurp(dir + "/" + name + ".expected"));
        int code;
        std::string substring;
        exp >> code;
        std::getline(exp >> std::ws, substring);
        auto r = run_cli("plan " + spec);
        CHECK(r.code == code);
        CHECK_THAT(r.err, Catch::Contains(substring));
        CHECK(r.out.empty()); // nothing half-written on stdout
    }
}
