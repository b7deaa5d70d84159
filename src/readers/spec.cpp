// Spec readers: JSON specs, nn.Sequential Python / print(model) text, --layer expressions. All
// build the same Network through one Builder, which owns naming and input resolution.
#include "cnnshape/compact_json.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/network.hpp"
#include "cnnshape/pyexpr.hpp"
#include "json_locate.hpp"
#include "py_module.hpp"
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

namespace cnnshape {
namespace {

// Ordered: "outputs" as an object keeps the order the spec writes its names in.
using json = nlohmann::ordered_json;

constexpr int kMaxNesting = 64;

// A tensor a layer can take: a node's output (-1: the network input), or one element of the
// tuple a node returns ("c[1]": slot 1).
struct Ref {
    std::int64_t node = -1;
    std::int64_t slot = -1;
};

struct Scope {
    std::string prefix;                         // "layer1.0." (empty at top level)
    Ref input;                                  // what "input" means here
    Ref last;                                   // output of the previous entry
    std::unordered_map<std::string, Ref> names; // local name -> its output
};

class Builder {
public:
    Network net;

    void push(std::string prefix, Ref input) {
        if (scopes_.size() >= kMaxNesting)
            throw SpecError("",
                            fmt::format("Sequentials are nested more than {} deep", kMaxNesting));
        scopes_.push_back(Scope{std::move(prefix), input, input, {}});
    }
    Ref pop() {
        Ref out = scopes_.back().last;
        scopes_.pop_back();
        return out;
    }
    Scope& top() { return scopes_.back(); }

    // Resolve a reference written in the spec: a name, or "name[k]" for element k of the tuple a
    // layer returns (chunk, split, unbind).
    Ref resolve(const std::string& ref, const std::string& where, bool output = false) {
        std::size_t open = ref.rfind('[');
        if (open != std::string::npos && open > 0 && ref.back() == ']') {
            std::string digits = ref.substr(open + 1, ref.size() - open - 2);
            bool ok = !digits.empty() && digits.size() <= 9 &&
                      digits.find_first_not_of("0123456789") == std::string::npos;
            if (!ok)
                throw SpecError(where, fmt::format("'{}': a tuple element is taken by a "
                                                   "non-negative index, as \"{}[0]\"",
                                                   ref, ref.substr(0, open)));
            Ref base = resolve(ref.substr(0, open), where, output);
            if (!returns_tuple(base))
                throw SpecError(where,
                                fmt::format("'{}' takes an element of '{}', which returns one "
                                            "tensor, not a tuple: write \"{}\"",
                                            ref, ref.substr(0, open), ref.substr(0, open)));
            base.slot = std::stoll(digits);
            return base;
        }
        if (ref == "input") return top().input;
        for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
            auto f = it->names.find(ref);
            if (f != it->names.end()) return f->second;
        }
        auto g = full_.find(ref);
        if (g != full_.end()) return g->second;
        if (output)
            throw SpecError(where, fmt::format("'outputs' names '{}', which is not a layer of the "
                                               "network (name a layer, a nested one by its dotted "
                                               "name as \"layer1.0.conv1\", or \"input\")",
                                               ref));
        throw SpecError(where,
                        fmt::format("'inputs' refers to '{}', which is not an earlier layer "
                                    "(a layer can only take the outputs of layers before it, "
                                    "or \"input\")",
                                    ref));
    }

    std::string local_name(const std::optional<std::string>& given, std::size_t index,
                           const std::string& where) {
        std::string name = given ? *given : std::to_string(index);
        if (name.empty()) throw SpecError(where + ".name", "a layer name cannot be empty");
        if (name == "input")
            throw SpecError(where + ".name", "\"input\" is reserved for the network input");
        if (name.find('.') != std::string::npos)
            throw SpecError(
                where + ".name",
                fmt::format("layer name '{}' cannot contain '.': dots join the names of "
                            "nested Sequentials",
                            name));
        if (top().names.count(name))
            throw SpecError(where + ".name",
                            fmt::format("two layers in the same Sequential are named '{}'", name));
        return name;
    }

