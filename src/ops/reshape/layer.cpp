// The data-movement layer types, each with PyTorch 1.13's shape rule and messages: Reshape
// (torch.reshape), View (Tensor.view), Permute (torch.permute, torchvision.ops.Permute), Transpose
// (torch.transpose, torch.swapaxes, torch.swapdims), Squeeze, Unsqueeze, Unflatten (nn.Unflatten),
// TensorUnflatten (torch.unflatten), Expand (Tensor.expand), Roll (torch.roll), Contiguous,
// PixelShuffle, PixelUnshuffle, ChannelShuffle (also their torch functions), Select, Narrow,
// Slice (Python's x[..., a:b:c] along one dim) and Flip. TensorFlatten (torch.flatten) lives with
// Flatten (src/ops/flatten). None has parameters or MACs; infer resolves each into one strided
// walk of the input (ReshapeDesc), so the kernel only copies.
//
// Receptive field: the field of the trailing (spatial) axes survives when the op leaves them and
// their positions from the end alone. Each rule names the highest input dim it disturbs (`hi`);
// RfEffect::Reshape over {-1, hi} keeps the field when hi is before the first spatial axis and
// drops it otherwise (src/core/plan.cpp), and hi = -1 (nothing disturbed) keeps it.
#include "layers/common.hpp"
#include <algorithm>

namespace cnnshape::detail {
namespace {

Ints contiguous_strides(const Shape& s) {
    Ints st(s.size(), 1);
    for (std::size_t i = s.size(); i-- > 1;)
        st[i - 1] = st[i] * s[i];
    return st;
}

ReshapeDesc copy_desc(const Shape& s) { // the data unchanged (a view or a plain copy)
    ReshapeDesc d;
    d.shape = {numel(s)};
    d.strides = {1};
    return d;
}

void set_rf(LayerOutput& out, std::int64_t hi) {
    if (hi < 0) return; // Keep
    out.rf = RfEffect::Reshape;
    out.rf_dims = {-1, hi};
}

// The highest input dim whose size or position from the end changes when `in` becomes `out` with
// the data in the same order: everything before their common trailing dims.
std::int64_t reshape_hi(const Shape& in, const Shape& out) {
    std::size_t k = 0;
    while (k < in.size() && k < out.size() && in[in.size() - 1 - k] == out[out.size() - 1 - k])
        ++k;
    if (k == in.size() && k == out.size()) return -1;
    return std::int64_t(in.size()) - 1 - std::int64_t(k);
}

// A dim list or size list: a tuple/list of ints, or (allow_int: Tensor.view's and expand's
// varargs, torch.roll's shifts) an int. Otherwise PyTorch's TypeError for the torch function `fn`,
// whose argument `name` is at `pos` (counting the input).
Ints int_list(const Args& a, const char* name, const char* fn, int pos, bool allow_int,
              const char* elems = "ints") {
    const Value& v = arg(a, name);
    if (v.is_int() && allow_int) return {v.as_int()};
    if (v.is_tuple()) {
        Ints r;
        for (auto& e : v.as_tuple()) {
            if (!e.is_int())
                throw SpecError(a.path(name),
                                fmt::format("{}(): argument '{}' (position {}) must be tuple of "
                                            "{}, not tuple (element {})",
                                            fn, name, pos, elems, e.repr()));
            r.push_back(e.as_int());
        }
        return r;
    }
    throw SpecError(a.path(name),
                    fmt::format("{}(): argument '{}' (position {}) must be tuple of {}, not {}", fn,
                                name, pos, elems, v.type_name()));
}

// c10's maybe_wrap_dim with wrap_scalar = false (roll, unflatten): a 0-dim tensor has no dim.
std::int64_t wrap_dim_noscalar(std::int64_t dim, std::int64_t rank) {
    if (rank == 0)
        throw ShapeError(
            fmt::format("Dimension specified as {} but tensor has no dimensions", dim));
    return wrap_dim(dim, rank);
}

// at::infer_size: one -1 is inferred from the element count.
Shape infer_size(const Ints& shape, std::int64_t n) {
    std::int64_t newsize = 1;
    std::optional<std::size_t> infer;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == -1) {
            if (infer) throw ShapeError("only one dimension can be inferred");
            infer = i;
        } else if (shape[i] >= 0) {
            newsize = checked_mul(newsize, shape[i]);
        } else {
            throw ShapeError(fmt::format("invalid shape dimension {}", shape[i]));
        }
    }
    Shape r(shape.begin(), shape.end());
    if (n == newsize || (infer && newsize > 0 && n % newsize == 0)) {
        if (infer) {
            if (newsize == 0)
                throw ShapeError(fmt::format("cannot reshape tensor of 0 elements into shape {} "
                                             "because the unspecified dimension size -1 can be "
                                             "any value and is ambiguous",
                                             py_list(shape)));
            r[*infer] = n / newsize;
        }
        return r;
    }
    throw ShapeError(fmt::format("shape '{}' is invalid for input of size {}", py_list(shape), n));
}

