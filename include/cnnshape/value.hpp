// A Python-like argument value: what a keyword argument of a PyTorch module can hold. Both the
// JSON spec reader and the PyTorch-expression reader produce these, so layer construction is one
// code path whatever the spec was written in.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace cnnshape {

struct Call;

struct Value {
    struct None {};
    using List = std::vector<Value>;
    std::variant<None, bool, std::int64_t, double, std::string, List, std::shared_ptr<Call>> v;
    bool is_list = false;   // written [..] rather than (..)
    bool bare_word = false; // a string written without quotes (print(model) writes mode=nearest)
    std::int64_t pos = -1;  // byte offset in the source text, -1 when unknown

    Value() = default;
    static Value none() { return Value{}; }
    static Value boolean(bool b) {
        Value x;
        x.v = b;
        return x;
    }
    static Value integer(std::int64_t i) {
        Value x;
        x.v = i;
        return x;
    }
    static Value real(double d) {
        Value x;
        x.v = d;
        return x;
    }
    static Value string(std::string s) {
        Value x;
        x.v = std::move(s);
        return x;
    }
    static Value tuple(List l) {
        Value x;
        x.v = std::move(l);
        return x;
    }

    bool is_none() const { return std::holds_alternative<None>(v); }
    bool is_bool() const { return std::holds_alternative<bool>(v); }
    bool is_int() const { return std::holds_alternative<std::int64_t>(v); }
    bool is_float() const { return std::holds_alternative<double>(v); }
    bool is_string() const { return std::holds_alternative<std::string>(v); }
    bool is_tuple() const { return std::holds_alternative<List>(v); }
    bool is_call() const { return std::holds_alternative<std::shared_ptr<Call>>(v); }

    bool as_bool() const { return std::get<bool>(v); }
    std::int64_t as_int() const { return std::get<std::int64_t>(v); }
    // A number as Python's float() sees it: ints and bools convert (found by fuzzing: a bool
    // where a float goes, such as LeakyReLU(True), was read as the wrong variant).
    double as_float() const {
        if (is_int()) return double(as_int());
        if (is_bool()) return as_bool() ? 1.0 : 0.0;
        return std::get<double>(v);
    }
    const std::string& as_string() const { return std::get<std::string>(v); }
    const List& as_tuple() const { return std::get<List>(v); }
    const Call& as_call() const { return *std::get<std::shared_ptr<Call>>(v); }

    // Python spelling: None, True, 3, 0.5, 'same', (3, 3), [1, 2], Conv2d(...)
    std::string repr() const;
    // What kind of value this is, in Python's words: "int", "float", "str", "tuple", ...
    std::string type_name() const;
};

// A call expression: nn.Conv2d(3, 8, kernel_size=3). `name` keeps the dotted prefix as written.
struct Call {
    std::string name;
    std::vector<Value> args;
    std::vector<std::pair<std::string, Value>> kwargs;
    std::int64_t pos = -1;         // offset of the name
    std::int64_t end_pos = -1;     // offset just past ')'
    std::string base_name() const; // name without "torch.nn." / "nn." prefixes
};

} // namespace cnnshape
