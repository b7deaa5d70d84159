// Pictures: `plan --format dot`, `--format mermaid` (the layer graph, shapes on the edges) and
// `--format svg` (the funnel drawing). Golden files, the graph's structure, SVG hygiene, and the
// SVG rendered to PNG by rsvg-convert to see that it draws something.
// Regenerate the golden files with CNNSHAPE_UPDATE_GOLDEN=1 after an intended change.
#include "cli_support.hpp"
#include "support.hpp"

#include "cnnshape/report.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <regex>
#include <stdexcept>

using namespace cnnshape;
using cnnshape::test::check_golden;
using cnnshape::test::run_cli;
using cnnshape::test::slurp;
using cnnshape::test::source_path;

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size()))
        ++n;
    return n;
}

Plan plan_file(const std::string& rel, const std::string& input = "") {
    Network net = load_spec_file(source_path(rel));
    if (!input.empty()) net.input = parse_shape(input);
    return make_plan(net, *net.input);
}

// --- A small PNG reader (inflate and the five row filters), enough to look at rsvg-convert's
// output without a library.

struct Bits {
    const std::vector<std::uint8_t>& d;
    std::size_t pos = 0;
    std::uint32_t buf = 0;
    int count = 0;
    int bit() {
        if (count == 0) {
            if (pos >= d.size()) throw std::runtime_error("deflate: data ended");
            buf = d[pos++];
            count = 8;
        }
        int b = int(buf & 1);
        buf >>= 1;
        --count;
        return b;
    }
    int bits(int n) {
        int v = 0;
        for (int i = 0; i < n; ++i)
            v |= bit() << i;
        return v;
    }
};

// Canonical Huffman code, decoded a bit at a time (as zlib's puff.c does).
struct Huffman {
    std::vector<int> count, symbol;
    explicit Huffman(const std::vector<int>& lengths) : count(16, 0) {
        for (int len : lengths)
            ++count[len];
        count[0] = 0;
        std::vector<int> offs(16, 0);
        for (int len = 1; len < 15; ++len)
            offs[len + 1] = offs[len] + count[len];
        symbol.assign(lengths.size(), 0);
        for (std::size_t s = 0; s < lengths.size(); ++s)
            if (lengths[s]) symbol[offs[lengths[s]]++] = int(s);
    }
    int decode(Bits& in) const {
        int code = 0, first = 0, index = 0;
        for (int len = 1; len < 16; ++len) {
            code |= in.bit();
            int n = count[len];
            if (code - n < first) return symbol[index + (code - first)];
            index += n;
            first = (first + n) << 1;
            code <<= 1;
        }
        throw std::runtime_error("deflate: bad code");
    }
};

