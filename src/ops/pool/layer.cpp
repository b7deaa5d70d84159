// MaxPool{1,2,3}d, AvgPool{1,2,3}d, LPPool{1,2}d.
// out = floor_or_ceil((in + 2p - d*(k-1) - 1) / s) + 1, minus the ceil-mode window that would start
// in the right padding (rules.hpp). The check order follows aten's meta functions: argument
// lengths, rank, pooling_output_shape per axis (H before W), then pool{2,3}d_shape_check.
#include "cnnshape/rules.hpp"
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

struct Window {
    Ints k, s, p, d; // already expanded to nd entries
};

// The 2d and 3d cores take an input of rank nd+1 or nd+2 and return the output shape.
struct PoolCore {
    int nd;
    PoolKind kind;
    bool ceil_mode;
    bool avg3d_input_check = false; // avg_pool3d requires input >= kernel

    Shape run2d(const Shape& x, const Window& w,
                std::optional<std::int64_t> divisor = std::nullopt) const {
        std::int64_t rank = x.size();
        if (divisor && *divisor == 0) throw ShapeError("divisor must be not zero");
        if (kind == PoolKind::Max && rank != 3 && rank != 4)
            throw ShapeError("non-empty 3D or 4D (batch mode) tensor expected for input");
        if (kind != PoolKind::Max && rank < 3) // avg_pool2d reads input.size(-3) first
            throw ShapeError(rank == 0 ? "Dimension specified as -3 but tensor has no dimensions"
                                       : fmt::format("Dimension out of range (expected to be in "
                                                     "range of [{}, {}], but got -3)",
                                                     -rank, rank - 1));
        std::int64_t C = x[rank - 3], H = x[rank - 2], W = x[rank - 1];
        std::int64_t oh = pooling_output_shape(H, w.k[0], w.p[0], w.s[0], w.d[0], ceil_mode);
        std::int64_t ow = pooling_output_shape(W, w.k[1], w.p[1], w.s[1], w.d[1], ceil_mode);
        shape_check2d(x, w, C, H, W, oh, ow);
        Shape o(x.begin(), x.end() - 2);
        o.push_back(oh);
        o.push_back(ow);
        return o;
    }

    void shape_check2d(const Shape& x, const Window& w, std::int64_t C, std::int64_t H,
                       std::int64_t W, std::int64_t oh, std::int64_t ow) const {
        if (w.k[0] <= 0 || w.k[1] <= 0)
            throw ShapeError(fmt::format("kernel size should be greater than zero, but got kH: {} "
                                         "kW: {}",
                                         w.k[0], w.k[1]));
        if (w.s[0] <= 0 || w.s[1] <= 0)
            throw ShapeError(fmt::format(
                "stride should be greater than zero, but got dH: {} dW: {}", w.s[0], w.s[1]));
        if (w.d[0] <= 0 || w.d[1] <= 0)
            throw ShapeError(fmt::format("dilation should be greater than zero, but got dilationH: "
                                         "{} dilationW: {}",
                                         w.d[0], w.d[1]));
        std::int64_t rank = x.size();
        bool dims_ok = (rank == 3 && x[0] != 0 && x[1] != 0 && x[2] != 0) ||
                       (rank == 4 && x[1] != 0 && x[2] != 0 && x[3] != 0);
        if (!dims_ok)
            throw ShapeError(
                fmt::format("Expected 3D or 4D (batch mode) tensor with optional 0 dim "
                            "batch size for input, but got:{}",
                            py_list(x)));
        if (oh < 1 || ow < 1)
            throw ShapeError(fmt::format("Given input size: ({}x{}x{}). Calculated output size: "
                                         "({}x{}x{}). Output size is too small",
                                         C, H, W, C, oh, ow));
    }

