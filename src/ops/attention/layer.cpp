// MultiheadAttention: PyTorch 1.13's nn.MultiheadAttention.__init__ (its checks, in its order)
// and the shape rule of MultiheadAttention.forward with F.multi_head_attention_forward (its
// asserts and the tensor errors its ops raise, in order, with their texts). It takes query, key
// and value ("inputs", in that order) or one input, self-attention (mha(x, x, x)); it returns the
// tuple (attn_output, attn_weights), or (attn_output,) with need_weights=False.
//
//   attn_output: (L, N, E), (N, L, E) with batch_first, (L, E) unbatched;
//   attn_weights: (N, L, S') averaged over the heads, (N, num_heads, L, S') if not, without N
//   unbatched; S' = S + add_bias_kv + add_zero_attn.
#include "layers/common.hpp"
#include <algorithm>

namespace cnnshape::detail {
namespace {

// Python's floor division (embed_dim // num_heads with a negative operand).
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

// torch.Size([4, 3, 8])
std::string torch_size(const Shape& s) {
    return shape_torch(s);
}

// A Python tuple of ints: (8, 5), (8,).
std::string py_tuple(const Ints& v) {
    std::string r = "(";
    for (std::size_t i = 0; i < v.size(); ++i)
        r += (i ? ", " : "") + std::to_string(v[i]);
    return r + (v.size() == 1 ? ",)" : ")");
}

// aten's infer_size for Tensor.view(shape) of `numel` elements: its checks and messages.
void check_view(const Ints& shape, std::int64_t numel) {
    std::int64_t newsize = 1;
    std::optional<std::size_t> infer;
    for (std::size_t d = 0; d < shape.size(); ++d) {
        if (shape[d] == -1) {
            if (infer) throw ShapeError("only one dimension can be inferred");
            infer = d;
        } else if (shape[d] >= 0) {
            newsize = checked_mul(newsize, shape[d]);
        } else {
            throw ShapeError(fmt::format("invalid shape dimension {}", shape[d]));
        }
    }
    if (numel == newsize || (infer && newsize > 0 && numel % newsize == 0)) {
        if (infer && newsize == 0)
            throw ShapeError(fmt::format("cannot reshape tensor of 0 elements into shape {} "
                                         "because the unspecified dimension size -1 can be any "
                                         "value and is ambiguous",
                                         py_list(shape)));
        if (infer)
            throw ShapeError("MultiheadAttention with a negative num_heads: cnnshape does not "
                             "plan the views PyTorch would then infer");
        return;
    }
    throw ShapeError(
        fmt::format("shape '{}' is invalid for input of size {}", py_list(shape), numel));
}

struct AttentionLayer : Layer {
    std::int64_t embed_dim, num_heads, kdim, vdim;
    bool bias, add_bias_kv, add_zero_attn, batch_first, need_weights, average;
    double dropout;

    explicit AttentionLayer(Args a) : Layer(std::move(a)) {
        embed_dim = arg_int(args(), "embed_dim");
        num_heads = arg_int(args(), "num_heads");
        dropout = arg_float(args(), "dropout");
        bias = arg_bool(args(), "bias");
        add_bias_kv = arg_bool(args(), "add_bias_kv");
        add_zero_attn = arg_bool(args(), "add_zero_attn");
        kdim = arg_opt_int(args(), "kdim").value_or(embed_dim);
        vdim = arg_opt_int(args(), "vdim").value_or(embed_dim);
        batch_first = arg_bool(args(), "batch_first");
        need_weights = arg_bool(args(), "need_weights");
        average = arg_bool(args(), "average_attn_weights");
        for (const char* m : {"key_padding_mask", "attn_mask"})
            if (!arg(args(), m).is_none())
                throw SpecError(args().path(m),
                                fmt::format("MultiheadAttention's {}: cnnshape supports only None "
                                            "(no mask), not {}",
                                            m, arg(args(), m).repr()));
    }

    bool packed() const { return kdim == embed_dim && vdim == embed_dim; }

