// safetensors files: an 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
//  "__metadata__": {...}}, then the tensors' bytes (offsets are relative to the end of the
// header). Every tensor is converted to float32; the header is checked before anything is read.
#include "cnnshape/compact_json.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/tensor_io.hpp"
#include "dtype.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace cnnshape {

namespace {

constexpr std::uint64_t kMaxHeader = 100u * 1024u * 1024u; // 100 MB

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw UsageError("'" + path + "' " + what);
}

using detail::DType;

struct DTypeInfo {
    const char* code;
    DType type;
    int size;
    const char* name;
};

const DTypeInfo kDTypes[] = {
    {"F32", DType::F32, 4, "float32"}, {"F64", DType::F64, 8, "float64"},
    {"F16", DType::F16, 2, "float16"}, {"BF16", DType::BF16, 2, "bfloat16"},
    {"I64", DType::I64, 8, "int64"},   {"I32", DType::I32, 4, "int32"},
    {"I16", DType::I16, 2, "int16"},   {"I8", DType::I8, 1, "int8"},
    {"U64", DType::U64, 8, "uint64"},  {"U32", DType::U32, 4, "uint32"},
    {"U16", DType::U16, 2, "uint16"},  {"U8", DType::U8, 1, "uint8"},
    {"BOOL", DType::Bool, 1, "bool"},
};

std::string shape_list_text(const Shape& s) {
    std::string r = "[";
    for (std::size_t i = 0; i < s.size(); ++i)
        r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}

struct Entry {
    std::string name;
    const DTypeInfo* dtype;
    Shape shape;
    std::int64_t numel;
    std::uint64_t begin, end;
};

// A non-negative integer of the header, or an error naming the tensor and the field.
std::uint64_t header_uint(const std::string& path, const std::string& name, const char* field,
                          const nlohmann::json& v) {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return v.get<std::uint64_t>();
    fail(path, "has a bad header: tensor '" + name + "': " + field +
                   " must hold non-negative integers, not " + compact_json(v));
}

} // namespace

