// JSON as one line: no indentation, non-ASCII not escaped, invalid UTF-8 replaced by U+FFFD (never
// a throw from inside a message or a report). Every compact JSON text cnnshape writes (reports,
// messages, golden-tested outputs) comes from these two functions, so they all agree byte for byte.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace cnnshape {

inline std::string compact_json(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline std::string compact_json(const nlohmann::ordered_json& j) {
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

} // namespace cnnshape
