#include "dashboard/local_backend.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "app/command.hpp"
#include "core/ledger.hpp"
#include "core/system.hpp"

extern char** environ;

namespace auric::dashboard {
namespace {

using app::kExitDrift;
using app::kExitFailed;
using app::kExitLockHeld;
using app::kExitOk;
using app::kExitUsage;
// A run stopped by the signal it was sent, or by a Ctrl-C (docs/cli.md).
constexpr int kExitSigint = 128 + SIGINT, kExitSigterm = 128 + SIGTERM;

// How long a start waits for a run that has released the lock to end.
constexpr std::chrono::seconds kEndingGrace{2};

// The child's result JSON is a few hundred bytes; anything beyond this is not kept.
constexpr std::size_t kMaxChildStdout = 1024 * 1024;

std::string lock_held_error(const std::optional<LockInfo>& holder) {
  return "Another run holds the lock: " + holder_text(holder);
}

// "SIGABRT (signal 6)".
std::string signal_text(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev ? "SIG" + std::string(abbrev) + " (signal " + std::to_string(sig) + ")"
                : "signal " + std::to_string(sig);
}

// The child's argv after argv[0]: the global options, --json, the command and its options.
std::vector<std::string> child_arguments(const ChildRunOptions& o, const RunParams& params,
                                         const std::string& execution_id) {
  std::vector<std::string> args = o.global_args;
  args.emplace_back("--json");
  args.emplace_back(to_string(params.direction));
  // `--opt=value`, so that a value starting with '-' is never read as an option.
  if (params.target) args.push_back("--to=" + *params.target);
  if (params.steps) args.push_back("--steps=" + std::to_string(*params.steps));
  args.push_back("--execution-id=" + execution_id);
  return args;
}

// Starts `executable` with `argv` (argv[0] included): stdin on /dev/null, stdout on a new pipe
// whose read end goes to *stdout_fd, stderr shared, no other descriptor of this process, the
// default mask and default SIGINT/SIGTERM/SIGPIPE actions, in a new process group. 0 or an
// errno value.
int spawn_child(const std::string& executable, std::vector<std::string> argv, pid_t* pid, int* stdout_fd) {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) return errno;

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, ends[1], STDOUT_FILENO);
  // Nothing of the server (listening sockets, store handles) leaks into the run.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);  // the HTTP server ignores it; the CLI expects the default
  posix_spawnattr_setsigdefault(&attr, &defaults);
  // Its own process group: a terminal's Ctrl-C reaches the dashboard only, which then asks the
  // child to stop exactly once (a second signal would stop the CLI at once, mid-migration).
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const int rc = ::posix_spawn(pid, executable.c_str(), &actions, &attr, args.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  ::close(ends[1]);
  if (rc != 0) {
    ::close(ends[0]);
    return rc;
  }
  *stdout_fd = ends[0];
  return 0;
}

// The refusal a child reported: its `refusal` object when its JSON has one, else the message
// alone (code "refused"; the dashboard's own check, made before starting, names the ids).
RunRefusal refusal_of_child(const Json& result, const std::string& message) {
  RunRefusal refusal;
  refusal.code = "refused";
  refusal.message = message;
  const auto it = result.is_object() ? result.find("refusal") : result.end();
  if (it == result.end() || !it->is_object()) return refusal;
  if (auto code = it->find("code"); code != it->end() && code->is_string())
    refusal.code = code->get<std::string>();
  if (auto ids = it->find("ids"); ids != it->end() && ids->is_array()) {
    for (const auto& id : *ids) {
      if (id.is_string()) refusal.ids.push_back(id.get<std::string>());
    }
  }
  return refusal;
}

}  // namespace

// A run's child process. pid stays valid (a process or an unreaped zombie) while !reaped, so a
// signal sent under the backend's mutex never reaches a recycled pid.
struct LocalBackend::Child {
  pid_t pid = -1;
  int stdout_fd = -1;
  bool term_sent = false;
  // Guarded by the backend's mutex_:
  bool reaped = false;
  bool status_known = false;
  int wait_status = 0;
  std::string stdout_text;
};

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

