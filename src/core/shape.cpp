// Reading and printing shapes.
#include "cnnshape/shape.hpp"

#include "cnnshape/checked.hpp"
#include "cnnshape/error.hpp"

#include <cctype>
#include <cstdint>
#include <limits>
#include <string>

namespace cnnshape {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string trim(const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && is_space(s[b]))
        ++b;
    while (e > b && is_space(s[e - 1]))
        --e;
    return s.substr(b, e - b);
}

// The text as the message shows it: without surrounding blanks, control characters as '?'.
std::string shown(const std::string& text) {
    std::string t = trim(text);
    for (char& c : t)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    return t;
}

[[noreturn]] void fail(const std::string& text, const std::string& why) {
    throw UsageError("invalid shape '" + shown(text) + "': " + why);
}

std::int64_t parse_size(const std::string& text, const std::string& item) {
    std::string t = shown(item);
    if (t.empty()) fail(text, "a size is missing between separators");
    size_t i = 0;
    bool negative = false;
    if (t[0] == '+' || t[0] == '-') {
        negative = t[0] == '-';
        i = 1;
    }
    if (i == t.size()) fail(text, "'" + t + "' is not a size");
    std::uint64_t v = 0;
    for (size_t k = i; k < t.size(); ++k) {
        if (!std::isdigit(static_cast<unsigned char>(t[k]))) {
            fail(text, "'" + t + "' is not a whole number; sizes are non-negative integers");
        }
        unsigned d = unsigned(t[k] - '0');
        if (v > (std::uint64_t(std::numeric_limits<std::int64_t>::max()) - d) / 10) {
            fail(text, "size " + t + " does not fit in 64 bits");
        }
        v = v * 10 + d;
    }
    if (negative && v != 0) fail(text, "size " + t + " is negative; sizes must be 0 or more");
    return std::int64_t(v);
}

// Splits `body` on `sep`, allowing one trailing separator when `trailing_ok`.
Shape parse_items(const std::string& text, const std::string& body, char sep, bool trailing_ok) {
    Shape out;
    std::string b = trim(body);
    if (b.empty()) fail(text, "it has no sizes");
    if (trailing_ok && b.back() == sep) {
        b.pop_back();
        if (trim(b).empty()) fail(text, "it has no sizes");
    }
    size_t start = 0;
    while (true) {
        size_t p = b.find(sep, start);
        out.push_back(parse_size(text, b.substr(start, p == std::string::npos ? p : p - start)));
        if (p == std::string::npos) break;
        start = p + 1;
    }
    return out;
}

} // namespace

Shape parse_shape(const std::string& text) {
    std::string t = trim(text);
    if (t.empty()) fail(text, "it is empty (a 0-d tensor's shape is [])");

    static const std::string torch_size = "torch.Size(";
    if (t.compare(0, torch_size.size(), torch_size) == 0) {
        if (t.back() != ')') fail(text, "'torch.Size(' is not closed by ')'");
        std::string inner = trim(t.substr(torch_size.size(), t.size() - torch_size.size() - 1));
        if (inner.empty()) return {}; // torch.Size() is the 0-d shape, as in Python
        if (inner.size() < 2 || !((inner.front() == '[' && inner.back() == ']') ||
                                  (inner.front() == '(' && inner.back() == ')'))) {
            fail(text, "torch.Size(...) must hold a list such as [1, 3, 32, 32]");
        }
        t = inner;
    }

    char open = t.front();
    if (open == '[' || open == '(') {
        char close = open == '[' ? ']' : ')';
        if (t.back() != close)
            fail(text, std::string("'") + open + "' is not closed by '" + close + "'");
        std::string inner = t.substr(1, t.size() - 2);
        if (inner.find_first_of("[]()") != std::string::npos)
            fail(text, "brackets cannot be nested");
        if (inner.find_first_of("xX") != std::string::npos)
            fail(text, "use commas inside brackets, not 'x'");
        if (trim(inner).empty()) return {}; // [], () and torch.Size([]): a 0-d tensor
        return parse_items(text, inner, ',', true);
    }
    if (t.find_first_of("[]()") != std::string::npos)
        fail(text, "brackets do not match the forms [1, 3, 32, 32], (1, 3, 32, 32) or "
                   "torch.Size([1, 3, 32, 32])");

    bool has_x = t.find_first_of("xX") != std::string::npos;
    bool has_comma = t.find(',') != std::string::npos;
    if (has_x && has_comma) fail(text, "mixes 'x' and ',' separators");
    if (has_x) {
        std::string lower = t;
        for (char& c : lower)
            if (c == 'X') c = 'x';
        return parse_items(text, lower, 'x', false);
    }
    return parse_items(text, t, ',', true);
}

std::string shape_x(const Shape& s) {
    if (s.empty()) return "[]"; // a 0-d tensor has no 'x' spelling
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (i) out += 'x';
        out += std::to_string(s[i]);
    }
    return out;
}

std::string shape_list(const Shape& s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) {
        if (i) out += ", ";
        out += std::to_string(s[i]);
    }
    return out + "]";
}

std::string shape_torch(const Shape& s) {
    return "torch.Size(" + shape_list(s) + ")";
}

std::int64_t numel(const Shape& s) {
    std::int64_t r = 1;
    for (auto x : s)
        r = checked_mul(r, x);
    return r;
}

} // namespace cnnshape
