// Literal tensors: nested lists of numbers, JSON-style or Python-style.
//
// Accepted: [ ] and ( ) for nesting (a Python-style "(x)" without a comma is just x), trailing
// commas, numbers as JSON or Python writes them (1, -0.5, 1e-3, +2, .5, 5.), NaN / nan,
// Infinity / inf / -Infinity / -inf. Numbers become doubles and then float32, as
// torch.tensor(list, dtype=torch.float32) converts Python numbers; integers go through double
// too, and the integer -0 is +0. A bare number is a 0-d tensor; the shape is the nesting, which
// must be rectangular.
//
// The literal may be wrapped as PyTorch code or print() writes it, after an optional "name = ":
// torch.tensor(...) / torch.as_tensor(...) with dtype=, requires_grad= and device= keywords,
// torch.Tensor(...) / torch.FloatTensor(...), and tensor(...) as print(tensor) shows it (with
// dtype=, requires_grad= and grad_fn=<...>). '#' comments are skipped. What PyTorch's dtype
// would be and cnnshape's float32 differ in is said in a note (integers make int64 in
// torch.tensor, and dtype=torch.float64 rounds to float32).
#include "cnnshape/error.hpp"
#include "cnnshape/tensor_io.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace cnnshape {

namespace {

constexpr int kMaxDepth = 64;

struct Node {
    bool is_list = false;
    double value = 0.0;
    std::vector<Node> items;
    std::size_t at = 0; // offset in the text, for messages
};

// "column 7", or "line 2, column 3" in a text of several lines.
std::string position(const std::string& s, std::size_t at) {
    std::size_t line = 1, col = 1;
    for (std::size_t k = 0; k < at && k < s.size(); ++k) {
        if (s[k] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return s.find('\n') != std::string::npos
               ? "line " + std::to_string(line) + ", column " + std::to_string(col)
               : "column " + std::to_string(col);
}

std::string index_path(const std::vector<std::size_t>& path) {
    std::string r;
    for (std::size_t i : path)
        r += "[" + std::to_string(i) + "]";
    return r.empty() ? "the literal" : r;
}

// The constructor a literal is wrapped in.
enum class Head {
    None,        // a bare nested list
    Tensor,      // torch.tensor(...), torch.as_tensor(...): the dtype follows the numbers
    FloatTensor, // torch.Tensor(...), torch.FloatTensor(...): always float32, no dtype=
    Printed,     // tensor(...), as print(tensor) writes it
};

struct Parsed {
    Node root;
    Head head = Head::None;
    std::string head_text;    // "torch.tensor"
    std::string dtype;        // "float64" from dtype=torch.float64; "" when not given
    std::size_t dtype_at = 0; // its offset, for messages
    std::string device;
    bool all_int = true;    // every number is an integer literal (PyTorch infers int64)
    bool rounded = false;   // some number has 4 decimals, as print() rounds them
    double max_abs_int = 0; // the largest integer literal, for int64's range
};

bool is_ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

class LiteralParser {
public:
    explicit LiteralParser(const std::string& s) : s_(s) {}

    Parsed parse() {
        Parsed r;
        skip();
        if (i_ == s_.size()) fail_here("it is empty");
        // "x = " before the literal, as a pasted line has it.
        std::size_t save = i_;
        std::string name = dotted();
        skip();
        if (name.empty() || i_ >= s_.size() || s_[i_] != '=' ||
            (i_ + 1 < s_.size() && s_[i_ + 1] == '='))
            i_ = save;
        else
            ++i_, skip();
        if (i_ == s_.size()) fail_here("nothing follows the '='");
        // A constructor: a dotted name and '('. (Bare words are numbers: nan, inf.)
        save = i_;
        std::string head = dotted();
        skip();
        if (!head.empty() && i_ < s_.size() && s_[i_] == '(') {
            if (head == "torch.tensor" || head == "torch.as_tensor")
                r.head = Head::Tensor;
            else if (head == "torch.Tensor" || head == "torch.FloatTensor")
                r.head = Head::FloatTensor;
            else if (head == "tensor")
                r.head = Head::Printed;
            else {
                i_ = save;
                fail_here("'" + head +
                          "(' is not a tensor constructor cnnshape reads: write torch.tensor(...), "
                          "torch.Tensor(...) or a nested list");
            }
            r.head_text = head;
            ++i_;
            skip();
            if (i_ < s_.size() && s_[i_] == ')') fail_here(head + "() needs the values");
        } else {
            i_ = save;
        }
        r.root = value(0);
        skip();
        if (r.head != Head::None) keywords(r);
        skip();
        if (i_ < s_.size() && s_[i_] == ';') ++i_, skip();
        if (i_ != s_.size()) fail_here("unexpected '" + std::string(1, s_[i_]) + "' after the end");
        r.all_int = all_int_;
        r.rounded = rounded_;
        r.max_abs_int = max_abs_int_;
        return r;
    }

private:
    [[noreturn]] void fail(const std::string& why) const {
        throw UsageError("invalid tensor literal: " + why);
    }
    std::string where() const { return position(s_, i_); }
    [[noreturn]] void fail_here(const std::string& why) const { fail(why + " (" + where() + ")"); }

    void skip() {
        while (i_ < s_.size()) {
            char c = s_[i_];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
                ++i_;
            else if (c == '#') // a Python comment, to the end of the line
                while (i_ < s_.size() && s_[i_] != '\n')
                    ++i_;
            else
                break;
        }
    }

    // A dotted Python name at i_ ("torch.tensor", "x"), or "" (i_ unmoved).
    std::string dotted() {
        std::size_t b = i_;
        while (i_ < s_.size() && is_ident_start(s_[i_])) {
            while (i_ < s_.size() && is_ident_char(s_[i_]))
                ++i_;
            if (i_ + 1 < s_.size() && s_[i_] == '.' && is_ident_start(s_[i_ + 1]))
                ++i_;
            else
                break;
        }
        return s_.substr(b, i_ - b);
    }

    // ", dtype=torch.float64, requires_grad=True)" after the values.
    void keywords(Parsed& r) {
        const std::string& head = r.head_text;
        for (;;) {
            skip();
            if (i_ < s_.size() && s_[i_] == ')') {
                ++i_;
                return;
            }
            if (i_ >= s_.size()) fail_here("it ends inside " + head + "( (missing ')')");
            if (s_[i_] != ',')
                fail_here("expected ',' or ')' after the values of " + head + "(, found '" +
                          std::string(1, s_[i_]) + "'");
            ++i_;
            skip();
            if (i_ < s_.size() && s_[i_] == ')') continue;
            std::size_t kw_at = i_;
            std::string kw = dotted();
            skip();
            if (kw.empty() || i_ >= s_.size() || s_[i_] != '=') {
                i_ = kw_at;
                fail_here(head + "() takes the values and then keyword arguments only");
            }
            ++i_;
            skip();
            std::size_t v_at = i_;
            if (kw == "dtype") {
                if (r.head == Head::FloatTensor) {
                    i_ = kw_at;
                    fail_here(head +
                              "() takes no dtype (PyTorch: \"new() received an invalid "
                              "combination of arguments\"); write torch.tensor(..., dtype=...)");
                }
                std::string d = dotted();
                if (d.rfind("torch.", 0) != 0 || d.size() == 6) {
                    i_ = v_at;
                    fail_here("dtype= must be a torch dtype such as torch.float32");
                }
                r.dtype = d.substr(6);
                r.dtype_at = v_at;
            } else if (kw == "requires_grad" && r.head != Head::FloatTensor) {
                std::string b = dotted();
                if (b != "True" && b != "False") {
                    i_ = v_at;
                    fail_here("requires_grad= must be True or False");
                }
            } else if (kw == "device" && r.head != Head::Printed) {
                if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"'))
                    fail_here("device= must be a string such as 'cpu'");
                char q = s_[i_++];
                std::size_t b = i_;
                while (i_ < s_.size() && s_[i_] != q && s_[i_] != '\n')
                    ++i_;
                if (i_ >= s_.size() || s_[i_] != q) {
                    i_ = v_at;
                    fail_here("the string of device= is not closed");
                }
                r.device = s_.substr(b, i_ - b);
                ++i_;
            } else if (kw == "grad_fn" && r.head == Head::Printed) {
                if (i_ >= s_.size() || s_[i_] != '<') fail_here("grad_fn= must be <...>");
                while (i_ < s_.size() && s_[i_] != '>' && s_[i_] != '\n')
                    ++i_;
                if (i_ >= s_.size() || s_[i_] != '>') {
                    i_ = v_at;
                    fail_here("grad_fn=<... is not closed by '>'");
                }
                ++i_;
            } else {
                i_ = kw_at;
                fail_here(head + "() keyword '" + kw + "' is not read: cnnshape reads " +
                          (r.head == Head::Tensor        ? "dtype=, requires_grad= and device="
                           : r.head == Head::FloatTensor ? "device="
                                                         : "dtype=, requires_grad= and grad_fn="));
            }
        }
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
        Node n;
        n.is_list = true;
        n.at = i_++;
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
        if (tok.rfind("...", 0) == 0)
            fail_here("it is summarized ('...'): print(tensor) shows only the corners of a "
                      "tensor of more than 1000 elements; save it with numpy.save(...) and pass "
                      "the .npy file");
        Node n;
        n.at = start;
        bool is_int = false;
        if (!to_double(tok, &n.value, &is_int)) {
            i_ = start;
            fail_here(index_path(path_) + " is not a number: '" + tok + "'");
        }
        if (is_int)
            max_abs_int_ = std::max(max_abs_int_, std::fabs(n.value));
        else
            all_int_ = false;
        // print(tensor) rounds to 4 decimals: "1.5410", "1.0000e+10".
        auto dot = tok.find('.');
        if (dot != std::string::npos) {
            std::size_t d = dot + 1;
            while (d < tok.size() && std::isdigit(static_cast<unsigned char>(tok[d])))
                ++d;
            if (d - dot - 1 == 4) rounded_ = true;
        }
        return n;
    }

    static bool to_double(const std::string& tok, double* out, bool* integer) {
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
        *integer = false;
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
        *integer = is_int;
        return true;
    }

    const std::string& s_;
    std::size_t i_ = 0;
    std::vector<std::size_t> path_;
    bool all_int_ = true, rounded_ = false;
    double max_abs_int_ = 0;

public:
    [[noreturn]] void fail_at(std::size_t at, const std::string& why) {
        i_ = at;
        fail_here(why);
    }
};

// b (at path pb) must have the structure of a (at path pa).
void check_same(const std::string& text, const Node& a, std::vector<std::size_t>& pa, const Node& b,
                std::vector<std::size_t>& pb) {
    auto at = [&] { return " (" + position(text, b.at) + ")"; };
    if (a.is_list != b.is_list)
        throw UsageError("invalid tensor literal: " + index_path(pb) + " is " +
                         (b.is_list ? "a list" : "a number") + " but " + index_path(pa) + " is " +
                         (a.is_list ? "a list" : "a number") + at());
    if (!a.is_list) return;
    if (a.items.size() != b.items.size())
        throw UsageError("invalid tensor literal: " + index_path(pb) + " has " +
                         std::to_string(b.items.size()) + " element" +
                         (b.items.size() == 1 ? "" : "s") + " but " + index_path(pa) + " has " +
                         std::to_string(a.items.size()) + at());
    for (std::size_t k = 0; k < a.items.size(); ++k) {
        pa.push_back(k);
        pb.push_back(k);
        check_same(text, a.items[k], pa, b.items[k], pb);
        pa.pop_back();
        pb.pop_back();
    }
}

// Every list's elements share the first element's structure.
void check_rect(const std::string& text, const Node& n, std::vector<std::size_t>& path) {
    if (!n.is_list || n.items.empty()) return;
    path.push_back(0);
    check_rect(text, n.items[0], path);
    path.pop_back();
    for (std::size_t k = 1; k < n.items.size(); ++k) {
        std::vector<std::size_t> pa = path, pb = path;
        pa.push_back(0);
        pb.push_back(k);
        check_same(text, n.items[0], pa, n.items[k], pb);
    }
}

void flatten(const Node& n, std::vector<double>& out) {
    if (!n.is_list) {
        out.push_back(n.value);
        return;
    }
    for (const Node& c : n.items)
        flatten(c, out);
}

} // namespace

namespace {

struct DtypeInfo {
    const char* name;
    const char* canonical; // PyTorch's name for the dtype, as in "torch.int64"
    bool integer;
    double lo, hi; // the range of an integer dtype
};

const DtypeInfo kDtypes[] = {
    {"float32", "float32", false, 0, 0},
    {"float", "float32", false, 0, 0},
    {"float64", "float64", false, 0, 0},
    {"double", "float64", false, 0, 0},
    {"int64", "int64", true, -9223372036854775808.0, 9223372036854775807.0},
    {"long", "int64", true, -9223372036854775808.0, 9223372036854775807.0},
    {"int32", "int32", true, -2147483648.0, 2147483647.0},
    {"int", "int32", true, -2147483648.0, 2147483647.0},
    {"int16", "int16", true, -32768.0, 32767.0},
    {"short", "int16", true, -32768.0, 32767.0},
    {"int8", "int8", true, -128.0, 127.0},
    {"bool", "bool", true, 0, 0},
};

const char* const kFloat32Hint = "cnnshape computes in float32";

} // namespace

LoadedTensor read_tensor_literal(const std::string& text) {
    LiteralParser parser(text);
    Parsed p = parser.parse();
    std::vector<std::size_t> path;
    check_rect(text, p.root, path);
    Shape shape;
    for (const Node* n = &p.root; n->is_list;) {
        shape.push_back(std::int64_t(n->items.size()));
        if (n->items.empty()) break;
        n = &n->items[0];
    }
    std::vector<double> values;
    flatten(p.root, values);
    LoadedTensor r;
    std::vector<std::string> notes;
    const std::string& head = p.head_text;
    if (!p.dtype.empty()) {
        const DtypeInfo* d = nullptr;
        for (auto& x : kDtypes)
            if (p.dtype == x.name) d = &x;
        if (!d)
            parser.fail_at(p.dtype_at, "dtype=torch." + p.dtype + " is not read: " + kFloat32Hint +
                                           "; write dtype=torch.float32");
        std::string canon = d->canonical;
        if (canon == "float64") {
            notes.push_back("dtype=torch.float64: " + std::string(kFloat32Hint) +
                            ", so the values are rounded to float32");
        } else if (canon == "bool") {
            for (double& v : values)
                v = v != 0.0 ? 1.0 : 0.0; // NaN is true, as bool(float('nan'))
            notes.push_back("dtype=torch.bool: a bool tensor in PyTorch, which most layers "
                            "refuse; cnnshape runs its 0s and 1s as float32");
        } else if (d->integer) {
            // torch.tensor(1.7, dtype=torch.int64) truncates toward zero, after checking the
            // value itself against the range (127.5 overflows int8). 2^63 and above are refused
            // for int64 too (PyTorch wraps 2^63 around).
            for (double& v : values) {
                bool in_range = canon == "int64" ? v >= d->lo && v < 9223372036854775808.0
                                                 : v >= d->lo && v <= d->hi; // NaN fails both
                if (!in_range)
                    throw UsageError("invalid tensor literal: value cannot be converted to type " +
                                     canon + " without overflow (dtype=torch." + p.dtype + ")");
                v = std::trunc(v);
                if (v == 0.0) v = 0.0; // -0.7 truncates to the integer 0
            }
            notes.push_back("dtype=torch." + p.dtype +
                            ": an integer tensor in PyTorch, which most layers refuse; cnnshape "
                            "runs its values as float32");
        }
    } else if ((p.head == Head::Tensor || p.head == Head::Printed) && p.all_int &&
               !values.empty()) {
        if (p.max_abs_int >= 9223372036854775808.0)
            throw UsageError("invalid tensor literal: Overflow when unpacking long (" + head +
                             "() makes int64 of integers)");
        notes.push_back(head + "(...) of integers is an int64 tensor in PyTorch, which most "
                               "layers refuse; cnnshape runs it as float32 (write 1. instead "
                               "of 1, or dtype=torch.float32, to have PyTorch's float32)");
    }
    if (!p.device.empty() && p.device != "cpu")
        notes.push_back("device='" + p.device +
                        "': cnnshape computes on the CPU, as PyTorch's CPU kernels do");
    if (p.head == Head::Printed && p.rounded)
        notes.push_back("the values are print()'s, which rounds them to 4 decimals");
    Tensor t(shape);
    for (std::size_t k = 0; k < values.size(); ++k)
        t.data[k] = static_cast<float>(values[k]);
    r.tensor = std::move(t);
    for (auto& n : notes)
        r.note += (r.note.empty() ? "" : "; ") + n;
    return r;
}

Tensor parse_tensor_literal(const std::string& text) {
    return read_tensor_literal(text).tensor;
}

std::optional<InputCode> input_code(const std::string& text) {
    // Past an optional "name = " and spaces.
    std::size_t i = 0;
    auto space = [&] {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
            ++i;
    };
    auto name = [&] {
        std::size_t b = i;
        while (i < text.size() && (is_ident_char(text[i]) || text[i] == '.'))
            ++i;
        return text.substr(b, i - b);
    };
    space();
    std::size_t b = i;
    std::string first = name();
    space();
    if (!first.empty() && is_ident_start(first[0]) && i < text.size() && text[i] == '=' &&
        (i + 1 >= text.size() || text[i + 1] != '=')) {
        ++i;
        space();
    } else {
        i = b;
    }
    std::size_t call_at = i;
    std::string call = name();
    space();
    if (call.empty() || !is_ident_start(call[0]) || i >= text.size() || text[i] != '(')
        return std::nullopt;
    InputCode c;
    if (call == "torch.tensor" || call == "torch.as_tensor" || call == "torch.Tensor" ||
        call == "torch.FloatTensor" || call == "tensor") {
        c.kind = InputCode::Literal;
        return c;
    }
    if (call == "torch.Size") {
        c.kind = InputCode::Shape;
        c.sizes = text.substr(call_at);
        // A trailing comment or ';' is not part of the shape.
        auto hash = c.sizes.find('#');
        if (hash != std::string::npos) c.sizes.resize(hash);
        while (!c.sizes.empty() &&
               (std::isspace(static_cast<unsigned char>(c.sizes.back())) || c.sizes.back() == ';'))
            c.sizes.pop_back();
        return c;
    }
    const std::string where = "invalid input '" + text + "': ";
    if (call != "torch.randn" && call != "torch.rand" && call != "torch.zeros" &&
        call != "torch.ones")
        throw UsageError(where +
                         "cnnshape reads torch.tensor(...), torch.Tensor(...), "
                         "torch.randn/rand/zeros/ones(sizes) and torch.Size([...]), "
                         "not " +
                         call + "(...)");
    // torch.randn(1, 3, 32, 32), torch.zeros((2, 3)), torch.rand([4]): the sizes, then the end.
    std::size_t open = i, depth = 0, close = std::string::npos;
    for (std::size_t k = open; k < text.size(); ++k) {
        if (text[k] == '(' || text[k] == '[') ++depth;
        if (text[k] == ')' || text[k] == ']') {
            if (depth == 0) break;
            if (--depth == 0) {
                close = k;
                break;
            }
        }
    }
    if (close == std::string::npos) throw UsageError(where + call + "( is not closed by ')'");
    i = close + 1;
    space();
    if (i < text.size() && text[i] == ';') ++i, space();
    if (i < text.size() && text[i] != '#')
        throw UsageError(where + "unexpected '" + std::string(1, text[i]) + "' after " + call +
                         "(...)");
    std::string inner = text.substr(open + 1, close - open - 1);
    if (inner.find('=') != std::string::npos)
        throw UsageError(where + call + "(...) is read without keyword arguments (" + kFloat32Hint +
                         "): write only the sizes");
    std::size_t f = inner.find_first_not_of(" \t\n\r");
    std::size_t e = inner.find_last_not_of(" \t\n\r,");
    std::string sizes = f == std::string::npos ? "" : inner.substr(f, e - f + 1);
    bool grouped = !sizes.empty() && (sizes[0] == '(' || sizes[0] == '[');
    c.kind = InputCode::Fill;
    c.fill = call.substr(6);
    c.sizes = grouped ? sizes : "(" + sizes + ")";
    return c;
}

} // namespace cnnshape
