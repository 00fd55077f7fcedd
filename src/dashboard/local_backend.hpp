// LocalBackend: the dashboard backend of `<binary> dashboard`. Reads go straight to the store.
// Runs take one of two paths, chosen at construction:
//  - child processes (what the `dashboard` command uses): each run is the CLI itself,
//    `<binary> <global options> --json up|down ... --execution-id ID`, so its stdout and stderr
//    are captured exactly as from the CLI, and a migration that crashes ends only that child.
//    The live output is followed through the store (the run's durably saved record);
//  - in process (tests, benchmarks, a memory: store a child could not share): a MigrationRunner
//    on a thread of its own; stdio is not captured, a run's output is what its logger writes.
// Thread-safe: every method may be called from any thread; at most one run is in flight.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/runner.hpp"
#include "dashboard/backend.hpp"

namespace auric::dashboard {

// How runs are started as child processes: `<executable> <global_args...> --json up|down
// [--to=X] [--steps=N] --execution-id=ID`, stdin on /dev/null, stdout read by the backend (the
// result JSON), stderr shared with this process (progress lines and echoed output), in a
// process group of its own (a Ctrl-C in the terminal reaches only the dashboard, which then
// asks the child to stop once). The environment is inherited.
struct ChildRunOptions {
  std::string executable = "/proc/self/exe";  // this very binary
  std::string argv0 = "auric-migrations";     // the child's argv[0]: its name in messages
  // The global options that make the child see what the dashboard sees: `--store URL` (always
  // explicit), `--config FILE`, `--env NAME`.
  std::vector<std::string> global_args;
  std::chrono::milliseconds poll_interval{50};  // how often start_run looks for the execution
  // The child's [safety] (it reads the same config): what GET /api/plan checks against.
  SafetyPolicy safety;
  // One line (no newline) when a child ended abnormally (killed by a signal, or an exit code the
  // CLI does not document); unset: nothing is reported.
  std::function<void(const std::string&)> on_note;
};

class LocalBackend final : public DashboardBackend {
 public:
  // Progress of a run, with its direction (called on the run's thread; in-process runs only).
  using EventSink = std::function<void(Direction, const RunEvent&)>;

  // Runs in process. `runner_options` is copied for every run; capture_stdio, stop_requested
  // and on_event are overridden (no fd capture; the backend's own stop flag; `on_event`).
  // `store` must outlive the backend.
  LocalBackend(std::vector<MigrationEntry> migrations, Store& store, RunnerOptions runner_options = {},
               EventSink on_event = {});
  // Runs as child processes (see ChildRunOptions). `migrations` are the binary's (what the child
  // runs); `store` is the dashboard's connection to the store the child is told to use, and
  // must outlive the backend.
  LocalBackend(std::vector<MigrationEntry> migrations, Store& store, ChildRunOptions child);
  // Asks a run in flight to stop (see request_stop) and waits for it to end.
  ~LocalBackend() override;

  Store& store() override { return store_; }
  std::vector<MigrationInfo> migrations() override { return infos_; }
  // The runner options' safety (in process) or ChildRunOptions::safety (child processes).
  std::optional<SafetyPolicy> safety_policy() override { return options_.safety; }
  // What set_identity() said; before that, the base class's default.
  DashboardIdentity identity() override;
  // Names the store and environment shown by GET /api/identity. Call before serving.
  void set_identity(DashboardIdentity identity);
  // The store's data version: the migrations of this binary never change.
  std::optional<std::uint64_t> data_version() override { return store_.data_version(); }
  // In process: the running migration's buffer. Child processes: from the store, the running
  // record (status running, output as last saved, at most ~2 s old) of the lock's current run;
  // nullopt when nothing runs.
  std::optional<LiveOutput> live_output() override;
  // Returns once the run has recorded its execution (kStarted with its id), or with the reason
  // it could not start: kLockHeld (the lock is held, or a run started here is in flight),
  // kUsage (a bad target), kRefused (the safety policy: drift, out of order; a child says so
  // by exiting 4), kFailed (the store failed, or the child could not be started or died
  // before recording anything; the error names the exit code or signal).
  StartOutcome start_run(const RunParams& params) override;

  // Asks the run in flight (if any) to stop before its next migration or at its next
  // checkpoint: in process through the runner's stop flag, a child by one SIGTERM (it suspends
  // and exits 143, as the CLI does). Never sends a child a second signal.
  void request_stop();
  // Waits until no run is in flight (a child: until it has been reaped); false on timeout.
  bool wait_idle(std::chrono::milliseconds timeout);
  // True while a run started here is in flight.
  bool busy() const;

 private:
  struct Child;

  StartOutcome start_in_process(const RunParams& params, std::unique_lock<std::mutex>& lock);
  StartOutcome start_child(const RunParams& params, std::unique_lock<std::mutex>& lock);
  // The reaper of `child`: reads its stdout to the end, waits for it, clears busy_.
  void reap(const std::shared_ptr<Child>& child);
  // What a child that exited before it was seen recording `execution_id` means for the caller.
  StartOutcome outcome_of_exit(const Child& child, const std::string& execution_id);
  std::optional<LiveOutput> live_output_from_store();
  void join_finished();

  std::vector<MigrationEntry> migrations_;
  std::vector<MigrationInfo> infos_;
  Store& store_;
  RunnerOptions options_;
  EventSink on_event_;
  std::optional<DashboardIdentity> identity_;
  std::optional<ChildRunOptions> child_options_;  // set: runs are child processes
  std::atomic<bool> stop_{false};

  mutable std::mutex mutex_;
  std::condition_variable idle_cv_;
  bool busy_ = false;
  std::shared_ptr<MigrationRunner> runner_;  // the in-process run in flight (for live_output)
  std::shared_ptr<Child> child_;             // the child in flight, until reaped
  std::thread thread_;                       // waits for the run in flight (waiter or reaper)
};

}  // namespace auric::dashboard