    // Whether the reference is a whole tuple (a node that returns one, no element taken).
    bool returns_tuple(const Ref& r) const {
        return r.node >= 0 && r.slot < 0 && net.nodes[r.node].layer->returns_tuple();
    }

    // The inputs of an entry: explicit references or the previous entry's output.
    std::vector<Ref> inputs_for(const std::vector<std::string>* refs, const std::string& where) {
        if (!refs) return {top().last};
        std::vector<Ref> r;
        for (auto& ref : *refs)
            r.push_back(resolve(ref, where + ".inputs"));
        return r;
    }

    // A layer cannot take a whole tuple: it names the element it takes.
    void check_not_tuple(const std::vector<Ref>& inputs, bool explicit_refs,
                         const std::string& where) const {
        for (const Ref& r : inputs)
            if (returns_tuple(r)) {
                const Node& t = net.nodes[r.node];
                throw SpecError(
                    explicit_refs ? where + ".inputs" : where,
                    fmt::format("'{}' ({}) returns a tuple of tensors: take one by index with "
                                "\"inputs\": [\"{}[0]\"]{}",
                                t.name, t.layer->type(), t.name,
                                explicit_refs ? ""
                                              : " (without \"inputs\" a layer takes the "
                                                "previous layer's output)"));
            }
    }

    void add_leaf(const std::string& name, LayerPtr layer, std::vector<Ref> refs,
                  const std::string& where, bool trainable, std::vector<std::string> assumed = {},
                  bool explicit_refs = false) {
        check_dtype(*layer);
        // A layer that takes no tensor (a Parameter) does not take the previous layer's output.
        if (!explicit_refs && layer->input_count().max == 0) refs.clear();
        check_not_tuple(refs, explicit_refs, where);
        std::vector<std::int64_t> inputs, slots;
        bool any_slot = false;
        for (const Ref& r : refs)
            inputs.push_back(r.node), slots.push_back(r.slot), any_slot |= r.slot >= 0;
        const Layer::InputCount count = layer->input_count();
        if (inputs.size() < count.min && count.max > 1)
            throw SpecError(where, fmt::format("{} joins branches: give it \"inputs\" with at "
                                               "least {} layer name{}{}",
                                               layer->type(), count.min == 2 ? "two" : "one",
                                               count.min == 1 ? "" : "s", layer->inputs_hint()));
        if (inputs.size() < count.min || inputs.size() > count.max)
            throw SpecError(
                where + ".inputs",
                count.max == 0   ? fmt::format("{} takes no input (it is a tensor of its own), "
                                                 "got {}",
                                               layer->type(), inputs.size())
                : count.max == 1 ? fmt::format("{} takes exactly one input, got {}{}",
                                               layer->type(), inputs.size(), layer->inputs_hint())
                                 : fmt::format("{} takes {} inputs, got {}{}", layer->type(),
                                               count.max, inputs.size(), layer->inputs_hint()));
        // Checked as each layer arrives, whatever the reader, so a huge spec stops here and
        // not after building every node.
        if (net.nodes.size() >= kMaxSpecLayers)
            throw SpecError(where, fmt::format("more than {} layers: cnnshape plans at most {}",
                                               kMaxSpecLayers, kMaxSpecLayers));
        Node n;
        n.name = top().prefix + name;
        n.where = where;
        n.layer = std::move(layer);
        n.inputs = std::move(inputs);
        if (any_slot) n.slots = std::move(slots);
        n.trainable = trainable;
        n.assumed = std::move(assumed);
        net.nodes.push_back(std::move(n));
        std::int64_t idx = net.nodes.size() - 1;
        register_name(name, Ref{idx, -1});
    }

