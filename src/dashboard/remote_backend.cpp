#include "dashboard/remote_backend.hpp"

#include <stdexcept>

#include "core/system.hpp"

namespace auric::dashboard {
namespace {

std::vector<std::string> id_list(const Json& answer, const char* key) {
  std::vector<std::string> ids;
  auto it = answer.find(key);
  if (it == answer.end() || !it->is_array()) return ids;
  for (const auto& v : *it) {
    if (v.is_string())
      ids.push_back(v.get<std::string>());
    else if (v.is_object() && v.contains("id") && v["id"].is_string())
      ids.push_back(v["id"].get<std::string>());
  }
  return ids;
}

}  // namespace

RemoteBackend::RemoteBackend(Store& store, RemoteBackendOptions options)
    : store_(store), options_(std::move(options)) {}

std::optional<StatusLists> RemoteBackend::remote_status() {
  StatusLists lists;
  if (!options_.invoker) return lists;
  const Json answer = options_.invoker->invoke(Json{{"action", "status"}});
  if (!answer.is_object())
    throw std::runtime_error("the migration function's status answer is not a JSON object");
  lists.pending = id_list(answer, "pending");
  lists.completed = id_list(answer, "completed");
  lists.failed = id_list(answer, "failed");
  return lists;
}

std::optional<std::string> RemoteBackend::run_unavailable_reason() {
  if (options_.invoker) return std::nullopt;
  return options_.unavailable_hint;
}

StartOutcome RemoteBackend::start_run(const RunParams& params) {
  StartOutcome outcome;
  if (!options_.invoker) {
    outcome.kind = StartOutcome::Kind::kNotAvailable;
    outcome.error = options_.unavailable_hint;
    return outcome;
  }
  // The function takes the lock itself; checking first gives the user the holder at once
  // instead of a run that fails in the background.
  if (auto lock = store_.read_lock(); lock && lock->held_at(now_ms())) {
    outcome.kind = StartOutcome::Kind::kLockHeld;
    outcome.holder = lock;
    std::string who = lock->who.user.empty() ? lock->owner : lock->who.user + "@" + lock->who.host;
    outcome.error = "Another run holds the lock: " + who +
                    (lock->current ? ", running " + lock->current->migration_id : std::string());
    return outcome;
  }
  outcome.execution_id = new_uuid();
  Json payload = {{"direction", to_string(params.direction)}, {"executionId", outcome.execution_id}};
  if (params.target) payload["target"] = *params.target;
  if (params.steps) payload["steps"] = *params.steps;
  options_.invoker->invoke_async(payload);
  return outcome;
}

}  // namespace auric::dashboard
