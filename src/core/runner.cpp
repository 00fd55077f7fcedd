#include "core/runner.hpp"

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "core/ids.hpp"
#include "core/output_capture.hpp"
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

std::string short_error(std::string error) {
  cut_utf8(error, kMaxStateErrorBytes);
  return error;
}

bool is_empty_result(const Json& value) {
  return value.is_null() || (value.is_object() && value.empty());
}

// The heartbeat: renews the lease every `interval` until stopped; flags a lost lease.
class Heartbeat {
 public:
  Heartbeat(Store& store, std::string owner, std::int64_t fence, std::chrono::milliseconds interval,
            std::chrono::milliseconds ttl, std::function<std::int64_t()> now_ms)
      : store_(store),
        owner_(std::move(owner)),
        fence_(fence),
        interval_(interval),
        ttl_(ttl),
        now_ms_(std::move(now_ms)),
        last_ok_(now_ms_()) {
    thread_ = std::thread([this] { loop(); });
  }
  ~Heartbeat() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  bool lost() const { return lost_.load(); }
  void mark_lost() { lost_ = true; }
  // Called after any successful fenced write that extended the lease.
  void extended() {
    std::lock_guard lock(mutex_);
    last_ok_ = now_ms_();
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      cv_.wait_for(lock, interval_, [this] { return stop_; });
      if (stop_) break;
      lock.unlock();
      const std::int64_t now = now_ms_();
      try {
        if (store_.renew_lock(owner_, fence_, now, now + ttl_.count()) == WriteOutcome::kOk) {
          std::lock_guard relock(mutex_);
          last_ok_ = now;
        } else {
          lost_ = true;
        }
      } catch (const std::exception&) {
        // Transient: retried on the next beat; the lease is only lost once it has expired.
        std::lock_guard relock(mutex_);
        if (now >= last_ok_ + ttl_.count()) lost_ = true;
      }
      lock.lock();
    }
  }

  Store& store_;
  std::string owner_;
  std::int64_t fence_;
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds ttl_;
  std::function<std::int64_t()> now_ms_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::int64_t last_ok_;
  std::atomic<bool> lost_{false};
  std::thread thread_;
};

// One persistent thread that runs store writes beside the caller's own: started at the first
// submit and joined on destruction, so an execution creates it once, not once per migration.
class WriteWorker {
 public:
  WriteWorker() = default;
  WriteWorker(const WriteWorker&) = delete;
  WriteWorker& operator=(const WriteWorker&) = delete;
  ~WriteWorker() {
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

}  // namespace

struct MigrationRunner::Live {
  mutable std::mutex mutex;
  std::string id;
  std::shared_ptr<OutputBuffer> buffer;
};

// One execution in progress: owns the lease, the heartbeat and the per-migration context.
class MigrationRunner::Execution {
 public:
  Execution(MigrationRunner& runner, const RunRequest& request)
      : runner_(runner), store_(runner.store_), options_(runner.options_), request_(request) {
    result_.direction = request.direction;
    result_.execution_id = request.execution_id.empty() ? new_uuid() : request.execution_id;
    who_ = options_.who.host.empty() && options_.who.user.empty() ? current_who() : options_.who;
    owner_ = new_lock_owner(who_);
  }

  ExecutionResult run() {
    const PlanRequest plan_request{request_.direction, request_.target, request_.steps};
    try {
      validate_plan_request(runner_.known_ids(), plan_request);
    } catch (const PlanError& e) {
      return fail(ExecutionResult::Failure::kUsage, e.what());
    }
    if (request_.dry_run) {
      result_.dry_run = true;
      result_.planned = runner_.plan(plan_request);
      result_.migrations_remaining = result_.planned;
      return result_;
    }
    if (!acquire()) return result_;
    heartbeat_.emplace(store_, owner_, fence_, options_.heartbeat, options_.lease_ttl, now_fn());
    try {
      recover();
      std::map<std::string, MigrationState> states;
      for (auto& s : store_.list_states()) states.emplace(s.id, std::move(s));
      result_.planned = compute_plan(runner_.known_ids(), states, plan_request);
      emit({.kind = RunEvent::Kind::kPlanned, .ids = result_.planned});
      write_execution(ExecutionStatus::kRunning);
      run_plan(states);
    } catch (const std::exception& e) {
      result_.status = ExecutionStatus::kFailed;
      result_.failure = ExecutionResult::Failure::kStore;
      result_.error = e.what();
      try_write_final();
    }
    heartbeat_.reset();
    try {
      if (result_.status == ExecutionStatus::kNeedsContinuation && options_.handover_ttl.count() > 0) {
        store_.renew_lock(owner_, fence_, now(), now() + options_.handover_ttl.count());
      } else {
        store_.release_lock(owner_, fence_);
      }
    } catch (const std::exception&) {
      // The lease expires by itself; the next runner takes it over.
    }
    return result_;
  }

