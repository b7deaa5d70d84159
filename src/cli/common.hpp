// What several subcommands share: reading the network they work on, and reporting spec and
// usage errors the same way (stderr text, and the same JSON error object with --format json).
#pragma once
#include "cnnshape/error.hpp"
#include "cnnshape/network.hpp"
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace cnnshape::cli {

// {"error": {"message", "where", "layer", "name", "type", "exit_code"}} on stdout; `le` (may be
// null) names the layer. With `candidates` (a text holding several networks), also
// "candidates": [{"name", "line", "kind"}].
void print_error_json(const std::string& message, const std::string& where, const LayerError* le,
                      int code, const std::vector<ModelCandidate>* candidates = nullptr);
// The "candidates" array of that object.
nlohmann::ordered_json candidates_json(const std::vector<ModelCandidate>& cs);

// "cnnshape: spec error in net.json at layers[3].kernel_size (line 7, column 20): ..." on stderr
// (and the JSON object when json_out). `spec` is the file given ("" or "-": none). Returns kUsage.
int report_spec_error(const SpecError& e, const std::string& spec, bool json_out);
// "cnnshape: MESSAGE" and "  (defined at layers[2] in net.json)" on stderr.
void print_layer_error(const LayerError& e, const Network& net, const std::string& spec);
// A layer PyTorch would reject: "cnnshape: MESSAGE" and "  (defined at layers[2] in net.json)" on
// stderr (and the JSON object naming the layer when json_out). Returns kInvalidNetwork.
int report_layer_error(const LayerError& e, const Network& net, const std::string& spec,
                       bool json_out);
// "cnnshape: MESSAGE" on stderr (and the JSON object, with `code`, when json_out). Returns `code`.
int report_error(const std::string& message, int code, bool json_out);
// report_error(message, kUsage, json_out).
int report_usage_error(const std::string& message, bool json_out);

// Runs a command: what escapes `body` is reported as every command reports it (stderr, and the
// JSON error object when json_out) with its exit code: SpecError and UsageError 2 (a file system
// error too), ResourceError and std::bad_alloc ("out of memory") 5, any other exception, a bug in
// cnnshape, "internal error: ..." 3.
int run_guarded(bool json_out, const std::function<int()>& body);

// The network to work on: a spec file ("-" reads stdin) or --layer expressions, exactly one of
// the two (UsageError otherwise, naming `verb`: "nothing to plan: ..."), with --mode applied
// ("train", "eval", or "" for the spec's own) and --model choosing among a text's networks. The
// reader's notes and warnings (print_reader_notes) go to stderr.
Network load_network(const std::string& verb, const std::string& spec,
                     const std::vector<std::string>& layers, const std::string& mode,
                     const std::string& model = "", const std::string& input = "");

// "cnnshape: note: ..." for the reader's notes, and "cnnshape: warning: ..." listing the
// arguments print(model) text did not show, on stderr.
void print_reader_notes(const Network& net);
// The note saying where a guessed input shape came from, when no --input replaces it.
void print_input_note(const Network& net, const std::string& input);

// --input SHAPE (when given) overrides the spec's input; a UsageError when neither has one.
void set_input_shape(Network& net, const std::string& input);

} // namespace cnnshape::cli
