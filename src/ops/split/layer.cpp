// Chunk, Split and Unbind: a tuple of slices along one dim, by aten's rules (TensorShape.cpp:
// chunk, split, split_with_sizes, unbind), checks in aten's order with its messages.
#include "layers/common.hpp"

namespace cnnshape::detail {
namespace {

struct SplitLayer : Layer {
    explicit SplitLayer(Args a) : Layer(std::move(a)) {
        arg_int(args(), "dim");
        if (type() == "Chunk") arg_int(args(), "chunks");
        if (type() == "Split") {
            const Value& s = arg(args(), "split_size_or_sections");
            // Tensor.split sends anything but an int to split_with_sizes, which wants ints.
            if (!s.is_int() && !s.is_tuple())
                throw SpecError(args().path("split_size_or_sections"),
                                fmt::format("split_with_sizes(): argument 'split_sizes' (position "
                                            "2) must be tuple of ints, not {}",
                                            s.type_name()));
            if (s.is_tuple()) arg_ints(args(), "split_size_or_sections", 1);
        }
    }

    bool returns_tuple() const override { return true; }

    static Ints split_sizes(std::int64_t dim_size, std::int64_t split_size) {
        // split: "if split_size is 0 and dimension size is 0, there is 1 split"; at least one.
        std::int64_t n = 1;
        if (split_size != 0)
            n = std::max<std::int64_t>((dim_size + split_size - 1) / split_size, 1);
        Ints sizes(std::size_t(n), split_size);
        sizes.back() = split_size - (split_size * n - dim_size);
        return sizes;
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& x = inputs.at(0);
        const std::int64_t rank = x.size();
        SplitDesc d;
        const std::int64_t dim = arg_int(args(), "dim");
        if (type() == "Chunk") {
            std::int64_t chunks = arg_int(args(), "chunks");
            if (rank == 0) throw ShapeError("chunk expects at least a 1-dimensional tensor");
            if (chunks <= 0)
                throw ShapeError(
                    fmt::format("chunk expects `chunks` to be greater than 0, got: {}", chunks));
            d.dim = wrap_dim(dim, rank);
            const std::int64_t size = x[d.dim];
            const std::int64_t split_size = size / chunks + (size % chunks != 0);
            if (split_size == 0 && size == 0)
                d.sizes = Ints(std::size_t(std::min<std::int64_t>(chunks, 1 << 20)), 0);
            else
                d.sizes = split_sizes(size, split_size);
            if (split_size == 0 && size == 0 && chunks > (1 << 20))
                throw ShapeError(fmt::format("chunk of a zero-size dim into {} pieces: cnnshape "
                                             "plans at most {} tuple elements",
                                             chunks, 1 << 20));
        } else if (type() == "Split") {
            const Value& s = arg(args(), "split_size_or_sections");
            if (rank == 0) throw ShapeError("split expects at least a 1-dimensional tensor");
            if (s.is_int()) {
                std::int64_t split_size = s.as_int();
                if (split_size < 0)
                    throw ShapeError(fmt::format(
                        "split expects split_size be non-negative, but got split_size={}",
                        split_size));
                d.dim = wrap_dim(dim, rank);
                const std::int64_t size = x[d.dim];
                if (split_size == 0 && size != 0)
                    throw ShapeError(fmt::format("split_size can only be 0 if dimension size is "
                                                 "0, but got dimension size of {}",
                                                 size));
                d.sizes = split_sizes(size, split_size);
            } else {
                Ints sizes = arg_ints(args(), "split_size_or_sections", 1);
                d.dim = wrap_dim(dim, rank);
                std::int64_t sum = 0;
                for (std::int64_t v : sizes) {
                    if (v < 0)
                        throw ShapeError(fmt::format("split_with_sizes expects split_sizes have "
                                                     "only non-negative entries, but got "
                                                     "split_sizes={}",
                                                     py_list(sizes)));
                    sum = checked_add(sum, v);
                }
                if (sum != x[d.dim])
                    throw ShapeError(fmt::format("split_with_sizes expects split_sizes to sum "
                                                 "exactly to {} (input tensor's size at dimension "
                                                 "{}), but got split_sizes={}",
                                                 x[d.dim], dim, py_list(sizes)));
                d.sizes = sizes;
            }
        } else {                         // Unbind
            d.dim = wrap_dim(dim, rank); // a 0-dim tensor wraps as a 1-dim one
            if (rank == 0)
                throw ShapeError(fmt::format("Dimension specified as {} but tensor has no "
                                             "dimensions",
                                             d.dim));
            if (x[d.dim] > (1 << 20))
                throw ShapeError(fmt::format("unbind of a dim of size {}: cnnshape plans at most "
                                             "{} tuple elements",
                                             x[d.dim], 1 << 20));
            d.sizes = Ints(std::size_t(x[d.dim]), 1);
            d.squeeze = true;
        }
        if (d.sizes.size() > (1u << 20))
            throw ShapeError(fmt::format("{} gives {} tensors: cnnshape plans at most {} tuple "
                                         "elements",
                                         type(), d.sizes.size(), 1 << 20));
        LayerOutput out;
        for (std::int64_t len : d.sizes) {
            Shape s = x;
            if (d.squeeze)
                s.erase(s.begin() + d.dim);
            else
                s[d.dim] = len;
            out.tuple.push_back(std::move(s));
        }
        out.shape = out.tuple.empty() ? Shape{} : out.tuple[0];
        // A slice along a spatial axis sees what the input saw there: the field is kept.
        // Unbind removes the dim: kept unless it is spatial.
        out.rf = d.squeeze ? RfEffect::Remove : RfEffect::Keep;
        if (d.squeeze) out.rf_dims = {d.dim};
        lower.exec = std::move(d);
        return out;
    }

    // The sizes as Python writes the list (`[3, 5]`), or the one size.
    std::string split_text() const {
        const Value& s = arg(args(), "split_size_or_sections");
        return s.is_tuple() ? py_list(arg_ints(args(), "split_size_or_sections", 1)) : s.repr();
    }

    std::string brief() const override {
        std::int64_t dim = arg_int(args(), "dim");
        std::string tail = dim == 0 ? "" : fmt::format(", dim={}", dim);
        if (type() == "Chunk") return fmt::format("Chunk({}{})", arg_int(args(), "chunks"), tail);
        if (type() == "Split") return fmt::format("Split({}{})", split_text(), tail);
        return dim == 0 ? "Unbind" : fmt::format("Unbind(dim={})", dim);
    }
};

LayerPtr make_split(Args a) {
    return std::make_shared<SplitLayer>(std::move(a));
}

} // namespace

void register_split(std::vector<LayerType>& r) {
    r.push_back(
        {"Chunk", {req("chunks"), opt("dim", I(0))}, false, "tuple", make_split, {"torch.chunk"}});
    r.push_back({"Split",
                 {req("split_size_or_sections"), opt("dim", I(0))},
                 false,
                 "tuple",
                 make_split,
                 {"torch.split"}});
    r.push_back({"Unbind", {opt("dim", I(0))}, false, "tuple", make_split, {"torch.unbind"}});
}

} // namespace cnnshape::detail
