#include "core/runner.hpp"

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "core/ids.hpp"
#include "core/output_capture.hpp"
#include "core/system.hpp"

namespace auric {

std::string_view to_string(StopReason reason) {
  switch (reason) {
    case StopReason::kNone: return "none";
    case StopReason::kSignal: return "stopped by a signal";
    case StopReason::kDeadline: return "deadline approaching";
    case StopReason::kLeaseLost: return "lost the migrations lock";
  }
  return "none";
}

struct MigrationRunner::Live {
  mutable std::mutex mutex;
  std::string id;
  std::shared_ptr<OutputBuffer> buffer;
  std::shared_ptr<LiveProgress> progress;
};

// One execution in progress: owns the lease, the ledger and the per-migration context.
class MigrationRunner::Execution {
 public:
  Execution(MigrationRunner& runner, const RunRequest& request)
      : runner_(runner), store_(runner.store_), options_(runner.options_), request_(request) {
    result_.direction = request.direction;
    result_.execution_id = request.execution_id.empty() ? new_uuid() : request.execution_id;
    who_ = options_.who.host.empty() && options_.who.user.empty() ? current_who() : options_.who;
  }

  // Called once the lock is taken and the execution recorded.
  std::function<void(const std::string& execution_id)> on_started;

  ExecutionResult run() {
    const PlanRequest plan_request{request_.direction, request_.target, request_.steps};
    try {
      validate_plan_request(runner_.known_ids(), plan_request);
    } catch (const PlanError& e) {
      return fail(ExecutionResult::Failure::kUsage, e.what());
    }
    if (request_.dry_run) {
      result_.dry_run = true;
      std::map<std::string, MigrationState> states;
      for (auto& s : store_.list_states()) states.emplace(s.id, std::move(s));
      result_.planned = compute_plan(runner_.known_ids(), states, plan_request);
      result_.migrations_remaining = result_.planned;
      refuse_by_policy(states);  // a dry run shows the refusal the run would meet
      return result_;
    }
    if (!lease_ && !acquire()) return result_;
    ledger_.emplace(store_, *lease_, initial_record(), options_.durable_output);
    try {
      if (!adopted_) recover();  // an adopted lease (redo's second half) recovered already
      std::map<std::string, MigrationState> states;
      for (auto& s : store_.list_states()) states.emplace(s.id, std::move(s));
      result_.planned = compute_plan(runner_.known_ids(), states, plan_request);
      if (!only_.empty()) {
        std::erase_if(result_.planned, [&](const std::string& id) {
          return std::find(only_.begin(), only_.end(), id) == only_.end();
        });
      }
      // A continuation hop carries on an execution that passed the checks at its first hop.
      if (!continuing() && !adopted_ && refuse_by_policy(states)) {
        close_opened_execution();
        return finish_unrecorded();
      }
      // Nothing to do: nothing is recorded (a deploy with nothing pending leaves no empty
      // execution), unless the caller opened this execution already (a dispatched task).
      if (result_.planned.empty() && !continuing() && !opened_by_caller()) {
        result_.status = ExecutionStatus::kCompleted;
        return finish_unrecorded();
      }
      ledger_->set_planned(result_.planned);
      emit({.kind = RunEvent::Kind::kPlanned, .ids = result_.planned});
      ledger_->write_execution(ExecutionStatus::kRunning);
      if (on_started) on_started(result_.execution_id);
      run_plan(states);
    } catch (const std::exception& e) {
      fail_with_store_error(e);
    }
    ledger_.reset();
    if (result_.status == ExecutionStatus::kNeedsContinuation && options_.handover_ttl.count() > 0) {
      lease_->hand_over(options_.handover_ttl);
    }
    if (!keep_lease_) lease_.reset();  // releases unless handed over
    return result_;
  }

  // Performs a manual state change (MigrationRunner::manual).
  ExecutionResult run_manual(const ManualRequest& m);

  // Redo: the first half keeps its lease for the second, which adopts it and plans only `only`.
  void keep_lease() { keep_lease_ = true; }
  std::unique_ptr<Lease> take_lease() { return std::move(lease_); }
  void adopt_lease(std::unique_ptr<Lease> lease, std::vector<std::string> only) {
    lease_ = std::move(lease);
    adopted_ = lease_ != nullptr;
    only_ = std::move(only);
  }

 private:
  class RunContext;

  std::int64_t now() const { return options_.now_ms ? options_.now_ms() : system_now_ms(); }

  bool continuing() const { return request_.hop > 0 || request_.history.has_value(); }