    Shape run3d(const Shape& x, const Window& w, const char* fn) const {
        std::int64_t rank = x.size();
        if (rank != 4 && rank != 5)
            throw ShapeError("non-empty 4D or 5D (batch mode) tensor expected for input");
        std::int64_t C = x[rank - 4], T = x[rank - 3], H = x[rank - 2], W = x[rank - 1];
        std::int64_t ot = pooling_output_shape(T, w.k[0], w.p[0], w.s[0], w.d[0], ceil_mode);
        std::int64_t oh = pooling_output_shape(H, w.k[1], w.p[1], w.s[1], w.d[1], ceil_mode);
        std::int64_t ow = pooling_output_shape(W, w.k[2], w.p[2], w.s[2], w.d[2], ceil_mode);
        if (w.k[0] <= 0 || w.k[1] <= 0 || w.k[2] <= 0)
            throw ShapeError(fmt::format("kernel size should be greater than zero, but got kT: {} "
                                         "kH: {} kW: {}",
                                         w.k[0], w.k[1], w.k[2]));
        if (w.s[0] <= 0 || w.s[1] <= 0 || w.s[2] <= 0)
            throw ShapeError(
                fmt::format("stride should be greater than zero, but got dT: {} dH: {} "
                            "dW: {}",
                            w.s[0], w.s[1], w.s[2]));
        if (w.d[0] <= 0 || w.d[1] <= 0 || w.d[2] <= 0)
            throw ShapeError(fmt::format("dilation should be greater than zero, but got dilationT: "
                                         "{} dilationH: {} dilationW: {}",
                                         w.d[0], w.d[1], w.d[2]));
        // pool3d_shape_check skips dim 0 only when it is a batch (5-D); an unbatched 4-D input
        // has no batch dim, so its dim 0 (channels) must be positive too.
        for (std::int64_t i = rank == 5 ? 1 : 0; i < rank; ++i)
            if (x[i] <= 0)
                throw ShapeError(fmt::format("{}: Expected input's non-batch dimensions to have "
                                             "positive length, but input has a shape of {} and "
                                             "non-batch dimension {} has length zero!",
                                             fn, py_list(x),
                                             x[i])); // (sic) PyTorch prints the size
        if (avg3d_input_check && (T < w.k[0] || H < w.k[1] || W < w.k[2]))
            throw ShapeError(fmt::format("input image (T: {} H: {} W: {}) smaller than kernel size "
                                         "(kT: {} kH: {} kW: {})",
                                         T, H, W, w.k[0], w.k[1], w.k[2]));
        if (ot < 1 || oh < 1 || ow < 1)
            throw ShapeError(fmt::format("Given input size: ({}x{}x{}x{}). Calculated output size: "
                                         "({}x{}x{}x{}). Output size is too small",
                                         C, T, H, W, C, ot, oh, ow));
        Shape o(x.begin(), x.end() - 3);
        o.insert(o.end(), {ot, oh, ow});
        return o;
    }
};

struct PoolLayer : Layer {
    int nd;
    PoolKind kind;
    Ints kernel, stride, padding, dilation; // as given (lengths checked in infer)
    bool ceil_mode = false, return_indices = false, count_include_pad = true;
    std::optional<std::int64_t> divisor_override;
    double norm_type = 2;

    PoolLayer(Args a, int nd_, PoolKind kind_) : Layer(std::move(a)), nd(nd_), kind(kind_) {
        const Args& x = args();
        if (kind == PoolKind::LP) norm_type = arg_float(x, "norm_type");
        kernel = arg_ints(x, "kernel_size", 1);
        stride = arg_ints(x, "stride", 1, /*allow_none=*/true);
        padding = kind == PoolKind::LP ? Ints{0} : arg_ints(x, "padding", 1);
        dilation = kind == PoolKind::Max ? arg_ints(x, "dilation", 1) : Ints{1};
        ceil_mode = arg_bool(x, "ceil_mode");
        if (kind == PoolKind::Max) return_indices = arg_bool(x, "return_indices");
        if (kind == PoolKind::Avg) count_include_pad = arg_bool(x, "count_include_pad");
        if (kind == PoolKind::Avg && nd > 1) divisor_override = arg_opt_int(x, "divisor_override");
    }

    // MaxPool(return_indices=True) returns (values, indices): a tuple whose elements later
    // layers take as "p[0]" and "p[1]" (MaxUnpool takes both).
    bool returns_tuple() const override { return kind == PoolKind::Max && return_indices; }

    std::string fn() const {
        return std::string(kind == PoolKind::Max ? "max_pool" : "avg_pool") + std::to_string(nd) +
               "d";
    }

    // The 2d and 3d meta functions' argument-length checks, in their words (avg_pool3d's differ).
    void check_lengths() const {
        const char* n = nd == 2 ? "two" : "three";
        const char* either = (nd == 3 && kind != PoolKind::Max) ? "" : "either ";
        auto check = [&](const char* what, const Ints& v, bool may_be_empty, std::string phrase) {
            if (v.size() == 1 || v.size() == std::size_t(nd) || (may_be_empty && v.empty())) return;
            throw ShapeError(fmt::format("{}: {} {}", fn(), what, phrase));
        };
        check("kernel_size", kernel, false,
              fmt::format("must {}be a single int, or a tuple of {} ints", either, n));
        check("stride", stride, true,
              fmt::format("must {}be omitted, a single int, or a tuple of {} ints", either, n));
        check("padding", padding, false,
              fmt::format("must {}be a single int, or a tuple of {} ints", either, n));
        if (kind == PoolKind::Max)
            check("dilation", dilation, false,
                  fmt::format("must be either a single int, or a tuple of {} ints", n));
    }

