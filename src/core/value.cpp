// Value::repr / type_name and Call::base_name: Python's spelling of argument values.
#include "cnnshape/value.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>

namespace cnnshape {

namespace {

// Python's repr(float): the shortest digit string that reads back to the same double, written in
// fixed notation when the decimal exponent is in [-4, 16), else as d.ddde+XX (at least two exponent
// digits), and always with a '.0' when the fixed form is integral (Python/pystrtod.c, 'r' mode).
std::string float_repr(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
    if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";

    std::string sign = d < 0 ? "-" : "";
    double a = std::fabs(d);

    // Shortest round-tripping digits: to_chars in scientific form gives "d.ddde±XX".
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, a, std::chars_format::scientific);
    std::string sci(buf, res.ptr);
    auto epos = sci.find('e');
    std::string mant = sci.substr(0, epos);
    int exp10 = std::atoi(sci.c_str() + epos + 1);
    std::string digits;
    for (char c : mant)
        if (c != '.') digits += c;
    while (digits.size() > 1 && digits.back() == '0')
        digits.pop_back();

    int decpt = exp10 + 1; // digits d1 d2 ... represent 0.d1d2... * 10^decpt
    int nd = int(digits.size());
    std::string out;
    if (decpt <= -4 || decpt > 16) {
        out = digits.substr(0, 1);
        if (nd > 1) out += "." + digits.substr(1);
        char e[16];
        std::snprintf(e, sizeof e, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
        out += e;
    } else if (decpt <= 0) {
        out = "0." + std::string(size_t(-decpt), '0') + digits;
    } else if (decpt >= nd) {
        out = digits + std::string(size_t(decpt - nd), '0') + ".0";
    } else {
        out = digits.substr(0, size_t(decpt)) + "." + digits.substr(size_t(decpt));
    }
    return sign + out;
}

// Python's repr(str): single quotes unless the text holds ' and no ", escapes for the quote,
// backslash and control characters; other characters (UTF-8 included) are kept.
std::string string_repr(const std::string& s) {
    bool has_single = s.find('\'') != std::string::npos;
    bool has_double = s.find('"') != std::string::npos;
    char q = (has_single && !has_double) ? '"' : '\'';
    std::string out(1, q);
    for (unsigned char c : s) {
        if (c == static_cast<unsigned char>(q) || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02x", c);
            out += b;
        } else {
            out += char(c);
        }
    }
    out += q;
    return out;
}

} // namespace

std::string Value::repr() const {
    if (is_none()) return "None";
    if (is_bool()) return as_bool() ? "True" : "False";
    if (is_int()) return std::to_string(as_int());
    if (is_float()) return float_repr(std::get<double>(v));
    if (is_string()) return bare_word ? as_string() : string_repr(as_string());
    if (is_tuple()) {
        const auto& l = as_tuple();
        std::string out = is_list ? "[" : "(";
        for (size_t i = 0; i < l.size(); ++i) {
            if (i) out += ", ";
            out += l[i].repr();
        }
        if (!is_list && l.size() == 1) out += ",";
        out += is_list ? "]" : ")";
        return out;
    }
    const Call& c = as_call();
    std::string out = c.name + "(";
    bool first = true;
    for (const auto& a : c.args) {
        if (!first) out += ", ";
        first = false;
        out += a.repr();
    }
    for (const auto& [k, val] : c.kwargs) {
        if (!first) out += ", ";
        first = false;
        out += k + "=" + val.repr();
    }
    out += ")";
    return out;
}

std::string Value::type_name() const {
    if (is_none()) return "NoneType";
    if (is_bool()) return "bool";
    if (is_int()) return "int";
    if (is_float()) return "float";
    if (is_string()) return "str";
    if (is_tuple()) return is_list ? "list" : "tuple";
    return as_call().base_name();
}

std::string Call::base_name() const {
    static const std::string torch_nn = "torch.nn.";
    static const std::string nn = "nn.";
    if (name.compare(0, torch_nn.size(), torch_nn) == 0) return name.substr(torch_nn.size());
    if (name.compare(0, nn.size(), nn) == 0) return name.substr(nn.size());
    return name;
}

} // namespace cnnshape
