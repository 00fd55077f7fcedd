#include "lambda/backfill_worker.hpp"

#include <algorithm>
#include <any>
#include <stdexcept>

#include "app/env.hpp"
#include "core/system.hpp"

namespace auric::lambda {
namespace {

// The Context a segment worker runs the migration's body in: the runner's config, user context
// and services, plus the worker's assignment; progress() names the job, checkpoint() is a
// no-op (the coordinator owns the migration's progress), the deadline is the invocation's (Lambda)
// or none (Fargate: remaining() is zero once the task is told to stop).
class WorkerContext final : public Context {
 public:
  WorkerContext(const MigrationEntry& entry, backfill::WorkerAssignment& assignment,
                const RunnerOptions& base, std::function<std::chrono::milliseconds()> remaining,
                std::function<void(const std::string&)> log)
      : entry_(entry),
        assignment_(assignment),
        base_(base),
        remaining_(std::move(remaining)),
        logger_(std::move(log), "backfill worker " + std::to_string(assignment.event.worker) + ": "),
        progress_({{"auric_backfill", {{assignment.event.name, assignment.event.job_id}}}}) {}
  Logger& logger() override { return logger_; }
  const Json& config() const override { return base_.config; }
  std::any& user_context() override {
    if (!user_made_ && base_.make_user_context) user_ = base_.make_user_context(base_.config);
    user_made_ = true;
    return user_;
  }
  const std::string& migration_id() const override { return entry_.id; }
  const std::string& execution_id() const override { return assignment_.event.execution_id; }
  Direction direction() const override { return assignment_.event.direction; }
  std::chrono::milliseconds time_remaining() const override { return remaining_(); }
  bool should_stop() const override { return remaining_() <= std::chrono::milliseconds(0); }
  void checkpoint(const Json& /*progress*/) override {}
  const Json& progress() const override { return progress_; }

 protected:
  std::any service(std::string_view name) override {
    if (name == backfill::kWorkerAssignmentService) return &assignment_;
    const auto it = base_.services.find(name);
    if (it == base_.services.end() || !it->second) return {};
    return it->second();
  }

 private:
  class Lines final : public Logger {
   public:
    Lines(std::function<void(const std::string&)> log, std::string prefix)
        : log_(std::move(log)), prefix_(std::move(prefix)) {}
    void write(LogLevel /*level*/, std::string_view message, const Json& data) override {
      log_(prefix_ + std::string(message) + (data.is_null() ? std::string() : " " + data.dump()));
    }

   private:
    std::function<void(const std::string&)> log_;
    std::string prefix_;
  };
  const MigrationEntry& entry_;
  backfill::WorkerAssignment& assignment_;
  const RunnerOptions& base_;
  std::function<std::chrono::milliseconds()> remaining_;
  Lines logger_;
  Json progress_;
  std::any user_;
  bool user_made_ = false;
};

// fargate:N workers: one RunTask of the runner's task definition per launch.
class FargateLauncher final : public backfill::WorkerLauncher {
 public:
  FargateLauncher(FargateWorkerSettings settings, std::shared_ptr<TaskLauncher> ecs)
      : settings_(std::move(settings)), ecs_(std::move(ecs)) {}
  void launch(const backfill::WorkerEvent& event) override {
    const Json env =
        Json::array({Json{{"name", kBackfillWorkerEnv}, {"value", backfill::worker_event_json(event).dump()}},
                     Json{{"name", kBackfillLeaseEnv}, {"value", std::to_string(settings_.lease.count())}}});
    // A relaunched slot is a new task: every launch gets its own idempotency token.
    const Json request = run_task_request(settings_.task, env, "auric-backfill", new_uuid());
    std::string error;
    try {
      if (!ecs_) throw std::runtime_error("no ECS client configured");
      static_cast<void>(started_task_arn(ecs_->run_task(request), error));
    } catch (const std::exception& e) {
      error = std::string("ECS RunTask failed: ") + e.what();
    }
    if (!error.empty()) {
      throw std::runtime_error("cannot start fargate backfill worker " + std::to_string(event.worker) +
                               " of " + std::to_string(event.workers) + " (task definition " +
                               settings_.task.task_definition + " on cluster " + settings_.task.cluster +
                               "): " + error);
    }
  }
  std::chrono::milliseconds lease_ttl() const override { return settings_.lease; }
  std::chrono::milliseconds poll() const override { return settings_.poll; }
  std::chrono::milliseconds start_grace() const override { return settings_.start_grace; }

