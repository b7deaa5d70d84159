// Pictures of a Plan: the layer graph as Graphviz DOT or a Mermaid flowchart (branches and merges
// included, shapes on the edges), and the funnel drawing as SVG. Like every report, these only
// format the Plan.
#include "cnnshape/layer.hpp"
#include "cnnshape/report.hpp"
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace cnnshape {

namespace {

// Fill colours by layer family; the same in all three pictures.
const char* family_colour(const std::string& type) {
    const LayerType* t = find_layer_type(type);
    std::string f = t ? t->family : "";
    if (f == "conv") return "#8fb8de";
    if (f == "pool" || f == "adaptive") return "#f4b183";
    if (f == "linear") return "#a9d18e";
    if (f == "merge") return "#ffd966";
    if (f == "resize" || f == "pad") return "#d5a6e6";
    if (f == "reshape") return "#b4c7b0";
    return "#d9d9d9"; // activations, normalisation, dropout, identity
}
const char* kTensorColour = "#eeeeee";

std::string node_id(std::int64_t index) {
    return index < 0 ? "input" : "n" + std::to_string(index);
}

// The network's output is its last layer's (the spec readers make it so); an empty network's
// output is its input.
std::int64_t output_node(const Plan& p) {
    return std::int64_t(p.layers.size()) - 1;
}

std::string dot_escape(const std::string& s) {
    std::string r;
    for (char c : s) {
        if (c == '"' || c == '\\') r += '\\';
        if (c == '\n') {
            r += "\\n";
            continue;
        }
        r += c;
    }
    return r;
}

std::string mermaid_escape(const std::string& s) {
    std::string r;
    for (char c : s) {
        if (c == '"')
            r += "#quot;";
        else if (c == '<')
            r += "#lt;";
        else if (c == '>')
            r += "#gt;";
        else
            r += c;
    }
    return r;
}

std::string xml_escape(const std::string& s) {
    std::string r;
    for (char c : s) {
        switch (c) {
        case '&':
            r += "&amp;";
            break;
        case '<':
            r += "&lt;";
            break;
        case '>':
            r += "&gt;";
            break;
        case '"':
            r += "&quot;";
            break;
        case '\'':
            r += "&apos;";
            break;
        default:
            // Control characters are not allowed in XML 1.0.
            r += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
        }
    }
    return r;
}

std::string title_of(const Plan& p) {
    return p.name.empty() ? "network" : p.name;
}

} // namespace

std::string report_dot(const Plan& p) {
    std::string out = fmt::format("digraph \"{}\" {{\n", dot_escape(title_of(p)));
    out += "  rankdir=TB;\n";
    out += "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n";
    out += "  edge [fontname=\"Helvetica\", fontsize=9];\n";
    out += fmt::format("  input [label=\"input\\n{}\", shape=oval, fillcolor=\"{}\"];\n",
                       shape_x(p.input), kTensorColour);
    for (auto& l : p.layers) {
        std::string label = l.name + "\n" + l.brief;
        if (l.params) label += "\n" + with_commas(l.params) + " params";
        out += fmt::format("  {} [label=\"{}\", fillcolor=\"{}\"];\n", node_id(l.index),
                           dot_escape(label), family_colour(l.type));
        for (std::size_t k = 0; k < l.input_nodes.size(); ++k)
            out += fmt::format("  {} -> {} [label=\"{}\"];\n", node_id(l.input_nodes[k]),
                               node_id(l.index), shape_x(l.input_shapes[k]));
    }
    out += fmt::format("  output [label=\"output\\n{}\", shape=oval, fillcolor=\"{}\"];\n",
                       shape_x(p.output), kTensorColour);
    out +=
        fmt::format("  {} -> output [label=\"{}\"];\n", node_id(output_node(p)), shape_x(p.output));
    out += "}\n";
    return out;
}

std::string report_mermaid(const Plan& p) {
    std::string out = "flowchart TB\n";
    out += fmt::format("    input([\"input<br/>{}\"])\n", shape_x(p.input));
    std::vector<std::pair<std::string, std::vector<std::string>>> classes; // colour -> nodes
    for (auto& l : p.layers) {
        std::string label = mermaid_escape(l.name) + "<br/>" + mermaid_escape(l.brief);
        if (l.params) label += "<br/>" + with_commas(l.params) + " params";
        out += fmt::format("    {}[\"{}\"]\n", node_id(l.index), label);
        for (std::size_t k = 0; k < l.input_nodes.size(); ++k)
            out += fmt::format("    {} -->|{}| {}\n", node_id(l.input_nodes[k]),
                               shape_x(l.input_shapes[k]), node_id(l.index));
        std::string colour = family_colour(l.type);
        auto it = std::find_if(classes.begin(), classes.end(),
                               [&](const auto& c) { return c.first == colour; });
        if (it == classes.end()) it = classes.insert(classes.end(), {colour, {}});
        it->second.push_back(node_id(l.index));
    }
    out += fmt::format("    output([\"output<br/>{}\"])\n", shape_x(p.output));
    out += fmt::format("    {} -->|{}| output\n", node_id(output_node(p)), shape_x(p.output));
    for (std::size_t c = 0; c < classes.size(); ++c) {
        out += fmt::format("    classDef c{} fill:{},stroke:#555\n", c, classes[c].first);
        std::string members;
        for (auto& n : classes[c].second)
            members += (members.empty() ? "" : ",") + n;
        out += fmt::format("    class {} c{}\n", members, c);
    }
    return out;
}

namespace {

// One slab of the funnel drawing: consecutive layers whose output keeps the shape share it.
struct Slab {
    Shape shape;
    int spatial = 0;    // spatial axes; 0 draws the tensor as a vector of features
    std::int64_t c = 1; // channels (thickness)
    std::int64_t h = 1; // height, or the feature count of a vector
    std::int64_t w = 1; // width (depth of the drawing)
    std::vector<const LayerPlan*> layers; // empty for the input
};

// Which trailing axes of each tensor are spatial, read from the receptive fields the Plan holds:
// a layer with a field has that many spatial axes; one without a field after such a layer has
// none (Flatten, Linear); before any windowed layer it is not known yet and takes the first
// field found downstream, or, in a network without windows, the rank (N, C, spatial...).
std::vector<int> spatial_axes(const Plan& p) {
    std::size_t n = p.layers.size();
    std::vector<int> s(n + 1, -1); // s[0] is the input, s[i+1] layer i's output
    for (std::size_t i = 0; i < n; ++i) {
        const LayerPlan& l = p.layers[i];
        if (!l.rf.empty()) {
            s[i + 1] = int(l.rf.size());
            continue;
        }
        bool seen = false;
        for (auto k : l.input_nodes)
            seen = seen || s[std::size_t(k + 1)] >= 0;
        s[i + 1] = seen ? 0 : -1;
    }
    int next = -1;
    for (std::size_t i = n + 1; i-- > 0;) {
        if (i > 0 && !p.layers[i - 1].rf.empty()) next = int(p.layers[i - 1].rf.size());
        if (s[i] < 0) {
            const Shape& sh = i == 0 ? p.input : p.layers[i - 1].output;
            int rank_guess = sh.size() >= 3 ? int(sh.size()) - 2 : 0;
            s[i] = next >= 0 ? next : rank_guess;
        }
    }
    return s;
}

Slab make_slab(const Shape& shape, int spatial) {
    Slab b;
    b.shape = shape;
    int r = int(shape.size());
    spatial = std::min(spatial, std::max(r - 1, 0));
    if (r == 0) return b;
    if (spatial == 0) {
        b.h = shape[r - 1];
        return b;
    }
    b.spatial = spatial;
    b.c = shape[r - spatial - 1];
    b.h = spatial >= 2 ? shape[r - 2] : shape[r - 1];
    b.w = spatial >= 2 ? shape[r - 1] : 1;
    return b;
}

// Mixes a "#rrggbb" colour with white (amount > 0) or black (amount < 0).
std::string shade(const std::string& hex, double amount) {
    std::string out = "#";
    for (int i = 0; i < 3; ++i) {
        int v = std::stoi(hex.substr(1 + 2 * i, 2), nullptr, 16);
        double x = amount > 0 ? v + (255 - v) * amount : v * (1 + amount);
        out += fmt::format("{:02x}", std::clamp(int(std::lround(x)), 0, 255));
    }
    return out;
}

// Log scale so that 3 and 224 pixels, or 3 and 2048 channels, fit one picture.
double log_scale(std::int64_t v, std::int64_t vmax, double lo, double hi) {
    double top = std::log2(1.0 + double(std::max<std::int64_t>(vmax, 1)));
    return lo + (hi - lo) * std::log2(1.0 + double(std::max<std::int64_t>(v, 0))) / top;
}

// Rough text widths for layout (sans-serif, average glyph about 0.6 em).
double text_width(const std::string& s, double size) {
    return double(s.size()) * size * 0.6;
}

} // namespace

std::string report_svg(const Plan& p) {
    // Group the tensors into slabs.
    std::vector<int> spatial = spatial_axes(p);
    std::vector<Slab> slabs{make_slab(p.input, spatial[0])};
    for (std::size_t i = 0; i < p.layers.size(); ++i) {
        const LayerPlan& l = p.layers[i];
        if (slabs.size() == 1 || l.output != slabs.back().shape)
            slabs.push_back(make_slab(l.output, spatial[i + 1]));
        slabs.back().layers.push_back(&l);
    }

    std::int64_t max_side = 1, max_c = 1, max_features = 1;
    for (auto& b : slabs) {
        if (b.spatial) {
            max_side = std::max({max_side, b.h, b.w});
            max_c = std::max(max_c, b.c);
        } else {
            max_features = std::max(max_features, b.h);
        }
    }

    // Geometry: a slab is a box seen from the front-left: its front face is `thick` wide (channels)
    // and `high` tall (height); its width recedes up and to the right by `depth`.
    const double kHighMin = 10, kHighMax = 150, kThickMin = 3, kThickMax = 36, kGap = 28;
    const double kFont = 11, kSmall = 9.5, kLine = 13;
    const std::size_t kMaxLabelLayers = 3;
    struct Geo {
        double thick, high, depth, col, x;
        std::vector<std::string> lines;
        std::string colour;
    };
    std::vector<Geo> geo;
    double top_extra = 0, label_lines = 0;
    for (auto& b : slabs) {
        Geo g;
        if (b.spatial) {
            g.high = log_scale(b.h, max_side, kHighMin, kHighMax);
            g.depth = 0.45 * log_scale(b.w, max_side, kHighMin, kHighMax);
            g.thick = log_scale(b.c, max_c, kThickMin, kThickMax);
        } else {
            g.high = log_scale(b.h, max_features, kHighMin, kHighMax);
            g.depth = 4;
            g.thick = kThickMin;
        }
        g.colour = b.layers.empty() ? kTensorColour : family_colour(b.layers[0]->type);
        g.lines.push_back(shape_x(b.shape));
        if (b.layers.empty()) g.lines.push_back("input");
        for (std::size_t k = 0; k < b.layers.size() && k < kMaxLabelLayers; ++k) {
            if (k + 1 == kMaxLabelLayers && b.layers.size() > kMaxLabelLayers) {
                g.lines.push_back(fmt::format("+{} more", b.layers.size() - k));
                break;
            }
            g.lines.push_back(b.layers[k]->name + ": " + b.layers[k]->type);
        }
        double label_w = 0;
        for (std::size_t k = 0; k < g.lines.size(); ++k)
            label_w = std::max(label_w, text_width(g.lines[k], k ? kSmall : kFont));
        g.col = std::max(g.thick + g.depth * 0.7, label_w);
        top_extra = std::max(top_extra, g.depth * 0.7);
        label_lines = std::max(label_lines, double(g.lines.size()));
        geo.push_back(std::move(g));
    }

    const double margin = 16, title_h = 30;
    double x = margin;
    for (std::size_t i = 0; i < geo.size(); ++i) {
        geo[i].x = x;
        x += geo[i].col + kGap;
    }
    std::string title =
        fmt::format("{}: input {} -> output {}, {} params, {} MACs", title_of(p), shape_x(p.input),
                    shape_x(p.output), human_count(p.totals.params), human_count(p.totals.macs));
    const double width =
        std::ceil(std::max({x - kGap + margin, 320.0, text_width(title, 13) + 2 * margin}));
    const double mid = margin + title_h + top_extra + kHighMax / 2;
    const double label_top = mid + kHighMax / 2 + 18;
    const double height = std::ceil(label_top + label_lines * kLine + margin);

    std::string out;
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{0}\" "
                       "height=\"{1}\" viewBox=\"0 0 {0} {1}\">\n",
                       width, height);
    out += fmt::format("<title>{}</title>\n", xml_escape(title));
    out += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n",
                       width, height);
    out += fmt::format("<text x=\"{}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"13\" "
                       "font-weight=\"bold\" fill=\"#222222\">{}</text>\n",
                       margin, margin + 13, xml_escape(title));
    auto pt = [](double a, double b) { return fmt::format("{:.1f},{:.1f}", a, b); };
    for (std::size_t i = 0; i < geo.size(); ++i) {
        const Geo& g = geo[i];
        double x0 = g.x + (g.col - g.thick - g.depth * 0.7) / 2, x1 = x0 + g.thick;
        double y0 = mid - g.high / 2, y1 = mid + g.high / 2;
        double dx = g.depth * 0.7, dy = -g.depth * 0.7;
        out += "<g stroke=\"#444444\" stroke-width=\"0.8\" stroke-linejoin=\"round\">\n";
        out += fmt::format("  <polygon points=\"{} {} {} {}\" fill=\"{}\"/>\n", pt(x0, y0),
                           pt(x0 + dx, y0 + dy), pt(x1 + dx, y0 + dy), pt(x1, y0),
                           shade(g.colour, 0.45));
        out += fmt::format("  <polygon points=\"{} {} {} {}\" fill=\"{}\"/>\n", pt(x1, y0),
                           pt(x1 + dx, y0 + dy), pt(x1 + dx, y1 + dy), pt(x1, y1),
                           shade(g.colour, -0.2));
        out += fmt::format("  <rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                           "fill=\"{}\"/>\n",
                           x0, y0, g.thick, g.high, g.colour);
        out += "</g>\n";
        // The arrow to the next slab.
        if (i + 1 < geo.size()) {
            double ax0 = x1 + dx + 3,
                   ax1 = geo[i + 1].x +
                         (geo[i + 1].col - geo[i + 1].thick - geo[i + 1].depth * 0.7) / 2 - 3;
            if (ax1 - ax0 > 8) {
                out += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
                                   "stroke=\"#888888\" stroke-width=\"1\"/>\n",
                                   ax0, mid, ax1 - 5, mid);
                out += fmt::format("<polygon points=\"{} {} {}\" fill=\"#888888\"/>\n",
                                   pt(ax1, mid), pt(ax1 - 6, mid - 3.5), pt(ax1 - 6, mid + 3.5));
            }
        }
        double cx = g.x + g.col / 2;
        for (std::size_t k = 0; k < g.lines.size(); ++k)
            out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-family=\"sans-serif\" "
                               "font-size=\"{}\" text-anchor=\"middle\" fill=\"{}\"{}>{}</text>\n",
                               cx, label_top + double(k) * kLine, k ? kSmall : kFont,
                               k ? "#555555" : "#111111", k ? "" : " font-weight=\"bold\"",
                               xml_escape(g.lines[k]));
    }
    out += "</svg>\n";
    return out;
}

} // namespace cnnshape