std::vector<std::uint8_t> inflate(const std::vector<std::uint8_t>& z) {
    static const int lbase[] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const int lext[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                               2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    static const int dbase[] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    static const int dext[] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                               6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
    std::vector<std::uint8_t> out;
    Bits in{z};
    in.pos = 2; // zlib header
    int last = 0;
    while (!last) {
        last = in.bit();
        int type = in.bits(2);
        if (type == 0) {
            in.count = 0;
            if (in.pos + 4 > z.size()) throw std::runtime_error("deflate: stored block");
            std::size_t len = z[in.pos] | (z[in.pos + 1] << 8);
            in.pos += 4;
            if (in.pos + len > z.size()) throw std::runtime_error("deflate: stored block");
            out.insert(out.end(), z.begin() + long(in.pos), z.begin() + long(in.pos + len));
            in.pos += len;
            continue;
        }
        if (type == 3) throw std::runtime_error("deflate: bad block type");
        std::vector<int> lit_len(288), dist_len(30);
        if (type == 1) {
            for (int s = 0; s < 288; ++s)
                lit_len[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
            std::fill(dist_len.begin(), dist_len.end(), 5);
        } else {
            int nlen = in.bits(5) + 257, ndist = in.bits(5) + 1, ncode = in.bits(4) + 4;
            static const int order[] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                        11, 4,  12, 3, 13, 2, 14, 1, 15};
            std::vector<int> code_len(19, 0);
            for (int i = 0; i < ncode; ++i)
                code_len[order[i]] = in.bits(3);
            Huffman lencode(code_len);
            std::vector<int> lengths;
            while (int(lengths.size()) < nlen + ndist) {
                int sym = lencode.decode(in);
                if (sym < 16) {
                    lengths.push_back(sym);
                } else {
                    int prev = 0, rep;
                    if (sym == 16) {
                        if (lengths.empty()) throw std::runtime_error("deflate: repeat");
                        prev = lengths.back();
                        rep = 3 + in.bits(2);
                    } else {
                        rep = sym == 17 ? 3 + in.bits(3) : 11 + in.bits(7);
                    }
                    lengths.insert(lengths.end(), std::size_t(rep), prev);
                }
            }
            lit_len.assign(lengths.begin(), lengths.begin() + nlen);
            dist_len.assign(lengths.begin() + nlen, lengths.begin() + nlen + ndist);
        }
        Huffman lit(lit_len), dist(dist_len);
        while (true) {
            int sym = lit.decode(in);
            if (sym < 256) {
                out.push_back(std::uint8_t(sym));
            } else if (sym == 256) {
                break;
            } else {
                sym -= 257;
                if (sym >= 29) throw std::runtime_error("deflate: bad length");
                int len = lbase[sym] + in.bits(lext[sym]);
                int ds = dist.decode(in);
                if (ds >= 30) throw std::runtime_error("deflate: bad distance");
                std::size_t back = std::size_t(dbase[ds] + in.bits(dext[ds]));
                if (back > out.size()) throw std::runtime_error("deflate: distance too far");
                for (int k = 0; k < len; ++k)
                    out.push_back(out[out.size() - back]);
            }
        }
    }
    return out;
}

struct Image {
    std::uint32_t width = 0, height = 0;
    int channels = 0; // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; 8 bits each
    std::vector<std::uint8_t> pixels;
};

Image read_png(const std::string& path) {
    std::string f = slurp(path);
    std::vector<std::uint8_t> d(f.begin(), f.end());
    static const std::uint8_t sig[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (d.size() < 8 || !std::equal(sig, sig + 8, d.begin()))
        throw std::runtime_error("not a PNG: " + path);
    auto be32 = [&](std::size_t p) {
        return std::uint32_t(d[p]) << 24 | std::uint32_t(d[p + 1]) << 16 |
               std::uint32_t(d[p + 2]) << 8 | d[p + 3];
    };
    Image img;
    std::vector<std::uint8_t> idat;
    int colour = -1;
    for (std::size_t p = 8; p + 8 <= d.size();) {
        std::uint32_t len = be32(p);
        std::string type(d.begin() + long(p + 4), d.begin() + long(p + 8));
        if (p + 12 + len > d.size()) throw std::runtime_error("PNG: chunk past the end");
        if (type == "IHDR") {
            img.width = be32(p + 8);
            img.height = be32(p + 12);
            if (d[p + 16] != 8 || d[p + 18] != 0 || d[p + 19] != 0 || d[p + 20] != 0)
                throw std::runtime_error("PNG: only 8-bit, non-interlaced images are read here");
            colour = d[p + 17];
        } else if (type == "IDAT") {
            idat.insert(idat.end(), d.begin() + long(p + 8), d.begin() + long(p + 8 + len));
        }
        p += 12 + len;
    }
    img.channels = colour == 0 ? 1 : colour == 4 ? 2 : colour == 2 ? 3 : colour == 6 ? 4 : 0;
    if (img.channels == 0) throw std::runtime_error("PNG: unsupported colour type");
    std::vector<std::uint8_t> raw = inflate(idat);
    std::size_t stride = std::size_t(img.width) * std::size_t(img.channels);
    if (raw.size() < (stride + 1) * img.height) throw std::runtime_error("PNG: too little data");
    img.pixels.assign(stride * img.height, 0);
    int bpp = img.channels;
    for (std::size_t y = 0; y < img.height; ++y) {
        int filter = raw[y * (stride + 1)];
        const std::uint8_t* src = &raw[y * (stride + 1) + 1];
        std::uint8_t* row = &img.pixels[y * stride];
        const std::uint8_t* up = y ? &img.pixels[(y - 1) * stride] : nullptr;
        for (std::size_t x = 0; x < stride; ++x) {
            int a = x >= std::size_t(bpp) ? row[x - bpp] : 0;
            int b = up ? up[x] : 0;
            int c = up && x >= std::size_t(bpp) ? up[x - bpp] : 0;
            int pred = 0;
            switch (filter) {
            case 0:
                pred = 0;
                break;
            case 1:
                pred = a;
                break;
            case 2:
                pred = b;
                break;
            case 3:
                pred = (a + b) / 2;
                break;
            case 4: {
                int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
                pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                break;
            }
            default:
                throw std::runtime_error("PNG: bad filter");
            }
            row[x] = std::uint8_t(src[x] + pred);
        }
    }
    return img;
}

// Pixels that are visibly drawn: not white and not transparent.
std::size_t ink(const Image& img) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < img.pixels.size(); i += std::size_t(img.channels)) {
        const std::uint8_t* p = &img.pixels[i];
        bool opaque = img.channels == 2 ? p[1] > 0 : img.channels == 4 ? p[3] > 0 : true;
        bool white = img.channels <= 2 ? p[0] > 245 : p[0] > 245 && p[1] > 245 && p[2] > 245;
        n += opaque && !white;
    }
    return n;
}

