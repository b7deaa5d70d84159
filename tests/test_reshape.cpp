// The data-movement layers (Reshape, View, Permute, Transpose, Squeeze, Unsqueeze, Unflatten,
// TensorFlatten, Expand, Roll, Contiguous, PixelShuffle/Unshuffle, ChannelShuffle, Select, Narrow,
// Slice, Flip): their spellings, counts, receptive field, explain text and the strided-walk
// kernel against a plain loop. Shapes and messages against PyTorch are in
// tests/data/conformance/reshape.json and the values in tests/data/run/reshape.json.
#include "cli_support.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/explain.hpp"
#include "cnnshape/kernels.hpp"
#include "cnnshape/layer.hpp"
#include "cnnshape/plan.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <random>

using namespace cnnshape;
using Catch::Matchers::Contains;
using cnnshape::test::run_cli;

TEST_CASE("data-movement layers are found by class name and torch spelling", "[reshape]") {
    for (auto [name, type] : {std::pair{"torch.reshape", "Reshape"},
                              {"View", "View"},
                              {"torch.permute", "Permute"},
                              {"torchvision.ops.Permute", "Permute"},
                              {"torchvision.ops.misc.Permute", "Permute"},
                              {"torch.transpose", "Transpose"},
                              {"torch.swapaxes", "Transpose"},
                              {"torch.swapdims", "Transpose"},
                              {"torch.squeeze", "Squeeze"},
                              {"torch.unsqueeze", "Unsqueeze"},
                              {"nn.Unflatten", "Unflatten"},
                              {"torch.unflatten", "TensorUnflatten"},
                              {"torch.flatten", "TensorFlatten"},
                              {"torch.roll", "Roll"},
                              {"nn.PixelShuffle", "PixelShuffle"},
                              {"torch.pixel_unshuffle", "PixelUnshuffle"},
                              {"torch.channel_shuffle", "ChannelShuffle"},
                              {"torch.select", "Select"},
                              {"torch.narrow", "Narrow"},
                              {"torch.flip", "Flip"}}) {
        CAPTURE(name);
        const LayerType* t = find_layer_type(name);
        REQUIRE(t);
        CHECK(t->name == type);
    }
}

TEST_CASE("torch.flatten starts at dim 0, nn.Flatten at dim 1", "[reshape]") {
    CHECK(cnnshape_test::plan_exprs({"torch.flatten()"}, {2, 3, 4}).output == Shape{24});
    CHECK(cnnshape_test::plan_exprs({"nn.Flatten()"}, {2, 3, 4}).output == Shape{2, 12});
    CHECK(cnnshape_test::plan_exprs({"torch.flatten(1)"}, {2, 3, 4}).output == Shape{2, 12});
    CHECK(cnnshape_test::plan_exprs({"torch.flatten()"}, {}).output == Shape{1});
}

TEST_CASE("data-movement layers have no parameters and no MACs", "[reshape]") {
    Plan p = cnnshape_test::plan_exprs(
        {"torch.permute((0, 2, 3, 1))", "torch.reshape((2, -1, 4))", "Expand((4, 2, 12, 4))",
         "torch.flip((1,))", "torch.roll(1)", "Slice(1, 1, None, 2)", "torch.select(0, 1)",
         "torch.unsqueeze(0)", "nn.PixelUnshuffle(2)", "nn.ChannelShuffle(2)"},
        {2, 3, 4, 4});
    CHECK(p.output == Shape{1, 4, 6, 2});
    CHECK(p.totals.params == 0);
    CHECK(p.totals.macs == 0);
}

TEST_CASE("data-movement layers keep the field only off the spatial axes", "[reshape]") {
    auto rf_after = [](const std::string& expr, const Shape& in) {
        Plan p = cnnshape_test::plan_exprs({"nn.Conv2d(3, 4, 3)", expr}, in);
        return p.layers.back().rf.size();
    };
    // Kept: N and C only, or dims inserted/removed before the spatial axes.
    for (const char* e : {"torch.permute((1, 0, 2, 3))", "torch.transpose(0, 1)",
                          "torch.unsqueeze(0)", "torch.unsqueeze(2)", "torch.select(0, 1)",
                          "torch.reshape((8, 6, 6))", "nn.ChannelShuffle(2)", "Contiguous()",
                          "torch.flip((1,))", "Expand((3, 2, 4, 6, 6))", "torch.squeeze(0)"}) {
        CAPTURE(e);
        CHECK(rf_after(e, {2, 3, 8, 8}) == 2);
    }
    // Ended: a spatial axis moved, cut, rolled or merged.
    for (const char* e :
         {"torch.permute((0, 2, 3, 1))", "torch.transpose(2, 3)", "torch.unsqueeze(-1)",
          "torch.select(2, 0)", "torch.reshape((2, 4, 36))", "nn.PixelShuffle(2)",
          "nn.PixelUnshuffle(2)", "torch.roll(1, 3)", "torch.flip((2,))", "Slice(3, 1)",
          "torch.narrow(2, 0, 3)", "torch.roll(1)"}) {
        CAPTURE(e);
        CHECK(rf_after(e, {2, 3, 8, 8}) == 0);
    }
}

