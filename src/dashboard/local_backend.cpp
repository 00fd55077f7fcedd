#include "dashboard/local_backend.hpp"

#include <algorithm>
#include <future>

#include "core/system.hpp"

namespace auric::dashboard {
namespace {

std::string holder_text(const std::optional<LockInfo>& lock) {
  if (!lock || lock->owner.empty()) return "another runner";
  const LockInfo& l = *lock;
  std::string who = l.who.user.empty() ? l.owner : l.who.user + "@" + l.who.host;
  if (l.who.pid != 0) who += " (pid " + std::to_string(l.who.pid) + ")";
  if (l.current) who += ", running " + l.current->migration_id;
  if (!l.execution_id.empty()) who += ", execution " + l.execution_id.substr(0, 8);
  return who;
}

}  // namespace

LocalBackend::LocalBackend(std::vector<MigrationEntry> migrations, Store& store, RunnerOptions runner_options,
                           EventSink on_event)
    : migrations_(std::move(migrations)),
      store_(store),
      options_(std::move(runner_options)),
      on_event_(std::move(on_event)) {
  std::sort(migrations_.begin(), migrations_.end(),
            [](const MigrationEntry& a, const MigrationEntry& b) { return a.id < b.id; });
  infos_ = migration_infos(migrations_);
  options_.capture_stdio = false;
  options_.stop_requested = &stop_;
}

LocalBackend::~LocalBackend() {
  request_stop();
  std::thread thread;
  {
    std::lock_guard lock(mutex_);
    thread = std::move(thread_);
  }
  if (thread.joinable()) thread.join();
}

std::optional<LiveOutput> LocalBackend::live_output() {
  std::shared_ptr<MigrationRunner> runner;
  {
    std::lock_guard lock(mutex_);
    runner = runner_;
  }
  if (!runner) return std::nullopt;
  auto live = runner->live_output();
  if (!live) return std::nullopt;
  return LiveOutput{std::move(live->first), std::move(live->second)};
}

void LocalBackend::request_stop() {
  stop_ = true;
}

bool LocalBackend::busy() const {
  std::lock_guard lock(mutex_);
  return busy_;
}

bool LocalBackend::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return idle_cv_.wait_for(lock, timeout, [this] { return !busy_; });
}

void LocalBackend::join_finished() {
  // Called with mutex_ held and busy_ false: the thread has finished its work.
  if (thread_.joinable()) thread_.join();
}

StartOutcome LocalBackend::start_run(const RunParams& params) {
  std::unique_lock lock(mutex_);
  if (busy_) {
    StartOutcome busy;
    busy.kind = StartOutcome::Kind::kLockHeld;
    busy.holder = store_.read_lock();
    busy.error = "Another run holds the lock: " + holder_text(busy.holder);
    return busy;
  }
  join_finished();
  stop_ = false;

  RunRequest request;
  request.direction = params.direction;
  request.target = params.target.value_or("");
  request.steps = params.steps;
  request.execution_id = new_uuid();

  // Resolved once: when the first migration starts (the lock is held and the execution is
  // recorded by then) or when the run is over, whichever comes first.
  auto started = std::make_shared<std::promise<std::optional<ExecutionResult>>>();
  auto future = started->get_future();
  auto once = std::make_shared<std::once_flag>();

  RunnerOptions options = options_;
  options.on_event = [started, once, sink = on_event_, dir = params.direction](const RunEvent& e) {
    if (sink) sink(dir, e);
    if (e.kind == RunEvent::Kind::kStarted) {
      std::call_once(*once, [&] { started->set_value(std::nullopt); });
    }
  };
  auto runner = std::make_shared<MigrationRunner>(migrations_, store_, std::move(options));
  runner_ = runner;
  busy_ = true;
  thread_ = std::thread([this, runner, request, started, once] {
    std::optional<ExecutionResult> result;
    std::exception_ptr failure;
    try {
      result = runner->run(request);
    } catch (...) {
      failure = std::current_exception();
    }
    std::call_once(*once, [&] {
      if (failure)
        started->set_exception(failure);
      else
        started->set_value(result);
    });
    std::lock_guard done(mutex_);
    runner_.reset();
    busy_ = false;
    idle_cv_.notify_all();
  });
  lock.unlock();

  StartOutcome outcome;
  outcome.execution_id = request.execution_id;
  std::optional<ExecutionResult> finished;
  try {
    finished = future.get();
  } catch (const std::exception& e) {
    outcome.kind = StartOutcome::Kind::kFailed;
    outcome.error = e.what();
    return outcome;
  }
  if (!finished) return outcome;  // running
  switch (finished->failure) {
    case ExecutionResult::Failure::kLockHeld:
      outcome.kind = StartOutcome::Kind::kLockHeld;
      outcome.holder = finished->holder;
      outcome.error = "Another run holds the lock: " + holder_text(finished->holder);
      outcome.execution_id.clear();
      break;
    case ExecutionResult::Failure::kUsage:
      outcome.kind = StartOutcome::Kind::kUsage;
      outcome.error = finished->error;
      outcome.execution_id.clear();
      break;
    case ExecutionResult::Failure::kStore:
      if (finished->planned.empty() && finished->migrations_run.empty() &&
          finished->status == ExecutionStatus::kFailed) {
        // Nothing was recorded: report it as a failure to start.
        if (!store_.get_execution(request.execution_id)) {
          outcome.kind = StartOutcome::Kind::kFailed;
          outcome.error = finished->error;
          outcome.execution_id.clear();
        }
      }
      break;
    case ExecutionResult::Failure::kNone:
    case ExecutionResult::Failure::kMigrationFailed:
      break;  // it ran (quickly); the execution record tells the rest
  }
  return outcome;
}

}  // namespace auric::dashboard
