#include "cnnshape/report.hpp"
#include "cnnshape/compact_json.hpp"
#include "cnnshape/version.hpp"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fmt/format.h>

namespace cnnshape {

std::string with_commas(std::int64_t v) {
    unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    std::string digits = std::to_string(m), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return v < 0 ? "-" + out : out;
}

static std::string scaled(double v, const char* const* units, double base) {
    int u = 0;
    while (std::fabs(v) >= base && units[u + 1])
        v /= base, ++u;
    if (u == 0) return fmt::format("{}{}{}", (long long)v, units[0][0] ? " " : "", units[0]);
    return fmt::format("{:.{}f} {}", v, std::fabs(v) >= 100 ? 1 : 2, units[u]);
}

std::string human_count(std::int64_t v) {
    static const char* const units[] = {"", "K", "M", "G", "T", "P", "E", nullptr};
    return scaled(double(v), units, 1000.0);
}

std::string human_bytes(std::int64_t v) {
    static const char* const units[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB", nullptr};
    return scaled(double(v), units, 1000.0);
}

static std::string num(double d) {
    if (std::fabs(d - std::round(d)) < 1e-9) return fmt::format("{}", (long long)std::llround(d));
    return fmt::format("{:.2f}", d);
}

std::string rf_text(const std::vector<RfAxis>& rf) {
    if (rf.empty()) return "-";
    std::string size, jump;
    bool same_jump = true;
    for (std::size_t i = 0; i < rf.size(); ++i) {
        size += (i ? "x" : "") + num(rf[i].size);
        jump += (i ? "x" : "") + num(rf[i].jump);
        same_jump = same_jump && rf[i].jump == rf[0].jump;
    }
    return size + " /" + (same_jump ? num(rf[0].jump) : jump);
}

static std::string shape_cell(const LayerPlan& l) {
    if (l.input_shapes.empty()) return "-"; // a Parameter takes no tensor
    if (l.input_shapes.size() == 1) return shape_x(l.input_shapes[0]);
    std::string s;
    for (std::size_t i = 0; i < l.input_shapes.size(); ++i)
        s += (i ? " + " : "") + shape_x(l.input_shapes[i]);
    // Many equal shapes: "2 x 1x64x56x56"
    bool same = std::all_of(l.input_shapes.begin(), l.input_shapes.end(),
                            [&](const Shape& x) { return x == l.input_shapes[0]; });
    if (same && l.input_shapes.size() > 1)
        s = fmt::format("{} x {}", l.input_shapes.size(), shape_x(l.input_shapes[0]));
    return s;
}

static std::string layer_cell(const LayerPlan& l) {
    if (l.inputs.size() <= 1) return l.brief;
    std::string s = l.brief + " <- ";
    for (std::size_t i = 0; i < l.inputs.size(); ++i)
        s += (i ? ", " : "") + l.inputs[i];
    return s;
}

// Cut to w columns, marking the cut with '~'; names keep their informative tail.
static std::string fit(const std::string& s, std::size_t w, bool keep_tail) {
    if (s.size() <= w) return s;
    if (keep_tail) return "~" + s.substr(s.size() - (w - 1));
    return s.substr(0, w - 1) + "~";
}

// A layer that reaches no output computes nothing.
static std::string macs_cell(const LayerPlan& l) {
    return l.used ? with_commas(l.macs) : "unused";
}

// "1x10" for one output; "out 1x21x64x64, aux 1x21x64x64" for named ones.
static std::string outputs_text(const Plan& p) {
    if (!p.named_outputs()) return "output " + shape_x(p.output);
    std::string s = "outputs ";
    for (std::size_t i = 0; i < p.outputs.size(); ++i)
        s += (i ? ", " : "") + p.outputs[i].name + " " + shape_x(p.outputs[i].shape);
    return s;
}

std::string report_table(const Plan& p) {
    const std::vector<std::string> head = {"#",      "name",   "layer", "input",
                                           "output", "params", "MACs",  "RF /jump"};
    std::vector<std::vector<std::string>> rows;
    for (auto& l : p.layers)
        rows.push_back({std::to_string(l.index), l.name, layer_cell(l), shape_cell(l),
                        output_text(l), with_commas(l.params), macs_cell(l), rf_text(l.rf)});
    std::vector<std::size_t> w(head.size());
    for (std::size_t c = 0; c < head.size(); ++c) {
        w[c] = head[c].size();
        for (auto& r : rows)
            w[c] = std::max(w[c], r[c].size());
    }
    // Keep within 120 columns: shrink the layer, then the name, then the input column.
    auto total = [&] {
        std::size_t t = 0;
        for (auto x : w)
            t += x + 2;
        return t;
    };
    for (std::size_t c : {1u, 2u, 3u}) {
        std::size_t floor = c == 1 ? 14 : c == 2 ? 28 : 12;
        while (total() > 120 && w[c] > floor)
            --w[c];
    }
    std::string out;
    std::string title = p.name.empty() ? "network" : p.name;
    out += fmt::format("{}: input {} -> {}{}\n\n", title, shape_x(p.input), outputs_text(p),
                       p.mode == Mode::Train ? " (train mode)" : "");
    auto line = [&](const std::vector<std::string>& r) {
        std::string s;
        for (std::size_t c = 0; c < r.size(); ++c) {
            std::string cell = fit(r[c], w[c], c == 1);
            bool right = c == 0 || c == 5 || c == 6;
            std::string pad(w[c] - cell.size(), ' ');
            s += right ? pad + cell : cell + pad;
            if (c + 1 < r.size()) s += "  ";
        }
        while (!s.empty() && s.back() == ' ')
            s.pop_back();
        return s + "\n";
    };
    out += line(head);
    std::size_t rule = 0;
    for (auto x : w)
        rule += x + 2;
    out += std::string(rule - 2, '-') + "\n";
    for (auto& r : rows)
        out += line(r);
    out += std::string(rule - 2, '-') + "\n";
    const Totals& t = p.totals;
    auto both = [](std::int64_t v) {
        return v < 1000 ? with_commas(v) : fmt::format("{} ({})", with_commas(v), human_count(v));
    };
    out += "params           " + both(t.params) + "\n";
    out += "trainable        " + with_commas(t.trainable_params);
    if (t.non_trainable_params)
        out += fmt::format(" (non-trainable {})", with_commas(t.non_trainable_params));
    out += "\n";
    out += fmt::format("buffers          {}\n", with_commas(t.buffers));
    out += "MACs             " + both(t.macs) + "\n";
    if (std::int64_t unused = p.unused_layers())
        out += fmt::format("unused           {} layer{} reach{} no output: {} parameters count, "
                           "{} MACs and memory do not\n",
                           unused, unused == 1 ? "" : "s", unused == 1 ? "es" : "",
                           unused == 1 ? "its" : "their", unused == 1 ? "its" : "their");
    out += fmt::format("input memory     {}\n", human_bytes(t.input_bytes));
    out += fmt::format("activations      {} (every layer's output, float32)\n",
                       human_bytes(t.activation_bytes));
    out += fmt::format("param memory     {}", human_bytes(t.param_bytes));
    if (t.buffer_bytes) out += fmt::format(" + {} buffers", human_bytes(t.buffer_bytes));
    out += "\n";
    return out;
}

namespace {

// A small streaming writer: the report is written directly, one layer per line, instead of
// building a JSON tree (copying trees dominated the time of 10,000-layer plans).

// The text being written: appends are inlined copies into a buffer that doubles when full
// (std::string's out-of-line append was a third of the report's time).
class Buf {
public:
    void reserve(std::size_t n) {
        if (n > s_.size()) s_.resize(n);
    }
    void append(const char* p, std::size_t n) {
        if (n > s_.size() - n_) grow(n);
        std::memcpy(&s_[0] + n_, p, n);
        n_ += n;
    }
    // Inlined, so a literal's length is known at compile time.
    Buf& operator+=(const char* p) {
        append(p, std::strlen(p));
        return *this;
    }
    Buf& operator+=(const std::string& v) {
        append(v.data(), v.size());
        return *this;
    }
    Buf& operator+=(char c) {
        if (n_ == s_.size()) grow(1);
        s_[n_++] = c;
        return *this;
    }
    std::string take() {
        s_.resize(n_);
        return std::move(s_);
    }

private:
    void grow(std::size_t n) { s_.resize(std::max(s_.size() * 2, n_ + n) + 64); }
    std::string s_;
    std::size_t n_ = 0;
};

// A string as compact_json writes it. Printable ASCII without quotes or backslashes (nearly every
// name and summary) is copied as is; anything else goes through nlohmann's serializer, so escapes
// and invalid UTF-8 come out byte for byte as before.
void append_json_string(Buf& out, const std::string& v) {
    for (unsigned char c : v)
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
            out += compact_json(nlohmann::json(v));
            return;
        }
    out += '"';
    out += v;
    out += '"';
}

// std::to_string(v) appended, without a string of its own.
void append_int(Buf& out, long long v) {
    char buf[24];
    char* e = buf + sizeof buf;
    char* p = e;
    unsigned long long m =
        v < 0 ? 0ULL - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
    do {
        *--p = char('0' + m % 10);
        m /= 10;
    } while (m);
    if (v < 0) *--p = '-';
    out.append(p, std::size_t(e - p));
}

// A layer's arguments as compact_json(l.args_json()) writes them, straight from the bound Values:
// each argument in signature order, an inferred one (in_channels, ...) in place of its entry or
// after them all when the signature left it out.
void append_value_json(Buf& out, const Value& v) {
    if (v.is_none()) {
        out += "null";
    } else if (v.is_bool()) {
        out += v.as_bool() ? "true" : "false";
    } else if (v.is_int()) {
        append_int(out, v.as_int());
    } else if (v.is_float()) {
        double d = v.as_float();
        if (std::isfinite(d))
            out += compact_json(nlohmann::json(d));
        else
            append_json_string(out, v.repr());
    } else if (v.is_string()) {
        append_json_string(out, v.as_string());
    } else if (v.is_tuple()) {
        out += '[';
        bool first = true;
        for (const Value& e : v.as_tuple()) {
            if (!first) out += ',';
            first = false;
            append_value_json(out, e);
        }
        out += ']';
    } else {
        append_json_string(out, v.repr());
    }
}

void append_args_json(Buf& out, const LayerPlan& l) {
    if (!l.layer) {
        out += "{}";
        return;
    }
    const auto& values = l.layer->args().values;
    out += '{';
    bool first = true;
    auto key = [&](const std::string& k) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, k);
        out += ':';
    };
    for (const auto& [k, v] : values) {
        key(k);
        const auto& name = k; // a lambda may not capture a structured binding (C++17, clang)
        auto inf = std::find_if(l.inferred.begin(), l.inferred.end(),
                                [&](const auto& p) { return p.first == name; });
        if (inf != l.inferred.end())
            append_int(out, inf->second);
        else
            append_value_json(out, v);
    }
    for (std::size_t i = 0; i < l.inferred.size(); ++i) {
        const auto& [k, v] = l.inferred[i];
        const auto& name = k;
        bool seen = std::any_of(values.begin(), values.end(),
                                [&](const auto& p) { return p.first == name; });
        // A key inferred twice keeps its first place and its last value.
        for (std::size_t e = 0; e < i && !seen; ++e)
            seen = l.inferred[e].first == k;
        if (seen) continue;
        key(k);
        std::int64_t last = v;
        for (std::size_t e = i + 1; e < l.inferred.size(); ++e)
            if (l.inferred[e].first == k) last = l.inferred[e].second;
        append_int(out, last);
    }
    out += '}';
}