    // cnnshape computes in float32: another dtype would change every byte count and `run`'s
    // numbers, so it is refused rather than ignored. (device changes nothing cnnshape reports.)
    static void check_dtype(const Layer& layer) {
        const Value* d = layer.args().find("dtype");
        if (!d || d->is_none()) return;
        if (d->is_string() && (d->as_string() == "torch.float32" ||
                               d->as_string() == "torch.float" || d->as_string() == "float32"))
            return;
        throw SpecError(layer.args().path("dtype"),
                        fmt::format("{}() dtype={}: cnnshape plans float32 layers only (leave "
                                    "dtype out, or give torch.float32)",
                                    layer.type(), d->repr()));
    }

    // Read from print(model) text: the arguments its repr never shows, which the spec could not
    // give, so they are taken at their defaults. device, dtype and inplace are left out: they
    // change nothing cnnshape reports (it plans float32, and in place or not, values and shapes
    // are the same).
    static std::vector<std::string> assumed_arguments(const Call& c) {
        const LayerType* t = find_layer_type(c.name);
        if (!t) return {};
        const std::vector<std::string>* hidden = print_hidden_arguments(t->name);
        if (!hidden) return {};
        std::vector<std::string> out;
        for (const std::string& h : *hidden) {
            if (h == "device" || h == "dtype" || h == "inplace") continue;
            bool given = false;
            for (auto& kw : c.kwargs)
                given = given || kw.first == h;
            for (std::size_t i = 0; i < c.args.size() && i < t->params.size(); ++i)
                given = given || t->params[i].name == h;
            if (!given) out.push_back(h);
        }
        return out;
    }

    bool print_text = false; // the calls come from print(model) text

    void register_name(const std::string& local, Ref out) {
        top().names[local] = out;
        top().last = out;
        full_[top().prefix + local] = out;
    }

    // A Sequential given as a PyTorch call: Sequential(a, b, ...) or
    // Sequential(OrderedDict([...])).
    void add_call_sequential(const Call& call, const std::string& where, int depth) {
        if (depth > kMaxNesting)
            throw SpecError(where,
                            fmt::format("Sequentials are nested more than {} deep", kMaxNesting));
        if (!call.kwargs.empty()) throw SpecError(where, "Sequential() takes no keyword arguments");
        std::vector<std::pair<std::optional<std::string>, const Value*>> items;
        if (call.args.size() == 1 && call.args[0].is_call() &&
            call.args[0].as_call().base_name() == "OrderedDict") {
            const Call& od = call.args[0].as_call();
            if (od.args.size() != 1 || !od.args[0].is_tuple())
                throw SpecError(where, "OrderedDict(...) must hold a list of (name, layer) pairs");
            for (auto& pair : od.args[0].as_tuple()) {
                if (!pair.is_tuple() || pair.as_tuple().size() != 2 ||
                    !pair.as_tuple()[0].is_string() || !pair.as_tuple()[1].is_call())
                    throw SpecError(where, fmt::format("OrderedDict entries must be ('name', "
                                                       "Layer(...)) pairs, got {}",
                                                       pair.repr()));
                items.push_back({pair.as_tuple()[0].as_string(), &pair.as_tuple()[1]});
            }
            // OrderedDict([...], name=Layer()) adds the keyword entries after the list's.
            for (auto& [key, layer] : od.kwargs) {
                if (!layer.is_call())
                    throw SpecError(where, fmt::format("OrderedDict entries must be layers, got "
                                                       "{}={}",
                                                       key, layer.repr()));
                items.push_back({key, &layer});
            }
        } else {
            for (auto& a : call.args)
                items.push_back({std::nullopt, &a});
        }
        for (std::size_t i = 0; i < items.size(); ++i) {
            const Value& v = *items[i].second;
            std::string w =
                where.empty() ? fmt::format("layer {}", i) : where + fmt::format("[{}]", i);
            if (!v.is_call())
                throw SpecError(
                    w, fmt::format("expected a layer such as nn.ReLU(), got {}", v.repr()));
            add_call(v.as_call(), items[i].first, i, w, depth + 1);
        }
    }

