#include "core/runner.hpp"

#include <dirent.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include "core/system.hpp"
#include "store/open_store.hpp"

namespace auric {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Migrations that record their calls into a shared journal.
struct Journal {
  std::vector<std::string> calls;
};

Migration recording(Journal& j, const std::string& id, std::function<Json(Context&)> extra = nullptr) {
  Migration m;
  m.description = "desc of " + id;
  m.up = [&j, id, extra](Context& ctx) {
    j.calls.push_back("up " + id);
    return extra ? extra(ctx) : Json();
  };
  m.down = [&j, id](Context&) {
    j.calls.push_back("down " + id);
    return Json();
  };
  return m;
}

const std::string kA = "20250101000000_a";
const std::string kB = "20250102000000_b";
const std::string kC = "20250103000000_c";

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open_store("memory:"); }

  std::vector<MigrationEntry> three(std::function<Json(Context&)> b_extra = nullptr) {
    return define_migrations({{kA, recording(journal_, kA)},
                              {kB, recording(journal_, kB, b_extra)},
                              {kC, recording(journal_, kC)}});
  }

  RunnerOptions options() {
    RunnerOptions o;
    o.capture_stdio = false;
    o.heartbeat = std::chrono::milliseconds(50);
    o.lease_ttl = std::chrono::milliseconds(2000);
    return o;
  }

  std::vector<RunRecord> history(const std::string& id) {
    return store_->runs_of_migration(id, 100, "").items;
  }

  std::unique_ptr<Store> store_;
  Journal journal_;
};

