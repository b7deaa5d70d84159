// Running a Plan: PyTorch's initialisation, loading a state_dict, and the forward walk. Every
// shape comes from the Plan; this file only moves tensors between kernels and frees each
// activation after its last consumer.
#include "cnnshape/execute.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/random.hpp"
#include "cnnshape/run_setup.hpp"
#include "cnnshape/tensor_io.hpp"
#include "op_run.hpp"
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <variant>

namespace cnnshape {

bool returns_indices(const LayerPlan& lp) {
    if (auto* p = std::get_if<PoolDesc>(&lp.exec))
        return p->return_indices && p->kind == PoolKind::Max;
    if (auto* a = std::get_if<AdaptivePoolDesc>(&lp.exec)) return a->return_indices && a->is_max;
    return false;
}

namespace {

// The state_dict key: "features.0.weight"; a Parameter layer's one tensor is the layer's name;
// another layer's tensor (a module called twice) is that layer's key.
std::string key_of(const LayerPlan& lp, const TensorSpec& t) {
    if (!t.shared_key.empty()) return t.shared_key;
    return t.name.empty() ? lp.name : lp.name + "." + t.name;
}

// a + b, or INT64_MAX when that does not fit (byte counts of absurd plans: the plan checks each
// total, not their sum).
std::int64_t add_sat(std::int64_t a, std::int64_t b) {
    std::int64_t r;
    return __builtin_add_overflow(a, b, &r) ? std::numeric_limits<std::int64_t>::max() : r;
}

std::int64_t weight_bytes(const Plan& plan) {
    std::int64_t b = 0;
    for (auto& lp : plan.layers)
        for (auto& t : lp.tensors)
            if (t.shared_key.empty())
                b = add_sat(b, numel(t.shape) * 4); // each fits: the plan checked its totals
    return b;
}

// How many times each layer's output is read by layers that run, plus one for each network
// output it gives, which is never freed.
std::vector<int> consumer_counts(const Plan& plan) {
    std::vector<int> c(plan.layers.size(), 0);
    for (auto& lp : plan.layers)
        if (lp.used)
            for (auto idx : lp.input_nodes)
                if (idx >= 0) ++c[idx];
    for (const PlanOutput& o : plan.outputs)
        if (o.node >= 0) ++c[o.node];
    if (plan.outputs.empty() && !c.empty()) ++c.back();
    return c;
}

// The layer whose indices `run` returns: the first output's, when it is max pooling with indices.
std::int64_t output_node(const Plan& plan) {
    if (!plan.outputs.empty()) return plan.outputs[0].node;
    return std::int64_t(plan.layers.size()) - 1;
}

const Tensor* find_weight(const StateDict& w, const LayerPlan& lp, const char* name,
                          bool required) {
    for (auto& t : lp.tensors) {
        if (t.name != name) continue;
        std::string key = key_of(lp, t);
        auto it = w.find(key);
        if (it == w.end()) throw UsageError("no value for " + key + " in the weights");
        if (it->second.size() != numel(t.shape))
            throw UsageError(fmt::format("{} has {} values, the layer needs {} ({})", key,
                                         it->second.size(), numel(t.shape), shape_torch(t.shape)));
        return &it->second;
    }
    if (required) throw UsageError(fmt::format("layer {} has no tensor '{}'", lp.name, name));
    return nullptr;
}

const float* ptr_or_null(const Tensor* t) {
    return t ? t->ptr() : nullptr;
}

void run_layer(const LayerPlan& lp, const std::vector<const Tensor*>& in, const StateDict& w,
               const kernels::Context& ctx, Tensor& out, IndexTensor* idx, TorchGenerator& rng,
               std::vector<Tensor>* rest) {
    const OpRun r{lp, in, w, ctx, out, idx, rng, rest};
    std::visit(
        [&](const auto& d) {
            if constexpr (std::is_same_v<std::decay_t<decltype(d)>, std::monostate>)
                throw UsageError(fmt::format("layer {} ('{}', {}) cannot be run: cnnshape has no "
                                             "kernel for it",
                                             lp.index, lp.name, lp.type));
            else
                run_op(r, d); // declared in the op's op.hpp, defined in its run.cpp
        },
        lp.exec);
}

// A convolution whose output only a BatchNorm in eval mode reads, and the ReLU that alone reads
// that BatchNorm's output, if any: run as one pass (kernels::conv_fused), so the two elementwise
// passes over memory disappear. The bits are those of the layers run one by one.
struct ConvChain {
    std::size_t bn = 0, last = 0; // the BatchNorm; the chain's last layer (BatchNorm or ReLU)
    bool relu = false;
};

std::optional<ConvChain> conv_chain(const Plan& plan, std::size_t i,
                                    const std::vector<int>& consumers) {
    const auto& layers = plan.layers;
    if (!std::holds_alternative<ConvDesc>(layers[i].exec)) return std::nullopt;
    // Layer j reads layer `from` only, and nothing else reads `from`.
    auto sole_reader = [&](std::size_t j, std::size_t from) {
        return j < layers.size() && layers[j].used && layers[j].input_nodes.size() == 1 &&
               layers[j].input_nodes[0] == std::int64_t(from) && consumers[from] == 1;
    };
    if (!sole_reader(i + 1, i)) return std::nullopt;
    auto* bn = std::get_if<BatchNormDesc>(&layers[i + 1].exec);
    if (!bn || bn->batch_stats || !bn->track_running_stats) return std::nullopt;
    ConvChain c{i + 1, i + 1, false};
    if (sole_reader(i + 2, i + 1))
        if (auto* e = std::get_if<ElementwiseDesc>(&layers[i + 2].exec);
            e && e->act == Activation::ReLU)
            c.last = i + 2, c.relu = true;
    return c;
}

// Runs the chain into `out` (the last layer's output); false when the kernels do not fuse it.
bool run_conv_chain(const Plan& plan, std::size_t i, const ConvChain& c, const Tensor& x,
                    const StateDict& w, const kernels::Context& ctx, Tensor& out) {
    const LayerPlan& cl = plan.layers[i];
    const LayerPlan& bl = plan.layers[c.bn];
    const auto& d = std::get<ConvDesc>(cl.exec);
    const auto& bd = std::get<BatchNormDesc>(bl.exec);
    const Tensor* weight = find_weight(w, cl, "weight", true);
    const Tensor* bias = d.bias ? find_weight(w, cl, "bias", true) : nullptr;
    const Tensor* bw = bd.affine ? find_weight(w, bl, "weight", true) : nullptr;
    const Tensor* bb = bd.affine ? find_weight(w, bl, "bias", true) : nullptr;
    const Tensor* mean = find_weight(w, bl, "running_mean", true);
    const Tensor* var = find_weight(w, bl, "running_var", true);
    std::vector<float> alpha(std::size_t(bd.num_features)), beta(alpha.size());
    kernels::batch_norm_coefficients(bd, ptr_or_null(bw), ptr_or_null(bb), mean->ptr(), var->ptr(),
                                     alpha.data(), beta.data());
    kernels::ConvEpilogue ep;
    ep.alpha = alpha.data();
    ep.beta = beta.data();
    ep.relu = c.relu;
    kernels::Io io{{batched(x.shape, d.nd)},
                   {x.ptr()},
                   {weight->ptr(), ptr_or_null(bias)},
                   batched(cl.output, d.nd),
                   out.ptr()};
    return kernels::conv_fused(ctx, d, io, ep);
}

} // namespace

// The batched view (N, C, *spatial) kernels take: an unbatched input gets N = 1; any other rank
// (adaptive average pooling to 1 accepts any) is viewed as (1, planes, *spatial).
Shape batched(const Shape& s, int nd) {
    std::int64_t rank = s.size();
    if (rank == nd + 2) return s;
    std::int64_t lead = 1;
    for (std::int64_t i = 0; i < rank - nd; ++i)
        lead *= s[i];
    Shape v = {1, lead};
    v.insert(v.end(), s.end() - std::min<std::int64_t>(nd, rank), s.end());
    while (std::int64_t(v.size()) < nd + 2)
        v.insert(v.begin() + 2, 1);
    return v;
}

const float* OpRun::weight(const char* name) const {
    return find_weight(weights, layer, name, true)->ptr();
}

kernels::Io OpRun::io() const {
    kernels::Io io;
    for (const Tensor* t : in)
        io.in_shapes.push_back(t->shape), io.in.push_back(t->ptr());
    io.out_shape = out.shape;
    io.out = out.ptr();
    io.indices = indices ? indices->ptr() : nullptr;
    if (layer.tuple) {
        if (!layer.outputs.empty())
            io.out_shapes.push_back(out.shape), io.outs.push_back(out.ptr());
        if (rest)
            for (Tensor& t : *rest)
                io.out_shapes.push_back(t.shape), io.outs.push_back(t.ptr());
    }
    return io;
}

kernels::Io OpRun::batched_io(int nd) const {
    kernels::Io io = this->io();
    for (auto& s : io.in_shapes)
        s = batched(s, nd);
    io.out_shape = batched(io.out_shape, nd);
    return io;
}

namespace {

// aten's calc_erfinv for float (ATen/native/Math.h): a rational first guess, two Newton steps;
// the polynomials as fused multiply-adds and erff/expf from libm, as PyTorch's AVX2 build
// computes them (bit for bit on the init fixtures).
float erfinv_float(float y) {
    constexpr float a[4] = {0.886226899f, -1.645349621f, 0.914624893f, -0.140543331f};
    constexpr float b[4] = {-2.118377725f, 1.442710462f, -0.329097515f, 0.012229801f};
    constexpr float c[4] = {-1.970840454f, -1.624906493f, 3.429567803f, 1.641345311f};
    constexpr float d[2] = {3.543889200f, 1.637067800f};
    const float y_abs = std::fabs(y);
    if (y_abs > 1.0f) return std::numeric_limits<float>::quiet_NaN();
    if (y_abs == 1.0f) return std::copysign(std::numeric_limits<float>::infinity(), y);
    float x;
    if (y_abs <= 0.7f) {
        const float z = y * y;
        const float num = std::fma(std::fma(std::fma(a[3], z, a[2]), z, a[1]), z, a[0]);
        const float dem =
            std::fma(std::fma(std::fma(std::fma(b[3], z, b[2]), z, b[1]), z, b[0]), z, 1.0f);
        x = y * num / dem;
    } else {
        const float z = std::sqrt(-std::log((1.0f - y_abs) / 2.0f));
        const float num = std::fma(std::fma(std::fma(c[3], z, c[2]), z, c[1]), z, c[0]);
        const float dem = std::fma(std::fma(d[1], z, d[0]), z, 1.0f);
        x = std::copysign(num, y) / dem;
    }
    const float k = 2.0f / float(std::sqrt(3.14159265358979323846));
    x = x - (std::erf(x) - y) / (k * std::exp(-x * x));
    x = x - (std::erf(x) - y) / (k * std::exp(-x * x));
    return x;
}

} // namespace

StateDict init_weights(const Plan& plan, std::uint64_t seed) {
    TorchGenerator g(seed);
    StateDict sd;
    // In the order PyTorch constructs the modules (a model file's __init__), else layer order.
    std::vector<const LayerPlan*> layers;
    for (auto& lp : plan.layers)
        layers.push_back(&lp);
    std::stable_sort(layers.begin(), layers.end(), [](const LayerPlan* a, const LayerPlan* b) {
        return a->init_order < b->init_order;
    });
    for (const LayerPlan* lpp : layers) {
        const LayerPlan& lp = *lpp;
        std::vector<const TensorSpec*> order;
        for (auto& spec : lp.tensors)
            if (spec.shared_key.empty()) order.push_back(&spec);
        std::stable_sort(order.begin(), order.end(), [](const TensorSpec* a, const TensorSpec* b) {
            return a->init_rank < b->init_rank;
        });
        for (const TensorSpec* sp : order) {
            const TensorSpec& spec = *sp;
            Tensor t(spec.shape);
            std::int64_t n = t.size();
            switch (spec.init) {
            case Init::KaimingUniform:
                // init.kaiming_uniform_(w, a=math.sqrt(5)): a zero-element tensor is left alone
                // (and draws nothing); the bound is computed as Python does, in double.
                if (n > 0) {
                    double a = std::sqrt(5.0);
                    double gain = std::sqrt(2.0 / (1 + a * a));
                    double stdv = gain / std::sqrt(double(spec.fan_in));
                    double bound = std::sqrt(3.0) * stdv;
                    fill_uniform(g, t.ptr(), n, -bound, bound);
                }
                break;
            case Init::FanInUniform:
                // Conv/Linear reset_parameters: the bias is drawn only when fan_in != 0.
                if (spec.fan_in != 0) {
                    double bound = 1 / std::sqrt(double(spec.fan_in));
                    fill_uniform(g, t.ptr(), n, -bound, bound);
                }
                break;
            case Init::Ones:
                std::fill(t.data.begin(), t.data.end(), 1.0f);
                break;
            case Init::Zeros:
                break;
            case Init::Constant:
                std::fill(t.data.begin(), t.data.end(), float(spec.value));
                break;
            case Init::XavierUniform:
            case Init::XavierNormal: {
                // init.xavier_uniform_/xavier_normal_ (gain 1), the bound computed as Python
                // does: std = sqrt(2 / (fan_in + fan_out)), a = sqrt(3) * std.
                double stdv = std::sqrt(2.0 / double(spec.fan_in + spec.fan_out));
                if (n == 0) break;
                if (spec.init == Init::XavierUniform)
                    fill_uniform(g, t.ptr(), n, -std::sqrt(3.0) * stdv, std::sqrt(3.0) * stdv);
                else
                    fill_normal(g, t.ptr(), n, 0.0, stdv);
                break;
            }
            case Init::FanInUniformThenZeros:
                if (spec.fan_in != 0) {
                    double bound = 1 / std::sqrt(double(spec.fan_in));
                    fill_uniform(g, t.ptr(), n, -bound, bound);
                }
                std::fill(t.data.begin(), t.data.end(), 0.0f);
                break;
            case Init::TruncNormal:
                // init.trunc_normal_(t, std=value) (mean 0, a=-2, b=2): uniform_(2l - 1, 2u - 1)
                // with l, u the normal CDF at a/std and b/std, then erfinv_, mul_(std * sqrt(2)),
                // clamp_(-2, 2), each in float as aten does.
                if (n > 0) {
                    auto cdf = [](double v) { return (1.0 + std::erf(v / std::sqrt(2.0))) / 2.0; };
                    const double l = cdf(-2.0 / spec.value), u = cdf(2.0 / spec.value);
                    fill_uniform(g, t.ptr(), n, 2 * l - 1, 2 * u - 1);
                    const float k = float(spec.value * std::sqrt(2.0));
                    for (float& v : t.data)
                        v = std::clamp(erfinv_float(v) * k + 0.0f, -2.0f, 2.0f); // add_(mean)
                }
                break;
            case Init::FanInUniformMiddleZeros:
                if (spec.fan_in != 0) {
                    double bound = 1 / std::sqrt(double(spec.fan_in));
                    fill_uniform(g, t.ptr(), n, -bound, bound);
                }
                std::fill(t.data.begin() + n / 3, t.data.begin() + 2 * (n / 3), 0.0f);
                break;
            case Init::Values:
                std::copy(spec.values.begin(), spec.values.end(), t.data.begin());
                break;
            }
            sd[key_of(lp, spec)] = std::move(t);
        }
    }
    return sd;
}

WeightLoadReport load_weights(const Plan& plan, const std::string& path, StateDict& into) {
    namespace fs = std::filesystem;
    std::map<std::string, LoadedTensor> loaded;
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        std::vector<fs::path> files;
        for (auto& e : fs::directory_iterator(path, ec))
            if (e.path().extension() == ".npy") files.push_back(e.path());
        if (ec) throw UsageError(fmt::format("cannot list {}: {}", path, ec.message()));
        for (auto& f : files)
            loaded[f.stem().string()] = read_npy(f.string());
    } else if (fs::exists(path, ec)) {
        loaded = read_safetensors(path);
    } else {
        throw UsageError(
            fmt::format("cannot read weights from {}: no such file or directory", path));
    }
    WeightLoadReport report;
    std::set<std::string> expected;
    std::vector<std::string> mismatches;
    for (auto& lp : plan.layers)
        for (auto& spec : lp.tensors) {
            if (!spec.persistent || !spec.shared_key.empty()) continue;
            std::string key = key_of(lp, spec);
            expected.insert(key);
            auto it = loaded.find(key);
            if (it == loaded.end()) {
                // BatchNorm's _load_from_state_dict fills in a missing num_batches_tracked.
                if (spec.name != "num_batches_tracked") report.missing_keys.push_back(key);
                continue;
            }
            const Tensor& t = it->second.tensor;
            if (t.shape != spec.shape) {
                mismatches.push_back(fmt::format(
                    "size mismatch for {}: copying a param with shape {} from checkpoint, the "
                    "shape in current model is {}.",
                    key, shape_torch(t.shape), shape_torch(spec.shape)));
                continue;
            }
            if (!it->second.note.empty()) report.notes.push_back(key + ": " + it->second.note);
        }
    for (auto& [key, t] : loaded)
        if (!expected.count(key)) report.unexpected_keys.push_back(key);
    if (!mismatches.empty()) {
        std::string msg = mismatches[0];
        for (std::size_t i = 1; i < mismatches.size(); ++i)
            msg += "\n\t" + mismatches[i];
        throw UsageError(msg);
    }
    for (auto& [key, t] : loaded)
        if (expected.count(key)) into[key] = std::move(t.tensor);
    return report;
}

