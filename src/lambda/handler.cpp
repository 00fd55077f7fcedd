#include "lambda/handler.hpp"

#include <algorithm>
#include <iostream>
#include <sstream>

#include "backfill/workers.hpp"
#include "core/ids.hpp"
#include "core/lease.hpp"
#include "core/ledger.hpp"
#include "core/system.hpp"
#include "lambda/backfill_worker.hpp"

namespace auric::lambda {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto b = item.find_first_not_of(" \t");
    const auto e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

// A lease for one short piece of work (no heartbeat), released on scope exit.
LeaseAttempt short_lease(Store& store, const std::string& execution_id, const Who& who,
                         const RunnerOptions& base, const std::string& role) {
  LeaseOptions options;
  options.ttl = base.lease_ttl;
  options.heartbeat = std::chrono::milliseconds(0);
  options.reenter_execution = true;
  options.role = role;
  options.now_ms = base.now_ms;
  return Lease::acquire(store, execution_id, who, std::move(options));
}

// lambda:N workers of a coordinating migration: Event invocations of this function.
class InvokeLauncher final : public backfill::WorkerLauncher {
 public:
  InvokeLauncher(ContinuationInvoker* invoker, std::string function, std::chrono::milliseconds lease,
                 std::chrono::milliseconds poll)
      : invoker_(invoker), function_(std::move(function)), lease_(lease), poll_(poll) {}
  void launch(const backfill::WorkerEvent& event) override {
    if (invoker_ == nullptr || function_.empty()) {
      throw std::runtime_error(
          "cannot start backfill workers: no function to invoke (AWS_LAMBDA_FUNCTION_NAME is not set)");
    }
    invoker_->invoke_async(function_, backfill::worker_event_json(event));
  }
  std::chrono::milliseconds lease_ttl() const override { return lease_; }
  std::chrono::milliseconds poll() const override { return poll_; }

 private:
  ContinuationInvoker* invoker_;
  std::string function_;
  std::chrono::milliseconds lease_;
  std::chrono::milliseconds poll_;
};

}  // namespace

std::string iam_role_arn(const std::string& variable, const std::string& value) {
  if (value.starts_with("arn:") && value.find(":role/") != std::string::npos) return value;
  throw std::invalid_argument(
      variable + " must be an IAM role ARN, arn:aws:iam::<account>:role/<name> (got '" + value + "')");
}

DispatchSettings ecs_task_from_env(const EnvLookup& env, std::string& missing) {
  DispatchSettings s;
  s.cluster = env("MIGRATION_CLUSTER").value_or("");
  s.task_definition = env("MIGRATION_TASK_DEFINITION").value_or("");
  s.subnets = split_list(env("MIGRATION_SUBNETS").value_or(""));
  s.security_groups = split_list(env("MIGRATION_SECURITY_GROUPS").value_or(""));
  if (auto c = env("MIGRATION_CONTAINER_NAME")) s.container_name = *c;
  if (auto l = env("MIGRATION_LAUNCH_TYPE")) s.launch_type = *l;
  if (auto ip = env("MIGRATION_ASSIGN_PUBLIC_IP")) {
    if (*ip == "ENABLED" || *ip == "true" || *ip == "1") {
      s.assign_public_ip = true;
    } else if (*ip == "DISABLED" || *ip == "false" || *ip == "0") {
      s.assign_public_ip = false;
    } else {
      throw std::invalid_argument("MIGRATION_ASSIGN_PUBLIC_IP must be ENABLED or DISABLED (got '" + *ip +
                                  "')");
    }
  }
  if (auto role = env("MIGRATION_TASK_ROLE_ARN"))
    s.task_role_arn = iam_role_arn("MIGRATION_TASK_ROLE_ARN", *role);
  if (s.cluster.empty()) missing += " MIGRATION_CLUSTER";
  if (s.task_definition.empty()) missing += " MIGRATION_TASK_DEFINITION";
  if (s.subnets.empty()) missing += " MIGRATION_SUBNETS";
  return s;
}

