// Conv{1,2,3}d and ConvTranspose{1,2,3}d.
// Conv: out = (in + 2p - (d*(k-1)+1)) / s + 1. Transposed: out = (in-1)*s - 2p + d*(k-1) + op + 1.
// Checks follow torch/nn/modules/conv.py (construction) and aten Convolution.cpp (forward).
#include "cnnshape/rules.hpp"
#include "layers/common.hpp"
#include <cmath>

namespace cnnshape::detail {
namespace {

struct ConvLayer : Layer {
    int nd = 2;
    bool transposed = false;
    std::optional<std::int64_t> in_channels; // empty: taken from the input
    std::int64_t out_channels = 0, groups = 1;
    Ints kernel, stride, dilation, padding, output_padding;
    std::string padding_str; // "same", "valid" or an invalid string; empty when numeric
    bool bias = true;
    std::string padding_mode = "zeros";

    // nn.LazyConv*: built as _ConvNd(0, 0, ...), in_channels read from the first input
    // (_LazyConvXdMixin), out_channels set afterwards, so only the forward checks see it.
    bool lazy = false;

    explicit ConvLayer(Args a, int nd_, bool transposed_)
        : Layer(std::move(a)), nd(nd_), transposed(transposed_) {
        const Args& x = args();
        lazy = type().rfind("Lazy", 0) == 0;
        if (present(x, "in_channels")) in_channels = arg_int(x, "in_channels");
        out_channels = arg_int(x, "out_channels");
        kernel = arg_ints(x, "kernel_size", nd);
        stride = arg_ints(x, "stride", nd);
        dilation = arg_ints(x, "dilation", nd);
        groups = arg_int(x, "groups");
        bias = arg_bool(x, "bias");
        padding_mode = arg_str(x, "padding_mode");
        const Value& p = arg(x, "padding");
        if (p.is_string())
            padding_str = p.as_string();
        else
            padding = arg_ints(x, "padding", nd);
        if (transposed)
            output_padding = arg_ints(x, "output_padding", nd);
        else
            output_padding = Ints(nd, 0);
        // ConvParams expand_param_if_needed: a one-element list stands for every axis of the
        // weight. (Longer lists of the wrong length are refused in forward.)
        std::size_t kd = kernel.size();
        for (Ints* v : {&stride, &dilation, &padding, &output_padding})
            *v = per_axis(*v, kd);
    }

    std::string fn() const {
        return (transposed ? "conv_transpose" : "conv") + std::to_string(nd) + "d";
    }

    // PyTorch builds any tuple the module was given; the convolution then expands each parameter
    // to the weight's spatial rank (ConvParams expand_param_if_needed) and compares ranks.
    void check_param_lengths(const Shape& x) const {
        std::size_t kd = kernel.size();
        auto expand = [&](const char* name, const Ints& v) {
            if (v.size() != 1 && v.size() != kd)
                throw ShapeError(
                    fmt::format("expected {} to be a single integer value or a list of "
                                "{} values to match the convolution dimensions, but "
                                "got {}={}",
                                name, kd, name, py_list(v)));
        };
        expand("stride", stride);
        if (padding_str.empty()) expand("padding", padding);
        expand("dilation", dilation);
        if (transposed) expand("output_padding", output_padding);
        if (kd != std::size_t(nd)) {
            Ints w = weight_shape(in_channels.value_or(x.size() > 1 ? x[x.size() - nd - 1] : 1));
            Shape b = x;
            if (b.size() == std::size_t(nd + 1)) b.insert(b.begin(), 1);
            throw ShapeError(
                fmt::format("Expected {}-dimensional input for {}-dimensional weight {}, "
                            "but got {}-dimensional input of size {} instead",
                            kd + 2, kd + 2, py_list(w), b.size(), py_list(b)));
        }
    }