struct JsonOut {
    Buf s;
    void str(const std::string& v) { append_json_string(s, v); }
    void num(std::int64_t v) { append_int(s, v); }
    void num(double v) {
        // Whole numbers (nearly every receptive field) as integers: what fmt writes for them.
        if (v == std::trunc(v) && std::fabs(v) < 1e15 && !(v == 0 && std::signbit(v)))
            append_int(s, static_cast<long long>(v));
        else if (std::isfinite(v))
            s += fmt::format("{}", v);
        else
            s += "null";
    }
    void shape(const Shape& v) {
        s += '[';
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) s.append(", ", 2);
            num(v[i]);
        }
        s += ']';
    }
    // "\"name\": " for a literal name: one append of a length known at compile time.
    template <std::size_t N>
    void key(const char (&k)[N]) {
        char buf[N + 3];
        buf[0] = '"';
        std::memcpy(buf + 1, k, N - 1);
        buf[N] = '"';
        buf[N + 1] = ':';
        buf[N + 2] = ' ';
        s.append(buf, N + 3);
    }
    void key(const char* k) {
        s += '"';
        s += k;
        s += "\": ";
    }
};

} // namespace

std::string report_json_text(const Plan& p) {
    JsonOut o;
    o.s.reserve(256 + p.layers.size() * 600);
    o.s += "{\n  ";
    o.key("cnnshape_version");
    o.str(CNNSHAPE_VERSION);
    o.s += ",\n  ";
    o.key("schema");
    o.num(std::int64_t(1));
    o.s += ",\n  ";
    o.key("name");
    o.str(p.name);
    o.s += ",\n  ";
    o.key("mode");
    o.str(p.mode == Mode::Train ? "train" : "eval");
    o.s += ",\n  ";
    o.key("input_shape");
    o.shape(p.input);
    o.s += ",\n  ";
    o.key("output_shape");
    o.shape(p.output);
    o.s += ",\n  ";
    if (p.named_outputs()) {
        o.key("outputs");
        o.s += '[';
        for (std::size_t k = 0; k < p.outputs.size(); ++k) {
            const PlanOutput& po = p.outputs[k];
            o.s += k ? ", {" : "{";
            o.key("name");
            o.str(po.name);
            o.s += ", ";
            o.key("layer");
            o.str(po.node < 0 ? std::string("input")
                              : input_ref(p.layers[std::size_t(po.node)].name, po.slot));
            o.s += ", ";
            o.key("shape");
            o.shape(po.shape);
            o.s += '}';
        }
        o.s += "],\n  ";
    }
    o.key("layers");
    o.s += p.layers.empty() ? "[" : "[\n";
    for (std::size_t i = 0; i < p.layers.size(); ++i) {
        const LayerPlan& l = p.layers[i];
        o.s += "    {";
        o.key("index");
        o.num(l.index);
        o.s += ", ";
        o.key("name");
        o.str(l.name);
        o.s += ", ";
        o.key("type");
        o.str(l.type);
        o.s += ", ";
        o.key("summary");
        o.str(l.brief);
        o.s += ", ";
        o.key("args");
        append_args_json(o.s, l);
        o.s += ", ";
        o.key("inputs");
        o.s += '[';
        for (std::size_t k = 0; k < l.inputs.size(); ++k) {
            if (k) o.s += ", ";
            o.str(l.inputs[k]);
        }
        o.s += "], ";
        o.key("input_shape");
        o.shape(l.input_shapes.empty() ? Shape{} : l.input_shapes[0]);
        o.s += ", ";
        o.key("input_shapes");
        o.s += '[';
        for (std::size_t k = 0; k < l.input_shapes.size(); ++k) {
            if (k) o.s += ", ";
            o.shape(l.input_shapes[k]);
        }
        o.s += "], ";
        o.key("output_shape");
        o.shape(l.output);
        o.s += ", ";
        if (l.tuple) {
            // A tuple's elements; output_shape is the first (0-d when there is none).
            o.key("output_shapes");
            o.s += '[';
            for (std::size_t k = 0; k < l.outputs.size(); ++k) {
                if (k) o.s += ", ";
                o.shape(l.outputs[k]);
            }
            o.s += "], ";
        }
        if (!l.used) {
            o.key("used"); // only when false: the layer reaches no output
            o.s += "false, ";
        }
        o.key("params");
        o.num(l.params);
        o.s += ", ";
        o.key("trainable_params");
        o.num(l.trainable_params);
        o.s += ", ";
        o.key("buffers");
        o.num(l.buffers);
        o.s += ", ";
        o.key("macs");
        o.num(l.macs);
        o.s += ", ";
        o.key("output_bytes");
        o.num(l.output_bytes);
        o.s += ", ";
        o.key("receptive_field");
        o.s += '[';
        for (std::size_t k = 0; k < l.rf.size(); ++k) {
            if (k) o.s += ", ";
            o.s += '{';
            o.key("size");
            o.num(l.rf[k].size);
            o.s += ", ";
            o.key("jump");
            o.num(l.rf[k].jump);
            o.s += ", ";
            o.key("start");
            o.num(l.rf[k].start);
            o.s += '}';
        }
        o.s += "]}";
        o.s += i + 1 < p.layers.size() ? ",\n" : "\n  ";
    }
    o.s += "],\n  ";
    const Totals& t = p.totals;
    o.key("totals");
    o.s += '{';
    const std::pair<const char*, std::int64_t> totals[] = {
        {"params", t.params},
        {"trainable_params", t.trainable_params},
        {"non_trainable_params", t.non_trainable_params},
        {"buffers", t.buffers},
        {"macs", t.macs},
        {"input_bytes", t.input_bytes},
        {"activation_bytes", t.activation_bytes},
        {"param_bytes", t.param_bytes},
        {"buffer_bytes", t.buffer_bytes}};
    for (std::size_t k = 0; k < std::size(totals); ++k) {
        if (k) o.s += ", ";
        o.key(totals[k].first);
        o.num(totals[k].second);
    }
    o.s += "}";
    // Arguments print(model) text did not show, taken at their defaults: only when there are some.
    bool any_assumed = false;
    for (const LayerPlan& l : p.layers)
        any_assumed = any_assumed || !l.assumed.empty();
    if (any_assumed) {
        o.s += ",\n  ";
        o.key("assumed_defaults");
        o.s += "[\n";
        bool first = true;
        for (const LayerPlan& l : p.layers) {
            if (l.assumed.empty()) continue;
            if (!first) o.s += ",\n";
            first = false;
            o.s += "    {";
            o.key("index");
            o.num(l.index);
            o.s += ", ";
            o.key("name");
            o.str(l.name);
            o.s += ", ";
            o.key("type");
            o.str(l.type);
            o.s += ", ";
            o.key("arguments");
            const nlohmann::ordered_json all = l.args_json();
            nlohmann::ordered_json args = nlohmann::ordered_json::object();
            for (const std::string& a : l.assumed)
                args[a] = all.contains(a) ? all[a] : nlohmann::ordered_json(nullptr);
            o.s += compact_json(args);
            o.s += '}';
        }
        o.s += "\n  ]";
    }
    o.s += "\n}\n";
    return o.s.take();
}