struct MoveLayer : Layer {
    using Layer::Layer;
    std::string brief() const override {
        if (args().values.empty()) return type();
        std::string s;
        for (auto& [k, v] : args().values)
            s += (s.empty() ? "" : ", ") + v.repr();
        return type() + "(" + s + ")";
    }
};

// Reshape(shape), View(size): the data unchanged, one size inferred from -1.
struct ReshapeLayer : MoveLayer {
    Ints shape;
    ReshapeLayer(Args a, bool view) : MoveLayer(std::move(a)) {
        shape = view ? int_list(args(), "size", "view", 2, true, "SymInts")
                     : int_list(args(), "shape", "reshape", 2, false, "SymInts");
    }
    LayerOutput infer(const std::vector<Shape>& in, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = in.at(0);
        LayerOutput out;
        out.shape = infer_size(shape, numel(x));
        lower.exec = copy_desc(x);
        set_rf(out, reshape_hi(x, out.shape));
        return out;
    }
};

struct PermuteLayer : MoveLayer {
    Ints dims;
    explicit PermuteLayer(Args a) : MoveLayer(std::move(a)) {
        dims = int_list(args(), "dims", "permute", 2, false);
    }
    LayerOutput infer(const std::vector<Shape>& in, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = in.at(0);
        std::int64_t rank = x.size();
        if (std::int64_t(dims.size()) != rank)
            throw ShapeError(fmt::format(
                "permute(sparse_coo): number of dimensions in the tensor input does not match "
                "the length of the desired ordering of dimensions i.e. input.dim() = {} is not "
                "equal to len(dims) = {}",
                rank, dims.size()));
        std::vector<bool> seen(std::max<std::int64_t>(rank, 1), false);
        Ints p;
        for (auto d : dims) {
            std::int64_t w = wrap_dim(d, rank);
            if (seen[w]) throw ShapeError("permute(): duplicate dims are not allowed.");
            seen[w] = true;
            p.push_back(w);
        }
        Ints st = contiguous_strides(x);
        ReshapeDesc d;
        LayerOutput out;
        std::int64_t hi = -1;
        for (std::int64_t i = 0; i < rank; ++i) {
            out.shape.push_back(x[p[i]]);
            d.shape.push_back(x[p[i]]);
            d.strides.push_back(st[p[i]]);
            if (p[i] != i) hi = std::max(hi, i);
        }
        if (rank == 0) d = copy_desc(x);
        lower.exec = d;
        set_rf(out, hi);
        return out;
    }
};

struct TransposeLayer : MoveLayer {
    std::int64_t d0, d1;
    explicit TransposeLayer(Args a) : MoveLayer(std::move(a)) {
        d0 = arg_int(args(), "dim0");
        d1 = arg_int(args(), "dim1");
    }
    LayerOutput infer(const std::vector<Shape>& in, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = in.at(0);
        std::int64_t rank = x.size();
        std::int64_t a = wrap_dim(d0, rank), b = wrap_dim(d1, rank);
        LayerOutput out;
        out.shape = x;
        if (rank == 0 || a == b) {
            lower.exec = copy_desc(x);
            return out;
        }
        std::swap(out.shape[a], out.shape[b]);
        ReshapeDesc d;
        d.shape = out.shape;
        d.strides = contiguous_strides(x);
        std::swap(d.strides[a], d.strides[b]);
        lower.exec = d;
        set_rf(out, std::max(a, b));
        return out;
    }
};

