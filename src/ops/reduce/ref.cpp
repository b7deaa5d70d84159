// Reductions. Sum (and Mean, the sum over one float division) reproduces PyTorch 1.13's CPU sum
// bit for bit with one thread: TensorIterator's loop order (reorder_dimensions, then
// coalesce_dimensions, then the 2-d inner loop over the two fastest dims) and, inside it, the
// cascade sums of aten/src/ATen/native/cpu/SumKernel.cpp with the 8-float vectors of its AVX2
// build, each vector lane written out as a float. Amax/Amin: the first of equal values (so the
// sign of a zero follows the walk), NaN wins.
#include "kernels/ref/ref.hpp"
#include <cmath>
#include <numeric>

namespace cnnshape::kernels::ref {
namespace {

using i64 = std::int64_t;

int ceil_log2(i64 x) { // c10::utils::CeilLog2
    if (x <= 2) return 1;
    int bits = 0;
    for (std::uint64_t v = std::uint64_t(x - 1); v; v >>= 1)
        ++bits;
    return bits;
}

// One column of multi_row_sum: n values x[i * s] in four levels of partial sums, the lower level
// folded into the next every 2^level_power values, so only values of similar magnitude meet.
float level_sum(const float* x, i64 n, i64 s) {
    const int power = std::max(4, ceil_log2(n) / 4);
    const i64 step = i64(1) << power, mask = step - 1;
    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    i64 i = 0;
    while (i + step <= n) {
        for (i64 j = 0; j < step; ++j, ++i)
            acc[0] += x[i * s];
        for (int j = 1; j < 4; ++j) {
            acc[j] += acc[j - 1];
            acc[j - 1] = 0.0f;
            if ((i & (mask << (j * power))) != 0) break;
        }
    }
    for (; i < n; ++i)
        acc[0] += x[i * s];
    for (int j = 1; j < 4; ++j)
        acc[0] += acc[j];
    return acc[0];
}

// row_sum: the row seen as (n / 4, 4), each column a level_sum, the leftovers added to column 0,
// then the columns added in order.
float row_sum(const float* x, i64 n, i64 s) {
    const i64 ilp = n / 4;
    float part[4];
    for (int k = 0; k < 4; ++k)
        part[k] = level_sum(x + k * s, ilp, 4 * s);
    for (i64 i = ilp * 4; i < n; ++i)
        part[0] += x[i * s];
    for (int k = 1; k < 4; ++k)
        part[0] += part[k];
    return part[0];
}

// vectorized_inner_sum's value for one contiguous row of n >= 8: lane l is row_sum over
// x[8i + l]; the scalar tail, then the eight lanes, are added to a zero in order.
float vector_row_sum(const float* x, i64 n) {
    const i64 nvec = n / 8;
    float lanes[8];
    for (int l = 0; l < 8; ++l)
        lanes[l] = row_sum(x + l, nvec, 8);
    float total = 0.0f;
    for (i64 k = nvec * 8; k < n; ++k)
        total += x[k];
    for (int l = 0; l < 8; ++l)
        total += lanes[l];
    return total;
}

// cascade_sum's 2-d loop: size0 x size1 elements, strides in elements (o: output, i: input);
// every result is added to the output it lands on, which starts at zero.
void sum_loop2d(float* out, const float* in, i64 o0, i64 i0, i64 o1, i64 i1, i64 size0, i64 size1) {
    if (o0 != 0 && o1 == 0) { // the reduction moves to the first dim
        std::swap(o0, o1);
        std::swap(i0, i1);
        std::swap(size0, size1);
    }
    if (o0 != 0 && o1 != 0) { // not a reduction: out + in
        for (i64 j = 0; j < size1; ++j)
            for (i64 i = 0; i < size0; ++i)
                out[j * o1 + i * o0] += in[j * i1 + i * i0];
        return;
    }
    const i64 os = o1;           // o0 == 0 here
    if (i0 == 1 && size0 >= 8) { // vectorized_inner_sum
        for (i64 j = 0; j < size1; ++j)
            out[j * os] += vector_row_sum(in + j * i1, size0);
    } else if (i1 == 1 && size1 >= 8) { // vectorized_outer_sum: 4 vectors, then 1, then scalars
        i64 j = 0;
        for (; j + 32 <= size1; j += 32)
            for (i64 c = j; c < j + 32; ++c)
                out[c * os] += level_sum(in + c, size0, i0);
        for (; j < size1; ++j)
            out[j * os] += row_sum(in + j, size0, i0);
    } else if (i0 < i1) { // scalar_inner_sum
        for (i64 j = 0; j < size1; ++j)
            out[j * os] += row_sum(in + j * i1, size0, i0);
    } else { // scalar_outer_sum: 4 columns at a time, then one
        i64 j = 0;
        for (; j + 3 < size1; j += 4)
            for (i64 c = j; c < j + 4; ++c)
                out[c * os] += level_sum(in + c * i1, size0, i0);
        for (; j < size1; ++j)
            out[j * os] += row_sum(in + j * i1, size0, i0);
    }
}

// PyTorch's contiguous strides (a size-0 dim counts as 1).
std::vector<i64> contiguous(const std::vector<i64>& s) {
    std::vector<i64> st(s.size(), 1);
    for (std::size_t i = s.size(); i-- > 1;)
        st[i - 1] = st[i] * std::max<i64>(s[i], 1);
    return st;
}

void torch_sum(const float* x, const Shape& xs, const ReduceDesc& d, float* y, i64 ny) {
    std::fill(y, y + ny, 0.0f);
    if (numel(xs) == 0) return;
    const std::size_t rank = xs.size();
    if (rank == 0) {
        y[0] += 0.0f + x[0];
        return;
    }
    std::vector<bool> red(rank, false);
    for (i64 dm : d.dims)
        red[std::size_t(dm)] = true;
    // The operands' strides over the input's dims: the output (TensorIterator's operand 0) as
    // review_reduce_result views it (0 on reduced dims), then the input.
    std::vector<i64> shape(xs.begin(), xs.end()), in_st = contiguous(shape), out_st(rank, 0);
    {
        std::vector<i64> os;
        for (std::size_t i = 0; i < rank; ++i)
            if (!red[i] || d.keepdim) os.push_back(red[i] ? 1 : shape[i]);
        std::vector<i64> ost = contiguous(os);
        for (std::size_t i = 0, k = 0; i < rank; ++i) {
            if (red[i] && !d.keepdim) continue;
            // compute_strides: a size-1 output dim broadcast over a larger one has stride 0.
            out_st[i] = (os[k] == 1 && shape[i] != 1) ? 0 : ost[k];
            ++k;
        }
    }
    // reorder_dimensions: an insertion sort, fastest dim first, reduced dims in front.
    std::vector<std::size_t> perm(rank);
    std::iota(perm.rbegin(), perm.rend(), std::size_t(0));
    const std::vector<i64>* ops[2] = {&out_st, &in_st};
    auto should_swap = [&](std::size_t a, std::size_t b) {
        for (int t = 0; t < 2; ++t) {
            i64 s0 = (*ops[t])[a], s1 = (*ops[t])[b];
            if (t == 0 && (s0 == 0) != (s1 == 0)) return s1 == 0 ? 1 : -1;
            if (s0 == 0 || s1 == 0) continue;
            if (s0 < s1) return -1;
            if (s0 > s1) return 1;
            if (shape[a] > shape[b]) return 1;
        }
        return 0;
    };
    if (rank > 1)
        for (std::size_t i = 1; i < rank; ++i) {
            std::size_t d1 = i;
            for (std::size_t d0 = i; d0-- > 0;) {
                int c = should_swap(perm[d0], perm[d1]);
                if (c > 0) {
                    std::swap(perm[d0], perm[d1]);
                    d1 = d0;
                } else if (c < 0) {
                    break;
                }
            }
        }
    std::vector<i64> sz(rank), so(rank), si(rank);
    for (std::size_t i = 0; i < rank; ++i)
        sz[i] = shape[perm[i]], so[i] = out_st[perm[i]], si[i] = in_st[perm[i]];
    // coalesce_dimensions
    std::size_t prev = 0;
    for (std::size_t dim = 1; dim < rank; ++dim) {
        bool can = sz[prev] == 1 || sz[dim] == 1 ||
                   (sz[prev] * so[prev] == so[dim] && sz[prev] * si[prev] == si[dim]);
        if (can) {
            if (sz[prev] == 1) so[prev] = so[dim], si[prev] = si[dim];
            sz[prev] *= sz[dim];
        } else {
            ++prev;
            if (prev != dim) {
                so[prev] = so[dim], si[prev] = si[dim];
                sz[prev] = sz[dim];
            }
        }
    }
    const std::size_t nd = prev + 1;
    sz.resize(nd), so.resize(nd), si.resize(nd);
    if (nd == 1) {
        sum_loop2d(y, x, so[0], si[0], 0, 0, sz[0], 1);
        return;
    }
    // serial_for_each: the 2-d loop over dims 0 and 1 for every index of the others, dim 2
    // fastest.
    std::vector<i64> idx(nd, 0);
    while (true) {
        i64 oo = 0, io = 0;
        for (std::size_t k = 2; k < nd; ++k)
            oo += idx[k] * so[k], io += idx[k] * si[k];
        sum_loop2d(y + oo, x + io, so[0], si[0], so[1], si[1], sz[0], sz[1]);
        std::size_t k = 2;
        for (; k < nd; ++k) {
            if (++idx[k] < sz[k]) break;
            idx[k] = 0;
        }
        if (k == nd) break;
    }
}

} // namespace

void run(const Context&, const ReduceDesc& d, const Io& io) {
    const Shape& xs = io.x_shape();
    const float* x = io.x();
    float* y = io.out;
    const i64 ny = numel(io.out_shape);
    if (d.op == ReduceOp::Sum || d.op == ReduceOp::Mean) {
        torch_sum(x, xs, d, y, ny);
        if (d.op == ReduceOp::Mean) {
            const float count = float(d.count);
            for (i64 i = 0; i < ny; ++i)
                y[i] = y[i] / count;
        }
        return;
    }
    // Amax / Amin: walk the input in order, each element onto its output.
    const std::size_t rank = xs.size();
    std::vector<bool> red(rank, false);
    for (i64 dm : d.dims)
        red[std::size_t(dm)] = true;
    std::vector<i64> ost(rank, 0); // output offset per input dim
    i64 acc = 1;
    for (std::size_t i = rank; i-- > 0;)
        if (!red[i]) ost[i] = acc, acc *= xs[i];
    std::vector<bool> seen(std::size_t(ny), false);
    const bool is_max = d.op == ReduceOp::Amax;
    std::vector<i64> pos(rank, 0);
    const i64 n = numel(xs);
    i64 o = 0;
    for (i64 e = 0; e < n; ++e) {
        const float v = x[e];
        float& r = y[o];
        if (!seen[std::size_t(o)]) {
            r = v;
            seen[std::size_t(o)] = true;
        } else if (!std::isnan(r) && (std::isnan(v) || (is_max ? v > r : v < r))) {
            r = v;
        }
        for (std::size_t k = rank; k-- > 0;) {
            o += ost[k];
            if (++pos[k] < xs[k]) break;
            o -= ost[k] * pos[k];
            pos[k] = 0;
        }
    }
}

} // namespace cnnshape::kernels::ref