// The ids of this process's threads (/proc/self/task), sorted.
std::vector<std::string> thread_ids() {
  std::vector<std::string> ids;
  if (DIR* dir = ::opendir("/proc/self/task")) {
    while (const dirent* entry = ::readdir(dir)) {
      if (entry->d_name[0] != '.') ids.emplace_back(entry->d_name);
    }
    ::closedir(dir);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST_F(RunnerTest, NoThreadIsCreatedPerMigration) {
  // With stdio captured, as the CLI runs: the capture reader and the store-write worker are
  // started once, so every migration after the first sees the very same threads (a thread
  // started per migration would show up with a new id each time).
  std::vector<std::vector<std::string>> seen;
  std::vector<std::pair<std::string, Migration>> list;
  for (int i = 1; i <= 6; ++i) {
    Migration m;
    m.up = [&seen](Context& ctx) {
      ctx.log("counting threads");
      seen.push_back(thread_ids());
      return Json();
    };
    m.down = [](Context&) { return Json(); };
    list.emplace_back("2025010100000" + std::to_string(i) + "_m", std::move(m));
  }
  RunnerOptions o = options();
  o.capture_stdio = true;
  MigrationRunner runner(define_migrations(std::move(list)), *store_, o);
  EXPECT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  ASSERT_EQ(seen.size(), 6u);
  for (std::size_t i = 2; i < seen.size(); ++i) EXPECT_EQ(seen[i], seen[1]) << "migration " << i + 1;
  for (const auto& run : store_->runs_of_migration("20250101000006_m", 10, "").items) {
    EXPECT_THAT(run.output, HasSubstr("] [info] counting threads\n"));
  }
}

TEST_F(RunnerTest, UpRunsAllPendingInOrder) {
  MigrationRunner runner(three(), *store_, options());
  const ExecutionResult r = runner.up();
  EXPECT_EQ(r.status, ExecutionStatus::kCompleted);
  EXPECT_THAT(r.migrations_run, ElementsAre(kA, kB, kC));
  EXPECT_THAT(r.migrations_remaining, IsEmpty());
  EXPECT_THAT(journal_.calls, ElementsAre("up " + kA, "up " + kB, "up " + kC));
  EXPECT_EQ(r.execution_id.size(), 36u);
  const auto states = store_->list_states();
  ASSERT_EQ(states.size(), 3u);
  for (const auto& s : states) {
    EXPECT_TRUE(s.applied);
    EXPECT_EQ(s.status, RunStatus::kCompleted);
    EXPECT_EQ(s.last_execution_id, r.execution_id);
  }
  const auto exec = store_->get_execution(r.execution_id);
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->status, ExecutionStatus::kCompleted);
  EXPECT_THAT(exec->planned, ElementsAre(kA, kB, kC));
  EXPECT_THAT(exec->finished, ElementsAre(kA, kB, kC));
  EXPECT_EQ(exec->who.pid, current_who().pid);
  EXPECT_FALSE(exec->who.host.empty());
  EXPECT_EQ(store_->runs_of_execution(r.execution_id).size(), 3u);
  const auto lock = store_->read_lock();
  ASSERT_TRUE(lock);
  EXPECT_FALSE(lock->held_at(system_now_ms()));
  EXPECT_FALSE(lock->current);
}

TEST_F(RunnerTest, UpSkipsAppliedAndIsIdempotent) {
  MigrationRunner runner(three(), *store_, options());
  runner.up(kA);
  journal_.calls.clear();
  const ExecutionResult r = runner.up();
  EXPECT_THAT(r.migrations_run, ElementsAre(kB, kC));
  journal_.calls.clear();
  const ExecutionResult again = runner.up();
  EXPECT_EQ(again.status, ExecutionStatus::kCompleted);
  EXPECT_THAT(again.migrations_run, IsEmpty());
  EXPECT_THAT(journal_.calls, IsEmpty());
}

TEST_F(RunnerTest, UpToTargetIsInclusive) {
  MigrationRunner runner(three(), *store_, options());
  const ExecutionResult r = runner.up("b");
  EXPECT_THAT(r.migrations_run, ElementsAre(kA, kB));
  EXPECT_THAT(journal_.calls, ElementsAre("up " + kA, "up " + kB));
}

TEST_F(RunnerTest, UnknownTargetFailsBeforeTouchingTheStore) {
  MigrationRunner runner(three(), *store_, options());
  const ExecutionResult r = runner.up("nope");
  EXPECT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(r.failure, ExecutionResult::Failure::kUsage);
  EXPECT_THAT(r.error, HasSubstr("Target migration not found: nope"));
  EXPECT_FALSE(store_->read_lock());
  EXPECT_TRUE(store_->list_executions(10, "").items.empty());
}

TEST_F(RunnerTest, FailureStopsTheRunAndIsRetried) {
  bool fail = true;
  MigrationRunner runner(three([&](Context& ctx) -> Json {
                           ctx.log("about to fail");
                           if (fail) throw std::runtime_error("boom");
                           return Json();
                         }),
                         *store_, options());
  const ExecutionResult r = runner.up();
  EXPECT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(r.failure, ExecutionResult::Failure::kMigrationFailed);
  EXPECT_THAT(r.migrations_run, ElementsAre(kA));
  EXPECT_THAT(r.migrations_remaining, ElementsAre(kC));
  EXPECT_THAT(r.error, HasSubstr("boom"));
  EXPECT_THAT(journal_.calls, ElementsAre("up " + kA, "up " + kB));

  const auto runs = history(kB);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, RunStatus::kFailed);
  EXPECT_EQ(runs[0].error, "boom");
  EXPECT_THAT(runs[0].output, HasSubstr("[info] about to fail"));
  const auto state = store_->get_state(kB);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->status, RunStatus::kFailed);
  EXPECT_FALSE(state->applied);
  EXPECT_EQ(store_->get_execution(r.execution_id)->status, ExecutionStatus::kFailed);

  fail = false;
  const ExecutionResult retry = runner.up();
  EXPECT_EQ(retry.status, ExecutionStatus::kCompleted);
  EXPECT_THAT(retry.migrations_run, ElementsAre(kB, kC));
  EXPECT_EQ(history(kB).size(), 2u);
}

TEST_F(RunnerTest, NonStandardExceptionIsRecorded) {
  MigrationRunner runner(three([](Context&) -> Json { throw 42; }), *store_, options());
  const ExecutionResult r = runner.up();
  EXPECT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_THAT(history(kB).at(0).error, HasSubstr("unknown exception"));
}

