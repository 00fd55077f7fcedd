#include "backfill/workers.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "aws/dynamodb.hpp"
#include "backfill/rate_limiter.hpp"

namespace auric::backfill {
namespace {

using nlohmann::json;

// The worker slot of a remote worker's owner "lambda/<request id>/<k>" or
// "fargate/<task id>/<k>"; -1 for any other owner.
int slot_of(const std::string& owner) {
  if (!owner.starts_with(kLambdaOwnerPrefix) && !owner.starts_with(kFargateOwnerPrefix)) return -1;
  const auto slash = owner.rfind('/');
  if (slash == std::string::npos || slash + 1 >= owner.size()) return -1;
  int k = 0;
  for (std::size_t i = slash + 1; i < owner.size(); ++i) {
    if (owner[i] < '0' || owner[i] > '9' || k > 100'000) return -1;
    k = k * 10 + (owner[i] - '0');
  }
  return k;
}

void report(const BackfillSpec& spec, const std::vector<SegmentRecord>& records,
            std::optional<std::int64_t> total) {
  if (!spec.on_progress) return;
  BackfillProgress progress;
  progress.total = total;
  for (const auto& r : records) {
    progress.done += r.counts.scanned;
    progress.segments.push_back({r.segment, std::string(to_string(r.state)), r.counts.scanned});
  }
  spec.on_progress(progress);
}

// How far a job has got: items read plus segments finished (each saved page moves it).
std::int64_t progress_of(const std::vector<SegmentRecord>& records) {
  std::int64_t p = 0;
  for (const auto& r : records) p += r.counts.scanned + (r.terminal() ? 1 : 0);
  return p;
}

WorkerLauncherFactory& fargate_factory() {
  static WorkerLauncherFactory factory;
  return factory;
}

}  // namespace

void set_default_fargate_launcher(WorkerLauncherFactory factory) {
  fargate_factory() = std::move(factory);
}

const WorkerLauncherFactory& default_fargate_launcher() {
  return fargate_factory();
}

json worker_event_json(const WorkerEvent& e) {
  return {{"auric", "backfill-worker"},
          {"migrationId", e.migration_id},
          {"direction", std::string(to_string(e.direction))},
          {"executionId", e.execution_id},
          {"jobId", e.job_id},
          {"name", e.name},
          {"table", e.table},
          {"worker", e.worker},
          {"workers", e.workers}};
}

BackfillSpec worker_spec(const BackfillSpec& spec, int workers) {
  BackfillSpec share = spec;
  share.read_units_per_second = worker_share(spec.read_units_per_second, workers);
  share.write_units_per_second = worker_share(spec.write_units_per_second, workers);
  return share;
}

BackfillResult coordinate_backfill(aws::DynamoDbClient& db, SegmentStore& segments, const SegmentJob& job,
                                   const BackfillSpec& spec, const CoordinatorOptions& options) {
  if (options.launcher == nullptr) throw std::invalid_argument("coordinate_backfill: no worker launcher");
  if (spec.dry_run) {
    throw std::invalid_argument(
        "ctx.backfill(): a dry run keeps its segments in memory: use threads:N workers");
  }
  if (spec.table.empty()) throw std::invalid_argument("ctx.backfill(): the spec names no table");
  segment_rules::check_job(job);
  BackfillClock& clock = options.clock != nullptr ? *options.clock : system_clock();
  const int workers = std::max(1, options.workers);

  const SourceTable source = describe_source(db, spec, workers);
  const std::optional<std::int64_t> total_items = source.item_count;
  const int total = source.total_segments;
  static_cast<void>(segments.create_segments(job, total, clock.now_ms()));

  const auto lease = options.launcher->lease_ttl();
  const auto grace = options.launcher->start_grace();
  std::map<int, std::int64_t> launched;       // slot -> when this coordinator last launched it
  std::set<int> seen;                         // slots seen holding a segment since their last launch
  std::optional<std::int64_t> relaunch_mark;  // the job's progress at the last relaunch
  int fruitless = 0;                          // relaunches in a row with no progress after them
  for (;;) {
    const auto records = segments.list_segments(job);
    report(spec, records, total_items);
    const bool failed = std::any_of(records.begin(), records.end(),
                                    [](const auto& r) { return r.state == SegmentState::kFailed; });
    if (failed) {
      auto result = result_of(job.job_id, records, spec);
      const std::string first = result.errors.empty() ? std::string()
                                                      : "; the first: " + result.errors.front().key + ": " +
                                                            result.errors.front().message;
      throw BackfillFailed("backfill " + spec.name + " of " + spec.table + ": a worker gave up (more than " +
                               std::to_string(spec.errors.max_errors) + " items failed)" + first,
                           result);
    }
    if (std::all_of(records.begin(), records.end(), [](const auto& r) { return r.terminal(); }))
      return result_of(job.job_id, records, spec);
    if (options.should_stop && options.should_stop()) {
      auto result = result_of(job.job_id, records, spec);
      result.stopped = true;
      return result;
    }
    const auto now = clock.now_ms();
    std::set<int> alive;
    int claimable = 0;
    for (const auto& r : records) {
      if (r.terminal()) continue;
      if (r.owner.empty() || r.lease_expires_at <= now) {
        ++claimable;
      } else if (const int k = slot_of(r.owner); k >= 0) {
        alive.insert(k);
        seen.insert(k);
      }
    }
    const std::int64_t progress = progress_of(records);
    for (int k = 0; k < workers && claimable > 0; ++k) {
      if (alive.contains(k)) continue;
      const auto it = launched.find(k);
      const auto wait = seen.contains(k) ? lease : std::max(lease, grace);
      if (it != launched.end() && now - it->second < wait.count()) {
        --claimable;  // starting, or between hops: it will claim one
        continue;
      }
      if (it != launched.end()) {  // a relaunch: count those the job did not move after
        if (progress != relaunch_mark) {
          relaunch_mark = progress;
          fruitless = 0;
        }
        if (fruitless >= options.max_fruitless_relaunches) {
          throw BackfillFailed("backfill " + spec.name + " of " + spec.table +
                                   ": worker slots were started again " + std::to_string(fruitless) +
                                   " times in a row and no item was read nor segment finished since: the "
                                   "workers fail before their first page; see their logs (the function's, or "
                                   "the tasks'), mend the cause and run again (the job resumes)",
                               result_of(job.job_id, records, spec));
        }
        ++fruitless;
      }
      WorkerEvent event = options.event;
      event.migration_id = job.migration_id;
      event.job_id = job.job_id;
      event.name = spec.name;
      event.table = spec.table;
      event.worker = k;
      event.workers = workers;
      options.launcher->launch(event);
      launched[k] = now;
      seen.erase(k);
      --claimable;
    }
    clock.sleep_for(options.launcher->poll());
  }
}

}  // namespace auric::backfill