    void add_call(const Call& c, const std::optional<std::string>& given, std::size_t index,
                  const std::string& where, int depth) {
        std::string name = local_name(given, index, where);
        if (c.base_name() == "Sequential") {
            Ref in = top().last;
            check_not_tuple({in}, false, where);
            push(top().prefix + name + ".", in);
            add_call_sequential(c, where, depth);
            Ref out = pop();
            register_name(name, out);
            return;
        }
        add_leaf(name, make_layer(c, where), {top().last}, where, true,
                 print_text ? assumed_arguments(c) : std::vector<std::string>{});
    }

    std::unordered_map<std::string, Ref> full_;
    std::vector<Scope> scopes_;
};

// ---- JSON ----------------------------------------------------------------------------------

std::string line_col(const std::string& text, std::size_t byte) {
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
        if (text[i] == '\n')
            ++line, col = 1;
        else
            ++col;
    }
    return fmt::format("line {}, column {}", line, col);
}

// `where` names the value only when it is wrong: building every argument's path up front cost more
// than reading the argument.
using WherePath = std::function<std::string()>;

Value to_value(const json& j, const WherePath& where) {
    switch (j.type()) {
    case json::value_t::null:
        return Value::none();
    case json::value_t::boolean:
        return Value::boolean(j.get<bool>());
    case json::value_t::number_integer:
        return Value::integer(j.get<std::int64_t>());
    case json::value_t::number_unsigned: {
        auto u = j.get<std::uint64_t>();
        if (u > std::uint64_t(INT64_MAX))
            throw SpecError(where(), fmt::format("{} does not fit in a 64-bit integer", u));
        return Value::integer(std::int64_t(u));
    }
    case json::value_t::number_float:
        return Value::real(j.get<double>());
    case json::value_t::string:
        return Value::string(j.get<std::string>());
    case json::value_t::array: {
        Value::List l;
        l.reserve(j.size());
        for (std::size_t i = 0; i < j.size(); ++i)
            l.push_back(to_value(j[i], [&] { return where() + fmt::format("[{}]", i); }));
        return Value::tuple(std::move(l));
    }
    default:
        throw SpecError(where(),
                        "expected a number, string, boolean, null or array, got an object");
    }
}

std::string kind_of(const json& j) {
    switch (j.type()) {
    case json::value_t::object:
        return "an object";
    case json::value_t::array:
        return "an array";
    case json::value_t::string:
        return "a string";
    case json::value_t::boolean:
        return "a boolean";
    case json::value_t::null:
        return "null";
    default:
        return "a number";
    }
}

Shape json_shape(const json& j, const std::string& where) {
    if (j.is_string()) {
        try {
            return parse_shape(j.get<std::string>());
        } catch (const UsageError& e) {
            throw SpecError(where, e.what());
        }
    }
    if (!j.is_array())
        throw SpecError(where,
                        "the input shape must be an array of sizes such as [1, 3, 224, 224]");
    Shape s;
    for (std::size_t i = 0; i < j.size(); ++i) {
        if (!j[i].is_number_integer() || j[i].get<std::int64_t>() < 0)
            throw SpecError(
                where + fmt::format("[{}]", i),
                fmt::format("a size must be a non-negative integer, got {}", compact_json(j[i])));
        s.push_back(j[i].get<std::int64_t>());
    }
    return s;
}

// A layer object's own keys (the rest are the layer's keyword arguments).
enum class LayerKey { Type, Name, Inputs, Trainable, Layers, Args, Comment, Other };

LayerKey layer_key(const std::string& k) {
    auto is = [&](const char* w, std::size_t n) { return std::memcmp(k.data(), w, n) == 0; };
    switch (k.size()) {
    case 4:
        if (is("type", 4)) return LayerKey::Type;
        if (is("name", 4)) return LayerKey::Name;
        if (is("args", 4)) return LayerKey::Args;
        break;
    case 6:
        if (is("inputs", 6)) return LayerKey::Inputs;
        if (is("layers", 6)) return LayerKey::Layers;
        break;
    case 7:
        if (is("comment", 7)) return LayerKey::Comment;
        break;
    case 9:
        if (is("trainable", 9)) return LayerKey::Trainable;
        break;
    }
    return LayerKey::Other;
}

