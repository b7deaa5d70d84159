// Unit tests for every layer type: output shapes (batched and unbatched), parameter, buffer and MAC
// counts, inferred channel counts, PyTorch's error rules, construction-before-forward ordering,
// train/eval mode and receptive fields.
//
// Every expected number was produced by PyTorch 1.13.1 (/usr/bin/python3: build the module, run it
// on torch.zeros(shape), count parameters() and buffers(), MACs by the convention below), except
// where PyTorch 2.x differs from 1.13; those cases take the 2.x rule from /work/shared/SEMANTICS.md
// or from the 2.x source it cites, and say so.
// MACs: Conv = output elements x in/groups x kernel volume; ConvTranspose = input elements x
// out/groups x kernel volume; Linear = output elements x in_features; everything else 0.
#include "support.hpp"

#include "cnnshape/error.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

using namespace cnnshape;
using namespace cnnshape_test;
using Catch::Contains;

namespace {

struct ShapeCase {
    const char* expr;
    Shape in, out;
    std::int64_t params, buffers, macs;
};

void check_shape_case(const ShapeCase& c) {
    CAPTURE(c.expr, c.in);
    Plan p = plan_exprs({c.expr}, c.in);
    REQUIRE(p.layers.size() == 1);
    const LayerPlan& l = p.layers[0];
    CHECK(p.output == c.out);
    CHECK(l.output == c.out);
    CHECK(l.input_shapes == std::vector<Shape>{c.in});
    CHECK(l.params == c.params);
    CHECK(l.trainable_params == c.params);
    CHECK(l.buffers == c.buffers);
    CHECK(l.macs == c.macs);
    CHECK(p.totals.params == c.params);
    CHECK(p.totals.buffers == c.buffers);
    CHECK(p.totals.macs == c.macs);
}

// A layer that fails: the rule must contain every part (PyTorch's words and numbers).
struct ErrCase {
    const char* expr;
    Shape in;
    std::vector<std::string> parts;
};

// "nn.Conv2d(3, 8, 3)" -> "Conv2d"
std::string type_of(const std::string& expr) {
    auto b = expr.find("nn.") + 3;
    return expr.substr(b, expr.find('(') - b);
}

void check_error_case(const ErrCase& c, Mode mode = Mode::Eval) {
    CAPTURE(c.expr, c.in);
    LayerError e = layer_error({c.expr}, c.in, mode);
    CAPTURE(e.rule());
    CHECK(e.index() == 0);
    CHECK(e.name() == "0");
    CHECK(e.type() == type_of(c.expr));
    for (auto& part : c.parts)
        CHECK_THAT(e.rule(), Contains(part));
}

// ---- shape tables (PyTorch 1.13.1)
// ----------------------------------------------------------------

const std::vector<ShapeCase> kConv = {
    // Conv1d
    {"nn.Conv1d(4, 8, 3)", {2, 4, 10}, {2, 8, 8}, 104, 0, 1536},
    {"nn.Conv1d(4, 8, 3)", {4, 10}, {8, 8}, 104, 0, 768},
    {"nn.Conv1d(4, 8, 5, stride=2, padding=2)", {1, 4, 17}, {1, 8, 9}, 168, 0, 1440},
    {"nn.Conv1d(4, 8, 3, dilation=3, padding='same')", {1, 4, 11}, {1, 8, 11}, 104, 0, 1056},
    {"nn.Conv1d(4, 8, 4, padding='same')", {1, 4, 11}, {1, 8, 11}, 136, 0, 1408},
    {"nn.Conv1d(4, 8, 3, padding='valid')", {1, 4, 11}, {1, 8, 9}, 104, 0, 864},
    {"nn.Conv1d(4, 8, 3, groups=2, bias=False)", {1, 4, 9}, {1, 8, 7}, 48, 0, 336},
    {"nn.Conv1d(4, 8, 3, padding=2, padding_mode='reflect')", {1, 4, 5}, {1, 8, 7}, 104, 0, 672},
    {"nn.Conv1d(4, 6, 2, stride=3)", {3, 4, 12}, {3, 6, 4}, 54, 0, 576},
    // Conv2d
    {"nn.Conv2d(3, 8, 3)", {1, 3, 32, 32}, {1, 8, 30, 30}, 224, 0, 194400},
    {"nn.Conv2d(3, 8, 3)", {3, 32, 32}, {8, 30, 30}, 224, 0, 194400},
    {"nn.Conv2d(3, 16, (3, 5), stride=(2, 1), padding=(1, 2))",
     {2, 3, 15, 20},
     {2, 16, 8, 20},
     736,
     0,
     230400},
    {"nn.Conv2d(3, 8, 3, stride=2, padding=1)",
     {1, 3, 224, 224},
     {1, 8, 112, 112},
     224,
     0,
     2709504},
    {"nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)",
     {1, 3, 224, 224},
     {1, 64, 112, 112},
     9408,
     0,
     118013952},
    {"nn.Conv2d(32, 32, 3, padding=1, groups=32)",
     {1, 32, 56, 56},
     {1, 32, 56, 56},
     320,
     0,
     903168},
    {"nn.Conv2d(8, 16, 3, padding=2, dilation=2, groups=4)",
     {1, 8, 20, 20},
     {1, 16, 20, 20},
     304,
     0,
     115200},
    {"nn.Conv2d(3, 8, 4, padding='same')", {1, 3, 9, 9}, {1, 8, 9, 9}, 392, 0, 31104},
    {"nn.Conv2d(3, 8, (3, 4), padding='same', dilation=(2, 3))",
     {1, 3, 9, 10},
     {1, 8, 9, 10},
     296,
     0,
     25920},
    {"nn.Conv2d(3, 8, 3, padding=1, padding_mode='circular')",
     {1, 3, 7, 7},
     {1, 8, 7, 7},
     224,
     0,
     10584},
    {"nn.Conv2d(3, 8, 3, padding=(2, 1), padding_mode='replicate')",
     {3, 7, 7},
     {8, 9, 7},
     224,
     0,
     13608},
    {"nn.Conv2d(3, 8, 3, padding=1, padding_mode='reflect')",
     {2, 3, 2, 2},
     {2, 8, 2, 2},
     224,
     0,
     1728},
    {"nn.Conv2d(3, 8, 3, stride=3)", {1, 3, 10, 10}, {1, 8, 3, 3}, 224, 0, 1944},
    {"nn.Conv2d(3, 8, 3)", {0, 3, 8, 8}, {0, 8, 6, 6}, 224, 0, 0},
    {"nn.Conv2d(3, 8, 1)", {1, 3, 1, 1}, {1, 8, 1, 1}, 32, 0, 24},
    {"nn.Conv2d(3, 8, 3, stride=(1, 2), padding=(0, 1), dilation=(1, 2))",
     {1, 3, 6, 11},
     {1, 8, 4, 5},
     224,
     0,
     4320},
    {"nn.Conv2d(3, 8, 3, bias=0)", {1, 3, 5, 5}, {1, 8, 3, 3}, 216, 0, 1944},
    {"nn.Conv2d(3, 8, 3, padding=(1, 0), padding_mode='circular')",
     {1, 3, 4, 4},
     {1, 8, 4, 2},
     224,
     0,
     1728},
    {"nn.Conv1d(2, 4, 3, padding='same', padding_mode='reflect')",
     {1, 2, 5},
     {1, 4, 5},
     28,
     0,
     120},
    {"nn.Conv2d(2, 4, 4, padding='same', padding_mode='replicate', dilation=3)",
     {1, 2, 6, 6},
     {1, 4, 6, 6},
     132,
     0,
     4608},
    // Conv3d
    {"nn.Conv3d(2, 4, 3)", {1, 2, 8, 8, 8}, {1, 4, 6, 6, 6}, 220, 0, 46656},
    {"nn.Conv3d(2, 4, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))",
     {2, 2, 5, 9, 9},
     {2, 4, 5, 5, 5},
     76,
     0,
     18000},
    {"nn.Conv3d(2, 4, 3, padding=1)", {2, 6, 6, 6}, {4, 6, 6, 6}, 220, 0, 46656},
    {"nn.Conv3d(4, 8, 3, padding='same', groups=2, bias=False)",
     {1, 4, 5, 6, 7},
     {1, 8, 5, 6, 7},
     432,
     0,
     90720},
    {"nn.Conv3d(4, 8, 2, stride=2, dilation=(1, 2, 1))",
     {1, 4, 6, 7, 8},
     {1, 8, 3, 3, 4},
     264,
     0,
     9216},
};

const std::vector<ShapeCase> kConvTranspose = {
    // ConvTranspose1d
    {"nn.ConvTranspose1d(4, 2, 3)", {1, 4, 5}, {1, 2, 7}, 26, 0, 120},
    {"nn.ConvTranspose1d(4, 2, 4, stride=2, padding=1)", {4, 5}, {2, 10}, 34, 0, 160},
    {"nn.ConvTranspose1d(4, 6, 3, stride=3, output_padding=2, groups=2)",
     {2, 4, 7},
     {2, 6, 23},
     42,
     0,
     504},
    {"nn.ConvTranspose1d(4, 2, 3, dilation=2, padding=1, bias=False)",
     {1, 4, 5},
     {1, 2, 7},
     24,
     0,
     120},
    // ConvTranspose2d
    {"nn.ConvTranspose2d(16, 8, 2, stride=2)", {1, 16, 7, 7}, {1, 8, 14, 14}, 520, 0, 25088},
    {"nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)",
     {2, 16, 7, 7},
     {2, 8, 14, 14},
     1160,
     0,
     112896},
    {"nn.ConvTranspose2d(8, 4, 3, dilation=2, output_padding=1)",
     {1, 8, 5, 5},
     {1, 4, 10, 10},
     292,
     0,
     7200},
    {"nn.ConvTranspose2d(8, 8, 3, groups=4, bias=False)", {8, 4, 4}, {8, 6, 6}, 144, 0, 2304},
    {"nn.ConvTranspose2d(6, 4, (3, 5), stride=(2, 3), padding=(1, 2), output_padding=(1, 2))",
     {1, 6, 4, 5},
     {1, 4, 8, 15},
     364,
     0,
     7200},
    {"nn.ConvTranspose2d(4, 2, 3, padding=1)", {1, 4, 1, 1}, {1, 2, 1, 1}, 74, 0, 72},
    {"nn.ConvTranspose2d(2, 4, 3, stride=2, dilation=3, output_padding=2)",
     {1, 2, 3, 3},
     {1, 4, 13, 13},
     76,
     0,
     648},
    // ConvTranspose3d
    {"nn.ConvTranspose3d(4, 2, 2, stride=2)", {1, 4, 3, 3, 3}, {1, 2, 6, 6, 6}, 66, 0, 1728},
    {"nn.ConvTranspose3d(4, 2, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1), "
     "output_padding=(0, 1, 1))",
     {4, 2, 5, 5},
     {2, 2, 10, 10},
     74,
     0,
     3600},
    {"nn.ConvTranspose3d(4, 8, 3, groups=4, dilation=2)",
     {2, 4, 2, 3, 4},
     {2, 8, 6, 7, 8},
     224,
     0,
     10368},
};

const std::vector<ShapeCase> kMaxPool = {
    // MaxPool1d
    {"nn.MaxPool1d(2)", {1, 4, 9}, {1, 4, 4}, 0, 0, 0},
    {"nn.MaxPool1d(3, stride=2, padding=1, ceil_mode=True)", {1, 4, 10}, {1, 4, 6}, 0, 0, 0},
    {"nn.MaxPool1d(3, stride=2, padding=1, return_indices=True, ceil_mode=True)",
     {4, 10},
     {4, 6},
     0,
     0,
     0},
    {"nn.MaxPool1d(3, dilation=2)", {2, 3, 20}, {2, 3, 6}, 0, 0, 0},
    {"nn.MaxPool1d(2, stride=2, padding=1, ceil_mode=True)", {1, 2, 3}, {1, 2, 2}, 0, 0, 0},
    {"nn.MaxPool1d(4)", {2, 4}, {2, 1}, 0, 0, 0},
    {"nn.MaxPool1d(2, ceil_mode=True)", {1, 4, 1}, {1, 4, 1}, 0, 0, 0},
    {"nn.MaxPool1d(2, stride=2, padding=1, dilation=3)", {1, 4, 9}, {1, 4, 4}, 0, 0, 0},
    // MaxPool2d
    {"nn.MaxPool2d(2)", {1, 3, 9, 9}, {1, 3, 4, 4}, 0, 0, 0},
    {"nn.MaxPool2d(2, stride=2, padding=1, ceil_mode=True)", {1, 1, 9, 9}, {1, 1, 5, 5}, 0, 0, 0},
    {"nn.MaxPool2d(3, stride=2, padding=1)", {1, 64, 112, 112}, {1, 64, 56, 56}, 0, 0, 0},
    // ceil mode drops a last window that would start in the right padding
    {"nn.MaxPool2d(2, stride=2, padding=1, ceil_mode=True)", {1, 1, 3, 3}, {1, 1, 2, 2}, 0, 0, 0},
    {"nn.MaxPool2d(3, stride=3, padding=1, ceil_mode=True)", {1, 1, 5, 5}, {1, 1, 2, 2}, 0, 0, 0},
    {"nn.MaxPool2d((2, 3), stride=(1, 2), dilation=(2, 1))", {2, 3, 8, 9}, {2, 3, 6, 4}, 0, 0, 0},
    {"nn.MaxPool2d(3, 2, ceil_mode=True)", {3, 7, 7}, {3, 3, 3}, 0, 0, 0},
    {"nn.MaxPool2d(2)", {0, 3, 4, 4}, {0, 3, 2, 2}, 0, 0, 0},
    {"nn.MaxPool2d(2, return_indices=True)", {1, 2, 5, 4}, {1, 2, 2, 2}, 0, 0, 0},
    {"nn.MaxPool2d(5, stride=1, padding=2)", {1, 1, 3, 3}, {1, 1, 3, 3}, 0, 0, 0},
    {"nn.MaxPool2d(3, stride=1, padding=1)", {1, 1, 1, 1}, {1, 1, 1, 1}, 0, 0, 0},
    {"nn.MaxPool2d(2, padding=1, dilation=3)", {1, 1, 9, 9}, {1, 1, 4, 4}, 0, 0, 0},
    // PyTorch 2.x: the pad check uses the effective kernel ((3-1)*2+1 = 5, 5/2 = 2 >= pad 2),
    // so this is accepted (1.13 rejects it, SEMANTICS.md section 0); out = (9+4-5)/1+1 = 9.
    {"nn.MaxPool2d(3, stride=1, padding=2, dilation=2)", {1, 1, 9, 9}, {1, 1, 9, 9}, 0, 0, 0},
    // MaxPool3d
    {"nn.MaxPool3d(2)", {1, 2, 4, 5, 6}, {1, 2, 2, 2, 3}, 0, 0, 0},
    {"nn.MaxPool3d((1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))",
     {2, 4, 6, 6},
     {2, 4, 3, 3},
     0,
     0,
     0},
    {"nn.MaxPool3d(3, stride=2, ceil_mode=True)", {1, 1, 8, 8, 8}, {1, 1, 4, 4, 4}, 0, 0, 0},
    {"nn.MaxPool3d(2, dilation=2, padding=1)", {1, 1, 5, 6, 7}, {1, 1, 3, 3, 4}, 0, 0, 0},
    {"nn.MaxPool3d(2)", {0, 1, 4, 4, 4}, {0, 1, 2, 2, 2}, 0, 0, 0},
    {"nn.MaxPool3d((3, 2, 1), stride=(2, 2, 1), padding=(1, 1, 0), ceil_mode=True)",
     {1, 1, 6, 5, 3},
     {1, 1, 4, 3, 3},
     0,
     0,
     0},
    {"nn.MaxPool1d(2)", {0, 3, 4}, {0, 3, 2}, 0, 0, 0},
    {"nn.MaxPool2d(2, ceil_mode=True)", {1, 1, 1, 1}, {1, 1, 1, 1}, 0, 0, 0},
};

const std::vector<ShapeCase> kAvgPool = {
    // AvgPool1d
    {"nn.AvgPool1d(3)", {1, 4, 10}, {1, 4, 3}, 0, 0, 0},
    {"nn.AvgPool1d(2, ceil_mode=True)", {4, 5}, {4, 3}, 0, 0, 0},
    {"nn.AvgPool1d(4, stride=2, padding=2, count_include_pad=False)",
     {1, 2, 9},
     {1, 2, 5},
     0,
     0,
     0},
    {"nn.AvgPool1d(3, stride=2, padding=1, ceil_mode=True)", {1, 1, 6}, {1, 1, 4}, 0, 0, 0},
    // AvgPool2d
    {"nn.AvgPool2d(2, stride=2, ceil_mode=True)", {1, 1, 5, 5}, {1, 1, 3, 3}, 0, 0, 0},
    {"nn.AvgPool2d(3, stride=2, padding=1)", {2, 8, 7, 7}, {2, 8, 4, 4}, 0, 0, 0},
    {"nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)", {1, 1, 6, 6}, {1, 1, 4, 4}, 0, 0, 0},
    {"nn.AvgPool2d((2, 4), divisor_override=3)", {3, 8, 8}, {3, 4, 2}, 0, 0, 0},
    {"nn.AvgPool2d(2, stride=(1, 2), padding=(1, 0), count_include_pad=False)",
     {1, 2, 5, 6},
     {1, 2, 6, 3},
     0,
     0,
     0},
    {"nn.AvgPool2d(7)", {1, 512, 7, 7}, {1, 512, 1, 1}, 0, 0, 0},
    // AvgPool3d
    {"nn.AvgPool3d(2)", {1, 2, 4, 4, 4}, {1, 2, 2, 2, 2}, 0, 0, 0},
    {"nn.AvgPool3d((1, 2, 2), stride=(1, 2, 2), ceil_mode=True)",
     {2, 3, 5, 5},
     {2, 3, 3, 3},
     0,
     0,
     0},
    {"nn.AvgPool3d(3, stride=2, padding=1)", {1, 1, 5, 5, 5}, {1, 1, 3, 3, 3}, 0, 0, 0},
    {"nn.AvgPool3d(2, divisor_override=5, count_include_pad=False)",
     {1, 3, 2, 3, 4},
     {1, 3, 1, 1, 2},
     0,
     0,
     0},
    {"nn.AvgPool3d(2)", {0, 1, 4, 4, 4}, {0, 1, 2, 2, 2}, 0, 0, 0},
    {"nn.AvgPool2d((3, 1), stride=(2, 1), padding=(1, 0), ceil_mode=True, count_include_pad=False)",
     {1, 1, 6, 3},
     {1, 1, 4, 3},
     0,
     0,
     0},
    {"nn.AvgPool2d(2, ceil_mode=True, padding=1)", {1, 1, 1, 1}, {1, 1, 1, 1}, 0, 0, 0},
};

const std::vector<ShapeCase> kAdaptive = {
    // AdaptiveAvgPool1d
    {"nn.AdaptiveAvgPool1d(5)", {1, 3, 7}, {1, 3, 5}, 0, 0, 0},
    {"nn.AdaptiveAvgPool1d(5)", {3, 2}, {3, 5}, 0, 0, 0},
    {"nn.AdaptiveAvgPool1d(1)", {2, 3, 9}, {2, 3, 1}, 0, 0, 0},
    // AdaptiveMaxPool1d
    {"nn.AdaptiveMaxPool1d(4)", {2, 3, 10}, {2, 3, 4}, 0, 0, 0},
    {"nn.AdaptiveMaxPool1d(4, return_indices=True)", {3, 10}, {3, 4}, 0, 0, 0},
    {"nn.AdaptiveMaxPool1d(6)", {1, 2, 3}, {1, 2, 6}, 0, 0, 0},
    // AdaptiveAvgPool2d
    {"nn.AdaptiveAvgPool2d((7, 7))", {1, 512, 14, 14}, {1, 512, 7, 7}, 0, 0, 0},
    {"nn.AdaptiveAvgPool2d(1)", {1, 512, 7, 7}, {1, 512, 1, 1}, 0, 0, 0},
    {"nn.AdaptiveAvgPool2d((None, 3))", {1, 3, 5, 8}, {1, 3, 5, 3}, 0, 0, 0},
    // output (1, 1) is input.mean((-1, -2)): no rank check
    {"nn.AdaptiveAvgPool2d(1)", {5, 6}, {1, 1}, 0, 0, 0},
    {"nn.AdaptiveAvgPool2d(1)", {1, 2, 3, 5, 6}, {1, 2, 3, 1, 1}, 0, 0, 0},
    {"nn.AdaptiveAvgPool2d((2, 3))", {3, 7, 9}, {3, 2, 3}, 0, 0, 0},
    {"nn.AdaptiveAvgPool2d(6)", {2, 4, 3, 3}, {2, 4, 6, 6}, 0, 0, 0},
    // AdaptiveMaxPool2d
    {"nn.AdaptiveMaxPool2d((2, 3))", {3, 7, 9}, {3, 2, 3}, 0, 0, 0},
    {"nn.AdaptiveMaxPool2d((None, 2))", {1, 3, 5, 8}, {1, 3, 5, 2}, 0, 0, 0},
    {"nn.AdaptiveMaxPool2d(7, return_indices=True)", {2, 3, 28, 28}, {2, 3, 7, 7}, 0, 0, 0},
    // AdaptiveAvgPool3d
    {"nn.AdaptiveAvgPool3d((2, 3, 4))", {1, 2, 5, 6, 7}, {1, 2, 2, 3, 4}, 0, 0, 0},
    {"nn.AdaptiveAvgPool3d(1)", {2, 4, 4, 4}, {2, 1, 1, 1}, 0, 0, 0},
    {"nn.AdaptiveAvgPool3d((None, 2, None))", {1, 2, 5, 6, 7}, {1, 2, 5, 2, 7}, 0, 0, 0},
    // AdaptiveMaxPool3d
    {"nn.AdaptiveMaxPool3d((1, None, 2))", {1, 2, 5, 6, 7}, {1, 2, 1, 6, 2}, 0, 0, 0},
    {"nn.AdaptiveMaxPool3d(3)", {2, 4, 4, 4}, {2, 3, 3, 3}, 0, 0, 0},
    {"nn.AdaptiveMaxPool1d(1)", {3, 5}, {3, 1}, 0, 0, 0},
    {"nn.AdaptiveAvgPool3d((1, 1, 1))", {2, 3, 4, 5}, {2, 1, 1, 1}, 0, 0, 0},
    // an output size of 0 gives an empty tensor
    {"nn.AdaptiveAvgPool2d(0)", {1, 3, 4, 4}, {1, 3, 0, 0}, 0, 0, 0},
    {"nn.AdaptiveAvgPool2d((0, 2))", {1, 3, 4, 4}, {1, 3, 0, 2}, 0, 0, 0},
};

const std::vector<ShapeCase> kLPPool = {
    {"nn.LPPool1d(2, 3)", {1, 4, 10}, {1, 4, 3}, 0, 0, 0},
    {"nn.LPPool1d(2, 3, stride=2, ceil_mode=True)", {4, 10}, {4, 5}, 0, 0, 0},
    {"nn.LPPool1d(1, 4, stride=1)", {2, 3, 4}, {2, 3, 1}, 0, 0, 0},
    {"nn.LPPool2d(2, 2)", {1, 3, 9, 9}, {1, 3, 4, 4}, 0, 0, 0},
    {"nn.LPPool2d(1.5, (2, 3), stride=(2, 1), ceil_mode=True)",
     {1, 2, 7, 7},
     {1, 2, 4, 5},
     0,
     0,
     0},
    {"nn.LPPool2d(3, 3, stride=2)", {4, 9, 9}, {4, 4, 4}, 0, 0, 0},
    {"nn.LPPool2d(2, 3, stride=2, ceil_mode=True)", {1, 1, 6, 6}, {1, 1, 3, 3}, 0, 0, 0},
};

const std::vector<ShapeCase> kLinearFlatten = {
    // Linear
    {"nn.Linear(10, 5)", {2, 10}, {2, 5}, 55, 0, 100},
    {"nn.Linear(10, 5)", {10}, {5}, 55, 0, 50},
    {"nn.Linear(10, 5)", {2, 3, 10}, {2, 3, 5}, 55, 0, 300},
    {"nn.Linear(10, 5, bias=False)", {4, 10}, {4, 5}, 50, 0, 200},
    {"nn.Linear(25088, 4096)", {1, 25088}, {1, 4096}, 102764544, 0, 102760448},
    {"nn.Linear(3, 7)", {0, 3}, {0, 7}, 28, 0, 0},
    {"nn.Linear(3, 0)", {2, 3}, {2, 0}, 0, 0, 0},
    // Flatten
    {"nn.Flatten()", {2, 3, 4, 5}, {2, 60}, 0, 0, 0},
    {"nn.Flatten()", {3, 4, 5}, {3, 20}, 0, 0, 0},
    {"nn.Flatten(0, -1)", {2, 3, 4}, {24}, 0, 0, 0},
    {"nn.Flatten(2, 3)", {2, 3, 4, 5}, {2, 3, 20}, 0, 0, 0},
    {"nn.Flatten(1, 1)", {2, 3, 4}, {2, 3, 4}, 0, 0, 0},
    {"nn.Flatten(-3, -2)", {2, 3, 4, 5}, {2, 12, 5}, 0, 0, 0},
    {"nn.Flatten(start_dim=0)", {7}, {7}, 0, 0, 0},
    {"nn.Flatten(0, -1)", {}, {1}, 0, 0, 0},
};

const std::vector<ShapeCase> kBatchNorm = {
    // BatchNorm1d
    {"nn.BatchNorm1d(10)", {4, 10}, {4, 10}, 20, 21, 0},
    {"nn.BatchNorm1d(10)", {4, 10, 7}, {4, 10, 7}, 20, 21, 0},
    {"nn.BatchNorm1d(10, affine=False)", {4, 10}, {4, 10}, 0, 21, 0},
    {"nn.BatchNorm1d(10, track_running_stats=False)", {4, 10}, {4, 10}, 20, 0, 0},
    {"nn.BatchNorm1d(3)", {1, 3, 5}, {1, 3, 5}, 6, 7, 0},
    {"nn.BatchNorm1d(3)", {0, 3}, {0, 3}, 6, 7, 0},
    // BatchNorm2d
    {"nn.BatchNorm2d(16)", {2, 16, 8, 8}, {2, 16, 8, 8}, 32, 33, 0},
    {"nn.BatchNorm2d(16, affine=False)", {1, 16, 8, 8}, {1, 16, 8, 8}, 0, 33, 0},
    {"nn.BatchNorm2d(16, track_running_stats=False)", {2, 16, 4, 4}, {2, 16, 4, 4}, 32, 0, 0},
    {"nn.BatchNorm2d(16, affine=False, track_running_stats=False)",
     {2, 16, 4, 4},
     {2, 16, 4, 4},
     0,
     0,
     0},
    {"nn.BatchNorm2d(3, eps=1e-3, momentum=None)", {1, 3, 1, 1}, {1, 3, 1, 1}, 6, 7, 0},
    // no running stats and no affine: nothing checks num_features against the channels
    {"nn.BatchNorm2d(4, affine=False, track_running_stats=False)",
     {2, 3, 2, 2},
     {2, 3, 2, 2},
     0,
     0,
     0},
    // BatchNorm3d
    {"nn.BatchNorm3d(4)", {2, 4, 3, 3, 3}, {2, 4, 3, 3, 3}, 8, 9, 0},
    {"nn.BatchNorm3d(4, affine=False)", {1, 4, 2, 2, 2}, {1, 4, 2, 2, 2}, 0, 9, 0},
};

const std::vector<ShapeCase> kPad = {
    // ZeroPad2d
    {"nn.ZeroPad2d(2)", {1, 3, 4, 4}, {1, 3, 8, 8}, 0, 0, 0},
    {"nn.ZeroPad2d((1, 2, 3, 4))", {3, 4, 4}, {3, 11, 7}, 0, 0, 0},
    {"nn.ZeroPad2d((-1, 0, 2, -1))", {1, 1, 4, 4}, {1, 1, 5, 3}, 0, 0, 0},
    {"nn.ZeroPad2d((1, 1, 0, 0))", {4, 4}, {4, 6}, 0, 0, 0},
    {"nn.ZeroPad2d((0, 1, 0, 1))", {2, 5, 3, 4, 4}, {2, 5, 3, 5, 5}, 0, 0, 0},
    {"nn.ZeroPad2d((-2, 0, 0, 0))", {1, 1, 2, 2}, {1, 1, 2, 0}, 0, 0, 0},
    // ConstantPad2d
    {"nn.ConstantPad2d(1, 3.5)", {1, 2, 3, 3}, {1, 2, 5, 5}, 0, 0, 0},
    {"nn.ConstantPad2d((0, 1, 0, 2), -1.0)", {2, 3, 3}, {2, 5, 4}, 0, 0, 0},
    {"nn.ConstantPad2d((-1, -1, 0, 0), 0)", {1, 1, 3, 3}, {1, 1, 3, 1}, 0, 0, 0},
};

const std::vector<ShapeCase> kUpsample = {
    {"nn.Upsample(scale_factor=2)", {1, 3, 4, 4}, {1, 3, 8, 8}, 0, 0, 0},
    {"nn.Upsample(size=(5, 7), mode='bilinear', align_corners=False)",
     {1, 3, 4, 4},
     {1, 3, 5, 7},
     0,
     0,
     0},
    {"nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True)",
     {1, 1, 4, 4},
     {1, 1, 8, 8},
     0,
     0,
     0},
    {"nn.Upsample(scale_factor=1.5)", {1, 1, 5, 5}, {1, 1, 7, 7}, 0, 0, 0},
    // a 3D tensor is a batched 1D signal, also for mode='nearest'
    {"nn.Upsample(scale_factor=2, mode='nearest')", {2, 3, 5}, {2, 3, 10}, 0, 0, 0},
    {"nn.Upsample(scale_factor=2, mode='nearest')", {3, 4, 5}, {3, 4, 10}, 0, 0, 0},
    {"nn.Upsample(size=9, mode='linear')", {1, 2, 4}, {1, 2, 9}, 0, 0, 0},
    {"nn.Upsample(scale_factor=(2, 3))", {1, 2, 3, 4}, {1, 2, 6, 12}, 0, 0, 0},
    {"nn.Upsample(scale_factor=2, mode='trilinear', align_corners=True)",
     {1, 1, 2, 3, 4},
     {1, 1, 4, 6, 8},
     0,
     0,
     0},
    {"nn.Upsample(scale_factor=0.5)", {1, 1, 5, 5}, {1, 1, 2, 2}, 0, 0, 0},
    {"nn.Upsample(scale_factor=2.5, mode='bicubic')", {1, 1, 3, 3}, {1, 1, 7, 7}, 0, 0, 0},
    {"nn.Upsample(scale_factor=1.7, recompute_scale_factor=True)",
     {1, 1, 5, 5},
     {1, 1, 8, 8},
     0,
     0,
     0},
    {"nn.Upsample(size=(3, 3, 3), mode='nearest')", {1, 2, 4, 5, 6}, {1, 2, 3, 3, 3}, 0, 0, 0},
    {"nn.Upsample(scale_factor=3, mode='area')", {1, 1, 2, 3}, {1, 1, 6, 9}, 0, 0, 0},
    {"nn.Upsample(scale_factor=1.1)", {1, 1, 9, 10}, {1, 1, 9, 11}, 0, 0, 0},
    {"nn.Upsample(scale_factor=2.3)", {1, 1, 10, 10}, {1, 1, 23, 23}, 0, 0, 0},
    {"nn.Upsample(scale_factor=0.7)", {1, 1, 10, 10}, {1, 1, 7, 7}, 0, 0, 0},
    {"nn.Upsample(scale_factor=2.3, recompute_scale_factor=True)",
     {1, 1, 10, 10},
     {1, 1, 23, 23},
     0,
     0,
     0},
    {"nn.Upsample(scale_factor=(1.5, 0.5), mode='nearest-exact')",
     {2, 3, 5, 7},
     {2, 3, 7, 3},
     0,
     0,
     0},
    {"nn.Upsample(size=6, mode='area')", {1, 2, 4, 4}, {1, 2, 6, 6}, 0, 0, 0},
    {"nn.Upsample(scale_factor=1.25, mode='bilinear')", {1, 2, 7, 9}, {1, 2, 8, 11}, 0, 0, 0},
};

const std::vector<ShapeCase> kElementwise = {
    // Dropout, Dropout2d
    {"nn.Dropout()", {2, 5}, {2, 5}, 0, 0, 0},
    {"nn.Dropout(0.3)", {4, 3, 2}, {4, 3, 2}, 0, 0, 0},
    {"nn.Dropout(p=0.0, inplace=True)", {3}, {3}, 0, 0, 0},
    {"nn.Dropout2d()", {1, 3, 4, 4}, {1, 3, 4, 4}, 0, 0, 0},
    {"nn.Dropout2d(0.1)", {3, 4, 4}, {3, 4, 4}, 0, 0, 0},
    // Identity takes and ignores any arguments
    {"nn.Identity()", {2, 3}, {2, 3}, 0, 0, 0},
    {"nn.Identity(54, unused_argument='x')", {1, 3, 5, 5}, {1, 3, 5, 5}, 0, 0, 0},
    // activations
    {"nn.ReLU()", {1, 3, 4, 4}, {1, 3, 4, 4}, 0, 0, 0},
    {"nn.ReLU(inplace=True)", {5}, {5}, 0, 0, 0},
    {"nn.ReLU6()", {2, 3}, {2, 3}, 0, 0, 0},
    {"nn.LeakyReLU()", {2, 3, 4}, {2, 3, 4}, 0, 0, 0},
    {"nn.LeakyReLU(0.2, inplace=True)", {1, 2, 3, 4}, {1, 2, 3, 4}, 0, 0, 0},
    {"nn.GELU()", {2, 8}, {2, 8}, 0, 0, 0},
    {"nn.GELU(approximate='tanh')", {2, 8, 3}, {2, 8, 3}, 0, 0, 0},
    {"nn.SiLU()", {1, 4, 2, 2}, {1, 4, 2, 2}, 0, 0, 0},
    {"nn.Sigmoid()", {3, 3}, {3, 3}, 0, 0, 0},
    {"nn.Tanh()", {1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}, 0, 0, 0},
    {"nn.Hardswish()", {1, 16, 4, 4}, {1, 16, 4, 4}, 0, 0, 0},
    {"nn.Hardswish(inplace=True)", {16}, {16}, 0, 0, 0},
    // Softmax
    {"nn.Softmax(dim=1)", {2, 10}, {2, 10}, 0, 0, 0},
    {"nn.Softmax(dim=-1)", {2, 3, 4}, {2, 3, 4}, 0, 0, 0},
    {"nn.Softmax(dim=0)", {5}, {5}, 0, 0, 0},
    {"nn.Softmax()", {2, 3, 4}, {2, 3, 4}, 0, 0, 0},
    {"nn.Softmax()", {5}, {5}, 0, 0, 0},
    {"nn.Softmax()", {2, 3, 4, 5}, {2, 3, 4, 5}, 0, 0, 0},
    {"nn.Softmax(dim=0)", {}, {}, 0, 0, 0},
};

// ---- error tables (PyTorch's messages)
// -----------------------------------------------------------

const std::vector<ErrCase> kConvErrors = {
    // construction (torch/nn/modules/conv.py)
    {"nn.Conv2d(3, 8, 3, groups=2)", {1, 3, 5, 5}, {"in_channels must be divisible by groups"}},
    {"nn.Conv2d(4, 6, 3, groups=4)", {1, 4, 5, 5}, {"out_channels must be divisible by groups"}},
    {"nn.Conv2d(3, 8, 3, groups=3)", {1, 3, 5, 5}, {"out_channels must be divisible by groups"}},
    {"nn.ConvTranspose2d(4, 6, 3, groups=4)",
     {1, 4, 5, 5},
     {"out_channels must be divisible by groups"}},
    {"nn.Conv2d(3, 8, 3, groups=0)", {1, 3, 5, 5}, {"groups must be a positive integer"}},
    {"nn.Conv2d(3, 8, 3, groups=-1)", {1, 3, 5, 5}, {"groups must be a positive integer"}},
    // the set prints in hash order, so only the fixed parts are checked
    {"nn.Conv2d(3, 8, 3, padding='foo')",
     {1, 3, 5, 5},
     {"Invalid padding string 'foo', should be one of {"}},
    {"nn.Conv2d(3, 8, 3, stride=2, padding='same')",
     {1, 3, 5, 5},
     {"padding='same' is not supported for strided convolutions"}},
    {"nn.Conv1d(3, 8, 3, stride=(2,), padding='same')",
     {1, 3, 5},
     {"padding='same' is not supported for strided convolutions"}},
    {"nn.Conv2d(3, 8, 3, padding_mode='zero')",
     {1, 3, 5, 5},
     {"padding_mode must be one of {", "but got padding_mode='zero'"}},
    {"nn.ConvTranspose2d(3, 8, 3, padding_mode='reflect')",
     {1, 3, 5, 5},
     {"Only \"zeros\" padding mode is supported for ConvTranspose2d"}},
    {"nn.Conv2d(3, 8, -1)",
     {1, 3, 5, 5},
     {"Trying to create tensor with negative dimension -1: [8, 3, -1, -1]"}},
    {"nn.Conv2d(3, -8, 3)",
     {1, 3, 5, 5},
     {"Trying to create tensor with negative dimension -8: [-8, 3, 3, 3]"}},
    {"nn.ConvTranspose2d(3, 8, -2)",
     {1, 3, 5, 5},
     {"Trying to create tensor with negative dimension -2: [3, 8, -2, -2]"}},
    // forward: rank
    {"nn.Conv2d(3, 8, 3)",
     {2, 3},
     {"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]"}},
    {"nn.Conv2d(3, 8, 3)",
     {1, 1, 3, 5, 5},
     {"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [1, 1, 3, "
      "5, "
      "5]"}},
    {"nn.Conv1d(3, 8, 3)",
     {1, 3, 5, 5},
     {"Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [1, 3, 5, "
      "5]"}},
    {"nn.Conv3d(3, 8, 3)",
     {3, 5, 5},
     {"Expected 4D (unbatched) or 5D (batched) input to conv3d, but got input of size: [3, 5, 5]"}},
    {"nn.ConvTranspose1d(4, 2, 3)",
     {1, 4, 5, 5},
     {"Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of size: "
      "[1, 4, 5, 5]"}},
    // forward: channels (unbatched input is unsqueezed before the check)
    {"nn.Conv2d(3, 8, 3)",
     {1, 4, 5, 5},
     {"Given groups=1, weight of size [8, 3, 3, 3], expected input[1, 4, 5, 5] to have 3 channels, "
      "but got 4 channels instead"}},
    {"nn.Conv2d(3, 8, 3)",
     {4, 5, 5},
     {"Given groups=1, weight of size [8, 3, 3, 3], expected input[1, 4, 5, 5] to have 3 channels, "
      "but got 4 channels instead"}},
    {"nn.Conv2d(3, 8, 3)",
     {0, 4, 5, 5},
     {"Given groups=1, weight of size [8, 3, 3, 3], expected input[0, 4, 5, 5] to have 3 channels, "
      "but got 4 channels instead"}},
    {"nn.Conv2d(4, 8, 3, groups=2)",
     {1, 2, 5, 5},
     {"Given groups=2, weight of size [8, 2, 3, 3], expected input[1, 2, 5, 5] to have 4 channels, "
      "but got 2 channels instead"}},
    {"nn.Conv2d(6, 8, 3, groups=2)",
     {1, 4, 5, 5},
     {"Given groups=2, weight of size [8, 3, 3, 3], expected input[1, 4, 5, 5] to have 6 channels, "
      "but got 4 channels instead"}},
    {"nn.Conv1d(4, 8, 3)",
     {3, 8},
     {"Given groups=1, weight of size [8, 4, 3], expected input[1, 3, 8] to have 4 channels, but "
      "got 3 channels instead"}},
    {"nn.Conv3d(4, 8, 3)",
     {1, 3, 8, 8, 8},
     {"Given groups=1, weight of size [8, 4, 3, 3, 3], expected input[1, 3, 8, 8, 8] to have 4 "
      "channels, but got 3 channels instead"}},
    // forward: kernel larger than the padded input
    {"nn.Conv2d(3, 8, 5)",
     {1, 3, 4, 4},
     {"Calculated padded input size per channel: (4 x 4). Kernel size: (5 x 5). Kernel size can't "
      "be greater than actual input size"}},
    {"nn.Conv2d(3, 8, 3, dilation=2)",
     {1, 3, 4, 4},
     {"Calculated padded input size per channel: (4 x 4). Kernel size: (5 x 5). Kernel size can't "
      "be greater than actual input size"}},
    {"nn.Conv2d(3, 8, (3, 5), padding=(0, 1))",
     {1, 3, 4, 2},
     {"Calculated padded input size per channel: (4 x 4). Kernel size: (3 x 5). Kernel size can't "
      "be greater than actual input size"}},
    {"nn.Conv1d(3, 8, 5)",
     {1, 3, 4},
     {"Calculated padded input size per channel: (4). Kernel size: (5). Kernel size can't be "
      "greater than actual input size"}},
    {"nn.Conv3d(3, 8, 3)",
     {1, 3, 4, 2, 4},
     {"Calculated padded input size per channel: (4 x 2 x 4). Kernel size: (3 x 3 x 3). Kernel "
      "size can't be greater than actual input size"}},
    {"nn.Conv2d(3, 8, 3)",
     {1, 3, 0, 5},
     {"Calculated padded input size per channel: (0 x 5). Kernel size: (3 x 3). Kernel size can't "
      "be greater than actual input size"}},
    // forward: argument values
    {"nn.Conv2d(3, 8, 3, stride=0)", {1, 3, 5, 5}, {"non-positive stride is not supported"}},
    {"nn.Conv2d(3, 8, 3, stride=-1)", {1, 3, 5, 5}, {"non-positive stride is not supported"}},
    {"nn.Conv2d(3, 8, 3, padding=-1)", {1, 3, 5, 5}, {"negative padding is not supported"}},
    {"nn.Conv2d(3, 8, 3, dilation=-1)", {1, 3, 5, 5}, {"dilation should be greater than zero"}},
    // padding modes (F.pad before the convolution); 2.x prints the input sizes after "of input"
    {"nn.Conv2d(3, 8, 3, padding=2, padding_mode='reflect')",
     {1, 3, 2, 2},
     {"Argument #4: Padding size should be less than the corresponding input dimension, but got: "
      "padding (2, 2) at dimension 3 of input"}},
    {"nn.Conv2d(3, 8, 3, padding=(1, 0), padding_mode='reflect')",
     {1, 3, 1, 4},
     {"Argument #6: Padding size should be less than the corresponding input dimension, but got: "
      "padding (1, 1) at dimension 2 of input"}},
    {"nn.Conv2d(3, 8, 3, padding=3, padding_mode='circular')",
     {1, 3, 2, 2},
     {"Padding value causes wrapping around more than once."}},
    // ConvTranspose forward
    {"nn.ConvTranspose2d(8, 4, 3, output_padding=1)",
     {1, 8, 5, 5},
     {"output padding must be smaller than either stride or dilation, but got "
      "output_padding_height: 1 output_padding_width: 1 stride_height: 1 stride_width: 1 "
      "dilation_height: 1 dilation_width: 1"}},
    {"nn.ConvTranspose3d(4, 2, 3, stride=2, output_padding=2)",
     {1, 4, 5, 5, 5},
     {"output padding must be smaller than either stride or dilation, but got "
      "output_padding_depth: 2 output_padding_height: 2 output_padding_width: 2 stride_depth: 2 "
      "stride_height: 2 stride_width: 2 dilation_depth: 1 dilation_height: 1 dilation_width: 1"}},
    // 1d transposed convolution runs as 2d with a height-1 kernel, so the message has both axes
    {"nn.ConvTranspose1d(4, 2, 3, stride=2, output_padding=2)",
     {1, 4, 5},
     {"output padding must be smaller than either stride or dilation, but got "
      "output_padding_height: 0 output_padding_width: 2 stride_height: 1 stride_width: 2 "
      "dilation_height: 1 dilation_width: 1"}},
    {"nn.ConvTranspose2d(8, 4, 3)",
     {1, 3, 5, 5},
     {"Given transposed=1, weight of size [8, 4, 3, 3], expected input[1, 3, 5, 5] to have 8 "
      "channels, but got 3 channels instead"}},
    {"nn.ConvTranspose1d(4, 8, 3)",
     {3, 8},
     {"Given transposed=1, weight of size [4, 8, 3], expected input[1, 3, 8] to have 4 channels, "
      "but got 3 channels instead"}},
    {"nn.ConvTranspose2d(8, 4, 3, padding=3)",
     {1, 8, 2, 2},
     {"Given input size per channel: (2 x 2). Calculated output size per channel: (-2 x -2). "
      "Output size is too small"}},
    {"nn.ConvTranspose2d(8, 4, 3, output_padding=-1)",
     {1, 8, 5, 5},
     {"negative output_padding is not supported"}},
    {"nn.ConvTranspose2d(8, 4, 3, stride=0)",
     {1, 8, 5, 5},
     {"non-positive stride is not supported"}},
    {"nn.ConvTranspose2d(3, 8, 0)",
     {1, 3, 5, 5},
     {"kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 0"}},
    {"nn.ConvTranspose2d(3, 8, (0, 2))",
     {1, 3, 5, 5},
     {"kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 2"}},
    {"nn.ConvTranspose1d(3, 8, 0)",
     {1, 3, 5},
     {"kernel size should be greater than zero, but got kernel_height: 1 kernel_width: 0"}},
    {"nn.ConvTranspose2d(3, 8, 3, dilation=0)",
     {1, 3, 5, 5},
     {"dilation should be greater than zero, but got dilation_height: 0, dilation_width: 0"}},
    {"nn.ConvTranspose3d(3, 8, 3, dilation=0)",
     {1, 3, 5, 5, 5},
     {"dilation should be greater than zero, but got dilation_depth: 0, dilation_height: 0, "
      "dilation_width: 0"}},
    {"nn.ConvTranspose1d(3, 8, 3, dilation=0)",
     {1, 3, 5},
     {"dilation should be greater than zero, but got dilation_height: 1, dilation_width: 0"}},
    // negative dilation: 2.x rejects it in check_shape_forward, 1.13 in the slow kernel
    {"nn.ConvTranspose2d(3, 8, 3, dilation=-1)",
     {1, 3, 5, 5},
     {"dilation should be greater than zero"}},
    {"nn.ConvTranspose2d(3, 8, 3, stride=2, output_padding=(1, 2))",
     {1, 3, 4, 4},
     {"output padding must be smaller than either stride or dilation, but got "
      "output_padding_height: 1 output_padding_width: 2 stride_height: 2 stride_width: 2 "
      "dilation_height: 1 dilation_width: 1"}},
    {"nn.ConvTranspose3d(3, 8, 3, stride=(1, 2, 2), output_padding=(1, 0, 0))",
     {1, 3, 5, 5, 5},
     {"output padding must be smaller than either stride or dilation, but got "
      "output_padding_depth: 1 output_padding_height: 0 output_padding_width: 0 stride_depth: 1 "
      "stride_height: 2 stride_width: 2 dilation_depth: 1 dilation_height: 1 dilation_width: 1"}},
    {"nn.Conv2d(3, 8, 3, padding=1, padding_mode='reflect')",
     {1, 3, 1, 5},
     {"Argument #6: Padding size should be less than the corresponding input dimension, but got: "
      "padding (1, 1) at dimension 2 of input"}},
    {"nn.Conv2d(3, 8, 3, padding=1, padding_mode='replicate')",
     {1, 3, 0, 5},
     {"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
      "dimensions for input, but got: [1, 3, 0, 5]"}},
    {"nn.Conv2d(3, 8, 3, padding=1, padding_mode='reflect')",
     {1, 1, 3, 5, 5},
     {"Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now"}},
};

// The pad-check text changed between versions (SEMANTICS.md section 0): 1.13 "pad should be at most
// half of kernel size, but got pad=P and kernel_size=K", 2.x "... of effective kernel size, but got
// pad=P, kernel_size=K and dilation=D". Only the parts common to both are checked.
const std::vector<ErrCase> kPoolErrors = {
    // MaxPool2d
    {"nn.MaxPool2d(2, stride=2, padding=2)",
     {1, 1, 8, 8},
     {"pad should be at most half of", "pad=2", "kernel_size=2"}},
    {"nn.MaxPool2d((2, 4), padding=(0, 3))",
     {1, 1, 8, 8},
     {"pad should be at most half of", "pad=3", "kernel_size=4"}},
    // H is checked before W
    {"nn.MaxPool2d((2, 4), padding=(2, 3))",
     {1, 1, 8, 8},
     {"pad should be at most half of", "pad=2", "kernel_size=2"}},
    {"nn.MaxPool2d(2, stride=0)", {1, 1, 8, 8}, {"stride should not be zero"}},
    // stride defaults to the kernel size, so kernel 0 trips the stride check first
    {"nn.MaxPool2d(0)", {1, 1, 8, 8}, {"stride should not be zero"}},
    {"nn.MaxPool2d(2, padding=-1)", {1, 1, 8, 8}, {"pad must be non-negative, but got pad: -1"}},
    {"nn.MaxPool2d(2, stride=-1)",
     {1, 1, 8, 8},
     {"stride should be greater than zero, but got dH: -1 dW: -1"}},
    {"nn.MaxPool2d(2, dilation=0)",
     {1, 1, 8, 8},
     {"dilation should be greater than zero, but got dilationH: 0 dilationW: 0"}},
    {"nn.MaxPool2d(2)",
     {1, 3, 1, 1},
     {"Given input size: (3x1x1). Calculated output size: (3x0x0). Output size is too small"}},
    {"nn.MaxPool2d(3, stride=1)",
     {2, 3, 2, 5},
     {"Given input size: (3x2x5). Calculated output size: (3x0x3). Output size is too small"}},
    {"nn.MaxPool2d(2)", {3, 4}, {"non-empty 3D or 4D (batch mode) tensor expected for input"}},
    {"nn.MaxPool2d(2)",
     {1, 0, 4, 4},
     {"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
      "got:[1, 0, 4, 4]"}},
    {"nn.MaxPool2d((2, 2, 2))",
     {1, 1, 4, 4},
     {"max_pool2d: kernel_size must either be a single int, or a tuple of two ints"}},
    {"nn.MaxPool2d(2, stride=(1, 1, 1))",
     {1, 1, 4, 4},
     {"max_pool2d: stride must either be omitted, a single int, or a tuple of two ints"}},
    // 1.13 "must be either be a single int", 2.x "must either be a single int"
    {"nn.MaxPool2d(2, padding=(0, 0, 0))",
     {1, 1, 4, 4},
     {"max_pool2d: padding must", "a single int, or a tuple of two ints"}},
    {"nn.MaxPool2d(2, dilation=(1, 1, 1))",
     {1, 1, 4, 4},
     {"max_pool2d: dilation must be either a single int, or a tuple of two ints"}},
    // AvgPool2d reads input.size(-3) before any check
    {"nn.AvgPool2d(2)",
     {4, 4},
     {"Dimension out of range (expected to be in range of [-2, 1], but got -3)"}},
    {"nn.AvgPool2d(2)",
     {4},
     {"Dimension out of range (expected to be in range of [-1, 0], but got -3)"}},
    {"nn.AvgPool2d(2, divisor_override=0)", {1, 1, 4, 4}, {"divisor must be not zero"}},
    {"nn.AvgPool2d(3)",
     {1, 1, 2, 2},
     {"Given input size: (1x2x2). Calculated output size: (1x0x0). Output size is too small"}},
    {"nn.AvgPool2d(4, padding=3)",
     {1, 1, 8, 8},
     {"pad should be at most half of", "pad=3", "kernel_size=4"}},
    {"nn.AvgPool2d(2, stride=0)", {1, 1, 8, 8}, {"stride should not be zero"}},
    {"nn.AvgPool2d(2)",
     {1, 1, 1, 2, 2},
     {"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
      "got:[1, 1, 1, 2, 2]"}},
    {"nn.AvgPool2d((2, 2, 2))",
     {1, 1, 4, 4},
     {"avg_pool2d: kernel_size must either be a single int, or a tuple of two ints"}},
    // AvgPool3d: input >= kernel even when padding would make the window fit
    {"nn.AvgPool3d(3)",
     {1, 1, 2, 4, 4},
     {"input image (T: 2 H: 4 W: 4) smaller than kernel size (kT: 3 kH: 3 kW: 3)"}},
    {"nn.AvgPool3d(3, padding=1)",
     {1, 1, 2, 4, 4},
     {"input image (T: 2 H: 4 W: 4) smaller than kernel size (kT: 3 kH: 3 kW: 3)"}},
    {"nn.AvgPool3d(2)", {1, 4, 4}, {"non-empty 4D or 5D (batch mode) tensor expected for input"}},
    {"nn.AvgPool3d(2, divisor_override=0)", {1, 1, 4, 4, 4}, {"divisor must be not zero"}},
    {"nn.AvgPool3d(2, stride=0)", {1, 1, 4, 4, 4}, {"stride should not be zero"}},
    {"nn.AvgPool3d(3, padding=2)",
     {1, 1, 4, 4, 4},
     {"pad should be at most half of", "pad=2", "kernel_size=3"}},
    // PyTorch prints input.size(i), i.e. always 0, as "non-batch dimension" (also in 2.x)
    {"nn.AvgPool3d(2)",
     {1, 0, 4, 4, 4},
     {"avg_pool3d(): Expected input's non-batch dimensions to have positive length, but input has "
      "a shape of [1, 0, 4, 4, 4] and non-batch dimension 0 has length zero!"}},
    // MaxPool3d
    {"nn.MaxPool3d(2)",
     {1, 1, 1, 4, 4},
     {"Given input size: (1x1x4x4). Calculated output size: (1x0x2x2). Output size is too small"}},
    {"nn.MaxPool3d(2)", {1, 4, 4}, {"non-empty 4D or 5D (batch mode) tensor expected for input"}},
    {"nn.MaxPool3d(2, stride=0)", {1, 1, 4, 4, 4}, {"stride should not be zero"}},
    {"nn.MaxPool3d(0)", {1, 1, 4, 4, 4}, {"stride should not be zero"}},
    {"nn.MaxPool3d(2, padding=2)",
     {1, 1, 4, 4, 4},
     {"pad should be at most half of", "pad=2", "kernel_size=2"}},
    {"nn.MaxPool3d(2, padding=-1)", {1, 1, 4, 4, 4}, {"pad must be non-negative, but got pad: -1"}},
    {"nn.MaxPool3d(2, stride=-1)",
     {1, 1, 4, 4, 4},
     {"stride should be greater than zero, but got dT: -1 dH: -1 dW: -1"}},
    {"nn.MaxPool3d(2, dilation=0)",
     {1, 1, 4, 4, 4},
     {"dilation should be greater than zero, but got dilationT: 0 dilationH: 0 dilationW: 0"}},
    {"nn.MaxPool3d(2)",
     {1, 0, 4, 4, 4},
     {"max_pool3d_with_indices_out_cpu_template(): Expected input's non-batch dimensions to have "
      "positive length, but input has a shape of [1, 0, 4, 4, 4] and non-batch dimension 0 has "
      "length zero!"}},
    // MaxPool1d without indices has its own checks (aten MaxPooling.cpp). 2.x rejects an empty
    // output ("OW > 0"); 1.13 returned an empty tensor.
    {"nn.MaxPool1d(2)", {1, 4, 1}, {"max_pool1d() Invalid computed output size: 0"}},
    {"nn.MaxPool1d(3, padding=2)",
     {1, 4, 9},
     {"max_pool1d() padding should be at most half of kernel size, but got padding=2 and "
      "kernel_size=3"}},
    {"nn.MaxPool1d(2)",
     {2, 3, 4, 5},
     {"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
      "input, but got:[2, 3, 4, 5]"}},
    {"nn.MaxPool1d(2)",
     {5},
     {"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
      "input, but got:[5]"}},
    {"nn.MaxPool1d(2, stride=0)",
     {1, 4, 9},
     {"max_pool1d() stride must be greater than zero, but got 0"}},
    {"nn.MaxPool1d(0)",
     {1, 4, 9},
     {"max_pool1d() kernel_size must be greater than zero, but got 0"}},
    {"nn.MaxPool1d(2, dilation=0)",
     {1, 4, 9},
     {"max_pool1d() dilation must be greater than zero, but got 0"}},
    {"nn.MaxPool1d(2, padding=-1)",
     {1, 4, 9},
     {"max_pool1d() padding must be non-negative, but got -1"}},
    {"nn.MaxPool1d((2, 2))",
     {1, 4, 9},
     {"max_pool1d() kernel_size must be an int, list of ints or tuple of ints of size 1 but got "
      "size 2"}},
    // with indices: the 2d path and its messages
    {"nn.MaxPool1d(2, return_indices=True)",
     {1, 4, 1},
     {"Given input size: (4x1x1). Calculated output size: (4x1x0). Output size is too small"}},
    {"nn.MaxPool1d(3, padding=2, return_indices=True)",
     {1, 4, 9},
     {"pad should be at most half of", "pad=2", "kernel_size=3"}},
    // AvgPool1d
    {"nn.AvgPool1d(3)",
     {1, 4, 2},
     {"Given input size: (4x1x2). Calculated output size: (4x1x0). Output size is too small"}},
    {"nn.AvgPool1d(2)",
     {2, 3, 4, 5},
     {"Expected 2 to 3 dimensions, but got 4-dimensional tensor for argument #1 'self' (while "
      "checking arguments for avg_pool1d)"}},
    {"nn.AvgPool1d((2, 2))",
     {1, 4, 9},
     {"avg_pool1d() argument 'kernel_size' should contain one int (got 2)"}},
    {"nn.AvgPool1d(2, stride=(1, 1))",
     {1, 4, 9},
     {"avg_pool1d() argument 'stride' should contain one int (got 2)"}},
    {"nn.AvgPool1d(4, padding=3)",
     {1, 4, 9},
     {"pad should be at most half of", "pad=3", "kernel_size=4"}},
    // LPPool = avg_pool with padding 0
    {"nn.LPPool2d(2, 3)",
     {1, 1, 2, 2},
     {"Given input size: (1x2x2). Calculated output size: (1x0x0). Output size is too small"}},
    {"nn.LPPool1d(2, 3)",
     {1, 1, 2},
     {"Given input size: (1x1x2). Calculated output size: (1x1x0). Output size is too small"}},
    {"nn.LPPool2d(2, 2)",
     {4, 4},
     {"Dimension out of range (expected to be in range of [-2, 1], but got -3)"}},
    {"nn.LPPool2d(2, (2, 2, 2))", {1, 1, 4, 4}, {"too many values to unpack (expected 2)"}},
    {"nn.LPPool1d(2, (2, 2))",
     {1, 4, 9},
     {"avg_pool1d() argument 'kernel_size' should contain one int (got 2)"}},
};

const std::vector<ErrCase> kAdaptiveErrors = {
    {"nn.AdaptiveAvgPool2d((7, 7))",
     {1, 3, 0, 4},
     {"adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but "
      "input has sizes [1, 3, 0, 4] with dimension 2 being empty"}},
    {"nn.AdaptiveAvgPool2d((2, 2))", {4, 4}, {"Input dimension should be at least 3"}},
    {"nn.AdaptiveAvgPool2d((None, None))", {4, 4}, {"Input dimension should be at least 3"}},
    {"nn.AdaptiveAvgPool2d(2)",
     {4, 4},
     {"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [4, 4]"}},
    {"nn.AdaptiveAvgPool2d(2)",
     {1, 1, 1, 4, 4},
     {"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [1, 1, 1, 4, 4]"}},
    {"nn.AdaptiveAvgPool2d((2, 2, 2))",
     {1, 1, 4, 4},
     {"adaptive_avg_pool2d: output_size must be 2"}},
    {"nn.AdaptiveAvgPool2d(-1)",
     {1, 1, 4, 4},
     {"adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
      "received {-1, -1}"}},
    {"nn.AdaptiveAvgPool2d((-1, 0))",
     {1, 1, 4, 4},
     {"adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
      "received {-1, 0}"}},
    {"nn.AdaptiveAvgPool1d(2)",
     {2, 3, 4, 5},
     {"Expected 2 to 3 dimensions, but got 4-dimensional tensor for argument #1 'self' (while "
      "checking arguments for adaptive_avg_pool1d)"}},
    {"nn.AdaptiveAvgPool1d((2, 2))",
     {2, 3, 4},
     {"adaptive_avg_pool1d() argument 'output_size' should contain one int (got 2)"}},
    {"nn.AdaptiveAvgPool3d(2)",
     {4, 4, 4},
     {"adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got [4, 4, 4]"}},
    {"nn.AdaptiveAvgPool3d(2)",
     {1, 1, 0, 4, 4},
     {"adaptive_avg_pool3d(): Expected input to have non-zero size for non-batch dimensions, but "
      "input has sizes [1, 1, 0, 4, 4] with dimension 2 being empty"}},
    {"nn.AdaptiveMaxPool2d((5, -2))",
     {8, 8, 7, 9},
     {"Trying to create tensor with negative dimension -2: [8, 8, 5, -2]"}},
    {"nn.AdaptiveMaxPool2d(2)",
     {2, 3},
     {"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: [2, 3]"}},
    {"nn.AdaptiveMaxPool2d(2)",
     {0, 0, 7, 9},
     {"adaptive_max_pool2d(): Expected input to have non-zero size for non-batch dimensions, but "
      "input has sizes [0, 0, 7, 9] with dimension 1 being empty"}},
    {"nn.AdaptiveMaxPool2d(2)",
     {1, 1, 1, 7, 9},
     {"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: [1, 1, 1, 7, 9]"}},
    {"nn.AdaptiveMaxPool1d(2)",
     {2, 3, 4, 5},
     {"Expected 2 to 3 dimensions, but got 4-dimensional tensor for argument #1 'self' (while "
      "checking arguments for adaptive_max_pool1d)"}},
    {"nn.AdaptiveMaxPool3d(2)",
     {4, 4, 4},
     {"adaptive_max_pool3d(): Expected 4D or 5D tensor, but got: [4, 4, 4]"}},
    {"nn.AdaptiveMaxPool3d(2)",
     {1, 1, 0, 4, 4},
     {"adaptive_max_pool3d(): Expected input to have non-zero size for non-batch dimensions, but "
      "input has sizes [1, 1, 0, 4, 4] with dimension 2 being empty"}},
};

const std::vector<ErrCase> kLinearNormErrors = {
    // Linear: mat1 is (product of leading dims) x last dim, mat2 is weight.T (in x out)
    {"nn.Linear(4, 5)", {1, 3}, {"mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)"}},
    {"nn.Linear(4, 5)", {3}, {"mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)"}},
    {"nn.Linear(4, 5)", {2, 3, 3}, {"mat1 and mat2 shapes cannot be multiplied (6x3 and 4x5)"}},
    {"nn.Linear(4, 5)", {0, 3}, {"mat1 and mat2 shapes cannot be multiplied (0x3 and 4x5)"}},
    {"nn.Linear(10, 5)", {2, 3, 4}, {"mat1 and mat2 shapes cannot be multiplied (6x4 and 10x5)"}},
    // 1.13 "both arguments to matmul ...", 2.x "both arguments to linear ..."
    {"nn.Linear(4, 5)", {}, {"need to be at least 1D, but they are 0D and 2D"}},
    {"nn.Linear(-1, 5)", {1, 3}, {"Trying to create tensor with negative dimension -1: [5, -1]"}},
    {"nn.Linear(3, -2)", {1, 3}, {"Trying to create tensor with negative dimension -2: [-2, 3]"}},
    // Flatten
    {"nn.Flatten()",
     {5},
     {"Dimension out of range (expected to be in range of [-1, 0], but got 1)"}},
    {"nn.Flatten()",
     {},
     {"Dimension out of range (expected to be in range of [-1, 0], but got 1)"}},
    {"nn.Flatten(2, 1)",
     {2, 3, 4},
     {"flatten() has invalid args: start_dim cannot come after end_dim"}},
    {"nn.Flatten(0, 4)",
     {2, 3, 4},
     {"Dimension out of range (expected to be in range of [-3, 2], but got 4)"}},
    // BatchNorm
    {"nn.BatchNorm2d(3)", {3, 4, 4}, {"expected 4D input (got 3D input)"}},
    {"nn.BatchNorm1d(3)", {1, 3, 4, 4}, {"expected 2D or 3D input (got 4D input)"}},
    {"nn.BatchNorm1d(3)", {3}, {"expected 2D or 3D input (got 1D input)"}},
    {"nn.BatchNorm3d(3)", {1, 3, 4, 4}, {"expected 5D input (got 4D input)"}},
    {"nn.BatchNorm2d(4)", {1, 3, 2, 2}, {"running_mean should contain 3 elements not 4"}},
    {"nn.BatchNorm1d(10)", {4, 3}, {"running_mean should contain 3 elements not 10"}},
    {"nn.BatchNorm3d(4)", {1, 2, 2, 2, 2}, {"running_mean should contain 2 elements not 4"}},
    {"nn.BatchNorm2d(4, track_running_stats=False)",
     {2, 3, 2, 2},
     {"weight should contain 3 elements not 4"}},
    {"nn.BatchNorm2d(-1)",
     {1, 3, 5, 5},
     {"Trying to create tensor with negative dimension -1: [-1]"}},
    // without running statistics, batch statistics are used even in eval mode
    {"nn.BatchNorm2d(3, track_running_stats=False)",
     {1, 3, 1, 1},
     {"Expected more than 1 value per channel when training, got input size torch.Size([1, 3, 1, "
      "1])"}},
};

// ZeroPad2d / ConstantPad2d call F.pad. 1.13 words these differently ("Padding length too large",
// an IndexError for a negative size); the texts below are 2.x's (aten PadNd.cpp _pad_enum and
// constant_pad_nd).
const std::vector<ErrCase> kPadUpsampleErrors = {
    {"nn.ZeroPad2d((1, 1, 1))", {1, 1, 4, 4}, {"Padding length must be divisible by 2"}},
    {"nn.ZeroPad2d((-3, 0, 0, 0))",
     {1, 1, 2, 2},
     {"The input size 2, plus negative padding -3 and 0 resulted in a negative output size, which "
      "is invalid. Check dimension 3 of your input."}},
    {"nn.ZeroPad2d((0, 0, -2, -1))",
     {1, 1, 2, 2},
     {"The input size 2, plus negative padding -2 and -1 resulted in a negative output size, which "
      "is invalid. Check dimension 2 of your input."}},
    {"nn.ZeroPad2d(1)",
     {5},
     {"Padding length should be less than or equal to two times the input dimension but got "
      "padding length 4 and input of dimension 1"}},
    {"nn.ConstantPad2d((1, 2, 3, 4, 5, 6), 0.0)",
     {2, 2},
     {"Padding length should be less than or equal to two times the input dimension but got "
      "padding length 6 and input of dimension 2"}},
    // Upsample (F.interpolate)
    {"nn.Upsample(size=4, scale_factor=2)",
     {1, 1, 2, 2},
     {"only one of size or scale_factor should be defined"}},
    {"nn.Upsample()", {1, 1, 2, 2}, {"either size or scale_factor should be defined"}},
    {"nn.Upsample(scale_factor=-1.0)",
     {1, 1, 4, 4},
     {"Input and output sizes should be greater than 0, but got input (H: 4, W: 4) output (H: -4, "
      "W: -4)"}},
    {"nn.Upsample(scale_factor=2, mode='bilinear')",
     {1, 1, 4},
     {"Got 3D input, but bilinear mode needs 4D input"}},
    {"nn.Upsample(scale_factor=2, mode='bilinear')",
     {1, 1, 4, 4, 4},
     {"Got 5D input, but bilinear mode needs 4D input"}},
    {"nn.Upsample(scale_factor=2, mode='linear')",
     {1, 1, 4, 4},
     {"Got 4D input, but linear mode needs 3D input"}},
    {"nn.Upsample(scale_factor=2, mode='linear')",
     {1, 1, 4, 4, 4},
     {"Got 5D input, but linear mode needs 3D input"}},
    {"nn.Upsample(scale_factor=2, mode='trilinear')",
     {1, 1, 4, 4},
     {"Got 4D input, but trilinear mode needs 5D input"}},
    {"nn.Upsample(scale_factor=2, mode='trilinear')",
     {1, 1, 4},
     {"Got 3D input, but trilinear mode needs 5D input"}},
    // bicubic has no "needs 4D input" message in Python: the generic one applies
    {"nn.Upsample(scale_factor=2, mode='bicubic')",
     {1, 1, 4, 4, 4},
     {"Input Error: Only 3D, 4D and 5D input Tensors supported (got 5D) for the modes: nearest | "
      "linear | bilinear | bicubic | trilinear | area | nearest-exact (got bicubic)"}},
    {"nn.Upsample(scale_factor=2, mode='bicubic')",
     {1, 1, 4},
     {"Input Error: Only 3D, 4D and 5D input Tensors supported (got 3D) for the modes: nearest | "
      "linear | bilinear | bicubic | trilinear | area | nearest-exact (got bicubic)"}},
    {"nn.Upsample(scale_factor=2)",
     {4, 4},
     {"Input Error: Only 3D, 4D and 5D input Tensors supported (got 2D) for the modes: nearest | "
      "linear | bilinear | bicubic | trilinear | area | nearest-exact (got nearest)"}},
    {"nn.Upsample(scale_factor=2)",
     {1, 1, 1, 4, 4, 4},
     {"Input Error: Only 3D, 4D and 5D input Tensors supported (got 6D) for the modes: nearest | "
      "linear | bilinear | bicubic | trilinear | area | nearest-exact (got nearest)"}},
    {"nn.Upsample(size=(2, 3, 4))",
     {1, 1, 4, 4},
     {"Input and output must have the same number of spatial dimensions, but got input with "
      "spatial dimensions of [4, 4] and output size of (2, 3, 4). Please provide input tensor in "
      "(N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format."}},
    // nn.Upsample stores float(factor) for each element
    {"nn.Upsample(scale_factor=(2, 3, 4))",
     {1, 1, 4, 4},
     {"Input and scale_factor must have the same number of spatial dimensions, but got input with "
      "spatial dimensions of [4, 4] and scale_factor of shape (2.0, 3.0, 4.0). Please provide "
      "input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) "
      "format."}},
    {"nn.Upsample(scale_factor=2, align_corners=True)",
     {1, 1, 4, 4},
     {"align_corners option can only be set with the interpolating modes: linear | bilinear | "
      "bicubic | trilinear"}},
    {"nn.Upsample(scale_factor=2, mode='nearest', align_corners=False)",
     {1, 1, 4, 4},
     {"align_corners option can only be set with the interpolating modes: linear | bilinear | "
      "bicubic | trilinear"}},
    {"nn.Upsample(size=4, recompute_scale_factor=True)",
     {1, 1, 4, 4},
     {"recompute_scale_factor is not meaningful with an explicit size."}},
    {"nn.Upsample(scale_factor=0.1)",
     {1, 1, 7, 8},
     {"Input and output sizes should be greater than 0, but got input (H: 7, W: 8) output (H: 0, "
      "W: "
      "0)"}},
    {"nn.Upsample(scale_factor=0.1)",
     {1, 1, 8},
     {"Input and output sizes should be greater than 0, but got input (W: 8) and output (W: 0)"}},
    {"nn.Upsample(size=(0, 3))",
     {1, 1, 7, 8},
     {"Input and output sizes should be greater than 0, but got input (H: 7, W: 8) output (H: 0, "
      "W: "
      "3)"}},
    // elementwise
    {"nn.Dropout(1.5)", {2, 2}, {"dropout probability has to be between 0 and 1, but got 1.5"}},
    {"nn.Dropout(-0.1)", {2, 2}, {"dropout probability has to be between 0 and 1, but got -0.1"}},
    {"nn.Dropout2d(2)", {1, 2, 2, 2}, {"dropout probability has to be between 0 and 1, but got 2"}},
    {"nn.GELU(approximate='foo')", {2, 2}, {"approximate argument must be either none or tanh."}},
    {"nn.Softmax(dim=3)",
     {2, 3},
     {"Dimension out of range (expected to be in range of [-2, 1], but got 3)"}},
    {"nn.Softmax(dim=-3)",
     {2, 3},
     {"Dimension out of range (expected to be in range of [-2, 1], but got -3)"}},
};

} // namespace

