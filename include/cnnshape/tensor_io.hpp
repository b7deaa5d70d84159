// Reading and writing tensors: NumPy .npy, safetensors, literal nested lists, and PyTorch's
// print format. Readers throw UsageError naming the file and the problem; writers write a temp
// file and rename it, so an interrupted run never leaves a partial file.
#pragma once
#include "cnnshape/tensor.hpp"
#include <map>
#include <optional>
#include <string>

namespace cnnshape {

struct LoadedTensor {
    Tensor tensor;
    std::string note; // e.g. "converted from int64" when the file was not float32; empty otherwise
};

// .npy: float32, float64, integer and bool dtypes (converted to float32 with a note), C order,
// little-endian; a clear error for Fortran order, big-endian, object arrays, truncation.
LoadedTensor read_npy(const std::string& path);
void write_npy(const std::string& path, const Tensor& t);
void write_npy(const std::string& path, const IndexTensor& t); // int64 ('<i8')

// safetensors: every tensor in the file, by key, converted to float32 (F32, F64, F16, BF16,
// integer types; int64 tensors such as num_batches_tracked are kept as float values).
std::map<std::string, LoadedTensor> read_safetensors(const std::string& path);

// A literal nested list "[[[[1.0, 2.0], [3.0, 4.0]]]]" (or a .json file holding one), also
// written as PyTorch code or print() writes it: "x = torch.tensor([[1., 2.]],
// dtype=torch.float32)", "torch.Tensor([[1, 2]])", "tensor([[1.5410, 0.2934]])". Ragged lists,
// non-numbers and keywords it does not read are errors naming the position; the note says where
// PyTorch's dtype differs from the float32 cnnshape computes in (integers make int64 in
// torch.tensor).
LoadedTensor read_tensor_literal(const std::string& text);
Tensor parse_tensor_literal(const std::string& text); // read_tensor_literal(text).tensor

// What an --input text written as PyTorch code holds, after an optional "name = ": a tensor
// constructor (Literal: read it with read_tensor_literal), torch.Size([...]) (Shape: `sizes` is
// it, for parse_shape), or torch.randn/rand/zeros/ones(sizes) (Fill: `fill` is "randn", ...,
// `sizes` a shape text such as "(1, 3, 32, 32)"). nullopt when it is not a call; another torch
// call is a UsageError.
struct InputCode {
    enum Kind { Literal, Shape, Fill } kind = Literal;
    std::string fill, sizes;
};
std::optional<InputCode> input_code(const std::string& text);

// Exactly what print(tensor) prints in PyTorch for a float32 tensor with default print options
// (torch/_tensor_str.py: precision 4, threshold 1000, edgeitems 3, linewidth 80), e.g.
// "tensor([[[[ 6.,  8.],\n          [14., 16.]]]])".
std::string format_torch(const Tensor& t);
std::string format_torch(const IndexTensor& t);

} // namespace cnnshape
