// The command registry of a migrations binary: what a subcommand is (CommandDef), the exit
// codes commands return (docs/cli.md) and the CommandError that carries one, and
// register_command(), through which parts (lambda, dashboard) add their commands before the
// CLI runs (src/cli owns the built-in ones and run_cli()). Register from main's thread only.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/session.hpp"

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace
class App;
}  // namespace CLI

namespace auric::app {

// Documented exit codes.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,    // a migration failed, or the store failed
  kExitUsage = 2,     // usage or config error
  kExitNotFound = 2,  // you named something that isn't there (id, name, target, prefix): a usage error
  kExitLockHeld = 3,  // another runner holds the lock
  kExitDrift = 4,     // drift or missing migrations (verify, status --exit-code)
  kExitPending = 5,   // pending migrations (status --exit-code)
  // 130 / 143 (128 + SIGINT / SIGTERM): stopped by a signal; suspended, `up` resumes it
};

// The exit codes as documented (help footer, man page, docs/cli.md).
struct ExitCodeDoc {
  const char* codes;
  const char* brief;    // a few words, for the help footer
  const char* meaning;  // one line, for the man page
};
inline constexpr ExitCodeDoc kExitCodeDocs[] = {
    {"0", "ok", "success"},
    {"1", "a migration or the store failed",
     "a migration failed, or the store failed (unreachable, corrupt, lease lost)"},
    {"2", "usage error or not found",
     "usage or config error, and anything named that isn't there: a bad flag, an unknown command, migration, "
     "target or execution id, an ambiguous name or id prefix, a bad config or store URL"},
    {"3", "lock held", "the lock is held by another runner"},
    {"4", "drift or missing migrations", "drift or missing migrations (verify, status --exit-code)"},
    {"5", "pending (status --exit-code)", "pending migrations (status --exit-code)"},
    {"130/143", "stopped by SIGINT/SIGTERM",
     "stopped by SIGINT / SIGTERM: suspended (between migrations or at a checkpoint); the next up continues "
     "it"},
};

// A failure with its exit code and a one-line message; run_cli() prints the message and
// returns the code. (Other exceptions: ConfigError and std::invalid_argument exit 2, the rest 1.)
class CommandError : public std::runtime_error {
 public:
  CommandError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// One subcommand: `setup` declares its options on `sub` and returns the function that runs
// it (returning an exit code). Options bind to state captured by the returned function.
// Its name, description, options and positionals (as set up) are also the source of `--help`,
// the shell completion scripts and the man page (cli/docs_gen.hpp).
struct CommandDef {
  std::string name;
  std::string description;
  bool standalone = false;  // offered by the standalone auric-migrate too
  std::function<std::function<int(Session&)>(CLI::App& sub, const Program& program)> setup;
};

// Adds a command from another part (lambda, dashboard); call before run_cli().
void register_command(CommandDef command);
// The commands added so far, in registration order.
const std::vector<CommandDef>& registered_commands();

}  // namespace auric::app
