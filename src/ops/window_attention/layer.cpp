// ShiftedWindowAttention(dim, window_size, shift_size, num_heads, qkv_bias=True, proj_bias=True,
// attention_dropout=0.0, dropout=0.0) and ShiftedWindowAttentionV2 (the same signature):
// torchvision 0.14's swin_transformer modules. (B, H, W, C) -> (B, H, W, C), C = dim.
// __init__'s checks in its order (the length check, the Linear and table allocations, the
// arange of the index or of V2's coordinate table), then shifted_window_attention's: the
// unpacking of input.shape, Python's % of the padding, F.linear's product, the head reshape,
// F.dropout's range (called with training=True: in eval mode too).
#include "layers/common.hpp"
#include <cmath>

namespace cnnshape::detail {
namespace {

std::int64_t py_mod(std::int64_t a, std::int64_t b) {
    std::int64_t r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

void create(const Ints& shape) {
    for (std::int64_t v : shape)
        if (v < 0)
            throw ShapeError(fmt::format("Trying to create tensor with negative dimension {}: {}",
                                         v, py_list(shape)));
}

// torch.arange(start, end) with step 1.
void arange(std::int64_t start, std::int64_t end) {
    if (end < start) throw ShapeError("upper bound and larger bound inconsistent with step sign");
}

// The relative_position_index buffer (define_relative_position_index), row-major (N, N)
// flattened: (hi - hj + ws0 - 1) * (2 ws1 - 1) + (wi - wj + ws1 - 1).
std::vector<float> position_index(std::int64_t ws0, std::int64_t ws1) {
    const std::int64_t n = ws0 * ws1;
    std::vector<float> v(std::size_t(n * n));
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < n; ++j)
            v[std::size_t(i * n + j)] = float((i / ws1 - j / ws1 + ws0 - 1) * (2 * ws1 - 1) +
                                              (i % ws1 - j % ws1 + ws1 - 1));
    return v;
}

// V2's relative_coords_table (1, 2 ws0 - 1, 2 ws1 - 1, 2) as its float32 ops compute it:
// t / (ws - 1) * 8, then sign(t) * log2(|t| + 1) / 3.
std::vector<float> coords_table(std::int64_t ws0, std::int64_t ws1) {
    std::vector<float> v;
    auto f = [](std::int64_t c, std::int64_t ws) {
        float t = float(c) / float(ws - 1);
        t = t * 8.0f;
        float s = t > 0 ? 1.0f : (t < 0 ? -1.0f : (std::isnan(t) ? t : 0.0f));
        return s * std::log2(std::fabs(t) + 1.0f) / 3.0f;
    };
    for (std::int64_t h = -(ws0 - 1); h < ws0; ++h)
        for (std::int64_t w = -(ws1 - 1); w < ws1; ++w) {
            v.push_back(f(h, ws0));
            v.push_back(f(w, ws1));
        }
    return v;
}

struct WindowAttentionLayer : Layer {
    bool v2;
    std::int64_t dim, num_heads;
    Ints window, shift;
    bool qkv_bias, proj_bias;
    double attention_dropout, dropout;

    WindowAttentionLayer(Args a, bool v2_) : Layer(std::move(a)), v2(v2_) {
        dim = arg_int(args(), "dim");
        num_heads = arg_int(args(), "num_heads");
        for (const char* n : {"window_size", "shift_size"})
            if (!arg(args(), n).is_tuple())
                throw SpecError(args().path(n),
                                fmt::format("{} must be a list of 2 ints (torchvision calls len() "
                                            "of it), not {}",
                                            n, arg(args(), n).repr()));
        window = arg_ints(args(), "window_size", 2);
        shift = arg_ints(args(), "shift_size", 2);
        qkv_bias = arg_bool(args(), "qkv_bias");
        proj_bias = arg_bool(args(), "proj_bias");
        attention_dropout = arg_float(args(), "attention_dropout");
        dropout = arg_float(args(), "dropout");
    }

    std::int64_t table_rows() const { return checked_mul(2 * window[0] - 1, 2 * window[1] - 1); }