    Window window() const {
        Window w;
        w.k = per_axis(kernel, nd);
        w.s = stride.empty() ? w.k : per_axis(stride, nd);
        w.p = per_axis(padding, nd);
        w.d = per_axis(dilation, nd);
        return w;
    }

    Shape infer1d(const Shape& x) const {
        std::int64_t rank = x.size();
        if (kind == PoolKind::Max && !return_indices) {
            // max_pool1d without indices has its own checks (aten MaxPooling.cpp).
            bool ok =
                (rank == 2 && x[0] != 0 && x[1] != 0) || (rank == 3 && x[1] != 0 && x[2] != 0);
            if (!ok)
                throw ShapeError(
                    fmt::format("max_pool1d: Expected 2D or 3D (batch mode) tensor with "
                                "optional 0 dim batch size for input, but got:{}",
                                py_list(x)));
            if (kernel.size() != 1)
                throw ShapeError(
                    fmt::format("max_pool1d() kernel_size must be an int, list of ints "
                                "or tuple of ints of size 1 but got size {}",
                                kernel.size()));
            if (stride.size() > 1)
                throw ShapeError(fmt::format("max_pool1d() stride must be None, an int, list of "
                                             "ints, or tuple of ints of size 1 but got size {}",
                                             stride.size()));
            if (padding.size() != 1)
                throw ShapeError(
                    fmt::format("max_pool1d() padding must be an int, list of ints, or "
                                "tuple of ints of size 1 but got size {}",
                                padding.size()));
            if (dilation.size() != 1)
                throw ShapeError(
                    fmt::format("max_pool1d() dilation must be an int, list of ints or "
                                "tuple of ints of size 1 but got size {}",
                                dilation.size()));
            Window w = window();
            std::int64_t k = w.k[0], s = w.s[0], p = w.p[0], d = w.d[0];
            if (k <= 0)
                throw ShapeError(fmt::format(
                    "max_pool1d() kernel_size must be greater than zero, but got {}", k));
            if (s <= 0)
                throw ShapeError(
                    fmt::format("max_pool1d() stride must be greater than zero, but got {}", s));
            if (p < 0)
                throw ShapeError(
                    fmt::format("max_pool1d() padding must be non-negative, but got {}", p));
            if (p > k / 2)
                throw ShapeError(
                    fmt::format("max_pool1d() padding should be at most half of kernel "
                                "size, but got padding={} and kernel_size={}",
                                p, k));
            if (d <= 0)
                throw ShapeError(
                    fmt::format("max_pool1d() dilation must be greater than zero, but got {}", d));
            std::int64_t ow = pooling_output_shape(x[rank - 1], k, p, s, d, ceil_mode);
            if (ow <= 0)
                throw ShapeError(fmt::format("max_pool1d() Invalid computed output size: {}", ow));
            Shape o = x;
            o.back() = ow;
            return o;
        }
        // avg_pool1d, lp_pool1d and max_pool1d_with_indices: unsqueeze(-2) and run the 2d rule.
        const char* name = kind == PoolKind::Max ? "max_pool1d" : "avg_pool1d";
        if (rank < 2 || rank > 3)
            throw ShapeError(
                fmt::format("Expected 2 to 3 dimensions, but got {}-dimensional tensor "
                            "for argument #1 'self' (while checking arguments for {})",
                            rank, name));
        auto check1d = [&](const char* arg_name, const Ints& v) {
            if (v.size() != 1)
                throw ShapeError(fmt::format("{}() argument '{}' should contain one int (got {})",
                                             name, arg_name, v.size()));
        };
        check1d("kernel_size", kernel);
        if (!stride.empty()) check1d("stride", stride);
        check1d("padding", padding);
        if (kind == PoolKind::Max) check1d("dilation", dilation);
        Window w1 = window();
        Window w2{{1, w1.k[0]}, {1, w1.s[0]}, {0, w1.p[0]}, {1, w1.d[0]}};
        Shape x2 = x;
        x2.insert(x2.end() - 1, 1);
        PoolCore core{2, kind, ceil_mode};
        Shape o = core.run2d(x2, w2);
        o.erase(o.end() - 2);
        return o;
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        LayerOutput out;
        if (nd == 1) {
            out.shape = infer1d(x);
        } else if (nd == 2) {
            if (kind == PoolKind::LP && kernel.size() != 1 && kernel.size() != 2)
                throw ShapeError("too many values to unpack (expected 2)"); // kw, kh = kernel_size
            check_lengths();
            out.shape = PoolCore{2, kind, ceil_mode}.run2d(x, window(), divisor_override);
        } else if (kind == PoolKind::Max) {
            check_lengths();
            out.shape = PoolCore{3, kind, ceil_mode}.run3d(
                x, window(), "max_pool3d_with_indices_out_cpu_template()");
        } else {
            check_lengths();
            std::int64_t rank = x.size();
            if (rank != 4 && rank != 5)
                throw ShapeError("non-empty 4D or 5D (batch mode) tensor expected for input");
            if (divisor_override && *divisor_override == 0)
                throw ShapeError("divisor must be not zero");
            out.shape = PoolCore{3, kind, ceil_mode, true}.run3d(x, window(), "avg_pool3d()");
        }
        Window w = window();
        PoolDesc d;
        d.kind = kind;
        d.nd = nd;
        d.kernel = w.k;
        d.stride = w.s;
        d.padding = w.p;
        d.dilation = w.d;
        d.ceil_mode = ceil_mode;
        d.count_include_pad = count_include_pad;
        d.return_indices = return_indices;
        d.divisor_override = divisor_override;
        d.norm_type = norm_type;
        lower.exec = d;
        if (returns_tuple()) out.tuple = {out.shape, out.shape};
        out.rf = RfEffect::Map;
        for (int i = 0; i < nd; ++i)
            out.axes.push_back(
                window_map(effective_kernel(w.k[i], w.d[i]), double(w.s[i]), double(w.p[i])));
        return out;
    }

