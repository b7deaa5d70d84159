// Shapes are concrete lists of int64 sizes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace cnnshape {

using Shape = std::vector<std::int64_t>;

// "1x3x32x32", "1,3,32,32", "[1, 3, 32, 32]", "(1, 3, 32, 32)", "torch.Size([1, 3, 32, 32])";
// a 0-d tensor is "[]", "()", "torch.Size([])" or "torch.Size()".
// Throws UsageError naming the text on anything else (negative sizes, junk, empty text).
Shape parse_shape(const std::string& text);

std::string shape_x(const Shape& s);     // 1x3x32x32 ([] for a 0-d tensor)
std::string shape_list(const Shape& s);  // [1, 3, 32, 32]  (PyTorch's IntArrayRef print)
std::string shape_torch(const Shape& s); // torch.Size([1, 3, 32, 32])
std::int64_t numel(const Shape& s);      // overflow-checked product

} // namespace cnnshape
