// The migrations function's event handler (docs/lambda.md): runs with deadline detection and
// self-continuation, the status actions, dispatch to Fargate, and ECS task-stopped close-out.
// What to do with an event is decided by decide_action() (dispatch.hpp, pure); the handler
// carries the action out. The AWS calls it makes (async self-invoke, ECS RunTask) go through two
// small interfaces so that tests can substitute them; the store is any Store. One handler serves
// one invocation at a time (the Runtime API loop is sequential); not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <auric/migrations.hpp>

#include "app/env.hpp"
#include "core/runner.hpp"
#include "core/store.hpp"
#include "lambda/dispatch.hpp"
#include "lambda/events.hpp"

namespace auric::lambda {

// Starts the next hop: an asynchronous (Event) invocation of the function. Throws on failure
// (the handler then fails the execution instead of leaving it waiting).
class ContinuationInvoker {
 public:
  virtual ~ContinuationInvoker() = default;
  virtual void invoke_async(const std::string& function, const Json& payload) = 0;
};

// Starts a Fargate task: the ECS RunTask request and response in their wire shape. Throws on
// a service error; placement failures come back in the response's "failures".
class TaskLauncher {
 public:
  virtual ~TaskLauncher() = default;
  virtual Json run_task(const Json& request) = 0;
};

// Dispatcher mode: start runs on Fargate instead of running them inline.
struct DispatchSettings {
  bool enabled = false;
  std::string cluster;
  std::string task_definition;
  std::vector<std::string> subnets;
  std::vector<std::string> security_groups;
  std::string container_name = "migrations";
  bool assign_public_ip = false;
  std::string launch_type = "FARGATE";
  std::string task_role_arn;  // overrides.taskRoleArn when set; "" = the task definition's role
};

using app::EnvLookup;

// The ECS task the dispatcher and fargate:N backfill workers start (`enabled` left false):
// MIGRATION_CLUSTER, MIGRATION_TASK_DEFINITION, MIGRATION_SUBNETS and MIGRATION_SECURITY_GROUPS
// (comma separated), MIGRATION_CONTAINER_NAME (default "migrations"), MIGRATION_ASSIGN_PUBLIC_IP
// (ENABLED/DISABLED, true/false), MIGRATION_LAUNCH_TYPE (default FARGATE) and
// MIGRATION_TASK_ROLE_ARN (the task's role, in place of the definition's). The required
// ones that are unset are appended to `missing` (" MIGRATION_CLUSTER"). Throws
// std::invalid_argument for a malformed MIGRATION_ASSIGN_PUBLIC_IP or role ARN.
DispatchSettings ecs_task_from_env(const EnvLookup& env, std::string& missing);
// `value` when it looks like an IAM role ARN; else std::invalid_argument naming `variable`.
std::string iam_role_arn(const std::string& variable, const std::string& value);

// Reads MIGRATION_DISPATCH (fargate | inline, default inline) and, when it is fargate, the task
// (ecs_task_from_env). Throws std::invalid_argument naming what is missing or malformed when
// dispatch is enabled.
DispatchSettings dispatch_settings_from_env(const EnvLookup& env);

// The RunTask request for one task of `task` whose container gets `environment` (the wire
// shape: [{"name", "value"}]).
Json run_task_request(const DispatchSettings& task, const Json& environment, const std::string& started_by,
                      const std::string& client_token);
// The taskArn of a RunTask response, or "" with `error` set to "ECS RunTask started no task"
// and the first failure's reason and detail.
std::string started_task_arn(const Json& response, std::string& error);

struct HandlerSettings {
  std::chrono::milliseconds stop_margin{60'000};    // hand over when this much time is left
  int max_hops = 100;                               // hops 0 .. max_hops-1 may run
  std::chrono::milliseconds handover_ttl{300'000};  // lease held between hop k and hop k+1
  std::string function_name;                        // own function when the invocation carries no ARN
  DispatchSettings dispatch;
  // lambda:N backfills (docs/backfills.md, *Workers*): the segment lease the workers take (a
  // dead worker's segments are re-claimed after it) and how often the coordinator lists them.
  // Workers stop, save and continue themselves `stop_margin` before their deadline.
  std::chrono::milliseconds backfill_lease{30'000};
  std::chrono::milliseconds backfill_poll{1'000};
  // Test hook for every segment worker (backfill::WorkerAssignment::after_page_writes).
  std::function<void(int segment, std::size_t page)> backfill_after_page_writes;
};

// What the handler needs to know about the invocation.
struct InvocationInfo {
  std::string request_id;
  std::int64_t deadline_ms = 0;  // 0: no deadline
  std::string function_arn;      // the invoked ARN (keeps the alias/version for continuations)
};

class EventHandler {
 public:
  // `base` is the runner configuration (lease, heartbeat, context, user context factory);
  // the handler adds the deadline and the Lambda request id per invocation. `invoker` and
  // `launcher` may be null when unused (no continuation possible / dispatch disabled).
  EventHandler(Store& store, std::vector<MigrationEntry> migrations, RunnerOptions base,
               HandlerSettings settings, std::shared_ptr<ContinuationInvoker> invoker,
               std::shared_ptr<TaskLauncher> launcher);

  // Answers one event. Bad events give a failed result and run nothing. Throws StoreError
  // (and other std::exception) only for failures of the medium: the runtime loop turns them
  // into an error response.
  Json handle(const Json& event, const InvocationInfo& invocation);
  Json handle(const Event& event, const InvocationInfo& invocation);
  // The action decide_action() chose for an event of `invocation`, carried out (what handle()
  // does after deciding). Throws as handle() does.
  Json perform(const Action& action, const InvocationInfo& invocation);

  // Where new execution ids come from (default: new_uuid()). The clock is `base.now_ms`.
  void set_id_source(IdSource new_id) { new_id_ = std::move(new_id); }

  // Log lines (default: stderr with the "[migrations] " prefix).
  void set_log(std::function<void(const std::string&)> log) { log_ = std::move(log); }
  // Progress of inline runs (replaces RunnerOptions::on_event of `base`, which cannot know the
  // direction of each event).
  void set_run_event_log(std::function<void(const RunEvent&, Direction)> log) {
    run_event_log_ = std::move(log);
  }

 private:
  DispatchRules rules() const;
  // Runs `event` (its execution id set, its hop claimed when > 0) with the invocation's deadline.
  Json run_inline(const RunEventData& event, const InvocationInfo& invocation);
  // Claims the hop, then runs it or records the refusal.
  Json continue_run(const ContinueAction& action, const InvocationInfo& invocation);
  // Records the execution failed with `error` and answers the failed result.
  Json refuse_run(const RunEventData& event, const std::string& error);
  Json dispatch(const RunEventData& event, const InvocationInfo& invocation);
  Json task_stopped(const TaskStoppedAction& stopped);
  // Runs one backfill segment worker: the migration's body in worker mode; before the
  // deadline its segment is saved and released and the same event is invoked again.
  Json run_backfill_worker(const backfill::WorkerEvent& event, const InvocationInfo& invocation);
  // Invokes the next hop asynchronously; on failure records the execution as failed.
  Json hand_over(const RunEventData& event, const ExecutionResult& result, const InvocationInfo& invocation);
  // Marks the execution failed under the lock (taken re-entrantly for that execution). False
  // when another execution holds the lock.
  // A run that cannot go on after its runner returned: logs `error`, records the execution
  // failed, and answers the runner's result with status failed and that error.
  Json fail_run(const RunEventData& event, const ExecutionResult& result, const std::string& error);
  bool fail_execution(const std::string& execution_id, Direction direction, const std::string& target,
                      const std::string& error);
  std::int64_t now() const;
  Who who(const InvocationInfo& invocation) const;
  void log(const std::string& line) const;

  Store& store_;
  std::vector<MigrationEntry> migrations_;
  RunnerOptions base_;
  HandlerSettings settings_;
  std::shared_ptr<ContinuationInvoker> invoker_;
  std::shared_ptr<TaskLauncher> launcher_;
  IdSource new_id_;
  std::function<void(const std::string&)> log_;
  std::function<void(const RunEvent&, Direction)> run_event_log_;
};

}  // namespace auric::lambda
