// PyTorch's CPU random numbers, bit for bit: torch.manual_seed(S) then torch.randn(n),
// torch.rand(n) and Tensor.uniform_(a, b), several calls on one generator, and the seeds
// torch.manual_seed takes. The expected
// floats (tests/data/tensors/random.json) were produced by Debian's torch 1.13 on x86-64 with
// AVX2 by tools/gen_tensor_fixtures.py.
#include "cnnshape/error.hpp"
#include "cnnshape/random.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using namespace cnnshape;
using nlohmann::json;

namespace {

json load_random_fixture() {
    std::ifstream in(std::string(CNNSHAPE_TEST_DATA) + "/tensors/random.json");
    REQUIRE(in.good());
    return json::parse(in);
}

std::string hex_of(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", u);
    return buf;
}

std::vector<std::string> hex_all(const std::vector<float>& v, std::size_t from, std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = from; i < from + n; ++i)
        out.push_back(hex_of(v[i]));
    return out;
}

std::string fnv1a64(const std::vector<float>& v) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (float f : v) {
        std::uint32_t u;
        std::memcpy(&u, &f, sizeof u);
        for (int b = 0; b < 4; ++b) {
            h ^= (u >> (8 * b)) & 0xffu;
            h *= 0x100000001b3ULL;
        }
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

// Runs one call ("randn", "rand" or "uniform") on g.
std::vector<float> run_call(TorchGenerator& g, const json& c) {
    std::int64_t n = c.at("n").get<std::int64_t>();
    std::vector<float> v(static_cast<std::size_t>(n));
    std::string fn = c.at("fn").get<std::string>();
    if (fn == "randn")
        fill_randn(g, v.data(), n);
    else if (fn == "rand")
        fill_rand(g, v.data(), n);
    else if (fn == "uniform")
        fill_uniform(g, v.data(), n, c.at("from").get<double>(), c.at("to").get<double>());
    else
        FAIL("unknown fn " << fn);
    return v;
}

// The values match the entry: every value, or the first and last 32 and the checksum.
void check_values(const std::vector<float>& v, const json& e) {
    if (e.contains("values")) {
        CHECK(hex_all(v, 0, v.size()) == e.at("values").get<std::vector<std::string>>());
    } else {
        REQUIRE(v.size() >= 32);
        CHECK(hex_all(v, 0, 32) == e.at("first").get<std::vector<std::string>>());
        CHECK(hex_all(v, v.size() - 32, 32) == e.at("last").get<std::vector<std::string>>());
        CHECK(fnv1a64(v) == e.at("fnv1a64").get<std::string>());
    }
}

} // namespace

TEST_CASE("mt19937 matches the reference sequence", "[random]") {
    // std::mt19937's 10000th output for the default seed 5489 is 4123659995 (C++ standard).
    TorchGenerator g(5489);
    std::uint32_t v = 0;
    for (int i = 0; i < 10000; ++i)
        v = g.random();
    CHECK(v == 4123659995u);
    // random64 combines two draws, the first as the high half.
    TorchGenerator a(7), b(7);
    std::uint64_t hi = a.random(), lo = a.random();
    CHECK(b.random64() == ((hi << 32) | lo));
    // Seeds use their low 32 bits, as torch.manual_seed does.
    TorchGenerator c((std::uint64_t(1) << 32) + 7), d(7);
    CHECK(c.random() == d.random());
}

TEST_CASE("randn, rand and uniform_ match torch 1.13 bit for bit", "[random]") {
    json fx = load_random_fixture();
    const json& cases = fx.at("cases");
    REQUIRE(cases.size() >= 300);
    for (const json& c : cases) {
        std::uint64_t seed = c.at("seed").get<std::uint64_t>();
        std::string range = c.contains("from") ? c["from"].dump() + ".." + c["to"].dump() : "";
        CAPTURE(c.at("fn").get<std::string>(), seed, c.at("n").get<std::int64_t>(), range);
        TorchGenerator g(seed);
        check_values(run_call(g, c), c);
    }
}