 private:
  class RunContext;

  std::function<std::int64_t()> now_fn() const {
    return options_.now_ms ? options_.now_ms : std::function<std::int64_t()>(system_now_ms);
  }
  std::int64_t now() const { return options_.now_ms ? options_.now_ms() : system_now_ms(); }
  std::int64_t expiry() const { return now() + options_.lease_ttl.count(); }

  void emit(const RunEvent& event) const {
    if (options_.on_event) options_.on_event(event);
  }

  ExecutionResult fail(ExecutionResult::Failure failure, std::string error) {
    result_.status = ExecutionStatus::kFailed;
    result_.failure = failure;
    result_.error = std::move(error);
    return result_;
  }

  // Takes the lease (waiting with --wait). False when it is held by someone else.
  bool acquire() {
    const auto deadline = std::chrono::steady_clock::now() + options_.wait_timeout;
    auto pause = std::chrono::milliseconds(200);
    bool announced = false;
    for (;;) {
      LockRequest req{owner_, result_.execution_id,       who_,
                      now(),  options_.lease_ttl.count(), request_.hop > 0};
      LockAttempt attempt = store_.try_acquire_lock(req);
      if (attempt.acquired) {
        fence_ = attempt.fence;
        previous_ = std::move(attempt.previous);
        return true;
      }
      result_.holder = attempt.previous;
      if (!options_.wait_for_lock || std::chrono::steady_clock::now() >= deadline || stop_requested()) {
        std::string holder = "another runner";
        if (attempt.previous) {
          const LockInfo& l = *attempt.previous;
          holder = l.who.user + "@" + l.who.host + " (pid " + std::to_string(l.who.pid) + ", execution " +
                   l.execution_id + ", lease until " + iso8601_ms(l.expires_at) + ")";
        }
        fail(ExecutionResult::Failure::kLockHeld,
             "the migrations lock is held by " + holder +
                 (options_.wait_for_lock
                      ? "; gave up waiting"
                      : "; use --wait to wait for it, or `unlock --force` if that runner is gone"));
        return false;
      }
      if (!announced) {
        emit({.kind = RunEvent::Kind::kWaitingForLock, .lock = attempt.previous});
        announced = true;
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(2000));
    }
  }

  bool stop_requested() const { return options_.stop_requested && options_.stop_requested->load(); }

  // Records the work of a runner that died (or was force-unlocked) as interrupted.
  void recover() {
    if (!previous_) return;
    const LockInfo& prev = *previous_;
    if (prev.current) {
      const CurrentRun& c = *prev.current;
      if (c.execution_id == result_.execution_id) {
        resumed_ = c;  // our own execution handed over (Lambda continuation): resume it
      } else {
        recover_run(c);
      }
      store_.set_current_run(owner_, fence_, std::nullopt, expiry());
    }
    if (!prev.execution_id.empty() && prev.execution_id != result_.execution_id && !prev.owner.empty()) {
      if (auto exec = store_.get_execution(prev.execution_id);
          exec && exec->status == ExecutionStatus::kRunning) {
        exec->status = ExecutionStatus::kInterrupted;
        exec->completed_at = now();
        exec->error = "interrupted: its runner stopped without finishing (crash, kill or lost lease)";
        exec->fence = fence_;
        store_.put_execution(*exec);
      }
    }
  }

