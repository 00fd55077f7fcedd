// The command set shared by every binary (docs/cli.md). run_cli() parses argv, runs one
// command and returns its exit code; errors are caught here and become one-line messages.
// Other parts (lambda, dashboard) add commands through register_command() before run_cli().
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <auric/migrations.hpp>

#include "cli/config.hpp"
#include "core/runner.hpp"
#include "core/store.hpp"

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace
class App;
}  // namespace CLI

namespace auric::cli {

// Documented exit codes.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,    // a migration failed, or the store failed
  kExitUsage = 2,     // usage or config error
  kExitLockHeld = 3,  // another runner holds the lock
  kExitDrift = 4,     // drift or missing migrations (verify, status --exit-code)
  kExitPending = 5,   // pending migrations (status --exit-code)
  // 130 / 143 (128 + SIGINT / SIGTERM): stopped by a signal; suspended, `up` resumes it
};

// A failure with its exit code and a one-line message (caught once in run_cli).
class CliError : public std::runtime_error {
 public:
  CliError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// What this binary is: the user's migrations binary (migrations known) or the standalone tool.
struct Program {
  std::string name = "auric-migrate";
  bool standalone = true;                  // no migrations compiled in
  std::vector<MigrationEntry> migrations;  // the binary's migrations (empty when standalone)
  std::function<std::any(const Json&)> make_user_context;
};

// Everything a command needs, created lazily: the config and the store.
class Session {
 public:
  Session(const Program& program, const ConfigOverrides& overrides, bool json)
      : program_(program), overrides_(overrides), json_(json) {}
  const Program& program() const { return program_; }
  bool json() const { return json_; }
  const Config& config();
  // Opens the configured store (once). Throws CliError(kExitUsage) for a bad URL and
  // CliError(kExitFailed) when the store cannot be opened.
  Store& store();
  // The migrations this command knows: compiled in, or (standalone) files on disk with
  // their checksums and no code.
  const std::vector<MigrationEntry>& migrations();

 private:
  const Program& program_;
  const ConfigOverrides& overrides_;
  bool json_;
  std::optional<Config> config_;
  std::unique_ptr<Store> store_;
  std::optional<std::vector<MigrationEntry>> migrations_;
};

// One subcommand: `setup` declares its options on `sub` and returns the function that runs
// it (returning an exit code). Options bind to state captured by the returned function.
struct CommandDef {
  std::string name;
  std::string description;
  bool standalone = false;  // offered by the standalone auric-migrate too
  std::function<std::function<int(Session&)>(CLI::App& sub, const Program& program)> setup;
};

// Adds a command from another part (lambda, dashboard); call before run_cli().
void register_command(CommandDef command);
// The built-in commands (cli/commands.cpp).
std::vector<CommandDef> builtin_commands();

int run_cli(int argc, char** argv, const Program& program);

// Migration files on disk (`<dir>/YYYYMMDDHHMMSS_<name>.cpp`), sorted, with checksums.
// Throws CliError when the folder does not exist.
std::vector<MigrationEntry> migrations_on_disk(const std::string& dir);

// RunnerOptions from the configuration, shared by every way of running (CLI, dashboard,
// Lambda, Fargate): lease and heartbeat, wait timeout, the [context] table, the user context
// factory, the client behind ctx.dynamodb(), the SIGINT/SIGTERM stop flag, and progress lines
// on stderr (print_run_event) for `direction`.
RunnerOptions runner_options(const Config& config, const Program& program, Direction direction);
// One progress line on stderr: `[migrations] Running up: <id>`, `Completed up: <id> (12ms)`...
void print_run_event(const RunEvent& event, Direction direction);

// `text` as a whole number >= `min`, or nullopt when it is not one (no sign games, no suffix).
std::optional<long long> parse_whole_number(const std::string& text, long long min);

// Prints JSON to stdout (pretty, 2 spaces).
void print_json(const Json& value);

}  // namespace auric::cli