  // True when the caller chose the execution id and an execution of that id exists already
  // (a dispatcher records it before its task starts). One read, only for a chosen id.
  bool opened_by_caller() {
    if (request_.execution_id.empty()) return false;
    if (!opened_) opened_ = store_.get_execution(result_.execution_id);
    return opened_->has_value();
  }

  // Applies the safety policy to the plan in result_; true (result_ says why) when refused.
  bool refuse_by_policy(const std::map<std::string, MigrationState>& states) {
    auto refusal =
        check_run_policy(known_migrations(), states, request_.direction, result_.planned, options_.safety);
    if (!refusal) return false;
    result_.status = ExecutionStatus::kFailed;
    result_.failure = ExecutionResult::Failure::kRefused;
    result_.error = refusal->message;
    result_.migrations_remaining = result_.planned;
    result_.refusal = std::move(refusal);
    return true;
  }

  // A refused run records nothing of its own; an execution the caller opened for it (a
  // dispatched task's) is closed as failed with the refusal, so it does not stay `running`.
  void close_opened_execution() {
    if (!opened_by_caller() || is_terminal((**opened_).status)) return;
    (void)ExecutionLedger::close_execution(store_, result_.execution_id, ExecutionStatus::kFailed,
                                           result_.error, lease_->fence(), now());
  }

  // Ends a run that wrote no execution: releases the lease (unless kept for redo).
  ExecutionResult finish_unrecorded() {
    ledger_.reset();
    if (!keep_lease_) lease_.reset();
    return result_;
  }

  std::vector<KnownMigration> known_migrations() const {
    std::vector<KnownMigration> known;
    known.reserve(runner_.migrations_.size());
    for (const auto& m : runner_.migrations_) known.push_back({m.id, m.checksum});
    return known;
  }

  // The store failed mid-execution: the result says so, and the execution is closed as failed
  // if the store still answers (otherwise it stays `running` and the next runner marks it
  // interrupted).
  void fail_with_store_error(const std::exception& e) {
    result_.status = ExecutionStatus::kFailed;
    result_.failure = ExecutionResult::Failure::kStore;
    result_.error = e.what();
    try {
      ledger_->write_execution(result_.status, result_.error);
    } catch (const std::exception&) {
      // Reported through the result already.
    }
  }

  void emit(RunEvent event) const {
    if (!options_.on_event) return;
    event.direction = request_.direction;
    options_.on_event(event);
  }

  ExecutionResult fail(ExecutionResult::Failure failure, std::string error) {
    result_.status = ExecutionStatus::kFailed;
    result_.failure = failure;
    result_.error = std::move(error);
    return result_;
  }

  // Takes the lease (waiting with --wait). False when it is held by someone else.
  bool acquire() {
    LeaseOptions lo;
    lo.ttl = options_.lease_ttl;
    lo.heartbeat = options_.heartbeat;
    lo.wait = options_.wait_for_lock;
    lo.wait_timeout = options_.wait_timeout;
    lo.reenter_execution = request_.hop > 0;
    lo.stop_requested = options_.stop_requested;
    lo.now_ms = options_.now_ms;  // Lease defaults it to the system clock
    lo.on_waiting = [this](const LockInfo& holder) {
      emit({.kind = RunEvent::Kind::kWaitingForLock, .lock = holder});
    };
    lo.on_took_over_dead = [this](const LockInfo& dead) {
      emit({.kind = RunEvent::Kind::kTookOver, .lock = dead});
    };
    LeaseAttempt attempt = Lease::acquire(store_, result_.execution_id, who_, std::move(lo));
    if (attempt.lease) {
      lease_ = std::move(attempt.lease);
      return true;
    }
    result_.holder = attempt.holder;
    const std::string holder = holder_text(attempt.holder);
    fail(ExecutionResult::Failure::kLockHeld,
         "the migrations lock is held by " + holder +
             (options_.wait_for_lock
                  ? "; gave up waiting"
                  : "; use --wait to wait for it, or `unlock --force` if that runner is gone"));
    return false;
  }

  bool stop_requested() const { return options_.stop_requested && options_.stop_requested->load(); }

  ExecutionRecord initial_record() {
    ExecutionRecord e;
    e.execution_id = result_.execution_id;
    e.direction = request_.direction;
    e.target = request_.target;
    e.who = who_;
    e.hop = request_.hop;
    e.reason = request_.reason;
    e.started_at = now();
    if (const auto& h = request_.history) {
      e.started_at = h->started_at;
      e.planned = h->planned;
      e.finished = h->finished;
    } else if (request_.hop > 0) {
      if (auto existing = store_.get_execution(result_.execution_id)) {
        e.started_at = existing->started_at;
        e.planned = existing->planned;
        e.finished = existing->finished;
      }
    }
    return e;
  }

