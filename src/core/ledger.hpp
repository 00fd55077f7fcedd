// ExecutionLedger: the only code that builds run, state and execution records and writes
// them (docs/ARCHITECTURE.md "The run protocol"). Every write is fenced by the Lease it is
// given; outcomes are returned [[nodiscard]] (WriteOutcome) or turned into LeaseLost.
//
// Durable output: while a migration runs, its record is written as `running` with the output
// so far (and its reported progress) at most every 2 s and whenever 16 KiB of new output have
// arrived (none for a run that ends sooner), so a crash keeps everything logged until shortly
// before it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <auric/migrations.hpp>

#include "core/lease.hpp"
#include "core/live_progress.hpp"
#include "core/output_capture.hpp"
#include "core/records.hpp"
#include "core/store.hpp"

namespace auric {

// A fenced write was refused: another runner holds the lock now. The work stops before
// changing anything else.
class LeaseLost : public StoreError {
 public:
  LeaseLost();
};

// How often, and after how much new output, a running run's output is saved.
struct DurableOutputPolicy {
  std::chrono::milliseconds interval{2000};
  std::size_t bytes = 16 * 1024;
};

// Caps a run record's free-text fields so that it stays under the item limit (setting the
// *_truncated flags).
void fit_run_record(RunRecord& run);

// The counts shown everywhere (CLI and API): migrations finished out of those planned.
struct ExecutionCounts {
  std::size_t finished = 0;
  std::size_t planned = 0;
};
ExecutionCounts execution_counts(const ExecutionRecord& execution);

// What a run ended with, for ExecutionLedger::finish_run.
struct RunOutcome {
  RunStatus status = RunStatus::kCompleted;
  Json result;  // what up()/down() returned, or null
  std::string error;
  Json progress;  // the checkpoint saved last (kept for the next attempt unless completed)
  Json reported;  // the last Context::report_progress (progress_json), or null: the run's `progress`
};

// What a manual run changes in a migration's state (ExecutionLedger::record_manual).
enum class ManualChange {
  kApplied,          // applied, with the binary's checksum (baseline, mark applied)
  kRolledBack,       // not applied (mark rolled-back)
  kChecksumAccepted  // stays applied, with the binary's checksum (repair --accept-checksum)
};

class ExecutionLedger {
 public:
  // `execution` holds the execution's id, direction, target, who, started_at and hop (and for
  // a continuation hop the plan and finished ids of the earlier hops).
  ExecutionLedger(Store& store, Lease& lease, ExecutionRecord execution, DurableOutputPolicy output = {});
  ~ExecutionLedger();
  ExecutionLedger(const ExecutionLedger&) = delete;
  ExecutionLedger& operator=(const ExecutionLedger&) = delete;

  const ExecutionRecord& execution() const { return execution_; }

  // ---- Execution ------------------------------------------------------------------------
  // Sets the plan (a continuation hop keeps the earlier hops' plan when given one).
  void set_planned(const std::vector<std::string>& planned);
  // Writes the execution with `status` (terminal statuses get completed_at). Throws LeaseLost
  // when fenced.
  void write_execution(ExecutionStatus status, const std::string& error = {});

  // ---- Runs -------------------------------------------------------------------------------
  // Starts a run of `entry`: records it as the lock's current run (throws LeaseLost when
  // fenced) and returns its running record.
  RunRecord begin_run(const MigrationEntry& entry, Direction direction, const Json& progress);
  // Saves a checkpoint of the running run in the lock. Throws LeaseLost when fenced.
  void checkpoint(const RunRecord& run, const Json& progress);
  // Watches `buffer` while the run lasts, saving its output durably (see the header comment),
  // and with it `progress` when given (a change of progress alone is saved within the interval).
  void watch_output(const RunRecord& run, std::shared_ptr<const OutputBuffer> buffer,
                    std::shared_ptr<const LiveProgress> progress = nullptr);
  // Ends a run: stops watching, writes the final run record and the migration's new state
  // (concurrently: independent items). Throws LeaseLost when fenced, StoreError on failure.
  MigrationState finish_run(RunRecord run, const MigrationState* previous, const RunOutcome& outcome,
                            const OutputBuffer& buffer);

  // Records an operator's change of migration `id`'s state without running its body: a
  // completed run of kind manual (with the execution's reason, `details` as its result and
  // `note` as its one output line) and the new state, then counts it finished. `entry` is the
  // binary's migration (null for one missing from the binary). Throws LeaseLost when fenced.
  MigrationState record_manual(const std::string& id, const MigrationEntry* entry,
                               const MigrationState* previous, ManualChange change, const Json& details,
                               const std::string& note);

  // ---- Recovery (what a previous holder left behind) --------------------------------------
  // Records the run `previous.current` as interrupted, keeping the output it saved durably
  // and ending its duration at its last sign of life (last output save or lock renewal):
  // the state under `fence` (its checkpoint kept), then the run record. False (nothing
  // changed) when the run's own outcome was written first.
  static bool record_interrupted_run(Store& store, std::int64_t fence, const LockInfo& previous,
                                     const std::string& error, const MigrationEntry* migration,
                                     const Who* who_override = nullptr);
  // Closes execution `execution_id` (when it exists and is not terminal, or with `fallback`
  // when it does not exist) as `status` with `error`, at `at`, under `fence`. The last
  // sign of life of an interrupted one is given as `at`. Returns the outcome; kConflict when
  // it was terminal already (nothing written).
  // `ecs_task_arn`, when given, is recorded as the task that ran it.
  [[nodiscard]] static WriteOutcome close_execution(
      Store& store, const std::string& execution_id, ExecutionStatus status, const std::string& error,
      std::int64_t fence, std::int64_t at, const std::optional<ExecutionRecord>& fallback = std::nullopt,
      const std::string& ecs_task_arn = {});
  // The execution a dead holder left `running`, recorded as interrupted, with the migrations
  // its runs completed and ending at its last sign of life (one read of its runs).
  static void close_abandoned_execution(Store& store, std::int64_t fence, const LockInfo& previous);
  // Records an execution handed to an external runner (Fargate) before that runner exists:
  // `running`, fence 0, so that the runner's first fenced write replaces it and a task that
  // never starts is visible. kFenced/kConflict when an execution with that id exists.
  [[nodiscard]] static WriteOutcome open_dispatched(Store& store, const std::string& execution_id,
                                                    Direction direction, const std::string& target,
                                                    const Who& who, std::int64_t at,
                                                    const std::vector<std::string>& planned);

 private:
  class OutputSaver;
  class SideWriter;
  ExecutionRecord record(ExecutionStatus status, const std::string& error) const;

  Store& store_;
  Lease& lease_;
  ExecutionRecord execution_;
  std::unique_ptr<OutputSaver> saver_;
  std::unique_ptr<SideWriter> side_;
};

// The run record of the lock's note `current` (its `running` record with the output saved so
// far, or its outcome), or nullopt when it saved none. One query of the newest runs.
std::optional<RunRecord> find_current_run(Store& store, const CurrentRun& current);

// True for the statuses after which an execution never changes again.
bool is_terminal(ExecutionStatus status);

}  // namespace auric