std::pair<int, int> svg_size(const std::string& svg) {
    std::smatch m;
    REQUIRE(
        std::regex_search(svg, m, std::regex("<svg [^>]*width=\"([0-9]+)\" height=\"([0-9]+)\"")));
    return {std::stoi(m[1]), std::stoi(m[2])};
}

// Start and end tags balance and nest (the SVG has no comments, CDATA or processing
// instructions besides the XML declaration).
bool tags_balance(const std::string& xml) {
    std::vector<std::string> open;
    std::regex tag("<(/?)([A-Za-z]+)[^>]*?(/?)>");
    std::string body = xml.substr(xml.find("?>") + 2);
    for (auto it = std::sregex_iterator(body.begin(), body.end(), tag);
         it != std::sregex_iterator(); ++it) {
        const std::smatch& m = *it;
        if (m[3] == "/") continue;
        if (m[1] == "/") {
            if (open.empty() || open.back() != m[2]) return false;
            open.pop_back();
        } else {
            open.push_back(m[2]);
        }
    }
    return open.empty();
}

} // namespace

TEST_CASE("dot, mermaid and svg as the golden files show", "[cli][graph]") {
    struct Case {
        const char* args;
        const char* golden;
    };
    auto c = GENERATE(
        Case{"plan examples/networks/funnel.json --format dot", "dot_funnel.dot"},
        Case{"plan examples/networks/unet_small.json --format dot", "dot_unet_small.dot"},
        Case{"plan examples/networks/funnel.json --format mermaid", "mermaid_funnel.mmd"},
        Case{"plan examples/networks/resnet18.json --format mermaid", "mermaid_resnet18.mmd"},
        Case{"plan examples/networks/funnel.json --format svg", "svg_funnel.svg"},
        Case{"plan examples/networks/resnet18.json --format svg", "svg_resnet18.svg"},
        Case{"plan examples/networks/lenet5.json --format svg", "svg_lenet5.svg"});
    CAPTURE(c.args);
    auto r = run_cli(c.args);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    check_golden(c.golden, r.out);
}

TEST_CASE("the graph has a node per layer and an edge per tensor, with its shape", "[graph]") {
    auto file = GENERATE(as<std::string>{}, "funnel.json", "resnet18.json", "unet_small.json",
                         "mobilenet_v2.json");
    CAPTURE(file);
    Plan p = plan_file("examples/networks/" + file);
    std::size_t edges = 1; // the last layer to the output
    for (auto& l : p.layers)
        edges += l.input_nodes.size();
    std::string dot = report_dot(p), mermaid = report_mermaid(p);
    CHECK(count_of(dot, " -> ") == edges);
    CHECK(count_of(mermaid, " -->|") == edges);
    for (auto& l : p.layers) {
        std::string id = "n" + std::to_string(l.index);
        CHECK(count_of(dot, "  " + id + " [label=") == 1);
        CHECK(count_of(mermaid, "    " + id + "[\"") == 1);
        for (std::size_t k = 0; k < l.input_nodes.size(); ++k) {
            std::string from =
                l.input_nodes[k] < 0 ? "input" : "n" + std::to_string(l.input_nodes[k]);
            std::string shape = shape_x(l.input_shapes[k]);
            CHECK(count_of(dot, "  " + from + " -> " + id + " [label=\"" + shape + "\"];\n") == 1);
            CHECK(count_of(mermaid, "    " + from + " -->|" + shape + "| " + id + "\n") == 1);
        }
    }
    CHECK(count_of(dot, "output [label=\"output\\n" + shape_x(p.output) + "\"") == 1);
}

TEST_CASE("merges show every incoming branch", "[graph]") {
    Plan p = plan_file("examples/networks/resnet18.json");
    std::string dot = report_dot(p);
    // layer2.0's residual sum takes bn2 and the downsampling shortcut.
    const LayerPlan* add = nullptr;
    for (auto& l : p.layers)
        if (l.name == "layer2.0.add") add = &l;
    REQUIRE(add);
    REQUIRE(add->input_nodes.size() == 2);
    CHECK(count_of(dot, " -> n" + std::to_string(add->index) + " [label=\"1x128x28x28\"]") == 2);
}

TEST_CASE("labels are escaped for each language", "[graph]") {
    Plan p = plan_file("examples/networks/funnel.json");
    p.name = "a \"quoted\" <name> & more";
    p.layers[0].name = "odd\"name<1>";
    CHECK_THAT(report_dot(p), Catch::StartsWith("digraph \"a \\\"quoted\\\" <name> & more\" {"));
    CHECK_THAT(report_dot(p), Catch::Contains("label=\"odd\\\"name<1>\\n"));
    CHECK_THAT(report_mermaid(p), Catch::Contains("n0[\"odd#quot;name#lt;1#gt;<br/>"));
    std::string svg = report_svg(p);
    CHECK_THAT(svg, Catch::Contains("a &quot;quoted&quot; &lt;name&gt; &amp; more"));
    CHECK_THAT(svg, Catch::Contains("odd&quot;name&lt;1&gt;: Conv2d"));
    CHECK(tags_balance(svg));
}

