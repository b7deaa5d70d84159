// CI assertions: reading limits such as "10M" or "2GiB", and checking a Plan's totals against them.
#include "cnnshape/budget.hpp"
#include "cnnshape/compact_json.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/report.hpp"
#include <cctype>
#include <cstring>
#include <fmt/format.h>
#include <limits>

namespace cnnshape {

namespace {

using u128 = unsigned __int128;

[[noreturn]] void bad_quantity(const std::string& option, const std::string& text,
                               const std::string& why) {
    std::string shown;
    for (char c : text)
        shown += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
    throw UsageError(fmt::format("{}: invalid value '{}': {}", option, shown, why));
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

} // namespace

std::int64_t parse_quantity(const std::string& text, const std::string& option, bool bytes) {
    const std::string expected =
        bytes ? "expected a whole number of bytes with an optional suffix k, M, G, T (x1000) or "
                "Ki, Mi, Gi, Ti (x1024) and an optional B, as in 500MB or 2GiB"
              : "expected a whole number with an optional suffix k, M, G, T (x1000) or Ki, Mi, "
                "Gi, Ti (x1024), as in 10M or 1.5G";
    std::size_t b = 0, e = text.size();
    while (b < e && std::isspace(static_cast<unsigned char>(text[b])))
        ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1])))
        --e;
    const std::string t = text.substr(b, e - b);
    if (t.empty()) bad_quantity(option, text, "it is empty; " + expected);
    if (t[0] == '-') bad_quantity(option, text, "limits cannot be negative");

    // Mantissa: digits (with _ or , between them), then an optional fraction.
    std::size_t i = 0;
    u128 digits = 0;
    int significant = 0, fraction = 0;
    auto take_digit = [&](char c) {
        if (digits != 0 || c != '0') ++significant;
        if (significant > 30) bad_quantity(option, text, "too many digits");
        digits = digits * 10 + u128(c - '0');
    };
    if (i < t.size() && t[i] == '+') ++i;
    if (i == t.size() || !is_digit(t[i])) bad_quantity(option, text, expected);
    while (i < t.size()) {
        if (is_digit(t[i])) {
            take_digit(t[i++]);
        } else if ((t[i] == '_' || t[i] == ',') && i + 1 < t.size() && is_digit(t[i + 1])) {
            ++i;
        } else {
            break;
        }
    }
    if (i < t.size() && t[i] == '.') {
        ++i;
        if (i == t.size() || !is_digit(t[i])) bad_quantity(option, text, expected);
        while (i < t.size() && is_digit(t[i])) {
            take_digit(t[i++]);
            ++fraction;
        }
    }
    int exponent = 0;
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        bool negative = false;
        if (i < t.size() && (t[i] == '+' || t[i] == '-')) negative = t[i++] == '-';
        if (i == t.size() || !is_digit(t[i])) bad_quantity(option, text, expected);
        while (i < t.size() && is_digit(t[i])) {
            exponent = exponent * 10 + (t[i++] - '0');
            if (exponent > 100) bad_quantity(option, text, "the exponent is too large");
        }
        if (negative) exponent = -exponent;
    }

    // Suffix.
    std::string suffix = t.substr(i);
    std::int64_t multiplier = 1;
    if (bytes && !suffix.empty() && suffix.back() == 'B') suffix.pop_back();
    if (!suffix.empty()) {
        static const char* const prefixes = "kMGT";
        char p = suffix[0] == 'K' ? 'k' : suffix[0];
        const char* where = std::strchr(prefixes, p);
        bool binary = suffix.size() == 2 && suffix[1] == 'i';
        if (p == '\0' || !where || (suffix.size() != 1 && !binary)) {
            bad_quantity(option, text, "unknown suffix '" + t.substr(i) + "'; " + expected);
        }
        for (const char* q = prefixes; q <= where; ++q)
            multiplier *= binary ? 1024 : 1000;
    }

    // value = digits * multiplier * 10^(exponent - fraction), which must be a whole number.
    const u128 limit = u128(std::numeric_limits<std::int64_t>::max());
    int scale = exponent - fraction;
    u128 num = digits * u128(multiplier); // < 10^30 * 2^40: fits 128 bits
    for (; scale > 0 && num != 0; --scale) {
        if (num > limit) bad_quantity(option, text, "it does not fit in 64 bits");
        num *= 10;
    }
    for (; scale < 0 && num != 0; ++scale) {
        if (num % 10 != 0) bad_quantity(option, text, "it is not a whole number");
        num /= 10;
    }
    if (num > limit) bad_quantity(option, text, "it does not fit in 64 bits");
    return std::int64_t(num);
}

