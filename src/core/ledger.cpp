#include "core/ledger.hpp"

#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <utility>

#include "core/ids.hpp"
#include "core/system.hpp"

namespace auric {
namespace {

// Caps that keep a run record well under DynamoDB's 400 KB item limit together with the
// 200 KiB output cap (see docs/table-design.md).
constexpr std::size_t kMaxDescriptionBytes = 32 * 1024;
constexpr std::size_t kMaxErrorBytes = 16 * 1024;
constexpr std::size_t kMaxResultBytes = 64 * 1024;
constexpr std::size_t kMaxStateErrorBytes = 1024;

// Cuts `text` to at most `max` bytes without splitting a UTF-8 sequence. True if it cut.
bool cut_utf8(std::string& text, std::size_t max) {
  if (text.size() <= max) return false;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return true;
}

std::string short_error(std::string error) {
  cut_utf8(error, kMaxStateErrorBytes);
  return error;
}

bool is_empty_result(const Json& value) {
  return value.is_null() || (value.is_object() && value.empty());
}

// The holder's last sign of life recorded in the lock itself.
std::int64_t lock_sign_of_life(const LockInfo& lock) {
  return std::max(lock.heartbeat_at, lock.acquired_at);
}

// `base` (the migration's state before, or a fresh one) after `run`, its latest run, written
// under `fence`. The applied fields and the checkpoint are the caller's.
MigrationState state_after(MigrationState base, const RunRecord& run, std::int64_t fence) {
  base.id = run.id;
  base.status = run.status;
  base.direction = run.direction;
  base.last_run_id = run.run_id;
  base.last_execution_id = run.execution_id;
  base.started_at = run.started_at;
  base.completed_at = run.completed_at;
  base.duration_ms = run.duration_ms;
  base.error = short_error(run.error);
  base.output_truncated = run.output_truncated;
  base.fence = fence;
  return base;
}

}  // namespace

std::optional<RunRecord> find_current_run(Store& store, const CurrentRun& current) {
  // It ran last under the lock, so it is among the newest runs of its migration.
  for (auto& run : store.runs_of_migration(current.migration_id, 5, "").items) {
    if (run.run_id == current.run_id) return std::move(run);
  }
  return std::nullopt;
}

LeaseLost::LeaseLost()
    : StoreError(
          "lost the migrations lock (lease expired or taken over by another runner); stopped before changing "
          "anything else") {}

void fit_run_record(RunRecord& run) {
  if (cut_utf8(run.description, kMaxDescriptionBytes)) run.description_truncated = true;
  if (cut_utf8(run.error, kMaxErrorBytes)) run.error_truncated = true;
  if (!run.result.is_null()) {
    const std::string dumped = run.result.dump();
    if (dumped.size() > kMaxResultBytes) {
      std::string head = dumped;
      cut_utf8(head, 1024);
      run.result = Json{{"truncated", true}, {"bytes", dumped.size()}, {"head", head}};
      run.result_truncated = true;
    }
  }
}

ExecutionCounts execution_counts(const ExecutionRecord& execution) {
  return {execution.finished.size(), std::max(execution.planned.size(), execution.finished.size())};
}

bool is_terminal(ExecutionStatus s) {
  return s == ExecutionStatus::kCompleted || s == ExecutionStatus::kFailed ||
         s == ExecutionStatus::kInterrupted || s == ExecutionStatus::kSuspended;
}

// Saves the running run's output on one thread per execution (idle between runs).
class ExecutionLedger::OutputSaver {
 public:
  OutputSaver(Store& store, Lease& lease, DurableOutputPolicy policy)
      : store_(store), lease_(lease), policy_(policy) {}
  ~OutputSaver() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  OutputSaver(const OutputSaver&) = delete;
  OutputSaver& operator=(const OutputSaver&) = delete;

  void watch(const RunRecord& run, std::shared_ptr<const OutputBuffer> buffer,
             std::shared_ptr<const LiveProgress> progress) {
    {
      const std::lock_guard lock(mutex_);
      run_ = run;
      buffer_ = std::move(buffer);
      progress_ = std::move(progress);
      saved_bytes_ = 0;
      saved_progress_ = 0;
      last_save_ = std::chrono::steady_clock::now();
      if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    }
    wake_.notify_all();
  }

