// Picks one architecture's kernel table at run time and forwards to it. Compiled without any
// architecture flags, so it runs on every x86-64 CPU; only the table it picks uses wider
// instructions.
#include "cnnshape/error.hpp"
#include "table.hpp"

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>

namespace cnnshape::kernels::simd {

namespace {

// The architectures compiled in, best first, as xsimd::dispatch walks them.
using CompiledArchs = xsimd::arch_list<xsimd::avx512f, xsimd::fma3<xsimd::avx2>, xsimd::sse2>;

struct PickTable {
    const KernelTable* operator()(xsimd::avx512f) const { return &table_avx512(); }
    const KernelTable* operator()(xsimd::fma3<xsimd::avx2>) const { return &table_avx2(); }
    const KernelTable* operator()(xsimd::sse2) const { return &table_sse2(); }
};

const KernelTable* best_table() {
    return xsimd::dispatch<CompiledArchs>(PickTable{})();
}

const KernelTable* table_named(const std::string& name) {
    auto cpu = xsimd::available_architectures();
    if (name == "avx512f" && cpu.avx512f) return &table_avx512();
    if ((name == "avx2" || name == "fma3<avx2>") && cpu.fma3_avx2) return &table_avx2();
    if (name == "sse2" && cpu.sse2) return &table_sse2();
    return nullptr;
}

const KernelTable* initial_table() {
    if (const char* env = std::getenv("CNNSHAPE_SIMD_ARCH"))
        if (const KernelTable* t = table_named(env)) return t;
    return best_table();
}

std::atomic<const KernelTable*>& current() {
    static std::atomic<const KernelTable*> t{initial_table()};
    return t;
}

const KernelTable& table() {
    return *current().load(std::memory_order_relaxed);
}

} // namespace

std::string arch() {
    return table().name;
}

std::vector<std::string> compiled_archs() {
    return {"avx512f", "avx2", "sse2"};
}

std::vector<std::string> available_archs() {
    std::vector<std::string> out;
    for (const auto& name : compiled_archs())
        if (table_named(name)) out.push_back(name);
    return out;
}

void check_arch_env() {
    const char* env = std::getenv("CNNSHAPE_SIMD_ARCH");
    if (!env || !*env || table_named(env)) return;
    auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v)
            s += (s.empty() ? "" : ", ") + x;
        return s;
    };
    auto compiled = compiled_archs();
    bool known = std::string(env) == "fma3<avx2>" ||
                 std::find(compiled.begin(), compiled.end(), env) != compiled.end();
    if (!known)
        throw UsageError("CNNSHAPE_SIMD_ARCH '" + std::string(env) +
                         "' is not an architecture cnnshape was built for (" + join(compiled) +
                         ")");
    throw UsageError("CNNSHAPE_SIMD_ARCH '" + std::string(env) +
                     "': this CPU cannot run it (it runs " + join(available_archs()) + ")");
}

bool force_arch(const std::string& name) {
    const KernelTable* t = name.empty() ? initial_table() : table_named(name);
    if (!t) return false;
    current().store(t, std::memory_order_relaxed);
    return true;
}

float* scratch(int slot, std::size_t floats) {
    struct Buffer {
        std::unique_ptr<float[]> owner; // over-allocated by 16 floats for 64-byte alignment
        float* data = nullptr;
        std::size_t size = 0;
    };
    thread_local Buffer buffers[4];
    Buffer& b = buffers[slot];
    if (b.size < floats) {
        std::size_t size = floats + floats / 4; // grow with headroom
        b.owner.reset(new float[size + 16]);
        auto addr = reinterpret_cast<std::uintptr_t>(b.owner.get());
        b.data = reinterpret_cast<float*>((addr + 63) & ~std::uintptr_t(63));
        b.size = size;
    }
    return b.data;
}

namespace {

template <class Desc>
bool run_entry(const Context& ctx, const Desc& d, const Io& io) {
    SimdKernel<Desc>* f = entry(table(), d);
    return f && f(ctx, d, io);
}

// Area mode is adaptive average pooling to the output size, as in the reference. The descriptor
// is built here, in the portable unit (kernels create no std containers).
bool run_entry(const Context& ctx, const UpsampleDesc& d, const Io& io) {
    if (d.mode != UpsampleMode::Area) return run_entry<UpsampleDesc>(ctx, d, io);
    const Shape &xs = io.x_shape(), &ys = io.out_shape;
    if (xs.size() < 3 || ys.size() != xs.size()) return false;
    if (numel(ys) == 0) return true;
    AdaptivePoolDesc a;
    a.is_max = false;
    a.nd = int(xs.size()) - 2;
    a.output_size = Shape(ys.begin() + 2, ys.end());
    return run_entry(ctx, a, io);
}

} // namespace

#define CNNSHAPE_OP(folder, Desc)                                                                  \
    bool run(const Context& ctx, const Desc& d, const Io& io) {                                    \
        return run_entry(ctx, d, io);                                                              \
    }
#include "ops/ops.def"
#undef CNNSHAPE_OP

bool conv_fused(const Context& ctx, const ConvDesc& d, const Io& io, const ConvEpilogue& ep) {
    auto f = table().conv_fused;
    return f && f(ctx, d, io, ep);
}

} // namespace cnnshape::kernels::simd
