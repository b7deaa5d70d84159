// Tensor I/O: .npy files (read every NumPy dtype cnnshape converts, write '<f4' / '<i8'
// atomically), safetensors, literal nested lists, and print(tensor) byte for byte as torch 1.13
// prints it. The fixtures in tests/data/tensors/ come from tools/gen_tensor_fixtures.py (NumPy
// and PyTorch are the oracles).
#include "cnnshape/error.hpp"
#include "cnnshape/tensor_io.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <string>
#include <unistd.h>
#include <vector>

using namespace cnnshape;
using Catch::Contains;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string data_dir() {
    return std::string(CNNSHAPE_TEST_DATA) + "/tensors";
}

json load_json(const std::string& name) {
    std::ifstream in(data_dir() + "/" + name);
    REQUIRE(in.good());
    return json::parse(in);
}

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    REQUIRE(out.good());
}

// The float32 bit patterns of a tensor as one hex string (8 digits a value).
std::string hex_join(const Tensor& t) {
    std::string r;
    char buf[9];
    for (float f : t.data) {
        std::uint32_t u;
        std::memcpy(&u, &f, sizeof u);
        std::snprintf(buf, sizeof buf, "%08x", u);
        r += buf;
    }
    return r;
}

Tensor tensor_from_hex(const Shape& shape, const std::string& hex) {
    Tensor t(shape);
    REQUIRE(hex.size() == t.data.size() * 8);
    for (std::size_t i = 0; i < t.data.size(); ++i) {
        std::uint32_t u = std::uint32_t(std::stoul(hex.substr(8 * i, 8), nullptr, 16));
        std::memcpy(&t.data[i], &u, sizeof u);
    }
    return t;
}

// A fresh directory under the system temp dir, removed at the end of the scope.
struct TempDir {
    fs::path path;
    TempDir() {
        static int counter = 0;
        path = fs::temp_directory_path() / ("cnnshape_tensor_io_" + std::to_string(::getpid()) +
                                            "_" + std::to_string(counter++));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string file(const std::string& name) const { return (path / name).string(); }
    std::vector<std::string> entries() const {
        std::vector<std::string> r;
        for (const auto& e : fs::directory_iterator(path))
            r.push_back(e.path().filename().string());
        return r;
    }
};

std::string usage_error(const std::function<void()>& f) {
    try {
        f();
    } catch (const UsageError& e) {
        return e.what();
    }
    FAIL("no UsageError was thrown");
    return "";
}

std::string le64(std::uint64_t v) {
    std::string r;
    for (int b = 0; b < 8; ++b)
        r += char((v >> (8 * b)) & 0xffu);
    return r;
}

// A safetensors file from a header text and a data section.
std::string safetensors_bytes(const std::string& header, const std::string& data) {
    return le64(header.size()) + header + data;
}

std::string npy_bytes(const std::string& dict, const std::string& data, int major = 1) {
    std::string h = dict;
    std::size_t prefix = major == 1 ? 10 : 12;
    while ((prefix + h.size() + 1) % 64 != 0)
        h += ' ';
    h += '\n';
    std::string r = "\x93NUMPY";
    r += char(major);
    r += '\0';
    r += char(h.size() & 0xff);
    r += char((h.size() >> 8) & 0xff);
    if (major != 1) r += std::string(2, '\0');
    return r + h + data;
}

} // namespace

// ---- .npy -----------------------------------------------------------------------------------

TEST_CASE("read_npy reads what NumPy wrote, converting to float32", "[tensor_io]") {
    json fx = load_json("npy.json");
    const json& files = fx.at("files");
    REQUIRE(files.size() >= 15);
    for (auto it = files.begin(); it != files.end(); ++it) {
        CAPTURE(it.key());
        LoadedTensor t = read_npy(data_dir() + "/npy/" + it.key());
        CHECK(t.tensor.shape == it.value().at("shape").get<Shape>());
        CHECK(hex_join(t.tensor) == it.value().at("values").get<std::string>());
        CHECK(t.note == it.value().at("note").get<std::string>());
    }
}