DispatchSettings dispatch_settings_from_env(const EnvLookup& env) {
  const std::string mode = env("MIGRATION_DISPATCH").value_or("inline");
  if (mode == "inline" || mode == "none" || mode.empty()) return DispatchSettings{};
  if (mode != "fargate") {
    throw std::invalid_argument("MIGRATION_DISPATCH must be 'fargate' or 'inline' (got '" + mode + "')");
  }
  std::string missing;
  DispatchSettings s = ecs_task_from_env(env, missing);
  s.enabled = true;
  if (!missing.empty()) throw std::invalid_argument("MIGRATION_DISPATCH=fargate needs" + missing);
  return s;
}

std::string started_task_arn(const Json& response, std::string& error) {
  const Json tasks = response.value("tasks", Json::array());
  const Json failures = response.value("failures", Json::array());
  std::string task_arn;
  if (!tasks.empty() && tasks[0].is_object()) task_arn = tasks[0].value("taskArn", "");
  if (task_arn.empty()) {
    error = "ECS RunTask started no task";
    if (!failures.empty() && failures[0].is_object()) {
      error += ": " + failures[0].value("reason", std::string("unknown reason"));
      if (failures[0].contains("detail") && failures[0]["detail"].is_string()) {
        error += " (" + failures[0]["detail"].get<std::string>() + ")";
      }
    }
  }
  return task_arn;
}

Json run_task_request(const DispatchSettings& task, const Json& environment, const std::string& started_by,
                      const std::string& client_token) {
  Json overrides{{"containerOverrides",
                  Json::array({Json{{"name", task.container_name}, {"environment", environment}}})}};
  if (!task.task_role_arn.empty()) overrides["taskRoleArn"] = task.task_role_arn;
  return {{"cluster", task.cluster},
          {"taskDefinition", task.task_definition},
          {"count", 1},
          {"launchType", task.launch_type},
          {"startedBy", started_by},
          {"clientToken", client_token},
          {"networkConfiguration",
           {{"awsvpcConfiguration",
             {{"subnets", task.subnets},
              {"securityGroups", task.security_groups},
              {"assignPublicIp", task.assign_public_ip ? "ENABLED" : "DISABLED"}}}}},
          {"overrides", overrides}};
}

EventHandler::EventHandler(Store& store, std::vector<MigrationEntry> migrations, RunnerOptions base,
                           HandlerSettings settings, std::shared_ptr<ContinuationInvoker> invoker,
                           std::shared_ptr<TaskLauncher> launcher)
    : store_(store),
      migrations_(std::move(migrations)),
      base_(std::move(base)),
      settings_(std::move(settings)),
      invoker_(std::move(invoker)),
      launcher_(std::move(launcher)),
      new_id_([] { return new_uuid(); }) {}

DispatchRules EventHandler::rules() const {
  return DispatchRules{settings_.stop_margin, settings_.max_hops, settings_.dispatch.enabled};
}

std::int64_t EventHandler::now() const {
  return base_.now_ms ? base_.now_ms() : system_now_ms();
}

Who EventHandler::who(const InvocationInfo& invocation) const {
  Who w = base_.who.host.empty() && base_.who.user.empty() ? current_who() : base_.who;
  w.lambda_request_id = invocation.request_id;
  return w;
}

void EventHandler::log(const std::string& line) const {
  if (log_) {
    log_(line);
  } else {
    std::cerr << "[migrations] " << line << std::endl;
  }
}

Json EventHandler::handle(const Json& event, const InvocationInfo& invocation) {
  return handle(parse_event(event), invocation);
}

Json EventHandler::handle(const Event& event, const InvocationInfo& invocation) {
  const Clock clock = [this] { return now(); };
  return perform(decide_action(event, invocation.deadline_ms, rules(), clock, new_id_), invocation);
}

