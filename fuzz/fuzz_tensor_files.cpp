// The tensor readers: .npy and safetensors files (the first input byte picks which), and tensor
// literals (also as torch.tensor(...) code, which input_code sorts from torch.randn(...) fills);
// every accepted tensor is also printed in PyTorch's format.
#include "cnnshape/tensor_io.hpp"
#include "fuzz_common.hpp"
#include <cstdio>
#include <fstream>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::string body = fuzzing::text_of(data + 1, size - 1);
    int which = data[0] % 3;
    try {
        if (which == 2) {
            (void)cnnshape::input_code(body);
            cnnshape::Tensor t = cnnshape::parse_tensor_literal(body);
            if (t.size() <= 4096) (void)cnnshape::format_torch(t);
            return 0;
        }
        static const std::string path =
            "/tmp/cnnshape-fuzz-" + std::to_string(getpid()) + (which == 0 ? ".npy" : ".st");
        std::ofstream(path, std::ios::binary | std::ios::trunc) << body;
        if (which == 0) {
            auto t = cnnshape::read_npy(path);
            if (t.tensor.size() <= 4096) (void)cnnshape::format_torch(t.tensor);
        } else {
            (void)cnnshape::read_safetensors(path);
        }
    } catch (const cnnshape::UsageError&) {
    }
    return 0;
}
