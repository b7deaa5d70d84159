// The command line as scripts see it: golden outputs for each format, and each exit code.
// Regenerate the golden files with CNNSHAPE_UPDATE_GOLDEN=1 after an intended change.
#include "cli_support.hpp"
#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

using cnnshape::test::check_golden;
using cnnshape::test::run_cli;
using cnnshape::test::slurp;
using cnnshape::test::source_path;

TEST_CASE("plan prints each format as the golden files show", "[cli]") {
    struct Case {
        const char* args;
        const char* golden;
    };
    auto c =
        GENERATE(Case{"plan examples/networks/funnel.json", "funnel.table.txt"},
                 Case{"plan examples/networks/funnel.json --format json", "funnel.json"},
                 Case{"plan examples/networks/funnel.json --format csv", "funnel.csv"},
                 Case{"plan examples/networks/funnel.json --format markdown", "funnel.md"},
                 Case{"plan examples/networks/resnet18.json", "resnet18.table.txt"},
                 Case{"plan --input 1x1x6x6 --layer \"nn.MaxPool2d(kernel_size=2, stride=2)\"",
                      "maxpool_layer.table.txt"},
                 Case{"plan examples/networks/unet_small.json --format csv", "unet_small.csv"});
    CAPTURE(c.args);
    auto r = run_cli(c.args);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    check_golden(c.golden, r.out);
}

TEST_CASE("tables fit 120 columns for the example networks", "[cli]") {
    auto file = GENERATE(as<std::string>{}, "resnet18.json", "mobilenet_v2.json", "vgg16.json",
                         "alexnet.json", "unet_small.json", "lenet5.json");
    CAPTURE(file);
    auto r = run_cli("plan examples/networks/" + file);
    REQUIRE(r.code == 0);
    std::istringstream lines(r.out);
    std::string line;
    while (std::getline(lines, line)) {
        CAPTURE(line);
        CHECK(line.size() <= 120);
    }
}

TEST_CASE("the JSON report has the documented schema", "[cli]") {
    auto r = run_cli("plan examples/networks/resnet18.json --format json");
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    for (auto key : {"cnnshape_version", "schema", "name", "mode", "input_shape", "output_shape",
                     "layers", "totals"})
        CHECK(j.contains(key));
    CHECK(j["output_shape"] == nlohmann::json::array({1, 1000}));
    CHECK(j["totals"]["params"] == 11689512);
    CHECK(j["totals"]["macs"] == 1814073344);
    for (auto& l : j["layers"])
        for (auto key : {"index", "name", "type", "summary", "args", "inputs", "input_shape",
                         "input_shapes", "output_shape", "params", "trainable_params", "buffers",
                         "macs", "output_bytes", "receptive_field"})
            CHECK(l.contains(key));
    CHECK(j["layers"][0]["name"] == "conv1");
    CHECK(j["layers"][0]["args"]["kernel_size"] == 7);
}

TEST_CASE("exit code 1: the network is invalid, with the layer and PyTorch's rule", "[cli]") {
    auto r = run_cli("plan --input 1x1x6x6 --layer \"nn.MaxPool2d(kernel_size=7)\"");
    CHECK(r.code == 1);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains("layer 0 ('0', MaxPool2d)"));
    CHECK_THAT(r.err, Catch::Contains("Given input size: (1x6x6). Calculated output size: "
                                      "(1x0x0). Output size is too small"));

    auto j = run_cli("plan --input 1x1x6x6 --layer \"nn.MaxPool2d(kernel_size=7)\" --format json");
    CHECK(j.code == 1);
    check_golden("error_maxpool7.json", j.out);
    auto e = nlohmann::json::parse(j.out)["error"];
    CHECK(e["layer"] == 0);
    CHECK(e["name"] == "0");
    CHECK(e["type"] == "MaxPool2d");
    CHECK(e["exit_code"] == 1);
}

TEST_CASE("exit code 2: usage errors, unreadable files and malformed specs", "[cli]") {
    struct Case {
        const char* args;
        const char* message;
    };
    auto c =
        GENERATE(Case{"", "cnnshape: a command is required"}, Case{"plan", "nothing to plan"},
                 Case{"plan --bogus", "--bogus"},
                 Case{"plan no/such/file.json", "cannot read 'no/such/file.json'"},
                 Case{"plan examples/networks/funnel.json --input 3xbad", "invalid shape '3xbad'"},
                 Case{"plan examples/networks/funnel.json --layer \"nn.ReLU()\"", "not both"},
                 Case{"plan --layer \"nn.ReLU()\"", "no input shape"},
                 Case{"plan --input 1x3x8x8 --layer \"nn.Conv2d(3, 8, kernal_size=3)\"",
                      "unexpected keyword argument 'kernal_size' (did you mean 'kernel_size'?)"},
                 Case{"plan --input 1x3x8x8 --layer \"nn.Conv2d(3, 8, 3\"", "column"},
                 Case{"plan --input 1x3x8x8 --layer \"nn.Conv4d(3, 8, 3)\"",
                      "unknown layer type 'nn.Conv4d'"},
                 Case{"plan examples/networks/funnel.json --format yaml", "yaml"},
                 Case{"layers Conv4d", "unknown layer type 'Conv4d' (did you mean 'Conv1d'?)"});
    CAPTURE(c.args);
    auto r = run_cli(c.args);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
}