TEST_CASE("the SVG is self-contained SVG 1.1 with a box per feature map", "[graph]") {
    auto file = GENERATE(as<std::string>{}, "funnel.json", "resnet18.json", "vgg16.json",
                         "unet_small.json", "mobilenet_v2.json", "lenet5.json", "alexnet.json");
    CAPTURE(file);
    Plan p = plan_file("examples/networks/" + file);
    std::string svg = report_svg(p);
    CHECK_THAT(svg, Catch::StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "
                                      "xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""));
    CHECK(tags_balance(svg));
    for (auto banned : {"href", "url(", "<image", "<script", "@import", "<foreignObject", "<style"})
        CHECK(svg.find(banned) == std::string::npos);
    // A box (its front face) per run of layers with one output shape, plus the input.
    std::size_t boxes = 1;
    Shape last = p.input;
    for (std::size_t i = 0; i < p.layers.size(); ++i)
        if (i == 0 || p.layers[i].output != last) {
            ++boxes;
            last = p.layers[i].output;
        }
    CHECK(count_of(svg, "<rect x=") == boxes + 1); // + the background
    CHECK_THAT(svg, Catch::Contains(">" + shape_x(p.input) + "</text>"));
    CHECK_THAT(svg, Catch::Contains(">" + shape_x(p.output) + "</text>"));
    auto [w, h] = svg_size(svg);
    CHECK(w >= 320);
    CHECK(h >= 200);
    CHECK(h <= 400);
}

TEST_CASE("rsvg-convert renders the SVG to a picture that is not empty", "[cli][graph]") {
    if (std::system("command -v rsvg-convert >/dev/null 2>&1") != 0) {
        WARN("SKIPPED: rsvg-convert is not installed, so the SVG was not rendered "
             "(apt-get install librsvg2-bin; tools/bootstrap.sh installs it)");
        return;
    }
    auto args = GENERATE(as<std::string>{}, "examples/networks/resnet18.json",
                         "examples/networks/vgg16.json", "examples/networks/funnel.json",
                         "examples/networks/unet_small.json",
                         "--input 1x784 --layer \"nn.Linear(784, 128)\" --layer \"nn.ReLU()\" "
                         "--layer \"nn.Linear(128, 10)\"");
    CAPTURE(args);
    auto r = run_cli("plan " + args + " --format svg");
    REQUIRE(r.code == 0);
    char dir[] = "/tmp/cnnshape-svg-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::string d = dir;
    std::ofstream(d + "/p.svg", std::ios::binary) << r.out;
    int rc = std::system(("rsvg-convert -o '" + d + "/p.png' '" + d + "/p.svg'").c_str());
    REQUIRE(rc == 0);
    Image img = read_png(d + "/p.png");
    std::system(("rm -rf '" + d + "'").c_str());
    auto [w, h] = svg_size(r.out);
    CHECK(int(img.width) == w);
    CHECK(int(img.height) == h);
    CHECK(img.width >= 320);
    CHECK(img.width <= 20000);
    CHECK(img.height >= 200);
    CHECK(img.height <= 400);
    // Boxes, labels and arrows: a few percent of the picture is ink, and not all of it.
    std::size_t drawn = ink(img), all = std::size_t(img.width) * img.height;
    CAPTURE(drawn, all);
    CHECK(drawn > all / 50);
    CHECK(drawn < all * 3 / 4);
}

TEST_CASE("the inflater reads stored and fixed-Huffman blocks", "[graph]") {
    std::string text = "cnnshape cnnshape cnnshape 1x3x224x224";
    std::vector<std::uint8_t> expected(text.begin(), text.end());
    // zlib.compress(text, 9): one fixed-Huffman block with back-references.
    std::vector<std::uint8_t> fixed = {0x78, 0xda, 0x4b, 0xce, 0xcb, 0x2b, 0xce, 0x48, 0x2c, 0x48,
                                       0x55, 0x48, 0xc6, 0x60, 0x18, 0x56, 0x18, 0x57, 0x18, 0x19,
                                       0x99, 0x80, 0x30, 0x00, 0x18, 0x96, 0x0d, 0x4d};
    CHECK(inflate(fixed) == expected);
    // The same bytes in one stored block.
    std::vector<std::uint8_t> stored = {
        0x78, 0x01, 0x01, std::uint8_t(text.size()), 0x00, std::uint8_t(~text.size()), 0xff};
    stored.insert(stored.end(), expected.begin(), expected.end());
    CHECK(inflate(stored) == expected);
}
