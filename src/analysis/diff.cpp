// Comparing two Plans layer by layer (matched by name), and the diff's text and JSON reports.
#include "cnnshape/diff.hpp"
#include "cnnshape/compact_json.hpp"
#include "cnnshape/report.hpp"
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <unordered_map>
#include <unordered_set>

namespace cnnshape {

namespace {

using json = nlohmann::ordered_json;

// Compact JSON with a space after ':' and ',', as the plan's JSON report writes it.
std::string json_text(const json& v) {
    if (v.is_array()) {
        std::string s = "[";
        for (std::size_t i = 0; i < v.size(); ++i)
            s += (i ? ", " : "") + json_text(v[i]);
        return s + "]";
    }
    if (v.is_object()) {
        std::string s = "{";
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
            s += (first ? "" : ", ") + compact_json(json(it.key())) + ": " + json_text(it.value());
            first = false;
        }
        return s + "}";
    }
    return compact_json(v);
}

// Python spelling of an argument for the text report: True, None, 'same', (2, 2).
std::string py_text(const json& v) {
    if (v.is_null()) return "None";
    if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
    if (v.is_string()) return "'" + v.get<std::string>() + "'";
    if (v.is_array()) {
        std::string s = "(";
        for (std::size_t i = 0; i < v.size(); ++i)
            s += (i ? ", " : "") + py_text(v[i]);
        return s + (v.size() == 1 ? ",)" : ")");
    }
    return json_text(v);
}

json number_json(double d) {
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) return std::int64_t(d);
    return d;
}

json rf_json(const std::vector<RfAxis>& rf) {
    json a = json::array();
    for (auto& r : rf)
        a.push_back(json{{"size", number_json(r.size)},
                         {"jump", number_json(r.jump)},
                         {"start", number_json(r.start)}});
    return a;
}

json shapes_json(const std::vector<Shape>& shapes) {
    json a = json::array();
    for (auto& s : shapes)
        a.push_back(s);
    return a;
}

std::string shapes_text(const std::vector<Shape>& shapes) {
    std::string s;
    for (std::size_t i = 0; i < shapes.size(); ++i)
        s += (i ? " + " : "") + shape_x(shapes[i]);
    return s;
}

std::string names_text(const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i)
        s += (i ? ", " : "") + names[i];
    return s;
}

void compare_count(std::vector<FieldChange>& out, const char* field, std::int64_t a,
                   std::int64_t b) {
    if (a == b) return;
    FieldChange f{field, a, b, with_commas(a), with_commas(b), b - a};
    out.push_back(std::move(f));
}

std::vector<FieldChange> compare_layers(const LayerPlan& a, const LayerPlan& b) {
    std::vector<FieldChange> out;
    if (a.type != b.type) {
        out.push_back({"type", a.type, b.type, a.type, b.type, std::nullopt});
    } else {
        // Arguments in a's order, then any only b has.
        const json a_args = a.args_json(), b_args = b.args_json();
        for (auto it = a_args.begin(); it != a_args.end(); ++it) {
            auto other = b_args.find(it.key());
            json bv = other == b_args.end() ? json() : *other;
            if (other != b_args.end() && *other == it.value()) continue;
            out.push_back({"args." + it.key(), it.value(), bv, py_text(it.value()),
                           other == b_args.end() ? "(unset)" : py_text(bv), std::nullopt});
        }
        for (auto it = b_args.begin(); it != b_args.end(); ++it)
            if (!a_args.contains(it.key()))
                out.push_back({"args." + it.key(), json(), it.value(), "(unset)",
                               py_text(it.value()), std::nullopt});
    }
    if (a.inputs != b.inputs)
        out.push_back({"inputs", a.inputs, b.inputs, names_text(a.inputs), names_text(b.inputs),
                       std::nullopt});
    if (a.input_shapes != b.input_shapes)
        out.push_back({"input_shapes", shapes_json(a.input_shapes), shapes_json(b.input_shapes),
                       shapes_text(a.input_shapes), shapes_text(b.input_shapes), std::nullopt});
    if (a.output != b.output)
        out.push_back({"output_shape", a.output, b.output, shape_x(a.output), shape_x(b.output),
                       std::nullopt});
    compare_count(out, "params", a.params, b.params);
    compare_count(out, "trainable_params", a.trainable_params, b.trainable_params);
    compare_count(out, "buffers", a.buffers, b.buffers);
    compare_count(out, "macs", a.macs, b.macs);
    // The field's size and jump; a moved centre alone follows from a padding change shown above.
    if (rf_text(a.rf) != rf_text(b.rf))
        out.push_back({"receptive_field", rf_json(a.rf), rf_json(b.rf), rf_text(a.rf),
                       rf_text(b.rf), std::nullopt});
    return out;
}

} // namespace