TEST_F(RunnerTest, ResultOutputDescriptionAndContext) {
  RunnerOptions o = options();
  o.config = {{"app", "x"}};
  o.make_user_context = [](const Json& config) { return std::any(config.value("app", "") + "-ctx"); };
  MigrationRunner runner(three([](Context& ctx) -> Json {
                           ctx.log("rows", 42, "copied", true);
                           ctx.logger().warn("careful", {{"k", 1}});
                           EXPECT_EQ(ctx.config().value("app", ""), "x");
                           EXPECT_EQ(ctx.user<std::string>(), "x-ctx");
                           EXPECT_EQ(ctx.migration_id(), kB);
                           EXPECT_EQ(ctx.direction(), Direction::kUp);
                           EXPECT_FALSE(ctx.should_stop());
                           EXPECT_EQ(ctx.time_remaining(), std::chrono::milliseconds::max());
                           return {{"rowsAffected", 42}};
                         }),
                         *store_, o);
  const ExecutionResult r = runner.up();
  ASSERT_EQ(r.status, ExecutionStatus::kCompleted);
  const RunRecord run = history(kB).at(0);
  EXPECT_EQ(run.result, (Json{{"rowsAffected", 42}}));
  EXPECT_EQ(run.description, "desc of " + kB);
  EXPECT_THAT(run.output, HasSubstr("[info] rows 42 copied true\n"));
  EXPECT_THAT(run.output, HasSubstr("[warn] careful {\"k\":1}\n"));
  EXPECT_FALSE(run.output_truncated);
  EXPECT_EQ(run.execution_id, r.execution_id);
  EXPECT_TRUE(history(kA).at(0).result.is_null());  // null result stores nothing
}

TEST_F(RunnerTest, CapturesPrintfFromMigrations) {
  RunnerOptions o = options();
  o.capture_stdio = true;
  MigrationRunner runner(three([](Context&) -> Json {
                           std::printf("from printf %d\n", 7);
                           std::fprintf(stderr, "to stderr\n");
                           return Json();
                         }),
                         *store_, o);
  ASSERT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  const RunRecord run = history(kB).at(0);
  EXPECT_THAT(run.output, HasSubstr("[stdout] from printf 7\n"));
  EXPECT_THAT(run.output, HasSubstr("[stderr] to stderr\n"));
}

TEST_F(RunnerTest, OversizedResultIsTrimmedNotFailed) {
  MigrationRunner runner(three([](Context&) -> Json {
                           return {{"blob", std::string(100 * 1024, 'x')}};
                         }),
                         *store_, options());
  const ExecutionResult r = runner.up();
  EXPECT_EQ(r.status, ExecutionStatus::kCompleted);
  const RunRecord run = history(kB).at(0);
  EXPECT_TRUE(run.result_truncated);
  EXPECT_EQ(run.result.value("truncated", false), true);
  EXPECT_TRUE(store_->get_state(kB)->applied);
}

TEST_F(RunnerTest, DownRollsBackMostRecentlyApplied) {
  auto ms = three();
  {
    auto first = define_migrations({{kA, recording(journal_, kA)}, {kC, recording(journal_, kC)}});
    MigrationRunner runner(first, *store_, options());
    ASSERT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  }
  // b arrives late, out of order: allowed here (strict, the default, refuses it: safety_test.cpp).
  RunnerOptions allow = options();
  allow.safety.order = OrderPolicy::kAllowOutOfOrder;
  MigrationRunner runner(ms, *store_, allow);
  ASSERT_THAT(runner.up().migrations_run, ElementsAre(kB));
  journal_.calls.clear();
  const ExecutionResult r = runner.down();
  EXPECT_THAT(r.migrations_run, ElementsAre(kB));
  EXPECT_THAT(journal_.calls, ElementsAre("down " + kB));
  EXPECT_FALSE(store_->get_state(kB)->applied);
  EXPECT_EQ(store_->get_state(kB)->direction, Direction::kDown);
}

