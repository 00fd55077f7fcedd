// run_cli(): global options, the subcommands, and the one place where errors become exit codes.
// Every usage error is one `error: ...` line (plus a pointer to --help) and exit 2.
#include <iostream>
#include <regex>

#include "app/config.hpp"
#include "cli/app_tree.hpp"
#include "cli/cli.hpp"
#include "cli/docs_gen.hpp"
#include "cli/resolve.hpp"

#ifndef AURIC_VERSION
#define AURIC_VERSION "0.0.0"
#endif

namespace auric::cli {

void print_json(const Json& value) {
  std::cout << value.dump(2) << std::endl;
}

namespace {

// CLI11's help, plus the global options on every subcommand's help (they are accepted there too).
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_footer(const CLI::App* app) const override {
    std::string globals;
    if (const CLI::App* root = app->get_parent(); root && !app->get_name().empty()) {
      globals = make_group("Global options (before or after the command)", false, global_options(*root));
      if (globals.starts_with("\n")) globals.erase(0, 1);
      globals += "\n";
    }
    return globals + CLI::Formatter::make_footer(app);
  }
};

std::string exit_code_footer() {
  std::string out = "Exit codes:";
  std::size_t line = out.size();
  for (const auto& e : app::kExitCodeDocs) {
    const std::string item = std::string(e.codes) + " " + e.brief + ",";
    if (line + item.size() + 1 > 96) {
      out += "\n";
      line = 0;
    } else {
      out += " ";
      ++line;
    }
    out += item;
    line += item.size();
  }
  out.back() = '.';
  return out + " Docs: docs/cli.md";
}

// The names of the visible commands, comma-separated.
std::string command_names(const AppTree& tree) {
  std::string names;
  for (const auto& [sub, run] : tree.commands) {
    if (!sub->get_group().empty()) names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return names;
}

// The first word of argv that is not an option or a global option's value; empty if none.
std::string command_word(int argc, char** argv, const AppTree& tree) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool takes_value = false;
    for (const CLI::Option* o : global_options(tree.app)) {
      // A flag (--json) may take an optional value (--json=true) but never the next word.
      if (o->get_items_expected_min() > 0 && o->check_name(arg)) takes_value = true;
    }
    if (takes_value) {
      ++i;
      continue;
    }
    if (arg.empty() || arg[0] == '-') continue;
    return arg;
  }
  return "";
}

// The usage message for a CLI11 parse error, in our words where CLI11's are unclear.
std::string usage_message(const CLI::ParseError& e, const AppTree& tree, CLI::App* command) {
  std::string what = e.what();
  std::smatch m;
  static const std::regex missing_value(R"(^(\S+): \d+ required \S+ missing$)");
  if (std::regex_match(what, m, missing_value)) return m[1].str() + " needs a value";
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    std::vector<std::string> extras = tree.app.remaining(true);
    if (extras.empty()) return what;
    const std::string& first = extras.front();
    if (!first.starts_with("-")) {
      return "unexpected argument '" + first + "'" + (command ? " for '" + command->get_name() + "'" : "");
    }
    std::vector<std::string> known;
    const auto add = [&](const CLI::App& app) {
      for (const CLI::Option* o : app.get_options()) {
        for (const auto& l : o->get_lnames()) known.push_back("--" + l);
      }
    };
    add(tree.app);
    if (command) add(*command);
    const std::string option = first.substr(0, first.find('='));
    return "unknown option '" + option + "'" + (command ? " for '" + command->get_name() + "'" : "") +
           did_you_mean(suggestions(option, known, 2));
  }
  if (dynamic_cast<const CLI::RequiredError*>(&e) && what.find("subcommand") != std::string::npos) {
    return "no command given (commands: " + command_names(tree) + ")";
  }
  return what;
}

}  // namespace

std::vector<const CLI::Option*> global_options(const CLI::App& root) {
  return root.get_options([&root](const CLI::Option* o) {
    return o != root.get_help_ptr() && o != root.get_version_ptr() && o->nonpositional();
  });
}