  void recover_run(const CurrentRun& c) {
    if (record_interrupted_run(
            store_, c, fence_, now(),
            "interrupted: the runner stopped while this migration was running (crash, kill "
            "or lost lease)",
            previous_ ? previous_->who : Who{}, find(c.migration_id))) {
      emit({.kind = RunEvent::Kind::kRecovered, .id = c.migration_id, .status = RunStatus::kInterrupted});
    }
  }

  const MigrationEntry* find(const std::string& id) const {
    for (const auto& m : runner_.migrations_) {
      if (m.id == id) return &m;
    }
    return nullptr;
  }

  ExecutionRecord execution_record(ExecutionStatus status) const {
    ExecutionRecord e;
    e.execution_id = result_.execution_id;
    e.direction = request_.direction;
    e.target = request_.target;
    // Handed over to the next hop, the execution stays `running`: if that hop never arrives,
    // the lease expires and the next runner records it as interrupted.
    if (status == ExecutionStatus::kNeedsContinuation && options_.handover_ttl.count() > 0)
      status = ExecutionStatus::kRunning;
    e.status = status;
    e.who = who_;
    e.started_at = started_at_;
    if (status != ExecutionStatus::kRunning) e.completed_at = now();
    e.hop = request_.hop;
    e.planned = result_.planned;
    e.finished = result_.migrations_run;
    if (const auto& h = request_.history) {
      if (!h->planned.empty()) e.planned = h->planned;
      std::vector<std::string> finished = h->finished;
      for (const auto& id : e.finished) {
        if (std::find(finished.begin(), finished.end(), id) == finished.end()) finished.push_back(id);
      }
      e.finished = std::move(finished);
    }
    e.error = result_.error;
    e.fence = fence_;
    return e;
  }

  void write_execution(ExecutionStatus status) {
    if (status == ExecutionStatus::kRunning) {
      if (request_.history) {
        started_at_ = request_.history->started_at;
      } else if (request_.hop > 0) {
        if (auto existing = store_.get_execution(result_.execution_id)) started_at_ = existing->started_at;
      } else {
        started_at_ = now();
      }
    }
    if (store_.put_execution(execution_record(status)) == WriteOutcome::kFenced) lease_lost();
  }

  void try_write_final() {
    try {
      store_.put_execution(execution_record(result_.status));
    } catch (const std::exception&) {
      // Reported through the result already; the record stays `running` and the next runner
      // marks it interrupted.
    }
  }

  [[noreturn]] void lease_lost() {
    if (heartbeat_) heartbeat_->mark_lost();
    throw StoreError(
        "lost the migrations lock (lease expired or taken over by another runner); stopped before changing "
        "anything else");
  }

  // Why the run must stop before the next migration, or empty.
  std::string stop_reason() const {
    if (stop_requested()) return "stopped by a signal";
    if (heartbeat_ && heartbeat_->lost()) return "lost the migrations lock";
    if (options_.time_remaining && options_.time_remaining() <= options_.stop_margin) {
      return "deadline approaching";
    }
    return {};
  }

  void run_plan(std::map<std::string, MigrationState>& states) {
    const auto& plan = result_.planned;
    for (std::size_t i = 0; i < plan.size(); ++i) {
      if (std::string why = stop_reason(); !why.empty()) {
        result_.migrations_remaining.assign(plan.begin() + static_cast<std::ptrdiff_t>(i), plan.end());
        const bool continuable = why == "deadline approaching";
        result_.status = continuable ? ExecutionStatus::kNeedsContinuation : ExecutionStatus::kInterrupted;
        result_.error = continuable ? "" : why + " before " + plan[i];
        if (!continuable) result_.failure = ExecutionResult::Failure::kStore;
        emit({.kind = RunEvent::Kind::kStopping, .id = plan[i], .error = why});
        write_final_or_lost();
        return;
      }
      const MigrationEntry* entry = find(plan[i]);
      auto state_it = states.find(plan[i]);
      const MigrationState* state = state_it == states.end() ? nullptr : &state_it->second;
      const RunStatus status = run_one(*entry, state);
      if (status == RunStatus::kCompleted) {
        result_.migrations_run.push_back(entry->id);
        continue;
      }
      result_.migrations_remaining.assign(plan.begin() + static_cast<std::ptrdiff_t>(i) + 1, plan.end());
      if (status == RunStatus::kInterrupted) {  // suspended at a checkpoint
        result_.migrations_remaining.insert(result_.migrations_remaining.begin(), entry->id);
        result_.status =
            options_.time_remaining ? ExecutionStatus::kNeedsContinuation : ExecutionStatus::kInterrupted;
        if (result_.status == ExecutionStatus::kInterrupted) {
          result_.error = "Migration " + entry->id + " suspended at a checkpoint; run again to resume";
          result_.failure = ExecutionResult::Failure::kMigrationFailed;
        }
      } else {
        result_.status = ExecutionStatus::kFailed;
        result_.failure = ExecutionResult::Failure::kMigrationFailed;
        result_.error = "Migration " + entry->id + " failed: " + last_error_;
      }
      write_final_or_lost();
      return;
    }
    result_.status = ExecutionStatus::kCompleted;
    write_final_or_lost();
  }