    bool returns_tuple() const override { return true; }
    InputCount input_count() const override { return {1, 3}; }
    std::string inputs_hint() const override {
        return " (query, key and value; or one input, self-attention)";
    }
    std::string tuple_index_note(std::int64_t slot) const override {
        if (slot == 1 && !need_weights)
            return " (with need_weights=False, MultiheadAttention returns (attn_output, None))";
        return "";
    }

    // nn.MultiheadAttention.__init__: head_dim, its assert, then the parameters as they are
    // created (a negative size fails in torch.empty), then _reset_parameters' xavier_uniform_,
    // whose std divides by fan_in + fan_out.
    void check_construct() const override {
        if (num_heads == 0) throw ShapeError("integer division or modulo by zero");
        std::int64_t head_dim = floor_div(embed_dim, num_heads);
        if (head_dim * num_heads != embed_dim)
            throw ShapeError("embed_dim must be divisible by num_heads");
        auto create = [](const Ints& shape) {
            for (std::int64_t v : shape)
                if (v < 0)
                    throw ShapeError(
                        fmt::format("Trying to create tensor with negative dimension {}: {}", v,
                                    py_list(shape)));
        };
        if (!packed()) {
            create({embed_dim, embed_dim});
            create({embed_dim, kdim});
            create({embed_dim, vdim});
        } else {
            create({checked_mul(3, embed_dim), embed_dim});
        }
        if (bias) create({checked_mul(3, embed_dim)});
        create({embed_dim, embed_dim}); // out_proj
        // xavier_uniform_ of in_proj_weight (or q_proj_weight): fan_in + fan_out is 4E (2E).
        if (embed_dim == 0) throw ShapeError("float division by zero");
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext& ctx,
                      Lowering& lower) const override {
        if (inputs.size() == 2)
            throw ShapeError("MultiheadAttention.forward() missing 1 required positional "
                             "argument: 'value' (give query, key and value, or one input for "
                             "self-attention)");
        // Which inputs are the same tensor: `query is key`, `key is value` in PyTorch.
        bool self_attn = inputs.size() == 1;
        auto same = [&](std::size_t a, std::size_t b) {
            if (self_attn) return true;
            return ctx.same_as.size() == inputs.size() && ctx.same_as[b] == ctx.same_as[a];
        };
        Shape q = inputs[0], k = self_attn ? q : inputs[1], v = self_attn ? q : inputs[2];
        bool q_is_k = same(0, 1), k_is_v = same(1, 2);
        const bool batched = q.size() == 3;
        // MultiheadAttention.forward: batch_first transposes dims 0 and 1 (each tensor once).
        if (batch_first && batched) {
            auto transpose = [](Shape& s) {
                wrap_dim(1, std::int64_t(s.size())); // IndexError for fewer than 2 dims
                std::swap(s[0], s[1]);
            };
            transpose(q);
            if (k_is_v && q_is_k) {
                k = v = q;
            } else if (k_is_v) {
                transpose(k);
                v = k;
            } else {
                transpose(k);
                transpose(v);
            }
        }
        // _mha_shape_check
        if (batched) {
            if (k.size() != 3 || v.size() != 3)
                throw ShapeError(fmt::format("For batched (3-D) `query`, expected `key` and "
                                             "`value` to be 3-D but found {}-D and {}-D tensors "
                                             "respectively",
                                             k.size(), v.size()));
        } else if (q.size() == 2) {
            if (k.size() != 2 || v.size() != 2)
                throw ShapeError(fmt::format("For unbatched (2-D) `query`, expected `key` and "
                                             "`value` to be 2-D but found {}-D and {}-D tensors "
                                             "respectively",
                                             k.size(), v.size()));
        } else {
            throw ShapeError(fmt::format("query should be unbatched 2D or batched 3D tensor but "
                                         "received {}-D query tensor",
                                         q.size()));
        }
        if (!batched) { // unsqueeze(1): a batch of one, three new tensors (`key is value` no more)
            for (Shape* s : {&q, &k, &v})
                s->insert(s->begin() + 1, 1);
            q_is_k = k_is_v = false;
        }
        const std::int64_t L = q[0], N = q[1], E = q[2], S = k[0];
        if (E != embed_dim)
            throw ShapeError(
                fmt::format("was expecting embedding dimension of {}, but got {}", embed_dim, E));
        const std::int64_t head_dim = floor_div(E, num_heads);
        if (!packed()) {
            if (k[0] != v[0] || k[1] != v[1])
                throw ShapeError(fmt::format("key's sequence and batch dims {} do not match "
                                             "value's {}",
                                             torch_size({k[0], k[1]}), torch_size({v[0], v[1]})));
            // _in_projection: the weights' shapes against the inputs' last dims.
            if (k[2] != kdim)
                throw ShapeError(fmt::format("expecting key weights shape of {}, but got {}",
                                             py_tuple({E, k[2]}), torch_size({E, kdim})));
            if (v[2] != vdim)
                throw ShapeError(fmt::format("expecting value weights shape of {}, but got {}",
                                             py_tuple({E, v[2]}), torch_size({E, vdim})));
        } else {
            if (k != v)
                throw ShapeError(fmt::format("key shape {} does not match value shape {}",
                                             torch_size(k), torch_size(v)));
            // _in_projection_packed: linear(key, w_k) (w_kv, 2E wide, when key is value).
            if (!(q_is_k && k_is_v) && k[2] != E)
                throw ShapeError(fmt::format("mat1 and mat2 shapes cannot be multiplied ({}x{} "
                                             "and {}x{})",
                                             checked_mul(k[0], k[1]), k[2], E, k_is_v ? 2 * E : E));
        }
        // bias_k.repeat(1, bsz, 1) joined to k along dim 0.
        if (add_bias_kv && k[1] != N)
            throw ShapeError(fmt::format("Sizes of tensors must match except in dimension 0. "
                                         "Expected size {} but got size {} for tensor number 1 "
                                         "in the list.",
                                         k[1], N));
        const std::int64_t S_bias = S + (add_bias_kv ? 1 : 0);
        // q, k and v viewed as (len, bsz * num_heads, head_dim).
        const std::int64_t bh = checked_mul(N, num_heads);
        check_view({L, bh, head_dim}, checked_mul(checked_mul(L, N), E));
        check_view({S_bias, bh, head_dim}, checked_mul(checked_mul(S_bias, k[1]), E));
        check_view({S_bias, bh, head_dim}, checked_mul(checked_mul(S_bias, v[1]), E));
        const std::int64_t S_total = S_bias + (add_zero_attn ? 1 : 0);
        if (ctx.mode == Mode::Train && dropout > 1) // F.dropout, called when dropout > 0
            throw ShapeError(fmt::format("dropout probability has to be between 0 and 1, but "
                                         "got {}",
                                         arg(args(), "dropout").repr()));

        AttentionDesc d;
        d.embed_dim = E;
        d.num_heads = num_heads;
        d.head_dim = head_dim;
        d.kdim = kdim;
        d.vdim = vdim;
        d.packed = packed();
        d.bias = bias;
        d.add_bias_kv = add_bias_kv;
        d.add_zero_attn = add_zero_attn;
        d.batched = batched;
        d.batch_first = batched && batch_first;
        d.need_weights = need_weights;
        d.average_attn_weights = average;
        d.L = L;
        d.S = S;
        d.N = N;
        d.S_total = S_total;
        d.dropout = dropout;
        d.train_dropout = ctx.mode == Mode::Train && dropout > 0;

        LayerOutput out;
        Shape y = d.batch_first ? Shape{N, L, E} : Shape{L, N, E};
        if (!batched) y = {L, E};
        out.tuple.push_back(y);
        if (need_weights) {
            Shape w = average ? Shape{N, L, S_total} : Shape{N, num_heads, L, S_total};
            if (!batched) w.erase(w.begin());
            out.tuple.push_back(w);
        } else {
            out.tuple_nones = 1;
        }
        out.shape = out.tuple[0];

        const std::int64_t EE = checked_mul(E, E);
        std::int64_t params = packed() ? checked_mul(3, EE)
                                       : checked_add(EE, checked_mul(E, checked_add(kdim, vdim)));
        if (bias) params = checked_add(params, checked_add(checked_mul(3, E), E));
        if (add_bias_kv) params = checked_add(params, checked_mul(2, E));
        out.params = checked_add(params, EE);
        // Projections of query, key and value, QK^T and AV over every head (E = heads x
        // head_dim), the output projection. Softmax, scaling and biases are not counted.
        const std::int64_t LN = checked_mul(L, N), SN = checked_mul(S, k[1]);
        std::int64_t macs = checked_mul(LN, EE);                           // q
        macs = checked_add(macs, checked_mul(SN, checked_mul(kdim, E)));   // k
        macs = checked_add(macs, checked_mul(SN, checked_mul(vdim, E)));   // v
        const std::int64_t att = checked_mul(LN, checked_mul(S_total, E)); // N*h*L*S'*head_dim
        macs = checked_add(macs, checked_add(att, att));                   // QK^T, AV
        out.macs = checked_add(macs, checked_mul(LN, EE));                 // out_proj
        // Every output position sees the whole sequence and every embedding channel.
        out.rf = RfEffect::Whole;
        out.rf_dims = {std::int64_t(!batched || !batch_first ? 0 : 1),
                       std::int64_t(inputs[0].size()) - 1};

        lower.exec = d;
        auto& t = lower.tensors;
        if (packed()) {
            TensorSpec w{"in_proj_weight", {3 * E, E}, false, false, Init::XavierUniform, E};
            w.fan_out = 3 * E;
            t.push_back(w);
        } else {
            for (auto [name, in] : {std::pair<const char*, std::int64_t>{"q_proj_weight", E},
                                    {"k_proj_weight", kdim},
                                    {"v_proj_weight", vdim}}) {
                TensorSpec w{name, {E, in}, false, false, Init::XavierUniform, in};
                w.fan_out = E;
                t.push_back(w);
            }
        }
        if (bias) t.push_back({"in_proj_bias", {3 * E}, false, false, Init::Zeros, 0});
        if (add_bias_kv)
            for (const char* name : {"bias_k", "bias_v"}) {
                TensorSpec b{name, {1, 1, E}, false, false, Init::XavierNormal, E};
                b.fan_out = E;
                t.push_back(b);
            }
        TensorSpec ow{"out_proj.weight", {E, E}, false, false, Init::KaimingUniform, E};
        ow.init_rank = -1;
        t.push_back(ow);
        if (bias) {
            TensorSpec ob{"out_proj.bias", {E}, false, false, Init::FanInUniformThenZeros, E};
            ob.init_rank = -1;
            t.push_back(ob);
        }
        return out;
    }