// ---- shapes, parameters, buffers, MACs ----------------------------------------------------------

TEST_CASE("Conv1d/2d/3d: shapes, parameters and MACs match PyTorch", "[layers]") {
    auto c = GENERATE(from_range(kConv));
    check_shape_case(c);
}

TEST_CASE("ConvTranspose1d/2d/3d: shapes, parameters and MACs match PyTorch", "[layers]") {
    auto c = GENERATE(from_range(kConvTranspose));
    check_shape_case(c);
}

TEST_CASE("MaxPool1d/2d/3d: shapes match PyTorch", "[layers]") {
    auto c = GENERATE(from_range(kMaxPool));
    check_shape_case(c);
}

TEST_CASE("AvgPool1d/2d/3d: shapes match PyTorch", "[layers]") {
    auto c = GENERATE(from_range(kAvgPool));
    check_shape_case(c);
}

TEST_CASE("AdaptiveMax/AvgPool1d/2d/3d: shapes match PyTorch", "[layers]") {
    auto c = GENERATE(from_range(kAdaptive));
    check_shape_case(c);
}

TEST_CASE("LPPool1d/2d: shapes match PyTorch", "[layers]") {
    auto c = GENERATE(from_range(kLPPool));
    check_shape_case(c);
}

TEST_CASE("Linear and Flatten: shapes, parameters and MACs match PyTorch", "[layers]") {
    auto c = GENERATE(from_range(kLinearFlatten));
    check_shape_case(c);
}

