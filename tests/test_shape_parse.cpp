// Tests for reading and printing shapes.
#include "cnnshape/error.hpp"
#include "cnnshape/shape.hpp"

#include <catch2/catch.hpp>

#include <cctype>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

using namespace cnnshape;

TEST_CASE("parse_shape accepts the usual spellings", "[shape]") {
    auto [text, expected] = GENERATE(table<std::string, Shape>({
        {"1x3x32x32", {1, 3, 32, 32}},
        {"1X3X32X32", {1, 3, 32, 32}},
        {"1 x 3 x 32 x 32", {1, 3, 32, 32}},
        {"1,3,32,32", {1, 3, 32, 32}},
        {"1, 3, 32, 32", {1, 3, 32, 32}},
        {"1, 3, 32, 32,", {1, 3, 32, 32}},
        {"[1, 3, 32, 32]", {1, 3, 32, 32}},
        {"[1,3,32,32]", {1, 3, 32, 32}},
        {"[ 1 , 3 , 32 , 32 , ]", {1, 3, 32, 32}},
        {"(1, 3, 32, 32)", {1, 3, 32, 32}},
        {"torch.Size([1, 3, 32, 32])", {1, 3, 32, 32}},
        {"torch.Size([16, 26, 26])", {16, 26, 26}},
        {"torch.Size( [2, 4] )", {2, 4}},
        {"torch.Size((2, 4))", {2, 4}},
        {"(3,)", {3}},
        {"[3]", {3}},
        {"10", {10}},
        {"  10  ", {10}},
        {"\t[1, 3, 32, 32]\n", {1, 3, 32, 32}},
        {" 1x3x32x32\r\n", {1, 3, 32, 32}},
        {"0", {0}},
        {"0x3x0", {0, 3, 0}},
        {"0x10", {0, 10}},
        {"+5", {5}},
        {"-0", {0}},
        {"007", {7}},
        {"9223372036854775807", {std::numeric_limits<std::int64_t>::max()}},
        {"1x9223372036854775807", {1, std::numeric_limits<std::int64_t>::max()}},
        {"1,2,3,4,5,6,7,8", {1, 2, 3, 4, 5, 6, 7, 8}},
        // a 0-d tensor, spelt as Python prints or builds its shape
        {"[]", {}},
        {"()", {}},
        {" [ ] ", {}},
        {"( )", {}},
        {"torch.Size([])", {}},
        {"torch.Size(())", {}},
        {"torch.Size()", {}},
        {"torch.Size( [ ] )", {}},
    }));
    CAPTURE(text);
    CHECK(parse_shape(text) == expected);
}

TEST_CASE("parse_shape rejects bad text naming it and why", "[shape]") {
    auto [text, why] = GENERATE(table<std::string, std::string>({
        {"", "it is empty (a 0-d tensor's shape is [])"},
        {"[ , ]", "it has no sizes"},
        {"(,)", "it has no sizes"},
        {"torch.Size([,])", "it has no sizes"},
        {",", "it has no sizes"},
        {"1x-3", "size -3 is negative; sizes must be 0 or more"},
        {"-1", "size -1 is negative; sizes must be 0 or more"},
        {"[1, -3, 32]", "size -3 is negative; sizes must be 0 or more"},
        {"1x3.5", "'3.5' is not a whole number; sizes are non-negative integers"},
        {"1.0", "'1.0' is not a whole number; sizes are non-negative integers"},
        {"1e3", "'1e3' is not a whole number; sizes are non-negative integers"},
        {"abc", "'abc' is not a whole number; sizes are non-negative integers"},
        {"1x3xfoo", "'foo' is not a whole number; sizes are non-negative integers"},
        {"1 3 32", "'1 3 32' is not a whole number; sizes are non-negative integers"},
        {"1;3", "'1;3' is not a whole number; sizes are non-negative integers"},
        {"-", "'-' is not a size"},
        {"1x+", "'+' is not a size"},
        {"9223372036854775808", "size 9223372036854775808 does not fit in 64 bits"},
        {"1x99999999999999999999", "size 99999999999999999999 does not fit in 64 bits"},
        {"1x3,4", "mixes 'x' and ',' separators"},
        {"1x", "a size is missing between separators"},
        {"x1", "a size is missing between separators"},
        {"1xx3", "a size is missing between separators"},
        {"1,,3", "a size is missing between separators"},
        {",1", "a size is missing between separators"},
        {"[1,,3]", "a size is missing between separators"},
        {"[1, 2", "'[' is not closed by ']'"},
        {"(1, 2]", "'(' is not closed by ')'"},
        {"[[1, 2]]", "brackets cannot be nested"},
        {"[1x2]", "use commas inside brackets, not 'x'"},
        {"torch.Size([1, 2]", "'torch.Size(' is not closed by ')'"},
        {"torch.Size(1, 2)", "torch.Size(...) must hold a list such as [1, 3, 32, 32]"},
        {"1, 2]", "brackets do not match the forms [1, 3, 32, 32], (1, 3, 32, 32) or "
                  "torch.Size([1, 3, 32, 32])"},
        {"Size([1, 2])", "brackets do not match the forms [1, 3, 32, 32], (1, 3, 32, 32) or "
                         "torch.Size([1, 3, 32, 32])"},
    }));
    CAPTURE(text);
    try {
        parse_shape(text);
        FAIL("no UsageError for '" << text << "'");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()) == "invalid shape '" + text + "': " + why);
    }
}

