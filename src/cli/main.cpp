// cnnshape: a thin CLI over the shape engine. Subcommands register themselves (commands.hpp).
#include "cnnshape/error.hpp"
#include "cnnshape/version.hpp"
#include "commands.hpp"
#include <algorithm>
#include <cctype>
#include <iostream>
#include <new>

namespace cnnshape::cli {
std::vector<CommandEntry>& command_registry() {
    static std::vector<CommandEntry> r;
    return r;
}

namespace {

// Edit distance counting a swap of neighbours as one edit ("plna" -> "plan": 1).
std::size_t edits(const std::string& a, const std::string& b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                                d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

std::string strip_dashes(const std::string& s) {
    std::size_t i = s.find_first_not_of('-');
    return i == std::string::npos ? "" : s.substr(i);
}

// What the user probably meant by `wrong`: the one name it is a prefix of ("--max-param" ->
// "--max-params"), else the longest name that is a prefix of it ("--inputs" -> "--input"), else
// the closest within two edits ("--inptu" -> "--input"). Several names it is a prefix of are all
// given ("--max" -> "--max-params', '--max-macs' or '--max-memory"); "" when nothing is close.
std::string suggestion(const std::string& wrong, const std::vector<std::string>& names) {
    const std::string w = strip_dashes(wrong);
    if (w.empty()) return "";
    std::vector<std::string> longer;
    std::string shorter;
    for (auto& n : names) {
        std::string m = strip_dashes(n);
        if (w.size() >= 2 && m.size() > w.size() && m.compare(0, w.size(), w) == 0)
            longer.push_back(n);
        if (m.size() >= 2 && m.size() < w.size() && w.compare(0, m.size(), m) == 0 &&
            m.size() > strip_dashes(shorter).size())
            shorter = n;
    }
    if (!longer.empty()) {
        std::string s = longer[0];
        for (std::size_t i = 1; i < longer.size(); ++i)
            s += (i + 1 == longer.size() ? "' or '" : "', '") + longer[i];
        return s;
    }
    if (!shorter.empty()) return shorter;
    std::string best;
    if (w.size() < 3) return "";                // "-x": any one letter is one edit away
    std::size_t best_d = w.size() == 3 ? 2 : 3; // at most 1 edit for 3 letters, else 2
    for (auto& n : names) {
        std::size_t d = edits(w, strip_dashes(n));
        if (d < best_d) best_d = d, best = n;
    }
    return best;
}

std::string did_you_mean(const std::string& wrong, const std::vector<std::string>& names) {
    std::string s = suggestion(wrong, names);
    return s.empty() ? "" : "; did you mean '" + s + "'?";
}

std::vector<CLI::App*> commands_of(CLI::App& app) {
    return app.get_subcommands([](CLI::App*) { return true; });
}

CLI::App* find_command(CLI::App& app, const std::string& name) {
    for (auto* c : commands_of(app))
        if (c->get_name() == name) return c;
    return nullptr;
}

std::vector<std::string> command_names(CLI::App& app) {
    std::vector<std::string> names;
    for (auto* c : commands_of(app))
        names.push_back(c->get_name());
    names.push_back("help");
    return names;
}

// Every option name --help shows for `app` ("--input", "-i"), hidden ones left out.
std::vector<std::string> option_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::Option* o : app.get_options()) {
        if (o->get_group().empty()) continue;
        for (auto& l : o->get_lnames())
            names.push_back("--" + l);
        for (auto& s : o->get_snames())
            names.push_back("-" + s);
    }
    return names;
}

bool known_option(const CLI::App& app, const std::string& token) {
    std::string name = token.substr(0, token.find('='));
    if (name.size() > 2 && name[1] != '-') name = name.substr(0, 2); // -fjson
    for (const CLI::Option* o : app.get_options())
        if (o->check_name(name)) return true;
    return false;
}

bool looks_like_option(const std::string& t) {
    if (t.size() < 2 || t[0] != '-') return false;
    return !(std::isdigit(static_cast<unsigned char>(t[1])) || t[1] == '.'); // -1, -.5
}

// "cnnshape: MESSAGE" with CLI11's capital letter lowered, as our other messages are written.
void print_cli_error(std::string message, const std::string& command) {
    if (message.size() > 1 && std::isupper(static_cast<unsigned char>(message[0])) &&
        std::islower(static_cast<unsigned char>(message[1])))
        message[0] = char(std::tolower(static_cast<unsigned char>(message[0])));
    std::cerr << "cnnshape: " << message << "\n"
              << "Run 'cnnshape " << (command.empty() ? "" : command + " ")
              << "--help' for the options.\n";
}

// `cnnshape` alone: what it does and its commands, on stderr.
void print_short_usage(CLI::App& app) {
    std::cerr << "cnnshape: a command is required\n\n"
              << "Usage: cnnshape COMMAND [OPTIONS]\n\nCommands:\n";
    std::size_t width = 0;
    for (auto* c : commands_of(app))
        width = std::max(width, c->get_name().size());
    for (auto* c : commands_of(app))
        std::cerr << "  " << c->get_name() << std::string(width + 2 - c->get_name().size(), ' ')
                  << c->get_description() << "\n";
    std::cerr << "\n'cnnshape COMMAND --help' shows a command's options; 'cnnshape --help' also "
                 "lists the exit codes.\n";
}

} // namespace
} // namespace cnnshape::cli