struct SqueezeLayer : MoveLayer {
    std::optional<std::int64_t> dim;
    explicit SqueezeLayer(Args a) : MoveLayer(std::move(a)) { dim = arg_opt_int(args(), "dim"); }
    LayerOutput infer(const std::vector<Shape>& in, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = in.at(0);
        std::int64_t rank = x.size();
        LayerOutput out;
        std::int64_t hi = -1;
        if (dim) {
            std::int64_t w = wrap_dim(*dim, rank);
            out.shape = x;
            if (rank > 0 && x[w] == 1) out.shape.erase(out.shape.begin() + w), hi = w;
        } else {
            for (std::int64_t i = 0; i < rank; ++i)
                if (x[i] == 1)
                    hi = i;
                else
                    out.shape.push_back(x[i]);
        }
        lower.exec = copy_desc(x);
        set_rf(out, hi);
        return out;
    }
};

struct UnsqueezeLayer : MoveLayer {
    std::int64_t dim;
    explicit UnsqueezeLayer(Args a) : MoveLayer(std::move(a)) { dim = arg_int(args(), "dim"); }
    LayerOutput infer(const std::vector<Shape>& in, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = in.at(0);
        std::int64_t w = wrap_dim(dim, std::int64_t(x.size()) + 1);
        LayerOutput out;
        out.shape = x;
        out.shape.insert(out.shape.begin() + w, 1);
        lower.exec = copy_desc(x);
        set_rf(out, w - 1);
        return out;
    }
};

// nn.Unflatten(dim, unflattened_size) and torch.unflatten(input, dim, sizes).
struct UnflattenLayer : MoveLayer {
    bool module;
    Ints sizes;
    UnflattenLayer(Args a, bool is_module) : MoveLayer(std::move(a)), module(is_module) {
        const char* name = module ? "unflattened_size" : "sizes";
        const Value& v = arg(args(), name);
        if (module) {
            // nn.Unflatten's constructor (_require_tuple_int), for an int dim.
            if (!arg(args(), "dim").is_int())
                throw SpecError(args().path("dim"),
                                fmt::format("invalid argument 'dim': {} (cnnshape has no named "
                                            "tensors; give an int)",
                                            arg(args(), "dim").repr()));
            if (!v.is_tuple())
                throw SpecError(args().path(name),
                                fmt::format("unflattened_size must be a tuple of ints, but found "
                                            "type {}",
                                            v.type_name()));
            const auto& l = v.as_tuple();
            for (std::size_t i = 0; i < l.size(); ++i)
                if (!l[i].is_int() && !l[i].is_bool())
                    throw SpecError(args().path(name),
                                    fmt::format("unflattened_size must be tuple of ints, but "
                                                "found element of type {} at pos {}",
                                                l[i].type_name(), i));
            for (auto& e : l)
                sizes.push_back(e.is_bool() ? (e.as_bool() ? 1 : 0) : e.as_int());
        } else {
            sizes = int_list(args(), name, "unflatten", 3, false);
        }
    }
    LayerOutput infer(const std::vector<Shape>& in, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = in.at(0);
        std::int64_t rank = x.size();
        // nn.Unflatten goes through Tensor.unflatten, whose Python wrapper checks the sizes
        // first; torch.unflatten wraps the dim first. The dim is wrapped as for a 1-dim tensor
        // before self.size(dim) finds a 0-dim one has none.
        if (module && sizes.empty()) throw ShapeError("unflatten: sizes must be non-empty");
        std::int64_t d = wrap_dim(arg_int(args(), "dim"), rank);
        if (sizes.empty()) throw ShapeError("unflatten: sizes must be non-empty");
        if (rank == 0)
            throw ShapeError(
                fmt::format("Dimension specified as {} but tensor has no dimensions", d));
        Shape inferred;
        try {
            inferred = infer_size(sizes, x[d]);
        } catch (const ShapeError& e) {
            std::string m = e.what();
            if (m.find("is invalid for input of size") != std::string::npos)
                throw ShapeError(fmt::format("unflatten: Provided sizes {} don't multiply up to "
                                             "the size of dim {} ({}) in the input tensor",
                                             py_list(sizes), d, x[d]));
            if (m == "only one dimension can be inferred")
                throw ShapeError("unflatten got an unexpected error:\n" + m);
            throw;
        }
        LayerOutput out;
        out.shape.assign(x.begin(), x.begin() + d);
        out.shape.insert(out.shape.end(), inferred.begin(), inferred.end());
        out.shape.insert(out.shape.end(), x.begin() + d + 1, x.end());
        lower.exec = copy_desc(x);
        set_rf(out, reshape_hi(x, out.shape));
        return out;
    }
};

