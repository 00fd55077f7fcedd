// The safety policy (drift, ordering), the no-op run that records nothing, the manual
// operations (baseline, mark, repair) and redo, against the memory and SQLite stores.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/manual.hpp"
#include "core/policy.hpp"
#include "core/runner.hpp"
#include "core/system.hpp"
#include "store/open_store.hpp"

namespace auric {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kA = "20250101000000_a";
const std::string kB = "20250102000000_b";
const std::string kC = "20250103000000_c";

MigrationState applied_state(const std::string& id, const std::string& checksum) {
  MigrationState s;
  s.id = id;
  s.applied = true;
  s.checksum = checksum;
  return s;
}

// ---- check_run_policy (pure) ----------------------------------------------------------------

TEST(Policy, DriftRefusesUpAndDownNamingTheIdsAndTheWayOut) {
  const std::vector<KnownMigration> known = {{kA, "new"}, {kB, "same"}};
  const std::map<std::string, MigrationState> states = {{kA, applied_state(kA, "old")},
                                                        {kB, applied_state(kB, "same")}};
  for (const Direction d : {Direction::kUp, Direction::kDown}) {
    const auto r = check_run_policy(known, states, d, {}, SafetyPolicy{});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->code, "drift");
    EXPECT_THAT(r->ids, ElementsAre(kA));
    EXPECT_EQ(r->exit_code, 4);
    EXPECT_THAT(r->message, HasSubstr("repair " + kA + " --accept-checksum"));
    EXPECT_THAT(r->message, HasSubstr("--allow-drift"));
    EXPECT_THAT(r->message, HasSubstr("[safety] allow_drift = true"));
  }
  EXPECT_FALSE(check_run_policy(known, states, Direction::kUp, {}, SafetyPolicy{.allow_drift = true}));
}

TEST(Policy, AnEmptyChecksumIsNeverDrift) {
  const std::map<std::string, MigrationState> states = {{kA, applied_state(kA, "old")},
                                                        {kB, applied_state(kB, "")}};
  EXPECT_FALSE(check_run_policy({{kA, ""}, {kB, "x"}}, states, Direction::kUp, {}, SafetyPolicy{}));
}

TEST(Policy, StrictOrderRefusesAPlannedMigrationOlderThanTheNewestApplied) {
  const std::map<std::string, MigrationState> states = {{kC, applied_state(kC, "")}};
  const std::vector<KnownMigration> known = {{kA, ""}, {kB, ""}, {kC, ""}};
  const auto r = check_run_policy(known, states, Direction::kUp, {kA, kB}, SafetyPolicy{});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->code, "out-of-order");
  EXPECT_THAT(r->ids, ElementsAre(kA, kB));
  EXPECT_THAT(r->message, HasSubstr("newest applied migration " + kC));
  EXPECT_THAT(r->message, HasSubstr("allow-out-of-order"));
  EXPECT_THAT(r->message, HasSubstr("mark applied"));
  EXPECT_FALSE(check_run_policy(known, states, Direction::kUp, {kA},
                                SafetyPolicy{.order = OrderPolicy::kAllowOutOfOrder}));
  EXPECT_FALSE(check_run_policy(known, states, Direction::kDown, {kC}, SafetyPolicy{}))
      << "down has no order";
  EXPECT_EQ(order_policy_from("strict"), OrderPolicy::kStrict);
  EXPECT_EQ(order_policy_from("allow-out-of-order"), OrderPolicy::kAllowOutOfOrder);
  EXPECT_FALSE(order_policy_from("loose").has_value());
}

// ---- The runner under the policy, and the manual operations ---------------------------------

struct Journal {
  std::vector<std::string> calls;
};

Migration recording(Journal& j, const std::string& id) {
  Migration m;
  m.description = "desc of " + id;
  m.up = [&j, id](Context&) {
    j.calls.push_back("up " + id);
    return Json();
  };
  m.down = [&j, id](Context&) {
    j.calls.push_back("down " + id);
    return Json();
  };
  return m;
}

