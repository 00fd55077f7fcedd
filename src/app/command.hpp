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
  kExitLockHeld = 3,  // another runner holds the lock
  kExitDrift = 4,     // drift or missing migrations (verify, status --exit-code)
  kExitPending = 5,   // pending migrations (status --exit-code)
  // 130 / 143 (128 + SIGINT / SIGTERM): stopped by a signal; suspended, `up` resumes it
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
