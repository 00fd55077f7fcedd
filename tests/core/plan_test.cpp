#include "core/plan.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/ids.hpp"

namespace auric {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::vector<std::string> kIds = {"20250101000000_a", "20250102000000_b", "20250103000000_c",
                                       "20250104000000_d"};

MigrationState applied(const std::string& id, std::int64_t fence, std::int64_t at) {
  MigrationState s;
  s.id = id;
  s.applied = true;
  s.applied_fence = fence;
  s.applied_at = at;
  return s;
}

std::map<std::string, MigrationState> states_of(std::initializer_list<MigrationState> list) {
  std::map<std::string, MigrationState> m;
  for (const auto& s : list) m.emplace(s.id, s);
  return m;
}

std::vector<std::string> plan(const std::map<std::string, MigrationState>& states, Direction d,
                              std::string target = {}, std::optional<int> steps = std::nullopt) {
  return compute_plan(kIds, states, PlanRequest{d, std::move(target), steps});
}

TEST(PlanUp, AllPendingInIdOrder) {
  EXPECT_THAT(plan({}, Direction::kUp), ElementsAre(kIds[0], kIds[1], kIds[2], kIds[3]));
}

TEST(PlanUp, SkipsApplied) {
  auto s = states_of({applied(kIds[0], 1, 1), applied(kIds[2], 1, 2)});
  EXPECT_THAT(plan(s, Direction::kUp), ElementsAre(kIds[1], kIds[3]));
}

TEST(PlanUp, FailedAndRolledBackArePending) {
  MigrationState failed;
  failed.id = kIds[0];
  failed.status = RunStatus::kFailed;
  MigrationState rolled_back;
  rolled_back.id = kIds[1];
  rolled_back.direction = Direction::kDown;
  auto s = states_of({failed, rolled_back});
  EXPECT_THAT(plan(s, Direction::kUp), ElementsAre(kIds[0], kIds[1], kIds[2], kIds[3]));
}

TEST(PlanUp, ToIsInclusiveById) {
  EXPECT_THAT(plan({}, Direction::kUp, kIds[1]), ElementsAre(kIds[0], kIds[1]));
}

TEST(PlanUp, ToMatchesName) {
  EXPECT_THAT(plan({}, Direction::kUp, "b"), ElementsAre(kIds[0], kIds[1]));
}

TEST(PlanUp, ToAlreadyAppliedIsEmpty) {
  auto s = states_of({applied(kIds[0], 1, 1), applied(kIds[1], 1, 2)});
  EXPECT_THAT(plan(s, Direction::kUp, kIds[1]), IsEmpty());
}

TEST(PlanUp, ToIncludesOutOfOrderPendingBelowTarget) {
  auto s = states_of({applied(kIds[1], 1, 1)});
  EXPECT_THAT(plan(s, Direction::kUp, kIds[2]), ElementsAre(kIds[0], kIds[2]));
}

TEST(PlanUp, Steps) {
  EXPECT_THAT(plan({}, Direction::kUp, "", 2), ElementsAre(kIds[0], kIds[1]));
  EXPECT_THAT(plan({}, Direction::kUp, "", 10), ElementsAre(kIds[0], kIds[1], kIds[2], kIds[3]));
}

TEST(PlanUp, UnknownTarget) {
  try {
    plan({}, Direction::kUp, "nope");
    FAIL() << "expected PlanError";
  } catch (const PlanError& e) {
    EXPECT_STREQ(e.what(), "Target migration not found: nope");
  }
}

TEST(PlanUp, AmbiguousName) {
  const std::vector<std::string> ids = {"20250101000000_seed", "20250102000000_seed"};
  try {
    compute_plan(ids, {}, PlanRequest{Direction::kUp, "seed", std::nullopt});
    FAIL() << "expected PlanError";
  } catch (const PlanError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("ambiguous"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("20250101000000_seed, 20250102000000_seed"));
  }
}

TEST(PlanUp, StepsAndToTogetherAreRejected) {
  EXPECT_THROW(plan({}, Direction::kUp, kIds[1], 1), PlanError);
}

TEST(PlanUp, NonPositiveStepsRejected) {
  EXPECT_THROW(plan({}, Direction::kUp, "", 0), PlanError);
  EXPECT_THROW(plan({}, Direction::kUp, "", -3), PlanError);
}

TEST(PlanDown, NoTargetRollsBackMostRecentlyAppliedOnly) {
  // c was applied last (out of order, by a later lease), though d has the higher id.
  auto s = states_of({applied(kIds[0], 1, 10), applied(kIds[3], 1, 11), applied(kIds[2], 2, 5)});
  EXPECT_THAT(plan(s, Direction::kDown), ElementsAre(kIds[2]));
}

TEST(PlanDown, SameLeaseOrdersByCompletionThenId) {
  auto s = states_of({applied(kIds[0], 3, 10), applied(kIds[1], 3, 10), applied(kIds[2], 3, 9)});
  EXPECT_THAT(plan(s, Direction::kDown, "", 3), ElementsAre(kIds[1], kIds[0], kIds[2]));
}

TEST(PlanDown, ToRollsBackNewestDownToAndIncludingTarget) {
  auto s = states_of(
      {applied(kIds[0], 1, 1), applied(kIds[1], 1, 2), applied(kIds[2], 1, 3), applied(kIds[3], 1, 4)});
  EXPECT_THAT(plan(s, Direction::kDown, kIds[1]), ElementsAre(kIds[3], kIds[2], kIds[1]));
}

TEST(PlanDown, ToSkipsUnappliedTarget) {
  auto s = states_of({applied(kIds[0], 1, 1), applied(kIds[2], 1, 3)});
  EXPECT_THAT(plan(s, Direction::kDown, kIds[1]), ElementsAre(kIds[2]));
}

TEST(PlanDown, Steps) {
  auto s = states_of({applied(kIds[0], 1, 1), applied(kIds[1], 1, 2), applied(kIds[2], 1, 3)});
  EXPECT_THAT(plan(s, Direction::kDown, "", 2), ElementsAre(kIds[2], kIds[1]));
}

TEST(PlanDown, NothingApplied) {
  EXPECT_THAT(plan({}, Direction::kDown), IsEmpty());
}

TEST(PlanDown, FailedDownStaysApplied) {
  MigrationState s = applied(kIds[0], 1, 1);
  s.status = RunStatus::kFailed;
  s.direction = Direction::kDown;
  EXPECT_THAT(plan(states_of({s}), Direction::kDown), ElementsAre(kIds[0]));
}

TEST(PlanDown, UnknownTarget) {
  EXPECT_THROW(plan({}, Direction::kDown, "zzz"), PlanError);
}

TEST(Status, GroupsDriftMissingOutOfOrder) {
  MigrationState a = applied(kIds[0], 1, 1);
  a.checksum = "old";
  MigrationState c = applied(kIds[2], 1, 2);
  c.checksum = "same";
  MigrationState gone = applied("20240101000000_gone", 1, 0);
  MigrationState failed;
  failed.id = kIds[3];
  failed.status = RunStatus::kInterrupted;
  const std::vector<KnownMigration> known = {
      {kIds[0], "new"}, {kIds[1], "x"}, {kIds[2], "same"}, {kIds[3], "y"}};
  const StatusReport r = build_status(known, {a, c, gone, failed});
  EXPECT_THAT(r.applied, ElementsAre(kIds[0], kIds[2]));
  EXPECT_THAT(r.pending, ElementsAre(kIds[1], kIds[3]));
  EXPECT_THAT(r.failed, ElementsAre(kIds[3]));
  EXPECT_THAT(r.drift, ElementsAre(kIds[0]));
  EXPECT_THAT(r.missing, ElementsAre("20240101000000_gone"));
  EXPECT_THAT(r.out_of_order, ElementsAre(kIds[1]));
  ASSERT_EQ(r.entries.size(), 5u);
  EXPECT_FALSE(r.entries.back().known);
}

TEST(Status, EmptyChecksumNeverDrifts) {
  MigrationState a = applied(kIds[0], 1, 1);
  a.checksum = "abc";
  const StatusReport r = build_status({{kIds[0], ""}}, {a});
  EXPECT_THAT(r.drift, IsEmpty());
}

TEST(Ids, Validation) {
  EXPECT_TRUE(is_valid_migration_id("20250601120000_add-user-roles"));
  EXPECT_TRUE(is_valid_migration_id("20250601120000_a_b-9"));
  EXPECT_FALSE(is_valid_migration_id("2025060112000_short"));
  EXPECT_FALSE(is_valid_migration_id("20250601120000-add"));
  EXPECT_FALSE(is_valid_migration_id("20250601120000_"));
  EXPECT_FALSE(is_valid_migration_id("20250601120000_Add"));
  EXPECT_FALSE(is_valid_migration_id("20251301120000_bad-month"));
  EXPECT_FALSE(is_valid_migration_id("20250601250000_bad-hour"));
  EXPECT_FALSE(is_valid_migration_id("20250601120000_with space"));
  EXPECT_THAT(migration_id_problem("x"), ::testing::HasSubstr("YYYYMMDDHHMMSS_<name>"));
}

TEST(Ids, NameOf) {
  EXPECT_EQ(migration_name_of("20250601120000_add-user-roles"), "add-user-roles");
  EXPECT_EQ(migration_name_of("custom"), "custom");
}

TEST(Ids, Sanitize) {
  std::string problem;
  EXPECT_EQ(sanitize_migration_name("Add User Roles", &problem), "add-user-roles");
  EXPECT_EQ(sanitize_migration_name("  v2.backfill!!  ", &problem), "v2-backfill");
  EXPECT_EQ(sanitize_migration_name("a--b", &problem), "a-b");
  EXPECT_FALSE(sanitize_migration_name("../escape", &problem));
  EXPECT_THAT(problem, ::testing::HasSubstr("'/'"));
  EXPECT_FALSE(sanitize_migration_name("it's", &problem));
  EXPECT_FALSE(sanitize_migration_name("\"q\"", &problem));
  EXPECT_FALSE(sanitize_migration_name("!!!", &problem));
  EXPECT_THAT(problem, ::testing::HasSubstr("nothing usable"));
}

TEST(Ids, Timestamps) {
  using namespace std::chrono;
  const auto t = sys_days{2025y / June / 1} + 9h + 15min + 22s;
  EXPECT_EQ(utc_timestamp(t), "20250601091522");
  EXPECT_EQ(utc_timestamp(sys_days{2025y / January / 5} + 3h + 7min + 2s), "20250105030702");
  EXPECT_EQ(utc_timestamp(sys_days{2024y / December / 31} + 23h + 59min + 59s), "20241231235959");
  EXPECT_EQ(utc_timestamp(sys_days{2025y / January / 1}), "20250101000000");
  EXPECT_EQ(iso8601_ms(1748769322123), "2025-06-01T09:15:22.123Z");
  EXPECT_EQ(iso8601_ms(0), "1970-01-01T00:00:00.000Z");
}

Migration noop() {
  return Migration{"", "", [](Context&) { return Json(); }, [](Context&) { return Json(); }};
}

TEST(DefineMigrations, SortsAndKeepsIdentity) {
  EXPECT_TRUE(define_migrations({}).empty());
  auto list = define_migrations({{"20250102000000_b", noop()}, {"20250101000000_a", noop()}});
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, "20250101000000_a");
  EXPECT_EQ(list[0].migration.name, "a");
  EXPECT_EQ(list[1].id, "20250102000000_b");
}

TEST(DefineMigrations, RejectsInvalidDuplicateAndIncomplete) {
  EXPECT_THROW(define_migrations({{"bad id", noop()}}), std::invalid_argument);
  try {
    define_migrations({{"20250101000000_a", noop()}, {"20250101000000_a", noop()}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("duplicate migration id '20250101000000_a'"));
  }
  Migration no_down = noop();
  no_down.down = nullptr;
  try {
    define_migrations({{"20250101000000_a", no_down}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("has no down()"));
  }
}

}  // namespace
}  // namespace auric
