// NumPy .npy files (format versions 1.0, 2.0 and 3.0): reading numeric arrays into float32
// tensors, writing float32 ('<f4') and int64 ('<i8') arrays.
//
// The format: the magic "\x93NUMPY", major and minor version bytes, the header length (uint16
// little-endian in 1.0, uint32 in 2.0 and 3.0), then the header: a Python dict literal such as
// "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" padded with spaces and ending in
// a newline, so that the data starts at a multiple of 64 bytes. The data follows in C order.
#include "cnnshape/error.hpp"
#include "cnnshape/tensor_io.hpp"
#include "dtype.hpp"

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

namespace cnnshape {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw UsageError("'" + path + "' " + what);
}

std::string read_file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        int err = errno;
        throw UsageError("cannot open '" + path + "': " + std::strerror(err ? err : ENOENT));
    }
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw UsageError("cannot read '" + path + "'");
    return data;
}

// ---- the header: a Python literal ----------------------------------------------------------

struct PyValue {
    enum Kind { Str, Int, Bool, None, Tuple, List, Dict } kind = None;
    std::string str;               // Str
    std::int64_t num = 0;          // Int
    bool flag = false;             // Bool
    std::vector<PyValue> items;    // Tuple, List; Dict: values
    std::vector<std::string> keys; // Dict
    std::string text;              // the source text, for messages
};

class HeaderParser {
public:
    HeaderParser(const std::string& path, const std::string& s) : path_(path), s_(s) {}

    PyValue parse() {
        PyValue v = value();
        skip();
        if (i_ != s_.size()) bad("unexpected text after the dict");
        return v;
    }

private:
    [[noreturn]] void bad(const std::string& why) const {
        fail(path_, "has a malformed header (" + why + " at offset " + std::to_string(i_) +
                        "): " + shown());
    }
    std::string shown() const {
        std::string t = s_;
        while (!t.empty() && (t.back() == ' ' || t.back() == '\n'))
            t.pop_back();
        if (t.size() > 200) t = t.substr(0, 200) + "...";
        for (char& c : t)
            if (static_cast<unsigned char>(c) < 0x20) c = '?';
        return t;
    }
    void skip() {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
            ++i_;
    }
    bool eat(char c) {
        skip();
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    PyValue value() {
        skip();
        if (i_ >= s_.size()) bad("unexpected end");
        std::size_t start = i_;
        PyValue v;
        char c = s_[i_];
        if (c == '\'' || c == '"') {
            v.kind = PyValue::Str;
            ++i_;
            while (i_ < s_.size() && s_[i_] != c) {
                if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
                v.str += s_[i_++];
            }
            if (i_ >= s_.size()) bad("unterminated string");
            ++i_;
        } else if (c == '(' || c == '[') {
            v.kind = c == '(' ? PyValue::Tuple : PyValue::List;
            char close = c == '(' ? ')' : ']';
            ++i_;
            while (!eat(close)) {
                v.items.push_back(value());
                if (!eat(',')) {
                    if (!eat(close)) bad(std::string("expected ',' or '") + close + "'");
                    break;
                }
            }
        } else if (c == '{') {
            v.kind = PyValue::Dict;
            ++i_;
            while (!eat('}')) {
                PyValue k = value();
                if (k.kind != PyValue::Str) bad("a dict key that is not a string");
                if (!eat(':')) bad("expected ':'");
                v.keys.push_back(k.str);
                v.items.push_back(value());
                if (!eat(',')) {
                    if (!eat('}')) bad("expected ',' or '}'");
                    break;
                }
            }
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            v.kind = PyValue::Int;
            bool neg = c == '-';
            if (neg) ++i_;
            if (i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') bad("expected a number");
            std::uint64_t n = 0;
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
                if (n > (std::uint64_t(INT64_MAX) - 9) / 10) bad("a number too large");
                n = n * 10 + std::uint64_t(s_[i_++] - '0');
            }
            if (i_ < s_.size() && (s_[i_] == 'L' || s_[i_] == 'l')) ++i_; // Python 2 longs
            v.num = neg ? -std::int64_t(n) : std::int64_t(n);
        } else {
            std::size_t b = i_;
            while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_])))
                ++i_;
            std::string word = s_.substr(b, i_ - b);
            if (word == "True" || word == "False") {
                v.kind = PyValue::Bool;
                v.flag = word == "True";
            } else if (word == "None") {
                v.kind = PyValue::None;
            } else {
                i_ = b;
                bad("unexpected character '" + std::string(1, c) + "'");
            }
        }
        v.text = s_.substr(start, i_ - start);
        return v;
    }

    const std::string& path_;
    const std::string& s_;
    std::size_t i_ = 0;
};

// ---- dtypes ---------------------------------------------------------------------------------

using detail::DType;

struct DTypeInfo {
    DType type;
    int size;
    const char* name;
};

