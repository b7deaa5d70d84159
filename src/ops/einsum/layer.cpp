// Einsum (torch.einsum(equation, *operands)), with PyTorch 1.13's parse and checks (Linear.cpp
// einsum): subscripts [a-zA-Z] (uppercase sorts first), spaces ignored, one "..." per operand,
// the operand count, each operand's number of subscripts against its rank; then the explicit
// output (or, without "->", the ellipsis then every subscript seen once, in order); then the
// sizes, operand by operand: a repeated subscript within an operand is a diagonal (equal sizes),
// across operands sizes must match or be 1 (broadcast), ellipsis dims likewise, right-aligned.
// No parameters; MACs = (operands - 1) x output elements x the summed sizes' product (a
// two-operand contraction counts as Matmul does; one operand only sums or permutes: 0).
#include "layers/common.hpp"
#include <algorithm>

namespace cnnshape::detail {
namespace {

constexpr int kEll = 52; // the ellipsis, after the 52 letters

int label_of(unsigned char c) {
    return c >= 'A' && c <= 'Z' ? c - 'A' : c - 'a' + 26;
}
char subscript_of(int l) {
    return l < 26 ? char('A' + l) : char('a' + l - 26);
}
bool is_subscript(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

struct EinsumLayer : Layer {
    std::string eq;
    explicit EinsumLayer(Args a) : Layer(std::move(a)) {
        const Value& v = arg(args(), "equation");
        if (!v.is_string())
            throw SpecError(args().path("equation"),
                            fmt::format("einsum(): argument 'equation' (position 1) must be str, "
                                        "not {}",
                                        v.type_name()));
        eq = v.as_string();
    }
    InputCount input_count() const override { return {1, SIZE_MAX}; }
    std::string inputs_hint() const override { return " (the operands, in the equation's order)"; }

    LayerOutput infer(const std::vector<Shape>& ops, const InferContext&,
                      Lowering& lower) const override {
        if (ops.empty()) throw ShapeError("einsum(): must provide at least one operand");
        const std::size_t arrow = eq.find("->");
        const std::string lhs = eq.substr(0, arrow);
        const std::size_t n = ops.size();
        std::vector<std::vector<int>> labels(n);
        bool found_ell = false;
        std::size_t cur = 0;
        for (std::size_t i = 0; i < lhs.size(); ++i) {
            const unsigned char c = lhs[i];
            if (c == ' ') continue;
            if (c == '.') {
                if (found_ell)
                    throw ShapeError(fmt::format("einsum(): found '.' for operand {} for which an "
                                                 "ellipsis was already found",
                                                 cur));
                if (!(i + 2 < lhs.size() && lhs[i + 1] == '.' && lhs[i + 2] == '.'))
                    throw ShapeError(fmt::format("einsum(): found '.' for operand {} that is not "
                                                 "part of any ellipsis",
                                                 cur));
                i += 2;
                labels[cur].push_back(kEll);
                found_ell = true;
            } else if (c == ',') {
                if (++cur >= n)
                    throw ShapeError("einsum(): fewer operands were provided than specified in "
                                     "the equation");
                found_ell = false;
            } else {
                if (!is_subscript(c))
                    throw ShapeError(fmt::format("einsum(): invalid subscript given at index {} "
                                                 "in the equation string, subscripts must be in "
                                                 "[a-zA-Z]",
                                                 i));
                labels[cur].push_back(label_of(c));
            }
        }
        if (cur != n - 1)
            throw ShapeError("einsum(): more operands were provided than specified in the "
                             "equation");
        std::vector<std::int64_t> count(52, 0);
        std::int64_t ell_dims = 0;
        for (std::size_t t = 0; t < n; ++t) {
            const std::int64_t nd = ops[t].size();
            std::int64_t nl = labels[t].size();
            bool ell = false;
            for (int l : labels[t])
                if (l == kEll) ell = true;
            if (ell) --nl;
            if (ell) ell_dims = std::max(ell_dims, nd - nl);
            for (int l : labels[t])
                if (l != kEll) ++count[l];
            if (ell ? nl > nd : nl != nd)
                throw ShapeError(fmt::format("einsum(): the number of subscripts in the equation "
                                             "({}) does not match the number of dimensions ({}) "
                                             "for operand {}{}",
                                             nl, nd, t, ell ? "" : " and no ellipsis was given"));
        }
        // The output: variables are labels 0..51 and ellipsis dims 52.. (one per dim).
        std::vector<int> out_vars;
        std::vector<bool> in_out(52 + ell_dims, false);
        if (arrow == std::string::npos) {
            for (std::int64_t k = 0; k < ell_dims; ++k)
                out_vars.push_back(kEll + int(k));
            for (int l = 0; l < 52; ++l)
                if (count[l] == 1) out_vars.push_back(l);
        } else {
            const std::string rhs = eq.substr(arrow + 2);
            bool oell = false;
            for (std::size_t i = 0; i < rhs.size(); ++i) {
                const unsigned char c = rhs[i];
                if (c == ' ') continue;
                if (c == '.') {
                    if (oell)
                        throw ShapeError("einsum(): found '.' for output but an ellipsis (...) "
                                         "was already found");
                    if (!(i + 2 < rhs.size() && rhs[i + 1] == '.' && rhs[i + 2] == '.'))
                        throw ShapeError("einsum(): found '.' for output that is not part of any "
                                         "ellipsis (...)");
                    i += 2;
                    for (std::int64_t k = 0; k < ell_dims; ++k)
                        out_vars.push_back(kEll + int(k));
                    oell = true;
                    continue;
                }
                if (!is_subscript(c))
                    throw ShapeError(fmt::format("einsum(): invalid subscript given at index {} "
                                                 "in the equation string, subscripts must be in "
                                                 "[a-zA-Z]",
                                                 lhs.size() + 2 + i));
                const int l = label_of(c);
                if (count[l] == 0 || in_out[l])
                    throw ShapeError(fmt::format("einsum(): output subscript {}{}", char(c),
                                                 in_out[l] ? " appears more than once in the "
                                                             "output"
                                                           : " does not appear in the equation "
                                                             "for any input operand"));
                in_out[l] = true;
                out_vars.push_back(l);
            }
        }
        for (int v : out_vars)
            in_out[v] = true;
        // Sizes, operand by operand.
        std::vector<std::int64_t> size(52 + ell_dims, 1);
        std::vector<bool> used(52 + ell_dims, false);
        std::vector<std::vector<std::int64_t>> st(n, std::vector<std::int64_t>(52 + ell_dims, 0));
        for (std::size_t t = 0; t < n; ++t) {
            const Shape& s = ops[t];
            std::vector<std::int64_t> cst(s.size(), 1);
            for (std::size_t i = s.size(); i-- > 1;)
                cst[i - 1] = cst[i] * std::max<std::int64_t>(s[i], 1);
            std::vector<std::int64_t> first(52, -1);
            std::size_t j = 0;
            for (int l : labels[t]) {
                if (l == kEll) {
                    const std::int64_t covered =
                        std::int64_t(s.size()) - (std::int64_t(labels[t].size()) - 1);
                    for (std::int64_t k = 0; k < covered; ++k, ++j) {
                        const std::int64_t e = ell_dims - covered + k, v = kEll + e;
                        const std::int64_t sz = s[j];
                        if (size[v] != 1 && sz != 1 && size[v] != sz)
                            throw ShapeError(fmt::format(
                                "einsum(): dimension {} covered by ellipsis in operand {}has size "
                                "{} which does not broadcast with previously seen ellipsis with "
                                "size {} for the respective dimension",
                                j, t, sz, size[v]));
                        if (sz != 1) size[v] = sz, st[t][v] = cst[j];
                        used[v] = true;
                    }
                    continue;
                }
                const std::int64_t sz = s[j];
                if (first[l] >= 0) {
                    if (sz != s[first[l]])
                        throw ShapeError(fmt::format("einsum(): subscript {} is repeated for "
                                                     "operand {} but the sizes don't match, {} "
                                                     "!= {}",
                                                     subscript_of(l), t, sz, s[first[l]]));
                    if (sz != 1) st[t][l] += cst[j];
                } else {
                    first[l] = std::int64_t(j);
                    if (size[l] != 1 && sz != 1 && size[l] != sz)
                        throw ShapeError(fmt::format("einsum(): subscript {} has size {} for "
                                                     "operand {} which does not broadcast with "
                                                     "previously seen size {}",
                                                     subscript_of(l), sz, t, size[l]));
                    if (sz != 1) size[l] = sz, st[t][l] = cst[j];
                    used[l] = true;
                }
                ++j;
            }
        }
        // A size-1 operand dim broadcast against a larger one steps 0.
        for (std::size_t t = 0; t < n; ++t)
            for (std::size_t v = 0; v < size.size(); ++v)
                if (size[v] == 1) st[t][v] = 0;
        EinsumDesc d;
        LayerOutput out;
        std::vector<int> vars = out_vars;
        for (int v = 0; v < int(size.size()); ++v)
            if (used[v] && !in_out[v]) vars.push_back(v);
        for (int v : vars)
            d.sizes.push_back(size[v]);
        d.n_out = std::int64_t(out_vars.size());
        d.strides.resize(n);
        for (std::size_t t = 0; t < n; ++t)
            for (int v : vars)
                d.strides[t].push_back(st[t][v]);
        std::int64_t summed = 1;
        for (std::size_t i = 0; i < vars.size(); ++i) {
            if (std::int64_t(i) < d.n_out)
                out.shape.push_back(d.sizes[i]);
            else
                summed = checked_mul(summed, d.sizes[i]);
        }
        out.macs = checked_mul(checked_mul(std::int64_t(n - 1), numel(out.shape)), summed);
        out.rf = RfEffect::Drop;
        lower.exec = std::move(d);
        return out;
    }
    std::string brief() const override { return fmt::format("Einsum('{}')", eq); }
};

LayerPtr make_einsum(Args a) {
    return std::make_shared<EinsumLayer>(std::move(a));
}

} // namespace

void register_einsum(std::vector<LayerType>& r) {
    r.push_back({"Einsum", {req("equation")}, false, "merge", make_einsum, {"torch.einsum"}});
}

} // namespace cnnshape::detail