  // Records the work of a runner that died (or was force-unlocked) as interrupted.
  void recover() {
    const auto& previous = lease_->previous();
    if (!previous) return;
    const LockInfo& prev = *previous;
    if (prev.current) {
      const CurrentRun& c = *prev.current;
      if (c.execution_id == result_.execution_id) {
        resumed_ = c;  // our own execution handed over (Lambda continuation): resume it
      } else if (ExecutionLedger::record_interrupted_run(store_, lease_->fence(), prev,
                                                         "interrupted: the runner stopped while this "
                                                         "migration was running (crash, kill or lost lease)",
                                                         find(c.migration_id))) {
        emit({.kind = RunEvent::Kind::kRecovered, .id = c.migration_id, .status = RunStatus::kInterrupted});
      }
      if (lease_->set_current(std::nullopt) != WriteOutcome::kOk) throw LeaseLost();
    }
    if (prev.execution_id != result_.execution_id) {
      ExecutionLedger::close_abandoned_execution(store_, lease_->fence(), prev);
    }
  }

  const MigrationEntry* find(const std::string& id) const {
    for (const auto& m : runner_.migrations_) {
      if (m.id == id) return &m;
    }
    return nullptr;
  }

  // Why the run must stop before the next migration.
  StopReason stop_reason() const {
    if (stop_requested()) return StopReason::kSignal;
    if (lease_ && lease_->lost()) return StopReason::kLeaseLost;
    if (options_.time_remaining && options_.time_remaining() <= options_.stop_margin)
      return StopReason::kDeadline;
    return StopReason::kNone;
  }

  // Ends the execution early for `why` before plan[i] (or, suspended at a checkpoint, in it).
  void stop_early(StopReason why, const std::string& before) {
    result_.stop = why;
    switch (why) {
      case StopReason::kDeadline: result_.status = ExecutionStatus::kNeedsContinuation; break;
      case StopReason::kSignal:
        result_.status = ExecutionStatus::kSuspended;
        result_.failure = ExecutionResult::Failure::kStopped;
        result_.error = "stopped by a signal before " + before + "; run `up` again to continue";
        break;
      case StopReason::kLeaseLost:
      case StopReason::kNone:
        result_.status = ExecutionStatus::kInterrupted;
        result_.failure = ExecutionResult::Failure::kStore;
        result_.error = std::string(to_string(why)) + " before " + before;
        break;
    }
  }

  void write_final() {
    // Handed over to the next hop, the execution stays `running`: if that hop never arrives,
    // the lease expires and the next runner records it as interrupted.
    ExecutionStatus status = result_.status;
    if (status == ExecutionStatus::kNeedsContinuation && options_.handover_ttl.count() > 0) {
      status = ExecutionStatus::kRunning;
    }
    ledger_->write_execution(status, result_.error);
  }