LocalBackend::LocalBackend(std::vector<MigrationEntry> migrations, Store& store, ChildRunOptions child)
    : LocalBackend(std::move(migrations), store) {
  options_.safety = child.safety;
  child_options_ = std::move(child);
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

DashboardIdentity LocalBackend::identity() {
  return identity_ ? *identity_ : DashboardBackend::identity();
}

void LocalBackend::set_identity(DashboardIdentity identity) {
  identity_ = std::move(identity);
}

std::optional<LiveOutput> LocalBackend::live_output() {
  if (child_options_) return live_output_from_store();
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

std::optional<LiveOutput> LocalBackend::live_output_from_store() {
  const auto lock = store_.read_lock();
  if (!lock || !lock->current || !lock->held_at(now_ms())) return std::nullopt;
  const CurrentRun& current = *lock->current;
  LiveOutput live{current.migration_id, ""};
  // The running record is saved with the output so far (ExecutionLedger's durable output).
  if (auto run = find_current_run(store_, current)) live.output = std::move(run->output);
  return live;
}

void LocalBackend::request_stop() {
  stop_ = true;
  std::lock_guard lock(mutex_);
  if (child_ && !child_->reaped && !child_->term_sent) {
    child_->term_sent = true;
    ::kill(child_->pid, SIGTERM);
  }
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
    lock.unlock();
    std::optional<LockInfo> holder = store_.read_lock();
    lock.lock();
    // A run that has released the lock is only ending (a child exits, a thread returns): wait
    // for that rather than refuse a start right after the previous run finished.
    if (!holder || !holder->held_at(now_ms())) {
      idle_cv_.wait_for(lock, kEndingGrace, [this] { return !busy_; });
    }
    if (busy_) {
      StartOutcome busy;
      busy.kind = StartOutcome::Kind::kLockHeld;
      busy.holder = std::move(holder);
      busy.error = lock_held_error(busy.holder);
      return busy;
    }
  }
  join_finished();
  stop_ = false;
  return child_options_ ? start_child(params, lock) : start_in_process(params, lock);
}

// ---- in process -------------------------------------------------------------------------------

StartOutcome LocalBackend::start_in_process(const RunParams& params, std::unique_lock<std::mutex>& lock) {
  RunRequest request;
  request.direction = params.direction;
  request.target = params.target.value_or("");
  request.steps = params.steps;
  request.execution_id = new_uuid();

  RunnerOptions options = options_;
  if (on_event_) options.on_event = [sink = on_event_](const RunEvent& e) { sink(e.direction, e); };
  auto runner = std::make_shared<MigrationRunner>(migrations_, store_, std::move(options));
  runner_ = runner;
  busy_ = true;
  lock.unlock();

  auto done = [this] {
    std::lock_guard done_lock(mutex_);
    runner_.reset();
    busy_ = false;
    idle_cv_.notify_all();
  };

  RunHandle handle = runner->start(request);
  StartOutcome outcome;
  outcome.execution_id = request.execution_id;
  if (handle.started()) {
    // Running: a waiter thread sees it to the end.
    std::lock_guard relock(mutex_);
    thread_ = std::thread([runner, done, handle = std::move(handle)]() mutable {
      (void)handle.finished();
      done();
    });
    return outcome;
  }

  // Over before it recorded the execution: refused, or failed on the store.
  const ExecutionResult finished = handle.finished();
  done();
  outcome.execution_id.clear();
  switch (finished.failure) {
    case ExecutionResult::Failure::kLockHeld:
      outcome.kind = StartOutcome::Kind::kLockHeld;
      outcome.holder = finished.holder;
      outcome.error = lock_held_error(finished.holder);
      break;
    case ExecutionResult::Failure::kUsage:
      outcome.kind = StartOutcome::Kind::kUsage;
      outcome.error = finished.error;
      break;
    case ExecutionResult::Failure::kRefused:  // drift, out of order: nothing was recorded
      outcome.kind = StartOutcome::Kind::kRefused;
      outcome.error = finished.error;
      outcome.refusal = finished.refusal;
      break;
    case ExecutionResult::Failure::kStore:
      outcome.kind = StartOutcome::Kind::kFailed;
      outcome.error = finished.error;
      break;
    case ExecutionResult::Failure::kNone:
    case ExecutionResult::Failure::kMigrationFailed:
    case ExecutionResult::Failure::kStopped:
      // Ended without saying it started (e.g. stopped before its plan): the record, if any,
      // tells the rest.
      if (store_.get_execution(request.execution_id)) outcome.execution_id = request.execution_id;
      break;
  }
  return outcome;
}

// ---- child processes ------------------------------------------------------------------------

StartOutcome LocalBackend::start_child(const RunParams& params, std::unique_lock<std::mutex>& lock) {
  const ChildRunOptions& o = *child_options_;
  const std::string execution_id = new_uuid();
  std::vector<std::string> argv = child_arguments(o, params, execution_id);
  argv.insert(argv.begin(), o.argv0);

  auto child = std::make_shared<Child>();
  if (const int rc = spawn_child(o.executable, std::move(argv), &child->pid, &child->stdout_fd); rc != 0) {
    StartOutcome failed;
    failed.kind = StartOutcome::Kind::kFailed;
    failed.error = "cannot start the run process " + o.executable + ": " + std::strerror(rc);
    return failed;
  }
  child_ = child;
  busy_ = true;
  thread_ = std::thread([this, child] { reap(child); });

  // Until the child has recorded the execution (it holds the lock by then) or has exited.
  StartOutcome outcome;
  outcome.execution_id = execution_id;
  while (!child->reaped) {
    lock.unlock();
    bool recorded = false;
    try {
      recorded = store_.get_execution(execution_id).has_value();
    } catch (const StoreError&) {
      // Looked again at the next poll; a store that stays broken makes the child fail too.
    }
    lock.lock();
    if (recorded) return outcome;
    idle_cv_.wait_for(lock, o.poll_interval, [&] { return child->reaped; });
  }
  lock.unlock();
  return outcome_of_exit(*child, execution_id);
}

void LocalBackend::reap(const std::shared_ptr<Child>& child) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(child->stdout_fd, buf, sizeof buf);
    if (n > 0) {
      if (out.size() < kMaxChildStdout) out.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(child->stdout_fd);

  // Wait without reaping first, so that the pid stays the child's until reaped under mutex_.
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(child->pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  std::string note;
  {
    std::lock_guard lock(mutex_);
    int status = 0;
    pid_t done = -1;
    while ((done = ::waitpid(child->pid, &status, 0)) < 0 && errno == EINTR) {
    }
    child->status_known = done == child->pid;
    child->wait_status = status;
    child->stdout_text = std::move(out);
    child->reaped = true;
    if (child_ == child) child_.reset();
    busy_ = false;
    idle_cv_.notify_all();

    const std::string who = "the run process (pid " + std::to_string(child->pid) + ")";
    if (child->status_known && WIFSIGNALED(status)) {
      note = who + " was killed by " + signal_text(WTERMSIG(status)) +
             "; the dashboard keeps serving, and the next run records its migration as interrupted";
    } else if (child->status_known && WIFEXITED(status)) {
      const int code = WEXITSTATUS(status);
      if (code != kExitOk && code != kExitFailed && code != kExitUsage && code != kExitLockHeld &&
          code != kExitDrift && code != kExitSigint && code != kExitSigterm) {
        note = who + " exited with code " + std::to_string(code);
      }
    }
  }
  if (!note.empty() && child_options_->on_note) child_options_->on_note(note);
}

StartOutcome LocalBackend::outcome_of_exit(const Child& child, const std::string& execution_id) {
  StartOutcome outcome;
  // It may have recorded the execution just before it ended.
  if (store_.get_execution(execution_id)) {
    outcome.execution_id = execution_id;
    return outcome;
  }
  const Json result = Json::parse(child.stdout_text, nullptr, false);
  std::string error;
  if (result.is_object()) {
    if (auto it = result.find("error"); it != result.end() && it->is_string()) error = it->get<std::string>();
  }
  const std::string who = "the run process (pid " + std::to_string(child.pid) + ")";
  if (child.status_known && WIFEXITED(child.wait_status) && WEXITSTATUS(child.wait_status) == kExitDrift) {
    // The child's safety check refused the run (drift, out of order) before it recorded
    // anything: a refusal, not a crash.
    outcome.kind = StartOutcome::Kind::kRefused;
    outcome.error = error.empty() ? who +
                                        " refused the run (exit 4: drift or out of order); its message is in "
                                        "the dashboard's terminal"
                                  : error;
    outcome.refusal = refusal_of_child(result, outcome.error);
    return outcome;
  }
  if (!child.status_known) {
    outcome.kind = StartOutcome::Kind::kFailed;
    outcome.error = error.empty() ? who + " ended before it recorded the execution" : error;
  } else if (WIFSIGNALED(child.wait_status)) {
    outcome.kind = StartOutcome::Kind::kFailed;
    outcome.error = who + " was killed by " + signal_text(WTERMSIG(child.wait_status)) +
                    " before it recorded the execution";
  } else if (const int code = WEXITSTATUS(child.wait_status); code == kExitOk) {
    // Nothing to record (and nothing written): it simply ended.
  } else if (code == kExitLockHeld) {
    outcome.kind = StartOutcome::Kind::kLockHeld;
    outcome.holder = store_.read_lock();
    outcome.error = lock_held_error(outcome.holder);
  } else if (code == kExitUsage) {
    outcome.kind = StartOutcome::Kind::kUsage;
    outcome.error = error.empty()
                        ? who + " refused the request (exit 2); its message is in the dashboard's terminal"
                        : error;
  } else {
    outcome.kind = StartOutcome::Kind::kFailed;
    outcome.error = error.empty() ? who + " exited with code " + std::to_string(code) +
                                        " before it recorded the execution"
                                  : error;
  }
  return outcome;
}

}  // namespace auric::dashboard
