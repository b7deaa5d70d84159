// The elementwise binary family: Add, Sub, Mul, Div, also spelled torch.add, torch.sub
// (torch.subtract), torch.mul (torch.multiply), torch.div (torch.divide). The tensors come from
// "inputs" (the previous layer's output when there is one tensor); the signature is the rest of
// torch.add(input, other, *, alpha=1): `other` left out means the second input, a number means
// tensor-scalar. Broadcasting is at::infer_size, decided here once: the kernels trust the shape.
#include "layers/common.hpp"
#include <algorithm>
#include <cmath>
#include <limits>

namespace cnnshape::detail {
namespace {

const char* torch_name(BinaryOp op) {
    switch (op) {
    case BinaryOp::Add:
        return "add";
    case BinaryOp::Sub:
        return "sub";
    case BinaryOp::Mul:
        return "mul";
    case BinaryOp::Div:
        return "div";
    }
    return "";
}

struct BinaryLayer : Layer {
    BinaryOp op;
    BinaryDesc desc;
    bool alpha_bool = false;      // alpha=True: PyTorch's alpha_check refuses it for floats
    bool alpha_overflows = false; // |alpha| > FLT_MAX: c10's checked cast refuses it

    BinaryLayer(Args a, BinaryOp o) : Layer(std::move(a)), op(o) {
        desc.op = op;
        const Value& other = arg(args(), "other");
        if (!other.is_none()) {
            if (op == BinaryOp::Sub && other.is_bool())
                throw SpecError(args().path("other"),
                                "Subtraction, the `-` operator, with a bool tensor is not "
                                "supported. If you are trying to invert a mask, use the `~` or "
                                "`logical_not()` operator instead.");
            if (!other.is_int() && !other.is_float() && !other.is_bool())
                throw SpecError(args().path("other"),
                                fmt::format("{}(): argument 'other' (position 2) must be Tensor or "
                                            "a number, not {} ({}); the tensors come from "
                                            "\"inputs\"",
                                            torch_name(op), other.type_name(), other.repr()));
            desc.scalar_other = true;
            desc.other = float(other.as_float()); // a double too large for float is +-inf
        }
        if (op == BinaryOp::Add || op == BinaryOp::Sub) {
            const Value& alpha = arg(args(), "alpha");
            alpha_bool = alpha.is_bool();
            double al = arg_float(args(), "alpha");
            alpha_overflows =
                std::isfinite(al) && std::fabs(al) > double(std::numeric_limits<float>::max());
            desc.alpha = float(al);
        }
        if (op == BinaryOp::Div) {
            const Value& r = arg(args(), "rounding_mode");
            if (r.is_none()) {
                desc.rounding = Rounding::None;
            } else if (r.is_string() && r.as_string() == "trunc") {
                desc.rounding = Rounding::Trunc;
            } else if (r.is_string() && r.as_string() == "floor") {
                desc.rounding = Rounding::Floor;
            } else if (r.is_string()) {
                throw SpecError(args().path("rounding_mode"),
                                fmt::format("div expected rounding_mode to be one of None, "
                                            "'trunc', or 'floor' but found '{}'",
                                            r.as_string()));
            } else {
                throw SpecError(args().path("rounding_mode"),
                                fmt::format("div(): argument 'rounding_mode' must be str or None, "
                                            "not {} ({})",
                                            r.type_name(), r.repr()));
            }
        }
    }

    bool chains() const { // x0 + x1 + x2 ...: Add and Mul, without alpha
        return (op == BinaryOp::Add && desc.alpha == 1 && !alpha_bool) || op == BinaryOp::Mul;
    }
    InputCount input_count() const override {
        if (desc.scalar_other) return {1, 1};
        return {2, chains() ? SIZE_MAX : 2};
    }
    std::string inputs_hint() const override {
        if (desc.scalar_other)
            return fmt::format(" (other={} is the second operand)", arg(args(), "other").repr());
        if (op == BinaryOp::Add && !chains())
            return fmt::format(" (with alpha it is torch.add(input, other, alpha={}))",
                               arg(args(), "alpha").repr());
        return ", or a number as \"other\"";
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        Shape r = inputs.at(0);
        for (std::size_t t = 1; t < inputs.size(); ++t)
            r = broadcast(r, inputs[t]);
        // After the TensorIterator is built (the shapes), as in PyTorch: at::native::alpha_check,
        // then alpha's cast to float.
        if (alpha_bool) throw ShapeError("Boolean alpha only supported for Boolean results.");
        if (alpha_overflows)
            throw ShapeError("value cannot be converted to type float without overflow");
        LayerOutput out;
        out.shape = r;
        lower.exec = desc;
        return out;
    }

    std::string brief() const override {
        Brief b;
        if (desc.scalar_other) b.add("other=" + arg(args(), "other").repr());
        if ((op == BinaryOp::Add || op == BinaryOp::Sub) && desc.alpha != 1)
            b.add("alpha=" + arg(args(), "alpha").repr());
        if (op == BinaryOp::Div && desc.rounding != Rounding::None)
            b.add("rounding_mode=" + arg(args(), "rounding_mode").repr());
        return b.text.empty() ? type() : b.wrap(type());
    }
};

template <BinaryOp Op>
LayerPtr make(Args a) {
    return std::make_shared<BinaryLayer>(std::move(a), Op);
}

} // namespace

void register_binary(std::vector<LayerType>& r) {
    r.push_back({"Add",
                 {opt("other", N()), kwonly("alpha", I(1))},
                 false,
                 "merge",
                 make<BinaryOp::Add>,
                 {"torch.add"}});
    r.push_back({"Sub",
                 {opt("other", N()), kwonly("alpha", I(1))},
                 false,
                 "merge",
                 make<BinaryOp::Sub>,
                 {"torch.sub", "torch.subtract"}});
    r.push_back({"Mul",
                 {opt("other", N())},
                 false,
                 "merge",
                 make<BinaryOp::Mul>,
                 {"torch.mul", "torch.multiply"}});
    r.push_back({"Div",
                 {opt("other", N()), kwonly("rounding_mode", N())},
                 false,
                 "merge",
                 make<BinaryOp::Div>,
                 {"torch.div", "torch.divide"}});
}

} // namespace cnnshape::detail