nlohmann::ordered_json report_json(const Plan& p) {
    return nlohmann::ordered_json::parse(report_json_text(p));
}

static std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s)
        q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string report_csv(const Plan& p) {
    std::string out = "index,name,type,summary,inputs,input_shape,output_shape,params,"
                      "trainable_params,buffers,macs,output_bytes,receptive_field,used\n";
    for (auto& l : p.layers) {
        std::string inputs, in_shapes;
        for (std::size_t i = 0; i < l.inputs.size(); ++i) {
            inputs += (i ? ";" : "") + l.inputs[i];
            in_shapes += (i ? ";" : "") + shape_x(l.input_shapes[i]);
        }
        out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", l.index,
                           csv_field(l.name), l.type, csv_field(l.brief), csv_field(inputs),
                           in_shapes, csv_field(output_text(l)), l.params, l.trainable_params,
                           l.buffers, l.macs, l.output_bytes, csv_field(rf_text(l.rf)), l.used);
    }
    return out;
}

static std::string md_cell(const std::string& s) {
    std::string r;
    for (char c : s)
        r += c == '|' ? std::string("\\|") : std::string(1, c);
    return r;
}

std::string report_markdown(const Plan& p) {
    std::string out = "| # | name | layer | input | output | params | MACs | RF /jump |\n"
                      "|--:|------|-------|-------|--------|-------:|-----:|----------|\n";
    for (auto& l : p.layers)
        out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", l.index, md_cell(l.name),
                           md_cell(layer_cell(l)), shape_cell(l), output_text(l),
                           with_commas(l.params), macs_cell(l), rf_text(l.rf));
    const Totals& t = p.totals;
    out += fmt::format("\n**Total:** {} params ({} trainable), {} MACs, input {} -> {}\n",
                       with_commas(t.params), with_commas(t.trainable_params), with_commas(t.macs),
                       shape_x(p.input), outputs_text(p));
    return out;
}

} // namespace cnnshape
