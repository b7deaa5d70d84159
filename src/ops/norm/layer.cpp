// BatchNorm{1,2,3}d: shape-preserving; 2*C parameters (affine), 2*C+1 buffers (running stats).
// InstanceNorm{1,2,3}d: the same counts (affine=False and track_running_stats=False by default);
// each sample's channels normalised with their own statistics (PyTorch's batch_norm over
// (1, N*C, *spatial)), or with the running ones in eval mode when tracked.
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

// What BatchNorm and InstanceNorm (and their Lazy forms) take and check at construction.
struct NormBase : Layer {
    int nd;
    std::optional<std::int64_t> num_features;
    bool affine, track;

    NormBase(Args a, int nd_) : Layer(std::move(a)), nd(nd_) {
        if (present(args(), "num_features")) num_features = arg_int(args(), "num_features");
        arg_float(args(), "eps");
        arg_opt_float(args(), "momentum");
        affine = arg_bool(args(), "affine");
        track = arg_bool(args(), "track_running_stats");
    }

    void check_construct() const override {
        // Only the parameters and buffers are tensors of num_features elements.
        if (num_features && *num_features < 0 && (affine || track))
            throw ShapeError(fmt::format("Trying to create tensor with negative dimension {}: [{}]",
                                         *num_features, *num_features));
    }

    // The output (the input's shape) with num_features' parameters and buffers.
    LayerOutput counts(const Shape& x, std::int64_t nf) const {
        LayerOutput out;
        if (!num_features) out.inferred.emplace_back("num_features", nf);
        out.shape = x;
        out.params = affine ? checked_mul(2, nf) : 0;
        out.buffers = track ? checked_add(checked_mul(2, nf), 1) : 0;
        out.buffer_bytes = track ? checked_add(checked_mul(8, nf), 8) : 0;
        return out;
    }

    BatchNormDesc desc(std::int64_t nf) const {
        BatchNormDesc d;
        d.num_features = nf;
        d.eps = arg_float(args(), "eps");
        d.affine = affine;
        d.track_running_stats = track;
        return d;
    }

    // weight and bias (affine), running_mean, running_var, num_batches_tracked (tracked).
    void add_tensors(Lowering& lower, std::int64_t nf) const {
        if (affine) {
            lower.tensors.push_back({"weight", {nf}, false, false, Init::Ones, 0});
            lower.tensors.push_back({"bias", {nf}, false, false, Init::Zeros, 0});
        }
        if (track) {
            lower.tensors.push_back({"running_mean", {nf}, true, false, Init::Zeros, 0});
            lower.tensors.push_back({"running_var", {nf}, true, false, Init::Ones, 0});
            lower.tensors.push_back({"num_batches_tracked", {}, true, true, Init::Zeros, 0});
        }
    }
};

