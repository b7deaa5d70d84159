// Literal tensors: nested lists of numbers, JSON-style or Python-style.
//
// Accepted: [ ] and ( ) for nesting (a Python-style "(x)" without a comma is just x), trailing
// commas, numbers as JSON or Python writes them (1, -0.5, 1e-3, +2, .5, 5.), NaN / nan,
// Infinity / inf / -Infinity / -inf. Numbers become doubles and then float32, as
// torch.tensor(list, dtype=torch.float32) converts Python numbers; integers go through double
// too, and the integer -0 is +0. A bare number is a 0-d tensor; the shape is the nesting, which
// must be rectangular.
#include "cnnshape/error.hpp"
#include "cnnshape/tensor_io.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

namespace cnnshape {

namespace {

constexpr int kMaxDepth = 64;

struct Node {
    bool is_list = false;
    double value = 0.0;
    std::vector<Node> items;
};

std::string index_path(const std::vector<std::size_t>& path) {
    std::string r;
    for (std::size_t i : path)
        r += "[" + std::to_string(i) + "]";
    return r.empty() ? "the literal" : r;
}

class LiteralParser {
public:
    explicit LiteralParser(const std::string& s) : s_(s) {}

    Node parse() {
        skip();
        if (i_ == s_.size()) fail_here("it is empty");
        Node root = value(0);
        skip();
        if (i_ != s_.size()) fail_here("unexpected '" + std::string(1, s_[i_]) + "' after the end");
        return root;
    }

private:
    [[noreturn]] void fail(const std::string& why) const {
        throw UsageError("invalid tensor literal: " + why);
    }
    std::string where() const {
        std::size_t line = 1, col = 1;
        bool multi = s_.find('\n') != std::string::npos;
        for (std::size_t k = 0; k < i_ && k < s_.size(); ++k) {
            if (s_[k] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        return multi ? "line " + std::to_string(line) + ", column " + std::to_string(col)
                     : "column " + std::to_string(col);
    }
    [[noreturn]] void fail_here(const std::string& why) const { fail(why + " (" + where() + ")"); }

    void skip() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' ||
                                  s_[i_] == '\r' || s_[i_] == '\f' || s_[i_] == '\v'))
            ++i_;
    }

    Node value(int depth) {
        skip();
        if (i_ >= s_.size()) fail_here("it ends where " + index_path(path_) + " should be");
        char c = s_[i_];
        if (c == '[' || c == '(') return list(depth, c);
        return number();
    }

    Node list(int depth, char open) {
        if (depth >= kMaxDepth) fail_here("it nests deeper than " + std::to_string(kMaxDepth));
        const char close = open == '[' ? ']' : ')';
        ++i_;
        Node n;
        n.is_list = true;
        bool trailing_comma = false;
        for (;;) {
            skip();
            if (i_ < s_.size() && s_[i_] == close) {
                ++i_;
                break;
            }
            if (i_ < s_.size() && (s_[i_] == ',' || s_[i_] == ']' || s_[i_] == ')'))
                fail_here("expected a number or a list for " + with_index(n.items.size()) +
                          ", found '" + std::string(1, s_[i_]) + "'");
            path_.push_back(n.items.size());
            n.items.push_back(value(depth + 1));
            path_.pop_back();
            skip();
            trailing_comma = false;
            if (i_ < s_.size() && s_[i_] == ',') {
                ++i_;
                trailing_comma = true;
                continue;
            }
            if (i_ < s_.size() && s_[i_] == close) {
                ++i_;
                break;
            }
            if (i_ >= s_.size())
                fail_here("it ends inside " + index_path(path_) + " (missing '" +
                          std::string(1, close) + "')");
            fail_here("expected ',' or '" + std::string(1, close) + "' after " +
                      with_index(n.items.size() - 1) + ", found '" + std::string(1, s_[i_]) + "'");
        }
        // Python: "(x)" is x, "(x,)" is a tuple.
        if (open == '(' && n.items.size() == 1 && !trailing_comma) return std::move(n.items[0]);
        return n;
    }

    std::string with_index(std::size_t k) const {
        std::vector<std::size_t> p = path_;
        p.push_back(k);
        return index_path(p);
    }

    Node number() {
        const std::size_t start = i_;
        while (i_ < s_.size()) {
            char c = s_[i_];
            bool sign_ok =
                (c == '+' || c == '-') && (i_ == start || s_[i_ - 1] == 'e' || s_[i_ - 1] == 'E');
            if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || sign_ok)
                ++i_;
            else
                break;
        }
        std::string tok = s_.substr(start, i_ - start);
        if (tok.empty()) {
            i_ = start;
            fail_here("expected a number or a list for " + index_path(path_) + ", found '" +
                      std::string(1, s_[start]) + "'");
        }
        Node n;
        if (!to_double(tok, &n.value)) {
            i_ = start;
            fail_here(index_path(path_) + " is not a number: '" + tok + "'");
        }
        return n;
    }