std::unique_ptr<AppTree> build_app_tree(const app::Program& program, bool documentation) {
  auto tree = std::make_unique<AppTree>();
  CLI::App& cli_app = tree->app;
  cli_app.description(program.standalone
                          ? "auric-migrate: inspect migration state in any store, and create migrations"
                          : program.name + ": run and inspect this project's migrations");
  cli_app.name(program.name);
  cli_app.formatter(std::make_shared<HelpFormatter>());
  cli_app.set_version_flag("--version", std::string(program.name) + " " + AURIC_VERSION);
  cli_app.require_subcommand(1);
  cli_app.fallthrough();
  cli_app.footer(exit_code_footer());

  GlobalFlags& g = tree->flags;
  cli_app
      .add_option("-c,--config", g.config_path,
                  "config file (default ./migrate.config.toml; env AURIC_MIGRATE_CONFIG)")
      ->type_name("PATH");
  cli_app
      .add_option("--env", g.env_name, "apply the [env.NAME] section of the config (env AURIC_MIGRATE_ENV)")
      ->type_name("NAME");
  cli_app
      .add_option("--store", g.store_url,
                  "store URL: sqlite:PATH, memory:, dynamodb:TABLE?region=R (env AURIC_MIGRATE_STORE)")
      ->type_name("URL");
  cli_app.add_flag("--json", g.json, "machine-readable JSON on stdout (docs/cli.md#json)");

  std::vector<app::CommandDef> defs = builtin_commands();
  defs.insert(defs.end(), app::registered_commands().begin(), app::registered_commands().end());
  for (auto& def : docs_commands()) defs.push_back(std::move(def));
  for (const auto& def : defs) {
    const bool offered = !program.standalone || def.standalone;
    if (!offered && !documentation) continue;
    CLI::App* sub =
        cli_app.add_subcommand(def.name, offered ? def.description : def.description + kMigrationsBinaryOnly);
    tree->commands.emplace_back(sub, def.setup(*sub, program));
  }
  return tree;
}

int run_cli(int argc, char** argv, const app::Program& program) {
  const auto tree = build_app_tree(program);
  CLI::App& cli_app = tree->app;
  const std::string word = command_word(argc, argv, *tree);
  CLI::App* command = nullptr;
  std::vector<std::string> names;
  for (const auto& [sub, run] : tree->commands) {
    if (sub->get_name() == word) command = sub;
    if (!sub->get_group().empty()) names.push_back(sub->get_name());
  }
  // An unknown command gets a message naming the commands (CLI11 would say that one is required).
  if (!word.empty() && !command) {
    std::cerr << "error: unknown command '" << word << "'" << did_you_mean(suggestions(word, names, 2))
              << " (commands: " << command_names(*tree) << "; see --help)" << std::endl;
    return app::kExitUsage;
  }

  try {
    cli_app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0)
      return cli_app.exit(e) == 0 ? app::kExitOk : app::kExitUsage;  // --help, --version
    std::cerr << "error: " << usage_message(e, *tree, command) << "\nRun `" << program.name
              << (command ? " " + command->get_name() : std::string()) << " --help` for more information."
              << std::endl;
    return app::kExitUsage;
  }
  app::ConfigOverrides overrides;
  if (!tree->flags.config_path.empty()) overrides.config_path = tree->flags.config_path;
  if (!tree->flags.env_name.empty()) overrides.env = tree->flags.env_name;
  if (!tree->flags.store_url.empty()) overrides.store = tree->flags.store_url;

  app::Session session(program, overrides, tree->flags.json);
  int code = app::kExitFailed;
  try {
    for (auto& [sub, run] : tree->commands) {
      if (sub->parsed()) return run(session);
    }
    return app::kExitUsage;
  } catch (const std::exception& e) {
    // The one place errors become exit codes: usage and config mistakes are 2, the rest 1.
    if (const auto* command_error = dynamic_cast<const app::CommandError*>(&e))
      code = command_error->code();
    else if (dynamic_cast<const app::ConfigError*>(&e) || dynamic_cast<const std::invalid_argument*>(&e))
      code = app::kExitUsage;
    std::cerr << "error: " << e.what() << std::endl;
  }
  return code;
}

}  // namespace auric::cli
