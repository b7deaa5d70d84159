// print(model) text (print_text.hpp).
#include "print_text.hpp"
#include "python_source.hpp"

#include <algorithm>
#include <utility>

namespace cnnshape::pyparse {

std::vector<Line> split_lines(const std::string& s) {
    std::vector<Line> lines;
    size_t b = 0;
    while (b <= s.size()) {
        size_t e = s.find('\n', b);
        size_t next = e == std::string::npos ? s.size() + 1 : e + 1;
        if (e == std::string::npos) e = s.size();
        size_t ee = e;
        while (ee > b && s[ee - 1] == '\r')
            --ee;
        lines.push_back({b, ee});
        b = next;
    }
    return lines;
}

size_t skip_hspace(const std::string& s, size_t p, size_t end) {
    while (p < end) {
        if (is_hspace(s[p])) {
            ++p;
        } else if (size_t n = unicode_space_at(s, p, end)) {
            p += n;
        } else {
            break;
        }
    }
    return p;
}

size_t trim_end(const std::string& s, size_t b, size_t e) {
    while (e > b && is_hspace(s[e - 1]))
        --e;
    return e;
}

bool is_blank(const std::string& s, const Line& l) {
    return skip_hspace(s, l.start, l.end) == l.end;
}

std::optional<ChildLine> child_line(const std::string& s, const Line& l) {
    size_t p = skip_hspace(s, l.start, l.end);
    if (p >= l.end || s[p] != '(') return std::nullopt;
    size_t close = p + 1;
    while (close < l.end && s[close] != ')')
        ++close;
    if (close + 2 >= l.end || s[close + 1] != ':' || !is_hspace(s[close + 2])) return std::nullopt;
    size_t rest = skip_hspace(s, close + 2, l.end);
    if (rest >= l.end) return std::nullopt;
    return ChildLine{p, p + 1, s.substr(p + 1, close - p - 1), rest};
}

std::optional<std::string> opens_block(const std::string& s, size_t p, const Line& l) {
    size_t e = trim_end(s, p, l.end);
    if (p >= e || !is_ident_start(s[p]) || s[e - 1] != '(') return std::nullopt;
    size_t q = p;
    while (q < e && is_ident_char(s[q]))
        ++q;
    if (q != e - 1) return std::nullopt;
    return s.substr(p, q - p);
}

size_t next_nonblank(const std::string& s, const std::vector<Line>& lines, size_t k) {
    while (k < lines.size() && is_blank(s, lines[k]))
        ++k;
    return k;
}

bool children_follow(const std::string& s, const std::vector<Line>& lines, size_t k) {
    size_t j = next_nonblank(s, lines, k + 1);
    return j < lines.size() && child_line(s, lines[j]).has_value();
}

std::optional<Header> print_header(const std::string& s, const std::vector<Line>& lines, size_t k) {
    size_t b = lines[k].start;
    size_t e = trim_end(s, b, lines[k].end);
    if (e == b || s[e - 1] != '(') return std::nullopt;
    size_t q = e - 1;
    while (q > b && is_ident_char(s[q - 1]))
        --q;
    if (q == e - 1 || !is_ident_start(s[q]) || (q > b && s[q - 1] == '.')) return std::nullopt;
    if (!children_follow(s, lines, k)) return std::nullopt;
    return Header{q, s.substr(q, e - 1 - q)};
}

std::vector<PrintBlock> scan_print_blocks(const std::string& s, const std::vector<Line>& lines,
                                          std::vector<size_t>& orphans) {
    std::vector<PrintBlock> blocks;
    size_t k = 0;
    while (k < lines.size()) {
        std::optional<Header> h = print_header(s, lines, k);
        if (!h) {
            if (child_line(s, lines[k])) orphans.push_back(k);
            ++k;
            continue;
        }
        // "(features): Sequential(" pasted on its own keeps the name it had.
        std::string name;
        if (auto c = child_line(s, lines[k]); c && c->rest == h->name_off) name = c->name;
        std::vector<size_t> open = {blocks.size()};
        blocks.push_back({k, h->name_off, h->cls, name, -1, false, lines.size()});
        for (++k; k < lines.size() && !open.empty(); ++k) {
            const Line& l = lines[k];
            size_t f = skip_hspace(s, l.start, l.end);
            size_t e = trim_end(s, f, l.end);
            if (f == e) continue;
            if (e == f + 1 && s[f] == ')') {
                blocks[open.back()].end_line = k;
                open.pop_back();
                continue;
            }
            auto child = child_line(s, l);
            if (!child) continue;
            auto cls = opens_block(s, child->rest, l);
            if (!cls || !children_follow(s, lines, k)) continue;
            const PrintBlock& up = blocks[open.back()];
            std::string path = up.path.empty() ? child->name : up.path + "." + child->name;
            bool under = up.under_sequential || up.cls == "Sequential";
            open.push_back(blocks.size());
            blocks.push_back({k, child->rest, *cls, path, std::int64_t(open[open.size() - 2]),
                              under, lines.size()});
        }
    }
    return blocks;
}

Value PrintReader::block(size_t& k, size_t cls_off, const std::string& cls, int depth) {
    if (depth > kMaxDepth)
        src_.fail(cls_off, "too deeply nested: more than " + std::to_string(kMaxDepth) +
                               " levels of Sequential");
    // PyTorch's own container classes (nn.MultiheadAttention, torchvision.ops.MLP): not yet
    // supported. ModuleList and the like have no forward() of their own.
    static const std::set<std::string> no_forward = {"Module",        "ModuleList",    "ModuleDict",
                                                     "ParameterList", "ParameterDict", "Container"};
    // MultiheadAttention prints only its out_proj: num_heads, dropout, batch_first and the
    // rest are not in the text.
    if (cls != "Sequential" && find_layer_type(cls))
        src_.fail(cls_off, "print(model) shows " + cls +
                               " only by its submodules, without its other arguments "
                               "(num_heads, batch_first, ...); write it as a PyTorch expression "
                               "or in a JSON spec");
    if (cls != "Sequential" && find_torch_module(cls) && !no_forward.count(cls))
        src_.fail(cls_off, unknown_layer_message(cls));
    if (cls != "Sequential")
        src_.fail(cls_off, "'" + cls +
                               "' is a container whose forward() cnnshape cannot see; only "
                               "Sequential containers can be read from print(model) text");
    size_t open_line = k;
    Value::List items;
    ++k;
    size_t close_off = 0;
    while (true) {
        k = next_nonblank(s_, lines_, k);
        if (k >= lines_.size())
            src_.fail(src_.end_offset(0, s_.size()),
                      "expected ')' closing the 'Sequential(' of line " +
                          std::to_string(open_line + 1) + " but the text ended");
        const Line& l = lines_[k];
        size_t f = skip_hspace(s_, l.start, l.end);
        size_t e = trim_end(s_, f, l.end);
        if (e == f + 1 && s_[f] == ')') {
            close_off = f;
            ++k;
            break;
        }
        auto child = child_line(s_, l);
        if (!child) {
            if (s_.compare(f, 3, "...") == 0 || s_.compare(f, 3, "\xE2\x80\xA6") == 0)
                src_.fail(f, "this print(model) text is cut short ('...'); paste the complete "
                             "output");
            size_t w = f;
            while (w < e && !is_space(s_[w]))
                ++w;
            src_.fail(f, "expected a child line such as '(0): Conv2d(...)' or ')' closing the "
                         "'Sequential(' of line " +
                             std::to_string(open_line + 1) + " but found '" +
                             shorten(s_.substr(f, w - f), 30) + "'");
        }
        if (child->name.empty()) src_.fail(child->paren, "a child module has an empty name");
        Value name = Value::string(child->name);
        name.pos = std::int64_t(child->name_start);
        Value module;
        auto cls2 = opens_block(s_, child->rest, l);
        if (cls2 && children_follow(s_, lines_, k)) {
            module = block(k, child->rest, *cls2, depth + 1);
        } else {
            Parser p(src_, child->rest, l.end, "the line");
            module = p.parse_primary();
            if (!module.is_call())
                src_.fail(child->rest, "expected a module such as 'Conv2d(...)' after '(" +
                                           shorten(child->name, 30) + "): ' but found " +
                                           (module.is_string() && module.bare_word
                                                ? "'" + shorten(module.as_string()) + "'"
                                                : module.repr()));
            p.expect_end("the module");
            ++k;
        }
        Value pair = Value::tuple({name, module});
        pair.pos = std::int64_t(child->paren);
        items.push_back(std::move(pair));
    }
    return make_sequential(cls_off, close_off + 1, std::move(items));
}

Value PrintReader::make_sequential(size_t pos, size_t end, Value::List items) {
    Value list = Value::tuple(std::move(items));
    list.is_list = true;
    list.pos = std::int64_t(pos);
    auto od = std::make_shared<Call>();
    od->name = "OrderedDict";
    od->args.push_back(std::move(list));
    od->pos = std::int64_t(pos);
    od->end_pos = std::int64_t(end);
    Value odv;
    odv.v = std::move(od);
    odv.pos = std::int64_t(pos);
    auto seq = std::make_shared<Call>();
    seq->name = "Sequential";
    seq->args.push_back(std::move(odv));
    seq->pos = std::int64_t(pos);
    seq->end_pos = std::int64_t(end);
    Value v;
    v.v = std::move(seq);
    v.pos = std::int64_t(pos);
    return v;
}

} // namespace cnnshape::pyparse