Json EventHandler::perform(const Action& action, const InvocationInfo& invocation) {
  if (const auto* reject = std::get_if<RejectAction>(&action)) {
    log(reject->log);
    return failed_result_json(reject->execution_id, reject->error);
  }
  if (const auto* reply = std::get_if<ReplyAction>(&action)) {
    if (!reply->log.empty()) log(reply->log);
    return reply->result;
  }
  if (std::holds_alternative<StatusAction>(action)) {
    MigrationRunner runner(migrations_, store_, base_);
    return status_result_json(runner.status());
  }
  if (const auto* by_id = std::get_if<ExecutionStatusAction>(&action)) {
    return execution_status_json(by_id->execution_id, store_.get_execution(by_id->execution_id),
                                 store_.runs_of_execution(by_id->execution_id));
  }
  if (const auto* run = std::get_if<RunAction>(&action)) return run_inline(run->run, invocation);
  if (const auto* next = std::get_if<ContinueAction>(&action)) return continue_run(*next, invocation);
  if (const auto* fail = std::get_if<FailExecutionAction>(&action)) return refuse_run(fail->run, fail->error);
  if (const auto* start = std::get_if<StartTaskAction>(&action)) return dispatch(start->run, invocation);
  if (const auto* worker = std::get_if<BackfillWorkerAction>(&action))
    return run_backfill_worker(worker->worker, invocation);
  return task_stopped(std::get<TaskStoppedAction>(action));
}

// ---- inline runs and continuation ----------------------------------------------------------
Json EventHandler::continue_run(const ContinueAction& action, const InvocationInfo& invocation) {
  const RunEventData& event = action.run;
  const int hop = event.hop;
  // Exactly one delivery of hop k proceeds: the one that moves the execution from k-1 to k.
  if (store_.advance_hop(event.execution_id, hop - 1, hop) != WriteOutcome::kOk) {
    log("Ignoring a duplicate (or stale) delivery of hop " + std::to_string(hop) + " of execution " +
        event.execution_id);
    return {{"status", "ignored"},
            {"executionId", event.execution_id},
            {"hop", hop},
            {"reason",
             "duplicate delivery: hop " + std::to_string(hop) + " of this execution was already taken"}};
  }
  if (!action.refusal.empty()) return refuse_run(event, action.refusal);
  return run_inline(event, invocation);
}

Json EventHandler::refuse_run(const RunEventData& event, const std::string& error) {
  log(error);
  fail_execution(event.execution_id, event.direction, event.target, error);
  return failed_result_json(event.execution_id, error);
}

Json EventHandler::run_inline(const RunEventData& event, const InvocationInfo& invocation) {
  const int hop = event.hop;
  const std::string& execution_id = event.execution_id;
  const std::int64_t deadline = invocation.deadline_ms;
  RunnerOptions options = base_;
  options.who = who(invocation);
  options.handover_ttl = settings_.handover_ttl;
  if (deadline > 0) {
    options.time_remaining = [this, deadline] { return std::chrono::milliseconds(deadline - now()); };
    options.stop_margin = settings_.stop_margin;
  }
  bool started_any = false;
  const auto forward = base_.on_event;
  options.on_event = [this, &started_any, forward, dir = event.direction](const RunEvent& e) {
    if (e.kind == RunEvent::Kind::kStarted) started_any = true;
    if (run_event_log_)
      run_event_log_(e, dir);
    else if (forward)
      forward(e);
  };
  // A coordinating lambda:N backfill starts its workers through this function.
  const std::string function =
      !invocation.function_arn.empty() ? invocation.function_arn : settings_.function_name;
  auto launcher = std::make_shared<InvokeLauncher>(invoker_.get(), function, settings_.backfill_lease,
                                                   settings_.backfill_poll);
  options.services.insert_or_assign(std::string(backfill::kWorkerLauncherService), [launcher]() -> std::any {
    return static_cast<backfill::WorkerLauncher*>(launcher.get());
  });
  MigrationRunner runner(migrations_, store_, options);
  RunRequest request;
  request.direction = event.direction;
  request.target = event.target;
  request.steps = event.steps;
  request.execution_id = execution_id;
  request.hop = hop;
  // The runner keeps the earlier hops' start time, plan and finished ids in what it writes.
  if (hop > 0) request.history = store_.get_execution(execution_id);
  const ExecutionResult result = runner.run(request);
  if (result.status != ExecutionStatus::kNeedsContinuation) {
    log("Execution " + result.execution_id + " hop " + std::to_string(hop) + ": " +
        std::string(to_string(result.status)) + (result.error.empty() ? "" : ": " + result.error));
    return execution_result_json(result);
  }
  if (!started_any) {
    const std::string error = "No progress in hop " + std::to_string(hop) +
                              ": the deadline margin was reached before any migration could start; raise the "
                              "function timeout or lower [lambda] stop_margin_seconds";
    return fail_run(event, result, error);
  }
  if (hop + 1 >= settings_.max_hops) {
    const std::string error = "Continuation hop limit exceeded (" + std::to_string(settings_.max_hops) +
                              " hops): stopped with " + std::to_string(result.migrations_remaining.size()) +
                              " migration(s) remaining; raise the function timeout or [lambda] max_hops";
    return fail_run(event, result, error);
  }
  return hand_over(event, result, invocation);
}