TEST_F(RunnerTest, DownToAndSteps) {
  MigrationRunner runner(three(), *store_, options());
  runner.up();
  journal_.calls.clear();
  EXPECT_THAT(runner.down("", 1).migrations_run, ElementsAre(kC));
  EXPECT_THAT(runner.down(kA).migrations_run, ElementsAre(kB, kA));
  EXPECT_THAT(journal_.calls, ElementsAre("down " + kC, "down " + kB, "down " + kA));
  const ExecutionResult none = runner.down();
  EXPECT_EQ(none.status, ExecutionStatus::kCompleted);
  EXPECT_THAT(none.migrations_run, IsEmpty());
  // After a rollback, up applies again.
  journal_.calls.clear();
  EXPECT_THAT(runner.up().migrations_run, ElementsAre(kA, kB, kC));
}

TEST_F(RunnerTest, FailedDownStaysAppliedAndCanBeRolledBackAgain) {
  bool fail = true;
  Migration b = recording(journal_, kB);
  b.down = [&](Context&) -> Json {
    if (fail) throw std::runtime_error("cannot revert");
    return Json();
  };
  MigrationRunner runner(define_migrations({{kA, recording(journal_, kA)}, {kB, b}}), *store_, options());
  runner.up();
  const ExecutionResult r = runner.down();
  EXPECT_EQ(r.status, ExecutionStatus::kFailed);
  const auto state = store_->get_state(kB);
  EXPECT_TRUE(state->applied);
  EXPECT_EQ(state->status, RunStatus::kFailed);
  EXPECT_THAT(runner.status().failed, ElementsAre(kB));
  fail = false;
  EXPECT_THAT(runner.down().migrations_run, ElementsAre(kB));
}

TEST_F(RunnerTest, SuppliedExecutionIdIsUsed) {
  MigrationRunner runner(three(), *store_, options());
  RunRequest req;
  req.execution_id = "exec-given";
  const ExecutionResult r = runner.run(req);
  EXPECT_EQ(r.execution_id, "exec-given");
  EXPECT_EQ(history(kA).at(0).execution_id, "exec-given");
}

TEST_F(RunnerTest, DryRunChangesNothing) {
  MigrationRunner runner(three(), *store_, options());
  RunRequest req;
  req.dry_run = true;
  const ExecutionResult r = runner.run(req);
  EXPECT_TRUE(r.dry_run);
  EXPECT_THAT(r.planned, ElementsAre(kA, kB, kC));
  EXPECT_THAT(journal_.calls, IsEmpty());
  EXPECT_FALSE(store_->read_lock());
  EXPECT_TRUE(store_->list_states().empty());
}