    void check_with_channels(std::int64_t in) const {
        // 2.x: ValueError('groups must be a positive integer'); 1.13 raised ZeroDivisionError.
        if (groups <= 0) throw ShapeError("groups must be a positive integer");
        if (in % groups != 0) throw ShapeError("in_channels must be divisible by groups");
        if (out_channels % groups != 0)
            throw ShapeError("out_channels must be divisible by groups");
    }

    void check_construct() const override {
        if (transposed && padding_mode != "zeros")
            throw ShapeError(
                fmt::format("Only \"zeros\" padding mode is supported for {}", type()));
        if (in_channels)
            check_with_channels(*in_channels);
        else if (groups <= 0)
            throw ShapeError("groups must be a positive integer");
        else if (!lazy && out_channels % groups != 0)
            throw ShapeError("out_channels must be divisible by groups");
        // ConvTranspose turns a padding string into a tuple of characters (_pair('same')), so it
        // builds; the string fails only in forward.
        if (!padding_str.empty() && !transposed) {
            if (padding_str != "same" && padding_str != "valid")
                throw ShapeError(fmt::format("Invalid padding string '{}', should be one of "
                                             "{{'same', 'valid'}}",
                                             padding_str));
            if (padding_str == "same")
                for (auto s : stride)
                    if (s != 1)
                        throw ShapeError(
                            "padding='same' is not supported for strided convolutions");
        }
        if (padding_mode != "zeros" && padding_mode != "reflect" && padding_mode != "replicate" &&
            padding_mode != "circular")
            throw ShapeError(fmt::format("padding_mode must be one of {{'replicate', 'reflect', "
                                         "'zeros', 'circular'}}, but got padding_mode='{}'",
                                         padding_mode));
        if (lazy) { // the placeholder weight is (0, 0, *kernel_size)
            Ints w = {0, 0};
            w.insert(w.end(), kernel.begin(), kernel.end());
            for (auto k : kernel)
                if (k < 0)
                    throw ShapeError(fmt::format(
                        "Trying to create tensor with negative dimension {}: {}", k, py_list(w)));
            return;
        }
        for (auto k : kernel)
            if (k < 0)
                throw ShapeError(
                    fmt::format("Trying to create tensor with negative dimension {}: {}", k,
                                py_list(weight_shape(in_channels.value_or(groups)))));
        if (out_channels < 0 || in_channels.value_or(0) < 0)
            throw ShapeError(fmt::format("Trying to create tensor with negative dimension {}: {}",
                                         std::min(out_channels, in_channels.value_or(0)),
                                         py_list(weight_shape(in_channels.value_or(groups)))));
    }

    Ints weight_shape(std::int64_t in) const {
        Ints w = transposed ? Ints{in, groups > 0 ? out_channels / groups : out_channels}
                            : Ints{out_channels, groups > 0 ? in / groups : in};
        w.insert(w.end(), kernel.begin(), kernel.end());
        return w;
    }

    // Left and right padding per spatial axis, resolving 'same' and 'valid'.
    std::pair<Ints, Ints> pads() const {
        Ints l(nd, 0), r(nd, 0);
        for (int i = 0; i < nd; ++i) {
            if (padding_str == "same")
                std::tie(l[i], r[i]) = same_padding(kernel[i], dilation[i]);
            else if (padding_str.empty())
                l[i] = r[i] = padding[i];
        }
        return {l, r};
    }

