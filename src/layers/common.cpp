#include "common.hpp"
#include "cnnshape/rules.hpp"
#include <cmath>
#include <cstdio>

namespace cnnshape::detail {

const Value& arg(const Args& a, const char* name) {
    const Value* v = a.find(name);
    if (!v) throw SpecError(a.where, fmt::format("{}() needs argument '{}'", a.type, name));
    return *v;
}

bool present(const Args& a, const char* name) {
    return a.find(name) != nullptr;
}

// Keras's padding='valid' / 'same' on a layer whose padding is a number (pools, ConvTranspose):
// what to write instead.
static std::string padding_string_hint(const Args& a, const char* name, const Value& v) {
    if (std::string(name) != "padding" || !v.is_string()) return "";
    if (a.type.find("Pool") == std::string::npos && a.type.rfind("ConvTranspose", 0) != 0)
        return "";
    if (v.as_string() == "valid") return "; 'valid' is padding=0, the default";
    if (v.as_string() == "same")
        return "; " + a.type +
               " has no padding='same': with stride=1 and an odd kernel_size k, padding=k // 2 "
               "keeps the size";
    return "";
}

[[noreturn]] static void type_error(const Args& a, const char* name, const char* expected,
                                    const Value& v) {
    // A bare name (--layer "nn.Conv2d(3, C, 3)") is a variable cnnshape cannot see, not a str.
    if (v.is_string() && v.bare_word)
        throw SpecError(a.path(name),
                        fmt::format("{}() argument '{}' must be {}, but '{}' is a name cnnshape "
                                    "could not resolve (an expression cannot refer to variables; "
                                    "write the value)",
                                    a.type, name, expected, v.as_string()));
    throw SpecError(a.path(name), fmt::format("{}() argument '{}' must be {}, not {} ({}){}",
                                              a.type, name, expected, v.type_name(), v.repr(),
                                              padding_string_hint(a, name, v)));
}

// Python's bool is an int (True == 1), so PyTorch takes one wherever a number goes.
std::int64_t arg_int(const Args& a, const char* name) {
    const Value& v = arg(a, name);
    if (v.is_bool()) return v.as_bool() ? 1 : 0;
    if (!v.is_int()) type_error(a, name, "int", v);
    return v.as_int();
}

std::optional<std::int64_t> arg_opt_int(const Args& a, const char* name) {
    const Value& v = arg(a, name);
    if (v.is_none()) return std::nullopt;
    if (!v.is_int()) type_error(a, name, "int or None", v);
    return v.as_int();
}

bool arg_bool(const Args& a, const char* name) {
    const Value& v = arg(a, name);
    if (v.is_bool()) return v.as_bool();
    if (v.is_int() && (v.as_int() == 0 || v.as_int() == 1)) return v.as_int() == 1;
    type_error(a, name, "bool", v);
}

double arg_float(const Args& a, const char* name) {
    const Value& v = arg(a, name);
    if (v.is_bool()) return v.as_bool() ? 1.0 : 0.0;
    if (v.is_int() || v.is_float()) return v.as_float();
    type_error(a, name, "float", v);
}

std::optional<double> arg_opt_float(const Args& a, const char* name) {
    const Value& v = arg(a, name);
    if (v.is_none()) return std::nullopt;
    if (v.is_int() || v.is_float()) return v.as_float();
    type_error(a, name, "float or None", v);
}

std::string arg_str(const Args& a, const char* name) {
    const Value& v = arg(a, name);
    if (!v.is_string()) type_error(a, name, "str", v);
    return v.as_string();
}

Ints arg_ints(const Args& a, const char* name, std::size_t n, bool allow_none) {
    const Value& v = arg(a, name);
    if (v.is_none() && allow_none) return {};
    if (v.is_int()) return per_axis(v.as_int(), n);
    if (v.is_tuple()) {
        Ints r;
        for (auto& e : v.as_tuple()) {
            if (!e.is_int()) type_error(a, name, "int or tuple of ints", v);
            r.push_back(e.as_int());
        }
        return r;
    }
    type_error(a, name, allow_none ? "int, tuple of ints or None" : "int or tuple of ints", v);
}

std::string join(const Ints& v, const char* sep) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) s += sep;
        s += std::to_string(v[i]);
    }
    return s;
}

std::string py_list(const Ints& v) {
    return "[" + join(v, ", ") + "]";
}

std::string compact(const Ints& v) {
    bool same = true;
    for (auto x : v)
        same = same && x == v.front();
    return (same && !v.empty()) ? std::to_string(v.front()) : join(v, "x");
}

std::string py_float(double d) {
    return Value::real(d).repr();
}

Shape broadcast(const Shape& a, const Shape& b) {
    std::size_t n = std::max(a.size(), b.size());
    Shape o(n);
    for (std::size_t i = n; i-- > 0;) {
        std::int64_t da = i + a.size() >= n ? a[i + a.size() - n] : 1;
        std::int64_t db = i + b.size() >= n ? b[i + b.size() - n] : 1;
        if (da != db && da != 1 && db != 1)
            throw ShapeError(fmt::format("The size of tensor a ({}) must match the size of tensor "
                                         "b ({}) at non-singleton dimension {}",
                                         da, db, i));
        o[i] = da == 1 ? db : da;
    }
    return o;
}

std::int64_t wrap_dim(std::int64_t dim, std::int64_t rank) {
    std::int64_t r = rank <= 0 ? 1 : rank; // a 0-dim tensor wraps like a 1-dim one
    if (dim < -r || dim > r - 1) {
        if (rank <= 0 && false) {
        }
        throw ShapeError(
            fmt::format("Dimension out of range (expected to be in range of [{}, {}], but got {})",
                        -r, r - 1, dim));
    }
    return dim < 0 ? dim + r : dim;
}

AxisMap window_map(std::int64_t k_eff, double s, double pad_left) {
    AxisMap m;
    m.grow = double(k_eff - 1);
    m.jump = s;
    m.shift = double(k_eff - 1) / 2.0 - pad_left;
    return m;
}

AxisMap adaptive_axis_map(std::int64_t c, std::int64_t b) {
    AxisMap m;
    std::int64_t widest = 0;
    std::int64_t steps = std::min<std::int64_t>(b, 4096);
    for (std::int64_t a = 0; a < steps; ++a) {
        auto [s, e] = adaptive_window(a, b, c);
        widest = std::max(widest, e - s);
    }
    auto [s0, e0] = adaptive_window(0, b, c);
    m.grow = double(widest - 1);
    m.jump = double(c) / double(b);
    m.shift = double(e0 - s0 - 1) / 2.0;
    return m;
}

} // namespace cnnshape::detail