    std::string brief() const override {
        Brief b;
        b.add(std::to_string(embed_dim));
        b.add(std::to_string(num_heads));
        if (dropout != 0) b.add("dropout=" + arg(args(), "dropout").repr());
        if (!bias) b.add("bias=False");
        if (add_bias_kv) b.add("add_bias_kv=True");
        if (add_zero_attn) b.add("add_zero_attn=True");
        if (!arg(args(), "kdim").is_none()) b.add("kdim=" + std::to_string(kdim));
        if (!arg(args(), "vdim").is_none()) b.add("vdim=" + std::to_string(vdim));
        if (batch_first) b.add("batch_first=True");
        if (!need_weights) b.add("need_weights=False");
        if (!average) b.add("average_attn_weights=False");
        return b.wrap("MultiheadAttention");
    }
};

LayerPtr make_attention(Args a) {
    return std::make_shared<AttentionLayer>(std::move(a));
}

} // namespace

void register_attention(std::vector<LayerType>& r) {
    // The constructor's signature, then forward()'s keyword arguments (keyword-only here).
    r.push_back(
        {"MultiheadAttention",
         {req("embed_dim"), req("num_heads"), opt("dropout", F(0.0)), opt("bias", B(true)),
          opt("add_bias_kv", B(false)), opt("add_zero_attn", B(false)), opt("kdim", N()),
          opt("vdim", N()), opt("batch_first", B(false)), opt("device", N()), opt("dtype", N()),
          kwonly("key_padding_mask", N()), kwonly("need_weights", B(true)),
          kwonly("attn_mask", N()), kwonly("average_attn_weights", B(true))},
         false,
         "attention",
         make_attention});
}

} // namespace cnnshape::detail
