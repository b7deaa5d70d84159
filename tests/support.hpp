// Helpers shared by the layer and spec unit tests: build a network, plan it, and catch the typed
// errors the engine throws.
#pragma once
#include "cnnshape/error.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cnnshape_test {

using cnnshape::Shape;

// The fixture families of tests/data/SUBDIR: the stems of its *.json files, sorted, less
// `except`. Tests iterate these instead of a hand-kept list, so a new fixture file is never left
// unchecked.
inline std::vector<std::string> fixture_families(const std::string& subdir,
                                                 const std::vector<std::string>& except = {}) {
    std::vector<std::string> r;
    for (auto& e :
         std::filesystem::directory_iterator(std::string(CNNSHAPE_TEST_DATA) + "/" + subdir)) {
        if (e.path().extension() != ".json") continue;
        std::string stem = e.path().stem().string();
        if (std::find(except.begin(), except.end(), stem) == except.end()) r.push_back(stem);
    }
    std::sort(r.begin(), r.end());
    return r;
}

// network_from_exprs + make_plan, in the given mode.
inline cnnshape::Plan plan_exprs(const std::vector<std::string>& exprs, const Shape& input,
                                 cnnshape::Mode mode = cnnshape::Mode::Eval) {
    cnnshape::Network net = cnnshape::network_from_exprs(exprs);
    net.mode = mode;
    return cnnshape::make_plan(net, input);
}

// load_spec_json + make_plan with the spec's own "input".
inline cnnshape::Plan plan_json(const std::string& text) {
    cnnshape::Network net = cnnshape::load_spec_json(text);
    REQUIRE(net.input.has_value());
    return cnnshape::make_plan(net, *net.input);
}

// Runs f, which must throw E, and returns the error.
template <class E>
E expect_error(const std::function<void()>& f) {
    try {
        f();
    } catch (const E& e) {
        return e;
    }
    FAIL("the expected error was not thrown");
    throw std::logic_error("unreachable");
}

inline cnnshape::LayerError layer_error(const std::vector<std::string>& exprs, const Shape& input,
                                        cnnshape::Mode mode = cnnshape::Mode::Eval) {
    return expect_error<cnnshape::LayerError>([&] { plan_exprs(exprs, input, mode); });
}

inline cnnshape::SpecError spec_error(const std::function<void()>& f) {
    return expect_error<cnnshape::SpecError>(f);
}

inline bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Standard base64 (the run fixtures' tensors), '=' padding ignored.
inline std::string unbase64(const std::string& in) {
    static const std::string chars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned buf = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=') break;
        auto p = chars.find(c);
        if (p == std::string::npos) continue;
        buf = (buf << 6) | unsigned(p);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(char((buf >> bits) & 0xff));
        }
    }
    return out;
}

} // namespace cnnshape_test