struct ExpandLayer : MoveLayer {
    Ints sizes;
    explicit ExpandLayer(Args a) : MoveLayer(std::move(a)) {
        sizes = int_list(args(), "size", "expand", 2, true, "SymInts");
    }
    LayerOutput infer(const std::vector<Shape>& in, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = in.at(0);
        std::int64_t nd = sizes.size(), td = x.size();
        if (nd < td)
            throw ShapeError(fmt::format("expand(torch.FloatTensor{{{}}}, size={}): the number of "
                                         "sizes provided ({}) must be greater or equal to the "
                                         "number of dimensions in the tensor ({})",
                                         py_list(x), py_list(sizes), nd, td));
        LayerOutput out;
        if (td == 0) { // inferExpandGeometry takes the sizes as they are for a 0-dim tensor
            for (auto s : sizes)
                if (s < 0) throw ShapeError("numel: integer multiplication overflow");
            out.shape.assign(sizes.begin(), sizes.end());
            checked_product(out.shape);
            ReshapeDesc d;
            d.shape = out.shape;
            d.strides.assign(nd, 0);
            lower.exec = d;
            return out;
        }
        Ints st = contiguous_strides(x);
        ReshapeDesc d;
        d.shape.assign(nd, 0);
        d.strides.assign(nd, 0);
        std::int64_t hi = -1;
        for (std::int64_t i = nd - 1; i >= 0; --i) {
            std::int64_t dim = td - 1 - (nd - 1 - i);
            std::int64_t size = dim >= 0 ? x[dim] : 1;
            std::int64_t stride = dim >= 0 ? st[dim] : 0;
            std::int64_t target = sizes[i];
            if (target == -1) {
                if (dim < 0)
                    throw ShapeError(fmt::format("The expanded size of the tensor (-1) isn't "
                                                 "allowed in a leading, non-existing dimension {}",
                                                 i));
                target = size;
            }
            if (size != target) {
                if (size != 1)
                    throw ShapeError(fmt::format(
                        "The expanded size of the tensor ({}) must match the existing size ({}) "
                        "at non-singleton dimension {}.  Target sizes: {}.  Tensor sizes: {}",
                        target, size, i, py_list(sizes), py_list(x)));
                stride = 0;
                if (dim >= 0) hi = std::max(hi, dim);
            }
            d.shape[i] = target;
            d.strides[i] = stride;
        }
        for (auto s : d.shape)
            if (s < 0) throw ShapeError("numel: integer multiplication overflow");
        out.shape = d.shape;
        checked_product(out.shape);
        lower.exec = d;
        set_rf(out, hi);
        return out;
    }
};

struct RollLayer : MoveLayer {
    Ints shifts, dims;
    explicit RollLayer(Args a) : MoveLayer(std::move(a)) {
        shifts = int_list(args(), "shifts", "roll", 2, true);
        if (!arg(args(), "dims").is_none()) dims = int_list(args(), "dims", "roll", 3, true);
    }
    LayerOutput infer(const std::vector<Shape>& in, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = in.at(0);
        std::int64_t rank = x.size(), n = numel(x);
        LayerOutput out;
        out.shape = x;
        ReshapeDesc d;
        bool single = dims.size() == 1 && shifts.size() == 1;
        if (!single) {
            if (shifts.empty()) throw ShapeError("`shifts` required");
            if (dims.empty() && shifts.size() == 1) { // flattened, rolled, viewed back
                d = copy_desc(x);
                if (n > 0) d.shifts = {((shifts[0] % n) + n) % n};
                lower.exec = d;
                set_rf(out, rank - 1);
                return out;
            }
            if (shifts.size() != dims.size())
                throw ShapeError(
                    fmt::format("shifts and dimensions must align. shifts: {}, dims:{}",
                                shifts.size(), dims.size()));
        }
        // One dim at a time, as roll_common recurses; an empty tensor is returned before any
        // dim is looked at.
        d.shape = x;
        d.strides = contiguous_strides(x);
        d.shifts.assign(rank, 0);
        std::int64_t hi = -1;
        if (n > 0)
            for (std::size_t i = 0; i < dims.size(); ++i) {
                std::int64_t w = wrap_dim_noscalar(dims[i], rank);
                std::int64_t s = x[w];
                d.shifts[w] = ((d.shifts[w] + shifts[i]) % s + s) % s;
                hi = std::max(hi, w);
            }
        if (rank == 0) d = copy_desc(x);
        lower.exec = d;
        set_rf(out, hi);
        return out;
    }
};