TEST_CASE("read_npy names the file and the problem", "[tensor_io]") {
    const std::string d = data_dir() + "/npy/";
    struct Case {
        const char* file;
        std::vector<const char*> parts;
    };
    const Case cases[] = {
        {"bad_big_endian.npy", {"is big-endian", "'>f4'"}},
        {"bad_fortran.npy",
         {"is Fortran-ordered (fortran_order: True); save it with np.ascontiguousarray"}},
        {"bad_object.npy", {"holds Python objects", "'|O'"}},
        {"bad_structured.npy", {"structured dtype", "('a', '<f4')"}},
        {"bad_complex.npy", {"unsupported dtype '<c8' (complex64)"}},
        {"bad_unicode.npy", {"unsupported dtype '<U2' (unicode string)"}},
        {"bad_magic.npy", {"is not a .npy file"}},
        {"bad_truncated_data.npy",
         {"is truncated: shape (2, 3) of float32 needs 24 bytes of data but the file has 22"}},
        {"bad_truncated_header.npy", {"is truncated: its header is 118 bytes long"}},
        {"bad_extra_data.npy", {"has 4 bytes after the data"}},
    };
    for (const Case& c : cases) {
        CAPTURE(c.file);
        std::string msg = usage_error([&] { read_npy(d + c.file); });
        CHECK_THAT(msg, Contains(std::string("'") + d + c.file + "'"));
        for (const char* p : c.parts)
            CHECK_THAT(msg, Contains(p));
    }
    std::string missing = usage_error([&] { read_npy(d + "no_such_file.npy"); });
    CHECK_THAT(missing, Contains("cannot open '" + d + "no_such_file.npy'"));
    CHECK_THAT(missing, Contains("No such file"));
}

TEST_CASE("read_npy checks headers it could misread", "[tensor_io]") {
    TempDir dir;
    const std::string f = dir.file("x.npy");
    const std::string four(16, '\0');
    auto err = [&](const std::string& bytes) {
        write_bytes(f, bytes);
        return usage_error([&] { read_npy(f); });
    };
    CHECK_THAT(err(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", four)
                       .replace(6, 1, "\x04")),
               Contains("unsupported .npy format version 4.0"));
    CHECK_THAT(err(npy_bytes("{'descr': '<f4', 'shape': (4,), }", four)),
               Contains("no 'fortran_order' key"));
    CHECK_THAT(err(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }", four)),
               Contains("malformed header ('shape' is (-4,))"));
    CHECK_THAT(err(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4,) ", four)),
               Contains("malformed header"));
    CHECK_THAT(err(npy_bytes("{'descr': '<f4', 'fortran_order': 0, 'shape': (4,), }", four)),
               Contains("'fortran_order' is 0"));
    CHECK_THAT(err(npy_bytes("{'descr': '<i3', 'fortran_order': False, 'shape': (4,), }", four)),
               Contains("unsupported dtype '<i3'"));
    CHECK_THAT(err(npy_bytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", four)),
               Contains("big-endian"));
    CHECK_THAT(err(npy_bytes("{'descr': '<f4', 'fortran_order': False, "
                             "'shape': (4611686018427387904, 4), }",
                             four)),
               Contains("too large"));
    CHECK_THAT(err("\x93NUMPY\x01"), Contains("truncated"));
    CHECK_THAT(err(""), Contains("is not a .npy file"));

    // Still fine: version 2.0, '>' on one-byte types, Python 2 longs, no trailing comma.
    write_bytes(f, npy_bytes("{'descr': '>u1', 'fortran_order': False, 'shape': (2L, 2L)}",
                             std::string("\x01\x02\x03\xff", 4), 2));
    LoadedTensor t = read_npy(f);
    CHECK(t.tensor.shape == Shape{2, 2});
    CHECK(t.tensor.data[3] == 255.0f);
    CHECK(t.note == "converted from uint8");
    // A Fortran-ordered array with at most one dimension above 1 is laid out as in C order.
    write_bytes(f, npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 4), }", four));
    CHECK(read_npy(f).tensor.shape == Shape{1, 4});
}