bool lookup_dtype(char kind, int size, DTypeInfo* out) {
    static const DTypeInfo table[] = {
        {DType::F16, 2, "float16"}, {DType::F32, 4, "float32"}, {DType::F64, 8, "float64"},
        {DType::I8, 1, "int8"},     {DType::I16, 2, "int16"},   {DType::I32, 4, "int32"},
        {DType::I64, 8, "int64"},   {DType::U8, 1, "uint8"},    {DType::U16, 2, "uint16"},
        {DType::U32, 4, "uint32"},  {DType::U64, 8, "uint64"},  {DType::Bool, 1, "bool"},
    };
    const char* kinds = "fffiiiiuuuub";
    for (std::size_t k = 0; k < sizeof table / sizeof table[0]; ++k)
        if (kinds[k] == kind && table[k].size == size) {
            *out = table[k];
            return true;
        }
    return false;
}

// A readable name for a descr NumPy may write that cnnshape does not read.
std::string unsupported_name(const std::string& descr) {
    std::string t = descr.size() > 1 ? descr.substr(1) : descr;
    if (t == "c8") return "complex64";
    if (t == "c16") return "complex128";
    if (t == "c32") return "complex256";
    if (t == "f16" || t == "f12") return "longdouble";
    if (!t.empty() && t[0] == 'U') return "unicode string";
    if (!t.empty() && t[0] == 'S') return "bytes";
    if (!t.empty() && t[0] == 'V') return "void";
    if (!t.empty() && t[0] == 'M') return "datetime64";
    if (!t.empty() && t[0] == 'm') return "timedelta64";
    return "";
}

std::string shape_tuple(const Shape& s) {
    std::string r = "(";
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i) r += ", ";
        r += std::to_string(s[i]);
    }
    if (s.size() == 1) r += ",";
    return r + ")";
}

// ---- writing ----------------------------------------------------------------------------------

std::string npy_header(const char* descr, const Shape& shape) {
    std::string dict = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape_tuple(shape) + ", }";
    // Version 1.0 unless the header does not fit a 16-bit length.
    std::size_t prefix = 10;
    std::size_t total = prefix + dict.size() + 1;
    std::size_t padded = (total + 63) / 64 * 64;
    bool v2 = padded - prefix > 65535;
    if (v2) {
        prefix = 12;
        total = prefix + dict.size() + 1;
        padded = (total + 63) / 64 * 64;
    }
    std::size_t hlen = padded - prefix;
    std::string out = "\x93NUMPY";
    out += v2 ? '\x02' : '\x01';
    out += '\x00';
    for (std::size_t b = 0; b < (v2 ? 4u : 2u); ++b)
        out += static_cast<char>((hlen >> (8 * b)) & 0xffu);
    out += dict;
    out.append(hlen - dict.size() - 1, ' ');
    out += '\n';
    return out;
}

std::string errno_text(int err) {
    return std::strerror(err);
}

// Writes header and data to a new file beside path, then renames it over path.
void write_atomically(const std::string& path, const std::string& header, const void* data,
                      std::size_t bytes) {
    static std::atomic<unsigned> counter{0};
    std::string tmp;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
        fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) throw UsageError("cannot write '" + path + "': " + errno_text(errno));
    auto write_all = [&](const char* p, std::size_t n) {
        while (n > 0) {
            ssize_t w = ::write(fd, p, n);
            if (w < 0) {
                if (errno == EINTR) continue;
                return false;
            }
            p += w;
            n -= std::size_t(w);
        }
        return true;
    };
    bool ok =
        write_all(header.data(), header.size()) && write_all(static_cast<const char*>(data), bytes);
    int err = ok ? 0 : errno;
    if (::close(fd) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        ::unlink(tmp.c_str());
        throw UsageError("cannot write '" + path + "': " + errno_text(err));
    }
}

template <typename T>
void write_npy_impl(const std::string& path, const BasicTensor<T>& t, const char* descr) {
    std::int64_t n = 1;
    for (std::int64_t d : t.shape)
        n *= d;
    if (n != t.size())
        throw UsageError("cannot write '" + path + "': the tensor's shape " + shape_tuple(t.shape) +
                         " does not match its " + std::to_string(t.size()) + " values");
    write_atomically(path, npy_header(descr, t.shape), t.ptr(), std::size_t(n) * sizeof(T));
}

} // namespace