  void write_final_or_lost() {
    if (store_.put_execution(execution_record(result_.status)) == WriteOutcome::kFenced) lease_lost();
  }

  RunStatus run_one(const MigrationEntry& entry, const MigrationState* state);

  MigrationRunner& runner_;
  Store& store_;
  const RunnerOptions& options_;
  RunRequest request_;
  ExecutionResult result_;
  Who who_;
  std::string owner_;
  std::int64_t fence_ = 0;
  std::int64_t started_at_ = 0;
  std::optional<LockInfo> previous_;
  std::optional<CurrentRun> resumed_;
  std::optional<Heartbeat> heartbeat_;
  WriteWorker side_writes_;  // the state write that runs beside the run record's (run_one)
  std::string last_error_;
  std::any user_context_;
  bool user_context_made_ = false;
};

// The Context handed to one migration attempt.
class MigrationRunner::Execution::RunContext final : public Context, private Logger {
 public:
  RunContext(Execution& exec, const MigrationEntry& entry, CurrentRun current, OutputBuffer& buffer,
             StdioCapture* capture)
      : exec_(exec), entry_(entry), current_(std::move(current)), buffer_(buffer), capture_(capture) {}

  Logger& logger() override { return *this; }
  const Json& config() const override { return exec_.options_.config; }
  std::any& user_context() override {
    if (!exec_.user_context_made_ && exec_.options_.make_user_context) {
      exec_.user_context_ = exec_.options_.make_user_context(exec_.options_.config);
    }
    exec_.user_context_made_ = true;
    return exec_.user_context_;
  }
  aws::DynamoDbClient& dynamodb() override {
    if (!exec_.options_.dynamodb) {
      throw std::runtime_error(
          "ctx.dynamodb(): this runner has no DynamoDB client (it was started without AWS support)");
    }
    return exec_.options_.dynamodb();
  }
  const std::string& migration_id() const override { return entry_.id; }
  const std::string& execution_id() const override { return exec_.result_.execution_id; }
  Direction direction() const override { return current_.direction; }
  std::chrono::milliseconds time_remaining() const override {
    if (!exec_.options_.time_remaining) return std::chrono::milliseconds::max();
    return std::max(std::chrono::milliseconds(0),
                    exec_.options_.time_remaining() - exec_.options_.stop_margin);
  }
  bool should_stop() const override { return !exec_.stop_reason().empty(); }
  void checkpoint(const Json& progress) override {
    std::lock_guard lock(mutex_);
    current_.progress = progress;
    if (exec_.store_.set_current_run(exec_.owner_, exec_.fence_, current_, exec_.expiry()) !=
        WriteOutcome::kOk) {
      exec_.heartbeat_->mark_lost();
      throw std::runtime_error("cannot save the checkpoint: this runner lost the migrations lock");
    }
    exec_.heartbeat_->extended();
  }
  const Json& progress() const override { return current_.progress; }

  Json saved_progress() const {
    std::lock_guard lock(mutex_);
    return current_.progress;
  }