    static bool to_double(const std::string& tok, double* out) {
        std::size_t k = 0;
        bool neg = false;
        if (k < tok.size() && (tok[k] == '+' || tok[k] == '-')) {
            neg = tok[k] == '-';
            ++k;
        }
        std::string body = tok.substr(k);
        std::string lower;
        for (char c : body)
            lower += char(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "nan") {
            const double nan = std::numeric_limits<double>::quiet_NaN();
            *out = neg ? -nan : nan; // Python's -float('nan') has its sign bit set
            return true;
        }
        if (lower == "inf" || lower == "infinity") {
            *out = neg ? -std::numeric_limits<double>::infinity()
                       : std::numeric_limits<double>::infinity();
            return true;
        }
        // Decimal digits, at most one '.', an optional exponent.
        std::size_t p = 0, digits = 0;
        while (p < body.size() && std::isdigit(static_cast<unsigned char>(body[p])))
            ++p, ++digits;
        bool is_int = true;
        if (p < body.size() && body[p] == '.') {
            is_int = false;
            ++p;
            while (p < body.size() && std::isdigit(static_cast<unsigned char>(body[p])))
                ++p, ++digits;
        }
        if (digits == 0) return false;
        if (p < body.size() && (body[p] == 'e' || body[p] == 'E')) {
            is_int = false;
            ++p;
            if (p < body.size() && (body[p] == '+' || body[p] == '-')) ++p;
            std::size_t exp_digits = 0;
            while (p < body.size() && std::isdigit(static_cast<unsigned char>(body[p])))
                ++p, ++exp_digits;
            if (exp_digits == 0) return false;
        }
        if (p != body.size()) return false;
        double v = 0.0;
        auto r =
            std::from_chars(body.data(), body.data() + body.size(), v, std::chars_format::general);
        if (r.ec == std::errc::result_out_of_range || r.ptr != body.data() + body.size()) {
            v = std::strtod(body.c_str(), nullptr); // overflow to inf, underflow to 0 / subnormal
        } else if (r.ec != std::errc()) {
            return false;
        }
        if (is_int && v == 0.0) neg = false; // the integer -0 is 0
        *out = neg ? -v : v;
        return true;
    }

    const std::string& s_;
    std::size_t i_ = 0;
    std::vector<std::size_t> path_;
};

// b (at path pb) must have the structure of a (at path pa).
void check_same(const Node& a, std::vector<std::size_t>& pa, const Node& b,
                std::vector<std::size_t>& pb) {
    if (a.is_list != b.is_list)
        throw UsageError("invalid tensor literal: " + index_path(pb) + " is " +
                         (b.is_list ? "a list" : "a number") + " but " + index_path(pa) + " is " +
                         (a.is_list ? "a list" : "a number"));
    if (!a.is_list) return;
    if (a.items.size() != b.items.size())
        throw UsageError("invalid tensor literal: " + index_path(pb) + " has " +
                         std::to_string(b.items.size()) + " element" +
                         (b.items.size() == 1 ? "" : "s") + " but " + index_path(pa) + " has " +
                         std::to_string(a.items.size()));
    for (std::size_t k = 0; k < a.items.size(); ++k) {
        pa.push_back(k);
        pb.push_back(k);
        check_same(a.items[k], pa, b.items[k], pb);
        pa.pop_back();
        pb.pop_back();
    }
}

// Every list's elements share the first element's structure.
void check_rect(const Node& n, std::vector<std::size_t>& path) {
    if (!n.is_list || n.items.empty()) return;
    path.push_back(0);
    check_rect(n.items[0], path);
    path.pop_back();
    for (std::size_t k = 1; k < n.items.size(); ++k) {
        std::vector<std::size_t> pa = path, pb = path;
        pa.push_back(0);
        pb.push_back(k);
        check_same(n.items[0], pa, n.items[k], pb);
    }
}

void flatten(const Node& n, std::vector<float>& out) {
    if (!n.is_list) {
        out.push_back(static_cast<float>(n.value));
        return;
    }
    for (const Node& c : n.items)
        flatten(c, out);
}

} // namespace

Tensor parse_tensor_literal(const std::string& text) {
    Node root = LiteralParser(text).parse();
    std::vector<std::size_t> path;
    check_rect(root, path);
    Shape shape;
    for (const Node* n = &root; n->is_list;) {
        shape.push_back(std::int64_t(n->items.size()));
        if (n->items.empty()) break;
        n = &n->items[0];
    }
    std::vector<float> values;
    flatten(root, values);
    Tensor t(shape);
    for (std::size_t k = 0; k < values.size(); ++k)
        t.data[k] = values[k];
    return t;
}

} // namespace cnnshape
