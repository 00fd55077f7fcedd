// The events the migrations function accepts and the results it returns (docs/lambda.md):
// classification and validation of an event, and the JSON shapes of the results, matching
// the reference (ExecutionResult, status, ExecutionStatus, DispatchResult, TaskStoppedResult).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <auric/migrations.hpp>

#include "backfill/workers.hpp"
#include "core/plan.hpp"
#include "core/records.hpp"
#include "core/runner.hpp"

namespace auric::lambda {

// `{direction?, target?, steps?, executionId?, hop?}`: run migrations (hop > 0: a
// continuation). `steps` is the CLI's --steps (at most N migrations; not with a target); a
// continuation carries the steps still left.
struct RunEventData {
  Direction direction = Direction::kUp;
  std::string target;
  std::optional<int> steps;
  std::string execution_id;  // required when hop > 0
  int hop = 0;
  bool operator==(const RunEventData&) const = default;
};

// `{action: "status"}`.
struct StatusEventData {};

// `{action: "statusByExecution", executionId}` (execution_id may be empty: not_found).
struct StatusByExecutionEventData {
  std::string execution_id;
};

// An EventBridge "ECS Task State Change" event (reference 5.4).
struct TaskStateEventData {
  std::string task_arn;
  std::string last_status;
  std::string stopped_reason;
  std::optional<std::int64_t> exit_code;  // containers[0].exitCode, at full width
  std::string execution_id;               // MIGRATION_EXECUTION_ID override
  std::optional<Direction> direction;     // MIGRATION_DIRECTION override (up/down only)
  bool operator==(const TaskStateEventData&) const = default;
};

// `{"auric": "backfill-worker", migrationId, direction, executionId, jobId, name, table, worker,
// workers}`: run one backfill segment worker (docs/lambda.md, *Backfill workers*).
struct BackfillWorkerEventData {
  backfill::WorkerEvent worker;
  bool operator==(const BackfillWorkerEventData&) const = default;
};

// A rejected event: `error` is the message of the failed result.
struct InvalidEvent {
  std::string error;
};

using Event = std::variant<RunEventData, StatusEventData, StatusByExecutionEventData, TaskStateEventData,
                           BackfillWorkerEventData, InvalidEvent>;

// Classifies and validates an event. Never throws. Invalid: a non-object event, an unknown
// `action`, a direction other than "up"/"down", a non-string target, steps that are not a whole
// number from 1 to 1,000,000 or come with a target, a bad executionId or hop; a backfill-worker
// event with a missing or bad field (ids length-checked, worker in 0..workers-1, workers in
// 1..1000), and any other `auric` kind.
Event parse_event(const Json& event);

// Parses the invocation body; a body that is not JSON is an InvalidEvent.
Event parse_event_text(const std::string& body);

// ---- results ---------------------------------------------------------------------------
// ExecutionResult: {status, executionId, migrationsRun, migrationsRemaining, error?}. The
// status is completed, needs_continuation or failed (interrupted and lock-held runs are failed).
Json execution_result_json(const ExecutionResult& result);
// The failed ExecutionResult for a rejected event or a run that could not start.
Json failed_result_json(const std::string& execution_id, const std::string& error);
// {status: "ignored"}: the answer to an event that changes nothing (a task event that is not
// ours to close out, or closed out already).
Json ignored_result_json();
// {pending, completed, failed}.
Json status_result_json(const StatusReport& report);
// ExecutionStatus {executionId, status: running|completed|failed|not_found, migrations: [{id,
// status, error?}], error?} from the execution record (if any) and its runs (oldest first):
// one entry per migration, its latest run.
Json execution_status_json(const std::string& execution_id, const std::optional<ExecutionRecord>& execution,
                           const std::vector<RunRecord>& runs);

// The message for statusByExecution without an id (reference wording).
inline constexpr const char* kMissingExecutionIdMessage =
    "statusByExecution requires a non-empty `executionId` field on the event";

}  // namespace auric::lambda