TEST_CASE("write_npy writes NumPy's bytes and reads back", "[tensor_io]") {
    TempDir dir;
    // Byte for byte what np.save wrote.
    const std::string orig = data_dir() + "/npy/f32_2x3.npy";
    LoadedTensor in = read_npy(orig);
    write_npy(dir.file("copy.npy"), in.tensor);
    CHECK(read_bytes(dir.file("copy.npy")) == read_bytes(orig));
    const std::string orig4 = data_dir() + "/npy/f32_1x2x3x4.npy";
    write_npy(dir.file("copy4.npy"), read_npy(orig4).tensor);
    CHECK(read_bytes(dir.file("copy4.npy")) == read_bytes(orig4));

    // Round trips: values bit for bit, 0-d and empty shapes.
    Tensor t({2, 1, 3});
    const float vals[] = {1.5f,
                          -0.0f,
                          3e-40f,
                          std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN(),
                          -7.25f};
    for (int i = 0; i < 6; ++i)
        t.data[std::size_t(i)] = vals[i];
    write_npy(dir.file("t.npy"), t);
    LoadedTensor back = read_npy(dir.file("t.npy"));
    CHECK(back.tensor.shape == t.shape);
    CHECK(hex_join(back.tensor) == hex_join(t));
    CHECK(back.note.empty());

    Tensor scalar(Shape{}, 4.5f);
    write_npy(dir.file("s.npy"), scalar);
    CHECK(read_npy(dir.file("s.npy")).tensor.shape == Shape{});
    CHECK(read_npy(dir.file("s.npy")).tensor.data.at(0) == 4.5f);
    Tensor empty(Shape{0, 3});
    write_npy(dir.file("e.npy"), empty);
    CHECK(read_npy(dir.file("e.npy")).tensor.shape == Shape{0, 3});
    CHECK_THAT(read_bytes(dir.file("e.npy")), Contains("'shape': (0, 3), }"));
    Tensor one(Shape{5}, 1.0f);
    write_npy(dir.file("one.npy"), one);
    CHECK_THAT(read_bytes(dir.file("one.npy")), Contains("'shape': (5,), }"));

    // int64 indices.
    IndexTensor idx({1, 1, 2, 2});
    idx.data = {5, 7, 13, 15};
    write_npy(dir.file("idx.npy"), idx);
    const std::string bytes = read_bytes(dir.file("idx.npy"));
    CHECK(bytes.size() % 64 == 32); // 64-byte header + 4 x 8 bytes
    CHECK_THAT(bytes,
               Contains("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 1, 2, 2), }"));
    LoadedTensor ib = read_npy(dir.file("idx.npy"));
    CHECK(ib.note == "converted from int64");
    CHECK(ib.tensor.data[2] == 13.0f);

    // Overwrites atomically and leaves no temp files behind.
    write_npy(dir.file("t.npy"), one);
    CHECK(read_npy(dir.file("t.npy")).tensor.shape == Shape{5});
    std::vector<std::string> names = dir.entries();
    for (const std::string& n : names)
        CHECK(n.find(".tmp") == std::string::npos);
    CHECK(names.size() == 7);

    // A directory that does not exist: an error naming the file.
    const std::string bad = dir.file("no_dir/x.npy");
    CHECK_THAT(usage_error([&] { write_npy(bad, one); }), Contains("cannot write '" + bad + "'"));
    CHECK(dir.entries().size() == 7);
}

// ---- safetensors ----------------------------------------------------------------------------