TEST_CASE("successive calls on one generator stay in sync with torch", "[random]") {
    json fx = load_random_fixture();
    const json& seqs = fx.at("sequences");
    REQUIRE(!seqs.empty());
    for (const json& s : seqs) {
        std::uint64_t seed = s.at("seed").get<std::uint64_t>();
        TorchGenerator g(seed);
        int i = 0;
        for (const json& c : s.at("calls")) {
            CAPTURE(seed, i, c.at("fn").get<std::string>(), c.at("n").get<std::int64_t>());
            check_values(run_call(g, c), c);
            ++i;
        }
    }
}

TEST_CASE("randn keeps the cached Box-Muller value in the generator", "[random]") {
    TorchGenerator g(3);
    CHECK(!g.next_double_normal.has_value());
    float one;
    fill_randn(g, &one, 1); // draws a pair: returns r cos, caches r sin
    CHECK(g.next_double_normal.has_value());
    fill_randn(g, &one, 1); // uses the cache
    CHECK(!g.next_double_normal.has_value());
    // The 16-wide path neither uses nor clears the cache.
    fill_randn(g, &one, 1);
    REQUIRE(g.next_double_normal.has_value());
    double cached = *g.next_double_normal;
    std::vector<float> big(40);
    fill_randn(g, big.data(), 40);
    REQUIRE(g.next_double_normal.has_value());
    CHECK(*g.next_double_normal == cached);
    fill_randn(g, &one, 1);
    CHECK(one == static_cast<float>(cached));
}

TEST_CASE("rand stays in [0, 1) and uniform_ in [from, to]", "[random]") {
    TorchGenerator g(99);
    std::vector<float> v(10000);
    fill_rand(g, v.data(), std::int64_t(v.size()));
    for (float x : v) {
        REQUIRE(x >= 0.0f);
        REQUIRE(x < 1.0f);
    }
    fill_uniform(g, v.data(), std::int64_t(v.size()), -0.25, 0.5);
    for (float x : v) {
        REQUIRE(x >= -0.25f);
        REQUIRE(x <= 0.5f);
    }
    fill_randn(g, v.data(), 0); // nothing to fill: fine
}

TEST_CASE("seeds: what torch.manual_seed takes, wraps and refuses", "[random]") {
    // random.json "manual_seed": initial_seed() and the first randn of torch.manual_seed(S), or
    // its error, for integers around the limits of int64 and uint64.
    json fx = load_random_fixture();
    const json& seeds = fx.at("manual_seed");
    REQUIRE(seeds.size() >= 15);
    int refused = 0, wrapped = 0;
    for (const json& s : seeds) {
        std::string text = s.at("seed").get<std::string>();
        CAPTURE(text);
        if (s.contains("error")) {
            ++refused;
            try {
                parse_manual_seed(text);
                FAIL("no UsageError");
            } catch (const UsageError& e) {
                CHECK_THAT(e.what(), Catch::Contains(s.at("error").get<std::string>()));
                CHECK_THAT(e.what(), Catch::Contains("seed " + text + " is out of range"));
            }
            continue;
        }
        std::uint64_t seed = parse_manual_seed(text);
        CHECK(std::to_string(seed) == s.at("initial_seed").get<std::string>());
        wrapped += text[0] == '-';
        TorchGenerator g(seed);
        float v;
        fill_randn(g, &v, 1);
        CHECK(hex_of(v) == s.at("randn").get<std::string>());
    }
    CHECK(refused >= 5);
    CHECK(wrapped >= 4);
    for (const char* bad : {"1.5", "abc", "", "0x10", "1e3", "-", "12 3"}) {
        CAPTURE(bad);
        CHECK_THROWS_WITH(parse_manual_seed(bad), Catch::Contains("is not an integer"));
    }
    CHECK(parse_manual_seed(" 42 ") == 42);
    CHECK(parse_manual_seed("+7") == 7);
}
