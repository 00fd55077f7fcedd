// Manual state changes: what `baseline`, `mark applied`, `mark rolled-back` and
// `repair --accept-checksum` change, as a pure plan over the binary's migrations and the
// stored states (the runner performs it under the lease: MigrationRunner::manual). No
// migration body runs; each change is recorded as a run of kind `manual`. Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/plan.hpp"
#include "core/policy.hpp"
#include "core/records.hpp"

namespace auric {

enum class ManualOperation {
  kBaseline,        // every known migration up to and including the target becomes applied
  kMarkApplied,     // the target becomes applied
  kMarkRolledBack,  // the target becomes not applied
  kAcceptChecksum,  // the target (empty: every drifted one) keeps its state with the binary's checksum
};
// "baseline", "mark applied", "mark rolled-back", "repair --accept-checksum"
std::string_view to_string(ManualOperation operation);

struct ManualRequest {
  ManualOperation operation = ManualOperation::kBaseline;
  std::string target;  // id or unique name; empty only for kAcceptChecksum (every drifted one)
  std::string reason;  // recorded on the execution and each run
  bool dry_run = false;
};

struct ManualPlan {
  std::vector<std::string> ids;       // the migrations whose state changes, in id order
  std::optional<RunRefusal> refusal;  // set: nothing may change (ids empty)
  std::string note;                   // why nothing changes when ids is empty ("already applied")
};

// The plan of `request`. Throws PlanError for a missing, unknown or ambiguous target.
// baseline T refuses (code "applied-past-target") when a migration with an id after T is
// applied; mark rolled-back also accepts the exact id of a migration missing from the binary.
ManualPlan plan_manual(const std::vector<KnownMigration>& known,
                       const std::map<std::string, MigrationState>& states, const ManualRequest& request);

}  // namespace auric