TEST_CASE("read_safetensors reads every dtype of a state_dict file", "[tensor_io]") {
    json fx = load_json("safetensors.json");
    auto got = read_safetensors(data_dir() + "/" + fx.at("file").get<std::string>());
    const json& expected = fx.at("tensors");
    CHECK(got.size() == expected.size());
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        CAPTURE(it.key());
        REQUIRE(got.count(it.key()) == 1);
        const LoadedTensor& t = got.at(it.key());
        CHECK(t.tensor.shape == it.value().at("shape").get<Shape>());
        CHECK(hex_join(t.tensor) == it.value().at("values").get<std::string>());
        CHECK(t.note == it.value().at("note").get<std::string>());
    }
    REQUIRE(got.count("1.num_batches_tracked") == 1);
    CHECK(got.at("1.num_batches_tracked").tensor.shape == Shape{});
    CHECK(got.at("1.num_batches_tracked").tensor.data.at(0) == 1.0f);
    CHECK(got.at("1.num_batches_tracked").note == "converted from int64");
}

TEST_CASE("read_safetensors rejects malformed files with clear errors", "[tensor_io]") {
    TempDir dir;
    const std::string f = dir.file("m.safetensors");
    auto err = [&](const std::string& bytes) {
        write_bytes(f, bytes);
        return usage_error([&] { read_safetensors(f); });
    };
    const std::string eight(8, '\0');
    CHECK_THAT(err("abc"), Contains("fewer than the 8-byte header length"));
    CHECK_THAT(err(le64(200u * 1024u * 1024u) + "{}"), Contains("over the 100 MB limit"));
    CHECK_THAT(err(le64(50) + "{}"), Contains("is truncated: its header length is 50"));
    CHECK_THAT(err(safetensors_bytes("{\"a\": ", "")), Contains("not valid JSON"));
    CHECK_THAT(err(safetensors_bytes("[1, 2]", "")), Contains("not a JSON object"));
    // Found by fuzzing: a number too large for a double threw out_of_range past the reader.
    CHECK_THAT(err(safetensors_bytes(R"({"a": 9999e999})", "")), Contains("not valid JSON"));
    CHECK_THAT(err(safetensors_bytes(
                   R"({"a": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}})", eight)),
               Contains("tensor 'a' of unsupported dtype C64"));
    CHECK_THAT(err(safetensors_bytes(R"({"a": {"dtype": "F32", "shape": [2]}})", eight)),
               Contains("tensor 'a' has no data_offsets"));
    CHECK_THAT(err(safetensors_bytes(
                   R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 12]}})", eight)),
               Contains("tensor 'a' has data_offsets [0,12] but the data section has 8 bytes"));
    CHECK_THAT(err(safetensors_bytes(
                   R"({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", eight)),
               Contains("tensor 'a' of shape [3] and dtype F32 needs 12 bytes but data_offsets "
                        "[0,8] hold 8"));
    CHECK_THAT(err(safetensors_bytes(
                   R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}})", eight)),
               Contains("end before they begin"));
    CHECK_THAT(err(safetensors_bytes(
                   R"({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", eight)),
               Contains("shape must hold non-negative integers"));
    CHECK_THAT(err(safetensors_bytes(R"({"a": {"dtype": "F32", "shape": [2], )"
                                     R"("data_offsets": [0, 8]}, "b": {"dtype": "I32", )"
                                     R"("shape": [1], "data_offsets": [4, 8]}})",
                                     eight)),
               Contains("tensors 'a' and 'b' overlap"));
    CHECK_THAT(err(safetensors_bytes(R"({"__metadata__": 3})", "")),
               Contains("__metadata__ is not an object"));
    CHECK_THAT(err(safetensors_bytes(R"({"a": 3})", "")), Contains("tensor 'a' is not an object"));
    CHECK_THAT(usage_error([&] { read_safetensors(dir.file("none.safetensors")); }),
               Contains("cannot open"));

    // Fine: padding spaces after the JSON, metadata, empty tensors sharing an offset, BF16.
    write_bytes(f, safetensors_bytes(R"({"__metadata__": {"format": "pt"}, )"
                                     R"("e": {"dtype": "F32", "shape": [0, 2], )"
                                     R"("data_offsets": [2, 2]}, "h": {"dtype": "BF16", )"
                                     R"("shape": [2], "data_offsets": [0, 4]}}   )",
                                     std::string("\x80\x3f\x20\xc1", 4)));
    auto got = read_safetensors(f);
    REQUIRE(got.size() == 2);
    CHECK(got.at("e").tensor.shape == Shape{0, 2});
    CHECK(got.at("h").tensor.data == std::vector<float, AlignedAllocator<float>>{1.0f, -10.0f});
    CHECK(got.at("h").note == "converted from bfloat16");
}