struct ContiguousLayer : MoveLayer {
    using MoveLayer::MoveLayer;
    LayerOutput infer(const std::vector<Shape>& in, const InferContext&,
                      Lowering& lower) const override {
        LayerOutput out;
        out.shape = in.at(0);
        lower.exec = copy_desc(in.at(0));
        return out;
    }
};

// PixelShuffle(upscale_factor) and PixelUnshuffle(downscale_factor) over the last three dims.
struct PixelShuffleLayer : MoveLayer {
    bool up;
    std::int64_t r;
    PixelShuffleLayer(Args a, bool is_up) : MoveLayer(std::move(a)), up(is_up) {
        r = arg_int(args(), up ? "upscale_factor" : "downscale_factor");
    }
    LayerOutput infer(const std::vector<Shape>& in, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = in.at(0);
        std::int64_t rank = x.size();
        const char* fn = up ? "pixel_shuffle" : "pixel_unshuffle";
        const char* what = up ? "upscale_factor" : "downscale_factor";
        if (rank < 3)
            throw ShapeError(fmt::format("{} expects input to have at least 3 dimensions, but got "
                                         "input with {} dimension(s)",
                                         fn, rank));
        if (r <= 0)
            throw ShapeError(fmt::format("{} expects a positive {}, but got {}", fn, what, r));
        std::int64_t c = x[rank - 3], h = x[rank - 2], w = x[rank - 1];
        std::int64_t b = numel(Shape(x.begin(), x.end() - 3));
        std::int64_t rr = checked_mul(r, r);
        LayerOutput out;
        out.shape = x;
        ReshapeDesc d;
        if (up) {
            if (c % rr != 0)
                throw ShapeError(fmt::format(
                    "pixel_shuffle expects its input's 'channel' dimension to be divisible by "
                    "the square of upscale_factor, but input.size(-3)={} is not divisible by {}",
                    c, rr));
            std::int64_t oc = c / rr;
            out.shape[rank - 3] = oc;
            out.shape[rank - 2] = checked_mul(h, r);
            out.shape[rank - 1] = checked_mul(w, r);
            // out (b, oc, h, i, w, j) <- in (b, oc * r * r + i * r + j, h, w)
            d.shape = {b, oc, h, r, w, r};
            d.strides = {c * h * w, rr * h * w, w, r * h * w, 1, h * w};
        } else {
            if (h % r != 0)
                throw ShapeError(fmt::format("pixel_unshuffle expects height to be divisible by "
                                             "downscale_factor, but input.size(-2)={} is not "
                                             "divisible by {}",
                                             h, r));
            if (w % r != 0)
                throw ShapeError(fmt::format("pixel_unshuffle expects width to be divisible by "
                                             "downscale_factor, but input.size(-1)={} is not "
                                             "divisible by {}",
                                             w, r));
            if (numel(x) == 0) { // returned as it is (a clone), whatever the factor
                lower.exec = copy_desc(x);
                return out;
            }
            std::int64_t oh = h / r, ow = w / r;
            out.shape[rank - 3] = checked_mul(c, rr);
            out.shape[rank - 2] = oh;
            out.shape[rank - 1] = ow;
            // out (b, c, i, j, oh, ow) <- in (b, c, oh * r + i, ow * r + j)
            d.shape = {b, c, r, r, oh, ow};
            d.strides = {c * h * w, h * w, w, 1, r * w, r};
        }
        lower.exec = d;
        set_rf(out, rank - 1);
        return out;
    }
};

struct ChannelShuffleLayer : MoveLayer {
    std::int64_t groups;
    explicit ChannelShuffleLayer(Args a) : MoveLayer(std::move(a)) {
        groups = arg_int(args(), "groups");
    }
    LayerOutput infer(const std::vector<Shape>& in, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = in.at(0);
        if (x.size() <= 2)
            throw ShapeError(fmt::format("channel_shuffle expects input with > 2 dims, but got "
                                         "input with sizes {}",
                                         py_list(x)));
        std::int64_t c = x[1];
        if (groups <= 0)
            throw ShapeError(fmt::format("Number of groups to divide channels in must be "
                                         "positive. Value of groups:{}",
                                         groups));
        if (c % groups != 0)
            throw ShapeError(fmt::format("Number of channels must be divisible by groups. Got {} "
                                         "channels and {} groups.",
                                         c, groups));
        std::int64_t rest = numel(Shape(x.begin() + 2, x.end())), cg = c / groups;
        // out channel i * groups + j <- in channel j * (c / groups) + i
        ReshapeDesc d;
        d.shape = {x[0], cg, groups, rest};
        d.strides = {c * rest, rest, cg * rest, 1};
        LayerOutput out;
        out.shape = x;
        lower.exec = d;
        set_rf(out, 1);
        return out;
    }
};

