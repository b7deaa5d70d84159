// `run` of whatever the JSON spec reader accepts: plan it, and when the plan is small enough to
// execute quickly, run it with the reference kernels, the SIMD kernels at 1 thread and at 2
// threads, and compare. Checked, beyond "no crash, no sanitizer report, only cnnshape's errors":
// * every backend's output (and every layer's output) has the plan's shape;
// * each layer's SIMD output, computed from the reference's input to that layer, agrees with the
//   reference's output: bit for bit where the SIMD kernel promises it (pooling, adaptive pooling,
//   batch norm, add, concat, pad, upsampling in every mode), the same value for the piecewise
//   activations (+0 == -0), within a tolerance for conv/linear (scaled by the fan-in) and the
//   transcendental activations; NaN positions always equal (a NaN's sign and payload may
//   differ); max pooling indices equal;
// * SIMD at 2 threads gives the bits of SIMD at 1 thread for every layer of the whole network,
//   and so does a run that keeps only the live activations (as `run` does; buffers are reused).
// A mismatch prints the layer and the values and traps, so libFuzzer keeps the input.
//
// Input: a JSON spec. When the first byte is not '{', '[' or white space it is an options byte
// and the spec follows it:
//   bits 0-1: the input fill: randn, rand, small integers with -inf/+inf/-0 and NaN (ties in
//             pooling windows), the same without NaN
//   bits 2-3: the SIMD architecture, an index into the ones this CPU runs (modulo their count)
//   bits 4-7: the seed of the input and of the weights (init_weights, as `run --seed`)
// The spec's own "input" shape is used, else 1x3x9x9 (as `run --input` would give one).
#include "../src/kernels/simd/simd.hpp"
#include "cnnshape/execute.hpp"
#include "cnnshape/kernels.hpp"
#include "cnnshape/random.hpp"
#include "fuzz_common.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace cnnshape;
using i64 = std::int64_t;

// Caps, from the plan's own figures, so an input never times out or runs out of memory: the
// tensors of one run with every layer's output kept (three such runs are alive at once), and
// the work of the reference kernels (MACs of conv/linear plus window sizes for the rest).
constexpr i64 kMaxBytes = i64(4) << 20;
constexpr i64 kMaxWork = 20'000'000;

struct Options {
    int fill = 0, arch = 0;
    std::uint64_t seed = 0;
};

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "fuzz_run: %s\n", what.c_str());
    std::fflush(stderr);
    __builtin_trap();
}

std::string shape_text(const Shape& s) {
    std::string r = "[";
    for (std::size_t i = 0; i < s.size(); ++i)
        r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}

std::string layer_text(const LayerPlan& lp) {
    return "layer " + std::to_string(lp.index) + " ('" + lp.name + "', " + lp.type + ", " +
           lp.brief + ") on " + (lp.input_shapes.empty() ? "?" : shape_text(lp.input_shapes[0])) +
           " -> " + shape_text(lp.output);
}

// Work of the reference kernels for one layer, roughly in multiply-adds.
i64 layer_work(const LayerPlan& lp) {
    auto sat = [](double v) { return v > 1e15 ? i64(1e15) : i64(v); };
    double out = double(numel(lp.output));
    double work = double(lp.macs) + out;
    for (auto& s : lp.input_shapes)
        work += double(numel(s));
    if (auto* p = std::get_if<PoolDesc>(&lp.exec)) {
        double window = 1;
        for (auto k : p->kernel)
            window *= double(k);
        work += out * window;
    } else if (auto* a = std::get_if<AdaptivePoolDesc>(&lp.exec)) {
        const Shape& in = lp.input_shapes.at(0);
        double window = 1;
        for (std::size_t i = 0; i < a->output_size.size() && i < in.size(); ++i) {
            i64 o = std::max<i64>(1, a->output_size[a->output_size.size() - 1 - i]);
            window *= double(in[in.size() - 1 - i] / o + 2);
        }
        work += out * window;
    } else if (auto* u = std::get_if<UpsampleDesc>(&lp.exec)) {
        const Shape& in = lp.input_shapes.at(0);
        double window = 1;
        for (std::size_t i = 0; i < u->output_size.size() && i < in.size(); ++i) {
            i64 o = std::max<i64>(1, u->output_size[u->output_size.size() - 1 - i]);
            window *= u->mode == UpsampleMode::Area ? double(in[in.size() - 1 - i] / o + 2) : 4.0;
        }
        work += out * window;
    } else if (std::get_if<ElementwiseDesc>(&lp.exec) || std::get_if<BatchNormDesc>(&lp.exec) ||
               std::get_if<SoftmaxDesc>(&lp.exec) || std::get_if<FlattenDesc>(&lp.exec)) {
        work += 4 * out;
    }
    return sat(work);
}

