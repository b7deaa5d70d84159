// What the explanations of every op share (src/analysis/explain.cpp defines them; each op's
// explain.cpp uses them): axis names, the wording of windows and the check that a printed formula
// gives the Plan's number. Include rule: only explain code includes this.
#pragma once
#include "cnnshape/checked.hpp"
#include "cnnshape/explain.hpp"
#include "cnnshape/report.hpp"
#include "cnnshape/rules.hpp"
#include "words.hpp"
#include <cstdint>
#include <fmt/format.h>
#include <string>
#include <vector>

namespace cnnshape::explain_detail {

constexpr std::int64_t kMaxWalk = std::int64_t(1) << 22; // axis lengths we walk window by window

using words::join;
using words::noun;

std::vector<std::string> axis_names(std::size_t nd);
// "row", "row and column", "rows and columns"
std::string group_noun(const std::vector<std::string>& axes, bool plural);
// "H_out = W_out = "
std::string lhs(const std::vector<std::string>& axes);
std::string indices(std::int64_t a, std::int64_t b);
// A number inside a sum: negative values in parentheses.
std::string term(std::int64_t v);
Shape trailing(const Shape& s, std::size_t n);
// Throws std::logic_error when the formula explain prints disagrees with the Plan.
void check_equal(std::int64_t formula, std::int64_t planned, const LayerPlan& l,
                 const std::string& what);

// Axes that share every number are explained once.
template <class Key>
std::vector<std::vector<std::size_t>> group_axes(const std::vector<Key>& keys) {
    std::vector<std::vector<std::size_t>> groups;
    std::vector<bool> done(keys.size(), false);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (done[i]) continue;
        std::vector<std::size_t> g{i};
        for (std::size_t j = i + 1; j < keys.size(); ++j)
            if (!done[j] && keys[j] == keys[i]) g.push_back(j), done[j] = true;
        groups.push_back(g);
    }
    return groups;
}

struct Window1d {
    std::int64_t in, out, k, s, pad_l, pad_r, d;
    bool operator==(const Window1d& o) const {
        return in == o.in && out == o.out && k == o.k && s == o.s && pad_l == o.pad_l &&
               pad_r == o.pad_r && d == o.d;
    }
};

// Notes on the input positions no window reads.
void coverage_notes(std::vector<std::string>& notes, const Window1d& w,
                    const std::vector<std::string>& axes, bool floor_rounding);

// The generic line for a layer whose op has nothing more to say: "Type: 1x3x8x8 -> 1x3x8x8".
void explain_generic(LayerExplanation& e, const LayerPlan& l);

} // namespace cnnshape::explain_detail
