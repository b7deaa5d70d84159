// LayerNorm(normalized_shape): shape kept; the input must end in normalized_shape; weight and
// bias of normalized_shape (elementwise_affine). GroupNorm(num_groups, num_channels): shape kept;
// weight and bias of num_channels (affine). Both normalise with each sample's own statistics, in
// train and eval mode alike, and have no buffers.
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

// Python's floor division (F.group_norm's `N * C // num_groups`).
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    return (a % b != 0 && ((a % b < 0) != (b < 0))) ? q - 1 : q;
}

std::int64_t py_mod(std::int64_t a, std::int64_t b) {
    std::int64_t r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

// nn.LayerNorm, then aten's _check_layer_norm_inputs.
struct LayerNormLayer : Layer {
    Ints normalized;
    bool affine;

    explicit LayerNormLayer(Args a) : Layer(std::move(a)) {
        normalized = arg_ints(args(), "normalized_shape", 1);
        arg_float(args(), "eps");
        affine = arg_bool(args(), "elementwise_affine");
    }

    void check_construct() const override {
        if (!affine) return;
        for (auto s : normalized)
            if (s < 0)
                throw ShapeError(
                    fmt::format("Trying to create tensor with negative dimension {}: {}", s,
                                py_list(normalized)));
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        const std::size_t k = normalized.size();
        if (k == 0)
            throw ShapeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                             "containing at least one element, but got normalized_shape = []");
        if (x.size() < k || !std::equal(normalized.begin(), normalized.end(), x.end() - k)) {
            std::string star = "[*";
            for (auto s : normalized)
                star += ", " + std::to_string(s);
            throw ShapeError(fmt::format("Given normalized_shape={}, expected input with shape "
                                         "{}], but got input of size{}",
                                         py_list(normalized), star, py_list(x)));
        }
        std::int64_t row = 1;
        for (auto s : normalized)
            row = checked_mul(row, s);
        LayerOutput out;
        out.shape = x;
        out.params = affine ? checked_mul(2, row) : 0;
        LayerNormDesc d;
        d.kind = LayerNormKind::LayerNorm;
        d.row = row;
        d.eps = arg_float(args(), "eps");
        d.affine = affine;
        lower.exec = d;
        // Each output sees every position of the normalised dims (their mean and variance).
        out.rf = RfEffect::Whole;
        for (std::size_t i = x.size() - k; i < x.size(); ++i)
            out.rf_dims.push_back(std::int64_t(i));
        if (affine) {
            lower.tensors.push_back({"weight", normalized, false, false, Init::Ones, 0});
            lower.tensors.push_back({"bias", normalized, false, false, Init::Zeros, 0});
        }
        return out;
    }

    std::string brief() const override {
        Brief b;
        b.add(normalized.size() == 1 ? std::to_string(normalized[0]) : py_list(normalized));
        if (!affine) b.add("elementwise_affine=False");
        return b.wrap(type());
    }
};

// nn.GroupNorm, F.group_norm (2.x: at least 2 dims; _verify_batch_size) and aten's
// check_group_norm_inputs.
struct GroupNormLayer : Layer {
    std::int64_t groups;
    std::optional<std::int64_t> channels;
    bool affine;

    explicit GroupNormLayer(Args a) : Layer(std::move(a)) {
        groups = arg_int(args(), "num_groups");
        if (present(args(), "num_channels")) channels = arg_int(args(), "num_channels");
        arg_float(args(), "eps");
        affine = arg_bool(args(), "affine");
    }

    void check_construct() const override {
        if (channels) check_channels(*channels);
    }

    void check_channels(std::int64_t c) const {
        if (groups == 0) throw ShapeError("ZeroDivisionError: integer modulo by zero");
        if (py_mod(c, groups) != 0)
            throw ShapeError("num_channels must be divisible by num_groups");
        if (affine && c < 0)
            throw ShapeError(
                fmt::format("Trying to create tensor with negative dimension {}: [{}]", c, c));
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        const std::int64_t rank = x.size();
        if (rank < 2)
            throw ShapeError(fmt::format(
                "Expected at least 2 dimensions for input tensor but received {}", rank));
        const std::int64_t C = x[1];
        const std::int64_t nc = channels.value_or(C);
        if (!channels) check_channels(nc);
        // _verify_batch_size([N * C // G, G, *spatial])
        Ints sizes = {floor_div(checked_mul(x[0], C), groups), groups};
        sizes.insert(sizes.end(), x.begin() + 2, x.end());
        std::int64_t prods = sizes[0];
        for (std::size_t i = 2; i < sizes.size(); ++i)
            prods = checked_mul(prods, sizes[i]);
        if (prods == 1)
            throw ShapeError(fmt::format(
                "Expected more than 1 value per channel when training, got input size {}",
                py_list(sizes)));
        if (groups <= 0)
            throw ShapeError(
                fmt::format("Expected num groups to be greater than 0, got {}", groups));
        if (C % groups != 0)
            throw ShapeError(fmt::format("Expected number of channels in input to be divisible "
                                         "by num_groups, but got input of shape {} and "
                                         "num_groups={}",
                                         py_list(x), groups));
        if (affine && C != nc)
            throw ShapeError(fmt::format("Expected weight to be a vector of size equal to the "
                                         "number of channels in input, but got weight of shape "
                                         "[{}] and input of shape {}",
                                         nc, py_list(x)));
        LayerOutput out;
        if (!channels) out.inferred.emplace_back("num_channels", nc);
        out.shape = x;
        out.params = affine ? checked_mul(2, nc) : 0;
        LayerNormDesc d;
        d.kind = LayerNormKind::GroupNorm;
        d.groups = groups;
        d.row = C / groups;
        for (std::int64_t i = 2; i < rank; ++i)
            d.row = checked_mul(d.row, x[i]);
        d.eps = arg_float(args(), "eps");
        d.affine = affine;
        lower.exec = d;
        // A group's statistics are sums over its channels and every spatial position.
        out.rf = RfEffect::Whole;
        for (std::int64_t i = 1; i < rank; ++i)
            out.rf_dims.push_back(i);
        if (affine) {
            lower.tensors.push_back({"weight", {nc}, false, false, Init::Ones, 0});
            lower.tensors.push_back({"bias", {nc}, false, false, Init::Zeros, 0});
        }
        return out;
    }

    std::string brief() const override {
        Brief b;
        b.add(std::to_string(groups));
        b.add(channels ? std::to_string(*channels) : "?");
        if (!affine) b.add("affine=False");
        return b.wrap(type());
    }
};

LayerPtr make_layer_norm(Args a) {
    return std::make_shared<LayerNormLayer>(std::move(a));
}

LayerPtr make_group_norm(Args a) {
    return std::make_shared<GroupNormLayer>(std::move(a));
}

} // namespace

void register_layer_norm(std::vector<LayerType>& r) {
    r.push_back({"LayerNorm",
                 {req("normalized_shape"), opt("eps", F(1e-5)), opt("elementwise_affine", B(true)),
                  opt("device", N()), opt("dtype", N())},
                 false,
                 "norm",
                 make_layer_norm});
    r.push_back({"GroupNorm",
                 {req("num_groups"), inferable("num_channels"), opt("eps", F(1e-5)),
                  opt("affine", B(true)), opt("device", N()), opt("dtype", N())},
                 false,
                 "norm",
                 make_group_norm});
}

} // namespace cnnshape::detail