std::int64_t planned_peak_bytes(const Plan& plan, bool keep_all) {
    // Saturating: a plan whose tensors add up to more than 64 bits of bytes peaks at INT64_MAX
    // (and is refused), not at a wrapped-around count. Once there, the peak stays.
    std::int64_t live = add_sat(weight_bytes(plan), numel(plan.input) * 4);
    std::int64_t peak = live;
    std::vector<int> remaining = consumer_counts(plan);
    for (std::size_t i = 0; i < plan.layers.size(); ++i) {
        const LayerPlan& lp = plan.layers[i];
        if (!lp.used) continue;
        // int64 indices, apart from the float copy a tuple's second element holds.
        std::int64_t idx_bytes = returns_indices(lp) ? numel(lp.output) * 8 : 0;
        live = add_sat(live, add_sat(lp.output_bytes, idx_bytes));
        peak = std::max(peak, live);
        if (peak == std::numeric_limits<std::int64_t>::max()) break;
        if (std::int64_t(i) != output_node(plan)) live -= idx_bytes;
        if (keep_all) continue;
        for (auto in : lp.input_nodes)
            if (in >= 0 && --remaining[in] == 0) live -= plan.layers[in].output_bytes;
    }
    return peak;
}

namespace {

// Activation buffers released during a pass are kept and handed out again (best fit), so a deep
// network does not page-fault and zero fresh memory for every layer; the kernels write every
// output element. What the pool holds plus what is live stays within the planned peak: before
// allocating, pooled buffers are freed until the new one fits. CNNSHAPE_POISON=1 (set by the
// test suite) fills every handed-out buffer with NaN, so a kernel that leaves an element unwritten
// shows up in the tests.
class BufferPool {
public:
    explicit BufferPool(std::int64_t budget_bytes) : budget_(budget_bytes) {}