class Safety : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string url = GetParam();
    if (url == "sqlite") {
      dir_ = std::filesystem::temp_directory_path() /
             ("auric-safety-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
      std::filesystem::remove_all(dir_);
      url = "sqlite:" + (dir_ / "store.db").string();
    }
    store_ = open_store(url);
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::vector<MigrationEntry> migrations(const std::vector<std::string>& ids,
                                         const std::string& checksum = "v1") {
    std::vector<std::pair<std::string, Migration>> list;
    for (const auto& id : ids) list.emplace_back(id, recording(journal_, id));
    auto entries = define_migrations(std::move(list));
    for (auto& e : entries) e.checksum = checksum;
    return entries;
  }

  RunnerOptions options(SafetyPolicy safety = {}) {
    RunnerOptions o;
    o.capture_stdio = false;
    o.heartbeat = std::chrono::milliseconds(50);
    o.lease_ttl = std::chrono::milliseconds(2000);
    o.who.user = "ann";
    o.who.host = "ops-box";
    o.safety = safety;
    return o;
  }

  std::size_t execution_count() { return store_->list_executions(100, "").items.size(); }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  Journal journal_;
};

TEST_P(Safety, DriftRefusesUpAndDownWithExit4AndRecordsNothing) {
  {
    MigrationRunner runner(migrations({kA, kB}), *store_, options());
    ASSERT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  }
  auto changed = migrations({kA, kB, kC});
  changed[0].checksum = "v2";
  const std::size_t before = execution_count();
  journal_.calls.clear();
  MigrationRunner runner(changed, *store_, options());
  for (const auto& r : {runner.up(), runner.down()}) {
    EXPECT_EQ(r.failure, ExecutionResult::Failure::kRefused);
    ASSERT_TRUE(r.refusal.has_value());
    EXPECT_EQ(r.refusal->code, "drift");
    EXPECT_THAT(r.error, HasSubstr(kA));
  }
  EXPECT_THAT(journal_.calls, IsEmpty());
  EXPECT_EQ(execution_count(), before) << "a refusal records no execution";
  EXPECT_FALSE(store_->read_lock()->held_at(system_now_ms())) << "and releases the lease";

  RunRequest dry;
  dry.dry_run = true;
  EXPECT_EQ(runner.run(dry).failure, ExecutionResult::Failure::kRefused) << "a dry run shows the refusal";

  MigrationRunner allowed(changed, *store_, options(SafetyPolicy{.allow_drift = true}));
  EXPECT_THAT(allowed.up().migrations_run, ElementsAre(kC));
}

TEST_P(Safety, StrictOrderRefusesALateMigrationAndAllowOutOfOrderAppliesIt) {
  {
    MigrationRunner runner(migrations({kA, kC}), *store_, options());
    ASSERT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  }
  MigrationRunner strict(migrations({kA, kB, kC}), *store_, options());
  const ExecutionResult r = strict.up();
  EXPECT_EQ(r.failure, ExecutionResult::Failure::kRefused);
  ASSERT_TRUE(r.refusal.has_value());
  EXPECT_EQ(r.refusal->code, "out-of-order");
  EXPECT_THAT(r.refusal->ids, ElementsAre(kB));
  EXPECT_FALSE(store_->get_state(kB).has_value());

  MigrationRunner loose(migrations({kA, kB, kC}), *store_,
                        options(SafetyPolicy{.order = OrderPolicy::kAllowOutOfOrder}));
  EXPECT_THAT(loose.up().migrations_run, ElementsAre(kB));
}

TEST_P(Safety, ANoOpUpRecordsNoExecution) {
  MigrationRunner runner(migrations({kA}), *store_, options());
  ASSERT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  ASSERT_EQ(execution_count(), 1u);
  const ExecutionResult again = runner.up();
  EXPECT_EQ(again.status, ExecutionStatus::kCompleted);
  EXPECT_EQ(again.failure, ExecutionResult::Failure::kNone);
  EXPECT_THAT(again.planned, IsEmpty());
  EXPECT_EQ(execution_count(), 1u) << "nothing pending: nothing recorded";
  EXPECT_FALSE(store_->get_execution(again.execution_id).has_value());
}

TEST_P(Safety, ANoOpRunKeepsAnExecutionTheCallerOpened) {
  MigrationRunner runner(migrations({kA}), *store_, options());
  ASSERT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  ASSERT_EQ(ExecutionLedger::open_dispatched(*store_, "exec-dispatched", Direction::kUp, "", Who{}, 1, {}),
            WriteOutcome::kOk);
  RunRequest request;
  request.execution_id = "exec-dispatched";
  EXPECT_EQ(runner.run(request).status, ExecutionStatus::kCompleted);
  EXPECT_EQ(store_->get_execution("exec-dispatched")->status, ExecutionStatus::kCompleted)
      << "a dispatched execution is closed, not left running";
}