  void run_plan(std::map<std::string, MigrationState>& states) {
    const auto& plan = result_.planned;
    for (std::size_t i = 0; i < plan.size(); ++i) {
      if (const StopReason why = stop_reason(); why != StopReason::kNone) {
        result_.migrations_remaining.assign(plan.begin() + static_cast<std::ptrdiff_t>(i), plan.end());
        stop_early(why, plan[i]);
        emit({.kind = RunEvent::Kind::kStopping,
              .stop = why,
              .id = plan[i],
              .error = std::string(to_string(why))});
        write_final();
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
      if (status == RunStatus::kSuspended) {  // saved a checkpoint and stopped
        result_.migrations_remaining.insert(result_.migrations_remaining.begin(), entry->id);
        if (options_.time_remaining && !stop_requested()) {
          result_.stop = StopReason::kDeadline;
          result_.status = ExecutionStatus::kNeedsContinuation;
        } else {
          result_.stop = StopReason::kSignal;
          result_.status = ExecutionStatus::kSuspended;
          result_.failure = ExecutionResult::Failure::kStopped;
          result_.error =
              "Migration " + entry->id + " suspended at a checkpoint; run `up` again to resume it";
        }
      } else {
        result_.status = ExecutionStatus::kFailed;
        result_.failure = ExecutionResult::Failure::kMigrationFailed;
        result_.error = "Migration " + entry->id + " failed: " + last_error_;
      }
      write_final();
      return;
    }
    result_.status = ExecutionStatus::kCompleted;
    write_final();
  }

  RunStatus run_one(const MigrationEntry& entry, const MigrationState* state);

  MigrationRunner& runner_;
  Store& store_;
  const RunnerOptions& options_;
  RunRequest request_;
  ExecutionResult result_;
  Who who_;
  std::unique_ptr<Lease> lease_;
  std::optional<ExecutionLedger> ledger_;
  std::optional<CurrentRun> resumed_;
  std::optional<std::optional<ExecutionRecord>> opened_;  // read once by opened_by_caller()
  bool keep_lease_ = false;                               // redo: kept for the second half
  bool adopted_ = false;                                  // redo: the first half's lease
  std::vector<std::string> only_;                         // redo: plan only these ids
  std::string last_error_;
  std::any user_context_;
  bool user_context_made_ = false;
};

// The Context handed to one migration attempt.
class MigrationRunner::Execution::RunContext final : public Context, private Logger {
 public:
  RunContext(Execution& exec, const MigrationEntry& entry, const RunRecord& run, Json progress,
             OutputBuffer& buffer, StdioCapture* capture, LiveProgress& reported)
      : exec_(exec),
        entry_(entry),
        run_(run),
        progress_(std::move(progress)),
        buffer_(buffer),
        capture_(capture),
        reported_(reported) {}

  Logger& logger() override { return *this; }
  const Json& config() const override { return exec_.options_.config; }
  std::any& user_context() override {
    if (!exec_.user_context_made_ && exec_.options_.make_user_context) {
      exec_.user_context_ = exec_.options_.make_user_context(exec_.options_.config);
    }
    exec_.user_context_made_ = true;
    return exec_.user_context_;
  }
  std::any service(std::string_view name) override {
    const auto it = exec_.options_.services.find(name);
    if (it == exec_.options_.services.end() || !it->second) return {};
    return it->second();
  }
  const std::string& migration_id() const override { return entry_.id; }
  const std::string& execution_id() const override { return exec_.result_.execution_id; }
  Direction direction() const override { return run_.direction; }
  std::chrono::milliseconds time_remaining() const override {
    if (!exec_.options_.time_remaining) return std::chrono::milliseconds::max();
    return std::max(std::chrono::milliseconds(0),
                    exec_.options_.time_remaining() - exec_.options_.stop_margin);
  }
  bool should_stop() const override { return exec_.stop_reason() != StopReason::kNone; }
  void checkpoint(const Json& progress) override {
    std::lock_guard lock(mutex_);
    try {
      exec_.ledger_->checkpoint(run_, progress);
    } catch (const LeaseLost&) {
      throw std::runtime_error("cannot save the checkpoint: this runner lost the migrations lock");
    }
    progress_ = progress;
  }
  const Json& progress() const override { return progress_; }
  void report_progress(std::int64_t done, std::optional<std::int64_t> total, std::string_view unit) override {
    reported_.report(done, total, unit, exec_.now());
  }

  Json saved_progress() const {
    std::lock_guard lock(mutex_);
    return progress_;
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
      if (capture_) {
        capture_->log(line);  // after what the migration printed before it, in write order
      } else {
        buffer_.append_formatted(line);
        std::fwrite(line.data(), 1, line.size(), stderr);
      }
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }

