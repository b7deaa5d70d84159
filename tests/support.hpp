// Helpers shared by the layer and spec unit tests: build a network, plan it, and catch the typed
// errors the engine throws.
#pragma once
#include "cnnshape/error.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/plan.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cnnshape_test {

using cnnshape::Shape;

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

} // namespace cnnshape_test