TEST_CASE("BatchNorm1d/2d/3d: shapes, parameters and buffers match PyTorch", "[layers]") {
    auto c = GENERATE(from_range(kBatchNorm));
    check_shape_case(c);
}

TEST_CASE("ZeroPad2d and ConstantPad2d: shapes match PyTorch", "[layers]") {
    auto c = GENERATE(from_range(kPad));
    check_shape_case(c);
}

TEST_CASE("Upsample: shapes match PyTorch", "[layers]") {
    auto c = GENERATE(from_range(kUpsample));
    check_shape_case(c);
}

TEST_CASE("Dropout, Identity, activations and Softmax keep the shape", "[layers]") {
    auto c = GENERATE(from_range(kElementwise));
    check_shape_case(c);
}

TEST_CASE("BatchNorm counts num_batches_tracked as an int64 buffer", "[layers]") {
    // running_mean and running_var: C float32 each; num_batches_tracked: one int64.
    Plan p = plan_exprs({"nn.BatchNorm2d(16)"}, {2, 16, 8, 8});
    CHECK(p.layers[0].buffers == 33);
    CHECK(p.layers[0].buffer_bytes == 16 * 4 * 2 + 8);
    Plan q = plan_exprs({"nn.BatchNorm2d(16, track_running_stats=False)"}, {2, 16, 8, 8});
    CHECK(q.layers[0].buffers == 0);
    CHECK(q.layers[0].buffer_bytes == 0);
}