    std::string brief() const override {
        Brief b;
        if (kind == PoolKind::LP) b.add(py_float(norm_type));
        b.add("k=" + compact(kernel));
        if (!stride.empty()) b.add("s=" + compact(stride)); // stride=None means the kernel size
        if (compact(padding) != "0") b.add("p=" + compact(padding));
        if (compact(dilation) != "1") b.add("d=" + compact(dilation));
        if (ceil_mode) b.add("ceil");
        if (!count_include_pad) b.add("exclude_pad");
        if (divisor_override) b.add("divisor=" + std::to_string(*divisor_override));
        return b.wrap(type());
    }
};

template <int ND, PoolKind K>
LayerPtr make(Args a) {
    return std::make_shared<PoolLayer>(std::move(a), ND, K);
}

} // namespace

void register_pool(std::vector<LayerType>& r) {
    std::vector<ParamSpec> maxp = {req("kernel_size"),
                                   opt("stride", N()),
                                   opt("padding", I(0)),
                                   opt("dilation", I(1)),
                                   opt("return_indices", B(false)),
                                   opt("ceil_mode", B(false))};
    std::vector<ParamSpec> avg1 = {req("kernel_size"), opt("stride", N()), opt("padding", I(0)),
                                   opt("ceil_mode", B(false)), opt("count_include_pad", B(true))};
    std::vector<ParamSpec> avg = avg1;
    avg.push_back(opt("divisor_override", N()));
    std::vector<ParamSpec> lp = {req("norm_type"), req("kernel_size"), opt("stride", N()),
                                 opt("ceil_mode", B(false))};
    r.push_back({"MaxPool1d", maxp, false, "pool", make<1, PoolKind::Max>});
    r.push_back({"MaxPool2d", maxp, false, "pool", make<2, PoolKind::Max>});
    r.push_back({"MaxPool3d", maxp, false, "pool", make<3, PoolKind::Max>});
    r.push_back({"AvgPool1d", avg1, false, "pool", make<1, PoolKind::Avg>});
    r.push_back({"AvgPool2d", avg, false, "pool", make<2, PoolKind::Avg>});
    r.push_back({"AvgPool3d", avg, false, "pool", make<3, PoolKind::Avg>});
    r.push_back({"LPPool1d", lp, false, "pool", make<1, PoolKind::LP>});
    r.push_back({"LPPool2d", lp, false, "pool", make<2, PoolKind::LP>});
}

} // namespace cnnshape::detail
