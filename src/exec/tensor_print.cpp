// print(tensor) as PyTorch 1.13 prints it with the default print options
// (torch/_tensor_str.py: precision 4, threshold 1000, edgeitems 3, linewidth 80), for float32
// and int64 tensors. The structure follows _Formatter, _vector_str, _tensor_str_with_formatter,
// get_summarized_data and _add_suffixes:
// * one formatter for the whole tensor decides the mode and the common width from the values
//   that are shown (the summarized data when there are more than 1000 elements). For floats
//   only nonzero finite values count: all integers -> "6." style, unless max/min > 1000 or
//   max > 1e8, then scientific; otherwise "%.4f", unless max/min > 1000, max > 1e8 or
//   min < 1e-4, then scientific ("%.4e"). NaN, inf and zeros do not affect the width.
// * each row wraps after floor((80 - indent) / (width + 2)) elements;
// * dims with more than 6 entries show 3, "...", 3 when summarizing.
#include "cnnshape/tensor_io.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace cnnshape {

namespace {

constexpr int kPrecision = 4;
constexpr std::int64_t kThreshold = 1000;
constexpr std::int64_t kEdgeItems = 3;
constexpr int kLineWidth = 80;

std::string printf_double(const char* fmt, int width, double v) {
    char buf[128];
    int n = width > 0 ? std::snprintf(buf, sizeof buf, fmt, width, kPrecision, v)
                      : std::snprintf(buf, sizeof buf, fmt, kPrecision, v);
    return std::string(buf, std::size_t(n));
}

// Python's "{:.4f}" / "{:.4e}" / "{:.0f}" of a float (NaN prints as "nan" whatever its sign).
std::string py_fixed(double v, int precision) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[400];
    int n = std::snprintf(buf, sizeof buf, "%.*f", precision, v);
    return std::string(buf, std::size_t(n));
}

std::string py_sci(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    return printf_double("%.*e", 0, v);
}