std::int64_t PlanDiff::count(Change c) const {
    return std::count_if(layers.begin(), layers.end(),
                         [c](const LayerDiff& l) { return l.change == c; });
}

PlanDiff diff_plans(const Plan& a, const Plan& b) {
    PlanDiff d;
    std::unordered_map<std::string, std::int64_t> in_a, in_b;
    for (auto& l : a.layers)
        in_a.emplace(l.name, l.index);
    for (auto& l : b.layers)
        in_b.emplace(l.name, l.index);

    // Walk b in order; before each b layer, report the a layers that b lacks and that stood
    // before its counterpart in a, so removed layers appear where they were.
    std::unordered_set<std::int64_t> a_done;
    std::size_t i = 0; // next a layer not yet reported
    auto flush_removed = [&](std::size_t until) {
        for (; i < until; ++i) {
            const LayerPlan& l = a.layers[i];
            if (a_done.count(std::int64_t(i))) continue;
            if (!in_b.count(l.name)) {
                d.layers.push_back({Change::Removed, l.name, std::int64_t(i), -1, {}});
                a_done.insert(std::int64_t(i));
            }
        }
    };
    // Where each b layer's run of additions ends: the a index of the next b layer that a has
    // too. Removed layers before it are listed first, so a replacement reads "- old" then "+ new".
    std::vector<std::size_t> next_match(b.layers.size() + 1, a.layers.size());
    for (std::size_t j = b.layers.size(); j-- > 0;) {
        auto m = in_a.find(b.layers[j].name);
        next_match[j] = m == in_a.end() ? next_match[j + 1] : std::size_t(m->second);
    }
    for (std::size_t j = 0; j < b.layers.size(); ++j) {
        const LayerPlan& lb = b.layers[j];
        if (next_match[j] >= i) flush_removed(next_match[j]);
        auto match = in_a.find(lb.name);
        if (match == in_a.end()) {
            d.layers.push_back({Change::Added, lb.name, -1, std::int64_t(j), {}});
            continue;
        }
        std::size_t ia = std::size_t(match->second);
        a_done.insert(std::int64_t(ia));
        auto fields = compare_layers(a.layers[ia], lb);
        if (fields.empty())
            ++d.unchanged;
        else
            d.layers.push_back(
                {Change::Changed, lb.name, std::int64_t(ia), std::int64_t(j), std::move(fields)});
    }
    flush_removed(a.layers.size());

    const Totals &ta = a.totals, &tb = b.totals;
    d.totals = {{"params", ta.params, tb.params},
                {"trainable_params", ta.trainable_params, tb.trainable_params},
                {"non_trainable_params", ta.non_trainable_params, tb.non_trainable_params},
                {"buffers", ta.buffers, tb.buffers},
                {"macs", ta.macs, tb.macs},
                {"input_bytes", ta.input_bytes, tb.input_bytes},
                {"activation_bytes", ta.activation_bytes, tb.activation_bytes},
                {"param_bytes", ta.param_bytes, tb.param_bytes},
                {"buffer_bytes", ta.buffer_bytes, tb.buffer_bytes}};
    d.same_input = a.input == b.input;
    d.same_output = a.output == b.output;
    return d;
}

