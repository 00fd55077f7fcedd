#include "core/plan.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "core/ids.hpp"

namespace auric {

std::vector<std::string> target_matches(const std::vector<std::string>& known_ids,
                                        const std::string& target) {
  if (std::find(known_ids.begin(), known_ids.end(), target) != known_ids.end()) return {target};
  std::vector<std::string> by_name;
  for (const auto& id : known_ids) {
    if (migration_name_of(id) == target) by_name.push_back(id);
  }
  return by_name;
}

std::string resolve_target(const std::vector<std::string>& known_ids, const std::string& target) {
  const std::vector<std::string> by_name = target_matches(known_ids, target);
  if (by_name.size() == 1) return by_name.front();
  if (by_name.empty()) throw PlanError("Target migration not found: " + target);
  std::string list;
  for (const auto& id : by_name) list += (list.empty() ? "" : ", ") + id;
  throw PlanError("Target '" + target + "' is ambiguous: it matches " + list + "; use the full id");
}

void validate_plan_request(const std::vector<std::string>& known_ids, const PlanRequest& request) {
  if (request.steps && !request.target.empty()) {
    throw PlanError("use either --to or --steps, not both");
  }
  if (request.steps && *request.steps < 1) {
    throw PlanError("--steps must be a positive number (got " + std::to_string(*request.steps) + ")");
  }
  if (!request.target.empty()) resolve_target(known_ids, request.target);
}

std::vector<std::string> compute_plan(const std::vector<std::string>& known_ids,
                                      const std::map<std::string, MigrationState>& states,
                                      const PlanRequest& request) {
  validate_plan_request(known_ids, request);
  const std::string target = request.target.empty() ? "" : resolve_target(known_ids, request.target);
  auto applied = [&](const std::string& id) {
    auto it = states.find(id);
    return it != states.end() && it->second.applied;
  };

  std::vector<std::string> plan;
  if (request.direction == Direction::kUp) {
    std::vector<std::string> ids = known_ids;
    std::sort(ids.begin(), ids.end());
    for (const auto& id : ids) {
      if (applied(id)) continue;
      if (!target.empty() && id > target) break;
      plan.push_back(id);
    }
  } else {
    std::vector<const MigrationState*> order;
    for (const auto& id : known_ids) {
      if (applied(id)) order.push_back(&states.at(id));
    }
    // Most recently applied first: later lease (fence) first, then later completion, then
    // higher id (one runner applies in id order, so this also breaks same-millisecond ties).
    std::sort(order.begin(), order.end(), [](const MigrationState* a, const MigrationState* b) {
      return std::make_tuple(a->applied_fence, a->applied_at.value_or(0), a->id) >
             std::make_tuple(b->applied_fence, b->applied_at.value_or(0), b->id);
    });
    for (const MigrationState* s : order) {
      if (!target.empty() && s->id < target) continue;
      plan.push_back(s->id);
    }
    if (target.empty() && !request.steps && plan.size() > 1) plan.resize(1);
  }
  if (request.steps && plan.size() > static_cast<std::size_t>(*request.steps)) {
    plan.resize(static_cast<std::size_t>(*request.steps));
  }
  return plan;
}

StatusReport build_status(const std::vector<KnownMigration>& known, std::vector<MigrationState> states) {
  StatusReport report;
  for (auto& s : states) report.states.emplace(s.id, std::move(s));

  std::string newest_applied;
  for (const auto& [id, s] : report.states) {
    if (s.applied) newest_applied = std::max(newest_applied, id);
  }
  std::set<std::string> known_ids;
  for (const auto& k : known) {
    known_ids.insert(k.id);
    StatusEntry e;
    e.id = k.id;
    auto it = report.states.find(k.id);
    if (it != report.states.end()) {
      const MigrationState& s = it->second;
      e.state = &s;
      e.applied = s.applied;
      e.failed = s.status == RunStatus::kFailed || s.status == RunStatus::kInterrupted;
      e.suspended = s.status == RunStatus::kSuspended;
      e.drift = s.applied && !k.checksum.empty() && !s.checksum.empty() && s.checksum != k.checksum;
    }
    e.out_of_order = !e.applied && !newest_applied.empty() && k.id < newest_applied;
    if (e.applied)
      report.applied.push_back(k.id);
    else
      report.pending.push_back(k.id);
    if (e.failed) report.failed.push_back(k.id);
    if (e.suspended) report.suspended.push_back(k.id);
    if (e.drift) report.drift.push_back(k.id);
    if (e.out_of_order) report.out_of_order.push_back(k.id);
    report.entries.push_back(e);
  }
  for (const auto& [id, s] : report.states) {
    if (known_ids.count(id)) continue;
    const bool failed = s.status == RunStatus::kFailed || s.status == RunStatus::kInterrupted;
    const bool suspended = s.status == RunStatus::kSuspended;
    if (!s.applied && !failed && !suspended) continue;  // rolled back and gone: nothing to report
    StatusEntry e;
    e.id = id;
    e.known = false;
    e.applied = s.applied;
    e.failed = failed;
    e.suspended = suspended;
    e.state = &s;
    report.missing.push_back(id);
    if (failed) report.failed.push_back(id);
    if (suspended) report.suspended.push_back(id);
    report.entries.push_back(e);
  }
  return report;
}

std::string_view view_status(const MigrationState* state) {
  if (!state) return "pending";
  if (state->status == RunStatus::kCompleted)
    return state->direction == Direction::kUp ? "completed" : "rolled_back";
  return to_string(state->status);
}

}  // namespace auric