// ---- inferred channel counts --------------------------------------------------------------------

namespace {
struct InferCase {
    const char* expr; // in_channels / in_features / num_features left out
    Shape in, out;
    std::int64_t params, buffers, macs;
    const char* arg;
    std::int64_t value; // what PyTorch's module needs there
};
const std::vector<InferCase> kInfer = {
    {"nn.Conv2d(out_channels=8, kernel_size=3)",
     {1, 3, 32, 32},
     {1, 8, 30, 30},
     224,
     0,
     194400,
     "in_channels",
     3},
    {"nn.Conv2d(out_channels=8, kernel_size=3)",
     {3, 32, 32},
     {8, 30, 30},
     224,
     0,
     194400,
     "in_channels",
     3},
    {"nn.Conv1d(out_channels=6, kernel_size=2, stride=3)",
     {3, 4, 12},
     {3, 6, 4},
     54,
     0,
     576,
     "in_channels",
     4},
    {"nn.Conv3d(out_channels=4, kernel_size=3, padding=1)",
     {2, 6, 6, 6},
     {4, 6, 6, 6},
     220,
     0,
     46656,
     "in_channels",
     2},
    {"nn.Conv2d(out_channels=32, kernel_size=3, padding=1, groups=32)",
     {1, 32, 56, 56},
     {1, 32, 56, 56},
     320,
     0,
     903168,
     "in_channels",
     32},
    {"nn.ConvTranspose2d(out_channels=8, kernel_size=2, stride=2)",
     {1, 16, 7, 7},
     {1, 8, 14, 14},
     520,
     0,
     25088,
     "in_channels",
     16},
    {"nn.ConvTranspose1d(out_channels=6, kernel_size=3, stride=3, output_padding=2, groups=2)",
     {2, 4, 7},
     {2, 6, 23},
     42,
     0,
     504,
     "in_channels",
     4},
    {"nn.Linear(out_features=5)", {2, 3, 10}, {2, 3, 5}, 55, 0, 300, "in_features", 10},
    {"nn.Linear(out_features=5)", {10}, {5}, 55, 0, 50, "in_features", 10},
    {"nn.BatchNorm2d()", {2, 16, 8, 8}, {2, 16, 8, 8}, 32, 33, 0, "num_features", 16},
    {"nn.BatchNorm1d()", {4, 10, 7}, {4, 10, 7}, 20, 21, 0, "num_features", 10},
    {"nn.BatchNorm3d(affine=False)", {1, 4, 2, 2, 2}, {1, 4, 2, 2, 2}, 0, 9, 0, "num_features", 4},
};
} // namespace