    // F.pad(input, _reversed_padding_repeated_twice, mode) for non-zeros padding modes.
    Shape apply_padding_mode(const Shape& x, const Ints& l, const Ints& r) const {
        std::int64_t rank = x.size();
        std::int64_t padlen = 2 * nd;
        if (padlen > 2 * rank)
            throw ShapeError(fmt::format("Padding length should be less than or equal to two times "
                                         "the input dimension but got padding length {} and input "
                                         "of dimension {}",
                                         padlen, rank));
        if (rank != nd + 1 && rank != nd + 2)
            throw ShapeError("Only 2D, 3D, 4D, 5D padding with non-constant padding are supported "
                             "for now");
        bool batch = rank == nd + 2;
        bool ok = true;
        for (std::int64_t d = batch ? 1 : 0; d < rank; ++d)
            ok = ok && x[d] != 0;
        if (!ok && padding_mode != "circular")
            throw ShapeError(fmt::format("Expected {}D or {}D (batch mode) tensor with possibly 0 "
                                         "batch size and other non-zero dimensions for input, but "
                                         "got: {}",
                                         nd + 1, nd + 2, py_list(x)));
        Shape out = x;
        for (int i = nd - 1; i >= 0; --i) { // W first, then H, then D
            std::int64_t dim = rank - nd + i;
            std::int64_t size = x[dim];
            if (padding_mode == "reflect" && (l[i] >= size || r[i] >= size))
                throw ShapeError(fmt::format("Argument #{}: Padding size should be less than the "
                                             "corresponding input dimension, but got: padding ({}, "
                                             "{}) at dimension {} of input {}",
                                             4 + 2 * (nd - 1 - i), l[i], r[i], dim, py_list(x)));
            if (padding_mode == "circular" && (l[i] > size || r[i] > size))
                throw ShapeError("Padding value causes wrapping around more than once.");
            out[dim] = checked_add(checked_add(size, l[i]), r[i]);
        }
        return out;
    }