// Select(dim, index), Narrow(dim, start, length), Slice(dim, start, end, step).
enum class Cut { Select, Narrow, Slice };

struct CutLayer : MoveLayer {
    Cut kind;
    CutLayer(Args a, Cut k) : MoveLayer(std::move(a)), kind(k) {
        arg_int(args(), "dim");
        if (kind == Cut::Select) arg_int(args(), "index");
        if (kind == Cut::Narrow) arg_int(args(), "start"), arg_int(args(), "length");
        if (kind == Cut::Slice) {
            arg_opt_int(args(), "start"), arg_opt_int(args(), "end");
            arg_opt_int(args(), "step");
        }
    }
    LayerOutput infer(const std::vector<Shape>& in, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = in.at(0);
        std::int64_t rank = x.size();
        std::int64_t dim = arg_int(args(), "dim");
        Ints st = contiguous_strides(x);
        ReshapeDesc d;
        d.shape = x;
        d.strides = st;
        LayerOutput out;
        out.shape = x;
        if (kind == Cut::Select) {
            if (rank == 0) throw ShapeError("select() cannot be applied to a 0-dim tensor.");
            std::int64_t w = wrap_dim(dim, rank), index = arg_int(args(), "index");
            std::int64_t size = x[w];
            if (size < -index || size <= index)
                throw ShapeError(fmt::format("select(): index {} out of range for tensor of size "
                                             "{} at dimension {}",
                                             index, py_list(x), w));
            if (index < 0) index += size;
            d.offset = index * st[w];
            d.shape.erase(d.shape.begin() + w);
            d.strides.erase(d.strides.begin() + w);
            out.shape.erase(out.shape.begin() + w);
            set_rf(out, w);
        } else if (kind == Cut::Narrow) {
            if (rank == 0) throw ShapeError("narrow() cannot be applied to a 0-dim tensor.");
            std::int64_t w = wrap_dim(dim, rank);
            std::int64_t start = arg_int(args(), "start"), length = arg_int(args(), "length");
            std::int64_t size = x[w];
            if (start != size) start = wrap_dim(start, size);
            if (!(length >= 0 && start <= size - length))
                throw ShapeError(fmt::format(
                    "start ({}) + length ({}) exceeds dimension size ({}).", start, length, size));
            d.offset = start * st[w];
            d.shape[w] = out.shape[w] = length;
            set_rf(out, w);
        } else {
            // Python's x[:, ..., a:b:c] (dim >= 0) or x[..., a:b:c, :, ...] (dim < 0).
            if (dim >= rank || -dim > rank)
                throw ShapeError(fmt::format("too many indices for tensor of dimension {}", rank));
            std::int64_t step = arg_opt_int(args(), "step").value_or(1);
            if (step == 0) throw ShapeError("slice step cannot be zero"); // Python's slice
            if (step < 0) throw ShapeError("step must be greater than zero");
            std::int64_t w = dim < 0 ? dim + rank : dim, size = x[w];
            auto clamp = [&](std::optional<std::int64_t> v, std::int64_t dflt) {
                if (!v) return dflt;
                std::int64_t i = *v < 0 ? *v + size : *v;
                return std::clamp<std::int64_t>(i, 0, size);
            };
            std::int64_t a = clamp(arg_opt_int(args(), "start"), 0);
            std::int64_t b = clamp(arg_opt_int(args(), "end"), size);
            std::int64_t len = b > a ? (b - a + step - 1) / step : 0;
            d.offset = len > 0 ? a * st[w] : 0;
            d.strides[w] = st[w] * step;
            d.shape[w] = out.shape[w] = len;
            set_rf(out, w);
        }
        lower.exec = d;
        return out;
    }
};

