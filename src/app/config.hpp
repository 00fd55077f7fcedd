// The resolved configuration of one invocation (a CLI command, a Lambda function, a Fargate
// task, the dashboard): migrate.config.toml (with its [env.NAME] sections), then
// AURIC_MIGRATE_* environment variables, then command-line flags, in increasing precedence.
// Loading is pure apart from reading the file; thread-compatible.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include <auric/migrations.hpp>

#include "app/env.hpp"
#include "core/lease.hpp"
#include "core/policy.hpp"

namespace auric::app {

// A bad config file, unknown key, wrong type or unknown --env. One line; exit code 2.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Config {
  std::string source;  // the file read, or "" when none
  std::string env;     // the [env.NAME] applied, or ""
  std::string store;   // store URL
  std::string migrations_dir = "migrations";
  std::chrono::seconds lock_ttl = std::chrono::duration_cast<std::chrono::seconds>(kDefaultLeaseTtl);
  std::chrono::seconds heartbeat = std::chrono::duration_cast<std::chrono::seconds>(kDefaultHeartbeat);
  std::chrono::seconds wait_timeout{600};
  std::chrono::seconds stop_margin{60};  // Lambda: hand over when this much time is left
  int max_hops = 100;                    // Lambda: continuation limit
  Json context = Json::object();         // [context], merged with [env.NAME.context]
  // [backfill] workers (or the deprecated [context] backfill_workers), validated: "threads:N",
  // "lambda:N" or "fargate:N"; "" when unset. When set it is also context["backfill_workers"],
  // where ctx.backfill reads it.
  std::string backfill_workers;
  SafetyPolicy safety;  // [safety]: allow_drift, order (--allow-drift overrides)
};

struct ConfigOverrides {
  std::optional<std::string> config_path;  // -c/--config
  std::optional<std::string> env;          // --env
  std::optional<std::string> store;        // --store
};

// Resolves the configuration. A missing default file (./migrate.config.toml) is fine; a
// missing file named with -c or AURIC_MIGRATE_CONFIG is a ConfigError.
Config load_config(const ConfigOverrides& overrides, const EnvLookup& env = process_env);

// Parses config text (for tests). `source` names it in messages.
Config parse_config(const std::string& text, const std::string& source,
                    const std::optional<std::string>& env_name);

}  // namespace auric::app