std::int64_t budget_memory(const Totals& t) {
    // Saturates rather than throws: no limit can be larger than the largest int64.
    std::int64_t sum = 0;
    for (std::int64_t part : {t.activation_bytes, t.param_bytes, t.buffer_bytes})
        if (__builtin_add_overflow(sum, part, &sum))
            return std::numeric_limits<std::int64_t>::max();
    return sum;
}

namespace {

std::string shape_json_text(const Shape& s) {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i)
        out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

Check limit_check(const char* name, const char* label, std::int64_t actual, std::int64_t limit,
                  const char* unit, const char* note) {
    Check c;
    c.name = name;
    c.limit = limit;
    c.actual = actual;
    c.ok = actual <= limit;
    if (!c.ok) {
        std::int64_t over = actual - limit; // actual > limit >= 0: no overflow
        std::string pct =
            limit > 0 ? fmt::format(", {:.1f}%", 100.0 * double(over) / double(limit)) : "";
        c.message = fmt::format("{} {}{} > max {}{} (by {}{}{}{})", label, with_commas(actual),
                                unit, with_commas(limit), unit, with_commas(over), unit, pct, note);
    }
    return c;
}

} // namespace

std::vector<Check> check_budget(const Plan& plan, const Budget& budget) {
    std::vector<Check> out;
    if (budget.expect_output) {
        Check c;
        c.name = "output_shape";
        c.limit = *budget.expect_output;
        c.actual = plan.output;
        c.ok = plan.output == *budget.expect_output;
        if (!c.ok)
            c.message = fmt::format("output shape {} != expected {}", shape_x(plan.output),
                                    shape_x(*budget.expect_output));
        out.push_back(std::move(c));
    }
    if (budget.max_params)
        out.push_back(
            limit_check("params", "params", plan.totals.params, *budget.max_params, "", ""));
    if (budget.max_macs)
        out.push_back(limit_check("macs", "MACs", plan.totals.macs, *budget.max_macs, "", ""));
    if (budget.max_memory)
        out.push_back(limit_check("memory", "memory", budget_memory(plan.totals),
                                  *budget.max_memory, " B", "; activations + params + buffers"));
    return out;
}

std::string checks_json(const std::vector<Check>& checks) {
    std::string out = "[";
    for (std::size_t i = 0; i < checks.size(); ++i) {
        const Check& c = checks[i];
        auto value = [](const nlohmann::ordered_json& v) {
            if (v.is_array()) return shape_json_text(v.get<Shape>());
            return compact_json(v);
        };
        out += fmt::format("{}{{\"name\": \"{}\", \"limit\": {}, \"actual\": {}, \"ok\": {}}}",
                           i ? ", " : "", c.name, value(c.limit), value(c.actual),
                           c.ok ? "true" : "false");
    }
    return out + "]";
}

std::string with_checks_json(const std::string& report_json, const std::vector<Check>& checks) {
    // The report is one object ending "}\n"; the checks go in as its last field.
    std::size_t close = report_json.find_last_of('}');
    if (close == std::string::npos) return report_json;
    std::size_t end = close;
    while (end > 0 && (report_json[end - 1] == '\n' || report_json[end - 1] == ' '))
        --end;
    return report_json.substr(0, end) + ",\n  \"checks\": " + checks_json(checks) + "\n" +
           report_json.substr(close);
}

} // namespace cnnshape