LoadedTensor read_npy(const std::string& path) {
    const std::string bytes = read_file_bytes(path);
    static const char magic[] = "\x93NUMPY";
    if (bytes.size() < 6 || bytes.compare(0, 6, magic, 6) != 0)
        fail(path, "is not a .npy file (it does not start with \\x93NUMPY)");
    if (bytes.size() < 10) fail(path, "is truncated: it ends inside the .npy preamble");
    int major = static_cast<unsigned char>(bytes[6]);
    int minor = static_cast<unsigned char>(bytes[7]);
    if (major < 1 || major > 3 || minor != 0)
        fail(path, "has an unsupported .npy format version " + std::to_string(major) + "." +
                       std::to_string(minor) + " (known: 1.0, 2.0, 3.0)");
    std::size_t hlen_bytes = major == 1 ? 2 : 4;
    if (bytes.size() < 8 + hlen_bytes) fail(path, "is truncated: it ends inside the .npy preamble");
    std::size_t hlen = 0;
    for (std::size_t b = 0; b < hlen_bytes; ++b)
        hlen |= std::size_t(static_cast<unsigned char>(bytes[8 + b])) << (8 * b);
    const std::size_t data_start = 8 + hlen_bytes + hlen;
    if (bytes.size() < data_start)
        fail(path, "is truncated: its header is " + std::to_string(hlen) +
                       " bytes long but the file ends after " +
                       std::to_string(bytes.size() - 8 - hlen_bytes));
    const std::string header = bytes.substr(8 + hlen_bytes, hlen);

    PyValue dict = HeaderParser(path, header).parse();
    if (dict.kind != PyValue::Dict) fail(path, "has a malformed header (not a dict): " + header);
    const PyValue* descr = nullptr;
    const PyValue* fortran = nullptr;
    const PyValue* shape_v = nullptr;
    for (std::size_t k = 0; k < dict.keys.size(); ++k) {
        if (dict.keys[k] == "descr") descr = &dict.items[k];
        if (dict.keys[k] == "fortran_order") fortran = &dict.items[k];
        if (dict.keys[k] == "shape") shape_v = &dict.items[k];
    }
    if (!descr || !fortran || !shape_v)
        fail(path, std::string("has a malformed header (no '") +
                       (!descr     ? "descr"
                        : !fortran ? "fortran_order"
                                   : "shape") +
                       "' key)");

    // dtype
    if (descr->kind == PyValue::List)
        fail(path,
             "has a structured dtype (" + descr->text + "); only plain numeric arrays can be read");
    if (descr->kind != PyValue::Str)
        fail(path, "has a malformed header ('descr' is " + descr->text + ")");
    const std::string& d = descr->str;
    if (d == "|O" || d == "O" || d == "<O" || d == ">O")
        fail(path, "holds Python objects (dtype '" + d + "'); only numeric arrays can be read");
    char order = d.empty() ? '?' : d[0];
    DTypeInfo info{};
    bool known = false;
    if (d.size() >= 3 &&
        (order == '<' || order == '>' || order == '|' || order == '=' || order == '!')) {
        std::string digits = d.substr(2);
        bool all_digits = !digits.empty() && digits.size() <= 2 &&
                          digits.find_first_not_of("0123456789") == std::string::npos;
        if (all_digits) known = lookup_dtype(d[1], std::stoi(digits), &info);
    }
    if (!known) {
        std::string name = unsupported_name(d);
        fail(path, "has unsupported dtype '" + d + "'" + (name.empty() ? "" : " (" + name + ")") +
                       "; supported: float32, float64, float16, int8, int16, int32, int64, "
                       "uint8, uint16, uint32, uint64, bool");
    }
    if ((order == '>' || order == '!') && info.size > 1)
        fail(path, "is big-endian (dtype '" + d + "'); save it little-endian, e.g. " +
                       "a.astype(a.dtype.newbyteorder('<'))");

    // order
    if (fortran->kind != PyValue::Bool)
        fail(path, "has a malformed header ('fortran_order' is " + fortran->text + ")");

    // shape
    if (shape_v->kind != PyValue::Tuple && shape_v->kind != PyValue::List)
        fail(path, "has a malformed header ('shape' is " + shape_v->text + ")");
    Shape shape;
    std::int64_t n = 1;
    bool overflow = false;
    for (const PyValue& s : shape_v->items) {
        if (s.kind != PyValue::Int || s.num < 0)
            fail(path, "has a malformed header ('shape' is " + shape_v->text + ")");
        shape.push_back(s.num);
        if (__builtin_mul_overflow(n, s.num, &n)) overflow = true;
    }
    if (fortran->flag) {
        int big_dims = 0;
        for (std::int64_t s : shape)
            if (s > 1) ++big_dims;
        if (big_dims > 1)
            fail(path, "is Fortran-ordered (fortran_order: True); save it with "
                       "np.ascontiguousarray(a)");
    }
    std::int64_t need = 0;
    if (overflow || __builtin_mul_overflow(n, std::int64_t(info.size), &need))
        fail(path, "has a shape " + shape_tuple(shape) + " too large to hold");
    const std::size_t have = bytes.size() - data_start;
    const std::string what = "shape " + shape_tuple(shape) + " of " + info.name + " needs " +
                             std::to_string(need) + " bytes of data";
    if (have < std::uint64_t(need))
        fail(path, "is truncated: " + what + " but the file has " + std::to_string(have));
    if (have > std::uint64_t(need))
        fail(path, "has " + std::to_string(have - std::uint64_t(need)) + " bytes after the data (" +
                       what + ")");

    LoadedTensor out;
    out.tensor = Tensor(shape);
    detail::convert_to_float(info.type, bytes.data() + data_start, out.tensor.ptr(), n);
    if (info.type != DType::F32) out.note = std::string("converted from ") + info.name;
    return out;
}

void write_npy(const std::string& path, const Tensor& t) {
    write_npy_impl(path, t, "<f4");
}

void write_npy(const std::string& path, const IndexTensor& t) {
    write_npy_impl(path, t, "<i8");
}

} // namespace cnnshape
