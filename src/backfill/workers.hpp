// Backfill segment workers in other processes (docs/backfills.md, *Workers*): `lambda:N` and
// `fargate:N`. The coordinating migration creates the job's segments, starts N workers through
// a WorkerLauncher (the Lambda runtime offers one: asynchronous self-invocations with the
// segment-worker event, docs/lambda.md; fargate:N: ECS RunTask of the runner's task
// definition, docs/fargate.md) and waits, listing the segments; a worker re-runs the
// migration's up()/down() with a WorkerAssignment in its Context, whose ctx.backfill runs that
// worker's segment loop and then throws WorkerFinished. The coordinator runs on one thread;
// a launcher may be called from it only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <auric/backfill.hpp>

#include "backfill/engine.hpp"
#include "core/segment_store.hpp"

namespace auric::backfill {

// Context::service() names: the coordinator's WorkerLauncher* for lambda:N and for fargate:N,
// a worker's WorkerAssignment*.
inline constexpr std::string_view kWorkerLauncherService = "backfill.worker_launcher";
inline constexpr std::string_view kFargateLauncherService = "backfill.fargate_launcher";
inline constexpr std::string_view kWorkerAssignmentService = "backfill.worker_assignment";
// Owners of Lambda workers: "lambda/<request id>/<worker>"; of Fargate workers:
// "fargate/<task id>/<worker>".
inline constexpr std::string_view kLambdaOwnerPrefix = "lambda/";
inline constexpr std::string_view kFargateOwnerPrefix = "fargate/";

// What a segment-worker event carries (docs/lambda.md): which job, which worker of how many.
// The spec itself is the migration code's: the worker checks that the table agrees.
struct WorkerEvent {
  std::string migration_id;
  Direction direction = Direction::kUp;
  std::string execution_id;
  std::string job_id;
  std::string name;   // the spec's name: which ctx.backfill of the migration
  std::string table;  // the spec's table
  int worker = 0;     // 0 .. workers-1
  int workers = 1;
  bool operator==(const WorkerEvent&) const = default;
};

// {"auric": "backfill-worker", migrationId, direction, executionId, jobId, name, table, worker,
// workers}.
nlohmann::json worker_event_json(const WorkerEvent& event);

// Starts segment workers. launch() starts one with `event` and returns without waiting
// (Lambda: an Event invocation). Throws on failure (the coordinator gives up: the failure of
// the medium propagates out of ctx.backfill).
class WorkerLauncher {
 public:
  virtual ~WorkerLauncher() = default;
  virtual void launch(const WorkerEvent& event) = 0;
  // The segment lease the workers take (a dead worker's segments are re-claimed after it).
  virtual std::chrono::milliseconds lease_ttl() const { return kDefaultSegmentLease; }
  // How often the coordinator lists the segments.
  virtual std::chrono::milliseconds poll() const { return std::chrono::milliseconds(1'000); }
  // How long a launched worker may take to show up holding a segment before its slot is
  // launched again (a Fargate task takes a minute to start; a Lambda invocation a moment).
  virtual std::chrono::milliseconds start_grace() const { return lease_ttl(); }
};

// The launcher a runner that offers none under kFargateLauncherService falls back to (the CLI's
// up/down, the dashboard): set once at startup by the binary's entry, before any run (the
// migrations binary's: ECS RunTask configured from the environment, docs/fargate.md). The
// factory is called per coordinating ctx.backfill and throws, naming what is missing, when it
// cannot start workers. Not thread-safe against runs.
using WorkerLauncherFactory = std::function<std::shared_ptr<WorkerLauncher>()>;
void set_default_fargate_launcher(WorkerLauncherFactory factory);
const WorkerLauncherFactory& default_fargate_launcher();

// A worker's part, offered by the worker's Context under kWorkerAssignmentService. ctx.backfill
// with the assignment's name runs the worker loop (as `owner`, stopping when should_stop()),
// stores the outcome here and throws WorkerFinished; a ctx.backfill with another name returns
// an empty result without doing anything (it is another job's business).
struct WorkerAssignment {
  WorkerEvent event;
  std::string owner;
  std::chrono::milliseconds lease_ttl = kDefaultSegmentLease;
  std::function<bool()> should_stop;
  // Test hook, passed to EngineOptions::after_page_writes: throwing from it ends the worker as
  // a killed process would (its page written, the cursor not saved, the segment still held).
  std::function<void(int segment, std::size_t page)> after_page_writes;
  // Set by ctx.backfill.
  bool ran = false;
  BackfillResult result;  // this worker's view: the job's totals when it returned; stopped: continue
};

// Thrown by ctx.backfill in worker mode once the worker loop returned, so that nothing after
// the backfill in the migration's body runs in a worker. Not a std::exception.
struct WorkerFinished {};

struct CoordinatorOptions {
  int workers = 1;
  WorkerLauncher* launcher = nullptr;
  WorkerEvent event;  // the workers' event (worker and workers are set per launch)
  std::function<bool()> should_stop;
  BackfillClock* clock = nullptr;  // nullptr: the system clock
  // Relaunches in a row after which no item was read and no segment finished: one more and the
  // coordinator gives up (BackfillFailed), as the workers die before their first page.
  int max_fruitless_relaunches = 3;
};

// The coordinator of a lambda:N or fargate:N job: creates the segments (DescribeTable sizes
// them as for threads), launches the workers, then lists the segments every poll until every
// one is done (the job's totals), one is failed (throws BackfillFailed with the totals) or
// should_stop() (the totals so far, `stopped`: the next attempt resumes waiting). A worker slot
// k with no live segment holder while some segment is free or its lease expired is launched
// again (at most once per lease, or per start_grace() while the launched worker has not been
// seen holding a segment; a slot still starting counts as one claimant): that is how a dead
// worker's segments are taken over. When max_fruitless_relaunches relaunches in a row were
// followed by no progress (items read, segments finished) and another is due, it throws
// BackfillFailed naming that. Throws as run_backfill, and what the launcher throws.
BackfillResult coordinate_backfill(aws::DynamoDbClient& db, SegmentStore& segments, const SegmentJob& job,
                                   const BackfillSpec& spec, const CoordinatorOptions& options);

// The spec a worker runs: the budget split by worker_share across `workers`.
BackfillSpec worker_spec(const BackfillSpec& spec, int workers);

}  // namespace auric::backfill
