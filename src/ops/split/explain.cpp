// How explain describes Chunk, Split and Unbind: the pieces the dim is cut into.
#include "analysis/explain_support.hpp"

namespace cnnshape {

using namespace explain_detail;

void explain_op(LayerExplanation& e, const LayerPlan& l, const SplitDesc& d) {
    const Shape& in = l.input_shapes.at(0);
    const std::int64_t size = in.at(d.dim);
    if (d.squeeze) {
        e.notes.push_back(fmt::format("Unbind removes dimension {} of {}: {} tensor{} of shape {}",
                                      d.dim, shape_x(in), size, size == 1 ? "" : "s",
                                      l.outputs.empty() ? "()" : shape_x(l.outputs[0])));
        return;
    }
    std::vector<std::string> s;
    std::int64_t total = 0;
    for (std::int64_t v : d.sizes)
        s.push_back(std::to_string(v)), total = checked_add(total, v);
    check_equal(total, size, l, l.type);
    std::string how;
    if (l.type == "Chunk") {
        std::int64_t chunks = l.args_json().value("chunks", std::int64_t(0));
        std::int64_t each = size / chunks + (size % chunks != 0);
        how = fmt::format(" (pieces of ceil({} / {}) = {}, the last one what is left{})", size,
                          chunks, each,
                          std::int64_t(d.sizes.size()) < chunks ? "; fewer than chunks" : "");
    }
    e.notes.push_back(fmt::format("{} cuts dimension {} ({}) into {} tensor{}: {}{}", l.type, d.dim,
                                  size, d.sizes.size(), d.sizes.size() == 1 ? "" : "s",
                                  s.empty() ? "none" : join(s, " + "), how));
    e.notes.push_back("later layers take one element each, as \"" + l.name + "[0]\"");
}

} // namespace cnnshape
