// How explain describes Add, Sub, Mul and Div.
#include "analysis/explain_support.hpp"

namespace cnnshape {

void explain_op(LayerExplanation& e, const LayerPlan& l, const BinaryDesc& d) {
    static const char* verbs[] = {"sums", "subtracts", "multiplies", "divides"};
    const char* verb = verbs[int(d.op)];
    if (d.scalar_other) {
        static const char* forms[] = {"adds {} to its input", "subtracts {} from its input",
                                      "multiplies its input by {}", "divides its input by {}"};
        e.notes.push_back(fmt::format("{} {} elementwise: the shape stays {}", l.type,
                                      fmt::format(forms[int(d.op)], d.other), shape_x(l.output)));
        return;
    }
    std::vector<std::string> shapes;
    for (auto& s : l.input_shapes)
        shapes.push_back(shape_x(s));
    std::string how = d.op == BinaryOp::Sub   ? " (the first minus the second)"
                      : d.op == BinaryOp::Div ? " (the first over the second)"
                                              : "";
    e.notes.push_back(fmt::format("{} {} its {} inputs elementwise{}, broadcasting sizes of 1: "
                                  "{} -> {}",
                                  l.type, verb, l.input_shapes.size(), how,
                                  explain_detail::join(shapes, " and "), shape_x(l.output)));
    if (d.op == BinaryOp::Add || d.op == BinaryOp::Sub) {
        if (d.alpha != 1)
            e.notes.push_back(
                fmt::format("with alpha={}, the second input is scaled first "
                            "(one fused multiply-add, as PyTorch's vectorised loop computes it)",
                            d.alpha));
    }
}

} // namespace cnnshape
