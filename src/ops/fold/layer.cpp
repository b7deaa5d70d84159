// Unfold(kernel_size, dilation=1, padding=0, stride=1): (N, C, H, W) -> (N, C*kh*kw, L),
// L = prod(floor((in + 2p - d(k-1) - 1) / s) + 1). Fold(output_size, kernel_size, ...): the
// reverse, (N, C*kh*kw, L) -> (N, C, *output_size), L must be the block count of output_size.
// Checks in the order of aten's im2col / col2im and im2col_shape_check.h, with their messages.
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

struct FoldLayer : Layer {
    bool fold = false;
    Ints output_size, kernel, dilation, padding, stride;

    explicit FoldLayer(Args a, bool fold_) : Layer(std::move(a)), fold(fold_) {
        const Args& x = args();
        if (fold) output_size = arg_ints(x, "output_size", 2);
        kernel = arg_ints(x, "kernel_size", 2);
        dilation = arg_ints(x, "dilation", 2);
        padding = arg_ints(x, "padding", 2);
        stride = arg_ints(x, "stride", 2);
    }

    static void two(const char* name, const Ints& v) {
        if (v.size() != 2)
            throw ShapeError(
                fmt::format("It is expected {} equals to 2, but got size {}", name, v.size()));
    }
    void check_kernel() const {
        if (!(kernel[1] > 0 && kernel[0] > 0))
            throw ShapeError(fmt::format("kernel size should be greater than zero, but got "
                                         "kernel_height: {} kernel_width: {}",
                                         kernel[0], kernel[1]));
    }
    void check_stride() const {
        if (!(stride[1] > 0 && stride[0] > 0))
            throw ShapeError(fmt::format("stride should be greater than zero, but got "
                                         "stride_height: {} stride_width: {}",
                                         stride[0], stride[1]));
    }
    void check_dilation() const {
        if (!(dilation[1] > 0 && dilation[0] > 0))
            throw ShapeError(fmt::format("dilation should be greater than zero, but got "
                                         "dilation_height: {} dilation_width: {}",
                                         dilation[0], dilation[1]));
    }
    void check_padding() const {
        if (!(padding[1] >= 0 && padding[0] >= 0))
            throw ShapeError(fmt::format("padding should be non-negative, but got pad_height: "
                                         "{} pad_width: {}",
                                         padding[0], padding[1]));
    }
    // Sliding blocks along axis i of an image of `size`.
    std::int64_t blocks(std::int64_t size, int i) const {
        std::int64_t keff = checked_add(checked_mul(dilation[i], kernel[i] - 1), 1);
        return div_rtn(checked_add(size, checked_mul(2, padding[i])) - keff, stride[i]) + 1;
    }
    std::string params_text() const {
        return fmt::format("kernel_size=({}, {}), dilation=({}, {}), padding=({}, {})", kernel[0],
                           kernel[1], dilation[0], dilation[1], padding[0], padding[1]);
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        const std::int64_t rank = x.size();
        FoldDesc d;
        d.fold = fold;
        d.kernel = kernel, d.dilation = dilation, d.padding = padding, d.stride = stride;
        LayerOutput out;
        if (!fold) {
            two("kernel_size", kernel), two("dilation", dilation), two("padding", padding),
                two("stride", stride);
            check_kernel(), check_dilation(), check_padding(), check_stride();
            // input.size(1) != 0 && input.size(2) != 0 is read before the rank is checked.
            if (rank == 0)
                throw ShapeError("Dimension specified as 1 but tensor has no dimensions");
            bool valid = wrap_dim(1, rank) >= 0 && x[1] != 0 && wrap_dim(2, rank) >= 0 && x[2] != 0;
            if (!((rank == 3 && x[0] != 0 && valid) || (rank == 4 && valid && x[3] != 0)))
                throw ShapeError(
                    fmt::format("Expected 3D or 4D (batch mode) tensor with possibly 0 "
                                "batch size and other non-zero dimensions for input, "
                                "but got: {}",
                                py_list(x)));
            std::int64_t H = x[rank - 2], W = x[rank - 1], C = x[rank - 3];
            std::int64_t oh = blocks(H, 0), ow = blocks(W, 1);
            if (oh < 1 || ow < 1)
                throw ShapeError(fmt::format("Given input with spatial size ({}, {}), {}, "
                                             "calculated shape of the array of sliding blocks as "
                                             "({}, {}), but its components must be at least one.",
                                             H, W, params_text(), oh, ow));
            d.channels = C, d.image = {H, W}, d.blocks = {oh, ow};
            Shape o = {checked_mul(C, checked_mul(kernel[0], kernel[1])), checked_mul(oh, ow)};
            if (rank == 4) o.insert(o.begin(), x[0]);
            out.shape = o;
        } else {
            two("output_size", output_size), two("kernel_size", kernel), two("dilation", dilation),
                two("padding", padding), two("stride", stride);
            check_kernel(), check_stride(), check_dilation(), check_padding();
            if (!((rank == 2 && x[0] != 0 && x[1] != 0) || (rank == 3 && x[1] != 0 && x[2] != 0)))
                throw ShapeError(fmt::format("Expected 2D or 3D (batch mode) tensor for input with "
                                             "possibly 0 batch size and non-zero dimensions for "
                                             "input, but got: {}",
                                             py_list(x)));
            std::int64_t planes = x[rank - 2], length = x[rank - 1];
            std::int64_t kprod;
            if (__builtin_mul_overflow(kernel[1], kernel[0], &kprod))
                throw ShapeError(fmt::format("Given kernel_width = {} and kernel_height = {} the "
                                             "product of kernel_width and kernel_height "
                                             "overflowed.",
                                             kernel[1], kernel[0]));
            if (planes % kprod != 0)
                throw ShapeError(fmt::format("Expected size of input's dimension 1 to be divisible "
                                             "by the product of kernel_size, but got "
                                             "input.size(1)={} and kernel_size=({}, {}).",
                                             planes, kernel[0], kernel[1]));
            std::int64_t oh = blocks(output_size[0], 0), ow = blocks(output_size[1], 1);
            std::string given =
                fmt::format("Given output_size=({}, {}), {}, stride=({}, {}), ", output_size[0],
                            output_size[1], params_text(), stride[0], stride[1]);
            if (length != checked_mul(oh, ow))
                throw ShapeError(fmt::format("{}expected size of input's dimension 2 to match the "
                                             "calculated number of sliding blocks {} * {} = {}, "
                                             "but got input.size(2)={}.",
                                             given, oh, ow, oh * ow, length));
            if (!(oh >= 1 && ow >= 1))
                throw ShapeError(fmt::format("{}calculated shape of the array of sliding blocks as "
                                             "({}, {}), which is too small (non-positive)",
                                             given, oh, ow));
            if (output_size[1] < 1 || output_size[0] < 1)
                throw ShapeError(fmt::format("Expected output spatial size to be positive, but "
                                             "got: output_size=({}, {}).",
                                             output_size[0], output_size[1]));
            std::int64_t C = planes / kprod;
            d.channels = C, d.image = output_size, d.blocks = {oh, ow};
            Shape o = {C, output_size[0], output_size[1]};
            if (rank == 3) o.insert(o.begin(), x[0]);
            out.shape = o;
        }
        out.rf = RfEffect::Drop; // blocks become channels (Unfold) or columns become pixels
        lower.exec = d;
        return out;
    }

    std::string brief() const override {
        Brief b;
        if (fold) b.add("out=" + compact(output_size));
        b.add("k=" + compact(kernel));
        if (compact(stride) != "1") b.add("s=" + compact(stride));
        if (compact(padding) != "0") b.add("p=" + compact(padding));
        if (compact(dilation) != "1") b.add("d=" + compact(dilation));
        return b.wrap(type());
    }
};

LayerPtr make_fold(Args a) {
    return std::make_shared<FoldLayer>(std::move(a), true);
}
LayerPtr make_unfold(Args a) {
    return std::make_shared<FoldLayer>(std::move(a), false);
}

} // namespace

void register_fold(std::vector<LayerType>& r) {
    r.push_back({"Fold",
                 {req("output_size"), req("kernel_size"), opt("dilation", I(1)),
                  opt("padding", I(0)), opt("stride", I(1))},
                 false,
                 "fold",
                 make_fold});
    r.push_back(
        {"Unfold",
         {req("kernel_size"), opt("dilation", I(1)), opt("padding", I(0)), opt("stride", I(1))},
         false,
         "fold",
         make_unfold});
}

} // namespace cnnshape::detail
