// Context::backfill (declared by <auric/migrations.hpp>): finds the job of this attempt chain in
// the migration's progress (or starts one and saves its id there), reaches the DynamoDB client
// and the store's segments through the runner's services, and runs the thread engine. Kept out
// of core, which knows no AWS type. With lambda:N or fargate:N it coordinates remote workers
// instead (docs/backfills.md, *Workers*); in a worker's Context (a WorkerAssignment service) it
// runs that worker's segment loop.
#include <any>
#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <auric/backfill.hpp>

#include "backfill/engine.hpp"
#include "backfill/workers.hpp"
#include "core/segment_store.hpp"
#include "core/system.hpp"

namespace auric {
namespace {

// Where ctx.backfill keeps its job ids in the migration's progress: {"auric_backfill": {name: id}}.
constexpr const char* kProgressKey = "auric_backfill";
constexpr std::chrono::milliseconds kLogEvery{10'000};

std::string workers_of(const BackfillSpec& spec, const Json& config) {
  if (!spec.workers.empty()) return spec.workers;
  if (config.is_object()) {
    const auto it = config.find("backfill_workers");
    if (it != config.end() && it->is_string()) return it->get<std::string>();
  }
  return "threads:4";
}

}  // namespace

BackfillResult Context::backfill(const BackfillSpec& spec, const BackfillFn& fn) {
  const std::any service_value = service(kSegmentStoreService);
  if (!service_value.has_value()) {
    throw std::runtime_error(
        "ctx.backfill(): this runner offers no segment store (it was started without one)");
  }
  SegmentStore& segments = *std::any_cast<SegmentStore*>(service_value);

  if (const std::any assigned = service(backfill::kWorkerAssignmentService); assigned.has_value()) {
    // A segment worker: run this worker's loop on the coordinator's job, then end the body.
    auto& assignment = *std::any_cast<backfill::WorkerAssignment*>(assigned);
    if (spec.name != assignment.event.name) return BackfillResult{};
    if (spec.table != assignment.event.table) {
      throw std::invalid_argument("ctx.backfill(): the worker event names table '" + assignment.event.table +
                                  "' but the migration's backfill " + spec.name + " scans '" + spec.table +
                                  "'");
    }
    backfill::EngineOptions options;
    options.threads = 1;
    options.owner = assignment.owner;
    options.lease_ttl = assignment.lease_ttl;
    options.take_over_other_threads = false;
    options.should_stop = assignment.should_stop;
    options.after_page_writes = assignment.after_page_writes;
    assignment.result =
        backfill::run_backfill(dynamodb(), segments, {migration_id(), assignment.event.job_id},
                               backfill::worker_spec(spec, assignment.event.workers), fn, options);
    assignment.ran = true;
    throw backfill::WorkerFinished{};
  }
  aws::DynamoDbClient& db = dynamodb();

  const auto choice = backfill::parse_workers(workers_of(spec, config()));
  backfill::WorkerLauncher* launcher = nullptr;
  std::shared_ptr<backfill::WorkerLauncher> fallback;  // fargate:N from the binary's default
  if (choice.kind == backfill::WorkerChoice::Kind::kLambda) {
    const std::any offered = service(backfill::kWorkerLauncherService);
    if (!offered.has_value()) {
      throw std::runtime_error("ctx.backfill(): lambda:" + std::to_string(choice.count) +
                               " workers are started by the Lambda runtime; this runner cannot start them "
                               "(run the migration on Lambda, or use threads:N)");
    }
    launcher = std::any_cast<backfill::WorkerLauncher*>(offered);
  } else if (choice.kind == backfill::WorkerChoice::Kind::kFargate) {
    if (const std::any offered = service(backfill::kFargateLauncherService); offered.has_value()) {
      launcher = std::any_cast<backfill::WorkerLauncher*>(offered);
    } else if (const auto& factory = backfill::default_fargate_launcher(); factory) {
      fallback = factory();  // throws, naming what is missing
      launcher = fallback.get();
    }
    if (launcher == nullptr) {
      throw std::runtime_error("ctx.backfill(): fargate:" + std::to_string(choice.count) +
                               " workers are started with ECS RunTask by a migrations binary; this runner "
                               "cannot start them (use threads:N)");
    }
  }
  backfill::EngineOptions options;
  options.threads = choice.count;
  options.should_stop = [this] { return should_stop(); };

  // The job: the one an earlier attempt started (its id is in progress()), else a new one
  // whose id is saved before any segment exists, so that a crash from here on resumes it.
  Json progress = this->progress();
  if (!progress.is_null() && !progress.is_object()) {
    throw std::invalid_argument(
        "ctx.backfill(): the migration's progress must be a JSON object (or null): ctx.backfill keeps its "
        "job id under \"auric_backfill\"");
  }
  std::string job_id;
  if (progress.is_object()) {
    const auto jobs = progress.find(kProgressKey);
    if (jobs != progress.end() && jobs->is_object() && jobs->contains(spec.name) &&
        jobs->at(spec.name).is_string())
      job_id = jobs->at(spec.name).get<std::string>();
  }
  if (job_id.empty()) {
    job_id = new_uuid();
    if (!spec.dry_run) {
      if (progress.is_null()) progress = Json::object();
      progress[kProgressKey][spec.name] = job_id;
      checkpoint(progress);
    }
  }

  BackfillSpec run_spec = spec;
  if (!run_spec.on_progress) {
    // The run's progress (ctx.report_progress: saved with the durable output, shown by the CLI,
    // `status` and the dashboard) after every saved page, and a log line at most every 10 s.
    // Calls are serialised by the engine.
    auto last = std::make_shared<std::int64_t>(0);
    run_spec.on_progress = [this, last, name = spec.name](const BackfillProgress& p) {
      report_progress(p.done, p.total, "items");
      const auto now = system_now_ms();
      if (now - *last < kLogEvery.count()) return;
      *last = now;
      int done = 0;
      for (const auto& s : p.segments) done += s.state == "done" ? 1 : 0;
      Json data{{"done", p.done}, {"segments_done", done}, {"segments", p.segments.size()}};
      if (p.total) data["total"] = *p.total;
      logger().info("backfill " + name + " progress", data);
    };
  }
  BackfillResult result;
  if (launcher != nullptr) {
    backfill::CoordinatorOptions coordinator;
    coordinator.workers = choice.count;
    coordinator.launcher = launcher;
    coordinator.event.direction = direction();
    coordinator.event.execution_id = execution_id();
    coordinator.should_stop = options.should_stop;
    result = backfill::coordinate_backfill(db, segments, {migration_id(), job_id}, run_spec, coordinator);
  } else {
    result = backfill::run_backfill(db, segments, {migration_id(), job_id}, run_spec, fn, options);
  }
  logger().info(std::string("backfill ") + spec.name + (result.stopped ? " stopped" : " finished"),
                result.to_json());
  if (result.stopped) suspend(this->progress());
  return result;
}

}  // namespace auric