class JsonReader {
public:
    Builder b;

    void layers(const json& arr, const std::string& where, int depth) {
        if (!arr.is_array())
            throw SpecError(where,
                            fmt::format("\"layers\" must be an array, got {}", kind_of(arr)));
        for (std::size_t i = 0; i < arr.size(); ++i)
            layer(arr[i], i, where + '[' + std::to_string(i) + ']', depth);
    }

    void layer(const json& j, std::size_t index, const std::string& where, int depth) {
        if (depth > kMaxNesting)
            throw SpecError(where,
                            fmt::format("Sequentials are nested more than {} deep", kMaxNesting));
        if (j.is_string()) {
            Value v;
            try {
                v = parse_py_expr(j.get<std::string>());
            } catch (const SpecError& e) {
                throw SpecError(where + (e.where().empty() ? "" : " " + e.where()), e.what());
            }
            if (!v.is_call())
                throw SpecError(where, fmt::format("expected a layer expression such as "
                                                   "\"nn.ReLU()\", got {}",
                                                   v.repr()));
            b.add_call(v.as_call(), std::nullopt, index, where, depth);
            return;
        }
        if (!j.is_object())
            throw SpecError(where, fmt::format("a layer must be an object or a string such as "
                                               "\"nn.ReLU()\", got {}",
                                               kind_of(j)));
        // One pass over the keys (each contains() or [] is a linear search of the object's keys;
        // duplicate keys were refused before this point).
        const json* key_value[int(LayerKey::Other)] = {};
        for (auto it = j.begin(); it != j.end(); ++it) {
            LayerKey k = layer_key(it.key());
            if (k != LayerKey::Other) key_value[int(k)] = &it.value();
        }
        const json* jtype = key_value[int(LayerKey::Type)];
        const json* jname = key_value[int(LayerKey::Name)];
        const json* jinputs = key_value[int(LayerKey::Inputs)];
        const json* jtrainable = key_value[int(LayerKey::Trainable)];
        const json* jlayers = key_value[int(LayerKey::Layers)];
        const json* jargs = key_value[int(LayerKey::Args)];
        if (!jtype || !jtype->is_string())
            throw SpecError(where, "a layer object needs \"type\", e.g. \"Conv2d\"");
        const std::string& type = jtype->get_ref<const std::string&>();
        std::optional<std::string> name;
        if (jname) {
            if (!jname->is_string() && !jname->is_number_integer())
                throw SpecError(where + ".name", "\"name\" must be a string");
            name = jname->is_string() ? jname->get<std::string>() : compact_json(*jname);
        }
        std::vector<std::string> refs;
        bool has_refs = jinputs != nullptr;
        if (has_refs) {
            const json& in = *jinputs;
            if (in.is_string())
                refs.push_back(in.get<std::string>());
            else if (in.is_array()) {
                for (std::size_t i = 0; i < in.size(); ++i) {
                    if (!in[i].is_string())
                        throw SpecError(where + fmt::format(".inputs[{}]", i),
                                        "layer names are strings");
                    refs.push_back(in[i].get<std::string>());
                }
            } else {
                throw SpecError(where + ".inputs", "\"inputs\" must be a list of layer names");
            }
        }
        bool trainable = true;
        if (jtrainable) {
            if (!jtrainable->is_boolean())
                throw SpecError(where + ".trainable", "\"trainable\" must be true or false");
            trainable = jtrainable->get<bool>();
        }
        std::string base = type;
        for (const char* p : {"torch.nn.", "nn."})
            if (base.rfind(p, 0) == 0) base = base.substr(std::string(p).size());
        std::string local = b.local_name(name, index, where);
        auto inputs = b.inputs_for(has_refs ? &refs : nullptr, where);
        if (base == "Sequential") {
            for (auto& [k, v] : j.items())
                if (k != "type" && k != "name" && k != "inputs" && k != "layers" &&
                    k != "trainable" && k != "comment")
                    throw SpecError(where + "." + k,
                                    fmt::format("Sequential takes \"layers\", not \"{}\"", k));
            if (inputs.size() != 1)
                throw SpecError(where + ".inputs", "a Sequential takes exactly one input");
            b.check_not_tuple(inputs, has_refs, where);
            if (!jlayers) throw SpecError(where, "a Sequential needs \"layers\": [...]");
            b.push(b.top().prefix + local + ".", inputs[0]);
            saved_trainable_.push_back(trainable);
            layers(*jlayers, where + ".layers", depth + 1);
            saved_trainable_.pop_back();
            Ref out = b.pop();
            b.register_name(local, out);
            return;
        }
        if (jlayers)
            throw SpecError(where + ".layers",
                            fmt::format("only a Sequential has \"layers\", not {}", type));
        std::vector<Value> positional;
        if (jargs) {
            if (!jargs->is_array())
                throw SpecError(where + ".args",
                                "\"args\" must be an array of positional arguments");
            for (std::size_t i = 0; i < jargs->size(); ++i)
                positional.push_back(
                    to_value((*jargs)[i], [&] { return where + fmt::format(".args[{}]", i); }));
        }
        std::vector<std::pair<std::string, Value>> kwargs;
        for (auto it = j.begin(); it != j.end(); ++it) {
            const std::string& k = it.key();
            LayerKey kind = layer_key(k);
            if (kind != LayerKey::Other && kind != LayerKey::Layers) continue;
            kwargs.emplace_back(k, to_value(it.value(), [&] { return where + "." + k; }));
        }
        Call c;
        c.name = type;
        c.args = std::move(positional);
        c.kwargs = std::move(kwargs);
        for (bool t : saved_trainable_)
            trainable = trainable && t;
        b.add_leaf(local, make_layer(c, where), std::move(inputs), where, trainable, {}, has_refs);
    }

private:
    std::vector<bool> saved_trainable_;
};

