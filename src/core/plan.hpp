// Plan computation and status derivation: pure functions of the migrations in the binary and
// the states in the store. Thread-safe (no shared state).
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/records.hpp"

namespace auric {

// A request that cannot be planned (unknown or ambiguous target, bad --steps). The message
// is one line meant for the user.
class PlanError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct PlanRequest {
  Direction direction = Direction::kUp;
  std::string target;        // id or name; empty for none
  std::optional<int> steps;  // at most this many migrations
};

// The ids `target` names: [target] when it is a known id, else every known id whose name part
// equals it (none, one, or several when ambiguous).
std::vector<std::string> target_matches(const std::vector<std::string>& known_ids, const std::string& target);

// Resolves `target` against the known ids: an exact id, else a unique name. Throws PlanError
// `Target migration not found: <t>` or `Target '<t>' is ambiguous: ...`.
std::string resolve_target(const std::vector<std::string>& known_ids, const std::string& target);

// Validates the request against the known ids alone (no store needed): target exists, steps
// positive, not both. Throws PlanError.
void validate_plan_request(const std::vector<std::string>& known_ids, const PlanRequest& request);

// The migrations to run, in run order.
//  up:   not-applied known migrations in id order; --to X: those with id <= X; --steps N: first N.
//  down: applied known migrations, most recently applied first; no target: just the first;
//        --to X: every applied one with id >= X; --steps N: the first N.
// `states` is keyed by id. Throws PlanError (as validate_plan_request).
std::vector<std::string> compute_plan(const std::vector<std::string>& known_ids,
                                      const std::map<std::string, MigrationState>& states,
                                      const PlanRequest& request);

struct StatusEntry {
  std::string id;
  bool known = true;  // in this binary
  bool applied = false;
  bool failed = false;                    // latest run failed or was interrupted
  bool suspended = false;                 // latest run saved a checkpoint and stopped (resumable)
  bool drift = false;                     // applied with a checksum different from the binary's
  bool out_of_order = false;              // pending, but older than the newest applied migration
  const MigrationState* state = nullptr;  // into StatusReport::states; null if never run
};

// Move-only: entries point into `states`.
struct StatusReport {
  StatusReport() = default;
  StatusReport(StatusReport&&) = default;
  StatusReport& operator=(StatusReport&&) = default;
  StatusReport(const StatusReport&) = delete;
  StatusReport& operator=(const StatusReport&) = delete;

  std::map<std::string, MigrationState> states;
  std::vector<StatusEntry> entries;  // known migrations in id order, then missing ones
  std::vector<std::string> applied, pending, failed, suspended, missing, out_of_order, drift;
  // pending: known, not applied (includes failed and suspended ups, like the reference's status()).
  // failed: any recorded id whose latest run failed or was interrupted.
  // suspended: any recorded id whose latest run was suspended at a checkpoint (not a failure).
  // missing: applied or failed in the store but absent from the binary.
};

struct KnownMigration {
  std::string id;
  std::string checksum;  // empty when unknown: never reported as drift
};

StatusReport build_status(const std::vector<KnownMigration>& known, std::vector<MigrationState> states);

// The one status word shown for a migration by the CLI and the API, from its state (null:
// never run): "pending", "completed", "rolled_back", "failed", "interrupted", "suspended" or
// "running".
std::string_view view_status(const MigrationState* state);

}  // namespace auric