    // _LazyConvXdMixin.initialize_parameters, before the first forward: in_channels from the
    // input, then the weight (out_channels, in/groups, *k) or (in, out/groups, *k) materialised.
    void lazy_init(const Shape& x) const {
        std::int64_t rank = x.size();
        if (rank != nd + 1 && rank != nd + 2) {
            std::string sizes = join(x, ", ");
            throw ShapeError(fmt::format("Expected {}D (unbatched) or {}D (batched) input to {}, "
                                         "but got input of size: torch.Size([{}])",
                                         nd + 1, nd + 2, type(), sizes));
        }
        std::int64_t in = x[rank - nd - 1];
        if (in % groups != 0) throw ShapeError("in_channels must be divisible by groups");
        Ints w = weight_shape(in);
        for (auto v : w)
            if (v < 0)
                throw ShapeError(fmt::format(
                    "Trying to create tensor with negative dimension {}: {}", v, py_list(w)));
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        Shape x = inputs.at(0);
        if (lazy) lazy_init(x);
        if (transposed && !padding_str.empty())
            throw ShapeError(
                fmt::format("{}(): argument 'padding' must be tuple of ints, but found "
                            "element of type str at pos 0 (padding='{}' is not "
                            "supported for {})",
                            fn(), padding_str, type()));
        check_param_lengths(x);
        auto [pl, pr] = pads();
        const Ints pad_l0 = pl, pad_r0 = pr;
        // Non-zeros padding modes pad explicitly, then convolve with padding 0.
        bool explicit_pad = padding_mode != "zeros";
        if (explicit_pad) {
            x = apply_padding_mode(x, pl, pr);
            pl = pr = Ints(nd, 0);
        }
        std::int64_t rank = x.size();
        if (rank != nd + 1 && rank != nd + 2)
            throw ShapeError(
                fmt::format("Expected {}D (unbatched) or {}D (batched) input to {}, but "
                            "got input of size: {}",
                            nd + 1, nd + 2, fn(), py_list(x)));
        bool batched = rank == nd + 2;
        Shape b = batched ? x : Shape{};
        if (!batched) {
            b = x;
            b.insert(b.begin(), 1);
        }
        // convolution_same: an asymmetric 'same' pad (even kernel, odd dilation) first pads the
        // high side by the difference, then convolves with the symmetric left padding.
        if (padding_str == "same" && !explicit_pad)
            for (int i = 0; i < nd; ++i)
                if (pr[i] > pl[i]) {
                    b[2 + i] = checked_add(b[2 + i], pr[i] - pl[i]);
                    pr[i] = pl[i];
                }
        LayerOutput out;
        std::int64_t in = in_channels.value_or(b[1]);
        if (!in_channels) {
            if (!lazy) check_with_channels(in);
            out.inferred.emplace_back("in_channels", in);
        }
        for (int i = 0; i < nd; ++i)
            if (pl[i] < 0 || pr[i] < 0) throw ShapeError("negative padding is not supported");
        for (auto op : output_padding)
            if (op < 0) throw ShapeError("negative output_padding is not supported");
        for (auto s : stride)
            if (s <= 0) throw ShapeError("non-positive stride is not supported");
        for (auto d : dilation)
            if (d < 0) throw ShapeError("dilation should be greater than zero");
        Ints w = weight_shape(in);
        // Only a lazy layer gets this far with out_channels not divisible by groups: the
        // weight's first dim is then out_channels (conv) or the bias has out_channels elements.
        std::int64_t outs = out_channels;
        if (lazy && out_channels % groups != 0) {
            if (!transposed && out_channels < groups)
                throw ShapeError(fmt::format("Given groups={}, expected weight to be at least {} "
                                             "at dimension 0, but got weight of size {} instead",
                                             groups, groups, py_list(w)));
            if (!transposed)
                throw ShapeError(fmt::format("Given groups={}, expected weight to be divisible by "
                                             "{} at dimension 0, but got weight of size [{}] "
                                             "instead",
                                             groups, groups, py_list(w)));
            if (bias)
                throw ShapeError(fmt::format("Given transposed=1, weight of size {}, expected bias "
                                             "to be 1-dimensional with {} elements, but got bias "
                                             "of size [{}] instead",
                                             py_list(w), w[1] * groups, out_channels));
            outs = w[1] * groups; // no bias: the weight alone sets the output channels
        }
        if (!transposed) {
            if (b[1] != in)
                throw ShapeError(fmt::format("Given groups={}, weight of size {}, expected input{} "
                                             "to have {} channels, but got {} channels instead",
                                             groups, py_list(w), py_list(b), in, b[1]));
        } else if (b[1] != in) {
            throw ShapeError(fmt::format("Given transposed=1, weight of size {}, expected input{} "
                                         "to have {} channels, but got {} channels instead",
                                         py_list(w), py_list(b), in, b[1]));
        }
        Shape o = {b[0], outs};
        std::int64_t kvol = checked_product(kernel);
        // Zero batch or zero channels give an empty result; other empty inputs are refused when
        // the backend is chosen: after check_shape_forward, before the transposed kernel's own
        // checks. (A 1d convolution is viewed as 2d with height 1 by then.)
        auto refuse_empty = [&] {
            if (numel(b) == 0 && b[0] != 0 && b[1] != 0) {
                Shape shown = b;
                if (nd == 1) shown.insert(shown.begin() + 2, 1);
                throw ShapeError(
                    fmt::format("Only zero batch or zero channel inputs are supported, but "
                                "got input shape: {}",
                                py_list(shown)));
            }
        };
        if (!transposed) {
            Ints padded(nd), keff(nd);
            bool fits = true;
            for (int i = 0; i < nd; ++i) {
                // An asymmetric 'same' pad adds the extra unit explicitly before the convolution.
                padded[i] = checked_add(b[2 + i], checked_add(pl[i], pr[i]));
                keff[i] = effective_kernel(kernel[i], dilation[i]);
                fits = fits && padded[i] >= keff[i];
            }
            if (!fits)
                throw ShapeError(
                    fmt::format("Calculated padded input size per channel: ({}). Kernel "
                                "size: ({}). Kernel size can't be greater than actual "
                                "input size",
                                join(padded, " x "), join(keff, " x ")));
            for (int i = 0; i < nd; ++i) {
                o.push_back(
                    conv_output_size(b[2 + i], kernel[i], pl[i] + pr[i], stride[i], dilation[i]));
                out.axes.push_back(window_map(keff[i], double(stride[i]), double(pl[i])));
            }
        } else {
            refuse_empty();
            for (auto k : kernel)
                if (k <= 0)
                    throw ShapeError(fmt::format(
                        "kernel size should be greater than zero, but got {}", kernel_msg()));
            for (auto d : dilation)
                if (d <= 0)
                    throw ShapeError(fmt::format("dilation should be greater than zero, but got {}",
                                                 dilation_msg()));
            bool op_ok = true;
            for (int i = 0; i < nd; ++i)
                op_ok = op_ok && (output_padding[i] < stride[i] || output_padding[i] < dilation[i]);
            if (!op_ok)
                throw ShapeError(fmt::format("output padding must be smaller than either stride or "
                                             "dilation, but got {}",
                                             op_msg()));
            Ints sizes;
            bool ok = true;
            for (int i = 0; i < nd; ++i) {
                std::int64_t s = conv_transpose_output_size(
                    b[2 + i], kernel[i], pl[i], output_padding[i], stride[i], dilation[i]);
                ok = ok && s >= 1;
                sizes.push_back(s);
                std::int64_t keff = effective_kernel(kernel[i], dilation[i]);
                AxisMap m;
                m.grow = std::ceil(double(keff) / stride[i]) - 1;
                m.jump = 1.0 / stride[i];
                m.shift = (double(pl[i]) - double(keff - 1) / 2.0) / stride[i];
                out.axes.push_back(m);
            }
            if (!ok) {
                // A 1d transposed convolution runs as 2d with height 1.
                Ints ins(b.begin() + 2, b.end()), outs = sizes;
                if (nd == 1) ins.insert(ins.begin(), 1), outs.insert(outs.begin(), 1);
                throw ShapeError(
                    fmt::format("Given input size per channel: ({}). Calculated output "
                                "size per channel: ({}). Output size is too small",
                                join(ins, " x "), join(outs, " x ")));
            }
            o.insert(o.end(), sizes.begin(), sizes.end());
        }
        refuse_empty();
        if (!batched) o.erase(o.begin());
        out.shape = o;
        std::int64_t per_group = transposed ? out_channels / groups : in / groups;
        std::int64_t wcount =
            checked_mul(checked_mul(transposed ? in : out_channels, per_group), kvol);
        out.params = checked_add(wcount, bias ? out_channels : 0);
        out.macs = transposed ? checked_mul(checked_mul(numel(inputs[0]), per_group), kvol)
                              : checked_mul(checked_mul(numel(o), per_group), kvol);
        out.rf = RfEffect::Map;
        ConvDesc d;
        d.nd = nd;
        d.transposed = transposed;
        d.in_channels = in;
        d.out_channels = outs;
        d.groups = groups;
        d.kernel = kernel;
        d.stride = stride;
        d.dilation = dilation;
        d.pad_l = pad_l0;
        d.pad_r = pad_r0;
        d.output_padding = output_padding;
        d.bias = bias;
        d.padding_mode = padding_mode == "reflect"     ? PadMode::Reflect
                         : padding_mode == "replicate" ? PadMode::Replicate
                         : padding_mode == "circular"  ? PadMode::Circular
                                                       : PadMode::Zeros;
        lower.exec = d;
        // _calculate_fan_in_and_fan_out: weight.size(1) * receptive field size.
        std::int64_t fan_in = checked_mul(w[1], kvol);
        lower.tensors.push_back({"weight", w, false, false, Init::KaimingUniform, fan_in});
        if (bias)
            lower.tensors.push_back(
                {"bias", {out_channels}, false, false, Init::FanInUniform, fan_in});
        return out;
    }