namespace {

std::string field_label(const std::string& field) {
    if (field.rfind("args.", 0) == 0) return field.substr(5);
    static const std::pair<const char*, const char*> labels[] = {
        {"type", "type"},           {"inputs", "inputs"}, {"input_shapes", "input"},
        {"output_shape", "output"}, {"params", "params"}, {"trainable_params", "trainable"},
        {"buffers", "buffers"},     {"macs", "MACs"},     {"receptive_field", "RF /jump"}};
    for (auto& [f, l] : labels)
        if (field == f) return l;
    return field;
}

std::string signed_commas(std::int64_t v) {
    return (v > 0 ? "+" : "") + with_commas(v);
}

std::string percent(std::int64_t a, std::int64_t b) {
    if (a == 0 || a == b) return "";
    return fmt::format(" ({:+.1f}%)", 100.0 * (double(b) - double(a)) / double(a));
}

std::string side_text(const Plan& p, const std::string& label) {
    return fmt::format("{}: {}input {} -> output {}, {} layer{}", label,
                       p.name.empty() ? "" : p.name + ", ", shape_x(p.input), shape_x(p.output),
                       p.layers.size(), p.layers.size() == 1 ? "" : "s");
}

std::string layer_line(char mark, const LayerPlan& l) {
    std::string s = fmt::format("{} {}  {}  {} -> {}", mark, l.name, l.brief,
                                shapes_text(l.input_shapes), shape_x(l.output));
    if (l.params) s += fmt::format("  params {}", with_commas(l.params));
    if (l.macs) s += fmt::format("  MACs {}", with_commas(l.macs));
    return s + "\n";
}

} // namespace

std::string report_diff_text(const Plan& a, const Plan& b, const PlanDiff& d,
                             const std::string& label_a, const std::string& label_b) {
    std::string out = "--- " + side_text(a, label_a) + "\n+++ " + side_text(b, label_b) + "\n";
    if (d.same()) {
        out += fmt::format("\nno differences: {} layer{}, the same shapes and totals\n",
                           d.unchanged, d.unchanged == 1 ? "" : "s");
        return out;
    }
    if (!d.layers.empty()) out += "\n";
    for (auto& l : d.layers) {
        if (l.change == Change::Added) {
            out += layer_line('+', b.layers[l.b_index]);
            continue;
        }
        if (l.change == Change::Removed) {
            out += layer_line('-', a.layers[l.a_index]);
            continue;
        }
        const LayerPlan &la = a.layers[l.a_index], &lb = b.layers[l.b_index];
        out += la.brief == lb.brief ? fmt::format("~ {}  {}\n", l.name, la.brief)
                                    : fmt::format("~ {}  {} -> {}\n", l.name, la.brief, lb.brief);
        std::size_t w = 0;
        for (auto& f : l.fields)
            w = std::max(w, field_label(f.field).size());
        for (auto& f : l.fields) {
            std::string label = field_label(f.field);
            out += fmt::format("    {}{}  {} -> {}", label, std::string(w - label.size(), ' '),
                               f.a_text, f.b_text);
            if (f.delta) out += fmt::format(" ({})", signed_commas(*f.delta));
            out += "\n";
        }
    }

    // Totals: every one, so the size of a change is visible next to what it changed.
    struct Row {
        std::string label, a, b, change;
    };
    std::vector<Row> rows = {{"", "before", "after", "change"}};
    rows.push_back(
        {"output", shape_x(a.output), shape_x(b.output), d.same_output ? "" : "changed"});
    for (auto& t : d.totals) {
        bool bytes = t.field.size() > 6 && t.field.compare(t.field.size() - 6, 6, "_bytes") == 0;
        if (t.field == "non_trainable_params" && t.a == 0 && t.b == 0) continue;
        if (t.field == "buffer_bytes" && t.a == 0 && t.b == 0) continue;
        static const std::pair<const char*, const char*> labels[] = {
            {"params", "params"},
            {"trainable_params", "trainable"},
            {"non_trainable_params", "non-trainable"},
            {"buffers", "buffers"},
            {"macs", "MACs"},
            {"input_bytes", "input memory"},
            {"activation_bytes", "activations"},
            {"param_bytes", "param memory"},
            {"buffer_bytes", "buffer memory"}};
        std::string label = t.field;
        for (auto& [f, l] : labels)
            if (t.field == f) label = l;
        std::string delta = t.a == t.b ? ""
                            : bytes    ? (t.b > t.a ? "+" : "") + human_bytes(t.b - t.a)
                                       : signed_commas(t.b - t.a);
        rows.push_back({label, bytes ? human_bytes(t.a) : with_commas(t.a),
                        bytes ? human_bytes(t.b) : with_commas(t.b), delta + percent(t.a, t.b)});
    }
    std::size_t w0 = 0, w1 = 0, w2 = 0;
    for (auto& r : rows) {
        w0 = std::max(w0, r.label.size());
        w1 = std::max(w1, r.a.size());
        w2 = std::max(w2, r.b.size());
    }
    out += "\n";
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const Row& r = rows[k];
        auto cell = [&](const std::string& s, std::size_t w) {
            return std::string(w - s.size(), ' ') + s;
        };
        std::string line =
            fmt::format("{}{}  {}  {}  {}", r.label, std::string(w0 - r.label.size(), ' '),
                        cell(r.a, w1), cell(r.b, w2), r.change);
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out += line + "\n";
    }
    out += fmt::format("\nlayers: {} changed, {} added, {} removed, {} unchanged\n",
                       d.count(Change::Changed), d.count(Change::Added), d.count(Change::Removed),
                       d.unchanged);
    return out;
}

