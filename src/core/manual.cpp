#include "core/manual.hpp"

#include <algorithm>

namespace auric {

std::string_view to_string(ManualOperation operation) {
  switch (operation) {
    case ManualOperation::kBaseline: return "baseline";
    case ManualOperation::kMarkApplied: return "mark applied";
    case ManualOperation::kMarkRolledBack: return "mark rolled-back";
    case ManualOperation::kAcceptChecksum: return "repair --accept-checksum";
  }
  return "baseline";
}

ManualPlan plan_manual(const std::vector<KnownMigration>& known,
                       const std::map<std::string, MigrationState>& states, const ManualRequest& request) {
  std::vector<std::string> ids;
  ids.reserve(known.size());
  for (const auto& k : known) ids.push_back(k.id);
  std::sort(ids.begin(), ids.end());
  auto applied = [&](const std::string& id) {
    const auto it = states.find(id);
    return it != states.end() && it->second.applied;
  };

  ManualPlan plan;
  if (request.operation == ManualOperation::kAcceptChecksum) {
    const std::vector<std::string> drifted = drifted_ids(known, states);
    if (request.target.empty()) {
      plan.ids = drifted;
      if (plan.ids.empty()) plan.note = "no applied migration has drifted";
      return plan;
    }
    const std::string id = resolve_target(ids, request.target);
    if (std::find(drifted.begin(), drifted.end(), id) != drifted.end()) {
      plan.ids = {id};
    } else {
      plan.note = id + (applied(id) ? " has not drifted" : " is not applied");
    }
    return plan;
  }
  if (request.target.empty())
    throw PlanError(std::string(to_string(request.operation)) + " needs a migration");

  if (request.operation == ManualOperation::kMarkRolledBack) {
    // A migration gone from the binary may still be recorded as applied: it can be cleared.
    const bool stored_only =
        states.count(request.target) != 0 && std::find(ids.begin(), ids.end(), request.target) == ids.end();
    const std::string id = stored_only ? request.target : resolve_target(ids, request.target);
    if (applied(id))
      plan.ids = {id};
    else
      plan.note = id + " is not applied";
    return plan;
  }

  const std::string target = resolve_target(ids, request.target);
  if (request.operation == ManualOperation::kMarkApplied) {
    if (applied(target))
      plan.note = target + " is already applied";
    else
      plan.ids = {target};
    return plan;
  }

  // Baseline: nothing after the target may be applied already.
  std::vector<std::string> past;
  for (const auto& [id, s] : states) {
    if (s.applied && id > target) past.push_back(id);
  }
  if (!past.empty()) {
    RunRefusal r;
    r.code = "applied-past-target";
    std::string list;
    for (const auto& id : past) list += (list.empty() ? "" : ", ") + id;
    r.message = "refusing to baseline at " + target + ": " + list + (past.size() == 1 ? " is" : " are") +
                " applied already, after it. A baseline records the migrations up to a point as applied "
                "in a store that has none after it; use `mark applied <id>` for single migrations";
    r.ids = std::move(past);
    plan.refusal = std::move(r);
    return plan;
  }
  for (const auto& id : ids) {
    if (id > target) break;
    if (!applied(id)) plan.ids.push_back(id);
  }
  if (plan.ids.empty()) plan.note = "every migration up to " + target + " is applied already";
  return plan;
}

}  // namespace auric
