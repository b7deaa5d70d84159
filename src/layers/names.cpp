// Hints for names cnnshape does not know. A layer type: PyTorch's own classes that cnnshape does
// not support yet are said to be so (never "did you mean" another layer), and only names PyTorch
// does not have either get a "did you mean" hint. A keyword argument: typos, abbreviations,
// other spellings and other frameworks' names get a hint; otherwise the layer's keywords are
// listed.
#include "cnnshape/layer.hpp"
#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace cnnshape {

namespace {

const TorchModule kTorchModules[] = {
#include "torch_modules.inc"
};

const char* const kLayersTail = "`cnnshape layers` lists the layers cnnshape supports";

// Lower case without '_' and '-': "kernelSize", "KERNEL_SIZE" and "kernel-size" are one name.
std::string squash(const std::string& s) {
    std::string r;
    for (char c : s)
        if (c != '_' && c != '-') r += char(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

// The class name in "nn.PReLU", "torch.nn.modules.activation.PReLU", "torchvision.ops.X".
std::string base_name(const std::string& name) {
    auto dot = name.rfind('.');
    return dot == std::string::npos ? name : name.substr(dot + 1);
}

std::string owner(const TorchModule& m) {
    return std::string(m.path).rfind("torchvision.", 0) == 0 ? "torchvision" : "PyTorch";
}

// Other frameworks' names for PyTorch's layers: {name, PyTorch's, whose name}.
struct LayerAlias {
    const char* name;
    const char* torch;
    const char* origin;
};
const LayerAlias kLayerAliases[] = {
    {"Dense", "Linear", "Keras"},
    {"MaxPooling1D", "MaxPool1d", "Keras"},
    {"MaxPooling2D", "MaxPool2d", "Keras"},
    {"MaxPooling3D", "MaxPool3d", "Keras"},
    {"AveragePooling1D", "AvgPool1d", "Keras"},
    {"AveragePooling2D", "AvgPool2d", "Keras"},
    {"AveragePooling3D", "AvgPool3d", "Keras"},
    {"GlobalAveragePooling1D", "AdaptiveAvgPool1d", "Keras"},
    {"GlobalAveragePooling2D", "AdaptiveAvgPool2d", "Keras"},
    {"GlobalAveragePooling3D", "AdaptiveAvgPool3d", "Keras"},
    {"GlobalMaxPooling1D", "AdaptiveMaxPool1d", "Keras"},
    {"GlobalMaxPooling2D", "AdaptiveMaxPool2d", "Keras"},
    {"GlobalMaxPooling3D", "AdaptiveMaxPool3d", "Keras"},
    {"Convolution1D", "Conv1d", "Keras"},
    {"Convolution2D", "Conv2d", "Keras"},
    {"Convolution3D", "Conv3d", "Keras"},
    {"Conv1DTranspose", "ConvTranspose1d", "Keras"},
    {"Conv2DTranspose", "ConvTranspose2d", "Keras"},
    {"Conv3DTranspose", "ConvTranspose3d", "Keras"},
    {"BatchNormalization", "BatchNorm2d", "Keras"},
    {"LayerNormalization", "LayerNorm", "Keras"},
    {"ZeroPadding2D", "ZeroPad2d", "Keras"},
    {"UpSampling2D", "Upsample", "Keras"},
    {"SpatialDropout1D", "Dropout1d", "Keras"},
    {"SpatialDropout2D", "Dropout2d", "Keras"},
    {"SpatialDropout3D", "Dropout3d", "Keras"},
    {"Concatenate", "Concat", "Keras"},
};

// Other names for PyTorch's keyword arguments: {name, the keywords it may mean (the first the
// layer has is suggested), whose name ("" for a common abbreviation)}.
struct KeywordAlias {
    const char* name;
    std::vector<const char*> targets;
    const char* origin;
};
const std::vector<KeywordAlias>& keyword_aliases() {
    static const std::vector<KeywordAlias> a = {
        {"kernel", {"kernel_size"}, ""},
        {"k", {"kernel_size"}, ""},
        {"ksize", {"kernel_size"}, "TensorFlow's"},
        {"pool_size", {"kernel_size"}, "Keras's"},
        {"kernel_shape", {"kernel_size"}, "ONNX's"},
        {"size", {"kernel_size", "output_size"}, ""},
        {"window", {"kernel_size"}, ""},
        {"window_size", {"kernel_size"}, ""},
        {"filter_size", {"kernel_size"}, ""},
        {"strides", {"stride"}, "Keras's and TensorFlow's"},
        {"s", {"stride"}, ""},
        {"step", {"stride"}, ""},
        {"pad", {"padding"}, ""},
        {"p", {"padding"}, ""},
        {"pads", {"padding"}, "ONNX's"},
        {"dilation_rate", {"dilation"}, "Keras's"},
        {"dilations", {"dilation"}, "ONNX's and TensorFlow's"},
        {"dilate", {"dilation"}, ""},
        {"filters", {"out_channels"}, "Keras's"},
        {"units", {"out_features"}, "Keras's"},
        {"input_dim", {"in_features", "in_channels"}, ""},
        {"output_dim", {"out_features", "out_channels"}, ""},
        {"in_features", {"in_channels", "num_features"}, "Linear's"},
        {"out_features", {"out_channels"}, "Linear's"},
        {"in_channels", {"in_features", "num_features"}, "the convolutions'"},
        {"out_channels", {"out_features"}, "the convolutions'"},
        {"num_features", {"in_channels", "in_features"}, "BatchNorm's"},
        {"input_channels", {"in_channels", "num_features"}, ""},
        {"output_channels", {"out_channels"}, ""},
        {"channels", {"num_features"}, ""},
        {"out_size", {"output_size"}, ""},
        {"target_size", {"output_size", "size"}, ""},
        {"use_bias", {"bias"}, "Keras's"},
        {"with_bias", {"bias"}, ""},
        {"has_bias", {"bias"}, ""},
        {"epsilon", {"eps"}, "Keras's"},
        {"rate", {"p"}, "Keras's"},
        {"drop_rate", {"p"}, ""},
        {"dropout", {"p"}, ""},
        {"prob", {"p"}, ""},
        {"probability", {"p"}, ""},
        {"alpha", {"negative_slope"}, "Keras's"},
        {"slope", {"negative_slope"}, ""},
        {"axis", {"dim"}, "Keras's and NumPy's"},
        {"interpolation", {"mode"}, "Keras's"},
        {"num_groups", {"groups"}, ""},
    };
    return a;
}

// Keywords of other frameworks that no PyTorch layer takes: what to do instead.
struct KeywordNote {
    const char* name;
    const char* note;
};
const KeywordNote kKeywordNotes[] = {
    {"activation", "PyTorch layers take no activation: add it as a layer of its own, such as "
                   "nn.ReLU(), after this one"},
    {"input_shape", "PyTorch layers take no input shape: give it with --input (or \"input\" in a "
                    "JSON spec)"},
    {"data_format", "PyTorch layers take no data format: they are channels-first, (N, C, H, W)"},
};

} // namespace

// Levenshtein distance ignoring case, for "did you mean" hints.
std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] =
                std::min({prev[j] + 1, cur[j - 1] + 1,
                          prev[j - 1] + (std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                                                 std::tolower(static_cast<unsigned char>(b[j - 1]))
                                             ? 0
                                             : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string closest_name(const std::string& wrong, const std::vector<std::string>& options) {
    std::string best;
    std::size_t best_d = 3;
    for (auto& o : options) {
        std::size_t d = edit_distance(wrong, o);
        if (d < best_d && d < wrong.size()) { // "p" is not a typo of "eps"
            best_d = d;
            best = o;
        }
    }
    return best;
}

const std::vector<TorchModule>& torch_modules() {
    static const std::vector<TorchModule> v(std::begin(kTorchModules), std::end(kTorchModules));
    return v;
}

const TorchModule* find_torch_module(const std::string& name) {
    std::string base = base_name(name);
    const auto& v = torch_modules();
    auto it =
        std::lower_bound(v.begin(), v.end(), base,
                         [](const TorchModule& m, const std::string& n) { return m.name < n; });
    return it != v.end() && it->name == base ? &*it : nullptr;
}

namespace {

// The message for `name`, suggesting one of `supported` and, when `others`, PyTorch's classes
// cnnshape does not support; `see_also` (if any) ends it in parentheses.
std::string unknown_layer(const std::string& name, const std::vector<std::string>& supported,
                          bool others, const std::string& see_also) {
    std::string base = base_name(name);
    const TorchModule* m = find_torch_module(base);
    if (m && !find_layer_type(base))
        return fmt::format("{} has {}; cnnshape does not support it yet{}", owner(*m), m->path,
                           see_also.empty() ? "" : " (" + see_also + ")");
    struct Candidate {
        std::string name;
        const TorchModule* unsupported; // PyTorch has it, cnnshape does not
    };
    std::vector<Candidate> cands;
    for (auto& s : supported)
        cands.push_back({s, nullptr});
    if (others)
        for (auto& t : torch_modules())
            if (!find_layer_type(t.name)) cands.push_back({t.name, &t});
    const Candidate* hit = nullptr;
    std::string origin;
    std::string sq = squash(base);
    for (auto& a : kLayerAliases) {
        if (squash(a.name) != sq) continue;
        for (auto& c : cands)
            if (c.name == a.torch) {
                hit = &c;
                origin = a.origin;
                break;
            }
        if (hit) break;
    }
    for (std::size_t i = 0; !hit && i < cands.size(); ++i)
        if (squash(cands[i].name) == sq) hit = &cands[i];
    if (!hit) {
        std::size_t best = 3;
        for (auto& c : cands) {
            std::size_t d = edit_distance(base, c.name);
            if (d < best && d < base.size()) {
                best = d;
                hit = &c;
            }
        }
    }
    if (!hit)
        return fmt::format("unknown layer type '{}'{}", name,
                           see_also.empty() ? "" : " (" + see_also + ")");
    std::string why = origin.empty() ? "" : fmt::format(" '{}' is {}'s name for it", base, origin);
    if (!hit->unsupported)
        return fmt::format("unknown layer type '{}' (did you mean '{}'?{})", name, hit->name, why);
    return fmt::format("unknown layer type '{}' (did you mean {}?{}{} {} has it, but cnnshape "
                       "does not support it yet{})",
                       name, hit->unsupported->path, why, why.empty() ? "" : ".",
                       owner(*hit->unsupported), see_also.empty() ? "" : "; " + see_also);
}

} // namespace

std::string unknown_layer_message(const std::string& name) {
    std::vector<std::string> names;
    for (auto& t : layer_types())
        names.push_back(t.name);
    return unknown_layer(name, names, true, kLayersTail);
}

std::string unknown_layer_message(const std::string& name,
                                  const std::vector<std::string>& supported,
                                  const std::string& see_also) {
    return unknown_layer(name, supported, false, see_also);
}

std::string keyword_hint(const std::string& type, const std::string& wrong,
                         const std::vector<std::string>& valid) {
    auto has = [&](const std::string& n) {
        return std::find(valid.begin(), valid.end(), n) != valid.end();
    };
    auto mean = [](const std::string& n, const std::string& why = "") {
        return " (did you mean '" + n + "'?" + why + ")";
    };
    std::string sq = squash(wrong);
    // Another spelling of the same name: kernelSize, KERNEL_SIZE, inchannels.
    for (auto& v : valid)
        if (squash(v) == sq) return mean(v);
    for (auto& a : keyword_aliases()) {
        if (squash(a.name) != sq) continue;
        for (const char* t : a.targets)
            if (has(t))
                return mean(t, *a.origin ? fmt::format(" '{}' is {} name for it", wrong, a.origin)
                                         : "");
    }
    for (auto& n : kKeywordNotes)
        if (squash(n.name) == sq) return std::string("; ") + n.note;
    // A typo: kernal_size, stirde.
    std::string close = closest_name(wrong, valid);
    if (!close.empty()) return mean(close);
    // An abbreviation (ceil, divisor, in_ch): the shortest keyword it begins.
    std::string best;
    if (sq.size() >= 2)
        for (auto& v : valid)
            if (squash(v).rfind(sq, 0) == 0 && (best.empty() || v.size() < best.size())) best = v;
    if (!best.empty()) return mean(best);
    // A keyword with more after it (count_include_padding, bias_enabled): the longest one.
    for (auto& v : valid) {
        std::string sv = squash(v);
        if (sv.size() >= 3 && sq.rfind(sv, 0) == 0 && v.size() > best.size()) best = v;
    }
    if (!best.empty()) return mean(best);
    // A misspelt abbreviation (kernal, dilate): one edit from a keyword's beginning.
    if (sq.size() >= 4)
        for (auto& v : valid) {
            std::string sv = squash(v);
            for (std::size_t len = sq.size() - 1; len <= sq.size() + 1 && len <= sv.size(); ++len)
                if (len >= 4 && edit_distance(sq, sv.substr(0, len)) <= 1) return mean(v);
        }
    if (valid.empty()) return fmt::format("; {} takes no arguments", type);
    std::string list;
    for (std::size_t i = 0; i < valid.size(); ++i)
        list += (i ? ", " : "") + valid[i];
    return fmt::format("; {} takes {}", type, list);
}

} // namespace cnnshape