TEST_CASE("in_channels, in_features and num_features are taken from the input when omitted",
          "[layers]") {
    auto c = GENERATE(from_range(kInfer));
    CAPTURE(c.expr, c.in);
    Plan p = plan_exprs({c.expr}, c.in);
    const LayerPlan& l = p.layers[0];
    CHECK(l.output == c.out);
    CHECK(l.params == c.params);
    CHECK(l.buffers == c.buffers);
    CHECK(l.macs == c.macs);
    const auto args = l.args_json();
    REQUIRE(args.contains(c.arg));
    CHECK(args[c.arg] == c.value);
}

TEST_CASE("a given channel count that does not match the input names both numbers", "[layers]") {
    auto c = GENERATE(values<ErrCase>({
        {"nn.Conv2d(4, 8, 3)",
         {1, 3, 8, 8},
         {"Given groups=1, weight of size [8, 4, 3, 3], expected input[1, 3, 8, 8] to have 4 "
          "channels, but got 3 channels instead"}},
        {"nn.ConvTranspose2d(8, 4, 3)",
         {1, 3, 5, 5},
         {"expected input[1, 3, 5, 5] to have 8 channels, but got 3 channels instead"}},
        {"nn.Linear(4, 5)", {1, 3}, {"(1x3 and 4x5)"}},
        {"nn.BatchNorm2d(4)", {1, 3, 2, 2}, {"running_mean should contain 3 elements not 4"}},
        {"nn.BatchNorm1d(10)", {4, 3}, {"running_mean should contain 3 elements not 10"}},
    }));
    check_error_case(c);
}

