#include "json_locate.hpp"
#include <algorithm>
#include <cctype>
#include <deque>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

namespace cnnshape::detail {
namespace {

struct Step {
    bool is_index;
    std::string key;
    std::size_t index = 0;
};

std::optional<std::vector<Step>> parse_path(const std::string& path) {
    std::vector<Step> steps;
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '.') {
            ++i;
            continue;
        }
        if (path[i] == '[') {
            std::size_t j = path.find(']', i);
            if (j == std::string::npos) return std::nullopt;
            std::string num = path.substr(i + 1, j - i - 1);
            if (num.empty() || num.size() > 12) return std::nullopt;
            for (char c : num)
                if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
            steps.push_back({true, "", std::stoul(num)});
            i = j + 1;
            continue;
        }
        std::size_t j = i;
        while (j < path.size() && path[j] != '.' && path[j] != '[')
            ++j;
        steps.push_back({false, path.substr(i, j - i)});
        i = j;
    }
    return steps;
}

class Scanner {
public:
    explicit Scanner(const std::string& t) : t_(t) {}
    std::size_t pos = 0;

    void ws() {
        while (pos < t_.size() &&
               (t_[pos] == ' ' || t_[pos] == '\t' || t_[pos] == '\n' || t_[pos] == '\r'))
            ++pos;
    }
    bool at(char c) {
        ws();
        return pos < t_.size() && t_[pos] == c;
    }
    // Reads a string starting at pos (which is '"'); returns its raw contents (escapes decoded
    // only for the simple cases, enough to compare keys).
    std::optional<std::string> str() {
        if (pos >= t_.size() || t_[pos] != '"') return std::nullopt;
        std::string out;
        ++pos;
        while (pos < t_.size() && t_[pos] != '"') {
            if (t_[pos] == '\\' && pos + 1 < t_.size()) {
                char e = t_[pos + 1];
                out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
                pos += 2;
                if (e == 'u') pos += 4;
                continue;
            }
            out += t_[pos++];
        }
        if (pos >= t_.size()) return std::nullopt;
        ++pos;
        return out;
    }
    // Skips one value; false on malformed text.
    bool skip() {
        ws();
        if (pos >= t_.size()) return false;
        char c = t_[pos];
        if (c == '"') return str().has_value();
        if (c == '{' || c == '[') {
            int depth = 0;
            while (pos < t_.size()) {
                char d = t_[pos];
                if (d == '"') {
                    if (!str()) return false;
                    continue;
                }
                if (d == '{' || d == '[') ++depth;
                if (d == '}' || d == ']') {
                    if (--depth == 0) {
                        ++pos;
                        return true;
                    }
                }
                ++pos;
            }
            return false;
        }
        while (pos < t_.size() && t_[pos] != ',' && t_[pos] != '}' && t_[pos] != ']' &&
               !std::isspace(static_cast<unsigned char>(t_[pos])))
            ++pos;
        return true;
    }

private:
    const std::string& t_;
};

} // namespace

std::optional<std::size_t> json_locate(const std::string& text, const std::string& path) {
    auto steps = parse_path(path);
    if (!steps) return std::nullopt;
    Scanner s(text);
    s.ws();
    for (const Step& st : *steps) {
        s.ws();
        if (st.is_index) {
            if (!s.at('[')) return std::nullopt;
            ++s.pos;
            for (std::size_t i = 0;; ++i) {
                if (s.at(']')) return std::nullopt;
                s.ws();
                if (i == st.index) break;
                if (!s.skip()) return std::nullopt;
                if (!s.at(',')) return std::nullopt;
                ++s.pos;
            }
        } else {
            if (!s.at('{')) return std::nullopt;
            ++s.pos;
            std::optional<std::size_t> found;
            while (true) {
                if (s.at('}')) break;
                s.ws();
                auto key = s.str();
                if (!key || !s.at(':')) return std::nullopt;
                ++s.pos;
                s.ws();
                if (*key == st.key) found = s.pos; // the last occurrence wins
                if (!s.skip()) return std::nullopt;
                if (s.at(',')) ++s.pos;
            }
            if (!found) return std::nullopt;
            s.pos = *found;
        }
    }
    s.ws();
    return s.pos;
}

std::optional<std::pair<std::size_t, std::string>> json_duplicate_key(const std::string& text) {
    // Per open bracket: the keys seen so far (objects), reused between siblings to spare
    // allocations on specs of a million layers. Keys are views of the text; the few with escapes
    // are decoded into `decoded`, whose elements stay put.
    std::vector<std::vector<std::string_view>> keys;
    std::vector<bool> is_object;
    std::deque<std::string> decoded;
    std::size_t depth = 0;
    const char* t = text.data();
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n; ++i) {
        char c = t[i];
        if (c == '{' || c == '[') {
            if (keys.size() <= depth) keys.emplace_back(), is_object.push_back(false);
            keys[depth].clear();
            is_object[depth] = c == '{';
            ++depth;
        } else if (c == '}' || c == ']') {
            if (depth > 0) --depth;
        } else if (c == '"') {
            std::size_t start = i;
            bool escaped = false;
            for (++i; i < n && t[i] != '"'; ++i) {
                if (t[i] == '\\') {
                    escaped = true;
                    ++i;
                }
            }
            std::size_t end = i; // the closing quote
            std::size_t j = end + 1;
            while (j < n && (t[j] == ' ' || t[j] == '\t' || t[j] == '\n' || t[j] == '\r'))
                ++j;
            if (j >= n || t[j] != ':' || depth == 0 || !is_object[depth - 1]) continue;
            std::string_view key(t + start + 1, (end < n ? end : n) - start - 1);
            if (escaped) {
                std::string k(key);
                try {
                    k = nlohmann::json::parse(text.substr(start, end - start + 1))
                            .get<std::string>();
                } catch (const nlohmann::json::exception&) {
                }
                decoded.push_back(std::move(k));
                key = decoded.back();
            }
            auto& seen = keys[depth - 1];
            if (std::find(seen.begin(), seen.end(), key) != seen.end())
                return std::make_pair(start, std::string(key));
            seen.push_back(key);
        }
    }
    return std::nullopt;
}

std::optional<std::size_t> json_too_deep(const std::string& text, int limit) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"')
            in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > limit) return i;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return std::nullopt;
}

std::string json_line_col(const std::string& text, std::size_t offset) {
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n')
            ++line, col = 1;
        else
            ++col;
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

} // namespace cnnshape::detail