TEST_F(RunnerTest, LockHeldFailsFastNamingTheHolder) {
  Who other;
  other.user = "alice";
  other.host = "box";
  other.pid = 4242;
  const auto held = store_->try_acquire_lock({"other", "exec-other", other, system_now_ms(), 60'000, false});
  ASSERT_TRUE(held.acquired);
  MigrationRunner runner(three(), *store_, options());
  const ExecutionResult r = runner.up();
  EXPECT_EQ(r.failure, ExecutionResult::Failure::kLockHeld);
  EXPECT_THAT(r.error, HasSubstr("alice@box (pid 4242, execution exec-other"));
  EXPECT_THAT(r.error, HasSubstr("--wait"));
  ASSERT_TRUE(r.holder);
  EXPECT_EQ(r.holder->owner, "other");
  EXPECT_THAT(journal_.calls, IsEmpty());
}

TEST_F(RunnerTest, WaitTakesTheLockOnceReleased) {
  const auto held = store_->try_acquire_lock({"other", "exec-other", {}, system_now_ms(), 60'000, false});
  ASSERT_TRUE(held.acquired);
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(store_->release_lock("other", held.fence), WriteOutcome::kOk);
  });
  RunnerOptions o = options();
  o.wait_for_lock = true;
  o.wait_timeout = std::chrono::milliseconds(10'000);
  bool waited = false;
  o.on_event = [&](const RunEvent& e) { waited |= e.kind == RunEvent::Kind::kWaitingForLock; };
  MigrationRunner runner(three(), *store_, o);
  const ExecutionResult r = runner.up();
  releaser.join();
  EXPECT_TRUE(waited);
  EXPECT_EQ(r.status, ExecutionStatus::kCompleted);
  EXPECT_THAT(r.migrations_run, ElementsAre(kA, kB, kC));
}

TEST_F(RunnerTest, LostLeaseCannotWriteState) {
  // While b runs, another runner force-takes the lock: b's outcome must not be written.
  MigrationRunner runner(
      three([&](Context&) -> Json {
        store_->force_unlock();
        auto stolen = store_->try_acquire_lock({"thief", "exec-thief", {}, system_now_ms(), 60'000, false});
        EXPECT_TRUE(stolen.acquired);
        return Json();
      }),
      *store_, options());
  const ExecutionResult r = runner.up();
  EXPECT_EQ(r.status, ExecutionStatus::kFailed);
  EXPECT_EQ(r.failure, ExecutionResult::Failure::kStore);
  EXPECT_THAT(r.error, HasSubstr("lost the migrations lock"));
  EXPECT_THAT(journal_.calls, ElementsAre("up " + kA, "up " + kB));  // c never started
  EXPECT_EQ(store_->read_lock()->owner, "thief");
}

TEST_F(RunnerTest, CrashedRunIsRecordedInterruptedAndRetried) {
  // A runner died while running b: its lock lease expired with `current` set.
  std::int64_t clock = system_now_ms();
  const auto dead = store_->try_acquire_lock({"dead", "exec-dead", {}, clock, 1000, false});
  ASSERT_TRUE(dead.acquired);
  ExecutionRecord exec;
  exec.execution_id = "exec-dead";
  exec.started_at = clock;
  exec.fence = dead.fence;
  exec.planned = {kA, kB};
  ASSERT_EQ(store_->put_execution(exec), WriteOutcome::kOk);
  CurrentRun current;
  current.migration_id = kB;
  current.run_id = "run-dead";
  current.execution_id = "exec-dead";
  current.started_at = clock;
  current.progress = {{"done", 5}};
  ASSERT_EQ(WriteOutcome::kOk, store_->set_current_run("dead", dead.fence, current, clock + 1000));

  RunnerOptions o = options();
  clock += 5000;  // past the dead lease
  o.now_ms = [&] { return clock; };
  std::vector<std::string> recovered;
  o.on_event = [&](const RunEvent& e) {
    if (e.kind == RunEvent::Kind::kRecovered) recovered.push_back(e.id);
  };
  Json progress_seen;
  MigrationRunner runner(three([&](Context& ctx) -> Json {
                           progress_seen = ctx.progress();
                           return Json();
                         }),
                         *store_, o);
  const ExecutionResult r = runner.up();
  EXPECT_EQ(r.status, ExecutionStatus::kCompleted);
  EXPECT_THAT(recovered, ElementsAre(kB));
  EXPECT_EQ(progress_seen, (Json{{"done", 5}}));  // resumes from the dead run's checkpoint
  const auto runs = history(kB);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].status, RunStatus::kCompleted);
  EXPECT_EQ(runs[1].status, RunStatus::kInterrupted);
  EXPECT_EQ(runs[1].run_id, "run-dead");
  EXPECT_THAT(runs[1].error, HasSubstr("interrupted"));
  EXPECT_EQ(store_->get_execution("exec-dead")->status, ExecutionStatus::kInterrupted);
}

TEST_F(RunnerTest, RecoveryDoesNotOverwriteAnOutcomeThatWasWritten) {
  // The dead runner wrote b's outcome but died before clearing `current`.
  MigrationRunner first(three(), *store_, options());
  first.up(kB);
  const auto state = store_->get_state(kB);
  const std::int64_t now = system_now_ms();
  const auto dead = store_->try_acquire_lock({"dead", "exec-dead", {}, now, 1, false});
  CurrentRun current;
  current.migration_id = kB;
  current.run_id = state->last_run_id;
  current.execution_id = "exec-dead";
  ASSERT_EQ(WriteOutcome::kOk, store_->set_current_run("dead", dead.fence, current, now + 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  MigrationRunner runner(three(), *store_, options());
  EXPECT_THAT(runner.up().migrations_run, ElementsAre(kC));
  EXPECT_EQ(store_->get_state(kB)->status, RunStatus::kCompleted);
  EXPECT_EQ(history(kB).size(), 1u);
}

TEST_F(RunnerTest, SuspendAtCheckpointResumesNextTime) {
  int calls = 0;
  MigrationRunner runner(three([&](Context& ctx) -> Json {
                           ++calls;
                           const int start = ctx.progress().is_null() ? 0 : ctx.progress().value("next", 0);
                           if (start == 0) ctx.suspend({{"next", 50}});
                           return {{"resumedAt", start}};
                         }),
                         *store_, options());
  const ExecutionResult first = runner.up();
  // Suspended is not a failure: its own status, stopped (exit 128 + signal in the CLI).
  EXPECT_EQ(first.status, ExecutionStatus::kSuspended);
  EXPECT_EQ(first.failure, ExecutionResult::Failure::kStopped);
  EXPECT_EQ(first.stop, StopReason::kSignal);
  EXPECT_THAT(first.migrations_remaining, ElementsAre(kB, kC));
  EXPECT_EQ(store_->get_state(kB)->progress, (Json{{"next", 50}}));
  EXPECT_EQ(store_->get_state(kB)->status, RunStatus::kSuspended);
  EXPECT_EQ(store_->get_execution(first.execution_id)->status, ExecutionStatus::kSuspended);
  const StatusReport report = runner.status();
  EXPECT_THAT(report.suspended, ElementsAre(kB));
  EXPECT_TRUE(report.failed.empty());
  const ExecutionResult second = runner.up();
  EXPECT_EQ(second.status, ExecutionStatus::kCompleted);
  EXPECT_EQ(calls, 2);
  // Both attempts may start in the same millisecond, so find the completed one by status.
  const auto runs = history(kB);
  ASSERT_EQ(runs.size(), 2u);
  const auto completed = std::find_if(runs.begin(), runs.end(),
                                      [](const RunRecord& r) { return r.status == RunStatus::kCompleted; });
  ASSERT_NE(completed, runs.end());
  EXPECT_EQ(completed->result, (Json{{"resumedAt", 50}}));
  EXPECT_TRUE(store_->get_state(kB)->progress.is_null());
}

TEST_F(RunnerTest, DeadlineStopsBetweenMigrationsWithContinuation) {
  RunnerOptions o = options();
  std::int64_t remaining = 120'000;
  o.time_remaining = [&] { return std::chrono::milliseconds(remaining); };
  o.stop_margin = std::chrono::milliseconds(60'000);
  MigrationRunner runner(three([&](Context& ctx) -> Json {
                           EXPECT_EQ(ctx.time_remaining(), std::chrono::milliseconds(60'000));
                           remaining = 30'000;
                           EXPECT_TRUE(ctx.should_stop());
                           return Json();
                         }),
                         *store_, o);
  const ExecutionResult r = runner.up();
  EXPECT_EQ(r.status, ExecutionStatus::kNeedsContinuation);
  EXPECT_THAT(r.migrations_run, ElementsAre(kA, kB));
  EXPECT_THAT(r.migrations_remaining, ElementsAre(kC));
  EXPECT_EQ(store_->get_execution(r.execution_id)->status, ExecutionStatus::kNeedsContinuation);
}

TEST_F(RunnerTest, ContinuationKeepsTheLeaseForTheNextHopOnly) {
  RunnerOptions o = options();
  std::int64_t remaining = 120'000;
  o.time_remaining = [&] { return std::chrono::milliseconds(remaining); };
  o.handover_ttl = std::chrono::milliseconds(60'000);
  MigrationRunner runner(three([&](Context&) -> Json {
                           remaining = 1'000;
                           return Json();
                         }),
                         *store_, o);
  const ExecutionResult first = runner.up();
  ASSERT_EQ(first.status, ExecutionStatus::kNeedsContinuation);
  const auto lock = store_->read_lock();
  ASSERT_TRUE(lock);
  EXPECT_TRUE(lock->held_at(system_now_ms() + 30'000)) << "the lease is kept for the hand-over";

  // Another execution is refused while the hand-over lease lasts...
  MigrationRunner other(three(), *store_, options());
  EXPECT_EQ(other.up().failure, ExecutionResult::Failure::kLockHeld);
  // ...but the next hop of the same execution re-enters it and finishes the plan.
  // Handed over, the execution reads `running`: were the next hop never to come, the next
  // runner would record it as interrupted.
  const auto handed = store_->get_execution(first.execution_id);
  ASSERT_TRUE(handed.has_value());
  EXPECT_EQ(handed->status, ExecutionStatus::kRunning);
  EXPECT_FALSE(handed->completed_at.has_value());
  EXPECT_THAT(handed->planned, ElementsAre(kA, kB, kC));
  remaining = 120'000;
  RunRequest next;
  next.execution_id = first.execution_id;
  next.hop = 1;
  next.history = handed;
  MigrationRunner hop(three(), *store_, options());
  const ExecutionResult second = hop.run(next);
  EXPECT_EQ(second.status, ExecutionStatus::kCompleted);
  EXPECT_THAT(second.migrations_run, ElementsAre(kC));
  EXPECT_FALSE(store_->read_lock()->held_at(system_now_ms()));
  // The stored execution keeps the whole run's history; the result reports this hop's.
  const auto done = store_->get_execution(first.execution_id);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->status, ExecutionStatus::kCompleted);
  EXPECT_EQ(done->started_at, handed->started_at);
  EXPECT_THAT(done->planned, ElementsAre(kA, kB, kC));
  EXPECT_THAT(done->finished, ElementsAre(kA, kB, kC));
  EXPECT_THAT(second.planned, ElementsAre(kC));
}

TEST_F(RunnerTest, StopRequestStopsBeforeTheNextMigration) {
  std::atomic<bool> stop{false};
  RunnerOptions o = options();
  o.stop_requested = &stop;
  MigrationRunner runner(three([&](Context&) -> Json {
                           stop = true;
                           return Json();
                         }),
                         *store_, o);
  const ExecutionResult r = runner.up();
  EXPECT_EQ(r.status, ExecutionStatus::kSuspended);
  EXPECT_EQ(r.failure, ExecutionResult::Failure::kStopped);
  EXPECT_EQ(r.stop, StopReason::kSignal);
  EXPECT_THAT(r.migrations_run, ElementsAre(kA, kB));
  EXPECT_THAT(r.migrations_remaining, ElementsAre(kC));
  EXPECT_THAT(r.error, HasSubstr("stopped by a signal"));
}

TEST_F(RunnerTest, HeartbeatKeepsTheLeaseAlive) {
  RunnerOptions o = options();
  o.lease_ttl = std::chrono::milliseconds(300);
  o.heartbeat = std::chrono::milliseconds(50);
  std::int64_t expiry_seen = 0;
  MigrationRunner runner(three([&](Context&) -> Json {
                           std::this_thread::sleep_for(std::chrono::milliseconds(700));
                           expiry_seen = store_->read_lock()->expires_at;
                           return Json();
                         }),
                         *store_, o);
  const std::int64_t before = system_now_ms();
  const ExecutionResult r = runner.up();
  EXPECT_EQ(r.status, ExecutionStatus::kCompleted);
  EXPECT_GT(expiry_seen, before + 600);  // renewed while b slept well past one TTL
}

TEST_F(RunnerTest, StatusReportsDriftAndMissing) {
  auto ms = three();
  for (auto& m : ms) m.checksum = "v1";
  {
    MigrationRunner runner(ms, *store_, options());
    runner.up();
  }
  ms[0].checksum = "v2";
  ms.pop_back();
  MigrationRunner runner(ms, *store_, options());
  const StatusReport r = runner.status();
  EXPECT_THAT(r.drift, ElementsAre(kA));
  EXPECT_THAT(r.missing, ElementsAre(kC));
}

}  // namespace
}  // namespace auric