struct FlipLayer : MoveLayer {
    Ints dims;
    explicit FlipLayer(Args a) : MoveLayer(std::move(a)) {
        dims = int_list(args(), "dims", "flip", 2, false);
    }
    LayerOutput infer(const std::vector<Shape>& in, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = in.at(0);
        std::int64_t rank = x.size();
        std::vector<bool> seen(std::max<std::int64_t>(rank, 1), false);
        ReshapeDesc d;
        d.shape = x;
        d.strides = contiguous_strides(x);
        std::int64_t hi = -1;
        for (auto dm : dims) {
            std::int64_t w = wrap_dim(dm, rank);
            if (seen[w])
                throw ShapeError(
                    fmt::format("dim {} appears multiple times in the list of dims", w));
            seen[w] = true;
            if (rank == 0) continue;
            if (x[w] > 0) d.offset += (x[w] - 1) * d.strides[w];
            d.strides[w] = -d.strides[w];
            hi = std::max(hi, w);
        }
        if (rank == 0) d = copy_desc(x);
        LayerOutput out;
        out.shape = x;
        lower.exec = d;
        set_rf(out, hi);
        return out;
    }
};

LayerPtr make_reshape(Args a) {
    return std::make_shared<ReshapeLayer>(std::move(a), false);
}
LayerPtr make_view(Args a) {
    return std::make_shared<ReshapeLayer>(std::move(a), true);
}
template <class L>
LayerPtr make(Args a) {
    return std::make_shared<L>(std::move(a));
}
template <bool Module>
LayerPtr make_unflatten(Args a) {
    return std::make_shared<UnflattenLayer>(std::move(a), Module);
}
template <bool Up>
LayerPtr make_pixel(Args a) {
    return std::make_shared<PixelShuffleLayer>(std::move(a), Up);
}
template <Cut K>
LayerPtr make_cut(Args a) {
    return std::make_shared<CutLayer>(std::move(a), K);
}

} // namespace

void register_reshape(std::vector<LayerType>& r) {
    const char* f = "reshape";
    r.push_back({"Reshape", {req("shape")}, false, f, make_reshape, {"torch.reshape"}});
    r.push_back({"View", {req("size")}, false, f, make_view});
    r.push_back({"Permute",
                 {req("dims")},
                 false,
                 f,
                 make<PermuteLayer>,
                 {"torch.permute", "torchvision.ops.Permute", "torchvision.ops.misc.Permute"}});
    r.push_back({"Transpose",
                 {req("dim0"), req("dim1")},
                 false,
                 f,
                 make<TransposeLayer>,
                 {"torch.transpose", "torch.swapaxes", "torch.swapdims"}});
    r.push_back({"Squeeze", {opt("dim", N())}, false, f, make<SqueezeLayer>, {"torch.squeeze"}});
    r.push_back({"Unsqueeze", {req("dim")}, false, f, make<UnsqueezeLayer>, {"torch.unsqueeze"}});
    r.push_back(
        {"Unflatten", {req("dim"), req("unflattened_size")}, false, f, make_unflatten<true>});
    r.push_back({"TensorUnflatten",
                 {req("dim"), req("sizes")},
                 false,
                 f,
                 make_unflatten<false>,
                 {"torch.unflatten"}});
    r.push_back({"Expand", {req("size")}, false, f, make<ExpandLayer>});
    r.push_back(
        {"Roll", {req("shifts"), opt("dims", N())}, false, f, make<RollLayer>, {"torch.roll"}});
    r.push_back({"Contiguous", {}, false, f, make<ContiguousLayer>});
    r.push_back({"PixelShuffle",
                 {req("upscale_factor")},
                 false,
                 f,
                 make_pixel<true>,
                 {"torch.pixel_shuffle"}});
    r.push_back({"PixelUnshuffle",
                 {req("downscale_factor")},
                 false,
                 f,
                 make_pixel<false>,
                 {"torch.pixel_unshuffle"}});
    r.push_back({"ChannelShuffle",
                 {req("groups")},
                 false,
                 f,
                 make<ChannelShuffleLayer>,
                 {"torch.channel_shuffle"}});
    r.push_back(
        {"Select", {req("dim"), req("index")}, false, f, make_cut<Cut::Select>, {"torch.select"}});
    r.push_back({"Narrow",
                 {req("dim"), req("start"), req("length")},
                 false,
                 f,
                 make_cut<Cut::Narrow>,
                 {"torch.narrow"}});
    r.push_back({"Slice",
                 {opt("dim", I(0)), opt("start", N()), opt("end", N()), opt("step", I(1))},
                 false,
                 f,
                 make_cut<Cut::Slice>});
    r.push_back({"Flip", {req("dims")}, false, f, make<FlipLayer>, {"torch.flip"}});
}

} // namespace cnnshape::detail
