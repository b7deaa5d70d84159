// Matmul (torch.matmul) and Bmm (torch.bmm), with PyTorch 1.13's rules and messages
// (aten/src/ATen/native/LinearAlgebra.cpp, _matmul_impl). matmul sends 1-D x 1-D to dot, 2-D x 1-D
// to mv, 1-D/2-D x 2-D to mm; a >= 3-D operand against a 1-D or 2-D one is folded into one mm or
// mv (the batch of the larger one merged into its rows; when the right one is larger, it is
// transposed first, so the message names the transposed shapes); two >= 3-D operands broadcast
// their batch dims (at::infer_size) and go to bmm. cnnshape's tensors are contiguous, so the
// fold is always taken where PyTorch's should_fold allows it for contiguous tensors.
// No parameters; MACs = output elements x K (the contracted size).
#include "layers/common.hpp"
#include <algorithm>

namespace cnnshape::detail {
namespace {

std::int64_t prod(const Shape& s, std::size_t from, std::size_t to) {
    std::int64_t p = 1;
    for (std::size_t i = from; i < to; ++i)
        p = checked_mul(p, s[i]);
    return p;
}

// Matrix strides of an operand whose batch dims `own` are right-aligned to `batch`: the step
// between its matrices (of `mat` elements) per batch dim, 0 where it broadcasts.
IntList batch_strides(const Shape& own, const Shape& batch, std::int64_t mat) {
    IntList st(batch.size(), 0);
    std::int64_t acc = mat;
    for (std::size_t i = 0; i < own.size(); ++i) {
        std::size_t src = own.size() - 1 - i, dst = batch.size() - 1 - i;
        st[dst] = own[src] == 1 ? 0 : acc;
        acc *= own[src];
    }
    return st;
}

std::string mm_error(std::int64_t r1, std::int64_t c1, std::int64_t r2, std::int64_t c2) {
    return fmt::format("mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})", r1, c1, r2,
                       c2);
}
std::string mv_error(std::int64_t rows, std::int64_t cols, std::int64_t len) {
    return fmt::format("size mismatch, got {}, {}x{},{}", rows, rows, cols, len);
}

struct MatmulLayer : Layer {
    bool bmm;
    MatmulLayer(Args a, bool is_bmm) : Layer(std::move(a)), bmm(is_bmm) {}
    InputCount input_count() const override { return {2, 2}; }
    std::string inputs_hint() const override {
        return fmt::format(" (torch.{}(input, mat2): the first input times the second)",
                           bmm ? "bmm" : "matmul");
    }