  // Stops watching; returns once a save in progress has ended.
  void stop() {
    const std::lock_guard lock(mutex_);
    buffer_.reset();
    progress_.reset();
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      // Idle between runs: sleep until watch(). While a run lasts: look every 200 ms.
      if (!buffer_) {
        wake_.wait(lock, [this] { return stopping_ || buffer_ != nullptr; });
        continue;
      }
      wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; });
      if (stopping_ || !buffer_) continue;
      const std::uint64_t appended = buffer_->appended_bytes();
      const bool due = std::chrono::steady_clock::now() - last_save_ >= policy_.interval;
      const bool progressed = progress_ && progress_->version() != saved_progress_;
      if (appended == saved_bytes_ && !(due && progressed)) continue;
      if (appended != saved_bytes_ && !due && appended - saved_bytes_ < policy_.bytes) continue;
      save();  // under the mutex, so that stop() waits for it
    }
  }

  void save() {
    const OutputBuffer::Snapshot snapshot = buffer_->snapshot();
    RunRecord run = run_;
    run.output = snapshot.text;
    run.output_truncated = snapshot.truncated;
    const ProgressSnapshot progress = progress_ ? progress_->snapshot() : ProgressSnapshot{};
    run.progress = progress_json(progress);
    run.updated_at = lease_.now();
    fit_run_record(run);
    last_save_ = std::chrono::steady_clock::now();
    try {
      switch (store_.put_run(run)) {
        case WriteOutcome::kOk:
          saved_bytes_ = snapshot.appended_bytes;
          saved_progress_ = progress.version;
          break;
        case WriteOutcome::kFenced: lease_.mark_lost(); [[fallthrough]];
        case WriteOutcome::kConflict: buffer_.reset(); break;  // final already, or not ours
      }
    } catch (const std::exception&) {
      // Transient: the next save (or the final write) carries this output too.
    }
  }

  Store& store_;
  Lease& lease_;
  const DurableOutputPolicy policy_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  RunRecord run_;
  std::shared_ptr<const OutputBuffer> buffer_;
  std::shared_ptr<const LiveProgress> progress_;
  std::uint64_t saved_bytes_ = 0;
  std::uint64_t saved_progress_ = 0;  // the progress version saved last
  std::chrono::steady_clock::time_point last_save_;
  std::thread thread_;
};

