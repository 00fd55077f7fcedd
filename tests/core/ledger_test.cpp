// The run protocol's core parts: Lease (dead same-host holders taken over at once, others
// not), ExecutionLedger (durable output while a run lasts, interrupted runs keep it), and a
// fault on each ledger write through a ForwardingStore: lost response, fenced, throttled, error.
#include "core/ledger.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <thread>

#include "core/forwarding_store.hpp"
#include "core/lease.hpp"
#include "core/runner.hpp"
#include "core/system.hpp"
#include "store/open_store.hpp"

namespace auric {
namespace {

using ::testing::HasSubstr;

const std::string kA = "20250101000000_a";
const std::string kB = "20250102000000_b";

// A pid that no process has now: a child that exited and was reaped.
std::int64_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

// The state letter of /proc/<pid>/stat ('R', 'S', 'Z', ...), or 0.
char read_proc_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() ? line[close + 2] : '\0';
}

LockRequest holder_request(const Who& who, std::int64_t ttl_ms = 600'000) {
  return LockRequest{"holder:" + std::to_string(who.pid), "exec-holder", who, system_now_ms(), ttl_ms, false};
}

// A migration with `up` and a no-op `down`.
Migration with_up(std::function<Json(Context&)> up) {
  Migration m;
  m.up = std::move(up);
  m.down = [](Context&) -> Json { return {}; };
  return m;
}

LeaseOptions quick() {
  LeaseOptions o;
  o.heartbeat = std::chrono::milliseconds(0);
  return o;
}

class LeaseTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open_store("memory:"); }
  std::unique_ptr<Store> store_;
};

TEST_F(LeaseTest, ADeadHolderOnThisHostIsTakenOverAtOnce) {
  Who dead = current_who();
  dead.pid = dead_pid();
  ASSERT_TRUE(store_->try_acquire_lock(holder_request(dead)).acquired);
  bool told = false;
  LeaseOptions o = quick();
  o.on_took_over_dead = [&](const LockInfo& holder) { told = holder.who.pid == dead.pid; };
  const LeaseAttempt attempt = Lease::acquire(*store_, "exec-next", current_who(), o);
  ASSERT_TRUE(attempt.lease) << "the 10-minute lease of a dead pid on this host does not block";
  EXPECT_TRUE(attempt.lease->took_over_dead());
  EXPECT_TRUE(told);
  EXPECT_EQ(attempt.lease->previous()->who.pid, dead.pid);
}