TEST_P(Safety, BaselineRecordsManualRunsUpToTheTargetWithoutRunningThem) {
  MigrationRunner runner(migrations({kA, kB, kC}), *store_, options());
  ManualRequest request{.operation = ManualOperation::kBaseline, .target = "b", .reason = "adopting prod"};
  request.dry_run = true;
  const ExecutionResult dry = runner.manual(request);
  EXPECT_THAT(dry.planned, ElementsAre(kA, kB));
  EXPECT_EQ(execution_count(), 0u);

  request.dry_run = false;
  const ExecutionResult r = runner.manual(request);
  EXPECT_EQ(r.status, ExecutionStatus::kCompleted);
  EXPECT_THAT(r.migrations_run, ElementsAre(kA, kB));
  EXPECT_THAT(journal_.calls, IsEmpty()) << "no body ran";
  const auto state = store_->get_state(kB);
  ASSERT_TRUE(state.has_value());
  EXPECT_TRUE(state->applied);
  EXPECT_EQ(state->checksum, "v1");
  const auto runs = store_->runs_of_migration(kB, 10, "").items;
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].kind, RunKind::kManual);
  EXPECT_EQ(runs[0].reason, "adopting prod");
  EXPECT_EQ(runs[0].status, RunStatus::kCompleted);
  EXPECT_EQ(runs[0].who.user, "ann");
  EXPECT_EQ(runs[0].who.host, "ops-box");
  EXPECT_EQ(runs[0].result.value("operation", ""), "baseline");
  EXPECT_THAT(runs[0].output, HasSubstr("without running up()"));
  const auto execution = store_->get_execution(r.execution_id);
  ASSERT_TRUE(execution.has_value());
  EXPECT_EQ(execution->kind, RunKind::kManual);
  EXPECT_EQ(execution->reason, "adopting prod");
  EXPECT_THAT(execution->finished, ElementsAre(kA, kB));

  EXPECT_THAT(runner.up().migrations_run, ElementsAre(kC));
  EXPECT_THAT(journal_.calls, ElementsAre("up " + kC));
}

TEST_P(Safety, BaselineRefusesWhenSomethingPastTheTargetIsApplied) {
  MigrationRunner runner(migrations({kA, kB, kC}), *store_, options());
  ASSERT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  const std::size_t before = execution_count();
  const ExecutionResult r = runner.manual({.operation = ManualOperation::kBaseline, .target = kA});
  EXPECT_EQ(r.failure, ExecutionResult::Failure::kRefused);
  ASSERT_TRUE(r.refusal.has_value());
  EXPECT_EQ(r.refusal->code, "applied-past-target");
  EXPECT_THAT(r.refusal->ids, ElementsAre(kB, kC));
  EXPECT_EQ(execution_count(), before);
  EXPECT_EQ(runner.manual({.operation = ManualOperation::kBaseline, .target = "nosuch"}).failure,
            ExecutionResult::Failure::kUsage);
}

TEST_P(Safety, MarkAppliedAndRolledBackChangeOneStateAndANoOpRecordsNothing) {
  MigrationRunner runner(migrations({kA, kB}), *store_, options());
  EXPECT_THAT(runner.manual({.operation = ManualOperation::kMarkApplied, .target = kB}).migrations_run,
              ElementsAre(kB));
  EXPECT_TRUE(store_->get_state(kB)->applied);
  const std::size_t before = execution_count();
  const ExecutionResult again = runner.manual({.operation = ManualOperation::kMarkApplied, .target = kB});
  EXPECT_THAT(again.migrations_run, IsEmpty());
  EXPECT_THAT(again.note, HasSubstr("already applied"));
  EXPECT_EQ(execution_count(), before);

  const ExecutionResult back = runner.manual({.operation = ManualOperation::kMarkRolledBack, .target = "b"});
  EXPECT_THAT(back.migrations_run, ElementsAre(kB));
  EXPECT_FALSE(store_->get_state(kB)->applied);
  const auto runs = store_->runs_of_migration(kB, 10, "").items;
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].direction, Direction::kDown);
  EXPECT_EQ(runs[0].kind, RunKind::kManual);
  EXPECT_THAT(journal_.calls, IsEmpty());
  EXPECT_EQ(store_->get_execution(back.execution_id)->direction, Direction::kDown);
}

