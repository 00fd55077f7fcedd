// The decision half of the migrations function (docs/lambda.md): given a parsed event, the
// invocation's deadline and the handler's limits, which action to take. The time and new
// execution ids come from the caller (Clock, IdSource), so the same inputs always give the same
// action; EventHandler (handler.cpp) then carries it out against the store and AWS. Pure;
// thread-safe when the clock and the id source are.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>

#include <auric/migrations.hpp>

#include "lambda/events.hpp"

namespace auric::lambda {

// Now, in milliseconds since the Unix epoch.
using Clock = std::function<std::int64_t()>;
// A new, unique execution id.
using IdSource = std::function<std::string()>;

// Answer the failed result `{executionId, error}`: nothing runs, the store is not touched.
// `log` is the line to log.
struct RejectAction {
  std::string execution_id;
  std::string error;
  std::string log;
  bool operator==(const RejectAction&) const = default;
};

// Answer `result` as it is, without touching the store (a task event to ignore, statusByExecution
// without an id). `log`, when not empty, is the line to log.
struct ReplyAction {
  Json result;
  std::string log;
  bool operator==(const ReplyAction&) const = default;
};

// `{action: "status"}`: the pending, completed and failed migrations.
struct StatusAction {
  bool operator==(const StatusAction&) const = default;
};

// `{action: "statusByExecution"}` with an id: the execution's status from the store.
struct ExecutionStatusAction {
  std::string execution_id;
  bool operator==(const ExecutionStatusAction&) const = default;
};

// Run the first hop of an execution inline. `run.execution_id` is never empty; the deadline
// leaves more than the stop margin (or there is none).
struct RunAction {
  RunEventData run;
  bool operator==(const RunAction&) const = default;
};

// A continuation (run.hop > 0): claim hop k of the execution (only the delivery that moves it
// from k-1 to k goes on, any other is ignored), then run it; or, when `refusal` is not empty
// (the deadline leaves no more than the stop margin), record the execution failed with it.
struct ContinueAction {
  RunEventData run;
  std::string refusal;
  bool operator==(const ContinueAction&) const = default;
};

// A continuation past the hop limit: record the execution failed with `error` (without claiming
// the hop) and answer the failed result.
struct FailExecutionAction {
  RunEventData run;
  std::string error;
  bool operator==(const FailExecutionAction&) const = default;
};

// Dispatcher mode, first hop: plan, write the execution, start a Fargate task for it.
// `run.execution_id` is never empty.
struct StartTaskAction {
  RunEventData run;
  bool operator==(const StartTaskAction&) const = default;
};

// A Fargate task of ours stopped (lastStatus STOPPED, with the execution id and direction of
// its overrides): close out its execution with `error` unless it ended already.
struct TaskStoppedAction {
  TaskStateEventData task;
  std::string error;
  bool operator==(const TaskStoppedAction&) const = default;
};

// Run one backfill segment worker (docs/lambda.md, *Backfill workers*).
struct BackfillWorkerAction {
  backfill::WorkerEvent worker;
  bool operator==(const BackfillWorkerAction&) const = default;
};

using Action =
    std::variant<RejectAction, ReplyAction, StatusAction, ExecutionStatusAction, RunAction, ContinueAction,
                 FailExecutionAction, StartTaskAction, TaskStoppedAction, BackfillWorkerAction>;

// The handler's limits that the decision depends on (from HandlerSettings).
struct DispatchRules {
  std::chrono::milliseconds stop_margin{60'000};  // refuse to start with this much time left or less
  int max_hops = 100;                             // hops 0 .. max_hops-1 may run
  bool to_fargate = false;                        // first hops start a Fargate task instead of running
};

// The action for `event`. `deadline_ms` is the invocation's deadline (0: none); `clock` is read
// at most once (for a deadline check) and `new_id` called at most once (for a run without an
// executionId). Requires both to be callable; throws only what they throw.
Action decide_action(const Event& event, std::int64_t deadline_ms, const DispatchRules& rules,
                     const Clock& clock, const IdSource& new_id);

// The action's kind in one word ("reject", "reply", "status", "execution-status", "run",
// "continue", "fail-execution", "start-task", "task-stopped"), for logs and tests.
const char* action_kind(const Action& action);

}  // namespace auric::lambda