std::string pad_left(const std::string& s, std::size_t width) {
    return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

struct FloatFormatter {
    bool int_mode = true;
    bool sci_mode = false;
    std::size_t max_width = 1;

    explicit FloatFormatter(const std::vector<float>& shown) {
        std::vector<float> vals;
        for (float v : shown)
            if (std::isfinite(v) && v != 0.0f) vals.push_back(v);
        if (vals.empty()) return;
        double mn = std::fabs(double(vals[0])), mx = mn;
        for (float v : vals) {
            double a = std::fabs(double(v));
            if (a < mn) mn = a;
            if (a > mx) mx = a;
        }
        for (float v : vals)
            if (v != std::ceil(v)) {
                int_mode = false;
                break;
            }
        if (int_mode) {
            if (mx / mn > 1000.0 || mx > 1.0e8) {
                sci_mode = true;
                for (float v : vals)
                    max_width = std::max(max_width, py_sci(v).size());
            } else {
                for (float v : vals)
                    max_width = std::max(max_width, py_fixed(v, 0).size() + 1);
            }
        } else if (mx / mn > 1000.0 || mx > 1.0e8 || mn < 1.0e-4) {
            sci_mode = true;
            for (float v : vals)
                max_width = std::max(max_width, py_sci(v).size());
        } else {
            for (float v : vals)
                max_width = std::max(max_width, py_fixed(v, kPrecision).size());
        }
    }

    std::string format(float f) const {
        double v = f;
        std::string r;
        if (sci_mode) {
            r = py_sci(v);
        } else if (int_mode) {
            r = py_fixed(v, 0);
            if (!std::isinf(v) && !std::isnan(v)) r += ".";
        } else {
            r = py_fixed(v, kPrecision);
        }
        return pad_left(r, max_width);
    }
};

struct IntFormatter {
    std::size_t max_width = 1;
    explicit IntFormatter(const std::vector<std::int64_t>& shown) {
        for (std::int64_t v : shown)
            max_width = std::max(max_width, std::to_string(v).size());
    }
    std::string format(std::int64_t v) const { return pad_left(std::to_string(v), max_width); }
};

// Walks a row-major tensor the way torch/_tensor_str.py does.
template <typename T, typename Formatter>
class Printer {
public:
    Printer(const BasicTensor<T>& t, bool summarize) : t_(t), summarize_(summarize) {
        strides_.assign(t.shape.size(), 1);
        for (std::size_t d = t.shape.size(); d-- > 1;)
            strides_[d - 1] = strides_[d] * t.shape[d];
    }

    // get_summarized_data: the values that are shown.
    std::vector<T> shown() const {
        std::vector<T> out;
        collect(0, 0, out);
        return out;
    }

    std::string str(const Formatter& f, int indent) const { return recurse(f, 0, 0, indent); }

private:
    std::vector<std::int64_t> indices(std::size_t dim) const {
        std::int64_t n = t_.shape[dim];
        std::vector<std::int64_t> idx;
        if (summarize_ && n > 2 * kEdgeItems) {
            for (std::int64_t i = 0; i < kEdgeItems; ++i)
                idx.push_back(i);
            for (std::int64_t i = n - kEdgeItems; i < n; ++i)
                idx.push_back(i);
        } else {
            for (std::int64_t i = 0; i < n; ++i)
                idx.push_back(i);
        }
        return idx;
    }

    void collect(std::size_t dim, std::int64_t offset, std::vector<T>& out) const {
        if (dim == t_.shape.size()) {
            out.push_back(t_.data[std::size_t(offset)]);
            return;
        }
        for (std::int64_t i : indices(dim))
            collect(dim + 1, offset + i * strides_[dim], out);
    }

    std::string recurse(const Formatter& f, std::size_t dim, std::int64_t offset,
                        int indent) const {
        const std::size_t ndim = t_.shape.size();
        if (dim == ndim) return f.format(t_.data[std::size_t(offset)]); // 0-d
        const std::int64_t n = t_.shape[dim];
        const bool cut = summarize_ && n > 2 * kEdgeItems;
        if (dim + 1 == ndim) { // _vector_str
            const double element_length = double(f.max_width + 2);
            const int per_line =
                std::max(1, int(std::floor(double(kLineWidth - indent) / element_length)));
            std::vector<std::string> items;
            for (std::int64_t i = 0; i < n; ++i) {
                if (cut && i == kEdgeItems) {
                    items.push_back(" ...");
                    i = n - kEdgeItems;
                }
                items.push_back(f.format(t_.data[std::size_t(offset + i)]));
            }
            std::string r = "[";
            for (std::size_t k = 0; k < items.size(); ++k) {
                if (k > 0) {
                    if (k % std::size_t(per_line) == 0)
                        r += ",\n" + std::string(std::size_t(indent + 1), ' ');
                    else
                        r += ", ";
                }
                r += items[k];
            }
            return r + "]";
        }
        const std::string sep =
            "," + std::string(ndim - dim - 1, '\n') + std::string(std::size_t(indent + 1), ' ');
        std::string r = "[";
        bool first = true;
        for (std::int64_t i = 0; i < n; ++i) {
            if (!first) r += sep;
            first = false;
            if (cut && i == kEdgeItems) {
                r += "..." + sep;
                i = n - kEdgeItems;
            }
            r += recurse(f, dim + 1, offset + i * strides_[dim], indent + 1);
        }
        return r + "]";
    }

    const BasicTensor<T>& t_;
    bool summarize_;
    std::vector<std::int64_t> strides_;
};

// _add_suffixes for "tensor([]" and the given suffixes.
std::string add_suffixes(const std::string& tensor_str, const std::vector<std::string>& suffixes,
                         std::size_t indent) {
    std::string out = tensor_str;
    std::size_t nl = tensor_str.rfind('\n');
    // Python: len(s) - s.rfind("\n") + 1, where rfind gives -1 when there is no newline.
    std::size_t last_line_len =
        nl == std::string::npos ? tensor_str.size() + 2 : tensor_str.size() - nl + 1;
    for (const std::string& s : suffixes) {
        if (last_line_len + s.size() + 2 > std::size_t(kLineWidth)) {
            out += ",\n" + std::string(indent, ' ') + s;
            last_line_len = indent + s.size();
        } else {
            out += ", " + s;
            last_line_len += s.size() + 2;
        }
    }
    return out + ")";
}

std::string size_tuple(const Shape& s) {
    std::string r = "(";
    for (std::size_t i = 0; i < s.size(); ++i)
        r += (i ? ", " : "") + std::to_string(s[i]);
    if (s.size() == 1) r += ",";
    return r + ")";
}

template <typename T, typename Formatter>
std::string format_any(const BasicTensor<T>& t, bool is_int64) {
    const std::string prefix = "tensor(";
    std::int64_t n = 1;
    for (std::int64_t d : t.shape)
        n *= d;
    if (n == 0) {
        std::vector<std::string> suffixes;
        if (t.shape.size() != 1) suffixes.push_back("size=" + size_tuple(t.shape));
        if (is_int64) suffixes.push_back("dtype=torch.int64");
        return add_suffixes(prefix + "[]", suffixes, prefix.size());
    }
    Printer<T, Formatter> p(t, n > kThreshold);
    Formatter f(p.shown());
    return prefix + p.str(f, int(prefix.size())) + ")";
}

} // namespace

std::string format_torch(const Tensor& t) {
    return format_any<float, FloatFormatter>(t, false);
}

std::string format_torch(const IndexTensor& t) {
    return format_any<std::int64_t, IntFormatter>(t, true);
}

} // namespace cnnshape
