#include "core/policy.hpp"

#include <algorithm>

namespace auric {
namespace {

std::string join(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

}  // namespace

std::string_view to_string(OrderPolicy order) {
  return order == OrderPolicy::kStrict ? "strict" : "allow-out-of-order";
}

std::optional<OrderPolicy> order_policy_from(std::string_view name) {
  if (name == "strict") return OrderPolicy::kStrict;
  if (name == "allow-out-of-order") return OrderPolicy::kAllowOutOfOrder;
  return std::nullopt;
}

std::vector<std::string> drifted_ids(const std::vector<KnownMigration>& known,
                                     const std::map<std::string, MigrationState>& states) {
  std::vector<std::string> ids;
  for (const auto& k : known) {
    const auto it = states.find(k.id);
    if (it == states.end()) continue;
    const MigrationState& s = it->second;
    if (s.applied && !k.checksum.empty() && !s.checksum.empty() && s.checksum != k.checksum) {
      ids.push_back(k.id);
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::optional<RunRefusal> check_run_policy(const std::vector<KnownMigration>& known,
                                           const std::map<std::string, MigrationState>& states,
                                           Direction direction, const std::vector<std::string>& planned,
                                           const SafetyPolicy& policy) {
  const std::string verb(to_string(direction));
  if (!policy.allow_drift) {
    if (std::vector<std::string> drifted = drifted_ids(known, states); !drifted.empty()) {
      RunRefusal r;
      r.code = "drift";
      const bool one = drifted.size() == 1;
      r.message = "refusing to run " + verb + ": " + std::to_string(drifted.size()) +
                  (one ? " applied migration has" : " applied migrations have") +
                  " changed since it was applied (checksum differs): " + join(drifted) +
                  ". If the change is intended, accept it with `repair " + (one ? drifted.front() : "") +
                  (one ? " " : "") +
                  "--accept-checksum`; to run anyway, pass --allow-drift or set [safety] allow_drift = true";
      r.ids = std::move(drifted);
      return r;
    }
  }
  if (direction != Direction::kUp || policy.order != OrderPolicy::kStrict) return std::nullopt;
  std::string newest_applied;
  for (const auto& [id, s] : states) {
    if (s.applied) newest_applied = std::max(newest_applied, id);
  }
  std::vector<std::string> older;
  for (const auto& id : planned) {
    if (!newest_applied.empty() && id < newest_applied) older.push_back(id);
  }
  if (older.empty()) return std::nullopt;
  RunRefusal r;
  r.code = "out-of-order";
  const bool one = older.size() == 1;
  r.message = "refusing to run up: " + join(older) + (one ? " is" : " are") +
              " pending but older than the newest applied migration " + newest_applied +
              " ([safety] order = \"strict\"). To apply " + (one ? "it" : "them") +
              " out of order, set [safety] order = \"allow-out-of-order\"; if " +
              (one ? "it was" : "they were") + " applied by other means, record " + (one ? "it" : "them") +
              " with `mark applied " + (one ? older.front() : "<id>") + "` (or `baseline <id>`)";
  r.ids = std::move(older);
  return r;
}

}  // namespace auric
