// run_cli(): global options, the subcommands, and the one place where errors become exit codes.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <regex>
#include <sstream>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "core/plan.hpp"
#include "core/record_json.hpp"

#ifndef AURIC_VERSION
#define AURIC_VERSION "0.0.0"
#endif

namespace auric::cli {
namespace {

std::vector<CommandDef>& extra_commands() {
  static std::vector<CommandDef> commands;
  return commands;
}

}  // namespace

void register_command(CommandDef command) {
  extra_commands().push_back(std::move(command));
}

const Config& Session::config() {
  if (!config_) config_ = load_config(overrides_);
  return *config_;
}

Store& Session::store() {
  if (!store_) {
    const std::string url = config().store;
    try {
      store_ = open_store(url);
    } catch (const std::invalid_argument& e) {
      throw CliError(kExitUsage, e.what());
    } catch (const StoreError& e) {
      throw CliError(kExitFailed, e.what());
    }
  }
  return *store_;
}

const std::vector<MigrationEntry>& Session::migrations() {
  if (!migrations_) {
    if (program_.standalone) {
      migrations_ = migrations_on_disk(config().migrations_dir);
    } else {
      migrations_ = program_.migrations;
    }
  }
  return *migrations_;
}

std::vector<MigrationEntry> migrations_on_disk(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw CliError(kExitUsage, "migrations directory does not exist: " + fs::absolute(dir).string() +
                                   " (set migrations_dir in migrate.config.toml, or run `create` first)");
  }
  static const std::regex file_pattern(R"(^(\d{14})_(.+)\.cpp$)");
  std::vector<MigrationEntry> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    if (!entry.is_regular_file() || !std::regex_match(file, file_pattern)) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    MigrationEntry m;
    m.id = entry.path().stem().string();
    m.checksum = source_checksum(text.str());
    m.migration.name = entry.path().string();  // standalone: the name carries the path
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

void print_json(const Json& value) {
  std::cout << value.dump(2) << std::endl;
}

int run_cli(int argc, char** argv, const Program& program) {
  CLI::App app{program.standalone
                   ? "auric-migrate: inspect migration state in any store, and create migrations"
                   : program.name + ": run and inspect this project's migrations"};
  app.name(program.name);
  app.set_version_flag("--version", std::string(program.name) + " " + AURIC_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(
      "Exit codes: 0 ok, 1 a migration or the store failed, 2 usage or config error, 3 lock held,\n"
      "4 drift or missing migrations, 5 pending (status --exit-code). Docs: docs/cli.md");

  ConfigOverrides overrides;
  bool json = false;
  std::string config_path, env_name, store_url;
  app.add_option("-c,--config", config_path,
                 "config file (default ./migrate.config.toml; env AURIC_MIGRATE_CONFIG)");
  app.add_option("--env", env_name, "apply the [env.NAME] section of the config (env AURIC_MIGRATE_ENV)");
  app.add_option("--store", store_url,
                 "store URL: sqlite:PATH, memory:, dynamodb:TABLE?region=R (env AURIC_MIGRATE_STORE)");
  app.add_flag("--json", json, "machine-readable JSON on stdout (docs/cli.md#json)");

  std::vector<std::pair<CLI::App*, std::function<int(Session&)>>> commands;
  std::vector<CommandDef> defs = builtin_commands();
  defs.insert(defs.end(), extra_commands().begin(), extra_commands().end());
  for (const auto& def : defs) {
    if (program.standalone && !def.standalone) continue;
    CLI::App* sub = app.add_subcommand(def.name, def.description);
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
      return kExitUsage;
    }
    break;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (!config_path.empty()) overrides.config_path = config_path;
  if (!env_name.empty()) overrides.env = env_name;
  if (!store_url.empty()) overrides.store = store_url;

  Session session(program, overrides, json);
  int code = kExitFailed;
  try {
    for (auto& [sub, run] : commands) {
      if (sub->parsed()) return run(session);
    }
    return kExitUsage;
  } catch (const std::exception& e) {
    // The one place errors become exit codes: usage and config mistakes are 2, the rest 1.
    if (const auto* cli_error = dynamic_cast<const CliError*>(&e))
      code = cli_error->code();
    else if (dynamic_cast<const ConfigError*>(&e) || dynamic_cast<const std::invalid_argument*>(&e))
      code = kExitUsage;
    std::cerr << "error: " << e.what() << std::endl;
  }
  return code;
}

}  // namespace auric::cli