    Tensor take(const Shape& shape) {
        const std::size_t n = std::size_t(numel(shape));
        std::size_t best = free_.size();
        for (std::size_t i = 0; i < free_.size(); ++i) {
            const std::size_t cap = free_[i].capacity();
            if (cap >= n && cap <= n + n / 2 + 1024 &&
                (best == free_.size() || cap < free_[best].capacity()))
                best = i;
        }
        Tensor t;
        if (best != free_.size()) {
            t.data = std::move(free_[best]);
            free_.erase(free_.begin() + std::ptrdiff_t(best));
        } else {
            while (!free_.empty() && held_ + std::int64_t(n) * 4 > budget_) {
                auto largest =
                    std::max_element(free_.begin(), free_.end(), [](const auto& a, const auto& b) {
                        return a.capacity() < b.capacity();
                    });
                held_ -= std::int64_t(largest->capacity()) * 4;
                free_.erase(largest);
            }
            t.data.reserve(n);
            held_ += std::int64_t(t.data.capacity()) * 4;
        }
        t.data.resize(n); // default-initialised: no writes
        if (poison()) std::fill(t.data.begin(), t.data.end(), std::nanf(""));
        t.shape = shape;
        return t;
    }

    // Keeps the buffer of a tensor that is no longer needed.
    void give(Tensor& t) {
        if (t.data.capacity() > 0) free_.push_back(std::move(t.data));
        t = Tensor();
    }

private:
    static bool poison() {
        static const bool on = [] {
            const char* e = std::getenv("CNNSHAPE_POISON");
            return e && std::string(e) == "1";
        }();
        return on;
    }

