// What one invocation of a migrations binary works with, whichever part serves it (a CLI
// command, the Lambda runtime, a Fargate task, the dashboard): the Program (which binary, which
// migrations) and the Session, which loads the config and opens the store on first use.
// Not thread-safe: one Session per invocation, used from one thread.
#pragma once

#include <any>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <auric/migrations.hpp>

#include "app/config.hpp"
#include "core/store.hpp"

namespace auric::app {

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
  // Loads the config (once). Throws ConfigError.
  const Config& config();
  // Opens the configured store (once). Throws std::invalid_argument for a bad URL and
  // StoreError when the store cannot be opened.
  Store& store();
  // The migrations this command knows: compiled in, or (standalone) files on disk with
  // their checksums and no code. Throws ConfigError when the standalone folder is missing.
  const std::vector<MigrationEntry>& migrations();

 private:
  const Program& program_;
  const ConfigOverrides& overrides_;
  bool json_;
  std::optional<Config> config_;
  std::unique_ptr<Store> store_;
  std::optional<std::vector<MigrationEntry>> migrations_;
};

// Migration files on disk (`<dir>/YYYYMMDDHHMMSS_<name>.cpp`), sorted, with checksums.
// Throws ConfigError when the folder does not exist.
std::vector<MigrationEntry> migrations_on_disk(const std::string& dir);

}  // namespace auric::app