TEST_CASE("parse_shape messages show the text trimmed and printable", "[shape]") {
    auto [text, message] = GENERATE(table<std::string, std::string>({
        {"  1x-3\n", "invalid shape '1x-3': size -3 is negative; sizes must be 0 or more"},
        {"\n", "invalid shape '': it is empty (a 0-d tensor's shape is [])"},
        {"\t \r\n", "invalid shape '': it is empty (a 0-d tensor's shape is [])"},
        {std::string("1x\0x3", 5),
         "invalid shape '1x?x3': '?' is not a whole number; sizes are non-negative integers"},
        {"1x\x01",
         "invalid shape '1x?': '?' is not a whole number; sizes are non-negative integers"},
        {"1,\x02",
         "invalid shape '1,?': '?' is not a whole number; sizes are non-negative integers"},
        {"1,\n2", ""},
    }));
    CAPTURE(text);
    if (message.empty()) {
        CHECK(parse_shape(text) == Shape{1, 2}); // blanks inside are fine
        return;
    }
    try {
        parse_shape(text);
        FAIL("no UsageError");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()) == message);
    }
}

TEST_CASE("shapes print in three spellings", "[shape]") {
    auto [shape, x, list, torch] = GENERATE(table<Shape, std::string, std::string, std::string>({
        {{1, 3, 32, 32}, "1x3x32x32", "[1, 3, 32, 32]", "torch.Size([1, 3, 32, 32])"},
        {{16, 26, 26}, "16x26x26", "[16, 26, 26]", "torch.Size([16, 26, 26])"},
        {{10}, "10", "[10]", "torch.Size([10])"},
        {{0, 5}, "0x5", "[0, 5]", "torch.Size([0, 5])"},
        {{}, "[]", "[]", "torch.Size([])"}, // 0-d: no 'x' spelling, so the list
    }));
    CHECK(shape_x(shape) == x);
    CHECK(shape_list(shape) == list);
    CHECK(shape_torch(shape) == torch);
    CHECK(parse_shape(x) == shape);
    CHECK(parse_shape(list) == shape);
    CHECK(parse_shape(torch) == shape);
}

TEST_CASE("numel is the overflow-checked product", "[shape]") {
    CHECK(numel({1, 3, 32, 32}) == 3072);
    CHECK(numel({}) == 1);
    CHECK(numel({7}) == 7);
    CHECK(numel({0, 1000000}) == 0);
    CHECK(numel({std::numeric_limits<std::int64_t>::max(), 1}) ==
          std::numeric_limits<std::int64_t>::max());
    CHECK(numel({1LL << 31, 1LL << 31}) == (1LL << 62));
    CHECK_THROWS_AS(numel({1LL << 32, 1LL << 32}), ShapeError);
    CHECK_THROWS_AS(numel({std::numeric_limits<std::int64_t>::max(), 2}), ShapeError);
    CHECK(numel({0, std::numeric_limits<std::int64_t>::max(), 2}) == 0);
}

TEST_CASE("parse_shape survives random text", "[shape]") {
    std::mt19937 rng(99);
    const std::string alphabet = "0123456789xX,[]() -+.torch.Size\t\n";
    for (int i = 0; i < 5000; ++i) {
        std::string s;
        int n = int(rng() % 24);
        for (int k = 0; k < n; ++k)
            s += rng() % 10 == 0 ? char(rng() % 256) : alphabet[rng() % alphabet.size()];
        CAPTURE(s);
        try {
            Shape sh = parse_shape(s);
            if (sh.empty()) { // only the 0-d spellings give no sizes
                std::string compact;
                for (char c : s)
                    if (!std::isspace(static_cast<unsigned char>(c))) compact += c;
                CHECK((compact == "[]" || compact == "()" || compact == "torch.Size([])" ||
                       compact == "torch.Size(())" || compact == "torch.Size()"));
            }
            for (auto d : sh)
                CHECK(d >= 0);
        } catch (const UsageError& e) {
            CAPTURE(e.what());
            CHECK(std::string(e.what()).rfind("invalid shape '", 0) == 0);
        }
    }
}
