// The registry: every op of src/ops/ops.def adds its layer types (register_<folder>, in its
// layer.cpp), in the list's order. Also binding arguments to a signature.
#include "common.hpp"
#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_map>

namespace cnnshape {

using namespace detail;

const Value* Args::find(const std::string& name) const {
    for (auto& [k, v] : values)
        if (k == name) return &v;
    return nullptr;
}

std::string Args::path(const std::string& name) const {
    if (where.empty()) return name;
    // JSON paths continue with ".name"; "--layer 2" or "line 4" read better with the argument
    // named.
    if (where.rfind("layers", 0) == 0) return where + "." + name;
    return where + ", argument '" + name + "'";
}

const std::vector<LayerType>& layer_types() {
    static const std::vector<LayerType> types = [] {
        std::vector<LayerType> r;
#define CNNSHAPE_OP(folder, Desc) register_##folder(r);
#include "ops/ops.def"
#undef CNNSHAPE_OP
        return r;
    }();
    return types;
}

static std::string strip_prefix(const std::string& name) {
    for (const char* p : {"torch.nn.modules.", "torch.nn.", "nn."})
        if (name.rfind(p, 0) == 0) {
            std::string rest = name.substr(std::string(p).size());
            auto dot = rest.rfind('.');
            return dot == std::string::npos ? rest : rest.substr(dot + 1);
        }
    return name;
}

const LayerType* find_layer_type(const std::string& name) {
    // By name through an index (the first type of a name wins, as a search in order would find
    // it): a linear search per layer was a visible part of reading a big spec.
    static const std::unordered_map<std::string, const LayerType*> by_name = [] {
        std::unordered_map<std::string, const LayerType*> m;
        for (auto& t : layer_types())
            m.emplace(t.name, &t);
        return m;
    }();
    auto found = by_name.find(strip_prefix(name));
    if (found != by_name.end()) return found->second;
    for (auto& t : layer_types())
        for (auto& a : t.aliases)
            if (a == name) return &t;
    return nullptr;
}

static std::string plural(std::size_t n, const char* word) {
    return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

Args bind_args(const LayerType& type, const std::vector<Value>& positional,
               const std::vector<std::pair<std::string, Value>>& keywords,
               const std::string& where) {
    Args a;
    a.type = type.name;
    a.where = where;
    if (type.accepts_anything) return a; // Identity(*args, **kwargs) ignores its arguments
    const auto& ps = type.params;
    std::vector<const Value*> slot(ps.size(), nullptr);
    // Python's count excludes device/dtype from nothing: they are ordinary parameters. Keyword-only
    // ones (after `*`) are not counted.
    std::size_t n_positional =
        std::count_if(ps.begin(), ps.end(), [](auto& p) { return !p.keyword_only; });
    if (positional.size() > n_positional) {
        // Python counts `self` (a torch function: `input`) in both numbers.
        std::size_t nreq = std::count_if(ps.begin(), ps.end(), [](auto& p) { return p.required; });
        std::string takes = nreq == n_positional
                                ? fmt::format("{}", n_positional + 1)
                                : fmt::format("from {} to {}", nreq + 1, n_positional + 1);
        throw SpecError(where, fmt::format("{}() takes {} positional arguments but {} were given",
                                           type.name, takes, positional.size() + 1));
    }
    for (std::size_t i = 0; i < positional.size(); ++i)
        slot[i] = &positional[i];
    for (auto& kw : keywords) {
        const std::string& k = kw.first; // (a structured binding can't be captured in C++17)
        const Value& v = kw.second;
        auto it = std::find_if(ps.begin(), ps.end(), [&](auto& p) { return p.name == k; });
        if (it == ps.end()) {
            std::vector<std::string> names;
            for (auto& p : ps)
                names.push_back(p.name);
            throw SpecError(a.path(k),
                            fmt::format("{}() got an unexpected keyword argument '{}'{}", type.name,
                                        k, keyword_hint(type.name, k, names)));
        }
        std::size_t i = it - ps.begin();
        if (slot[i])
            throw SpecError(
                where.empty() ? k : where + "." + k,
                fmt::format("{}() got multiple values for argument '{}'", type.name, k));
        slot[i] = &v;
    }
    std::vector<std::string> missing;
    for (std::size_t i = 0; i < ps.size(); ++i)
        if (!slot[i] && ps[i].required && !ps[i].inferable) missing.push_back(ps[i].name);
    if (!missing.empty()) {
        std::string list;
        for (std::size_t i = 0; i < missing.size(); ++i) {
            if (i)
                list +=
                    (i + 1 == missing.size()) ? (missing.size() > 2 ? ", and " : " and ") : ", ";
            list += "'" + missing[i] + "'";
        }
        throw SpecError(where,
                        fmt::format("{}() missing {}: {}", type.name,
                                    plural(missing.size(), "required positional argument"), list));
    }
    for (std::size_t i = 0; i < ps.size(); ++i) {
        if (slot[i])
            a.values.emplace_back(ps[i].name, *slot[i]);
        else if (!ps[i].required)
            a.values.emplace_back(ps[i].name, ps[i].default_value);
    }
    return a;
}

LayerPtr make_layer(const Call& call, const std::string& where) {
    const LayerType* t = find_layer_type(call.name);
    if (!t) throw SpecError(where, unknown_layer_message(call.name));
    return t->make(bind_args(*t, call.args, call.kwargs, where));
}

} // namespace cnnshape
