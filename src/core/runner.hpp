// MigrationRunner: plans and runs migrations against a Store under the lease lock, with
// fencing, heartbeats, interrupted-run recovery and output capture (docs/ARCHITECTURE.md
// "The run protocol"). One runner runs one execution at a time; its public methods must be
// called from one thread. The store must outlive the runner.
#pragma once

#include <any>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <auric/migrations.hpp>

#include "core/lease.hpp"
#include "core/ledger.hpp"
#include "core/manual.hpp"
#include "core/plan.hpp"
#include "core/policy.hpp"
#include "core/records.hpp"
#include "core/store.hpp"

namespace auric {

// Why a run stopped before its plan was done (other than a migration failing).
enum class StopReason {
  kNone,
  kSignal,     // SIGINT/SIGTERM (RunnerOptions::stop_requested): suspended, resumable
  kDeadline,   // the Lambda deadline margin: handed over to the next hop
  kLeaseLost,  // another runner holds the lock now
};
std::string_view to_string(StopReason reason);

// Progress notifications, for the CLI's running commentary and the dashboard.
struct RunEvent {
  enum class Kind {
    kWaitingForLock,  // lock = the holder
    kPlanned,         // ids = the plan
    kRecovered,       // id = a migration found interrupted and recorded as such
    kStarted,         // id
    kFinished,        // id, status, duration_ms, error
    kStopping,        // stop, error = why the run stops early (deadline, signal, lease lost)
    kTookOver,        // lock = a dead holder on this host whose lease was taken at once
  };
  Kind kind;
  Direction direction = Direction::kUp;
  StopReason stop = StopReason::kNone;
  std::string id;
  std::vector<std::string> ids;
  RunStatus status = RunStatus::kCompleted;
  std::int64_t duration_ms = 0;
  std::string error;
  std::optional<LockInfo> lock;
};

struct RunnerOptions {
  std::chrono::milliseconds lease_ttl = kDefaultLeaseTtl;
  std::chrono::milliseconds heartbeat = kDefaultHeartbeat;
  DurableOutputPolicy durable_output;               // how often a running run's output is saved
  bool wait_for_lock = false;                       // --wait
  std::chrono::milliseconds wait_timeout{600'000};  // give up waiting after this long
  bool capture_stdio = true;                        // tee fds 1/2 into the run's output
  Who who;                                          // defaults to current_who()
  Json config = Json::object();                     // the config's [context] table
  std::function<std::any(const Json&)> make_user_context;
  // What a migration reaches through Context beyond the core (Context::service()): by name,
  // a function returning a pointer to the service in a std::any, called on each use. The app
  // offers "dynamodb", the client behind Context::dynamodb() (store/dynamodb_client_factory.hpp).
  // A name without an entry: the service is unavailable.
  std::map<std::string, std::function<std::any()>, std::less<>> services;
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
  // Drift and ordering checks made under the lease before anything is recorded
  // (core/policy.hpp); a refused run records nothing.
  SafetyPolicy safety;
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
  std::string reason;  // recorded on the execution (--reason)
};

struct ExecutionResult {
  enum class Failure {
    kNone,
    kMigrationFailed,  // a migration threw: exit 1
    kUsage,            // bad target/steps: exit 2
    kLockHeld,         // another runner holds the lock: exit 3
    kStore,            // the store failed or the lease was lost: exit 1
    kStopped,          // stopped by a signal, suspended: exit 128 + the signal (130, 143)
    kRefused,          // refused by the safety policy (drift, out of order): exit 4; nothing recorded
  };
  ExecutionStatus status = ExecutionStatus::kCompleted;
  std::string execution_id;
  Direction direction = Direction::kUp;
  std::vector<std::string> planned;
  std::vector<std::string> migrations_run;
  std::vector<std::string> migrations_remaining;
  std::string error;
  Failure failure = Failure::kNone;
  std::optional<LockInfo> holder;     // with kLockHeld
  std::optional<RunRefusal> refusal;  // with kRefused
  std::string note;                   // manual(): why nothing changed ("... is already applied")
  StopReason stop = StopReason::kNone;
  bool dry_run = false;
};

// What redo did: the rollback, then (when it rolled anything back) the re-application of
// exactly those migrations, two executions under one lease.
struct RedoResult {
  ExecutionResult down;
  std::optional<ExecutionResult> up;  // absent when the rollback failed, was refused or had nothing
};

class RunHandle;

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
  // Runs the execution on a thread of its own; the handle tells when it has started (the
  // lock taken and the execution recorded, or refused) and when it has finished. The runner
  // must outlive the handle.
  RunHandle start(const RunRequest& request);
  ExecutionResult up(const std::string& target = {}, std::optional<int> steps = std::nullopt);
  ExecutionResult down(const std::string& target = {}, std::optional<int> steps = std::nullopt);
  // Performs a manual state change (core/manual.hpp) under the lease, recorded as one
  // execution of kind manual with a manual run per changed migration; nothing is recorded
  // when nothing changes or the change is refused (Failure::kRefused). A bad target is
  // Failure::kUsage. Never runs a migration body. planned = migrations_run = the changed ids.
  ExecutionResult manual(const ManualRequest& request);
  // Rolls back the `steps` most recently applied migrations and applies exactly those again,
  // under one lease (two executions: a down, then an up). Subject to the safety policy as
  // `down` is. With dry_run, only plans.
  RedoResult redo(int steps = 1, const std::string& reason = {}, bool dry_run = false);

  // One read of the states; never takes the lock.
  StatusReport status();
  // What run() would execute now. Throws PlanError.
  std::vector<std::string> plan(const PlanRequest& request);

  const std::vector<MigrationEntry>& migrations() const { return migrations_; }
  std::vector<std::string> known_ids() const;

  // The migration running right now and its output so far (for live views); nullopt when
  // nothing runs. Safe to call from any thread.
  std::optional<std::pair<std::string, std::string>> live_output() const;
  // The migration running right now and its latest report_progress (version 0 when it has
  // reported none); nullopt when nothing runs. Safe to call from any thread.
  std::optional<std::pair<std::string, ProgressSnapshot>> live_progress() const;

 private:
  class Execution;
  struct Live;
  std::vector<MigrationEntry> migrations_;
  Store& store_;
  RunnerOptions options_;
  std::unique_ptr<Live> live_;
};

// A run started by MigrationRunner::start.
class RunHandle {
 public:
  RunHandle(RunHandle&&) noexcept;
  RunHandle& operator=(RunHandle&&) noexcept;
  ~RunHandle();  // waits for the run to finish

  // Blocks until the run has started: its execution id when it took the lock and recorded
  // the execution, or nullopt when it ended before that (lock held, bad request, dry run).
  std::optional<std::string> started();
  // Blocks until the run has finished.
  ExecutionResult finished();

 private:
  friend class MigrationRunner;
  struct State;
  explicit RunHandle(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace auric
