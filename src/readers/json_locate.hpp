// Finding places in JSON text: the line and column of a value given its path
// ("layers[3].kernel_size"), and a nesting-depth guard run before parsing (the parser recurses).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace cnnshape::detail {

// Byte offset of the first character of the value at `path` ("" is the document; keys are
// joined with '.', indices written [i]), or nullopt if the text has no such value. Where a key is
// repeated, the last occurrence wins, as it does for the parser.
std::optional<std::size_t> json_locate(const std::string& text, const std::string& path);

// The first key repeated within one object of a valid JSON text: its offset and the key (decoded),
// or nullopt. (The parser keeps the last value silently; a spec should not say two things.)
std::optional<std::pair<std::size_t, std::string>> json_duplicate_key(const std::string& text);

// Offset of the first bracket nested deeper than `limit`, or nullopt.
std::optional<std::size_t> json_too_deep(const std::string& text, int limit);

// "line L, column C" (1-based; columns count bytes) of a byte offset.
std::string json_line_col(const std::string& text, std::size_t offset);

} // namespace cnnshape::detail