TEST_P(Safety, MarkRolledBackClearsAMigrationMissingFromTheBinary) {
  {
    MigrationRunner runner(migrations({kA, kB}), *store_, options());
    ASSERT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  }
  MigrationRunner runner(migrations({kA}), *store_, options());
  EXPECT_THAT(runner.manual({.operation = ManualOperation::kMarkRolledBack, .target = kB}).migrations_run,
              ElementsAre(kB));
  EXPECT_FALSE(store_->get_state(kB)->applied);
  EXPECT_THAT(runner.status().missing, IsEmpty());
}

TEST_P(Safety, RepairAcceptsTheNewChecksumOfEveryDriftedMigration) {
  {
    MigrationRunner runner(migrations({kA, kB}), *store_, options());
    ASSERT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  }
  const auto applied_at = store_->get_state(kA)->applied_at;
  MigrationRunner runner(migrations({kA, kB}, "v2"), *store_, options());
  ASSERT_THAT(runner.status().drift, ElementsAre(kA, kB));
  const ExecutionResult r =
      runner.manual({.operation = ManualOperation::kAcceptChecksum, .reason = "reformatted"});
  EXPECT_THAT(r.migrations_run, ElementsAre(kA, kB));
  EXPECT_THAT(runner.status().drift, IsEmpty());
  const auto state = store_->get_state(kA);
  EXPECT_TRUE(state->applied);
  EXPECT_EQ(state->checksum, "v2");
  EXPECT_EQ(state->applied_at, applied_at) << "when it was applied stays";
  // Find the audit run by its kind: the up and the repair can start in the same millisecond,
  // and runs of one millisecond have no defined order.
  const auto runs = store_->runs_of_migration(kA, 10, "").items;
  ASSERT_EQ(runs.size(), 2u);
  const auto manual = std::find_if(runs.begin(), runs.end(),
                                   [](const RunRecord& each) { return each.kind == RunKind::kManual; });
  ASSERT_NE(manual, runs.end()) << "repair leaves an audit run";
  EXPECT_EQ(manual->result.value("previousChecksum", ""), "v1");
  EXPECT_EQ(runner.up().failure, ExecutionResult::Failure::kNone) << "up goes ahead again";

  const ExecutionResult none = runner.manual({.operation = ManualOperation::kAcceptChecksum, .target = kA});
  EXPECT_THAT(none.migrations_run, IsEmpty());
  EXPECT_THAT(none.note, HasSubstr("has not drifted"));
}

TEST_P(Safety, RedoRollsBackAndReappliesTheMostRecentUnderOneLease) {
  MigrationRunner runner(migrations({kA, kB, kC}), *store_, options());
  ASSERT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  journal_.calls.clear();
  const RedoResult dry = runner.redo(2, "", true);
  EXPECT_THAT(dry.down.planned, ElementsAre(kC, kB));
  ASSERT_TRUE(dry.up.has_value());
  EXPECT_THAT(dry.up->planned, ElementsAre(kB, kC));
  EXPECT_THAT(journal_.calls, IsEmpty());

  const std::int64_t fence_before = store_->read_lock()->fence;
  const RedoResult r = runner.redo(2, "flaky index");
  EXPECT_THAT(r.down.migrations_run, ElementsAre(kC, kB));
  ASSERT_TRUE(r.up.has_value());
  EXPECT_THAT(r.up->migrations_run, ElementsAre(kB, kC));
  EXPECT_THAT(journal_.calls, ElementsAre("down " + kC, "down " + kB, "up " + kB, "up " + kC));
  EXPECT_EQ(store_->read_lock()->fence, fence_before + 1) << "one lease for both halves";
  EXPECT_FALSE(store_->read_lock()->held_at(system_now_ms()));
  EXPECT_EQ(store_->get_execution(r.up->execution_id)->reason, "flaky index");
  EXPECT_NE(r.down.execution_id, r.up->execution_id);
  EXPECT_TRUE(store_->get_state(kC)->applied);
}

TEST_P(Safety, RedoIsRefusedOnDrift) {
  {
    MigrationRunner runner(migrations({kA}), *store_, options());
    ASSERT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  }
  MigrationRunner runner(migrations({kA}, "v2"), *store_, options());
  const RedoResult r = runner.redo();
  EXPECT_EQ(r.down.failure, ExecutionResult::Failure::kRefused);
  EXPECT_FALSE(r.up.has_value());
  EXPECT_TRUE(store_->get_state(kA)->applied);
}

INSTANTIATE_TEST_SUITE_P(Stores, Safety, ::testing::Values("memory:", "sqlite"),
                         [](const auto& p) { return p.param == "memory:" ? "Memory" : "Sqlite"; });

}  // namespace
}  // namespace auric
