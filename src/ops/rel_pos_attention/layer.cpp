// RelativePositionalMultiHeadAttention(feat_dim, head_dim, max_seq_len): torchvision 0.14's
// MaxViT attention. (B, G, P, feat_dim) -> (B, G, P, feat_dim) with P = max_seq_len, a square
// (or max_seq_len 1, whose one bias per head broadcasts).
// __init__'s checks in its order (feat_dim % head_dim, int(math.sqrt(max_seq_len)), to_qkv,
// feat_dim ** -0.5, merge, the bias table), then forward's: the unpacking of x.shape, to_qkv's
// product, the bias table's view(max_seq_len, max_seq_len, -1) and its broadcast with the scores.
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

std::vector<float> position_index(std::int64_t s) {
    const std::int64_t n = s * s;
    std::vector<float> v(std::size_t(n * n));
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < n; ++j)
            v[std::size_t(i * n + j)] =
                float((i / s - j / s + s - 1) * (2 * s - 1) + (i % s - j % s + s - 1));
    return v;
}

struct RelPosAttentionLayer : Layer {
    std::int64_t feat_dim, head_dim, max_seq_len;

    explicit RelPosAttentionLayer(Args a) : Layer(std::move(a)) {
        feat_dim = arg_int(args(), "feat_dim");
        head_dim = arg_int(args(), "head_dim");
        max_seq_len = arg_int(args(), "max_seq_len");
    }

    std::int64_t heads() const { return floor_div(feat_dim, head_dim); }
    std::int64_t size() const { return std::int64_t(std::sqrt(double(max_seq_len))); }

    void check_construct() const override {
        if (head_dim == 0) throw ShapeError("integer modulo by zero");
        if (py_mod(feat_dim, head_dim) != 0)
            throw ShapeError(
                fmt::format("feat_dim: {} must be divisible by head_dim: {}", feat_dim, head_dim));
        if (max_seq_len < 0) throw ShapeError("math domain error");
        const std::int64_t nh = heads(), s = size();
        create({checked_mul(checked_mul(nh, head_dim), 3), feat_dim}); // to_qkv
        if (feat_dim == 0) throw ShapeError("0.0 cannot be raised to a negative power");
        create({feat_dim, checked_mul(head_dim, nh)}); // merge
        create({checked_mul(2 * s - 1, 2 * s - 1), nh});
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        if (x.size() < 4)
            throw ShapeError(
                fmt::format("not enough values to unpack (expected 4, got {})", x.size()));
        if (x.size() > 4) throw ShapeError("too many values to unpack (expected 4)");
        const std::int64_t B = x[0], G = x[1], P = x[2], D = x[3];
        const std::int64_t nh = heads(), s = size(), M = max_seq_len;
        const std::int64_t rows = checked_mul(checked_mul(B, G), P);
        if (D != feat_dim)
            throw ShapeError(fmt::format("mat1 and mat2 shapes cannot be multiplied ({}x{} and "
                                         "{}x{})",
                                         rows, D, feat_dim, checked_mul(3 * nh, head_dim)));
        // the gathered table (size^4, num_heads) viewed as (max_seq_len, max_seq_len, -1)
        const std::int64_t numel = checked_mul(checked_mul(s * s, s * s), nh);
        const std::int64_t MM = checked_mul(M, M);
        if (MM == 0 && numel == 0)
            throw ShapeError(fmt::format("cannot reshape tensor of 0 elements into shape [{}, {}, "
                                         "-1] because the unspecified dimension size -1 can be "
                                         "any value and is ambiguous",
                                         M, M));
        if (MM == 0 || numel % MM != 0)
            throw ShapeError(
                fmt::format("shape '[{}, {}, -1]' is invalid for input of size {}", M, M, numel));
        const std::int64_t k = numel / MM;
        // (B, G, H, P, P) + (1, k, M, M)
        broadcast({B, G, nh, P, P}, {1, k, M, M});
        // max_seq_len 1: one bias per head, broadcast over every pair of the P tokens
        if (s * s != M || (P != M && M != 1))
            throw ShapeError(fmt::format("{}: cnnshape plans windows of max_seq_len = {} "
                                         "tokens, a square, only (got P = {})",
                                         type(), M, P));
        if (rows == 0 || nh == 0)
            throw ShapeError(fmt::format("{} of an empty input {}: cnnshape does not plan it",
                                         type(), py_list(x)));
        RelPosAttentionDesc d;
        d.B = B, d.G = G, d.P = P, d.feat_dim = feat_dim;
        d.num_heads = nh;
        d.head_dim = head_dim;
        d.table_rows = (2 * s - 1) * (2 * s - 1);
        lower.exec = d;

        LayerOutput out;
        out.shape = x;
        const std::int64_t f = feat_dim;
        out.params = checked_add(
            checked_add(checked_mul(3 * f, f), 3 * f),
            checked_add(checked_add(checked_mul(f, f), f), checked_mul(d.table_rows, nh)));
        out.buffers = checked_mul(s * s, s * s);
        out.buffer_bytes = checked_mul(8, out.buffers);
        // to_qkv and merge as Linear counts them, q . k^T and attn . v per window and head.
        std::int64_t macs = checked_mul(rows, checked_mul(f, 4 * f));
        macs = checked_add(macs, checked_mul(2, checked_mul(rows, checked_mul(P, f))));
        out.macs = macs;
        // Every token sees its window (dim 2) and every channel.
        out.rf = RfEffect::Whole;
        out.rf_dims = {2, 3};

        auto& t = lower.tensors;
        TensorSpec tab{
            "relative_position_bias_table", {d.table_rows, nh}, false, false, Init::TruncNormal, 0};
        tab.value = 0.02;
        t.push_back(tab);
        TensorSpec index{"relative_position_index", {s * s, s * s}, true, true, Init::Values, 0};
        index.values = position_index(s);
        t.push_back(index);
        auto linear = [&](const std::string& name, std::int64_t in, std::int64_t outf) {
            TensorSpec w{name + ".weight", {outf, in}, false, false, Init::KaimingUniform, in};
            w.init_rank = -1;
            t.push_back(w);
            TensorSpec b{name + ".bias", {outf}, false, false, Init::FanInUniform, in};
            b.init_rank = -1;
            t.push_back(b);
        };
        linear("to_qkv", f, 3 * f);
        linear("merge", f, f);
        return out;
    }

    std::string brief() const override {
        return fmt::format("{}({}, {}, {})", type(), feat_dim, head_dim, max_seq_len);
    }
};

LayerPtr make_rel(Args a) {
    return std::make_shared<RelPosAttentionLayer>(std::move(a));
}

} // namespace

void register_rel_pos_attention(std::vector<LayerType>& r) {
    r.push_back({"RelativePositionalMultiHeadAttention",
                 {req("feat_dim"), req("head_dim"), req("max_seq_len")},
                 false,
                 "attention",
                 make_rel,
                 {"torchvision.models.maxvit.RelativePositionalMultiHeadAttention"}});
}

} // namespace cnnshape::detail
