// MaxUnpool{1,2,3}d(kernel_size, stride=None, padding=0), forward(values, indices,
// output_size=None): out = (in - 1)*stride - 2*padding + kernel_size per axis
// (functional.py _unpool_output_size), or output_size within stride of that. The inputs are a
// MaxPool's (values, indices), "p[0]" and "p[1]". Checks in the order of functional.py, then
// aten's max_unpooling2d/3d (MaxUnpooling.cpp); MaxUnpool1d runs as 2d with a trailing 1.
#include "layers/common.hpp"
#include <cmath>

namespace cnnshape::detail {
namespace {

struct UnpoolLayer : Layer {
    int nd;
    Ints kernel, stride, padding;
    std::optional<Value> output_size;

    UnpoolLayer(Args a, int nd_) : Layer(std::move(a)), nd(nd_) {
        kernel = arg_ints(args(), "kernel_size", nd);
        stride = arg(args(), "stride").is_none() ? kernel : arg_ints(args(), "stride", nd);
        padding = arg_ints(args(), "padding", nd);
        const Value& o = arg(args(), "output_size");
        if (!o.is_none()) {
            if (!o.is_tuple())
                throw SpecError(args().path("output_size"),
                                fmt::format("{}() output_size must be a sequence of ints, not {}",
                                            type(), o.type_name()));
            arg_ints(args(), "output_size", 0);
            output_size = o;
        }
    }

    InputCount input_count() const override { return {2, 2}; }
    std::string inputs_hint() const override {
        return ": the values and the indices of a MaxPool with return_indices=True, as "
               "\"p[0]\" and \"p[1]\"";
    }

    static void negative_check(const Shape& o) {
        for (auto v : o)
            if (v < 0)
                throw ShapeError(fmt::format(
                    "Trying to create tensor with negative dimension {}: {}", v, py_list(o)));
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        Shape x = inputs.at(0), ix = inputs.at(1);
        const std::int64_t rank = x.size(), nk = kernel.size();
        // _unpool_output_size
        Ints sizes;
        for (std::int64_t d = 0; d < nk; ++d) {
            if (nk - d > rank || d >= std::int64_t(stride.size()) ||
                d >= std::int64_t(padding.size()))
                throw ShapeError("tuple index out of range");
            sizes.push_back(checked_add(checked_sub(checked_mul(x[rank - nk + d] - 1, stride[d]),
                                                    checked_mul(2, padding[d])),
                                        kernel[d]));
        }
        if (output_size) {
            Value::List l = output_size->as_tuple();
            if (std::int64_t(l.size()) == nk + 2) l.erase(l.begin(), l.begin() + 2);
            Value shown = Value::tuple(l);
            shown.is_list = output_size->is_list;
            if (std::int64_t(l.size()) != nk)
                throw ShapeError(fmt::format("output_size should be a sequence containing {} or {} "
                                             "elements, but it has a length of '{}'",
                                             nk, nk + 2, l.size()));
            for (std::int64_t d = 0; d < nk; ++d) {
                std::int64_t lo = sizes[d] - stride[d], hi = sizes[d] + stride[d];
                std::int64_t v = l[d].as_int();
                if (!(lo < v && v < hi))
                    throw ShapeError(fmt::format("invalid output_size \"{}\" (dim {} must be "
                                                 "between {} and {})",
                                                 shown.repr(), d, lo, hi));
                sizes[d] = v;
            }
        }
        if (nd == 1) { // max_unpool2d(input.unsqueeze(-1), indices.unsqueeze(-1), size + [1])
            x.push_back(1), ix.push_back(1), sizes.push_back(1);
        }
        const std::int64_t r = x.size();
        const char* fn = nd == 3 ? "max_unpooling3d" : "max_unpooling2d";
        auto rank_check = [&] {
            if (nd == 3 ? (r != 4 && r != 5) : (r != 3 && r != 4))
                throw ShapeError(fmt::format("Input to {} should be a {} Tensor, but got a "
                                             "tensor with {} dimensions.",
                                             fn, nd == 3 ? "4d or 5d" : "3d or 4d", r));
        };
        if (nd != 3) {
            if (sizes.size() != 2)
                throw ShapeError(fmt::format("There should be exactly two elements (height, "
                                             "width) in output_size, but got {} elements.",
                                             sizes.size()));
            rank_check();
        } else {
            rank_check();
            if (sizes.size() != 3)
                throw ShapeError(fmt::format("There should be exactly three elements (depth, "
                                             "height, width) in output_size, but got {} "
                                             "elements.",
                                             sizes.size()));
            for (auto [what, v] : {std::pair{"stride", &stride}, std::pair{"padding", &padding}})
                if (v->size() != 3)
                    throw ShapeError(fmt::format("There should be exactly three elements (depth, "
                                                 "height, width) in {}, but got: {} elements.",
                                                 what, v->size()));
        }
        if (x != ix)
            throw ShapeError(fmt::format("Expected shape of indices to be same as that of the "
                                         "input tensor ({}) but got indices tensor with shape: {}",
                                         py_list(x), py_list(ix)));
        for (std::int64_t i = 1; i < r; ++i)
            if (x[i] <= 0)
                throw ShapeError(fmt::format("{}_forward_out_cpu(): Expected input to have "
                                             "non-zero size for non-batch dimensions, but got {} "
                                             "with dimension {} being empty.",
                                             fn, py_list(x), i));
        if (nd == 3 && !(stride[0] > 0 && stride[1] > 0 && stride[2] > 0))
            throw ShapeError(fmt::format("strides should be greater than zero, but got stride: {}",
                                         py_list(stride)));
        Shape o(x.begin(), x.end() - (nd == 3 ? 3 : 2));
        o.insert(o.end(), sizes.begin(), sizes.end());
        negative_check(o);
        if (nd == 1) o.pop_back();
        LayerOutput out;
        out.shape = o;
        out.rf = RfEffect::Map;
        for (int i = 0; i < nd; ++i) { // as a transposed window of kernel k, stride s
            AxisMap m;
            double s = double(std::max<std::int64_t>(stride[i], 1));
            m.grow = std::max(0.0, std::ceil(double(kernel[i]) / s) - 1);
            m.jump = 1.0 / s;
            m.shift = (double(padding[i]) - double(kernel[i] - 1) / 2.0) / s;
            out.axes.push_back(m);
        }
        UnpoolDesc d;
        d.nd = nd;
        d.kernel = kernel, d.stride = stride, d.padding = padding;
        d.output_size = output_size.has_value();
        lower.exec = d;
        return out;
    }

    std::string brief() const override {
        Brief b;
        b.add("k=" + compact(kernel));
        if (stride != kernel) b.add("s=" + compact(stride));
        if (compact(padding) != "0") b.add("p=" + compact(padding));
        if (output_size) b.add("output_size=" + output_size->repr());
        return b.wrap(type());
    }
};

template <int ND>
LayerPtr make(Args a) {
    return std::make_shared<UnpoolLayer>(std::move(a), ND);
}

} // namespace

void register_unpool(std::vector<LayerType>& r) {
    // output_size is forward()'s argument: a keyword of the layer here.
    std::vector<ParamSpec> sig = {req("kernel_size"), opt("stride", N()), opt("padding", I(0)),
                                  kwonly("output_size", N())};
    r.push_back({"MaxUnpool1d", sig, false, "pool", make<1>});
    r.push_back({"MaxUnpool2d", sig, false, "pool", make<2>});
    r.push_back({"MaxUnpool3d", sig, false, "pool", make<3>});
}

} // namespace cnnshape::detail