// The spec's "outputs": a list of references (each output named by its reference) or an object
// from output names to references.
void read_outputs(Builder& b, const json& j) {
    std::vector<std::pair<std::string, std::string>> named; // output name, reference
    if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i) {
            if (!j[i].is_string())
                throw SpecError(fmt::format("outputs[{}]", i),
                                "an output is a layer name (a string), got " + kind_of(j[i]));
            named.emplace_back(j[i].get<std::string>(), j[i].get<std::string>());
        }
    } else if (j.is_object()) {
        for (auto& [k, v] : j.items()) {
            if (!v.is_string())
                throw SpecError("outputs." + k,
                                "an output is a layer name (a string), got " + kind_of(v));
            named.emplace_back(k, v.get<std::string>());
        }
    } else {
        throw SpecError("outputs", "\"outputs\" must be a list of layer names, or an object "
                                   "from output names to layer names, got " +
                                       kind_of(j));
    }
    if (named.empty())
        throw SpecError("outputs", "\"outputs\" names no layer: leave it out for a network whose "
                                   "output is its last layer's");
    for (std::size_t i = 0; i < named.size(); ++i) {
        const auto& [name, ref] = named[i];
        std::string where = j.is_array() ? fmt::format("outputs[{}]", i) : "outputs." + name;
        if (name.empty()) throw SpecError(where, "an output name cannot be empty");
        for (std::size_t k = 0; k < i; ++k)
            if (named[k].first == name)
                throw SpecError(where, fmt::format("two outputs are named '{}'", name));
        Ref r = b.resolve(ref, where, true);
        if (b.returns_tuple(r)) {
            const Node& t = b.net.nodes[r.node];
            throw SpecError(where, fmt::format("'outputs' names '{}' ({}), which returns a tuple "
                                               "of tensors: name each element you want, as "
                                               "\"{}[0]\"",
                                               ref, t.layer->type(), ref));
        }
        b.net.outputs.push_back(NetOutput{name, r.node, r.slot});
    }
}