Json EventHandler::hand_over(const RunEventData& event, const ExecutionResult& result,
                             const InvocationInfo& invocation) {
  // The runner has written the execution as `running` with its whole history and kept the
  // lease for settings_.handover_ttl, so only the next hop of this execution can take it.
  const int next_hop = event.hop + 1;
  const std::string& execution_id = result.execution_id;
  const std::string function =
      !invocation.function_arn.empty() ? invocation.function_arn : settings_.function_name;
  Json payload = {{"direction", std::string(to_string(event.direction))},
                  {"executionId", execution_id},
                  {"hop", next_hop}};
  if (!event.target.empty()) payload["target"] = event.target;
  // This hop's plan was capped at `steps`: the next hop may run only what is left of them.
  if (event.steps) payload["steps"] = *event.steps - static_cast<int>(result.migrations_run.size());
  try {
    if (!invoker_ || function.empty()) {
      throw std::runtime_error("no function to invoke (AWS_LAMBDA_FUNCTION_NAME is not set)");
    }
    log("Re-invoking Lambda for continuation: execution " + execution_id + " hop " +
        std::to_string(next_hop) + " (" + std::to_string(result.migrations_remaining.size()) +
        " migration(s) remaining)");
    invoker_->invoke_async(function, payload);
  } catch (const std::exception& e) {
    const std::string error =
        "Could not start continuation hop " + std::to_string(next_hop) + ": " + e.what();
    return fail_run(event, result, error);  // which also releases the lease
  }
  Json j = execution_result_json(result);
  j["hop"] = event.hop;
  j["nextHop"] = next_hop;
  return j;
}

Json EventHandler::fail_run(const RunEventData& event, const ExecutionResult& result,
                            const std::string& error) {
  log(error);
  fail_execution(result.execution_id, event.direction, event.target, error);
  Json j = execution_result_json(result);
  j["status"] = "failed";
  j["error"] = error;
  return j;
}

bool EventHandler::fail_execution(const std::string& execution_id, Direction direction,
                                  const std::string& target, const std::string& error) {
  // who() may look the user up (getpwuid) and the host: once for the lease and the fallback.
  const Who closer = who({});
  const LeaseAttempt lock = short_lease(store_, execution_id, closer, base_, "lambda-closer");
  if (!lock.lease) {
    log("Could not record execution " + execution_id + " as failed: the lock is held by " +
        holder_text(lock.holder));
    return false;
  }
  ExecutionRecord fallback;
  fallback.direction = direction;
  fallback.target = target;
  fallback.who = closer;
  const WriteOutcome outcome = ExecutionLedger::close_execution(
      store_, execution_id, ExecutionStatus::kFailed, error, lock.lease->fence(), now(), fallback);
  // kConflict: it had ended already, which is what the caller wants.
  return outcome != WriteOutcome::kFenced;
}