bool small_enough(const Plan& plan) {
    if (planned_peak_bytes(plan, true) > kMaxBytes) return false;
    if (numel(plan.input) * 4 > kMaxBytes) return false;
    i64 work = 0;
    for (auto& lp : plan.layers) {
        work += layer_work(lp);
        if (work > kMaxWork) return false;
    }
    return true;
}

Tensor make_input(const Shape& shape, const Options& o) {
    Tensor t(shape);
    TorchGenerator g(o.seed);
    if (o.fill == 0) {
        fill_randn(g, t.ptr(), t.size());
    } else if (o.fill == 1) {
        fill_rand(g, t.ptr(), t.size());
    } else {
        const bool nan = o.fill == 2;
        for (auto& v : t.data) {
            std::uint32_t r = g.random() % 64;
            v = nan && r < 3 ? std::numeric_limits<float>::quiet_NaN()
                : r < 6      ? -std::numeric_limits<float>::infinity()
                : r < 7      ? std::numeric_limits<float>::infinity()
                : r < 10     ? -0.0f
                             : float(int(g.random() % 7) - 3);
        }
    }
    return t;
}

unsigned bits_of(float v) {
    std::uint32_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}

bool same_bits(float a, float b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

// The largest finite magnitude (0 when there is none).
double max_abs(const Tensor* t) {
    double m = 0;
    if (t)
        for (float v : t->data)
            if (std::isfinite(v)) m = std::max(m, double(std::fabs(v)));
    return m;
}

bool has_nonfinite(const Tensor& t) {
    for (float v : t.data)
        if (!std::isfinite(v)) return true;
    return false;
}

const Tensor* tensor_of(const StateDict& w, const LayerPlan& lp, const char* name) {
    auto it = w.find(lp.name + "." + name);
    return it == w.end() ? nullptr : &it->second;
}

// How a layer's SIMD output must agree with the reference's.
struct Tolerance {
    enum Kind { Bits, Value, Near, Skip } kind = Bits;
    double rel = 0, abs = 0;
    std::string why;
};

Tolerance tolerance(const LayerPlan& lp, const std::vector<const Tensor*>& in, const StateDict& w) {
    Tolerance t;
    if (auto* c = std::get_if<ConvDesc>(&lp.exec)) {
        // Float accumulation in some order against the reference's double accumulation: the
        // error grows with the number of terms and their size. fan_in bounds the terms per
        // output (transposed too).
        i64 kvol = 1;
        for (auto k : c->kernel)
            kvol *= k;
        double fan_in = double(std::max<i64>(1, c->in_channels / std::max<i64>(1, c->groups))) *
                        double(std::max<i64>(1, kvol));
        double terms = fan_in * max_abs(in[0]) * max_abs(tensor_of(w, lp, "weight"));
        double bias = max_abs(tensor_of(w, lp, "bias"));
        t.kind = Tolerance::Near;
        t.rel = 1e-4;
        t.abs = 1e-6 * std::sqrt(fan_in) * terms + 1e-7 * bias + 1e-30;
        t.why = "conv, fan-in " + std::to_string(i64(fan_in));
        // Near float's range a partial sum may overflow in one order and not in another.
        if (terms + bias > 1e36) t.kind = Tolerance::Skip;
    } else if (auto* l = std::get_if<LinearDesc>(&lp.exec)) {
        double fan_in = double(std::max<i64>(1, l->in_features));
        double terms = fan_in * max_abs(in[0]) * max_abs(tensor_of(w, lp, "weight"));
        double bias = max_abs(tensor_of(w, lp, "bias"));
        t.kind = Tolerance::Near;
        t.rel = 1e-4;
        t.abs = 1e-6 * std::sqrt(fan_in) * terms + 1e-7 * bias + 1e-30;
        t.why = "linear, fan-in " + std::to_string(i64(fan_in));
        if (terms + bias > 1e36) t.kind = Tolerance::Skip;
    } else if (auto* e = std::get_if<ElementwiseDesc>(&lp.exec)) {
        switch (e->act) {
        case Activation::Sigmoid:
        case Activation::Tanh:
        case Activation::SiLU:
        case Activation::GELU:
        case Activation::GELUTanh:
        case Activation::ELU:
        case Activation::Mish:
        case Activation::Softplus:
        case Activation::Tanhshrink:
        case Activation::LogSigmoid:
            // Polynomial exp/tanh against libm (as tests/test_kernels_simd.cpp allows).
            t.kind = Tolerance::Near;
            t.rel = 4e-6;
            t.abs = 1e-7;
            t.why = "transcendental activation";
            break;
        default:
            t.kind = Tolerance::Value; // +0 == -0: the sign of a zero is PyTorch's
            t.why = "piecewise activation";
        }
    } else if (std::get_if<SoftmaxDesc>(&lp.exec)) {
        // exp against libm, as for the transcendental activations.
        t.kind = Tolerance::Near;
        t.rel = 4e-6;
        t.abs = 1e-7;
        t.why = "softmax";
    } else {
        t.why = "exact layer";
    }
    return t;
}

void compare(const LayerPlan& lp, const Tolerance& tol, const Tensor& ref, const Tensor& simd,
             const char* what) {
    if (simd.shape != ref.shape || simd.shape != lp.output)
        fail(std::string(what) + ": " + layer_text(lp) + ": output shape " +
             shape_text(simd.shape) + ", the reference's " + shape_text(ref.shape));
    if (tol.kind == Tolerance::Skip) return;
    for (i64 i = 0; i < ref.size(); ++i) {
        float r = ref.data[i], s = simd.data[i];
        bool ok;
        switch (tol.kind) {
        case Tolerance::Bits:
            // A NaN's sign and payload are not reproducible: x86 keeps the first operand's NaN
            // when both are NaN, and compilers swap the operands of + (a window holding the
            // 0x7fc00000 NaN of the input and the 0xffc00000 one that inf - inf makes). PyTorch
            // promises neither and cnnshape prints both as "nan".
            ok = same_bits(r, s) || (std::isnan(r) && std::isnan(s));
            break;
        case Tolerance::Value:
            ok = r == s || (std::isnan(r) && std::isnan(s));
            break;
        default:
            if (std::isnan(r) || std::isnan(s))
                ok = std::isnan(r) && std::isnan(s);
            else
                ok = r == s || std::fabs(double(s) - double(r)) <= tol.rel * std::fabs(r) + tol.abs;
        }
        if (!ok) {
            char buf[256];
            std::snprintf(buf, sizeof buf,
                          "element %lld: simd %.9g (0x%08x), reference %.9g (0x%08x), "
                          "tolerance rel %g abs %g (%s)",
                          (long long)i, double(s), bits_of(s), double(r), bits_of(r), tol.rel,
                          tol.abs, tol.why.c_str());
            fail(std::string(what) + " (arch " + kernels::simd_arch() + "): " + layer_text(lp) +
                 ": " + buf);
        }
    }
}

void compare_bits(const LayerPlan& lp, const Tensor& a, const Tensor& b, const char* what) {
    Tolerance t;
    t.why = "threads must not change the bits";
    compare(lp, t, a, b, what);
}

void compare_indices(const LayerPlan& lp, const std::optional<IndexTensor>& a,
                     const std::optional<IndexTensor>& b, const char* what) {
    if (a.has_value() != b.has_value()) fail(std::string(what) + ": indices only on one side");
    if (!a) return;
    if (a->shape != b->shape || a->shape != lp.output)
        fail(std::string(what) + ": " + layer_text(lp) + ": indices shape " + shape_text(b->shape) +
             " vs " + shape_text(a->shape));
    for (i64 i = 0; i < a->size(); ++i)
        if (a->data[i] != b->data[i])
            fail(std::string(what) + " (arch " + kernels::simd_arch() + "): " + layer_text(lp) +
                 ": index " + std::to_string(i) + ": " + std::to_string(b->data[i]) +
                 ", the reference's " + std::to_string(a->data[i]));
}

kernels::Context context(kernels::Backend b, int threads) {
    kernels::Context c;
    c.backend = b;
    c.threads = threads;
    return c;
}

RunResult run_all(const Plan& plan, const StateDict& w, const Tensor& input, kernels::Context c) {
    RunOptions o;
    o.kernels = c;
    o.keep_all = true;
    RunResult r = execute(plan, w, input, o);
    if (r.output.shape != plan.output)
        fail("the output has shape " + shape_text(r.output.shape) + ", the plan's is " +
             shape_text(plan.output));
    if (r.layer_outputs.size() != plan.layers.size()) fail("layer_outputs has the wrong length");
    for (std::size_t i = 0; i < plan.layers.size(); ++i)
        if (r.layer_outputs[i].shape != plan.layers[i].output)
            fail(layer_text(plan.layers[i]) + ": output shape " +
                 shape_text(r.layer_outputs[i].shape));
    return r;
}

// One layer alone, on the given input, through execute (its dispatch and batched views).
RunResult run_one(const Plan& plan, const LayerPlan& lp, const StateDict& w, const Tensor& x,
                  kernels::Context c) {
    Plan one;
    one.name = plan.name;
    one.mode = plan.mode;
    one.input = x.shape;
    one.output = lp.output;
    one.layers = {lp};
    one.layers[0].input_nodes = {-1};
    RunOptions o;
    o.kernels = c;
    return execute(one, w, x, o);
}

// A merge layer's kernel on several inputs, as execute runs it.
Tensor run_merge(const LayerPlan& lp, const std::vector<const Tensor*>& in, kernels::Context c) {
    Tensor out(lp.output);
    auto run_all = [&](const auto& d) {
        std::vector<Shape> shapes;
        std::vector<const float*> xs;
        for (auto* t : in)
            shapes.push_back(t->shape), xs.push_back(t->ptr());
        kernels::run(c, d, {shapes, xs, {}, out.shape, out.ptr()});
    };
    if (auto* d = std::get_if<ConcatDesc>(&lp.exec)) {
        run_all(*d);
    } else if (auto* b = std::get_if<BinaryDesc>(&lp.exec)) {
        run_all(*b);
    } else {
        fail(layer_text(lp) + ": several inputs to a layer that is not binary or Concat");
    }
    return out;
}

void check(const Plan& plan, const Options& opt) {
    // Single-layer plans look their tensors up by the layer's name, so w serves them too.
    StateDict w = init_weights(plan, opt.seed);
    Tensor input = make_input(plan.input, opt);
    using kernels::Backend;

    RunResult ref = run_all(plan, w, input, context(Backend::Ref, 1));
    RunResult s1 = run_all(plan, w, input, context(Backend::SimdWhereHandled, 1));
    RunResult s2 = run_all(plan, w, input, context(Backend::SimdWhereHandled, 2));

    // (c) 2 threads == 1 thread, bit for bit, every layer.
    for (std::size_t i = 0; i < plan.layers.size(); ++i)
        compare_bits(plan.layers[i], s1.layer_outputs[i], s2.layer_outputs[i],
                     "SIMD 2 threads vs 1 thread");
    if (!plan.layers.empty()) {
        compare_indices(plan.layers.back(), s1.indices, s2.indices, "SIMD 2 threads vs 1 thread");
        if (ref.indices.has_value() != s1.indices.has_value())
            fail("indices from one backend only");
    }

    // As `run` runs by default: only the live activations kept (buffers reused, layers fused
    // where execute() fuses them). The same bits as layer by layer.
    {
        RunOptions o;
        o.kernels = context(Backend::SimdWhereHandled, 1);
        RunResult lean = execute(plan, w, input, o);
        LayerPlan last;
        last.output = plan.output;
        if (!plan.layers.empty()) last = plan.layers.back();
        compare_bits(last, s1.output, lean.output, "SIMD keeping only live activations");
        if (!plan.layers.empty())
            compare_indices(last, s1.indices, lean.indices, "SIMD keeping only live activations");
    }

    // (b) each layer, SIMD against the reference on the reference's input to it.
    for (std::size_t i = 0; i < plan.layers.size(); ++i) {
        const LayerPlan& lp = plan.layers[i];
        std::vector<const Tensor*> in;
        for (auto idx : lp.input_nodes)
            in.push_back(idx < 0 ? &input : &ref.layer_outputs.at(std::size_t(idx)));
        if (in.empty()) fail(layer_text(lp) + ": no inputs");
        for (std::size_t k = 0; k < in.size(); ++k)
            if (in[k]->shape != lp.input_shapes.at(k))
                fail(layer_text(lp) + ": input " + std::to_string(k) + " has shape " +
                     shape_text(in[k]->shape) + ", the plan says " +
                     shape_text(lp.input_shapes[k]));
        Tolerance tol = tolerance(lp, in, w);
        const Tensor& r = ref.layer_outputs[i];
        if (in.size() == 1) {
            RunResult s = run_one(plan, lp, w, *in[0], context(Backend::SimdWhereHandled, 1));
            compare(lp, tol, r, s.output, "SIMD vs reference");
            if (s.indices) {
                // The whole-network run keeps only the last layer's indices: run it alone.
                RunResult ri = run_one(plan, lp, w, *in[0], context(Backend::Ref, 1));
                compare_bits(lp, r, ri.output, "reference alone vs in the network");
                compare_indices(lp, ri.indices, s.indices, "SIMD vs reference");
            }
        } else {
            compare(lp, tol, r, run_merge(lp, in, context(Backend::SimdWhereHandled, 1)),
                    "SIMD vs reference");
        }
    }
    if (!plan.layers.empty()) {
        // The network's output is its last layer's, with the indices of a last max pooling.
        compare_bits(plan.layers.back(), ref.layer_outputs.back(), ref.output, "ref output");
        compare_bits(plan.layers.back(), s1.layer_outputs.back(), s1.output, "simd output");
    } else {
        Tolerance t;
        LayerPlan none;
        none.output = plan.input;
        compare(none, t, input, ref.output, "empty network (ref)");
        compare(none, t, input, s1.output, "empty network (simd)");
    }
}

} // namespace