    LayerOutput infer(const std::vector<Shape>& inputs, const InferContext&,
                      Lowering& lower) const override {
        const Shape& a = inputs.at(0);
        const Shape& b = inputs.at(1);
        const std::size_t da = a.size(), db = b.size();
        MatmulDesc d;
        LayerOutput out;
        if (bmm) {
            if (da != 3) throw ShapeError("batch1 must be a 3D tensor");
            if (db != 3) throw ShapeError("batch2 must be a 3D tensor");
            if (b[0] != a[0] || b[1] != a[2])
                throw ShapeError(fmt::format("Expected size for first two dimensions of batch2 "
                                             "tensor to be: [{}, {}] but got: [{}, {}].",
                                             a[0], a[2], b[0], b[1]));
            d.batch = {a[0]};
            d.m = a[1], d.k = a[2], d.n = b[2];
            d.a_stride = {checked_mul(d.m, d.k)};
            d.b_stride = {checked_mul(d.k, d.n)};
            out.shape = {a[0], a[1], b[2]};
        } else {
            if (da == 0 || db == 0)
                throw ShapeError(fmt::format("both arguments to matmul need to be at least 1D, "
                                             "but they are {}D and {}D",
                                             da, db));
            if (da == 1 && db == 1) { // dot
                if (a[0] != b[0])
                    throw ShapeError(fmt::format("inconsistent tensor size, expected tensor [{}] "
                                                 "and src [{}] to have the same number of "
                                                 "elements, but got {} and {} elements "
                                                 "respectively",
                                                 a[0], b[0], a[0], b[0]));
                d.k = a[0];
                out.shape = {};
            } else if (da == 2 && db == 1) { // mv
                if (a[1] != b[0]) throw ShapeError(mv_error(a[0], a[1], b[0]));
                d.m = a[0], d.k = a[1];
                out.shape = {a[0]};
            } else if (da == 1 && db == 2) { // unsqueeze(0).mm
                if (a[0] != b[0]) throw ShapeError(mm_error(1, a[0], b[0], b[1]));
                d.k = a[0], d.n = b[1];
                out.shape = {b[1]};
            } else if (da == 2 && db == 2) { // mm
                if (a[1] != b[0]) throw ShapeError(mm_error(a[0], a[1], b[0], b[1]));
                d.m = a[0], d.k = a[1], d.n = b[1];
                out.shape = {a[0], b[1]};
            } else if (da >= 3 && db <= 2) { // a's batch folded into its rows
                const std::int64_t rows = prod(a, 0, da - 1), kk = a[da - 1];
                if (db == 2 && kk != b[0]) throw ShapeError(mm_error(rows, kk, b[0], b[1]));
                if (db == 1 && kk != b[0]) throw ShapeError(mv_error(rows, kk, b[0]));
                d.batch = Shape(a.begin(), a.end() - 2);
                d.m = a[da - 2], d.k = kk, d.n = db == 2 ? b[1] : 1;
                d.a_stride = batch_strides(d.batch, d.batch, checked_mul(d.m, d.k));
                d.b_stride = IntList(d.batch.size(), 0);
                out.shape = Shape(a.begin(), a.end() - 1);
                if (db == 2) out.shape.push_back(b[1]);
            } else if (db >= 3 && da <= 2) { // b transposed, its batch folded into its columns
                const std::int64_t rows = checked_mul(prod(b, 0, db - 2), b[db - 1]);
                const std::int64_t kk = b[db - 2];
                if (da == 2 && kk != a[1]) throw ShapeError(mm_error(rows, kk, a[1], a[0]));
                if (da == 1 && kk != a[0]) throw ShapeError(mv_error(rows, kk, a[0]));
                d.batch = Shape(b.begin(), b.end() - 2);
                d.m = da == 2 ? a[0] : 1, d.k = kk, d.n = b[db - 1];
                d.a_stride = IntList(d.batch.size(), 0);
                d.b_stride = batch_strides(d.batch, d.batch, checked_mul(d.k, d.n));
                out.shape = d.batch;
                if (da == 2) out.shape.push_back(a[0]);
                out.shape.push_back(b[db - 1]);
            } else { // both >= 3-D: broadcast batches, then bmm
                const Shape ba(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
                d.batch = broadcast(ba, bb);
                const std::int64_t batches = prod(d.batch, 0, d.batch.size());
                if (a[da - 1] != b[db - 2])
                    throw ShapeError(fmt::format("Expected size for first two dimensions of "
                                                 "batch2 tensor to be: [{}, {}] but got: [{}, "
                                                 "{}].",
                                                 batches, a[da - 1], batches, b[db - 2]));
                d.m = a[da - 2], d.k = a[da - 1], d.n = b[db - 1];
                d.a_stride = batch_strides(ba, d.batch, checked_mul(d.m, d.k));
                d.b_stride = batch_strides(bb, d.batch, checked_mul(d.k, d.n));
                out.shape = d.batch;
                out.shape.push_back(d.m);
                out.shape.push_back(d.n);
            }
        }
        out.macs = checked_mul(numel(out.shape), d.k);
        // The output's last dim is no longer the input's: no per-axis field survives.
        out.rf = RfEffect::Drop;
        lower.exec = std::move(d);
        return out;
    }
    std::string brief() const override { return type(); }
};

LayerPtr make_matmul(Args a) {
    return std::make_shared<MatmulLayer>(std::move(a), false);
}
LayerPtr make_bmm(Args a) {
    return std::make_shared<MatmulLayer>(std::move(a), true);
}

} // namespace

void register_matmul(std::vector<LayerType>& r) {
    r.push_back({"Matmul", {}, false, "merge", make_matmul, {"torch.matmul"}});
    r.push_back({"Bmm", {}, false, "merge", make_bmm, {"torch.bmm"}});
}

} // namespace cnnshape::detail