 private:
  void write(LogLevel level, std::string_view message, const Json& data) override {
    std::string text(message);
    if (!data.is_null()) text += " " + data.dump();
    // One captured line per physical line, so the ring stays line-granular.
    std::size_t start = 0;
    for (;;) {
      const std::size_t nl = text.find('\n', start);
      const std::string_view piece =
          std::string_view(text).substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      const std::string line = format_output_line(std::chrono::system_clock::now(), level, piece);
      buffer_.append_formatted(line);
      if (capture_)
        capture_->echo(line);
      else
        std::fwrite(line.data(), 1, line.size(), stderr);
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }

  Execution& exec_;
  const MigrationEntry& entry_;
  CurrentRun current_;
  OutputBuffer& buffer_;
  StdioCapture* capture_;
  mutable std::mutex mutex_;
};

RunStatus MigrationRunner::Execution::run_one(const MigrationEntry& entry, const MigrationState* state) {
  const Direction dir = request_.direction;
  CurrentRun current;
  current.migration_id = entry.id;
  current.run_id = new_uuid();
  current.execution_id = result_.execution_id;
  current.direction = dir;
  current.started_at = now();
  current.hop = request_.hop;
  if (resumed_ && resumed_->migration_id == entry.id && resumed_->direction == dir) {
    current.progress = resumed_->progress;
  } else if (state && state->status != RunStatus::kCompleted && state->direction == dir) {
    current.progress = state->progress;
  }
  if (store_.set_current_run(owner_, fence_, current, expiry()) != WriteOutcome::kOk) lease_lost();
  heartbeat_->extended();
  emit({.kind = RunEvent::Kind::kStarted, .id = entry.id});

  auto buffer = std::make_shared<OutputBuffer>();
  {
    std::lock_guard lock(runner_.live_->mutex);
    runner_.live_->id = entry.id;
    runner_.live_->buffer = buffer;
  }
  RunStatus status = RunStatus::kCompleted;
  Json result;
  std::string error;
  Json progress_after;
  {
    std::optional<StdioCapture> capture;
    if (options_.capture_stdio) capture.emplace(*buffer);
    RunContext ctx(*this, entry, current, *buffer, capture ? &*capture : nullptr);
    try {
      result = dir == Direction::kUp ? entry.migration.up(ctx) : entry.migration.down(ctx);
    } catch (const detail::SuspendSignal&) {
      status = RunStatus::kInterrupted;
      error = "suspended at a checkpoint; the next attempt resumes from it";
    } catch (const std::exception& e) {
      status = RunStatus::kFailed;
      error = e.what();
    } catch (...) {
      status = RunStatus::kFailed;
      error = "unknown exception (not derived from std::exception)";
    }
    progress_after = ctx.saved_progress();
  }
  {
    std::lock_guard lock(runner_.live_->mutex);
    runner_.live_->id.clear();
    runner_.live_->buffer.reset();
  }
  const std::int64_t finished = now();

  RunRecord run;
  run.run_id = current.run_id;
  run.id = entry.id;
  run.name = entry.migration.name.empty() ? migration_name_of(entry.id) : entry.migration.name;
  run.status = status;
  run.direction = dir;
  run.execution_id = result_.execution_id;
  run.started_at = current.started_at;
  run.completed_at = finished;
  run.duration_ms = finished - current.started_at;
  run.description = entry.migration.description;
  run.output = buffer->str();
  run.output_truncated = buffer->truncated();
  if (!is_empty_result(result)) run.result = result;
  run.error = error;
  run.checksum = entry.checksum;
  run.hop = request_.hop;
  run.who = who_;
  fit_run_record(run);

  MigrationState next = state ? *state : MigrationState{};
  next.id = entry.id;
  next.status = status;
  next.direction = dir;
  next.last_run_id = run.run_id;
  next.last_execution_id = run.execution_id;
  next.started_at = run.started_at;
  next.completed_at = finished;
  next.duration_ms = run.duration_ms;
  next.error = short_error(error);
  next.output_truncated = run.output_truncated;
  next.fence = fence_;
  if (status == RunStatus::kCompleted) {
    next.progress = nullptr;
    if (dir == Direction::kUp) {
      next.applied = true;
      next.checksum = entry.checksum;
      next.applied_at = finished;
      next.applied_fence = fence_;
    } else {
      next.applied = false;
      next.checksum.clear();
      next.applied_at.reset();
      next.applied_fence = 0;
    }
  } else {
    next.progress = progress_after;
  }

  // The run record and the new state are independent items: write them concurrently (the
  // state on the execution's persistent worker, no thread per migration).
  auto state_write = side_writes_.submit([&] { return store_.put_state(next); });
  std::exception_ptr run_failure;
  try {
    store_.insert_run(run);
  } catch (...) {
    run_failure = std::current_exception();
  }
  const WriteOutcome outcome = state_write.get();
  if (outcome != WriteOutcome::kOk) lease_lost();
  if (run_failure) std::rethrow_exception(run_failure);

  last_error_ = error;
  emit({.kind = RunEvent::Kind::kFinished,
        .id = entry.id,
        .status = status,
        .duration_ms = run.duration_ms.value_or(0),
        .error = error});
  return status;
}

bool record_interrupted_run(Store& store, const CurrentRun& c, std::int64_t fence, std::int64_t now_ms,
                            const std::string& error, const Who& who, const MigrationEntry* migration) {
  MigrationState state = store.get_state(c.migration_id).value_or(MigrationState{});
  state.id = c.migration_id;
  state.status = RunStatus::kInterrupted;
  state.direction = c.direction;
  state.last_run_id = c.run_id;
  state.last_execution_id = c.execution_id;
  state.started_at = c.started_at;
  state.completed_at = now_ms;
  state.duration_ms = now_ms - c.started_at;
  state.error = short_error(error);
  state.output_truncated = false;  // its output died with it
  state.progress = c.progress;
  state.fence = fence;
  if (store.put_state(state, c.run_id) != WriteOutcome::kOk) return false;  // its outcome was written
  RunRecord run;
  run.run_id = c.run_id;
  run.id = c.migration_id;
  run.name = migration_name_of(c.migration_id);
  run.status = RunStatus::kInterrupted;
  run.direction = c.direction;
  run.execution_id = c.execution_id;
  run.started_at = c.started_at;
  run.completed_at = now_ms;
  run.duration_ms = now_ms - c.started_at;
  run.error = error;
  run.hop = c.hop;
  run.who = who;
  if (migration) {
    run.description = migration->migration.description;
    run.checksum = migration->checksum;
  }
  fit_run_record(run);
  store.insert_run(run);
  return true;
}

MigrationRunner::MigrationRunner(std::vector<MigrationEntry> migrations, Store& store, RunnerOptions options)
    : migrations_(std::move(migrations)),
      store_(store),
      options_(std::move(options)),
      live_(std::make_unique<Live>()) {
  std::sort(migrations_.begin(), migrations_.end(),
            [](const MigrationEntry& a, const MigrationEntry& b) { return a.id < b.id; });
}

MigrationRunner::~MigrationRunner() = default;

std::vector<std::string> MigrationRunner::known_ids() const {
  std::vector<std::string> ids;
  ids.reserve(migrations_.size());
  for (const auto& m : migrations_) ids.push_back(m.id);
  return ids;
}

ExecutionResult MigrationRunner::run(const RunRequest& request) {
  Execution execution(*this, request);
  return execution.run();
}

ExecutionResult MigrationRunner::up(const std::string& target, std::optional<int> steps) {
  return run(RunRequest{Direction::kUp, target, steps, {}, 0, false});
}

ExecutionResult MigrationRunner::down(const std::string& target, std::optional<int> steps) {
  return run(RunRequest{Direction::kDown, target, steps, {}, 0, false});
}

StatusReport MigrationRunner::status() {
  std::vector<KnownMigration> known;
  known.reserve(migrations_.size());
  for (const auto& m : migrations_) known.push_back({m.id, m.checksum});
  return build_status(known, store_.list_states());
}

std::vector<std::string> MigrationRunner::plan(const PlanRequest& request) {
  std::map<std::string, MigrationState> states;
  for (auto& s : store_.list_states()) states.emplace(s.id, std::move(s));
  return compute_plan(known_ids(), states, request);
}

std::optional<std::pair<std::string, std::string>> MigrationRunner::live_output() const {
  std::lock_guard lock(live_->mutex);
  if (!live_->buffer) return std::nullopt;
  return std::make_pair(live_->id, live_->buffer->str());
}

}  // namespace auric