TEST_CASE("exit code 2 with --format json also prints an error object", "[cli]") {
    auto r = run_cli("plan examples/networks/invalid/misspelled_keyword.json --format json");
    CHECK(r.code == 2);
    auto e = nlohmann::json::parse(r.out)["error"];
    CHECK_THAT(e["message"].get<std::string>(), Catch::Contains("kernal_size"));
    CHECK(e["layer"].is_null());
    CHECK(e["exit_code"] == 2);
}

TEST_CASE("a spec on standard input, and pasted Python", "[cli]") {
    std::string python = slurp(source_path("examples/networks/funnel.py"));
    auto r = run_cli("plan - --format json", python);
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["output_shape"] == nlohmann::json::array({16, 26, 26}));
    CHECK(j["input_shape"] == nlohmann::json::array({3, 110, 110})); // from torch.rand(3, 110, 110)

    auto printed = run_cli("plan examples/networks/vgg16_print.txt --input 1,3,224,224 -f json");
    REQUIRE(printed.code == 0);
    CHECK(nlohmann::json::parse(printed.out)["output_shape"] ==
          nlohmann::json::array({1, 512, 7, 7}));
}

TEST_CASE("input shapes in every accepted spelling", "[cli]") {
    auto shape = GENERATE(as<std::string>{}, "1x1x6x6", "1,1,6,6", "'[1, 1, 6, 6]'",
                          "'(1, 1, 6, 6)'", "'torch.Size([1, 1, 6, 6])'");
    CAPTURE(shape);
    auto r = run_cli("plan --input " + shape + " --layer \"MaxPool2d(2, 2)\" -f json");
    REQUIRE(r.code == 0);
    CHECK(nlohmann::json::parse(r.out)["output_shape"] == nlohmann::json::array({1, 1, 3, 3}));
}

TEST_CASE("a 0-d input is the empty list, tuple or torch.Size", "[cli]") {
    auto shape = GENERATE(as<std::string>{}, "'[]'", "'()'", "'torch.Size([])'", "'torch.Size()'");
    CAPTURE(shape);
    auto r = run_cli("plan --input " + shape +
                     " --layer \"nn.ReLU()\" --layer \"nn.Softmax(-1)\" "
                     "-f json");
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["input_shape"] == nlohmann::json::array());
    CHECK(j["output_shape"] == nlohmann::json::array());
    // The table spells the 0-d shape as the list, and --expect-output takes it back.
    auto t = run_cli("plan --input " + shape + " --layer \"nn.Identity()\" --expect-output '[]'");
    CHECK(t.code == 0);
    CHECK_THAT(t.out, Catch::Contains("input [] -> output []"));
    // Layers that need dimensions fail as PyTorch does on a 0-d tensor.
    auto bad = run_cli("plan --input " + shape + " --layer \"nn.MaxPool2d(2)\"");
    CHECK(bad.code == 1);
    CHECK_THAT(bad.err,
               Catch::Contains("non-empty 3D or 4D (batch mode) tensor expected for input"));
}

TEST_CASE("layer expressions take the nn. or torch.nn. prefix or none, in order", "[cli]") {
    auto r =
        run_cli("plan --input 3x110x110 --layer \"torch.nn.Conv2d(3, 8, kernel_size=3)\" "
                "--layer \"nn.MaxPool2d(kernel_size=2, stride=2)\" --layer \"Conv2d(8, 16, 3)\" "
                "--layer \"MaxPool2d(2, 2)\" -f json");
    REQUIRE(r.code == 0);
    CHECK(nlohmann::json::parse(r.out)["output_shape"] == nlohmann::json::array({16, 26, 26}));
}

TEST_CASE("train mode applies BatchNorm's training rule", "[cli]") {
    std::string layers = "--input 1x3x1x1 --layer \"nn.BatchNorm2d(3)\"";
    CHECK(run_cli("plan " + layers).code == 0);
    auto r = run_cli("plan " + layers + " --mode train");
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("Expected more than 1 value per channel when training, got "
                                      "input size torch.Size([1, 3, 1, 1])"));
}

TEST_CASE("version, help and the layer list", "[cli]") {
    auto v = run_cli("--version");
    CHECK(v.code == 0);
    CHECK_THAT(v.out, Catch::StartsWith("cnnshape "));
    auto h = run_cli("plan --help");
    CHECK(h.code == 0);
    CHECK_THAT(h.out, Catch::Contains("--layer"));
    CHECK_THAT(h.out, Catch::Contains("Examples:"));
    auto l = run_cli("layers");
    CHECK(l.code == 0);
    CHECK_THAT(l.out, Catch::Contains("Conv2d(in_channels, out_channels, kernel_size, stride=1, "
                                      "padding=0, dilation=1, groups=1, bias=True, "
                                      "padding_mode='zeros', device=None, dtype=None)"));
    CHECK_THAT(l.out, Catch::Contains("MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, "
                                      "return_indices=False, ceil_mode=False)"));
    auto one = run_cli("layers nn.AvgPool2d");
    CHECK(one.code == 0);
    CHECK(one.out == "AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False, "
                     "count_include_pad=True, divisor_override=None)\n");
}