// Every activation buffer execute() hands out starts as NaN (as in the test suite), so an output
// element a kernel leaves unwritten shows as a NaN the reference does not have.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
    setenv("CNNSHAPE_POISON", "1", 1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Options opt;
    if (size > 0 && data[0] != '{' && data[0] != '[' && !std::isspace(data[0])) {
        opt.fill = data[0] & 3;
        opt.arch = (data[0] >> 2) & 3;
        opt.seed = data[0] >> 4;
        ++data, --size;
    }
    static const std::vector<std::string> archs = kernels::simd::available_archs();
    if (!archs.empty()) kernels::simd::force_arch(archs[std::size_t(opt.arch) % archs.size()]);
    // FUZZ_RUN_VERBOSE=1 says what became of each input (to check a seed corpus).
    static const bool verbose = std::getenv("FUZZ_RUN_VERBOSE") != nullptr;
    auto note = [&](const char* what, const char* detail) {
        if (verbose) std::fprintf(stderr, "fuzz_run: %s%s%s\n", what, *detail ? ": " : "", detail);
    };
    try {
        Network net = load_spec_json(fuzzing::text_of(data, size));
        Shape in = net.input.value_or(Shape{1, 3, 9, 9});
        Plan plan = make_plan(net, in);
        if (!small_enough(plan)) {
            note("too big to run", "");
            return 0;
        }
        check(plan, opt);
        note("ran and agreed", "");
    } catch (const SpecError& e) {
        note("spec error", e.what());
    } catch (const UsageError& e) {
        note("usage error", e.what());
    } catch (const LayerError& e) {
        note("layer error", e.what());
    }
    return 0;
}