int main(int argc, char** argv) {
    using namespace cnnshape::cli;
    CLI::App app{"cnnshape: PyTorch-exact output shapes, parameter counts and costs of CNN layers",
                 "cnnshape"};
    app.set_version_flag("-V,--version", std::string("cnnshape ") + CNNSHAPE_VERSION);
    app.require_subcommand(1);
    app.footer(std::string(exit_codes_help()) + "\n\nSee 'cnnshape <command> --help'.");
    auto entries = command_registry();
    // By order, then by name (explain and run share 20): the same whatever order the
    // registrations ran in (the CLI files are compiled as unity batches).
    std::sort(entries.begin(), entries.end(), [](const CommandEntry& a, const CommandEntry& b) {
        return a.order != b.order ? a.order < b.order : a.name < b.name;
    });
    std::vector<std::string> args(argv + 1, argv + argc);
    // Setting up every command's options is most of the start-up time, so only what this command
    // line can reach is set up: the command when it comes first ("plan ..."; its --help and errors
    // do not mention the others), nothing for a lone --version, else everything (the top-level
    // --help and usage list every command; a misspelt one is compared with them all).
    const bool lone_version = args.size() == 1 && (args[0] == "--version" || args[0] == "-V");
    const CommandEntry* only = nullptr;
    if (!args.empty())
        for (auto& e : entries)
            if (e.name == args[0]) only = &e;
    std::vector<std::pair<std::string, Runner>> runners;
    for (auto& e : entries)
        if (!lone_version && (!only || only == &e)) runners.emplace_back(e.name, e.setup(app));

    if (args.empty()) {
        print_short_usage(app);
        return kUsage;
    }
    // The command is the first word that is not an option (the top level has no option taking a
    // value). `help [COMMAND]` is `[COMMAND] --help`.
    auto first = std::find_if(args.begin(), args.end(),
                              [](const std::string& a) { return a.empty() || a[0] != '-'; });
    if (first != args.end() && *first == "help") {
        std::vector<std::string> rest(first + 1, args.end());
        args = {};
        if (!rest.empty()) args.push_back(rest[0]);
        args.push_back("--help");
        first = args.begin();
        if (args.size() == 1) first = args.end();
    }
    std::string command;
    if (first != args.end()) {
        if (!find_command(app, *first)) {
            std::cerr << "cnnshape: unknown command '" << *first << "'"
                      << did_you_mean(*first, command_names(app)) << "\n"
                      << "Run 'cnnshape --help' for the commands.\n";
            return kUsage;
        }
        command = *first;
    } else {
        // No command: an unknown option is named before CLI11 asks for a command.
        for (auto& a : args)
            if (a == "--") {
                break;
            } else if (looks_like_option(a) && !known_option(app, a)) {
                std::string name = a.substr(0, a.find('='));
                print_cli_error(
                    "unknown option '" + name + "'" + did_you_mean(name, option_names(app)), "");
                return kUsage;
            }
    }

    try {
        std::vector<std::string> reversed(args.rbegin(), args.rend()); // CLI11 takes them so
        app.parse(reversed);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);
        if (command.empty() && dynamic_cast<const CLI::RequiredError*>(&e)) {
            print_short_usage(app); // only options, no command
            return kUsage;
        }
        CLI::App* sub = command.empty() ? nullptr : find_command(app, command);
        const CLI::App& scope = sub ? *sub : app;
        if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
            // Name each unknown option, with what it probably meant; the words after it are
            // likely its value, so they are not reported on their own.
            bool named = false;
            auto start =
                command.empty() ? args.begin() : std::find(args.begin(), args.end(), command) + 1;
            for (auto it = start; it != args.end(); ++it) {
                if (*it == "--") break;
                if (!looks_like_option(*it) || known_option(scope, *it)) continue;
                std::string name = it->substr(0, it->find('='));
                if (std::string(e.what()).find(name) == std::string::npos) continue;
                print_cli_error("unknown option '" + name + "'" +
                                    did_you_mean(name, option_names(scope)),
                                command);
                named = true;
                break;
            }
            if (named) return kUsage;
        }
        print_cli_error(e.what(), command);
        return kUsage;
    }
    // Commands report their own errors (run_guarded); this is the net under them, so nothing
    // ends in abort().
    try {
        for (auto& [name, run] : runners)
            if (app.got_subcommand(name)) return run();
    } catch (const cnnshape::SpecError& e) {
        std::cerr << "cnnshape: spec error at " << e.full() << "\n";
        return kUsage;
    } catch (const cnnshape::UsageError& e) {
        std::cerr << "cnnshape: " << e.what() << "\n";
        return kUsage;
    } catch (const cnnshape::LayerError& e) {
        std::cerr << "cnnshape: " << e.what() << "\n";
        return kInvalidNetwork;
    } catch (const cnnshape::ShapeError& e) {
        std::cerr << "cnnshape: " << e.what() << "\n";
        return kInvalidNetwork;
    } catch (const cnnshape::ResourceError& e) {
        std::cerr << "cnnshape: " << e.what() << "\n";
        return kResourceLimit;
    } catch (const std::bad_alloc&) {
        std::cerr << "cnnshape: out of memory\n";
        return kResourceLimit;
    } catch (const std::exception& e) {
        std::cerr << "cnnshape: internal error: " << e.what()
                  << " (this is a bug in cnnshape; please report it)\n";
        return kInternalError;
    }
    print_short_usage(app);
    return kUsage;
}