std::string report_diff_json(const Plan& a, const Plan& b, const PlanDiff& d,
                             const std::string& label_a, const std::string& label_b) {
    auto side = [](const Plan& p, const std::string& label) {
        return json{{"spec", label},
                    {"name", p.name},
                    {"input_shape", p.input},
                    {"output_shape", p.output},
                    {"layers", p.layers.size()}};
    };
    std::string out = "{\n";
    out += "  \"a\": " + json_text(side(a, label_a)) + ",\n";
    out += "  \"b\": " + json_text(side(b, label_b)) + ",\n";
    out += std::string("  \"same\": ") + (d.same() ? "true" : "false") + ",\n";
    out += "  \"layers\": [";
    for (std::size_t k = 0; k < d.layers.size(); ++k) {
        const LayerDiff& l = d.layers[k];
        const LayerPlan* lp = l.b_index >= 0 ? &b.layers[l.b_index] : &a.layers[l.a_index];
        json o;
        o["change"] = l.change == Change::Added     ? "added"
                      : l.change == Change::Removed ? "removed"
                                                    : "changed";
        o["name"] = l.name;
        o["a_index"] = l.a_index >= 0 ? json(l.a_index) : json();
        o["b_index"] = l.b_index >= 0 ? json(l.b_index) : json();
        o["a_summary"] = l.a_index >= 0 ? json(a.layers[l.a_index].brief) : json();
        o["b_summary"] = l.b_index >= 0 ? json(b.layers[l.b_index].brief) : json();
        o["type"] = lp->type;
        json fields = json::array();
        for (auto& f : l.fields) {
            json fo{{"field", f.field}, {"a", f.a}, {"b", f.b}};
            if (f.delta) fo["delta"] = *f.delta;
            fields.push_back(std::move(fo));
        }
        o["fields"] = std::move(fields);
        out += (k ? ",\n    " : "\n    ") + json_text(o);
    }
    out += d.layers.empty() ? "],\n" : "\n  ],\n";
    json totals = json::object();
    for (auto& t : d.totals)
        totals[t.field] = json{{"a", t.a}, {"b", t.b}, {"delta", t.b - t.a}};
    out += "  \"totals\": " + json_text(totals) + ",\n";
    out += "  \"counts\": " +
           json_text(json{{"changed", d.count(Change::Changed)},
                          {"added", d.count(Change::Added)},
                          {"removed", d.count(Change::Removed)},
                          {"unchanged", d.unchanged}}) +
           "\n}\n";
    return out;
}

} // namespace cnnshape