    void check_construct() const override {
        if (window.size() != 2 || shift.size() != 2)
            throw ShapeError("window_size and shift_size must be of length 2");
        create({checked_mul(dim, 3), dim}); // qkv
        create({dim, dim});                 // proj
        if (v2) {
            // define_relative_position_bias_table (V2): the coordinate table's aranges
            arange(-(window[0] - 1), window[0]);
            arange(-(window[1] - 1), window[1]);
        } else {
            create({table_rows(), num_heads});
        }
        // define_relative_position_index: arange(window_size[0]), arange(window_size[1])
        arange(0, window[0]);
        arange(0, window[1]);
        if (v2) {
            create({num_heads, 1, 1}); // logit_scale
            create({num_heads, 512});  // cpb_mlp[2]
        }
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        if (x.size() < 4)
            throw ShapeError(
                fmt::format("not enough values to unpack (expected 4, got {})", x.size()));
        if (x.size() > 4) throw ShapeError("too many values to unpack (expected 4)");
        const std::int64_t B = x[0], H = x[1], W = x[2], C = x[3];
        // forward computes the bias first: V1 views its gathered table as (N, N, -1), V2 views
        // cpb_mlp's output as (-1, num_heads)
        if (!v2 && window[0] * window[1] == 0)
            throw ShapeError(fmt::format("cannot reshape tensor of 0 elements into shape [{0}, "
                                         "{0}, -1] because the unspecified dimension size -1 "
                                         "can be any value and is ambiguous",
                                         window[0] * window[1]));
        if (v2 && num_heads == 0)
            throw ShapeError("cannot reshape tensor of 0 elements into shape [-1, 0] because the "
                             "unspecified dimension size -1 can be any value and is ambiguous");
        if (window[0] == 0 || window[1] == 0) throw ShapeError("integer modulo by zero");
        if (window[0] < 0 || window[1] < 0)
            throw ShapeError(fmt::format("{}: cnnshape plans positive window sizes only, not {}",
                                         type(), py_list(window)));
        if (B == 0 || H == 0 || W == 0 || C == 0)
            throw ShapeError(fmt::format("{} of an empty input {}: cnnshape does not plan it",
                                         type(), py_list(x)));
        const std::int64_t pad_r = py_mod(window[1] - py_mod(W, window[1]), window[1]);
        const std::int64_t pad_b = py_mod(window[0] - py_mod(H, window[0]), window[0]);
        const std::int64_t pH = checked_add(H, pad_b), pW = checked_add(W, pad_r);
        Ints s = shift;
        if (window[0] >= pH) s[0] = 0;
        if (window[1] >= pW) s[1] = 0;
        const std::int64_t N = checked_mul(window[0], window[1]);
        const std::int64_t nW = checked_mul(pH / window[0], pW / window[1]);
        const std::int64_t rows = checked_mul(checked_mul(B, nW), N);
        if (C != dim)
            throw ShapeError(fmt::format("mat1 and mat2 shapes cannot be multiplied ({}x{} and "
                                         "{}x{})",
                                         rows, C, dim, checked_mul(3, dim)));
        if (num_heads == 0) throw ShapeError("integer division or modulo by zero");
        const std::int64_t hd = floor_div(C, num_heads);
        if (checked_mul(hd, num_heads) != C)
            throw ShapeError(fmt::format("shape '{}' is invalid for input of size {}",
                                         py_list({checked_mul(B, nW), N, 3, num_heads, hd}),
                                         checked_mul(rows, checked_mul(3, C))));
        for (double p : {attention_dropout, dropout})
            if (p < 0 || p > 1)
                throw ShapeError(fmt::format("dropout probability has to be between 0 and 1, "
                                             "but got {}",
                                             py_float(p)));

        WindowAttentionDesc d;
        d.v2 = v2;
        d.B = B, d.H = H, d.W = W, d.C = C;
        d.num_heads = num_heads;
        d.head_dim = hd;
        d.ws0 = window[0], d.ws1 = window[1];
        d.shift0 = s[0], d.shift1 = s[1];
        d.pad_H = pH, d.pad_W = pW;
        d.shifted = s[0] + s[1] > 0;
        d.qkv_bias = qkv_bias;
        d.proj_bias = proj_bias;
        d.table_rows = table_rows();
        d.attention_dropout = attention_dropout;
        d.dropout = dropout;
        lower.exec = d;

        LayerOutput out;
        out.shape = x;
        const std::int64_t R = d.table_rows, hid = d.cpb_hidden;
        std::int64_t params = checked_add(checked_mul(3 * C, C), checked_mul(C, C));
        if (qkv_bias) params = checked_add(params, 3 * C);
        if (proj_bias) params = checked_add(params, C);
        if (v2) // logit_scale, cpb_mlp: Linear(2, 512), Linear(512, num_heads, bias=False)
            params = checked_add(params, num_heads + 3 * hid + hid * num_heads);
        else
            params = checked_add(params, checked_mul(R, num_heads));
        out.params = params;
        const std::int64_t nn = checked_mul(N, N);
        out.buffers = v2 ? checked_add(nn, 2 * R) : nn; // int64 index (+ float coords)
        out.buffer_bytes = checked_add(checked_mul(8, nn), v2 ? 8 * R : 0);
        // The projections (qkv, proj) of every padded token, QK^T and AV within each window
        // (heads x head_dim = C), as MultiheadAttention counts; V2 adds cpb_mlp's two Linear
        // layers over the coordinate table (run every forward). Masks, softmax, scaling and the
        // bias gather are not counted.
        const std::int64_t T = checked_mul(B, checked_mul(pH, pW));
        std::int64_t macs = checked_mul(T, checked_mul(C, 4 * C));
        macs = checked_add(macs, checked_mul(2, checked_mul(T, checked_mul(N, C))));
        if (v2) macs = checked_add(macs, checked_mul(R, 2 * hid + hid * num_heads));
        out.macs = macs;
        // Every output token sees its (shifted) window, every channel: within H, W and C.
        out.rf = RfEffect::Whole;
        out.rf_dims = {1, 2, 3};

        auto& t = lower.tensors;
        auto linear = [&](const std::string& name, std::int64_t in, std::int64_t outf, bool bias,
                          int rank) {
            TensorSpec w{name + ".weight", {outf, in}, false, false, Init::KaimingUniform, in};
            w.init_rank = rank;
            t.push_back(w);
            if (bias) {
                // V2 zeroes k's third of qkv.bias after Linear's init
                const Init bi =
                    v2 && name == "qkv" ? Init::FanInUniformMiddleZeros : Init::FanInUniform;
                TensorSpec b{name + ".bias", {outf}, false, false, bi, in};
                b.init_rank = rank;
                t.push_back(b);
            }
        };
        TensorSpec index{"relative_position_index", {nn}, true, true, Init::Values, 0};
        index.values = position_index(window[0], window[1]);
        if (v2) {
            TensorSpec ls{"logit_scale", {num_heads, 1, 1}, false, false, Init::Constant, 0};
            ls.value = double(std::log(10.0f));
            t.push_back(ls);
            TensorSpec ct{"relative_coords_table",
                          {1, 2 * window[0] - 1, 2 * window[1] - 1, 2},
                          true,
                          false,
                          Init::Values,
                          0};
            ct.values = coords_table(window[0], window[1]);
            t.push_back(ct);
            t.push_back(index);
        } else {
            TensorSpec tab{
                "relative_position_bias_table", {R, num_heads}, false, false, Init::TruncNormal, 0};
            tab.value = 0.02;
            t.push_back(tab);
            t.push_back(index);
        }
        // __init__ builds qkv and proj before the table (and V2's cpb_mlp after them)
        linear("qkv", C, 3 * C, qkv_bias, -1);
        linear("proj", C, C, proj_bias, -1);
        if (v2) {
            linear("cpb_mlp.0", 2, hid, true, 0);
            linear("cpb_mlp.2", hid, num_heads, false, 0);
        }
        return out;
    }