// ---- literals -------------------------------------------------------------------------------

TEST_CASE("parse_tensor_literal gives the floats torch.tensor gives", "[tensor_io]") {
    json fx = load_json("literal.json");
    for (const json& c : fx.at("cases")) {
        std::string text = c.at("text").get<std::string>();
        CAPTURE(text);
        Tensor t = parse_tensor_literal(text);
        CHECK(t.shape == c.at("shape").get<Shape>());
        CHECK(hex_join(t) == c.at("values").get<std::string>());
    }
    CHECK(parse_tensor_literal("[[[[1.0, 2.0], [3.0, 4.0]]]]").shape == Shape{1, 1, 2, 2});
    CHECK(parse_tensor_literal(" 7 ").shape == Shape{});
    CHECK(parse_tensor_literal("(5)").shape == Shape{});   // Python grouping
    CHECK(parse_tensor_literal("(5,)").shape == Shape{1}); // a tuple
}

TEST_CASE("parse_tensor_literal names the position of what is wrong", "[tensor_io]") {
    auto err = [](const std::string& text) {
        return usage_error([&] { parse_tensor_literal(text); });
    };
    CHECK_THAT(err("[[[1, 2], [3, 4, 5]]]"), Contains("[0][1] has 3 elements but [0][0] has 2"));
    CHECK_THAT(err("[[1, 2], [3, 4, 5]]"), Contains("[1] has 3 elements but [0] has 2"));
    CHECK_THAT(err("[[[1, 2], [3, 4]], [[5, 6], [7]]]"),
               Contains("[1][1] has 1 element but [0][1] has 2"));
    CHECK_THAT(err("[1, [2]]"), Contains("[1] is a list but [0] is a number"));
    CHECK_THAT(err("[[1], 2]"), Contains("[1] is a number but [0] is a list"));
    CHECK_THAT(err("[[1, 2], [3, abc]]"), Contains("[1][1] is not a number: 'abc'"));
    CHECK_THAT(err("[1, true]"), Contains("[1] is not a number: 'true'"));
    CHECK_THAT(err("[1, 2"), Contains("missing ']'"));
    CHECK_THAT(err("[1 2]"), Contains("expected ',' or ']' after [0], found '2' (column 4)"));
    CHECK_THAT(err("[1,, 2]"), Contains("expected a number or a list for [1], found ','"));
    CHECK_THAT(err("[1, 2)"), Contains("found ')'"));
    CHECK_THAT(err("[1]\n x"), Contains("after the end (line 2, column 2)"));
    CHECK_THAT(err(""), Contains("it is empty"));
    CHECK_THAT(err("1e"), Contains("the literal is not a number: '1e'"));
    CHECK_THAT(err("[--1]"), Contains("[0] is not a number"));
    CHECK_THAT(err(std::string(100, '[') + std::string(100, ']')), Contains("nests deeper"));
}

TEST_CASE("read_tensor_literal reads torch.tensor(...) code as PyTorch evaluates it",
          "[tensor_io]") {
    json fx = load_json("literal_code.json");
    REQUIRE(fx.at("cases").size() >= 20);
    for (const json& c : fx.at("cases")) {
        std::string text = c.at("text").get<std::string>();
        CAPTURE(text);
        LoadedTensor t = read_tensor_literal(text);
        CHECK(t.tensor.shape == c.at("shape").get<Shape>());
        CHECK(hex_join(t.tensor) == c.at("values").get<std::string>());
        // A note exactly when PyTorch's tensor is not the float32 one cnnshape runs.
        bool float32 = c.at("dtype") == "float32";
        CHECK(t.note.empty() == float32);
        if (!float32) CHECK_THAT(t.note, Contains("float32"));
    }
}

