// Parameter (nn.Parameter(torch.zeros(shape))) and Buffer (register_buffer(name, torch.zeros(
// shape))): layers that take no input and give their own tensor, so a later layer can add it,
// concatenate it or multiply by it. The state_dict key is the layer's name itself, as PyTorch
// names a module attribute ("class_token", "encoder.pos_embedding").
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

struct ParameterLayer : Layer {
    Ints shape;
    bool buffer, trainable = true;
    double fill = 0; // the value every element starts at (torch.ones: 1)
    explicit ParameterLayer(Args a) : Layer(std::move(a)) {
        buffer = type() == "Buffer";
        shape = arg_ints(args(), "shape", 1);
        fill = arg_float(args(), "fill");
        if (!buffer)
            trainable = arg_bool(args(), "requires_grad");
        else
            arg_bool(args(), "persistent");
    }
    InputCount input_count() const override { return {0, 0}; }

    void check_construct() const override {
        for (std::int64_t s : shape)
            if (s < 0)
                throw ShapeError(fmt::format("Trying to create tensor with negative dimension {}: "
                                             "{}",
                                             s, py_list(shape)));
    }

    LayerOutput infer(const std::vector<Shape>&, const InferContext&,
                      Lowering& lower) const override {
        LayerOutput out;
        out.shape = Shape(shape.begin(), shape.end());
        std::int64_t n = 1;
        for (std::int64_t s : shape)
            n = checked_mul(n, s);
        bool persistent = !buffer || arg_bool(args(), "persistent");
        if (buffer) {
            // A non-persistent buffer is not in the state_dict, but model.buffers() holds it.
            out.buffers = n;
            out.buffer_bytes = checked_mul(n, 4);
        } else {
            out.params = n;
            out.frozen = !trainable;
        }
        out.rf = RfEffect::Drop; // its values see no input position
        lower.exec = ParameterDesc{buffer};
        TensorSpec t{"", out.shape, buffer, false, fill == 0 ? Init::Zeros : Init::Constant};
        t.value = fill;
        t.persistent = persistent;
        lower.tensors.push_back(t);
        return out;
    }
    std::string brief() const override {
        Brief b;
        b.add(py_list(shape));
        if (!buffer && !trainable) b.add("requires_grad=False");
        if (buffer && !arg_bool(args(), "persistent")) b.add("persistent=False");
        if (fill != 0) b.add("fill=" + py_float(fill));
        return b.wrap(type());
    }
};

LayerPtr make_parameter(Args a) {
    return std::make_shared<ParameterLayer>(std::move(a));
}
} // namespace

void register_parameter(std::vector<LayerType>& r) {
    r.push_back({"Parameter",
                 {req("shape"), opt("requires_grad", B(true)), opt("fill", F(0.0))},
                 false,
                 "tensor",
                 make_parameter,
                 {"torch.nn.Parameter", "nn.Parameter"}});
    r.push_back({"Buffer",
                 {req("shape"), opt("persistent", B(true)), opt("fill", F(0.0))},
                 false,
                 "tensor",
                 make_parameter});
}

} // namespace cnnshape::detail