std::map<std::string, LoadedTensor> read_safetensors(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        int err = errno;
        throw UsageError("cannot open '" + path + "': " + std::strerror(err ? err : ENOENT));
    }
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw UsageError("cannot read '" + path + "'");

    if (bytes.size() < 8)
        fail(path, "is not a safetensors file: it has " + std::to_string(bytes.size()) +
                       " bytes, fewer than the 8-byte header length");
    std::uint64_t hlen = 0;
    for (int b = 0; b < 8; ++b)
        hlen |= std::uint64_t(static_cast<unsigned char>(bytes[std::size_t(b)])) << (8 * b);
    if (hlen > kMaxHeader)
        fail(path, "is not a safetensors file: its header length " + std::to_string(hlen) +
                       " is over the 100 MB limit");
    if (hlen > bytes.size() - 8)
        fail(path, "is truncated: its header length is " + std::to_string(hlen) +
                       " bytes but only " + std::to_string(bytes.size() - 8) + " follow");
    const std::string header_text = bytes.substr(8, std::size_t(hlen));
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(header_text);
    } catch (const nlohmann::json::exception&
                 e) { // parse_error, or out_of_range for huge numbers (fuzzing)
        fail(path, std::string("is not a safetensors file: its header is not valid JSON (") +
                       e.what() + ")");
    }
    if (!header.is_object())
        fail(path, "is not a safetensors file: its header is not a JSON object");

    const std::uint64_t buffer_size = bytes.size() - 8 - hlen;
    const char* buffer = bytes.data() + 8 + hlen;
    std::vector<Entry> entries;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        const nlohmann::json& v = it.value();
        if (name == "__metadata__") {
            if (!v.is_object()) fail(path, "has a bad header: __metadata__ is not an object");
            continue;
        }
        if (!v.is_object()) fail(path, "has a bad header: tensor '" + name + "' is not an object");
        for (const char* key : {"dtype", "shape", "data_offsets"})
            if (!v.contains(key))
                fail(path, "has a bad header: tensor '" + name + "' has no " + key);
        Entry e;
        e.name = name;
        if (!v["dtype"].is_string())
            fail(path, "has a bad header: tensor '" + name + "': dtype is not a string");
        const std::string code = v["dtype"].get<std::string>();
        e.dtype = nullptr;
        for (const DTypeInfo& d : kDTypes)
            if (code == d.code) e.dtype = &d;
        if (!e.dtype)
            fail(path, "has tensor '" + name + "' of unsupported dtype " + code +
                           " (supported: F32, F64, F16, BF16, I64, I32, I16, I8, U64, U32, "
                           "U16, U8, BOOL)");
        if (!v["shape"].is_array())
            fail(path, "has a bad header: tensor '" + name + "': shape is not a list");
        e.numel = 1;
        bool overflow = false;
        for (const auto& s : v["shape"]) {
            std::uint64_t d = header_uint(path, name, "shape", s);
            if (d > std::uint64_t(INT64_MAX)) overflow = true;
            e.shape.push_back(std::int64_t(d));
            if (!overflow && __builtin_mul_overflow(e.numel, std::int64_t(d), &e.numel))
                overflow = true;
        }
        const auto& off = v["data_offsets"];
        if (!off.is_array() || off.size() != 2)
            fail(path, "has a bad header: tensor '" + name +
                           "': data_offsets must be [begin, end], not " + compact_json(off));
        e.begin = header_uint(path, name, "data_offsets", off[0]);
        e.end = header_uint(path, name, "data_offsets", off[1]);
        if (e.begin > e.end)
            fail(path, "has a bad header: tensor '" + name + "': data_offsets " +
                           compact_json(off) + " end before they begin");
        if (e.end > buffer_size)
            fail(path, "is truncated or corrupt: tensor '" + name + "' has data_offsets " +
                           compact_json(off) + " but the data section has " +
                           std::to_string(buffer_size) + " bytes");
        std::int64_t need = 0;
        if (overflow || __builtin_mul_overflow(e.numel, std::int64_t(e.dtype->size), &need) ||
            std::uint64_t(need) != e.end - e.begin)
            fail(path, "has a bad header: tensor '" + name + "' of shape " +
                           shape_list_text(e.shape) + " and dtype " + code + " needs " +
                           (overflow ? std::string("more bytes than fit in 64 bits")
                                     : std::to_string(need) + " bytes") +
                           " but data_offsets " + compact_json(off) + " hold " +
                           std::to_string(e.end - e.begin));
        entries.push_back(std::move(e));
    }

    // No two tensors may share bytes.
    std::vector<const Entry*> order;
    for (const Entry& e : entries)
        if (e.end > e.begin) order.push_back(&e);
    std::sort(order.begin(), order.end(),
              [](const Entry* a, const Entry* b) { return a->begin < b->begin; });
    for (std::size_t i = 1; i < order.size(); ++i)
        if (order[i]->begin < order[i - 1]->end)
            fail(path,
                 "has a bad header: tensors '" + order[i - 1]->name + "' and '" + order[i]->name +
                     "' overlap (data_offsets [" + std::to_string(order[i - 1]->begin) + ", " +
                     std::to_string(order[i - 1]->end) + "] and [" +
                     std::to_string(order[i]->begin) + ", " + std::to_string(order[i]->end) + "])");

    std::map<std::string, LoadedTensor> out;
    for (const Entry& e : entries) {
        LoadedTensor t;
        t.tensor = Tensor(e.shape);
        detail::convert_to_float(e.dtype->type, buffer + e.begin, t.tensor.ptr(), e.numel);
        if (e.dtype->type != DType::F32) t.note = std::string("converted from ") + e.dtype->name;
        out.emplace(e.name, std::move(t));
    }
    return out;
}

} // namespace cnnshape