    std::int64_t budget_;
    std::int64_t held_ = 0;
    std::vector<std::vector<float, AlignedAllocator<float>>> free_;
};

} // namespace

RunResult execute(const Plan& plan, const StateDict& weights, const Tensor& input,
                  const RunOptions& options) {
    if (input.shape != plan.input)
        throw UsageError(fmt::format("the input has shape {}, the plan was made for {}",
                                     shape_list(input.shape), shape_list(plan.input)));
    check_memory_limit(plan, options.keep_all, options.max_bytes);
    std::int64_t planned = planned_peak_bytes(plan, options.keep_all);

    RunResult result;
    TorchGenerator own_rng(0);
    TorchGenerator& rng = options.rng ? *options.rng : own_rng;
    std::size_t n = plan.layers.size();
    std::vector<Tensor> outs(n);              // each layer's output (a tuple's first element)
    std::vector<std::vector<Tensor>> rest(n); // a tuple's other elements
    BufferPool buffers(planned - weight_bytes(plan) - input.size() * 4);
    std::vector<int> remaining = consumer_counts(plan);
    std::int64_t live = weight_bytes(plan) + input.size() * 4;
    std::int64_t peak = live;
    const std::vector<int> consumers = remaining;
    // Fusing skips the intermediate outputs, so not when every layer's output is kept.
    const bool fuse = options.fuse && !options.keep_all &&
                      options.kernels.backend == kernels::Backend::SimdWhereHandled;
    for (std::size_t i = 0; i < n; ++i) {
        const LayerPlan& lp = plan.layers[i];
        if (!lp.used) continue; // reaches no output: PyTorch's forward never calls it
        std::vector<const Tensor*> ins;
        for (std::size_t k = 0; k < lp.input_nodes.size(); ++k) {
            std::int64_t idx = lp.input_nodes[k], slot = lp.input_slots.at(k);
            ins.push_back(idx < 0 ? &input : slot > 0 ? &rest[idx].at(slot - 1) : &outs[idx]);
        }
        // Frees what no later layer reads.
        auto release = [&](std::int64_t in) {
            if (in < 0 || --remaining[in] != 0) return;
            live -= outs[in].size() * 4;
            buffers.give(outs[in]);
            for (Tensor& t : rest[in]) {
                live -= t.size() * 4;
                buffers.give(t);
            }
            rest[in].clear();
        };
        if (auto chain = fuse ? conv_chain(plan, i, consumers) : std::nullopt) {
            Tensor out = buffers.take(plan.layers[chain->last].output);
            if (run_conv_chain(plan, i, *chain, *ins.at(0), weights, options.kernels, out)) {
                live += out.size() * 4;
                peak = std::max(peak, live);
                outs[chain->last] = std::move(out);
                ++result.fused_chains;
                for (auto in : lp.input_nodes)
                    release(in);
                i = chain->last;
                continue;
            }
            buffers.give(out);
        }
        Tensor out = buffers.take(lp.output);
        for (std::size_t k = 1; k < lp.outputs.size(); ++k) {
            rest[i].push_back(buffers.take(lp.outputs[k]));
            live += rest[i].back().size() * 4;
        }
        std::optional<IndexTensor> idx;
        if (returns_indices(lp)) idx.emplace(lp.output);
        live += out.size() * 4 + (idx ? idx->size() * 8 : 0);
        peak = std::max(peak, live);
        run_layer(lp, ins, weights, options.kernels, out, idx ? &*idx : nullptr, rng, &rest[i]);
        // MaxPool's (values, indices): the tuple's second element holds the indices as floats
        // (exact up to 2^24, which MaxUnpool checks), for later layers that take "p[1]".
        if (idx && lp.tuple && !rest[i].empty())
            for (std::size_t k = 0; k < idx->data.size(); ++k)
                rest[i][0].data[k] = float(idx->data[k]);
        if (idx) {
            if (std::int64_t(i) == output_node(plan))
                result.indices = std::move(idx);
            else
                live -= idx->size() * 8;
        }
        outs[i] = std::move(out);
        if (options.keep_all) continue;
        for (auto in : lp.input_nodes)
            release(in);
    }
    result.peak_bytes = peak;
    std::vector<PlanOutput> outputs = plan.outputs;
    if (outputs.empty()) outputs.push_back(PlanOutput{"", std::int64_t(n) - 1, -1, plan.output});
    // Moved out unless keep_all keeps it, or a later output is the same tensor.
    for (std::size_t k = 0; k < outputs.size(); ++k) {
        const PlanOutput& o = outputs[k];
        bool again = options.keep_all;
        for (std::size_t m = k + 1; m < outputs.size(); ++m)
            again = again || (outputs[m].node == o.node && outputs[m].slot == o.slot);
        if (o.node < 0) {
            result.outputs.push_back(input);
            continue;
        }
        Tensor& t = o.slot > 0 ? rest[o.node].at(std::size_t(o.slot - 1)) : outs[o.node];
        result.outputs.push_back(again ? t : std::move(t));
    }
    result.output = result.outputs[0];
    // A network that ends in a layer returning a tuple (MultiheadAttention) gives the tuple.
    const PlanOutput& first = outputs[0];
    if (first.node >= 0 && first.slot < 0 && plan.layers[std::size_t(first.node)].tuple) {
        result.output_tuple = true;
        result.output_rest = rest[std::size_t(first.node)];
        result.output_nones = plan.layers[std::size_t(first.node)].tuple_nones;
    }
    if (options.keep_all) result.layer_outputs = std::move(outs);
    return result;
}

} // namespace cnnshape
