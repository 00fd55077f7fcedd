// Remote backfill segment workers (docs/backfills.md, *Workers*), shared by the Lambda handler
// (lambda:N: a segment-worker event) and the `fargate` command (fargate:N: a task started with
// AURIC_BACKFILL_WORKER): running one worker, the migration's body in a worker context; and the
// fargate:N launcher, ECS RunTask of the runner's own task definition (docs/fargate.md).
// Thread-compatible; the launcher is called from the coordinator's thread only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backfill/workers.hpp"
#include "core/runner.hpp"
#include "lambda/handler.hpp"

namespace auric::lambda {

// The container override variables of a fargate:N worker task: the segment-worker event (its
// JSON, as Lambda workers get it) and the segment lease the coordinator expects (ms).
inline constexpr const char* kBackfillWorkerEnv = "AURIC_BACKFILL_WORKER";
inline constexpr const char* kBackfillLeaseEnv = "AURIC_BACKFILL_LEASE_MS";

// Runs one segment worker: the up()/down() of the event's migration in a worker context (the
// runner's config, user context and services of `base`, plus `assignment`; progress() names the
// job, checkpoint() is a no-op, should_stop() is remaining() <= 0) until its ctx.backfill of
// the event's name ran the segment loop (the outcome in assignment.result). Returns "" then,
// else the error: a migration this binary lacks, no such body, a body that returned or
// suspended before reaching that backfill, or what it threw.
std::string run_segment_worker(const std::vector<MigrationEntry>& migrations,
                               backfill::WorkerAssignment& assignment, const RunnerOptions& base,
                               const std::function<std::chrono::milliseconds()>& remaining,
                               const std::function<void(const std::string&)>& log);

// fargate:N: the task the workers run in and the coordinator's timings.
struct FargateWorkerSettings {
  DispatchSettings task;  // cluster, task definition, network, container, launch type
  std::string missing;    // the required variables that are unset (" MIGRATION_CLUSTER ..."); "" = ready
  std::chrono::milliseconds lease{30'000};
  std::chrono::milliseconds poll{1'000};
  std::chrono::milliseconds start_grace{180'000};  // a task's start before its slot is launched again
};

// The variables of ecs_task_from_env() (the dispatcher's) plus MIGRATION_BACKFILL_LEASE_SECONDS
// (default 30), MIGRATION_BACKFILL_START_SECONDS (default 180) and
// MIGRATION_BACKFILL_TASK_ROLE_ARN (the workers' task role; wins over MIGRATION_TASK_ROLE_ARN). Throws
// std::invalid_argument for a malformed value; a missing one is only listed in `missing`.
FargateWorkerSettings fargate_worker_settings_from_env(const EnvLookup& env);

// The fargate:N launcher: each launch is one RunTask of settings.task (count 1, startedBy
// "auric-backfill") whose container override sets kBackfillWorkerEnv and kBackfillLeaseEnv.
// Throws std::invalid_argument naming the variables when settings.missing is not empty. Its
// launch() throws std::runtime_error when RunTask fails or starts no task.
std::shared_ptr<backfill::WorkerLauncher> make_fargate_launcher(FargateWorkerSettings settings,
                                                                std::shared_ptr<TaskLauncher> ecs);

}  // namespace auric::lambda