  Execution& exec_;
  const MigrationEntry& entry_;
  const RunRecord& run_;
  Json progress_;
  OutputBuffer& buffer_;
  StdioCapture* capture_;
  LiveProgress& reported_;
  mutable std::mutex mutex_;
};

RunStatus MigrationRunner::Execution::run_one(const MigrationEntry& entry, const MigrationState* state) {
  const Direction dir = request_.direction;
  Json progress;
  if (resumed_ && resumed_->migration_id == entry.id && resumed_->direction == dir) {
    progress = resumed_->progress;
  } else if (state && state->status != RunStatus::kCompleted && state->direction == dir) {
    progress = state->progress;
  }
  const RunRecord run = ledger_->begin_run(entry, dir, progress);
  emit({.kind = RunEvent::Kind::kStarted, .id = entry.id});

  auto buffer = std::make_shared<OutputBuffer>();
  auto reported = std::make_shared<LiveProgress>();
  {
    std::lock_guard lock(runner_.live_->mutex);
    runner_.live_->id = entry.id;
    runner_.live_->buffer = buffer;
    runner_.live_->progress = reported;
  }
  ledger_->watch_output(run, buffer, reported);
  RunOutcome outcome;
  {
    std::optional<StdioCapture> capture;
    if (options_.capture_stdio) capture.emplace(*buffer);
    RunContext ctx(*this, entry, run, progress, *buffer, capture ? &*capture : nullptr, *reported);
    try {
      outcome.result = dir == Direction::kUp ? entry.migration.up(ctx) : entry.migration.down(ctx);
    } catch (const detail::SuspendSignal&) {
      outcome.status = RunStatus::kSuspended;
      outcome.error = "suspended at a checkpoint; the next attempt resumes from it";
    } catch (const std::exception& e) {
      outcome.status = RunStatus::kFailed;
      outcome.error = e.what();
    } catch (...) {
      outcome.status = RunStatus::kFailed;
      outcome.error = "unknown exception (not derived from std::exception)";
    }
    outcome.progress = ctx.saved_progress();
    outcome.reported = progress_json(reported->snapshot());
  }
  {
    std::lock_guard lock(runner_.live_->mutex);
    runner_.live_->id.clear();
    runner_.live_->buffer.reset();
    runner_.live_->progress.reset();
  }
  const MigrationState next = ledger_->finish_run(run, state, outcome, *buffer);
  last_error_ = outcome.error;
  emit({.kind = RunEvent::Kind::kFinished,
        .id = entry.id,
        .status = outcome.status,
        .duration_ms = next.duration_ms.value_or(0),
        .error = outcome.error});
  return outcome.status;
}

ExecutionResult MigrationRunner::Execution::run_manual(const ManualRequest& m) {
  auto plan_of = [&](const std::map<std::string, MigrationState>& states) -> std::optional<ManualPlan> {
    try {
      ManualPlan plan = plan_manual(known_migrations(), states, m);
      result_.planned = plan.ids;
      result_.note = plan.note;
      if (plan.refusal) {
        result_.status = ExecutionStatus::kFailed;
        result_.failure = ExecutionResult::Failure::kRefused;
        result_.error = plan.refusal->message;
        result_.refusal = plan.refusal;
      }
      return plan;
    } catch (const PlanError& e) {
      fail(ExecutionResult::Failure::kUsage, e.what());
      return std::nullopt;
    }
  };
  auto read_states = [&] {
    std::map<std::string, MigrationState> states;
    for (auto& s : store_.list_states()) states.emplace(s.id, std::move(s));
    return states;
  };
  if (m.dry_run) {
    result_.dry_run = true;
    if (plan_of(read_states())) result_.migrations_remaining = result_.planned;
    return result_;
  }
  if (!acquire()) return result_;
  ExecutionRecord record = initial_record();
  record.kind = RunKind::kManual;
  record.reason = m.reason;
  ledger_.emplace(store_, *lease_, std::move(record), options_.durable_output);
  try {
    recover();
    std::map<std::string, MigrationState> states = read_states();
    const std::optional<ManualPlan> plan = plan_of(states);
    if (!plan || plan->refusal || plan->ids.empty()) return finish_unrecorded();
    ledger_->set_planned(plan->ids);
    emit({.kind = RunEvent::Kind::kPlanned, .ids = plan->ids});
    ledger_->write_execution(ExecutionStatus::kRunning);
    if (on_started) on_started(result_.execution_id);
    const std::string op(to_string(m.operation));
    const std::string why = m.reason.empty() ? "" : " (reason: " + m.reason + ")";
    for (const auto& id : plan->ids) {
      const MigrationEntry* entry = find(id);
      const auto it = states.find(id);
      const MigrationState* previous = it == states.end() ? nullptr : &it->second;
      Json details = {{"operation", op}};
      if (!m.target.empty()) details["target"] = m.target;
      ManualChange change = ManualChange::kApplied;
      std::string note;
      switch (m.operation) {
        case ManualOperation::kBaseline:
        case ManualOperation::kMarkApplied:
          note = "recorded as applied by `" + op + "` without running up()";
          note += why;
          break;
        case ManualOperation::kMarkRolledBack:
          change = ManualChange::kRolledBack;
          note = "recorded as rolled back by `" + op + "` without running down()";
          note += why;
          break;
        case ManualOperation::kAcceptChecksum:
          change = ManualChange::kChecksumAccepted;
          details["previousChecksum"] = previous ? previous->checksum : "";
          note = "accepted the binary's checksum by `" + op + "` (the applied source changed)";
          note += why;
          break;
      }
      (void)ledger_->record_manual(id, entry, previous, change, details, note);
      result_.migrations_run.push_back(id);
      emit({.kind = RunEvent::Kind::kFinished, .id = id, .status = RunStatus::kCompleted});
    }
    result_.status = ExecutionStatus::kCompleted;
    ledger_->write_execution(result_.status);
  } catch (const std::exception& e) {
    fail_with_store_error(e);
  }
  return finish_unrecorded();  // the ledger and the lease end here in every case
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

struct RunHandle::State {
  std::mutex mutex;
  std::condition_variable changed;
  bool started_known = false;
  std::optional<std::string> started;
  std::optional<ExecutionResult> result;
  std::thread thread;
};

RunHandle MigrationRunner::start(const RunRequest& request) {
  auto state = std::make_shared<RunHandle::State>();
  state->thread = std::thread([this, request, state] {
    ExecutionResult result;
    try {
      Execution execution(*this, request);
      execution.on_started = [&state](const std::string& id) {
        const std::lock_guard lock(state->mutex);
        state->started = id;
        state->started_known = true;
        state->changed.notify_all();
      };
      result = execution.run();
    } catch (const std::exception& e) {
      result.status = ExecutionStatus::kFailed;
      result.failure = ExecutionResult::Failure::kStore;
      result.error = e.what();
    }
    const std::lock_guard lock(state->mutex);
    state->started_known = true;
    state->result = std::move(result);
    state->changed.notify_all();
  });
  return RunHandle(std::move(state));
}

RunHandle::RunHandle(std::shared_ptr<State> state) : state_(std::move(state)) {}
RunHandle::RunHandle(RunHandle&&) noexcept = default;
RunHandle& RunHandle::operator=(RunHandle&&) noexcept = default;

RunHandle::~RunHandle() {
  if (state_ && state_->thread.joinable()) state_->thread.join();
}

std::optional<std::string> RunHandle::started() {
  std::unique_lock lock(state_->mutex);
  state_->changed.wait(lock, [this] { return state_->started_known; });
  return state_->started;
}

ExecutionResult RunHandle::finished() {
  {
    std::unique_lock lock(state_->mutex);
    state_->changed.wait(lock, [this] { return state_->result.has_value(); });
  }
  if (state_->thread.joinable()) state_->thread.join();
  return *state_->result;
}

ExecutionResult MigrationRunner::up(const std::string& target, std::optional<int> steps) {
  return run(RunRequest{Direction::kUp, target, steps, {}, 0, false});
}

ExecutionResult MigrationRunner::down(const std::string& target, std::optional<int> steps) {
  return run(RunRequest{Direction::kDown, target, steps, {}, 0, false});
}

ExecutionResult MigrationRunner::manual(const ManualRequest& request) {
  RunRequest run;
  run.direction = request.operation == ManualOperation::kMarkRolledBack ? Direction::kDown : Direction::kUp;
  run.target = request.target;
  run.reason = request.reason;
  run.dry_run = request.dry_run;
  Execution execution(*this, run);
  return execution.run_manual(request);
}

RedoResult MigrationRunner::redo(int steps, const std::string& reason, bool dry_run) {
  RunRequest down_request;
  down_request.direction = Direction::kDown;
  down_request.steps = steps;
  down_request.reason = reason;
  down_request.dry_run = dry_run;
  Execution down(*this, down_request);
  down.keep_lease();
  RedoResult result{down.run(), std::nullopt};
  const ExecutionResult& d = result.down;
  // Dry run: the up half would apply what the down half plans to roll back.
  std::vector<std::string> again = dry_run ? d.planned : d.migrations_run;
  if (d.failure != ExecutionResult::Failure::kNone || again.empty()) return result;
  std::sort(again.begin(), again.end());
  RunRequest up_request;
  up_request.direction = Direction::kUp;
  up_request.reason = reason;
  up_request.dry_run = dry_run;
  if (dry_run) {
    ExecutionResult up;
    up.dry_run = true;
    up.planned = again;
    up.migrations_remaining = again;
    result.up = std::move(up);
    return result;
  }
  Execution up(*this, up_request);
  up.adopt_lease(down.take_lease(), again);
  result.up = up.run();
  return result;
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

std::optional<std::pair<std::string, ProgressSnapshot>> MigrationRunner::live_progress() const {
  std::lock_guard lock(live_->mutex);
  if (!live_->progress) return std::nullopt;
  return std::make_pair(live_->id, live_->progress->snapshot());
}

}  // namespace auric