Network finish(Builder& b) {
    if (!b.net.outputs.empty()) {
        b.net.output = b.net.outputs[0].node;
        return std::move(b.net);
    }
    if (b.top().last.slot >= 0)
        throw SpecError("", "the network ends with one element of a tuple: end it with a layer "
                            "that takes it (\"inputs\")");
    b.net.output = b.top().last.node;
    return std::move(b.net);
}

} // namespace

constexpr int kMaxJsonDepth = 256; // the JSON parser recurses; nested Sequentials need far less

static Network read_spec_document(const json& doc);

Network load_spec_json(const std::string& text) {
    if (auto deep = detail::json_too_deep(text, kMaxJsonDepth))
        throw SpecError(detail::json_line_col(text, *deep),
                        fmt::format("JSON nested deeper than {} levels", kMaxJsonDepth));
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        std::string msg = e.what();
        auto colon = msg.find(": ", msg.find("parse error"));
        // nlohmann: "[json.exception.parse_error.101] parse error at line 5, column 3: syntax ..."
        std::string detail = colon == std::string::npos ? msg : msg.substr(colon + 2);
        throw SpecError(line_col(text, e.byte ? e.byte - 1 : 0), "invalid JSON: " + detail);
    } catch (const json::exception& e) {
        // e.g. out_of_range 406 "number overflow parsing '2E2222'" (found by fuzzing)
        std::string msg = e.what();
        auto close = msg.find("] ");
        throw SpecError("", "invalid JSON: " +
                                (close == std::string::npos ? msg : msg.substr(close + 2)));
    }
    if (auto dup = detail::json_duplicate_key(text))
        throw SpecError(detail::json_line_col(text, dup->first),
                        fmt::format("duplicate key \"{}\" in one object: JSON readers keep only "
                                    "the last value, so cnnshape refuses to guess which is meant",
                                    dup->second));
    try {
        return read_spec_document(doc);
    } catch (const SpecError& e) {
        // Point at the place in the file: "layers[3].kernel_size (line 7, column 20)".
        std::string path = e.where();
        std::string tail;
        auto sp = path.find(' ');
        if (sp != std::string::npos) tail = path.substr(sp), path = path.substr(0, sp);
        if (!path.empty() && path.rfind("line", 0) != 0) {
            std::string probe = path;
            while (!probe.empty()) {
                if (auto off = detail::json_locate(text, probe)) {
                    throw SpecError(e.where(), e.what(), detail::json_line_col(text, *off));
                }
                // ".inputs" of a layer, or an argument the spec left out: locate the parent.
                auto cut = probe.find_last_of(".[");
                if (cut == std::string::npos) break;
                probe = probe.substr(0, cut);
            }
        }
        throw;
    }
}

static Network read_spec_document(const json& doc) {
    JsonReader r;
    r.b.push("", Ref{});
    const json* layers = &doc;
    if (doc.is_object()) {
        for (auto& [k, v] : doc.items()) {
            if (k != "name" && k != "input" && k != "layers" && k != "mode" && k != "comment" &&
                k != "description" && k != "outputs") {
                throw SpecError(k,
                                fmt::format("unknown key \"{}\" (a spec has \"name\", \"input\", "
                                            "\"mode\", \"layers\" and \"outputs\")",
                                            k));
            }
        }
        if (doc.contains("name")) {
            if (!doc["name"].is_string()) throw SpecError("name", "\"name\" must be a string");
            r.b.net.name = doc["name"].get<std::string>();
        }
        if (doc.contains("input")) r.b.net.input = json_shape(doc["input"], "input");
        if (doc.contains("mode")) {
            std::string m = doc["mode"].is_string() ? doc["mode"].get<std::string>() : "";
            if (m == "eval")
                r.b.net.mode = Mode::Eval;
            else if (m == "train")
                r.b.net.mode = Mode::Train;
            else
                throw SpecError("mode", "\"mode\" must be \"eval\" or \"train\"");
        }
        if (!doc.contains("layers")) throw SpecError("", "the spec has no \"layers\"");
        layers = &doc["layers"];
    } else if (!doc.is_array()) {
        throw SpecError("", "a spec is an object with \"layers\", or an array of layers");
    }
    r.layers(*layers, "layers", 1);
    if (doc.is_object() && doc.contains("outputs")) read_outputs(r.b, doc["outputs"]);
    return finish(r.b);
}