// ---- backfill segment workers ---------------------------------------------------------------
Json EventHandler::run_backfill_worker(const backfill::WorkerEvent& event, const InvocationInfo& invocation) {
  Json answer = {{"executionId", event.execution_id},
                 {"migrationId", event.migration_id},
                 {"jobId", event.job_id},
                 {"worker", event.worker}};
  auto failed = [&](const std::string& error) {
    log("Backfill worker " + std::to_string(event.worker) + " of job " + event.job_id + ": " + error);
    answer["status"] = "failed";
    answer["error"] = error;
    return answer;
  };
  const std::int64_t deadline = invocation.deadline_ms;
  const auto margin = settings_.stop_margin;
  const std::function<std::chrono::milliseconds()> remaining = [this, deadline, margin] {
    if (deadline <= 0) return std::chrono::milliseconds::max();
    return std::chrono::milliseconds(deadline - now()) - margin;
  };
  if (remaining() <= std::chrono::milliseconds(0)) {
    return failed(
        "the deadline margin was reached before the worker could start; raise the function timeout or lower "
        "[lambda] stop_margin_seconds");
  }

  backfill::WorkerAssignment assignment;
  assignment.event = event;
  assignment.owner = std::string(backfill::kLambdaOwnerPrefix) +
                     (invocation.request_id.empty() ? new_uuid() : invocation.request_id) + "/" +
                     std::to_string(event.worker);
  assignment.lease_ttl = settings_.backfill_lease;
  assignment.should_stop = [remaining] { return remaining() <= std::chrono::milliseconds(0); };
  assignment.after_page_writes = settings_.backfill_after_page_writes;
  const std::string error = run_segment_worker(migrations_, assignment, base_, remaining,
                                               [this](const std::string& line) { log(line); });
  if (!error.empty()) return failed(error);

  const BackfillResult& result = assignment.result;
  answer["scanned"] = result.scanned;
  if (!result.stopped) {
    answer["status"] = "done";
    return answer;
  }
  // Deadline: the segment was saved and released; the same event carries on in a fresh
  // invocation (a duplicate of it claims only what is free).
  const std::string function =
      !invocation.function_arn.empty() ? invocation.function_arn : settings_.function_name;
  try {
    if (!invoker_ || function.empty()) {
      throw std::runtime_error("no function to invoke (AWS_LAMBDA_FUNCTION_NAME is not set)");
    }
    invoker_->invoke_async(function, backfill::worker_event_json(event));
  } catch (const std::exception& e) {
    // Its segments are free: the coordinator starts a worker again.
    return failed(std::string("could not continue: ") + e.what());
  }
  answer["status"] = "continued";
  return answer;
}

