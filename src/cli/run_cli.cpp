// run_cli(): global options, the subcommands, and the one place where errors become exit codes.
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/config.hpp"
#include "cli/cli.hpp"

#ifndef AURIC_VERSION
#define AURIC_VERSION "0.0.0"
#endif

namespace auric::cli {

void print_json(const Json& value) {
  std::cout << value.dump(2) << std::endl;
}

int run_cli(int argc, char** argv, const app::Program& program) {
  CLI::App cli_app{program.standalone
                       ? "auric-migrate: inspect migration state in any store, and create migrations"
                       : program.name + ": run and inspect this project's migrations"};
  cli_app.name(program.name);
  cli_app.set_version_flag("--version", std::string(program.name) + " " + AURIC_VERSION);
  cli_app.require_subcommand(1);
  cli_app.fallthrough();
  cli_app.footer(
      "Exit codes: 0 ok, 1 a migration or the store failed, 2 usage or config error, 3 lock held,\n"
      "4 drift or missing migrations, 5 pending (status --exit-code). Docs: docs/cli.md");

  app::ConfigOverrides overrides;
  bool json = false;
  std::string config_path, env_name, store_url;
  cli_app.add_option("-c,--config", config_path,
                     "config file (default ./migrate.config.toml; env AURIC_MIGRATE_CONFIG)");
  cli_app.add_option("--env", env_name, "apply the [env.NAME] section of the config (env AURIC_MIGRATE_ENV)");
  cli_app.add_option("--store", store_url,
                     "store URL: sqlite:PATH, memory:, dynamodb:TABLE?region=R (env AURIC_MIGRATE_STORE)");
  cli_app.add_flag("--json", json, "machine-readable JSON on stdout (docs/cli.md#json)");

  std::vector<std::pair<CLI::App*, std::function<int(app::Session&)>>> commands;
  std::vector<app::CommandDef> defs = builtin_commands();
  defs.insert(defs.end(), app::registered_commands().begin(), app::registered_commands().end());
  for (const auto& def : defs) {
    if (program.standalone && !def.standalone) continue;
    CLI::App* sub = cli_app.add_subcommand(def.name, def.description);
    commands.emplace_back(sub, def.setup(*sub, program));
  }

  // An unknown command gets a message naming the commands (CLI11 would only say that one
  // is required).
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-c" || arg == "--config" || arg == "--env" || arg == "--store") {
      ++i;
      continue;
    }
    if (arg.empty() || arg[0] == '-') continue;
    bool known = false;
    std::string names;
    for (const auto& [sub, run] : commands) {
      known = known || sub->get_name() == arg;
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      std::cerr << "error: unknown command '" << arg << "' (commands: " << names << "; see --help)"
                << std::endl;
      return app::kExitUsage;
    }
    break;
  }

  try {
    cli_app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = cli_app.exit(e);
    return rc == 0 ? app::kExitOk : app::kExitUsage;
  }
  if (!config_path.empty()) overrides.config_path = config_path;
  if (!env_name.empty()) overrides.env = env_name;
  if (!store_url.empty()) overrides.store = store_url;

  app::Session session(program, overrides, json);
  int code = app::kExitFailed;
  try {
    for (auto& [sub, run] : commands) {
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