Network load_spec_python(const std::string& text, const std::string& model,
                         const ReadHints& hints) {
    if (has_module_class(text))
        if (auto net = load_module_source(text, model, hints)) {
            auto source = std::make_shared<const std::string>(text);
            net->read_for_input = [source, model, mode = hints.mode](const Shape& x) {
                ReadHints h;
                h.input = x;
                h.mode = mode;
                return load_spec_python(*source, model, h);
            };
            return std::move(*net);
        }
    SequentialText st = parse_sequential_text(text, model);
    Builder b;
    b.print_text = st.print_text;
    b.push("", Ref{});
    b.add_call_sequential(st.sequential.as_call(), "", 1);
    if (st.example_input) b.net.input = st.example_input;
    if (st.example_input && !st.example_guess.empty())
        b.net.input_note = fmt::format(
            "the input shape {} is the text's first example ({}), which may belong to another "
            "of its networks; pass --input to plan with another",
            shape_x(*st.example_input), st.example_guess);
    b.net.notes = st.notes;
    return finish(b);
}

Network load_spec_text(const std::string& text, const std::string& model, const ReadHints& hints) {
    std::size_t i = text.find_first_not_of(" \t\r\n\xef\xbb\xbf");
    if (i != std::string::npos && (text[i] == '{' || text[i] == '[')) {
        if (!model.empty())
            throw UsageError("--model chooses among the networks of Python or print(model) text; "
                             "a JSON spec holds one network");
        return load_spec_json(text);
    }
    return load_spec_python(text, model, hints);
}

Network load_spec_file(const std::string& path, const std::string& model, const ReadHints& hints) {
    std::string text;
    if (path == "-") {
        std::ostringstream ss;
        ss << std::cin.rdbuf();
        text = ss.str();
    } else {
        std::ifstream f(path, std::ios::binary | std::ios::ate);
        if (!f) throw UsageError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
        constexpr std::streamoff kMaxSpecBytes = 256LL << 20;
        if (f.tellg() > kMaxSpecBytes)
            throw UsageError(fmt::format("'{}' is {} bytes; a spec may be at most 256 MiB", path,
                                         static_cast<long long>(f.tellg())));
        f.seekg(0);
        std::ostringstream ss;
        ss << f.rdbuf();
        if (f.bad()) throw UsageError(fmt::format("cannot read '{}'", path));
        text = ss.str();
    }
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw SpecError("", fmt::format("'{}' is empty", path));
    return load_spec_text(text, model, hints);
}

Network network_from_exprs(const std::vector<std::string>& exprs) {
    Builder b;
    b.push("", Ref{});
    for (std::size_t i = 0; i < exprs.size(); ++i) {
        std::string where = fmt::format("--layer {}", i + 1);
        if (exprs[i].size() > (1u << 20))
            throw SpecError(
                where, fmt::format("the expression is {} bytes; at most 1 MiB", exprs[i].size()));
        Value v;
        try {
            v = parse_py_expr(exprs[i]);
        } catch (const SpecError& e) {
            throw SpecError(where + (e.where().empty() ? "" : ", " + e.where()), e.what());
        }
        if (!v.is_call())
            throw SpecError(
                where,
                fmt::format("expected a layer such as \"nn.MaxPool2d(2, 2)\", got {}", v.repr()));
        b.add_call(v.as_call(), std::nullopt, i, where, 1);
    }
    return finish(b);
}

} // namespace cnnshape