// One persistent thread that runs the state write beside the run record's: started at the
// first submit and joined on destruction, so an execution creates it once, not once per run.
class ExecutionLedger::SideWriter {
 public:
  SideWriter() = default;
  SideWriter(const SideWriter&) = delete;
  SideWriter& operator=(const SideWriter&) = delete;
  ~SideWriter() {
    if (!thread_.joinable()) return;
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  // Runs `write` on the worker; the future holds its outcome or exception. One at a time.
  std::future<WriteOutcome> submit(std::function<WriteOutcome()> write) {
    std::packaged_task<WriteOutcome()> task(std::move(write));
    std::future<WriteOutcome> result = task.get_future();
    {
      const std::lock_guard lock(mutex_);
      if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
      task_ = std::move(task);
      pending_ = true;
    }
    wake_.notify_all();
    return result;
  }

 private:
  void loop() {
    for (;;) {
      std::packaged_task<WriteOutcome()> task;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return pending_ || stopping_; });
        if (!pending_) return;
        task = std::move(task_);
        pending_ = false;
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::packaged_task<WriteOutcome()> task_;
  bool pending_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

ExecutionLedger::ExecutionLedger(Store& store, Lease& lease, ExecutionRecord execution,
                                 DurableOutputPolicy output)
    : store_(store),
      lease_(lease),
      execution_(std::move(execution)),
      saver_(std::make_unique<OutputSaver>(store, lease, output)),
      side_(std::make_unique<SideWriter>()) {}

ExecutionLedger::~ExecutionLedger() = default;

void ExecutionLedger::set_planned(const std::vector<std::string>& planned) {
  if (execution_.planned.empty()) execution_.planned = planned;
}

ExecutionRecord ExecutionLedger::record(ExecutionStatus status, const std::string& error) const {
  ExecutionRecord e = execution_;
  e.status = status;
  if (status != ExecutionStatus::kRunning) e.completed_at = lease_.now();
  e.error = error;
  e.fence = lease_.fence();
  return e;
}

void ExecutionLedger::write_execution(ExecutionStatus status, const std::string& error) {
  if (store_.put_execution(record(status, error)) != WriteOutcome::kOk) {
    lease_.mark_lost();
    throw LeaseLost();
  }
}

RunRecord ExecutionLedger::begin_run(const MigrationEntry& entry, Direction direction, const Json& progress) {
  RunRecord run;
  run.run_id = new_uuid();
  run.id = entry.id;
  run.name = entry.migration.name.empty() ? migration_name_of(entry.id) : entry.migration.name;
  run.status = RunStatus::kRunning;
  run.direction = direction;
  run.execution_id = execution_.execution_id;
  run.started_at = lease_.now();
  run.description = entry.migration.description;
  run.checksum = entry.checksum;
  run.hop = execution_.hop;
  run.who = execution_.who;
  run.fence = lease_.fence();
  run.updated_at = run.started_at;
  checkpoint(run, progress);
  return run;
}

void ExecutionLedger::checkpoint(const RunRecord& run, const Json& progress) {
  const CurrentRun current{run.id,         run.run_id, run.execution_id, run.direction,
                           run.started_at, run.hop,    progress};
  if (lease_.set_current(current) != WriteOutcome::kOk) throw LeaseLost();
}

void ExecutionLedger::watch_output(const RunRecord& run, std::shared_ptr<const OutputBuffer> buffer,
                                   std::shared_ptr<const LiveProgress> progress) {
  saver_->watch(run, std::move(buffer), std::move(progress));
}

MigrationState ExecutionLedger::finish_run(RunRecord run, const MigrationState* previous,
                                           const RunOutcome& outcome, const OutputBuffer& buffer) {
  saver_->stop();
  const std::int64_t finished = lease_.now();
  const OutputBuffer::Snapshot output = buffer.snapshot();
  run.status = outcome.status;
  run.completed_at = finished;
  run.duration_ms = finished - run.started_at;
  run.output = output.text;
  run.output_truncated = output.truncated;
  if (!is_empty_result(outcome.result)) run.result = outcome.result;
  run.error = outcome.error;
  if (!outcome.reported.is_null()) run.progress = outcome.reported;
  run.fence = lease_.fence();
  run.updated_at = finished;
  fit_run_record(run);

  MigrationState next = state_after(previous ? *previous : MigrationState{}, run, lease_.fence());
  if (run.status == RunStatus::kCompleted) {
    next.progress = nullptr;
    if (run.direction == Direction::kUp) {
      next.applied = true;
      next.checksum = run.checksum;
      next.applied_at = finished;
      next.applied_fence = lease_.fence();
    } else {
      next.applied = false;
      next.checksum.clear();
      next.applied_at.reset();
      next.applied_fence = 0;
    }
  } else {
    next.progress = outcome.progress;
  }

  // The run record and the new state are independent items: written concurrently.
  auto state_write = side_->submit([&] { return store_.put_state(next); });
  std::exception_ptr run_failure;
  WriteOutcome run_outcome = WriteOutcome::kOk;
  try {
    run_outcome = store_.put_run(run);
  } catch (...) {
    run_failure = std::current_exception();
  }
  const WriteOutcome state_outcome = state_write.get();
  if (state_outcome != WriteOutcome::kOk || (!run_failure && run_outcome != WriteOutcome::kOk)) {
    lease_.mark_lost();
    throw LeaseLost();
  }
  if (run_failure) std::rethrow_exception(run_failure);
  if (run.status == RunStatus::kCompleted && std::find(execution_.finished.begin(), execution_.finished.end(),
                                                       run.id) == execution_.finished.end()) {
    execution_.finished.push_back(run.id);
  }
  return next;
}

MigrationState ExecutionLedger::record_manual(const std::string& id, const MigrationEntry* entry,
                                              const MigrationState* previous, ManualChange change,
                                              const Json& details, const std::string& note) {
  const std::int64_t at = lease_.now();
  RunRecord run;
  run.run_id = new_uuid();
  run.id = id;
  run.name = entry && !entry->migration.name.empty() ? entry->migration.name : migration_name_of(id);
  run.status = RunStatus::kCompleted;
  run.direction = change == ManualChange::kRolledBack ? Direction::kDown : Direction::kUp;
  run.execution_id = execution_.execution_id;
  run.started_at = at;
  run.completed_at = at;
  run.duration_ms = 0;
  if (entry) run.description = entry->migration.description;
  run.output = format_output_line(std::chrono::system_clock::time_point(std::chrono::milliseconds(at)),
                                  LogLevel::kInfo, note);
  if (!run.output.empty() && run.output.back() != '\n') run.output += '\n';
  run.result = details;
  run.checksum = change == ManualChange::kRolledBack ? (previous ? previous->checksum : std::string())
                                                     : (entry ? entry->checksum : std::string());
  run.hop = execution_.hop;
  run.who = execution_.who;
  run.fence = lease_.fence();
  run.updated_at = at;
  run.kind = RunKind::kManual;
  run.reason = execution_.reason;
  fit_run_record(run);

  MigrationState next = state_after(previous ? *previous : MigrationState{}, run, lease_.fence());
  next.progress = nullptr;
  switch (change) {
    case ManualChange::kApplied:
      next.applied = true;
      next.checksum = run.checksum;
      next.applied_at = at;
      next.applied_fence = lease_.fence();
      break;
    case ManualChange::kRolledBack:
      next.applied = false;
      next.checksum.clear();
      next.applied_at.reset();
      next.applied_fence = 0;
      break;
    case ManualChange::kChecksumAccepted:
      next.checksum = run.checksum;  // applied_at and applied_fence keep when it was applied
      break;
  }
  if (store_.put_state(next) != WriteOutcome::kOk || store_.put_run(run) != WriteOutcome::kOk) {
    lease_.mark_lost();
    throw LeaseLost();
  }
  if (std::find(execution_.finished.begin(), execution_.finished.end(), id) == execution_.finished.end()) {
    execution_.finished.push_back(id);
  }
  return next;
}

bool ExecutionLedger::record_interrupted_run(Store& store, std::int64_t fence, const LockInfo& previous,
                                             const std::string& error, const MigrationEntry* migration,
                                             const Who* who_override) {
  if (!previous.current) return false;
  const CurrentRun& c = *previous.current;
  const std::optional<RunRecord> saved = find_current_run(store, c);
  if (saved && saved->status != RunStatus::kRunning) return false;  // its own outcome was written
  const std::int64_t last_sign =
      std::max({c.started_at, lock_sign_of_life(previous), saved ? saved->updated_at : std::int64_t{0}});

  // The run as it saved itself (keeping its output), or as the lock's note describes it.
  RunRecord run = saved.value_or(RunRecord{});
  run.run_id = c.run_id;
  run.id = c.migration_id;
  if (run.name.empty()) run.name = migration_name_of(c.migration_id);
  run.status = RunStatus::kInterrupted;
  run.direction = c.direction;
  run.execution_id = c.execution_id;
  run.started_at = c.started_at;
  run.completed_at = last_sign;
  run.duration_ms = last_sign - c.started_at;
  run.error = error;
  run.hop = c.hop;
  run.who = who_override ? *who_override : previous.who;
  if (migration && !saved) {
    run.description = migration->migration.description;
    run.checksum = migration->checksum;
  }
  run.fence = fence;
  run.updated_at = last_sign;
  fit_run_record(run);

  MigrationState state = state_after(store.get_state(c.migration_id).value_or(MigrationState{}), run, fence);
  state.progress = c.progress;
  if (store.put_state(state, c.run_id) != WriteOutcome::kOk) return false;  // its outcome was written
  // kConflict: its outcome landed in between (the state says interrupted regardless, and the
  // next run replaces it); kFenced cannot happen under our newer fence.
  (void)store.put_run(run);
  return true;
}

WriteOutcome ExecutionLedger::close_execution(Store& store, const std::string& execution_id,
                                              ExecutionStatus status, const std::string& error,
                                              std::int64_t fence, std::int64_t at,
                                              const std::optional<ExecutionRecord>& fallback,
                                              const std::string& ecs_task_arn) {
  std::optional<ExecutionRecord> e = store.get_execution(execution_id);
  if (e && is_terminal(e->status)) return WriteOutcome::kConflict;
  if (!e) {
    if (!fallback) return WriteOutcome::kConflict;
    e = fallback;
    e->execution_id = execution_id;
    if (e->started_at == 0) e->started_at = at;
  }
  if (!ecs_task_arn.empty()) e->who.ecs_task_arn = ecs_task_arn;
  e->status = status;
  e->completed_at = at;
  e->error = error;
  e->fence = fence;
  return store.put_execution(*e);
}

WriteOutcome ExecutionLedger::open_dispatched(Store& store, const std::string& execution_id,
                                              Direction direction, const std::string& target, const Who& who,
                                              std::int64_t at, const std::vector<std::string>& planned) {
  if (store.get_execution(execution_id)) return WriteOutcome::kConflict;
  ExecutionRecord record;
  record.execution_id = execution_id;
  record.direction = direction;
  record.target = target;
  record.status = ExecutionStatus::kRunning;
  record.who = who;
  record.started_at = at;
  record.planned = planned;
  record.fence = 0;  // no runner yet: the task's runner overwrites it with its fence
  return store.put_execution(record);
}

void ExecutionLedger::close_abandoned_execution(Store& store, std::int64_t fence, const LockInfo& previous) {
  if (previous.execution_id.empty() || previous.owner.empty()) return;  // released properly
  std::optional<ExecutionRecord> e = store.get_execution(previous.execution_id);
  if (!e || is_terminal(e->status)) return;
  // Its runs say what it finished (its own final write never came) and when it last lived.
  std::int64_t last_sign = std::max(lock_sign_of_life(previous),
                                    previous.current ? previous.current->started_at : std::int64_t{0});
  for (const RunRecord& run : store.runs_of_execution(e->execution_id)) {
    last_sign = std::max({last_sign, run.updated_at, run.completed_at.value_or(0)});
    if (run.status == RunStatus::kCompleted &&
        std::find(e->finished.begin(), e->finished.end(), run.id) == e->finished.end()) {
      e->finished.push_back(run.id);
    }
  }
  e->status = ExecutionStatus::kInterrupted;
  e->completed_at = last_sign;
  e->error = "interrupted: its runner stopped without finishing (crash, kill or lost lease)";
  e->fence = fence;
  // kFenced cannot happen under our newer fence.
  (void)store.put_execution(*e);
}

}  // namespace auric