TEST_CASE("an inferred in_channels still has to be divisible by groups", "[layers]") {
    // PyTorch: nn.Conv2d(3, 8, 3, groups=2) -> ValueError at construction.
    LayerError e =
        layer_error({"nn.Conv2d(out_channels=8, kernel_size=3, groups=2)"}, {1, 3, 5, 5});
    CHECK_THAT(e.rule(), Contains("in_channels must be divisible by groups"));
    LayerError f =
        layer_error({"nn.Conv2d(out_channels=8, kernel_size=3, groups=3)"}, {1, 3, 5, 5});
    CHECK_THAT(f.rule(), Contains("out_channels must be divisible by groups"));
}

// ---- error rules --------------------------------------------------------------------------------

TEST_CASE("Conv and ConvTranspose errors state PyTorch's rule", "[layers]") {
    auto c = GENERATE(from_range(kConvErrors));
    check_error_case(c);
}

TEST_CASE("pooling errors state PyTorch's rule", "[layers]") {
    auto c = GENERATE(from_range(kPoolErrors));
    check_error_case(c);
}

TEST_CASE("adaptive pooling errors state PyTorch's rule", "[layers]") {
    auto c = GENERATE(from_range(kAdaptiveErrors));
    check_error_case(c);
}

TEST_CASE("Linear, Flatten and BatchNorm errors state PyTorch's rule", "[layers]") {
    auto c = GENERATE(from_range(kLinearNormErrors));
    check_error_case(c);
}