struct BatchNormLayer : NormBase {
    using NormBase::NormBase;

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext& ctx,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        std::int64_t rank = x.size();
        // nn.LazyBatchNorm*: _LazyNormBase.initialize_parameters reads input.shape[1] before
        // the forward checks the rank (when there is a parameter or buffer to materialise).
        if (!num_features && rank < 2 && type().rfind("Lazy", 0) == 0 && (affine || track))
            throw ShapeError("tuple index out of range");
        // torch/nn/modules/batchnorm.py _check_input_dim
        if (nd == 1 && rank != 2 && rank != 3)
            throw ShapeError(fmt::format("expected 2D or 3D input (got {}D input)", rank));
        if (nd == 2 && rank != 4)
            throw ShapeError(fmt::format("expected 4D input (got {}D input)", rank));
        if (nd == 3 && rank != 5)
            throw ShapeError(fmt::format("expected 5D input (got {}D input)", rank));
        std::int64_t C = x[1];
        std::int64_t nf = num_features.value_or(C);
        // Without running statistics, batch statistics are used even in eval mode.
        bool batch_stats = ctx.mode == Mode::Train || !track;
        if (batch_stats) {
            std::int64_t per_channel = x[0];
            for (std::int64_t i = 2; i < rank; ++i)
                per_channel = checked_mul(per_channel, x[i]);
            if (per_channel == 1)
                throw ShapeError(
                    fmt::format("Expected more than 1 value per channel when training, "
                                "got input size {}",
                                shape_torch(x)));
        }
        // batch_norm of an empty input skips its size checks but scales by weight[0].
        if (numel(x) == 0 && affine && nf == 0)
            throw ShapeError(
                "select(): index 0 out of range for tensor of size [0] at dimension 0");
        if (numel(x) != 0) {
            if (track && C != nf)
                throw ShapeError(
                    fmt::format("running_mean should contain {} elements not {}", C, nf));
            if (affine && C != nf)
                throw ShapeError(fmt::format("weight should contain {} elements not {}", C, nf));
        }
        LayerOutput out = counts(x, nf);
        BatchNormDesc d = desc(nf);
        d.batch_stats = batch_stats;
        lower.exec = d;
        // Batch statistics are sums over every dim but the channels: each output sees them all.
        if (batch_stats) {
            out.rf = RfEffect::Whole;
            for (std::int64_t i = 0; i < rank; ++i)
                if (i != 1) out.rf_dims.push_back(i);
        }
        add_tensors(lower, nf);
        return out;
    }

    std::string brief() const override {
        Brief b;
        bool lazy = type().rfind("Lazy", 0) == 0;
        b.add(lazy ? "C=?" : num_features ? std::to_string(*num_features) : "?");
        if (!affine) b.add("affine=False");
        if (!track) b.add("track_running_stats=False");
        return b.wrap(type());
    }
};

// torch/nn/modules/instancenorm.py (2.x): _check_input_dim, the num_features check, the
// unbatched input unsqueezed, then F.instance_norm (_verify_spatial_size) and batch_norm's
// checks on (1, N*C, *spatial).
struct InstanceNormLayer : NormBase {
    using NormBase::NormBase;

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext& ctx,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        const std::int64_t rank = x.size(), no_batch = nd + 1;
        // nn.LazyInstanceNorm*: _LazyNormBase.initialize_parameters takes num_features from
        // input.shape[1] before the forward checks the rank (even for an unbatched input, where
        // dim 1 is not the channels), when there is a parameter or buffer to materialise.
        std::optional<std::int64_t> lazy_nf;
        if (!num_features && type().rfind("Lazy", 0) == 0 && (affine || track)) {
            if (rank < 2) throw ShapeError("tuple index out of range");
            lazy_nf = x[1];
        }
        if (rank != no_batch && rank != no_batch + 1)
            throw ShapeError(fmt::format("expected {}D or {}D input (got {}D input)", no_batch,
                                         no_batch + 1, rank));
        const std::int64_t feature_dim = rank - no_batch;
        const std::int64_t C = x[feature_dim];
        const std::int64_t nf = num_features ? *num_features : lazy_nf.value_or(C);
        // 2.x; without affine parameters a mismatch is only a warning (1.13 had neither).
        if (C != nf && affine)
            throw ShapeError(fmt::format("expected input's size at dim={} to match num_features "
                                         "({}), but got: {}.",
                                         feature_dim, nf, C));
        Shape b = x;
        if (rank == no_batch) b.insert(b.begin(), 1);
        const bool input_stats = ctx.mode == Mode::Train || !track;
        if (input_stats) {
            std::int64_t spatial = 1;
            for (std::size_t i = 2; i < b.size(); ++i)
                spatial = checked_mul(spatial, b[i]);
            if (spatial == 1)
                throw ShapeError(fmt::format("Expected more than 1 spatial element when training, "
                                             "got input size {}",
                                             shape_torch(b)));
        }
        // batch_norm of an empty input skips its size checks but scales by weight[0], here the
        // weight repeated N times.
        if (numel(x) == 0 && affine && checked_mul(b[0], nf) == 0)
            throw ShapeError(
                "select(): index 0 out of range for tensor of size [0] at dimension 0");
        if (numel(x) != 0 && track && C != nf)
            throw ShapeError(fmt::format("running_mean should contain {} elements not {}",
                                         checked_mul(b[0], C), checked_mul(b[0], nf)));
        // An empty input passes batch_norm; instance_norm then writes the running statistics
        // back, running_mean_.view({N, C}).mean(0) copied into running_mean (C++, any mode).
        if (numel(x) == 0 && track && C != nf) {
            if (b[0] != 0)
                throw ShapeError(fmt::format("shape '[{}, {}]' is invalid for input of size {}",
                                             b[0], C, checked_mul(b[0], nf)));
            if (nf == 1)
                throw ShapeError(
                    fmt::format("output with shape [1] doesn't match the broadcast shape [{}]", C));
            if (C != 1)
                throw ShapeError(fmt::format("The size of tensor a ({}) must match the size of "
                                             "tensor b ({}) at non-singleton dimension 0",
                                             nf, C));
        }
        LayerOutput out = counts(x, nf);
        BatchNormDesc d = desc(nf);
        d.batch_stats = input_stats;
        d.instance_nd = nd;
        lower.exec = d;
        // Each sample's statistics are sums over its spatial dims: every output sees them all.
        if (input_stats) {
            out.rf = RfEffect::Whole;
            for (std::int64_t i = feature_dim + 1; i < rank; ++i)
                out.rf_dims.push_back(i);
        }
        add_tensors(lower, nf);
        return out;
    }

    std::string brief() const override {
        Brief b;
        b.add(num_features ? std::to_string(*num_features) : "?");
        if (affine) b.add("affine=True");
        if (track) b.add("track_running_stats=True");
        return b.wrap(type());
    }
};

