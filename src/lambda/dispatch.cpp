#include "lambda/dispatch.hpp"

#include <string>

namespace auric::lambda {
namespace {

std::string hop_limit_error(int max_hops, int hop) {
  return "Continuation hop limit exceeded (" + std::to_string(max_hops) + " hops): hop " +
         std::to_string(hop) + " refused; the run is not progressing";
}

std::string timeout_too_short_error(std::int64_t left_ms, std::chrono::milliseconds stop_margin) {
  return "Lambda timeout too short: " + std::to_string(left_ms) +
         " ms left at the start of the invocation, at or below the stop margin of " +
         std::to_string(stop_margin.count()) +
         " ms; raise the function timeout or lower [lambda] stop_margin_seconds "
         "(MIGRATION_TIMEOUT_THRESHOLD_MS)";
}

// What a stopped task's execution is recorded failed with.
std::string task_stopped_error(const TaskStateEventData& t) {
  if (t.exit_code && *t.exit_code == 0)
    return "Fargate task exited with code 0 before finishing the execution";
  if (!t.stopped_reason.empty()) return t.stopped_reason;
  if (t.exit_code) return "Fargate task exited with code " + std::to_string(*t.exit_code);
  return "Fargate task stopped without an exit code";
}

Action decide_run(RunEventData run, std::int64_t deadline_ms, const DispatchRules& rules, const Clock& clock,
                  const IdSource& new_id) {
  if (run.execution_id.empty()) run.execution_id = new_id();
  if (rules.to_fargate && run.hop == 0) return StartTaskAction{std::move(run)};
  if (run.hop > 0 && run.hop >= rules.max_hops) {
    std::string error = hop_limit_error(rules.max_hops, run.hop);
    return FailExecutionAction{std::move(run), std::move(error)};
  }
  std::string refusal;
  if (deadline_ms > 0) {
    // Running would hand over before the first migration, again and again: refuse instead.
    const std::int64_t left = deadline_ms - clock();
    if (left <= rules.stop_margin.count()) refusal = timeout_too_short_error(left, rules.stop_margin);
  }
  if (run.hop > 0) return ContinueAction{std::move(run), std::move(refusal)};
  if (!refusal.empty()) return RejectAction{run.execution_id, refusal, refusal};
  return RunAction{std::move(run)};
}

Action decide_task_state(const TaskStateEventData& task) {
  if (task.last_status != "STOPPED") return ReplyAction{ignored_result_json(), ""};
  if (task.execution_id.empty() || !task.direction) {
    return ReplyAction{ignored_result_json(),
                       "ECS task-stopped event missing migration env overrides; ignoring"};
  }
  return TaskStoppedAction{task, task_stopped_error(task)};
}

}  // namespace

Action decide_action(const Event& event, std::int64_t deadline_ms, const DispatchRules& rules,
                     const Clock& clock, const IdSource& new_id) {
  if (const auto* invalid = std::get_if<InvalidEvent>(&event)) {
    return RejectAction{"", invalid->error, "Rejected event: " + invalid->error};
  }
  if (const auto* task = std::get_if<TaskStateEventData>(&event)) return decide_task_state(*task);
  if (std::holds_alternative<StatusEventData>(event)) return StatusAction{};
  if (const auto* worker = std::get_if<BackfillWorkerEventData>(&event))
    return BackfillWorkerAction{worker->worker};
  if (const auto* by_id = std::get_if<StatusByExecutionEventData>(&event)) {
    if (by_id->execution_id.empty()) {
      return ReplyAction{{{"executionId", ""},
                          {"status", "not_found"},
                          {"migrations", Json::array()},
                          {"error", kMissingExecutionIdMessage}},
                         ""};
    }
    return ExecutionStatusAction{by_id->execution_id};
  }
  return decide_run(std::get<RunEventData>(event), deadline_ms, rules, clock, new_id);
}

const char* action_kind(const Action& action) {
  struct Kind {
    const char* operator()(const RejectAction&) const { return "reject"; }
    const char* operator()(const ReplyAction&) const { return "reply"; }
    const char* operator()(const StatusAction&) const { return "status"; }
    const char* operator()(const ExecutionStatusAction&) const { return "execution-status"; }
    const char* operator()(const RunAction&) const { return "run"; }
    const char* operator()(const ContinueAction&) const { return "continue"; }
    const char* operator()(const FailExecutionAction&) const { return "fail-execution"; }
    const char* operator()(const StartTaskAction&) const { return "start-task"; }
    const char* operator()(const TaskStoppedAction&) const { return "task-stopped"; }
    const char* operator()(const BackfillWorkerAction&) const { return "backfill-worker"; }
  };
  return std::visit(Kind{}, action);
}

}  // namespace auric::lambda