TEST_CASE("padding, Upsample and elementwise errors state PyTorch's rule", "[layers]") {
    auto c = GENERATE(from_range(kPadUpsampleErrors));
    check_error_case(c);
}

TEST_CASE("errors name the failing layer by index, name and type", "[layers]") {
    LayerError e =
        layer_error({"nn.Conv2d(3, 8, 3)", "nn.ReLU()", "nn.MaxPool2d(2)", "nn.Linear(100, 10)"},
                    {1, 3, 10, 10});
    // Conv 10 -> 8, pool 8 -> 4: Flatten is missing, Linear sees (1, 8, 4, 4).
    CHECK(e.index() == 3);
    CHECK(e.name() == "3");
    CHECK(e.type() == "Linear");
    CHECK_THAT(e.rule(), Contains("mat1 and mat2 shapes cannot be multiplied (32x4 and 100x10)"));
    CHECK_THAT(std::string(e.what()), Contains("mat1 and mat2 shapes cannot be multiplied"));
}

// ---- construction checks run for every layer before any forward rule ----------------------------

TEST_CASE("construction errors are reported before forward errors of earlier layers", "[layers]") {
    // Layer 0 fails in forward (2x2 pool on 1x1); layer 1 fails when PyTorch builds it, which
    // happens when the nn.Sequential is built, before anything runs.
    struct Case {
        const char* expr;
        const char* rule;
    };
    auto c = GENERATE(values<Case>({
        {"nn.Conv2d(3, 8, 3, groups=2)", "in_channels must be divisible by groups"},
        {"nn.Conv2d(4, 6, 3, groups=4)", "out_channels must be divisible by groups"},
        {"nn.Conv2d(3, 8, 3, groups=0)", "groups must be a positive integer"},
        {"nn.Conv2d(3, 8, 3, padding='foo')", "Invalid padding string 'foo'"},
        {"nn.Conv2d(3, 8, 3, stride=2, padding='same')",
         "padding='same' is not supported for strided convolutions"},
        {"nn.Conv2d(3, 8, 3, padding_mode='zero')", "but got padding_mode='zero'"},
        {"nn.ConvTranspose2d(3, 8, 3, padding_mode='reflect')",
         "Only \"zeros\" padding mode is supported for ConvTranspose2d"},
        {"nn.Conv2d(3, 8, -1)",
         "Trying to create tensor with negative dimension -1: [8, 3, -1, -1]"},
        {"nn.Linear(-1, 5)", "Trying to create tensor with negative dimension -1: [5, -1]"},
        {"nn.BatchNorm2d(-1)", "Trying to create tensor with negative dimension -1: [-1]"},
        {"nn.Dropout(1.5)", "dropout probability has to be between 0 and 1, but got 1.5"},
        {"nn.Dropout2d(2)", "dropout probability has to be between 0 and 1, but got 2"},
    }));
    CAPTURE(c.expr);
    LayerError e = layer_error({"nn.MaxPool2d(2)", c.expr}, {1, 3, 1, 1});
    CHECK(e.index() == 1);
    CHECK(e.name() == "1");
    CHECK(e.type() == type_of(c.expr));
    CHECK_THAT(e.rule(), Contains(c.rule));
}

TEST_CASE("the first construction error wins", "[layers]") {
    LayerError e = layer_error(
        {"nn.MaxPool2d(2)", "nn.ReLU()", "nn.Dropout(2.0)", "nn.Conv2d(3, 8, 3, groups=2)"},
        {1, 3, 1, 1});
    CHECK(e.index() == 2);
    CHECK(e.type() == "Dropout");
}

TEST_CASE("a layer breaking several construction rules reports PyTorch's first", "[layers]") {
    // _ConvNd.__init__ order: groups > 0, in_channels % groups, out_channels % groups, padding
    // string, 'same' with stride, padding_mode; then the weight is created (negative sizes).
    // ConvTranspose checks padding_mode before all of these.
    auto c = GENERATE(values<ErrCase>({
        {"nn.Conv2d(3, 8, 3, groups=0, padding='foo')",
         {1, 3, 5, 5},
         {"groups must be a positive integer"}},
        {"nn.Conv2d(3, 8, 3, groups=2, padding='foo')",
         {1, 3, 5, 5},
         {"in_channels must be divisible by groups"}},
        {"nn.Conv2d(3, 6, -1, groups=4)",
         {1, 3, 5, 5},
         {"in_channels must be divisible by groups"}},
        {"nn.Conv2d(3, 8, 3, padding='foo', padding_mode='zero')",
         {1, 3, 5, 5},
         {"Invalid padding string 'foo'"}},
        {"nn.Conv2d(3, 8, 3, stride=2, padding='same', padding_mode='zero')",
         {1, 3, 5, 5},
         {"padding='same' is not supported for strided convolutions"}},
        {"nn.Conv2d(3, 6, -1, padding_mode='zero')", {1, 3, 5, 5}, {"but got padding_mode='zero'"}},
        {"nn.ConvTranspose2d(3, 8, 3, groups=2, padding_mode='reflect')",
         {1, 3, 5, 5},
         {"Only \"zeros\" padding mode is supported for ConvTranspose2d"}},
    }));
    check_error_case(c);
}

TEST_CASE("errors PyTorch raises in forward do not jump ahead of earlier forward errors",
          "[layers]") {
    // These modules construct fine in PyTorch and fail only when called, so the earlier layer's
    // forward error comes first.
    auto expr =
        GENERATE(as<std::string>{}, "nn.LPPool2d(2, (2, 2, 2))", "nn.Conv2d(3, 8, (3, 3, 3))",
                 "nn.MaxPool2d(2, stride=0)", "nn.Upsample()",
                 "nn.AvgPool2d(2, divisor_override=0)", "nn.GELU(approximate='foo')",
                 "nn.Conv2d(3, 8, 3, stride=0)", "nn.ConvTranspose2d(3, 8, 3, output_padding=3)",
                 // ConvTranspose runs _pair(padding) on a string ('same' -> ('s', 'a', 'm',
                 // 'e')), so no string check fires; F.conv_transpose2d raises a TypeError.
                 "nn.ConvTranspose2d(3, 8, 3, padding='same')",
                 "nn.ConvTranspose2d(3, 8, 3, padding='valid')",
                 "nn.ConvTranspose1d(3, 8, 3, padding='foo')");
    CAPTURE(expr);
    LayerError e = layer_error({"nn.MaxPool2d(2)", expr}, {1, 3, 1, 1});
    CHECK(e.index() == 0);
    CHECK_THAT(
        e.rule(),
        Contains("Given input size: (3x1x1). Calculated output size: (3x0x0). Output size is "
                 "too small"));
}

// ---- train vs eval ------------------------------------------------------------------------------

TEST_CASE("BatchNorm needs more than one value per channel only when training", "[layers]") {
    struct Case {
        const char* expr;
        Shape in;
        Mode mode;
        const char* rule; // nullptr: PyTorch accepts it
    };
    auto c = GENERATE(values<Case>({
        {"nn.BatchNorm2d(3)",
         {1, 3, 1, 1},
         Mode::Train,
         "Expected more than 1 value per channel when training, got input size torch.Size([1, 3, "
         "1, 1])"},
        {"nn.BatchNorm2d(3)", {1, 3, 1, 1}, Mode::Eval, nullptr},
        {"nn.BatchNorm2d(3)", {2, 3, 1, 1}, Mode::Train, nullptr},
        {"nn.BatchNorm2d(3)", {0, 3, 2, 2}, Mode::Train, nullptr},
        {"nn.BatchNorm2d(3, affine=False)",
         {1, 3, 1, 1},
         Mode::Train,
         "Expected more than 1 value per channel when training, got input size torch.Size([1, 3, "
         "1, 1])"},
        {"nn.BatchNorm1d(3)",
         {1, 3},
         Mode::Train,
         "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])"},
        {"nn.BatchNorm1d(3)", {1, 3}, Mode::Eval, nullptr},
        {"nn.BatchNorm1d(3)",
         {1, 3, 1},
         Mode::Train,
         "Expected more than 1 value per channel when training, got input size torch.Size([1, 3, "
         "1])"},
        {"nn.BatchNorm1d(3)", {1, 3, 2}, Mode::Train, nullptr},
        {"nn.BatchNorm3d(3)",
         {1, 3, 1, 1, 1},
         Mode::Train,
         "Expected more than 1 value per channel when training, got input size torch.Size([1, 3, "
         "1, 1, 1])"},
        {"nn.BatchNorm3d(3)", {1, 3, 1, 1, 1}, Mode::Eval, nullptr},
    }));
    CAPTURE(c.expr, c.in, c.mode == Mode::Train);
    if (c.rule) {
        LayerError e = layer_error({c.expr}, c.in, c.mode);
        CHECK(e.index() == 0);
        CHECK_THAT(e.rule(), Contains(c.rule));
    } else {
        Plan p = plan_exprs({c.expr}, c.in, c.mode);
        CHECK(p.output == c.in);
        CHECK(p.mode == c.mode);
    }
}

TEST_CASE("train mode does not change other layers' shapes", "[layers]") {
    Plan p = plan_exprs({"nn.Conv2d(3, 8, 3)", "nn.BatchNorm2d(8)", "nn.Dropout2d()",
                         "nn.Flatten()", "nn.Dropout(0.5)", "nn.Linear(7200, 10)"},
                        {2, 3, 32, 32}, Mode::Train);
    CHECK(p.output == Shape{2, 10});
}

// ---- networks: totals and merges ----------------------------------------------------------------

TEST_CASE("totals sum the layers' parameters, buffers and MACs", "[layers]") {
    Plan p = plan_exprs({"nn.Conv2d(3, 8, 3)", "nn.BatchNorm2d(8)", "nn.ReLU()", "nn.Flatten()",
                         "nn.Linear(7200, 10)"},
                        {2, 3, 32, 32});
    REQUIRE(p.layers.size() == 5);
    CHECK(p.output == Shape{2, 10});
    std::vector<std::int64_t> params;
    for (auto& l : p.layers)
        params.push_back(l.params);
    CHECK(params == std::vector<std::int64_t>{224, 16, 0, 0, 72010});
    CHECK(p.totals.params == 72250);
    CHECK(p.totals.trainable_params == 72250);
    CHECK(p.totals.non_trainable_params == 0);
    CHECK(p.totals.buffers == 17);
    CHECK(p.totals.macs == 532800);
    CHECK(p.totals.param_bytes == 72250 * 4);
    CHECK(p.totals.input_bytes == 2 * 3 * 32 * 32 * 4);
}

TEST_CASE("Add broadcasts like x + y", "[layers]") {
    SECTION("a (N, C, 1, 1) gate over a feature map") {
        Plan p = plan_json(R"({"input": [1, 8, 4, 4], "layers": [
            {"name": "pool", "type": "AdaptiveAvgPool2d", "output_size": 1},
            {"name": "add", "type": "Add", "inputs": ["input", "pool"]}]})");
        CHECK(p.layers[0].output == Shape{1, 8, 1, 1});
        CHECK(p.output == Shape{1, 8, 4, 4});
        CHECK(p.layers[1].params == 0);
        CHECK(p.layers[1].macs == 0);
    }
    SECTION("three inputs") {
        Plan p = plan_json(R"({"input": [1, 8, 4, 4], "layers": [
            {"name": "pool", "type": "AdaptiveAvgPool2d", "output_size": 1},
            {"name": "conv", "type": "Conv2d", "in_channels": 8, "out_channels": 8, "kernel_size": 1,
             "inputs": "input"},
            {"name": "add", "type": "Add", "inputs": ["input", "pool", "conv"]}]})");
        CHECK(p.output == Shape{1, 8, 4, 4});
        CHECK(p.totals.params == 72);
        CHECK(p.totals.macs == 1024);
    }
    SECTION("different ranks") {
        // torch.zeros(2, 3) + torch.zeros(1, 2, 3) -> (1, 2, 3)
        Plan p = plan_json(R"({"input": [1, 2, 3], "layers": [
            {"name": "lin", "type": "Linear", "in_features": 3, "out_features": 3},
            {"name": "flat", "type": "Flatten", "start_dim": 0, "end_dim": 1},
            {"name": "add", "type": "Add", "inputs": ["flat", "input"]}]})");
        CHECK(p.layers[1].output == Shape{2, 3});
        CHECK(p.output == Shape{1, 2, 3});
    }
    SECTION("mismatch") {
        LayerError e = expect_error<LayerError>([] {
            plan_json(R"({"input": [1, 8, 4, 4], "layers": [
                {"name": "conv", "type": "Conv2d", "in_channels": 8, "out_channels": 4, "kernel_size": 1},
                {"name": "add", "type": "Add", "inputs": ["input", "conv"]}]})");
        });
        CHECK(e.index() == 1);
        CHECK(e.name() == "add");
        CHECK(e.type() == "Add");
        CHECK_THAT(e.rule(),
                   Contains("The size of tensor a (8) must match the size of tensor b (4) "
                            "at non-singleton dimension 1"));
    }
}

