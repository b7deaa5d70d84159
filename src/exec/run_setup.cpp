// What `run` decides before it executes a plan (run_setup.hpp).
#include "cnnshape/run_setup.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/report.hpp"
#include "cnnshape/tensor_io.hpp"
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace cnnshape {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string read_text_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw UsageError(fmt::format("cannot read {}", path));
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

} // namespace

RunInput read_run_input(const std::string& text) {
    RunInput r;
    std::error_code ec;
    bool is_file = std::filesystem::is_regular_file(text, ec);
    if (is_file && ends_with(text, ".npy")) {
        LoadedTensor t = read_npy(text);
        r.tensor = std::move(t.tensor);
        if (!t.note.empty()) r.note = text + ": " + t.note;
        return r;
    }
    if (is_file) {
        LoadedTensor t = read_tensor_literal(read_text_file(text));
        r.tensor = std::move(t.tensor);
        if (!t.note.empty()) r.note = text + ": " + t.note;
        return r;
    }
    if (ends_with(text, ".npy") || ends_with(text, ".json"))
        throw UsageError(fmt::format("cannot read {}: no such file", text));
    // PyTorch code, as a tutorial writes it: torch.tensor([[...]]), x = torch.randn(1, 3, 8, 8).
    if (auto code = input_code(text)) {
        if (code->kind == InputCode::Literal) {
            LoadedTensor t = read_tensor_literal(text);
            r.tensor = std::move(t.tensor);
            r.note = t.note;
        } else {
            r.shape = parse_shape(code->sizes);
            r.fill = code->fill;
        }
        return r;
    }
    std::string compact;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c))) compact += c;
    if (!compact.empty() && compact[0] == '[') {
        // A flat list of integers is a shape ("[1, 3, 32, 32]", as `plan` reads it); nested
        // lists or any non-integer number are values.
        bool values =
            compact.rfind("[[", 0) == 0 || compact.find_first_of(".eEnNiI") != std::string::npos;
        if (values) {
            r.tensor = parse_tensor_literal(text);
            return r;
        }
    }
    r.shape = parse_shape(text);
    return r;
}

Tensor make_input(const Shape& shape, const std::string& fill, TorchGenerator& g) {
    Tensor t(shape);
    std::int64_t n = t.size();
    if (fill == "randn") {
        fill_randn(g, t.ptr(), n);
    } else if (fill == "rand") {
        fill_rand(g, t.ptr(), n);
    } else if (fill == "ones") {
        std::fill(t.data.begin(), t.data.end(), 1.0f);
    } else if (fill == "arange") {
        for (std::int64_t i = 0; i < n; ++i)
            t.data[i] = float(i + 1);
    }
    return t;
}

std::string nonfinite_note(const Tensor& t) {
    // PyTorch would propagate NaN and Inf silently; say where they are, since a user rarely
    // means to feed them.
    std::int64_t nan = 0, inf = 0, first = -1;
    for (std::int64_t i = 0; i < t.size(); ++i) {
        float v = t.data[i];
        if (std::isnan(v))
            ++nan;
        else if (std::isinf(v))
            ++inf;
        else
            continue;
        if (first < 0) first = i;
    }
    if (first < 0) return "";
    Shape at(t.shape.size());
    for (std::int64_t i = std::int64_t(at.size()) - 1, rest = first; i >= 0; --i) {
        at[i] = t.shape[i] ? rest % t.shape[i] : 0;
        rest = t.shape[i] ? rest / t.shape[i] : 0;
    }
    return fmt::format("the input holds {} NaN and {} infinite values (the first at index {}); "
                       "they propagate as in PyTorch",
                       nan, inf, shape_list(at));
}

std::int64_t physical_memory() {
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || size <= 0) return 0;
    return std::int64_t(pages) * size;
}

std::string bytes_text(std::int64_t b) {
    return b < 1000 ? fmt::format("{} bytes", b) : fmt::format("{} bytes ({})", b, human_bytes(b));
}

void check_memory_limit(const Plan& plan, bool keep_all, std::int64_t limit,
                        const std::string& hint) {
    if (limit <= 0) return;
    std::int64_t peak = planned_peak_bytes(plan, keep_all);
    if (peak > limit)
        throw ResourceError(fmt::format("refusing to run: the tensors (weights, input and live "
                                        "activations) would take {} at the peak, more than the "
                                        "limit of {}{}",
                                        bytes_text(peak), bytes_text(limit), hint));
}

void check_returns_indices(const Plan& plan) {
    std::int64_t last =
        plan.outputs.empty() ? std::int64_t(plan.layers.size()) - 1 : plan.outputs[0].node;
    if (last < 0 || !returns_indices(plan.layers[std::size_t(last)]))
        throw UsageError("--indices needs a last layer that returns indices (a max pooling layer "
                         "with return_indices=True)");
}

std::string state_dict_mismatch(const WeightLoadReport& rep, bool details_only) {
    if (rep.missing_keys.empty() && rep.unexpected_keys.empty()) return "";
    auto quoted = [](const std::vector<std::string>& keys) {
        std::string s;
        for (auto& k : keys)
            s += (s.empty() ? "\"" : ", \"") + k + "\"";
        return s;
    };
    std::string msg = details_only ? "" : "Error(s) in loading state_dict for Sequential:";
    if (!rep.missing_keys.empty())
        msg += "\n\tMissing key(s) in state_dict: " + quoted(rep.missing_keys) + ". ";
    if (!rep.unexpected_keys.empty())
        msg += "\n\tUnexpected key(s) in state_dict: " + quoted(rep.unexpected_keys) + ". ";
    return msg;
}

} // namespace cnnshape
