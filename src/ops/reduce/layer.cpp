// Reductions: Mean (torch.mean), Sum (torch.sum), Amax (torch.amax), Amin (torch.amin), with
// PyTorch 1.13's rules (ReduceOps.cpp meta functions, ReduceOpsUtils.h): `dim` an int, a
// tuple/list of ints, or None / () / [] for every dim; each dim wrapped (a 0-dim tensor counts as
// 1-d), then checked for repeats; the reduced dims become size 1 (keepdim) or disappear. Amax and
// Amin of an empty tensor need each reduced dim to be non-empty, checked first, as aten does.
// No parameters; 0 MACs (a reduction is not a multiply-accumulate of weights, like pooling).
#include "layers/common.hpp"
#include <algorithm>

namespace cnnshape::detail {
namespace {

struct ReduceLayer : Layer {
    ReduceOp op;
    Ints dims;        // as written (empty: all dims)
    bool all = false; // dim None, () or []
    bool keepdim = false;

    const char* fn() const {
        switch (op) {
        case ReduceOp::Sum:
            return "sum";
        case ReduceOp::Mean:
            return "mean";
        case ReduceOp::Amax:
            return "amax";
        case ReduceOp::Amin:
            return "amin";
        }
        return "";
    }

    ReduceLayer(Args a, ReduceOp o) : Layer(std::move(a)), op(o) {
        const Value& d = arg(args(), "dim");
        if (d.is_none()) {
            all = true;
        } else if (d.is_int()) {
            dims = {d.as_int()};
        } else if (d.is_tuple()) {
            std::size_t pos = 0;
            for (const Value& e : d.as_tuple()) {
                ++pos;
                // A bool inside the list is an int to PyTorch's argument parser.
                if (e.is_bool()) {
                    dims.push_back(e.as_bool() ? 1 : 0);
                    continue;
                }
                if (!e.is_int())
                    throw SpecError(args().path("dim"),
                                    fmt::format("{}(): argument 'dim' must be tuple of ints, but "
                                                "found element of type {} at pos {}",
                                                fn(), e.type_name(), pos));
                dims.push_back(e.as_int());
            }
            all = dims.empty();
        } else {
            throw SpecError(args().path("dim"),
                            fmt::format("{}(): argument 'dim' (position 2) must be tuple of ints, "
                                        "not {}",
                                        fn(), d.type_name()));
        }
        const Value& k = arg(args(), "keepdim");
        if (!k.is_bool())
            throw SpecError(
                args().path("keepdim"),
                fmt::format("{}(): argument 'keepdim' must be bool, not {}", fn(), k.type_name()));
        keepdim = k.as_bool();
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        const std::int64_t rank = x.size();
        const bool minmax = op == ReduceOp::Amax || op == ReduceOp::Amin;
        if (minmax && numel(x) == 0) { // zero_numel_check_dims, before the dims are wrapped
            if (all)
                throw ShapeError(fmt::format("{}(): Expected reduction dim to be specified for "
                                             "input.numel() == 0. Specify the reduction dim with "
                                             "the 'dim' argument.",
                                             fn()));
            for (std::int64_t dm : dims)
                if (x[wrap_dim(dm, rank)] == 0)
                    throw ShapeError(fmt::format("{}(): Expected reduction dim {} to have "
                                                 "non-zero size.",
                                                 fn(), dm));
        }
        ReduceDesc d;
        d.op = op;
        d.keepdim = keepdim;
        std::vector<bool> reduced(std::size_t(std::max<std::int64_t>(rank, 1)), all);
        if (!all) {
            Ints wrapped;
            for (std::int64_t dm : dims)
                wrapped.push_back(wrap_dim(dm, rank));
            std::fill(reduced.begin(), reduced.end(), false);
            for (std::int64_t w : wrapped) {
                if (reduced[w])
                    throw ShapeError(
                        fmt::format("dim {} appears multiple times in the list of dims", w));
                reduced[w] = true;
            }
        }
        LayerOutput out;
        std::int64_t hi = -1;
        for (std::int64_t i = 0; i < rank; ++i) {
            if (!reduced[i]) {
                out.shape.push_back(x[i]);
                continue;
            }
            d.dims.push_back(i);
            d.count = checked_mul(d.count, x[i]);
            hi = i;
            if (keepdim) out.shape.push_back(1);
        }
        if (rank == 0) d.count = 1;
        // Receptive field: kept, the reduced spatial axes whole (global pooling) with keepdim;
        // without it the reduced dims are gone, which ends the field when one is spatial.
        if (keepdim) {
            out.rf = RfEffect::Whole;
            out.rf_dims = d.dims;
        } else if (hi >= 0) {
            out.rf = RfEffect::Reshape;
            out.rf_dims = {-1, hi};
        }
        lower.exec = std::move(d);
        return out;
    }

    std::string brief() const override {
        Brief b;
        const Value& d = arg(args(), "dim");
        if (!all) b.add("dim=" + (d.is_int() ? d.repr() : py_list(dims)));
        if (keepdim) b.add("keepdim=True");
        return b.text.empty() ? type() : b.wrap(type());
    }
};

template <ReduceOp Op>
LayerPtr make(Args a) {
    return std::make_shared<ReduceLayer>(std::move(a), Op);
}

} // namespace

void register_reduce(std::vector<LayerType>& r) {
    r.push_back({"Mean",
                 {opt("dim", N()), opt("keepdim", B(false)), kwonly("dtype", N())},
                 false,
                 "reduce",
                 make<ReduceOp::Mean>,
                 {"torch.mean"}});
    r.push_back({"Sum",
                 {opt("dim", N()), opt("keepdim", B(false)), kwonly("dtype", N())},
                 false,
                 "reduce",
                 make<ReduceOp::Sum>,
                 {"torch.sum"}});
    r.push_back({"Amax",
                 {opt("dim", Value::tuple({})), opt("keepdim", B(false))},
                 false,
                 "reduce",
                 make<ReduceOp::Amax>,
                 {"torch.amax"}});
    r.push_back({"Amin",
                 {opt("dim", Value::tuple({})), opt("keepdim", B(false))},
                 false,
                 "reduce",
                 make<ReduceOp::Amin>,
                 {"torch.amin"}});
}

} // namespace cnnshape::detail
