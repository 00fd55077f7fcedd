// The safety policy of a run ([safety] in the config, --allow-drift): whether `up`/`down` may
// go ahead when applied migrations drifted, and whether `up` may apply a migration older than
// the newest applied one. check_run_policy is a pure function of the binary's migrations, the
// stored states and the plan, so the runner (under the lease), the dashboard's Run dialog and
// `status` all give the same answer. Thread-safe (no shared state).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/plan.hpp"
#include "core/records.hpp"

namespace auric {

// [safety] order. kStrict (the default, as goose without -allow-missing and Flyway without
// outOfOrder): `up` refuses to apply a pending migration older than the newest applied one.
enum class OrderPolicy { kStrict, kAllowOutOfOrder };
std::string_view to_string(OrderPolicy order);  // "strict", "allow-out-of-order"
// nullopt for any other name.
std::optional<OrderPolicy> order_policy_from(std::string_view name);

struct SafetyPolicy {
  bool allow_drift = false;  // [safety] allow_drift, --allow-drift
  OrderPolicy order = OrderPolicy::kStrict;
};

// Why a run was refused before it started. Nothing is recorded for it (no execution, no run).
struct RunRefusal {
  std::string code;              // "drift" | "out-of-order"
  std::vector<std::string> ids;  // the drifted migrations, or the out-of-order planned ones
  std::string message;           // one paragraph naming the ids and how to proceed
  int exit_code = 4;             // the CLI's exit code (kExitDrift)
};

// The refusal for running `planned` (in plan order) in `direction`, or nullopt when the run
// may go ahead. Drift (any applied migration of the binary whose stored checksum differs
// from the binary's non-empty one) refuses `up` and `down` unless policy.allow_drift; then,
// for `up` under OrderPolicy::kStrict, a planned id older than the newest applied id refuses.
// `states` is keyed by id (as compute_plan takes it).
std::optional<RunRefusal> check_run_policy(const std::vector<KnownMigration>& known,
                                           const std::map<std::string, MigrationState>& states,
                                           Direction direction, const std::vector<std::string>& planned,
                                           const SafetyPolicy& policy);

// The drifted ids among `known` (applied, both checksums non-empty and different), in id order.
std::vector<std::string> drifted_ids(const std::vector<KnownMigration>& known,
                                     const std::map<std::string, MigrationState>& states);

}  // namespace auric
