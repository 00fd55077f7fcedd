// MigrationRunner: plans and runs migrations against a Store under the lease lock, with
// fencing, heartbeats, interrupted-run recovery and output capture (docs/ARCHITECTURE.md
// "The run protocol"). One runner runs one execution at a time; its public methods must be
// called from one thread. The store must outlive the runner.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <auric/migrations.hpp>

#include "core/plan.hpp"
#include "core/records.hpp"
#include "core/store.hpp"

namespace auric {

// Progress notifications, for the CLI's running commentary and the dashboard.
struct RunEvent {
  enum class Kind {
    kWaitingForLock,  // lock = the holder
    kPlanned,         // ids = the plan
    kRecovered,       // id = a migration found interrupted and recorded as such
    kStarted,         // id
    kFinished,        // id, status, duration_ms, error
    kStopping,        // error = why the run stops early (deadline, signal, lease lost)
  };
  Kind kind;
  std::string id;
  std::vector<std::string> ids;
  RunStatus status = RunStatus::kCompleted;
  std::int64_t duration_ms = 0;
  std::string error;
  std::optional<LockInfo> lock;
};

struct RunnerOptions {
  std::chrono::milliseconds lease_ttl{60'000};
  std::chrono::milliseconds heartbeat{15'000};
  bool wait_for_lock = false;                       // --wait
  std::chrono::milliseconds wait_timeout{600'000};  // give up waiting after this long
  bool capture_stdio = true;                        // tee fds 1/2 into the run's output
  Who who;                                          // defaults to current_who()
  Json config = Json::object();                     // the config's [context] table
  std::function<std::any(const Json&)> make_user_context;
  // Returns the client behind Context::dynamodb() (the CLI passes a lazily created one, see
  // store/dynamodb_store.hpp); unset: Context::dynamodb() throws.
  std::function<aws::DynamoDbClient&()> dynamodb;
  // Time left before the run must hand over (Lambda); unset means no deadline.
  std::function<std::chrono::milliseconds()> time_remaining;
  std::chrono::milliseconds stop_margin{60'000};  // stop when time_remaining() <= margin
  // When > 0 and the run ends needing continuation, the lease is kept (extended by this much)
  // instead of released, so no other runner can slip in before the next Lambda hop re-enters it
  // for the same execution (LockRequest::reenter_execution).
  std::chrono::milliseconds handover_ttl{0};
  const std::atomic<bool>* stop_requested = nullptr;  // set by a SIGTERM/SIGINT handler
  std::function<void(const RunEvent&)> on_event;
  std::function<std::int64_t()> now_ms;  // defaults to the system clock
};

struct RunRequest {
  Direction direction = Direction::kUp;
  std::string target;
  std::optional<int> steps;
  std::string execution_id;  // empty: a new UUID
  int hop = 0;               // Lambda continuation hop (0 for the first)
  bool dry_run = false;
  // For a continuation hop: the execution as the earlier hops left it. The records this run
  // writes keep its start time, its whole plan and its finished ids (this run's result still
  // reports only this hop's), so no extra read is needed per hop.
  std::optional<ExecutionRecord> history;
};

struct ExecutionResult {
  enum class Failure {
    kNone,
    kMigrationFailed,  // a migration threw: exit 1
    kUsage,            // bad target/steps: exit 2
    kLockHeld,         // another runner holds the lock: exit 3
    kStore,            // the store failed or the lease was lost: exit 1
  };
  ExecutionStatus status = ExecutionStatus::kCompleted;
  std::string execution_id;
  Direction direction = Direction::kUp;
  std::vector<std::string> planned;
  std::vector<std::string> migrations_run;
  std::vector<std::string> migrations_remaining;
  std::string error;
  Failure failure = Failure::kNone;
  std::optional<LockInfo> holder;  // with kLockHeld
  bool dry_run = false;
};

// Records the run a dead holder left in the lock's `current` as `interrupted`: the state (with
// `error`, the run's checkpoint kept as progress) under `fence`, then the run record, unless the
// dead run's own outcome was written first (then nothing changes and false is returned).
// `migration` supplies description and checksum when known; `who` is the dead run's holder.
bool record_interrupted_run(Store& store, const CurrentRun& current, std::int64_t fence, std::int64_t now_ms,
                            const std::string& error, const Who& who, const MigrationEntry* migration);

class MigrationRunner {
 public:
  MigrationRunner(std::vector<MigrationEntry> migrations, Store& store, RunnerOptions options = {});
  ~MigrationRunner();
  MigrationRunner(const MigrationRunner&) = delete;
  MigrationRunner& operator=(const MigrationRunner&) = delete;

  // Runs (or with dry_run, only plans) one execution. Never throws for migration failures,
  // lock contention or bad targets: they are reported in the result. Throws StoreError only
  // when the store fails before anything was written.
  ExecutionResult run(const RunRequest& request);
  ExecutionResult up(const std::string& target = {}, std::optional<int> steps = std::nullopt);
  ExecutionResult down(const std::string& target = {}, std::optional<int> steps = std::nullopt);

  // One read of the states; never takes the lock.
  StatusReport status();
  // What run() would execute now. Throws PlanError.
  std::vector<std::string> plan(const PlanRequest& request);

  const std::vector<MigrationEntry>& migrations() const { return migrations_; }
  std::vector<std::string> known_ids() const;

  // The migration running right now and its output so far (for live views); nullopt when
  // nothing runs. Safe to call from any thread.
  std::optional<std::pair<std::string, std::string>> live_output() const;

 private:
  class Execution;
  struct Live;
  std::vector<MigrationEntry> migrations_;
  Store& store_;
  RunnerOptions options_;
  std::unique_ptr<Live> live_;
};

}  // namespace auric