    std::string brief() const override {
        Brief b;
        b.add(std::to_string(dim));
        b.add(py_list(window));
        b.add(py_list(shift));
        b.add(std::to_string(num_heads));
        if (!qkv_bias) b.add("qkv_bias=False");
        if (!proj_bias) b.add("proj_bias=False");
        if (attention_dropout != 0) b.add("attention_dropout=" + py_float(attention_dropout));
        if (dropout != 0) b.add("dropout=" + py_float(dropout));
        return b.wrap(type());
    }
};

LayerPtr make_v1(Args a) {
    return std::make_shared<WindowAttentionLayer>(std::move(a), false);
}
LayerPtr make_v2(Args a) {
    return std::make_shared<WindowAttentionLayer>(std::move(a), true);
}

} // namespace

void register_window_attention(std::vector<LayerType>& r) {
    for (auto [name, make] : {std::pair{"ShiftedWindowAttention", &make_v1},
                              std::pair{"ShiftedWindowAttentionV2", &make_v2}})
        r.push_back({name,
                     {req("dim"), req("window_size"), req("shift_size"), req("num_heads"),
                      opt("qkv_bias", B(true)), opt("proj_bias", B(true)),
                      opt("attention_dropout", F(0.0)), opt("dropout", F(0.0))},
                     false,
                     "attention",
                     make,
                     {std::string("torchvision.models.swin_transformer.") + name}});
}

} // namespace cnnshape::detail