TEST_CASE("data-movement errors are shape errors (exit 1), bad arguments spec errors (2)",
          "[reshape]") {
    auto r = run_cli("plan --input 3 --layer 'torch.select(0, 5)'");
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Contains("select(): index 5 out of range for tensor of size [3] at "
                               "dimension 0"));
    auto v = run_cli("plan --input 24 --layer 'View((2, -1, 5))'");
    CHECK(v.code == 1);
    CHECK_THAT(v.err, Contains("shape '[2, -1, 5]' is invalid for input of size 24"));
    auto s = run_cli("plan --input 2x3 --layer 'Slice(1, None, None, 0)'");
    CHECK(s.code == 1); // Python finds it while indexing
    CHECK_THAT(s.err, Contains("slice step cannot be zero"));
    auto u = run_cli("plan --input 2x12 --layer 'nn.Unflatten(1, 3)'");
    CHECK(u.code == 2);
    CHECK_THAT(u.err, Contains("unflattened_size must be a tuple of ints, but found type int"));
}

TEST_CASE("layers lists the data-movement types with their torch spellings", "[reshape]") {
    auto r = run_cli("layers");
    REQUIRE(r.code == 0);
    CHECK_THAT(r.out, Contains("Permute(dims)  also torch.permute, torchvision.ops.Permute"));
    CHECK_THAT(r.out, Contains("TensorFlatten(start_dim=0, end_dim=-1)  also torch.flatten"));
    CHECK_THAT(r.out, Contains("Slice(dim=0, start=None, end=None, step=1)"));
}

TEST_CASE("explain says what a data-movement layer moves and that it costs no MACs", "[reshape]") {
    Plan p = cnnshape_test::plan_exprs({"nn.PixelShuffle(2)"}, {1, 8, 3, 3});
    std::string all;
    for (auto& n : explain_layer(p.layers.at(0)).notes)
        all += n + "\n";
    CHECK_THAT(all, Contains("PixelShuffle moves r*r channels into an r x r block of pixels: "
                             "1x8x3x3 -> 1x2x6x6; data movement only (0 MACs)"));
}

// The kernel against the definition: y[i...] = x[offset + sum_d j_d * strides[d]] with
// j_d = (i_d - shifts[d]) mod shape[d], on random walks (merged dims, rolls, strides 0 and < 0).
TEST_CASE("the data-movement kernel walks the input as its descriptor says", "[reshape]") {
    std::mt19937 rng(7);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    for (int t = 0; t < 300; ++t) {
        int rank = pick(0, 5);
        ReshapeDesc d;
        std::int64_t span = 1;
        for (int i = 0; i < rank; ++i)
            d.shape.push_back(pick(1, 4));
        // Strides of a random permutation of a contiguous layout, some zeroed or negated.
        std::vector<int> order(rank);
        for (int i = 0; i < rank; ++i)
            order[i] = i;
        std::shuffle(order.begin(), order.end(), rng);
        d.strides.assign(rank, 0);
        for (int k = rank; k-- > 0;) {
            int i = order[k];
            d.strides[i] = span;
            span *= d.shape[i];
        }
        for (int i = 0; i < rank; ++i) {
            int r = pick(0, 5);
            if (r == 0) d.strides[i] = 0;
            if (r == 1) {
                d.offset += (d.shape[i] - 1) * d.strides[i];
                d.strides[i] = -d.strides[i];
            }
        }
        if (pick(0, 1)) {
            for (int i = 0; i < rank; ++i)
                d.shifts.push_back(pick(0, int(d.shape[i]) - 1));
        }
        std::vector<float> x(span);
        for (std::int64_t i = 0; i < span; ++i)
            x[i] = float(i);
        std::int64_t n = 1;
        for (auto s : d.shape)
            n *= s;
        std::vector<float> want(n), got(n, -1.0f);
        std::vector<std::int64_t> idx(rank, 0);
        for (std::int64_t o = 0; o < n; ++o) {
            std::int64_t off = d.offset;
            for (int k = 0; k < rank; ++k) {
                std::int64_t j = idx[k] - (d.shifts.empty() ? 0 : d.shifts[k]);
                if (j < 0) j += d.shape[k];
                off += j * d.strides[k];
            }
            want[o] = x[off];
            for (int k = rank; k-- > 0;) {
                if (++idx[k] < d.shape[k]) break;
                idx[k] = 0;
            }
        }
        kernels::Io io;
        io.in_shapes = {Shape{span}};
        io.in = {x.data()};
        io.out_shape = Shape{n};
        io.out = got.data();
        kernels::Context ctx;
        kernels::run(ctx, d, io);
        CAPTURE(t, d.shape, d.strides, d.offset, d.shifts);
        CHECK(got == want);
    }
}