TEST_CASE("tensor literals as print(tensor) writes them", "[tensor_io]") {
    LoadedTensor t = read_tensor_literal("tensor([[ 1.5410, -0.2934]], grad_fn=<ReluBackward0>)");
    CHECK(t.tensor.shape == Shape{1, 2});
    CHECK(t.tensor.data[0] == 1.5410f);
    CHECK_THAT(t.note, Contains("rounds them to 4 decimals"));
    LoadedTensor ints = read_tensor_literal("tensor([[1, 2],\n        [3, 4]])");
    CHECK(ints.tensor.shape == Shape{2, 2});
    CHECK_THAT(ints.note, Contains("int64"));
    LoadedTensor exact = read_tensor_literal("tensor([1., 2.], dtype=torch.float64)");
    CHECK_THAT(exact.note, Contains("float64"));
    CHECK_THAT(exact.note, !Contains("decimals"));
    CHECK(read_tensor_literal("tensor([[6., 8.]], requires_grad=True)").note.empty());
}

TEST_CASE("bad tensor code names the position", "[tensor_io]") {
    auto err = [](const std::string& text) {
        return usage_error([&] { read_tensor_literal(text); });
    };
    CHECK_THAT(err("torch.tensor([[1., 2.],, [3., 4.]])"),
               Contains("expected a number or a list for [1], found ',' (column 24)"));
    CHECK_THAT(err("torch.tensor([[1., 2.], [3.]])"),
               Contains("[1] has 1 element but [0] has 2 (column 25)"));
    CHECK_THAT(err("[[1., 2.],\n [3., [4.]]]"),
               Contains("[1][1] is a list but [0][1] is a number (line 2, column 7)"));
    CHECK_THAT(err("torch.tensor([1.]"), Contains("missing ')'"));
    CHECK_THAT(err("torch.tensor([1.]) x"), Contains("unexpected 'x' after the end (column 20)"));
    CHECK_THAT(err("torch.tensor()"), Contains("torch.tensor() needs the values"));
    CHECK_THAT(err("x = "), Contains("nothing follows the '='"));
    CHECK_THAT(err("torch.zeros([1.])"),
               Contains("'torch.zeros(' is not a tensor constructor cnnshape reads"));
    CHECK_THAT(err("torch.tensor([1.], foo=1)"),
               Contains("torch.tensor() keyword 'foo' is not read: cnnshape reads dtype=, "
                        "requires_grad= and device= (column 20)"));
    CHECK_THAT(err("torch.tensor([1.], 2)"),
               Contains("takes the values and then keyword arguments only"));
    CHECK_THAT(err("torch.tensor([1.], dtype=torch.float16)"),
               Contains("dtype=torch.float16 is not read"));
    CHECK_THAT(err("torch.tensor([1.], dtype=float)"), Contains("must be a torch dtype"));
    CHECK_THAT(err("torch.Tensor([1.], dtype=torch.float32)"),
               Contains("torch.Tensor() takes no dtype"));
    CHECK_THAT(err("torch.tensor([1.], requires_grad=1)"), Contains("True or False"));
    // PyTorch's own errors for values an integer dtype cannot hold.
    CHECK_THAT(err("torch.tensor([127.5], dtype=torch.int8)"),
               Contains("value cannot be converted to type int8 without overflow"));
    CHECK_THAT(err("torch.tensor([nan], dtype=torch.int64)"),
               Contains("value cannot be converted to type int64 without overflow"));
    CHECK_THAT(err("torch.tensor([9223372036854775808])"),
               Contains("Overflow when unpacking long"));
    CHECK_THAT(err("tensor([ 0.,  1.,  ..., 98., 99.])"), Contains("it is summarized ('...')"));
}