template <int ND>
LayerPtr make_instance(Args a) {
    return std::make_shared<InstanceNormLayer>(std::move(a), ND);
}

template <int ND>
LayerPtr make(Args a) {
    return std::make_shared<BatchNormLayer>(std::move(a), ND);
}

} // namespace

void register_norm(std::vector<LayerType>& r) {
    std::vector<ParamSpec> bn = {inferable("num_features"),
                                 opt("eps", F(1e-5)),
                                 opt("momentum", F(0.1)),
                                 opt("affine", B(true)),
                                 opt("track_running_stats", B(true)),
                                 opt("device", N()),
                                 opt("dtype", N())};
    r.push_back({"BatchNorm1d", bn, false, "norm", make<1>});
    r.push_back({"BatchNorm2d", bn, false, "norm", make<2>});
    r.push_back({"BatchNorm3d", bn, false, "norm", make<3>});
    std::vector<ParamSpec> in = {inferable("num_features"),
                                 opt("eps", F(1e-5)),
                                 opt("momentum", F(0.1)),
                                 opt("affine", B(false)),
                                 opt("track_running_stats", B(false)),
                                 opt("device", N()),
                                 opt("dtype", N())};
    r.push_back({"InstanceNorm1d", in, false, "norm", make_instance<1>});
    r.push_back({"InstanceNorm2d", in, false, "norm", make_instance<2>});
    r.push_back({"InstanceNorm3d", in, false, "norm", make_instance<3>});
    // nn.LazyBatchNorm{1,2,3}d(eps, momentum, affine, track_running_stats): num_features from
    // the input's dim 1.
    std::vector<ParamSpec> lazy(bn.begin() + 1, bn.end());
    r.push_back({"LazyBatchNorm1d", lazy, false, "norm", make<1>});
    r.push_back({"LazyBatchNorm2d", lazy, false, "norm", make<2>});
    r.push_back({"LazyBatchNorm3d", lazy, false, "norm", make<3>});
    // nn.LazyInstanceNorm{1,2,3}d: _LazyNormBase's defaults, affine=True and
    // track_running_stats=True (InstanceNorm's own are False).
    r.push_back({"LazyInstanceNorm1d", lazy, false, "norm", make_instance<1>});
    r.push_back({"LazyInstanceNorm2d", lazy, false, "norm", make_instance<2>});
    r.push_back({"LazyInstanceNorm3d", lazy, false, "norm", make_instance<3>});
}

} // namespace cnnshape::detail
