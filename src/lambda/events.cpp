#include "lambda/events.hpp"

#include <algorithm>
#include <cstdint>
#include <map>

#include "core/ids.hpp"

namespace auric::lambda {
namespace {

constexpr long long kMaxSteps = 1'000'000;

std::string describe(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

Event parse_task_state(const Json& event) {
  TaskStateEventData t;
  const Json detail = event.value("detail", Json::object());
  if (!detail.is_object()) return t;
  auto str = [&](const char* key) {
    auto it = detail.find(key);
    return it != detail.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  t.task_arn = str("taskArn");
  t.last_status = str("lastStatus");
  t.stopped_reason = str("stoppedReason");
  if (auto c = detail.find("containers"); c != detail.end() && c->is_array() && !c->empty()) {
    const Json& first = (*c)[0];
    if (first.is_object()) {
      // Read at full width: narrowing to int made 4294967296 read as 0, a success.
      if (auto code = first.find("exitCode"); code != first.end() && code->is_number_unsigned()) {
        const auto value = code->get<std::uint64_t>();
        t.exit_code =
            value > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(value);
      } else if (code != first.end() && code->is_number_integer()) {
        t.exit_code = code->get<std::int64_t>();
      }
    }
  }
  const Json overrides = detail.value("overrides", Json::object());
  if (overrides.is_object()) {
    const Json containers = overrides.value("containerOverrides", Json::array());
    for (const auto& container : containers) {
      if (!container.is_object()) continue;
      const Json env = container.value("environment", Json::array());
      for (const auto& kv : env) {
        if (!kv.is_object() || !kv.contains("name") || !kv.contains("value")) continue;
        if (!kv["name"].is_string() || !kv["value"].is_string()) continue;
        const std::string name = kv["name"].get<std::string>();
        const std::string value = kv["value"].get<std::string>();
        if (name == "MIGRATION_EXECUTION_ID" && !value.empty()) t.execution_id = value;
        if (name == "MIGRATION_DIRECTION") {
          if (value == "up") t.direction = Direction::kUp;
          if (value == "down") t.direction = Direction::kDown;
        }
      }
    }
  }
  return t;
}

// "running" | "completed" | "failed" | "suspended" for an execution record.
std::string overall(ExecutionStatus s) {
  switch (s) {
    case ExecutionStatus::kRunning:
    case ExecutionStatus::kNeedsContinuation: return "running";
    case ExecutionStatus::kCompleted: return "completed";
    case ExecutionStatus::kSuspended: return "suspended";
    case ExecutionStatus::kFailed:
    case ExecutionStatus::kInterrupted: return "failed";
  }
  return "running";
}

constexpr std::size_t kMaxNameBytes = 255;

// A required string field of a backfill-worker event; the reason it is bad in `problem`.
std::string worker_text(const Json& event, const char* key, std::string& problem, bool is_id) {
  const auto it = event.find(key);
  if (!problem.empty()) return {};
  if (it == event.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    problem = std::string("`") + key + "` must be a non-empty string";
    return {};
  }
  const auto& text = it->get_ref<const std::string&>();
  if (is_id) {
    problem = id_length_problem(text, key);
  } else if (text.size() > kMaxNameBytes) {
    problem = std::string("`") + key + "` is longer than " + std::to_string(kMaxNameBytes) + " bytes";
  }
  return problem.empty() ? text : std::string();
}

Event parse_backfill_worker(const Json& event) {
  BackfillWorkerEventData data;
  backfill::WorkerEvent& w = data.worker;
  std::string problem;
  w.migration_id = worker_text(event, "migrationId", problem, true);
  w.execution_id = worker_text(event, "executionId", problem, true);
  w.job_id = worker_text(event, "jobId", problem, true);
  w.name = worker_text(event, "name", problem, false);
  w.table = worker_text(event, "table", problem, false);
  const std::string direction = worker_text(event, "direction", problem, false);
  if (problem.empty()) {
    if (direction == "up") {
      w.direction = Direction::kUp;
    } else if (direction == "down") {
      w.direction = Direction::kDown;
    } else {
      problem = "`direction` must be 'up' or 'down'";
    }
  }
  auto whole = [&](const char* key, long long low, long long high) -> int {
    const auto it = event.find(key);
    if (!problem.empty()) return 0;
    if (it == event.end() || !it->is_number_integer() || it->get<long long>() < low ||
        it->get<long long>() > high) {
      problem = std::string("`") + key + "` must be a whole number from " + std::to_string(low) + " to " +
                std::to_string(high);
      return 0;
    }
    return static_cast<int>(it->get<long long>());
  };
  w.workers = whole("workers", 1, 1000);
  w.worker = whole("worker", 0, problem.empty() ? w.workers - 1 : 0);
  if (!problem.empty()) return InvalidEvent{"Invalid backfill-worker event: " + problem + "."};
  return data;
}

}  // namespace

Event parse_event(const Json& event) {
  if (event.is_null()) return RunEventData{};
  if (!event.is_object())
    return InvalidEvent{"Invalid event: expected a JSON object, got " + std::string(event.type_name())};
  if (event.value("source", Json()) == "aws.ecs" &&
      event.value("detail-type", Json()) == "ECS Task State Change") {
    return parse_task_state(event);
  }
  if (auto kind = event.find("auric"); kind != event.end()) {
    if (*kind == "backfill-worker") return parse_backfill_worker(event);
    return InvalidEvent{"Unknown auric event: " + describe(*kind) + ". Expected 'backfill-worker'."};
  }
  if (auto action = event.find("action"); action != event.end() && !action->is_null()) {
    if (*action == "status") return StatusEventData{};
    if (*action == "statusByExecution") {
      StatusByExecutionEventData s;
      if (auto id = event.find("executionId"); id != event.end() && id->is_string())
        s.execution_id = id->get<std::string>();
      if (auto problem = id_length_problem(s.execution_id, "executionId"); !problem.empty()) {
        return InvalidEvent{"Invalid executionId: " + problem + "."};
      }
      return s;
    }
    return InvalidEvent{"Unknown action: " + describe(*action) +
                        ". Expected 'status' or 'statusByExecution' (or no action to run migrations)."};
  }
  RunEventData run;
  if (auto d = event.find("direction"); d != event.end() && !d->is_null()) {
    if (*d == "up") {
      run.direction = Direction::kUp;
    } else if (*d == "down") {
      run.direction = Direction::kDown;
    } else {
      return InvalidEvent{"Invalid direction: " + describe(*d) + ". Must be 'up' or 'down'."};
    }
  }
  if (auto t = event.find("target"); t != event.end() && !t->is_null()) {
    if (!t->is_string()) return InvalidEvent{"Invalid target: must be a string."};
    run.target = t->get<std::string>();
  }
  if (auto steps = event.find("steps"); steps != event.end() && !steps->is_null()) {
    if (!steps->is_number_integer() || steps->get<long long>() < 1 || steps->get<long long>() > kMaxSteps) {
      return InvalidEvent{"Invalid steps: must be a whole number from 1 to " + std::to_string(kMaxSteps) +
                          " (got " + steps->dump() + ")."};
    }
    run.steps = static_cast<int>(steps->get<long long>());
    if (!run.target.empty()) {
      return InvalidEvent{"Invalid event: give either `target` or `steps`, not both."};
    }
  }
  if (auto id = event.find("executionId"); id != event.end() && !id->is_null()) {
    if (!id->is_string()) return InvalidEvent{"Invalid executionId: must be a string."};
    run.execution_id = id->get<std::string>();
    if (auto problem = id_length_problem(run.execution_id, "executionId"); !problem.empty()) {
      return InvalidEvent{"Invalid executionId: " + problem + "."};
    }
  }
  if (auto hop = event.find("hop"); hop != event.end() && !hop->is_null()) {
    if (!hop->is_number_integer() || hop->get<long long>() < 0 || hop->get<long long>() > 1'000'000) {
      return InvalidEvent{"Invalid hop: must be a whole number >= 0."};
    }
    run.hop = hop->get<int>();
  }
  if (run.hop > 0 && run.execution_id.empty()) {
    return InvalidEvent{"Invalid continuation: hop " + std::to_string(run.hop) + " requires an executionId."};
  }
  return run;
}

Event parse_event_text(const std::string& body) {
  if (body.empty()) return RunEventData{};
  Json event;
  try {
    event = Json::parse(body);
  } catch (const Json::exception&) {
    // parse_error, and out_of_range for a number too large for a double (1e535).
    return InvalidEvent{"Invalid event: the payload is not JSON."};
  }
  return parse_event(event);
}

Json execution_result_json(const ExecutionResult& r) {
  std::string status = "failed";
  if (r.status == ExecutionStatus::kCompleted) status = "completed";
  if (r.status == ExecutionStatus::kNeedsContinuation) status = "needs_continuation";
  Json j = {{"status", status},
            {"executionId", r.execution_id},
            {"migrationsRun", r.migrations_run},
            {"migrationsRemaining", r.migrations_remaining}};
  if (!r.error.empty()) j["error"] = r.error;
  // Refused by the safety policy (drift, out of order): nothing was recorded.
  if (r.refusal) j["refusal"] = {{"code", r.refusal->code}, {"ids", r.refusal->ids}};
  return j;
}

Json failed_result_json(const std::string& execution_id, const std::string& error) {
  return {{"status", "failed"},
          {"executionId", execution_id},
          {"migrationsRun", Json::array()},
          {"migrationsRemaining", Json::array()},
          {"error", error}};
}

Json ignored_result_json() {
  return {{"status", "ignored"}};
}

Json status_result_json(const StatusReport& report) {
  return {{"pending", report.pending}, {"completed", report.applied}, {"failed", report.failed}};
}

Json execution_status_json(const std::string& execution_id, const std::optional<ExecutionRecord>& execution,
                           const std::vector<RunRecord>& runs) {
  if (!execution && runs.empty()) {
    return {{"executionId", execution_id}, {"status", "not_found"}, {"migrations", Json::array()}};
  }
  // The latest run of each migration, in the order the migrations first ran.
  std::vector<std::string> order;
  std::map<std::string, const RunRecord*> latest;
  for (const auto& run : runs) {
    auto [it, inserted] = latest.emplace(run.id, &run);
    if (inserted) {
      order.push_back(run.id);
    } else {
      it->second = &run;
    }
  }
  Json migrations = Json::array();
  std::string first_failure;
  bool any_failed = false, any_running = false, all_completed = !order.empty();
  for (const auto& id : order) {
    const RunRecord& run = *latest[id];
    Json m = {{"id", id}, {"status", std::string(to_string(run.status))}};
    if (!run.error.empty()) m["error"] = run.error;
    migrations.push_back(std::move(m));
    if (run.status == RunStatus::kFailed) {
      any_failed = true;
      if (first_failure.empty()) first_failure = run.error;
    }
    if (run.status == RunStatus::kRunning) any_running = true;
    if (run.status != RunStatus::kCompleted) all_completed = false;
  }
  Json j = {{"executionId", execution_id}, {"migrations", migrations}};
  if (execution) {
    j["status"] = overall(execution->status);
    if (j["status"] == "failed") {
      const std::string error = !execution->error.empty() ? execution->error : first_failure;
      if (!error.empty()) j["error"] = error;
    }
    return j;
  }
  if (any_failed) {
    j["status"] = "failed";
    if (!first_failure.empty()) j["error"] = first_failure;
  } else if (any_running) {
    j["status"] = "running";
  } else {
    j["status"] = all_completed ? "completed" : "running";
  }
  return j;
}

}  // namespace auric::lambda