 private:
  FargateWorkerSettings settings_;
  std::shared_ptr<TaskLauncher> ecs_;
};

std::chrono::seconds seconds_from_env(const EnvLookup& env, const std::string& name,
                                      std::chrono::seconds fallback) {
  const auto text = env(name);
  if (!text) return fallback;
  const auto value = app::parse_whole_number(*text, 1);
  if (!value || *value > 86'400) {
    throw std::invalid_argument(name + " must be a whole number of seconds from 1 to 86400 (got '" + *text +
                                "')");
  }
  return std::chrono::seconds(*value);
}

}  // namespace

std::string run_segment_worker(const std::vector<MigrationEntry>& migrations,
                               backfill::WorkerAssignment& assignment, const RunnerOptions& base,
                               const std::function<std::chrono::milliseconds()>& remaining,
                               const std::function<void(const std::string&)>& log) {
  const backfill::WorkerEvent& event = assignment.event;
  const auto entry = std::find_if(migrations.begin(), migrations.end(),
                                  [&](const MigrationEntry& m) { return m.id == event.migration_id; });
  if (entry == migrations.end()) return "unknown migration " + event.migration_id + " in this binary";
  WorkerContext ctx(*entry, assignment, base, remaining, log);
  const auto& body = event.direction == Direction::kUp ? entry->migration.up : entry->migration.down;
  std::string error;
  try {
    if (!body)
      throw std::runtime_error("the migration has no " + std::string(to_string(event.direction)) + "()");
    static_cast<void>(body(ctx));
    error = "the migration's " + std::string(to_string(event.direction)) +
            "() returned without calling ctx.backfill for '" + event.name + "'";
  } catch (const backfill::WorkerFinished&) {
  } catch (const detail::SuspendSignal&) {
    error = "the migration suspended before reaching ctx.backfill for '" + event.name + "'";
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "the migration threw a non-standard exception";
  }
  if (error.empty() && !assignment.ran) error = "the worker's ctx.backfill did not run";
  return error;
}

FargateWorkerSettings fargate_worker_settings_from_env(const EnvLookup& env) {
  FargateWorkerSettings s;
  s.task = ecs_task_from_env(env, s.missing);
  // The workers' own role (what the backfill reads and writes), in place of the runner's.
  if (auto role = env("MIGRATION_BACKFILL_TASK_ROLE_ARN"))
    s.task.task_role_arn = iam_role_arn("MIGRATION_BACKFILL_TASK_ROLE_ARN", *role);
  s.lease = seconds_from_env(env, "MIGRATION_BACKFILL_LEASE_SECONDS", std::chrono::seconds(30));
  s.start_grace = seconds_from_env(env, "MIGRATION_BACKFILL_START_SECONDS", std::chrono::seconds(180));
  // Often enough to take a dead worker's segments over soon after its lease, and to show progress.
  s.poll = std::min<std::chrono::milliseconds>(std::chrono::seconds(1), s.lease / 2);
  return s;
}

std::shared_ptr<backfill::WorkerLauncher> make_fargate_launcher(FargateWorkerSettings settings,
                                                                std::shared_ptr<TaskLauncher> ecs) {
  if (!settings.missing.empty()) {
    throw std::invalid_argument(
        "fargate:N backfill workers are ECS tasks of the runner's task definition: set" + settings.missing +
        " (and MIGRATION_SECURITY_GROUPS, MIGRATION_CONTAINER_NAME as needed; docs/fargate.md), or use "
        "threads:N");
  }
  return std::make_shared<FargateLauncher>(std::move(settings), std::move(ecs));
}

}  // namespace auric::lambda