TEST_CASE("Concat joins along dim like torch.cat", "[layers]") {
    SECTION("channels of three tensors") {
        Plan p = plan_json(R"({"input": [1, 3, 8, 8], "layers": [
            {"name": "a", "type": "Conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": 1},
            {"name": "b", "type": "Conv2d", "in_channels": 3, "out_channels": 6, "kernel_size": 3,
             "padding": 1, "inputs": "input"},
            {"name": "cat", "type": "Concat", "dim": 1, "inputs": ["a", "b", "input"]}]})");
        CHECK(p.output == Shape{1, 13, 8, 8});
        CHECK(p.layers[2].params == 0);
        CHECK(p.layers[2].macs == 0);
    }
    SECTION("negative dim") {
        Plan p = plan_json(R"({"input": [1, 4, 4, 4], "layers": [
            {"name": "id", "type": "Identity"},
            {"name": "cat", "type": "Concat", "dim": -4, "inputs": ["input", "id"]}]})");
        CHECK(p.output == Shape{2, 4, 4, 4});
    }
    SECTION("along H") {
        Plan p = plan_json(R"({"input": [1, 4, 4, 4], "layers": [
            {"name": "p", "type": "MaxPool2d", "kernel_size": [2, 1]},
            {"name": "cat", "type": "Concat", "dim": 2, "inputs": ["input", "p"]}]})");
        CHECK(p.output == Shape{1, 4, 6, 4});
    }
    SECTION("sizes must match except in dim") {
        LayerError e = expect_error<LayerError>([] {
            plan_json(R"({"input": [1, 4, 4, 4], "layers": [
                {"name": "p", "type": "MaxPool2d", "kernel_size": [2, 1]},
                {"name": "cat", "type": "Concat", "dim": 1, "inputs": ["input", "p"]}]})");
        });
        CHECK(e.index() == 1);
        CHECK(e.type() == "Concat");
        CHECK_THAT(e.rule(), Contains("Sizes of tensors must match except in dimension 1. Expected "
                                      "size 4 but got size 2 for tensor number 1 in the list."));
    }
    SECTION("ranks must match") {
        LayerError e = expect_error<LayerError>([] {
            plan_json(R"({"input": [1, 4, 4, 4], "layers": [
                {"name": "f", "type": "Flatten"},
                {"name": "cat", "type": "Concat", "dim": 1, "inputs": ["input", "f"]}]})");
        });
        CHECK_THAT(e.rule(), Contains("Tensors must have same number of dimensions: got 4 and 2"));
    }
    SECTION("dim out of range") {
        LayerError e = expect_error<LayerError>([] {
            plan_json(R"({"input": [1, 4, 4, 4], "layers": [
                {"name": "id", "type": "Identity"},
                {"name": "cat", "type": "Concat", "dim": 4, "inputs": ["input", "id"]}]})");
        });
        CHECK_THAT(
            e.rule(),
            Contains("Dimension out of range (expected to be in range of [-4, 3], but got 4)"));
    }
}

// ---- receptive fields ---------------------------------------------------------------------------
// Expected by the standard recurrence: r_out = r_in + (k_eff - 1) * j_in, j_out = j_in * s,
// start_out = start_in + ((k_eff - 1) / 2 - pad) * j_in (centre of the first output's field).

namespace {
void check_rf(const LayerPlan& l, const std::vector<RfAxis>& want) {
    CAPTURE(l.name, l.type);
    REQUIRE(l.rf.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        CAPTURE(i);
        CHECK(l.rf[i].size == Approx(want[i].size));
        CHECK(l.rf[i].jump == Approx(want[i].jump));
        CHECK(l.rf[i].start == Approx(want[i].start));
    }
}
} // namespace

TEST_CASE("receptive fields of simple chains", "[layers]") {
    SECTION("two 3x3 convolutions: 5x5, jump 1") {
        Plan p = plan_exprs({"nn.Conv2d(1, 1, 3)", "nn.Conv2d(1, 1, 3)"}, {1, 1, 16, 16});
        check_rf(p.layers[0], {{3, 1, 1}, {3, 1, 1}});
        check_rf(p.layers[1], {{5, 1, 2}, {5, 1, 2}});
    }
    SECTION("3x3 stride 2, then 3x3: 7x7, jump 2") {
        Plan p = plan_exprs({"nn.Conv2d(1, 1, 3, stride=2)", "nn.Conv2d(1, 1, 3)"}, {1, 1, 16, 16});
        check_rf(p.layers[0], {{3, 2, 1}, {3, 2, 1}});
        check_rf(p.layers[1], {{7, 2, 3}, {7, 2, 3}});
    }
    SECTION("padding shifts the first field's centre") {
        Plan p = plan_exprs({"nn.Conv2d(1, 1, 3, padding=1)", "nn.Conv2d(1, 1, 3, padding=1)"},
                            {1, 1, 16, 16});
        check_rf(p.layers[1], {{5, 1, 0}, {5, 1, 0}});
    }
    SECTION("ResNet stem: elementwise layers keep the field, the pool grows it") {
        Plan p = plan_exprs({"nn.Conv2d(3, 64, 7, stride=2, padding=3)", "nn.BatchNorm2d(64)",
                             "nn.ReLU()", "nn.MaxPool2d(3, stride=2, padding=1)"},
                            {1, 3, 224, 224});
        check_rf(p.layers[0], {{7, 2, 0}, {7, 2, 0}});
        check_rf(p.layers[1], {{7, 2, 0}, {7, 2, 0}});
        check_rf(p.layers[2], {{7, 2, 0}, {7, 2, 0}});
        check_rf(p.layers[3], {{11, 4, 0}, {11, 4, 0}});
    }
    SECTION("dilation widens the kernel") {
        Plan p = plan_exprs({"nn.Conv2d(1, 1, 3, dilation=2)"}, {1, 1, 16, 16});
        check_rf(p.layers[0], {{5, 1, 2}, {5, 1, 2}});
    }
    SECTION("per-axis kernels and strides") {
        Plan p = plan_exprs({"nn.Conv2d(1, 1, (3, 5), stride=(1, 2))"}, {1, 1, 16, 16});
        check_rf(p.layers[0], {{3, 1, 1}, {5, 2, 2}});
    }
    SECTION("1d: conv then pool") {
        Plan p = plan_exprs({"nn.Conv1d(1, 1, 3)", "nn.MaxPool1d(2)"}, {1, 1, 20});
        check_rf(p.layers[0], {{3, 1, 1}});
        check_rf(p.layers[1], {{4, 2, 1.5}});
    }
    SECTION("3d") {
        Plan p = plan_exprs({"nn.Conv3d(1, 1, 3)", "nn.MaxPool3d(2)"}, {1, 1, 8, 8, 8});
        check_rf(p.layers[1], {{4, 2, 1.5}, {4, 2, 1.5}, {4, 2, 1.5}});
    }
    SECTION("Flatten and Linear end the spatial field") {
        Plan p =
            plan_exprs({"nn.Conv2d(1, 1, 3)", "nn.Flatten()", "nn.Linear(196, 2)"}, {1, 1, 16, 16});
        CHECK(p.layers[0].rf.size() == 2);
        CHECK(p.layers[1].rf.empty());
        CHECK(p.layers[2].rf.empty());
    }
}

// tests/data/rf.json (tools/gen_rf_fixtures.py): where PyTorch's gradient of one output element
// reaches in the input, per dim, for the element at index 0 and at index 1 of every spatial dim.
// cnnshape's field of the last layer, clipped to the input as the gradient is, must cover
// exactly those indices: the size and start give the first, start + jump the next.
TEST_CASE("receptive fields match where PyTorch's gradient reaches", "[layers]") {
    std::ifstream f(std::string(CNNSHAPE_TEST_DATA) + "/rf.json");
    REQUIRE(f.good());
    auto doc = nlohmann::json::parse(f);
    REQUIRE(doc["cases"].size() >= 20);
    for (const auto& c : doc["cases"]) {
        auto layers = c["layers"].get<std::vector<std::string>>();
        Shape in = c["input"].get<Shape>();
        CAPTURE(c["layers"].dump(), in, c["mode"].get<std::string>());
        Plan p = plan_exprs(layers, in, c["mode"] == "train" ? Mode::Train : Mode::Eval);
        const auto& rf = p.layers.back().rf;
        std::size_t n = c["spatial"].get<std::size_t>();
        REQUIRE(rf.size() == n);
        // The input indices the field covers when its centre is at `centre`.
        auto covered = [&](double centre, double size, std::int64_t len) {
            double half = (size - 1) / 2;
            std::int64_t lo = std::int64_t(std::ceil(centre - half - 1e-9));
            std::int64_t hi = std::int64_t(std::floor(centre + half + 1e-9));
            return std::vector<std::int64_t>{std::max<std::int64_t>(lo, 0),
                                             std::min<std::int64_t>(hi, len - 1)};
        };
        for (std::size_t i = 0; i < n; ++i) {
            std::size_t d = in.size() - n + i;
            CAPTURE(i, rf[i].size, rf[i].jump, rf[i].start);
            CHECK(covered(rf[i].start, rf[i].size, in[d]) ==
                  c["spans"][d].get<std::vector<std::int64_t>>());
            // The next output's field, where the jump is a whole number of input pixels (a
            // fractional jump, from upsampling or a transposed convolution, is an average).
            if (c.contains("spans_next") && rf[i].jump == std::floor(rf[i].jump))
                CHECK(covered(rf[i].start + rf[i].jump, rf[i].size, in[d]) ==
                      c["spans_next"][d].get<std::vector<std::int64_t>>());
        }
    }
}

TEST_CASE("receptive field of VGG16's pool5 is 212 with jump 32", "[layers]") {
    Network net =
        load_spec_file(std::string(CNNSHAPE_SOURCE_DIR) + "/examples/networks/vgg16_print.txt");
    Plan p = make_plan(net, {1, 3, 224, 224});
    REQUIRE(p.layers.size() == 31);
    CHECK(p.output == Shape{1, 512, 7, 7});
    check_rf(p.layers[23], {{100, 16, 7.5}, {100, 16, 7.5}});   // pool4
    check_rf(p.layers[30], {{212, 32, 15.5}, {212, 32, 15.5}}); // pool5
}

// Found by fuzzing (fuzz/fuzz_expr): a one-element stride tuple on a 3d convolution was read
// past its end. PyTorch expands a one-element list to every axis.
TEST_CASE("one-element tuples stand for every axis of a convolution", "[layers]") {
    auto net = cnnshape::network_from_exprs(
        {"nn.Conv3d(1, 2, (2, 1, 2), (1,), 21, (1, 1, 3), bias=False)"});
    auto p = cnnshape::make_plan(net, {1, 1, 4, 4, 4});
    // PyTorch 1.13: torch.Size([1, 2, 45, 46, 43]) (the fuzzer's case had dilation 0 on one axis)
    CHECK(p.output == cnnshape::Shape{1, 2, 45, 46, 43});
    auto net2 = cnnshape::network_from_exprs({"nn.Conv2d(1, 1, 3, stride=(2,), padding=(1,))"});
    CHECK(cnnshape::make_plan(net2, {1, 1, 9, 9}).output == cnnshape::Shape{1, 1, 5, 5});
}

// Found by fuzzing: a bool where a float goes (Python's bool is a number) was read as the wrong
// variant. PyTorch takes LeakyReLU(True) as negative_slope=1.0 and Dropout(False) as p=0.
TEST_CASE("bools are numbers where PyTorch expects a float", "[layers]") {
    for (auto expr : {"nn.LeakyReLU(True)", "nn.Dropout(False)", "nn.ConstantPad2d(1, True)"}) {
        CAPTURE(expr);
        auto net = cnnshape::network_from_exprs({expr});
        CHECK_NOTHROW(cnnshape::make_plan(net, {1, 3, 4, 4}));
    }
}

TEST_CASE("Dropout2d in train mode needs two dimensions, as aten's feature noise does",
          "[layers]") {
    // Checked against PyTorch 1.13: p = 0, p = 1, eval mode and empty inputs never build the
    // feature noise, so they pass.
    const char* msg = "Feature dropout requires at least 2 dimensions in the input";
    CHECK(layer_error({"nn.Dropout2d(0.5)"}, {5}, Mode::Train).rule() == msg);
    CHECK(layer_error({"nn.Dropout2d(0.5)"}, {}, Mode::Train).rule() == msg);
    CHECK_NOTHROW(cnnshape_test::plan_exprs({"nn.Dropout2d(0.5)"}, {5}, Mode::Eval));
    CHECK_NOTHROW(cnnshape_test::plan_exprs({"nn.Dropout2d(0.0)"}, {5}, Mode::Train));
    CHECK_NOTHROW(cnnshape_test::plan_exprs({"nn.Dropout2d(1.0)"}, {5}, Mode::Train));
    CHECK_NOTHROW(cnnshape_test::plan_exprs({"nn.Dropout2d(0.5)"}, {0}, Mode::Train));
    CHECK_NOTHROW(cnnshape_test::plan_exprs({"nn.Dropout2d(0.5)"}, {2, 5}, Mode::Train));
}
