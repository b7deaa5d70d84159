// Helpers shared by the layer families: reading typed arguments out of bound Args (a wrong type
// is a SpecError at the argument's path) and formatting sizes for messages and briefs.
#pragma once
#include "cnnshape/checked.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/exec_desc.hpp"
#include "cnnshape/layer.hpp"
#include "cnnshape/per_axis.hpp"
#include <fmt/format.h>
#include <optional>
#include <string>
#include <vector>

namespace cnnshape::detail {

using Ints = std::vector<std::int64_t>;

const Value& arg(const Args& a, const char* name);
bool present(const Args& a, const char* name); // false when an inferable argument was left out
std::int64_t arg_int(const Args& a, const char* name);
std::optional<std::int64_t> arg_opt_int(const Args& a, const char* name);
bool arg_bool(const Args& a, const char* name);
double arg_float(const Args& a, const char* name);
std::optional<double> arg_opt_float(const Args& a, const char* name);
std::string arg_str(const Args& a, const char* name);
// An int (broadcast to n) or a tuple/list of ints of any length (layers check the length with
// PyTorch's own message). None gives an empty vector when allow_none.
Ints arg_ints(const Args& a, const char* name, std::size_t n, bool allow_none = false);

std::string join(const Ints& v, const char* sep); // join({3,3}, " x ") -> "3 x 3"
std::string py_list(const Ints& v);               // [1, 3, 5, 5]
std::string compact(const Ints& v);               // 3 when all equal, else 3x1
std::string py_float(double d);                   // Python's repr of a float

// Adds ", key=value" to a brief when the value differs from its default.
struct Brief {
    std::string text;
    void add(const std::string& s) {
        if (!text.empty()) text += ", ";
        text += s;
    }
    std::string wrap(const std::string& type) const { return type + "(" + text + ")"; }
};

// at::infer_size: the broadcast of two shapes, aligned from the last dimension (each pair equal
// or one of them 1). The last dimension is checked first, so that is the one a message names.
Shape broadcast(const Shape& a, const Shape& b);

// PyTorch's Dimension-out-of-range IndexError text for wrapping `dim` into a tensor of `rank`.
std::int64_t wrap_dim(std::int64_t dim, std::int64_t rank);

// Receptive-field map of a window of effective size k_eff, stride s, left padding p.
AxisMap window_map(std::int64_t k_eff, double s, double pad_left);
// Adaptive pooling from c to b positions (and Upsample's area mode): its widest window, stride c/b.
AxisMap adaptive_axis_map(std::int64_t c, std::int64_t b);

// Each op's layer types, defined in src/ops/<folder>/layer.cpp.
#define CNNSHAPE_OP(folder, Desc) void register_##folder(std::vector<LayerType>& r);
#include "ops/ops.def"
#undef CNNSHAPE_OP

// Signature building shorthand.
inline ParamSpec req(const char* n) {
    return ParamSpec{n, true, Value::none(), false};
}
inline ParamSpec inferable(const char* n) {
    return ParamSpec{n, true, Value::none(), true};
}
inline ParamSpec opt(const char* n, Value v) {
    return ParamSpec{n, false, std::move(v), false};
}
// A keyword-only parameter (after `*` in the Python signature).
inline ParamSpec kwonly(const char* n, Value v) {
    return ParamSpec{n, false, std::move(v), false, true};
}
inline Value I(std::int64_t i) {
    return Value::integer(i);
}
inline Value B(bool b) {
    return Value::boolean(b);
}
inline Value F(double d) {
    return Value::real(d);
}
inline Value S(const char* s) {
    return Value::string(s);
}
inline Value N() {
    return Value::none();
}

} // namespace cnnshape::detail