TEST_CASE("input_code tells tensor code from shapes and fills", "[tensor_io]") {
    CHECK_FALSE(input_code("1x3x8x8"));
    CHECK_FALSE(input_code("[1, 3, 8, 8]"));
    CHECK_FALSE(input_code("[[1.0, 2.0]]"));
    for (const char* t : {"torch.tensor([[1., 2.]])", "x = torch.Tensor([1])", "tensor([1.])",
                          "  input_tensor =torch.as_tensor([1.])", "torch.FloatTensor([1])"}) {
        CAPTURE(t);
        auto c = input_code(t);
        REQUIRE(c);
        CHECK(c->kind == InputCode::Literal);
    }
    auto size = input_code("torch.Size([1, 3, 8, 8])  # the batch");
    REQUIRE(size);
    CHECK(size->kind == InputCode::Shape);
    CHECK(size->sizes == "torch.Size([1, 3, 8, 8])");
    struct Fill {
        const char* text;
        const char* fill;
        const char* sizes;
    };
    for (Fill f : {Fill{"torch.randn(1, 1, 6, 6)", "randn", "(1, 1, 6, 6)"},
                   Fill{"input_data = torch.randn(2, 3, 32, 32)  # Batch size, channels", "randn",
                        "(2, 3, 32, 32)"},
                   Fill{"example = torch.rand(3, 110, 110);", "rand", "(3, 110, 110)"},
                   Fill{"torch.zeros((2, 3))", "zeros", "(2, 3)"},
                   Fill{"torch.ones([4],)", "ones", "[4]"}}) {
        CAPTURE(f.text);
        auto c = input_code(f.text);
        REQUIRE(c);
        CHECK(c->kind == InputCode::Fill);
        CHECK(c->fill == f.fill);
        CHECK(c->sizes == f.sizes);
    }
    auto err = [](const std::string& text) { return usage_error([&] { input_code(text); }); };
    CHECK_THAT(err("torch.arange(16.)"), Contains("not torch.arange(...)"));
    CHECK_THAT(err("torch.randn(1, 3, dtype=torch.float64)"),
               Contains("read without keyword arguments"));
    CHECK_THAT(err("torch.randn(1, 3"), Contains("is not closed by ')'"));
    CHECK_THAT(err("torch.randn(1, 3).cuda()"), Contains("unexpected '.' after torch.randn(...)"));
}

// ---- print ----------------------------------------------------------------------------------

TEST_CASE("format_torch prints exactly what torch 1.13 prints", "[tensor_io]") {
    json fx = load_json("print.json");
    const json& cases = fx.at("cases");
    REQUIRE(cases.size() >= 150);
    int floats = 0, ints = 0;
    for (const json& c : cases) {
        CAPTURE(c.at("name").get<std::string>());
        Shape shape = c.at("shape").get<Shape>();
        std::string expected = c.at("text").get<std::string>();
        if (c.at("dtype") == "int64") {
            IndexTensor t(shape);
            t.data.assign(c.at("values").begin(), c.at("values").end());
            CHECK(format_torch(t) == expected);
            ++ints;
        } else {
            Tensor t = tensor_from_hex(shape, c.at("values").get<std::string>());
            CHECK(format_torch(t) == expected);
            ++floats;
        }
    }
    CHECK(ints >= 10);
    CHECK(floats >= 140);
}

TEST_CASE("format_torch on the pooling tutorial", "[tensor_io]") {
    Tensor out({1, 1, 2, 2});
    out.data = {6.0f, 8.0f, 14.0f, 16.0f};
    CHECK(format_torch(out) == "tensor([[[[ 6.,  8.],\n          [14., 16.]]]])");
    IndexTensor idx({1, 1, 2, 2});
    idx.data = {5, 7, 13, 15};
    CHECK(format_torch(idx) == "tensor([[[[ 5,  7],\n          [13, 15]]]])");
    CHECK(format_torch(Tensor(Shape{}, 3.0f)) == "tensor(3.)");
    CHECK(format_torch(Tensor(Shape{0, 3})) == "tensor([], size=(0, 3))");
    CHECK(format_torch(IndexTensor(Shape{0})) == "tensor([], dtype=torch.int64)");
}