TEST_F(LeaseTest, AZombieHolderIsDead) {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  // Exited but not reaped: kill(pid, 0) still succeeds, yet it holds nothing.
  for (int i = 0; i < 200; ++i) {
    if (read_proc_state(child) == 'Z') break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(read_proc_state(child), 'Z');
  Who zombie = current_who();
  zombie.pid = child;
  EXPECT_TRUE(holder_is_dead_on_this_host(zombie, system_now_ms()));
  int status = 0;
  ::waitpid(child, &status, 0);
}

TEST_F(LeaseTest, ALiveHolderOrOneOnAnotherHostIsNotTakenOver) {
  Who alive = current_who();
  alive.pid = ::getppid();  // our parent: alive, and started before the lease was taken
  ASSERT_TRUE(store_->try_acquire_lock(holder_request(alive)).acquired);
  const LeaseAttempt first = Lease::acquire(*store_, "exec-next", current_who(), quick());
  EXPECT_FALSE(first.lease);
  ASSERT_TRUE(first.holder);
  EXPECT_EQ(first.holder->who.pid, alive.pid);

  ASSERT_TRUE(store_->force_unlock());
  Who elsewhere = current_who();
  elsewhere.host = "another-host";
  elsewhere.pid = dead_pid();  // dead here, but that says nothing about another host
  ASSERT_TRUE(store_->try_acquire_lock(holder_request(elsewhere)).acquired);
  EXPECT_FALSE(Lease::acquire(*store_, "exec-next", current_who(), quick()).lease);

  ASSERT_TRUE(store_->force_unlock());
  Who unknown_boot = current_who();
  unknown_boot.boot_id.clear();  // a record written before boot ids: expiry only
  unknown_boot.pid = dead_pid();
  ASSERT_TRUE(store_->try_acquire_lock(holder_request(unknown_boot)).acquired);
  EXPECT_FALSE(Lease::acquire(*store_, "exec-next", current_who(), quick()).lease);
}

TEST_F(LeaseTest, TakeOverIsConditionalOnExactlyTheDeadHolder) {
  Who dead = current_who();
  dead.pid = dead_pid();
  const LockAttempt held = store_->try_acquire_lock(holder_request(dead));
  ASSERT_TRUE(held.acquired);
  LockRequest wrong{"me", "exec", current_who(), system_now_ms(), 1000, false};
  wrong.take_over_dead = LockRequest::DeadHolder{"holder:" + std::to_string(dead.pid), held.fence + 1};
  EXPECT_FALSE(store_->try_acquire_lock(wrong).acquired)
      << "a stale fence must not take a newer holder's lock";
  wrong.take_over_dead->fence = held.fence;
  EXPECT_TRUE(store_->try_acquire_lock(wrong).acquired);
}

TEST_F(LeaseTest, ReleasesOnDestructionAndNotAfterHandOver) {
  {
    const LeaseAttempt a = Lease::acquire(*store_, "exec-1", current_who(), quick());
    ASSERT_TRUE(a.lease);
    EXPECT_TRUE(store_->read_lock()->held_at(system_now_ms()));
  }
  EXPECT_FALSE(store_->read_lock()->held_at(system_now_ms()));
  {
    const LeaseAttempt a = Lease::acquire(*store_, "exec-2", current_who(), quick());
    ASSERT_TRUE(a.lease);
    a.lease->hand_over(std::chrono::minutes(5));
  }
  const auto lock = store_->read_lock();
  EXPECT_TRUE(lock->held_at(system_now_ms() + 60'000)) << "kept for the next hop";
  EXPECT_EQ(lock->execution_id, "exec-2");
}

// ---- durable output and interrupted runs ---------------------------------------------------

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open_store("memory:"); }

  RunnerOptions options() {
    RunnerOptions o;
    o.capture_stdio = false;
    o.heartbeat = std::chrono::milliseconds(50);
    o.lease_ttl = std::chrono::milliseconds(2000);
    o.durable_output = {std::chrono::milliseconds(50), 16 * 1024};
    return o;
  }

  std::unique_ptr<Store> store_;
};

TEST_F(LedgerTest, ARunningRunsOutputIsSavedWhileItLasts) {
  std::string seen_status;
  std::string seen_output;
  Migration m = with_up([&](Context& ctx) -> Json {
    ctx.log("first line");
    ctx.log("second line");
    for (int i = 0; i < 100 && seen_output.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const auto runs = store_->runs_of_migration(kA, 1, "").items;
      if (!runs.empty() && runs[0].output.find("second line") != std::string::npos) {
        seen_status = std::string(to_string(runs[0].status));
        seen_output = runs[0].output;
      }
    }
    return {};
  });
  MigrationRunner runner(define_migrations({{kA, m}}), *store_, options());
  EXPECT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  EXPECT_EQ(seen_status, "running");
  EXPECT_THAT(seen_output, HasSubstr("first line"));
  const auto runs = store_->runs_of_migration(kA, 10, "").items;
  ASSERT_EQ(runs.size(), 1u) << "the running record became the final one";
  EXPECT_EQ(runs[0].status, RunStatus::kCompleted);
  EXPECT_THAT(runs[0].output, HasSubstr("second line"));
}

TEST_F(LedgerTest, AShortRunWritesNoExtraOutputRecord) {
  struct Counting : ForwardingStore {
    using ForwardingStore::ForwardingStore;
    WriteOutcome put_run(const RunRecord& run) override {
      ++puts;
      return ForwardingStore::put_run(run);
    }
    std::atomic<int> puts{0};
  } counting(*store_);
  Migration m = with_up([](Context& ctx) -> Json {
    ctx.log("quick");
    return {};
  });
  RunnerOptions o = options();
  o.durable_output = {};  // the defaults: 2 s, 16 KiB
  MigrationRunner runner(define_migrations({{kA, m}}), counting, o);
  EXPECT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  EXPECT_EQ(counting.puts.load(), 1) << "only the final record";
}

TEST_F(LedgerTest, AnInterruptedRunKeepsItsSavedOutputAndEndsAtItsLastSignOfLife) {
  // A holder that died while running kA, after saving its output once.
  Who dead = current_who();
  dead.pid = dead_pid();
  const std::int64_t started = system_now_ms() - 60'000;
  LockRequest request{"dead-owner", "exec-dead", dead, started, 600'000, false};
  const LockAttempt held = store_->try_acquire_lock(request);
  ASSERT_TRUE(held.acquired);
  CurrentRun current{kA, "run-dead", "exec-dead", Direction::kUp, started, 0, Json()};
  ASSERT_EQ(store_->set_current_run("dead-owner", held.fence, current, started + 600'000), WriteOutcome::kOk);
  RunRecord saved;
  saved.run_id = "run-dead";
  saved.id = kA;
  saved.execution_id = "exec-dead";
  saved.started_at = started;
  saved.output = "[t] [info] line before the crash\n";
  saved.fence = held.fence;
  saved.updated_at = started + 5'000;
  ASSERT_EQ(store_->put_run(saved), WriteOutcome::kOk);
  ExecutionRecord exec;
  exec.execution_id = "exec-dead";
  exec.started_at = started;
  exec.fence = held.fence;
  ASSERT_EQ(store_->put_execution(exec), WriteOutcome::kOk);

  MigrationRunner runner(define_migrations({{kA, with_up([](Context&) -> Json { return {}; })}}), *store_,
                         options());
  const ExecutionResult result = runner.up();
  ASSERT_EQ(result.status, ExecutionStatus::kCompleted) << result.error;
  const auto runs = store_->runs_of_migration(kA, 10, "").items;
  ASSERT_EQ(runs.size(), 2u);
  const RunRecord& interrupted = runs[1];
  EXPECT_EQ(interrupted.run_id, "run-dead");
  EXPECT_EQ(interrupted.status, RunStatus::kInterrupted);
  EXPECT_THAT(interrupted.output, HasSubstr("line before the crash"));
  EXPECT_EQ(interrupted.duration_ms, 5'000) << "ends at its last save, not when it was noticed";
  EXPECT_EQ(store_->get_execution("exec-dead")->status, ExecutionStatus::kInterrupted);
}

// ---- reported progress (Context::report_progress) --------------------------------------------

TEST(LiveProgressTest, ASnapshotHoldsTheLatestReport) {
  LiveProgress live;
  EXPECT_EQ(live.snapshot().version, 0u);
  EXPECT_TRUE(progress_json(live.snapshot()).is_null()) << "never reported: no progress field";
  live.report(3, 10, "rows", 1000);
  live.report(4, std::nullopt, "pages", 2000);
  const ProgressSnapshot p = live.snapshot();
  EXPECT_EQ(p.version, 2u);
  EXPECT_EQ(p.done, 4);
  EXPECT_FALSE(p.total.has_value());
  EXPECT_EQ(p.unit, "pages");
  EXPECT_EQ(p.updated_at, 2000);
  const Json j = progress_json(p);
  EXPECT_EQ(j, (Json{{"done", 4}, {"total", nullptr}, {"unit", "pages"}, {"updatedAt", 2000}}));
  const auto back = progress_from_json(j);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->done, 4);
  EXPECT_FALSE(back->total.has_value());
  EXPECT_EQ(back->unit, "pages");
  EXPECT_FALSE(progress_from_json(Json("x")).has_value());
}

TEST_F(LedgerTest, ReportedProgressReachesTheDurableWriteWithoutNewOutput) {
  Json seen;
  Migration m = with_up([&](Context& ctx) -> Json {
    ctx.log("one line, then only progress");
    ctx.report_progress(5, 10, "rows");
    for (int i = 0; i < 250 && seen.is_null(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const auto runs = store_->runs_of_migration(kA, 1, "").items;
      if (!runs.empty() && runs[0].status == RunStatus::kRunning && !runs[0].progress.is_null()) {
        seen = runs[0].progress;
      }
    }
    ctx.report_progress(10, 10, "rows");
    return {};
  });
  MigrationRunner runner(define_migrations({{kA, m}}), *store_, options());
  ASSERT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  ASSERT_TRUE(seen.is_object()) << "the running record carried the progress";
  EXPECT_EQ(seen["done"], 5);
  EXPECT_EQ(seen["total"], 10);
  EXPECT_EQ(seen["unit"], "rows");
  EXPECT_GT(seen["updatedAt"].get<std::int64_t>(), 0);
  const auto runs = store_->runs_of_migration(kA, 10, "").items;
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, RunStatus::kCompleted);
  EXPECT_EQ(runs[0].progress["done"], 10) << "the final value is kept on the completed run";
  EXPECT_EQ(runs[0].progress["total"], 10);
}

TEST_F(LedgerTest, ProgressWithAnUnknownTotalAndNoneAtAll) {
  Migration counts = with_up([](Context& ctx) -> Json {
    ctx.report_progress(7);
    return {};
  });
  Migration silent = with_up([](Context&) -> Json { return {}; });
  MigrationRunner runner(define_migrations({{kA, counts}, {kB, silent}}), *store_, options());
  ASSERT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  const RunRecord a = store_->runs_of_migration(kA, 1, "").items.at(0);
  EXPECT_EQ(
      a.progress,
      (Json{{"done", 7}, {"total", nullptr}, {"unit", "items"}, {"updatedAt", a.progress["updatedAt"]}}));
  EXPECT_TRUE(store_->runs_of_migration(kB, 1, "").items.at(0).progress.is_null())
      << "a run that reports nothing has no progress";
}

// ---- a fault on each ledger write ----------------------------------------------------------

enum class Fault { kNone, kLostResponse, kFenced, kThrottled, kError };

// Injects `fault` into the n-th call (1-based) of the write `which` ("put_run" for final
// records, "put_run:running" for durable output saves, "put_state", "put_execution",
// "set_current_run").
class FaultyStore : public ForwardingStore {
 public:
  FaultyStore(Store& target, std::string which, Fault fault, int nth = 1)
      : ForwardingStore(target), which_(std::move(which)), fault_(fault), nth_(nth) {}

  WriteOutcome put_run(const RunRecord& run) override {
    const char* name = run.status == RunStatus::kRunning ? "put_run:running" : "put_run";
    return inject(name, [&] { return ForwardingStore::put_run(run); });
  }
  WriteOutcome put_state(const MigrationState& state, const std::optional<std::string>& unless) override {
    return inject("put_state", [&] { return ForwardingStore::put_state(state, unless); });
  }
  WriteOutcome put_execution(const ExecutionRecord& execution) override {
    return inject("put_execution", [&] { return ForwardingStore::put_execution(execution); });
  }
  WriteOutcome set_current_run(const std::string& owner, std::int64_t fence,
                               const std::optional<CurrentRun>& current, std::int64_t expires_at) override {
    return inject("set_current_run",
                  [&] { return ForwardingStore::set_current_run(owner, fence, current, expires_at); });
  }

  int injected() const { return injected_.load(); }

 private:
  WriteOutcome inject(const std::string& name, const std::function<WriteOutcome()>& write) {
    if (name != which_ || ++calls_ != nth_) return write();
    ++injected_;
    switch (fault_) {
      case Fault::kNone: return write();
      case Fault::kLostResponse:
        (void)write();
        throw StoreError("test store: connection reset before the response (the write may have landed)");
      case Fault::kFenced: return WriteOutcome::kFenced;
      case Fault::kThrottled:
        throw StoreError("test store: ProvisionedThroughputExceededException after retries");
      case Fault::kError: throw StoreError("test store: disk I/O error");
    }
    return write();
  }

  std::string which_;
  Fault fault_;
  int nth_;
  std::atomic<int> calls_{0};
  std::atomic<int> injected_{0};
};

class LedgerFaults : public LedgerTest {
 protected:
  // Two migrations; the bodies count their calls.
  std::vector<MigrationEntry> two(std::function<void(Context&)> a_body = nullptr) {
    Migration a = with_up([this, a_body](Context& ctx) -> Json {
      ++calls_[0];
      if (a_body) a_body(ctx);
      return {};
    });
    Migration b = with_up([this](Context&) -> Json {
      ++calls_[1];
      return {};
    });
    return define_migrations({{kA, a}, {kB, b}});
  }

  // After the faulty run: a clean `up` finishes the work, never running a completed body again.
  void expect_clean_up_finishes() {
    MigrationRunner clean(two(), *store_, options());
    const ExecutionResult r = clean.up();
    EXPECT_EQ(r.status, ExecutionStatus::kCompleted) << r.error;
    EXPECT_LE(calls_[0], 2);
    EXPECT_EQ(calls_[1], 1) << "kB ran exactly once over both runs";
    EXPECT_TRUE(store_->get_state(kA)->applied);
    EXPECT_TRUE(store_->get_state(kB)->applied);
    EXPECT_FALSE(store_->read_lock()->held_at(system_now_ms())) << "the lock is free again";
  }

  int calls_[2] = {0, 0};
};

TEST_F(LedgerFaults, LostResponseOnTheFinalRunRecordFailsTheExecutionWithoutRerunningIt) {
  FaultyStore faulty(*store_, "put_run", Fault::kLostResponse);
  MigrationRunner runner(two(), faulty, options());
  const ExecutionResult r = runner.up();
  EXPECT_EQ(faulty.injected(), 1);
  EXPECT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(r.failure, ExecutionResult::Failure::kStore);
  EXPECT_THAT(r.error, HasSubstr("connection reset"));
  expect_clean_up_finishes();
  EXPECT_EQ(calls_[0], 1) << "its state landed: kA is applied and not run again";
}

TEST_F(LedgerFaults, FencedStateWriteStopsWithLeaseLost) {
  FaultyStore faulty(*store_, "put_state", Fault::kFenced);
  MigrationRunner runner(two(), faulty, options());
  const ExecutionResult r = runner.up();
  EXPECT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_THAT(r.error, HasSubstr("lost the migrations lock"));
  EXPECT_EQ(calls_[1], 0) << "nothing after the fenced write";
  expect_clean_up_finishes();
}

TEST_F(LedgerFaults, FencedExecutionWriteStopsBeforeAnyMigration) {
  FaultyStore faulty(*store_, "put_execution", Fault::kFenced);
  MigrationRunner runner(two(), faulty, options());
  const ExecutionResult r = runner.up();
  EXPECT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_THAT(r.error, HasSubstr("lost the migrations lock"));
  EXPECT_EQ(calls_[0], 0);
  expect_clean_up_finishes();
}

TEST_F(LedgerFaults, ThrottledDurableOutputSaveIsRetriedAndTheRunCompletes) {
  FaultyStore faulty(*store_, "put_run:running", Fault::kThrottled);
  MigrationRunner runner(two([](Context& ctx) {
                           ctx.log("before the throttled save");
                           std::this_thread::sleep_for(std::chrono::milliseconds(400));
                           ctx.log("after it");
                         }),
                         faulty, options());
  const ExecutionResult r = runner.up();
  EXPECT_EQ(faulty.injected(), 1);
  EXPECT_EQ(r.status, ExecutionStatus::kCompleted) << r.error;
  const auto run = store_->runs_of_migration(kA, 1, "").items.at(0);
  EXPECT_THAT(run.output, HasSubstr("before the throttled save"));
  EXPECT_THAT(run.output, HasSubstr("after it"));
}

TEST_F(LedgerFaults, FencedDurableOutputSaveStopsBeforeTheNextMigration) {
  FaultyStore faulty(*store_, "put_run:running", Fault::kFenced);
  MigrationRunner runner(two([](Context& ctx) {
                           ctx.log("output");
                           std::this_thread::sleep_for(std::chrono::milliseconds(400));
                         }),
                         faulty, options());
  const ExecutionResult r = runner.up();
  EXPECT_EQ(faulty.injected(), 1);
  EXPECT_NE(r.status, ExecutionStatus::kCompleted);
  EXPECT_EQ(calls_[1], 0) << "a lost lease stops the run before kB";
}

TEST_F(LedgerFaults, ErrorWhenStartingARunFailsTheExecutionAndFreesTheLock) {
  // set_current_run #1 starts kA.
  FaultyStore faulty(*store_, "set_current_run", Fault::kError);
  MigrationRunner runner(two(), faulty, options());
  const ExecutionResult r = runner.up();
  EXPECT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(r.failure, ExecutionResult::Failure::kStore);
  EXPECT_THAT(r.error, HasSubstr("disk I/O error"));
  EXPECT_EQ(calls_[0], 0);
  EXPECT_EQ(store_->get_execution(r.execution_id)->status, ExecutionStatus::kFailed);
  expect_clean_up_finishes();
}

TEST_F(LedgerFaults, ThrottledFinalExecutionWriteIsReportedAndTheNextRunClosesIt) {
  // put_execution #1 records `running`, #2 the outcome.
  FaultyStore faulty(*store_, "put_execution", Fault::kThrottled, 2);
  MigrationRunner runner(two(), faulty, options());
  const ExecutionResult r = runner.up();
  EXPECT_EQ(faulty.injected(), 1);
  EXPECT_EQ(r.failure, ExecutionResult::Failure::kStore);
  EXPECT_THAT(r.error, HasSubstr("ProvisionedThroughputExceeded"));
  EXPECT_EQ(calls_[0], 1);
  EXPECT_EQ(calls_[1], 1) << "both migrations ran before the last write";
  expect_clean_up_finishes();
}

TEST(ExecutionCountsTest, FinishedOutOfPlannedAsEveryViewShowsIt) {
  ExecutionRecord e;
  e.planned = {kA, kB};
  e.finished = {kA};
  const ExecutionCounts c = execution_counts(e);
  EXPECT_EQ(c.finished, 1u);
  EXPECT_EQ(c.planned, 2u);
}

TEST(RunHandleTest, StartedThenFinished) {
  auto store = open_store("memory:");
  std::atomic<bool> release{false};
  Migration m = with_up([&](Context&) -> Json {
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return {};
  });
  RunnerOptions o;
  o.capture_stdio = false;
  MigrationRunner runner(define_migrations({{kA, m}}), *store, o);
  RunHandle handle = runner.start(RunRequest{});
  const auto id = handle.started();
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(store->get_execution(*id)->status, ExecutionStatus::kRunning)
      << "recorded before started() returns";
  release = true;
  EXPECT_EQ(handle.finished().status, ExecutionStatus::kCompleted);

  // A run that cannot start says so through started().
  ASSERT_TRUE(store->try_acquire_lock({"other", "exec-other", {}, system_now_ms(), 60'000, false}).acquired);
  RunHandle refused = runner.start(RunRequest{});
  EXPECT_FALSE(refused.started().has_value());
  EXPECT_EQ(refused.finished().failure, ExecutionResult::Failure::kLockHeld);
}

}  // namespace
}  // namespace auric
