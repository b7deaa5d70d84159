// Typed errors. Rules throw context-free messages (ShapeError); the planner and the spec reader add
// where it happened. Exit codes: SpecError/UsageError -> 2, ShapeError/LayerError -> 1,
// ResourceError -> 5; any other exception is a bug (3), std::bad_alloc is out of memory (5).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cnnshape {

// The spec cannot be turned into layers: syntax, unknown layer or argument, wrong argument type.
// `where` is a JSON path ("layers[3].kernel_size"), "line L, column C", or empty.
class SpecError : public std::runtime_error {
public:
    SpecError(std::string where, const std::string& message, std::string location = "")
        : std::runtime_error(message), where_(std::move(where)), location_(std::move(location)) {}
    const std::string& where() const { return where_; }
    // Where that is in the file, when known: "line 7, column 20".
    const std::string& location() const { return location_; }
    // "layers[3].kernel_size (line 7, column 20)"
    std::string place() const {
        if (location_.empty()) return where_;
        return where_.empty() ? location_ : where_ + " (" + location_ + ")";
    }
    std::string full() const { return place().empty() ? what() : place() + ": " + what(); }

private:
    std::string where_, location_;
};

// One of the networks a pasted text holds: an nn.Sequential(...) call or a print(model) block.
struct ModelCandidate {
    std::string name; // what --model takes: "model", "self.features"; "" when it has no name
    std::size_t line = 0;
    std::string kind; // "python" (a call in Python source) or "print" (print(model) text)
};

// A text holds several networks and none (or no single one) was chosen with --model; or the one
// named does not exist. The message lists the candidates; so does the JSON error report.
class ModelChoiceError : public SpecError {
public:
    ModelChoiceError(std::string where, const std::string& message,
                     std::vector<ModelCandidate> candidates)
        : SpecError(std::move(where), message), candidates_(std::move(candidates)) {}
    const std::vector<ModelCandidate>& candidates() const { return candidates_; }

private:
    std::vector<ModelCandidate> candidates_;
};

// Bad command-line use or an unreadable file.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A run refused because it would exceed its memory limit (run --memory-limit).
class ResourceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A rule PyTorch enforces was broken (it would raise at construction or in forward). The message
// states the rule in PyTorch's words with the numbers, and knows nothing about which layer.
class ShapeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A ShapeError with the layer it happened in.
class LayerError : public std::runtime_error {
public:
    LayerError(std::int64_t index, std::string name, std::string type, std::string rule)
        : std::runtime_error(format(index, name, type, rule)), index_(index),
          name_(std::move(name)), type_(std::move(type)), rule_(std::move(rule)) {}
    std::int64_t index() const { return index_; }
    const std::string& name() const { return name_; }
    const std::string& type() const { return type_; }
    const std::string& rule() const { return rule_; }

private:
    static std::string format(std::int64_t index, const std::string& name, const std::string& type,
                              const std::string& rule) {
        return "layer " + std::to_string(index) + " ('" + name + "', " + type + "): " + rule;
    }
    std::int64_t index_;
    std::string name_, type_, rule_;
};

} // namespace cnnshape