    // The slow transposed kernels name each axis; a 1d convolution runs as 2d with height 1.
    std::string axis_list(const char* what, const Ints& v, std::int64_t height_for_1d,
                          const char* sep = " ") const {
        static const char* names3[] = {"depth", "height", "width"};
        Ints vals = v;
        int n = nd;
        if (nd == 1) vals.insert(vals.begin(), height_for_1d), n = 2;
        std::string s;
        for (int i = 0; i < n; ++i) {
            if (i) s += sep;
            s += fmt::format("{}_{}: {}", what, names3[3 - n + i], vals[i]);
        }
        return s;
    }
    std::string kernel_msg() const { return axis_list("kernel", kernel, 1); }
    std::string dilation_msg() const { return axis_list("dilation", dilation, 1, ", "); }
    std::string op_msg() const {
        return axis_list("output_padding", output_padding, 0) + " " +
               axis_list("stride", stride, 1) + " " + axis_list("dilation", dilation, 1);
    }

    std::string brief() const override {
        Brief b;
        if (!lazy) b.add(in_channels ? std::to_string(*in_channels) : "?");
        b.add(std::to_string(out_channels));
        b.add("k=" + compact(kernel));
        if (compact(stride) != "1") b.add("s=" + compact(stride));
        if (!padding_str.empty())
            b.add(padding_str);
        else if (compact(padding) != "0")
            b.add("p=" + compact(padding));
        if (transposed && compact(output_padding) != "0") b.add("op=" + compact(output_padding));
        if (compact(dilation) != "1") b.add("d=" + compact(dilation));
        if (groups != 1) b.add("g=" + std::to_string(groups));
        if (!bias) b.add("bias=False");
        if (padding_mode != "zeros") b.add(padding_mode);
        if (lazy) b.add("in=?"); // the plan fills in the inferred in_channels
        return b.wrap(type());
    }
};

template <int ND, bool T>
LayerPtr make(Args a) {
    return std::make_shared<ConvLayer>(std::move(a), ND, T);
}

} // namespace

void register_conv(std::vector<LayerType>& r) {
    auto conv = [](const char* name, LayerPtr (*mk)(Args)) {
        return LayerType{name,
                         {inferable("in_channels"), req("out_channels"), req("kernel_size"),
                          opt("stride", I(1)), opt("padding", I(0)), opt("dilation", I(1)),
                          opt("groups", I(1)), opt("bias", B(true)),
                          opt("padding_mode", S("zeros")), opt("device", N()), opt("dtype", N())},
                         false,
                         "conv",
                         mk};
    };
    auto convt = [](const char* name, LayerPtr (*mk)(Args)) {
        return LayerType{name,
                         {inferable("in_channels"), req("out_channels"), req("kernel_size"),
                          opt("stride", I(1)), opt("padding", I(0)), opt("output_padding", I(0)),
                          opt("groups", I(1)), opt("bias", B(true)), opt("dilation", I(1)),
                          opt("padding_mode", S("zeros")), opt("device", N()), opt("dtype", N())},
                         false,
                         "conv",
                         mk};
    };
    r.push_back(conv("Conv1d", make<1, false>));
    r.push_back(conv("Conv2d", make<2, false>));
    r.push_back(conv("Conv3d", make<3, false>));
    r.push_back(convt("ConvTranspose1d", make<1, true>));
    r.push_back(convt("ConvTranspose2d", make<2, true>));
    r.push_back(convt("ConvTranspose3d", make<3, true>));
    // nn.LazyConv* / nn.LazyConvTranspose*: the same without in_channels, always inferred.
    auto lazy = [](LayerType t, const char* name) {
        t.name = name;
        t.params.erase(t.params.begin());
        return t;
    };
    r.push_back(lazy(conv("Conv1d", make<1, false>), "LazyConv1d"));
    r.push_back(lazy(conv("Conv2d", make<2, false>), "LazyConv2d"));
    r.push_back(lazy(conv("Conv3d", make<3, false>), "LazyConv3d"));
    r.push_back(lazy(convt("ConvTranspose1d", make<1, true>), "LazyConvTranspose1d"));
    r.push_back(lazy(convt("ConvTranspose2d", make<2, true>), "LazyConvTranspose2d"));
    r.push_back(lazy(convt("ConvTranspose3d", make<3, true>), "LazyConvTranspose3d"));
}

} // namespace cnnshape::detail
