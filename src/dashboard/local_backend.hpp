// LocalBackend: the dashboard backend of `<binary> dashboard`. Reads go straight to the store;
// runs execute in this process on one background thread, through a MigrationRunner per run
// (so the lock, fencing, recovery and records are exactly the CLI's). stdio is not captured
// (the server shares the process): a run's output is what its Context logger writes.
// Thread-safe: every method may be called from any thread; at most one run is in flight.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/runner.hpp"
#include "dashboard/backend.hpp"

namespace auric::dashboard {

class LocalBackend final : public DashboardBackend {
 public:
  // Progress of a run, with its direction (called on the run's thread).
  using EventSink = std::function<void(Direction, const RunEvent&)>;

  // `runner_options` is copied for every run; capture_stdio, stop_requested and on_event are
  // overridden (no fd capture; the backend's own stop flag; `on_event`). `store` must outlive
  // the backend.
  LocalBackend(std::vector<MigrationEntry> migrations, Store& store, RunnerOptions runner_options = {},
               EventSink on_event = {});
  // Asks a run in flight to stop before its next migration and waits for it.
  ~LocalBackend() override;

  Store& store() override { return store_; }
  std::vector<MigrationInfo> migrations() override { return infos_; }
  // The store's data version: the migrations of this binary never change.
  std::optional<std::uint64_t> data_version() override { return store_.data_version(); }
  std::optional<LiveOutput> live_output() override;
  // Returns once the runner holds the lock and has recorded the execution (its first
  // migration has started, or the whole run is over), or with the reason it could not start.
  StartOutcome start_run(const RunParams& params) override;

  // Asks the run in flight (if any) to stop before its next migration.
  void request_stop();
  // Waits until no run is in flight; false on timeout.
  bool wait_idle(std::chrono::milliseconds timeout);
  // True while a run started here is in flight.
  bool busy() const;

 private:
  void join_finished();

  std::vector<MigrationEntry> migrations_;
  std::vector<MigrationInfo> infos_;
  Store& store_;
  RunnerOptions options_;
  EventSink on_event_;
  std::atomic<bool> stop_{false};

  mutable std::mutex mutex_;
  std::condition_variable idle_cv_;
  bool busy_ = false;
  std::shared_ptr<MigrationRunner> runner_;  // the run in flight (for live_output)
  std::thread thread_;
};

}  // namespace auric::dashboard
