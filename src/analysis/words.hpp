// Small text helpers explain and solve share when they write sentences about axes.
#pragma once
#include <string>
#include <vector>

namespace cnnshape::words {

// "row"/"rows" for H, "column" for W, "plane" for D, "position" otherwise.
inline std::string noun(const std::string& axis, bool plural) {
    std::string n = axis == "H"   ? "row"
                    : axis == "W" ? "column"
                    : axis == "D" ? "plane"
                                  : "position";
    return plural ? n + "s" : n;
}

inline std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? sep : "") + v[i];
    return s;
}

} // namespace cnnshape::words