// ---- dispatcher ------------------------------------------------------------------------------
Json EventHandler::dispatch(const RunEventData& event, const InvocationInfo& invocation) {
  MigrationRunner runner(migrations_, store_, base_);
  const StatusReport report = runner.status();
  if (event.direction == Direction::kUp && report.pending.empty()) {
    log("No pending migrations, skipping dispatch");
    return {{"status", "no_work"}, {"pending", report.pending}, {"failed", report.failed}};
  }
  std::vector<std::string> planned;
  try {
    planned = runner.plan(PlanRequest{event.direction, event.target, event.steps});
  } catch (const PlanError& e) {
    return failed_result_json("", e.what());
  }
  const std::string& execution_id = event.execution_id;
  log("Dispatching migration run to external runtime: execution " + execution_id);

  // The execution exists before the task does, so a task that never starts is visible.
  if (ExecutionLedger::open_dispatched(store_, execution_id, event.direction, event.target, who(invocation),
                                       now(), planned) != WriteOutcome::kOk) {
    return failed_result_json(execution_id, "Execution " + execution_id + " already exists");
  }

  const DispatchSettings& d = settings_.dispatch;
  Json env =
      Json::array({Json{{"name", "MIGRATION_DIRECTION"}, {"value", std::string(to_string(event.direction))}},
                   Json{{"name", "MIGRATION_TARGET"}, {"value", event.target}},
                   Json{{"name", "MIGRATION_EXECUTION_ID"}, {"value", execution_id}}});
  if (event.steps) env.push_back(Json{{"name", "MIGRATION_STEPS"}, {"value", std::to_string(*event.steps)}});
  const Json request = run_task_request(d, env, "auric-migrations", execution_id);

  std::string error;
  std::string task_arn;
  try {
    if (!launcher_) throw std::runtime_error("no ECS client configured");
    task_arn = started_task_arn(launcher_->run_task(request), error);
  } catch (const std::exception& e) {
    error = std::string("ECS RunTask failed: ") + e.what();
  }
  if (!error.empty()) {
    log(error);
    if (ExecutionLedger::close_execution(store_, execution_id, ExecutionStatus::kFailed, error, 0, now()) ==
        WriteOutcome::kFenced) {
      log("Execution " + execution_id + " was taken up by a runner meanwhile; left as it records");
    }
    return failed_result_json(execution_id, error);
  }
  return {{"status", "dispatched"},
          {"executionId", execution_id},
          {"pending", report.pending},
          {"taskArn", task_arn}};
}

// ---- ECS task stopped ------------------------------------------------------------------------
Json EventHandler::task_stopped(const TaskStoppedAction& stopped) {
  const TaskStateEventData& t = stopped.task;
  const std::string& error = stopped.error;
  auto execution = store_.get_execution(t.execution_id);
  // The run finished (or was closed) already.
  if (execution && is_terminal(execution->status)) return ignored_result_json();

  ExecutionRecord fallback;
  fallback.direction = *t.direction;
  fallback.who.ecs_task_arn = t.task_arn;

  if (execution && execution->fence == 0) {
    // Written by the dispatcher and never taken up by a runner: no lock to respect.
    if (ExecutionLedger::close_execution(store_, t.execution_id, ExecutionStatus::kFailed, error, 0, now(),
                                         std::nullopt, t.task_arn) != WriteOutcome::kOk) {
      return ignored_result_json();  // a runner took it up (or closed it) meanwhile
    }
    log("Fargate task " + t.task_arn + " stopped before running execution " + t.execution_id + ": " + error);
    return {{"status", "recorded"}};
  }

  // The task is dead: take its lease over (same execution) and close out what it left.
  const LeaseAttempt lock = short_lease(store_, t.execution_id, who({}), base_, "task-stopped");
  if (!lock.lease) {
    // Another execution holds the lock; it recorded ours as interrupted when it took over.
    log("Task-stopped: the lock is held by " + holder_text(lock.holder) + "; leaving execution " +
        t.execution_id + " to it");
    return ignored_result_json();
  }
  Lease& lease = *lock.lease;
  if (const auto& prev = lease.previous();
      prev && prev->current && prev->current->execution_id == t.execution_id) {
    const CurrentRun& c = *prev->current;
    Who who = prev->who;
    who.ecs_task_arn = t.task_arn;
    const MigrationEntry* migration = nullptr;
    for (const auto& m : migrations_) {
      if (m.id == c.migration_id) migration = &m;
    }
    (void)ExecutionLedger::record_interrupted_run(
        store_, lease.fence(), *prev, "Fargate task stopped while migration was still running: " + error,
        migration, &who);
    // Lost it: the new holder closes out.
    if (lease.set_current(std::nullopt) != WriteOutcome::kOk) return ignored_result_json();
  }
  if (ExecutionLedger::close_execution(store_, t.execution_id, ExecutionStatus::kFailed, error, lease.fence(),
                                       now(), fallback, t.task_arn) == WriteOutcome::kFenced) {
    return ignored_result_json();
  }
  log("Fargate task " + t.task_arn + " stopped; execution " + t.execution_id +
      " recorded as failed: " + error);
  return {{"status", "recorded"}};
}

}  // namespace auric::lambda
