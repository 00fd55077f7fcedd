// Resolving what a user typed: did-you-mean suggestions, migration references (id, name, id
// prefix) and execution id prefixes over the bounded listing of recent executions.
#include "cli/resolve.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/command.hpp"
#include "store/memory_store.hpp"

namespace auric::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::vector<std::string> kIds = {"20250101000000_create-widgets", "20250102000000_log-things",
                                       "20250103000000_print-and-maybe-fail", "20250201000000_log-more"};

// The message and exit code of what `fn` throws.
template <class Fn>
std::pair<std::string, int> refusal(Fn fn) {
  try {
    fn();
  } catch (const app::CommandError& e) {
    return {e.what(), e.code()};
  }
  return {"(nothing thrown)", -1};
}

TEST(Suggestions, TyposPrefixesAndSubstringsButNothingFar) {
  const std::vector<std::string> commands = {"create", "list",       "up",       "down",
                                             "status", "executions", "migration"};
  EXPECT_THAT(suggestions("stauts", commands), ElementsAre("status"));
  EXPECT_THAT(suggestions("exec", commands), ElementsAre("executions"));
  EXPECT_THAT(suggestions("migraton", commands), ElementsAre("migration"));
  EXPECT_THAT(suggestions("STATUS", commands), ElementsAre("status")) << "case-insensitive";
  EXPECT_THAT(suggestions("frobnicate", commands), IsEmpty());
  EXPECT_EQ(did_you_mean({}), "");
  EXPECT_EQ(did_you_mean({"a"}), "; did you mean a?");
  EXPECT_EQ(did_you_mean({"a", "b", "c"}), "; did you mean a, b or c?");
}

TEST(ResolveMigration, ExactIdNameOrUniqueIdPrefix) {
  EXPECT_EQ(resolve_migration(kIds, "20250102000000_log-things"), "20250102000000_log-things");
  EXPECT_EQ(resolve_migration(kIds, "log-things"), "20250102000000_log-things");
  EXPECT_EQ(resolve_migration(kIds, "20250103"), "20250103000000_print-and-maybe-fail");
  EXPECT_EQ(resolve_migration(kIds, "202502"), "20250201000000_log-more");
}

TEST(ResolveMigration, AmbiguousPrefixNamesEveryCandidate) {
  const auto [message, code] = refusal([] { resolve_migration(kIds, "202501"); });
  EXPECT_EQ(code, app::kExitNotFound);
  EXPECT_EQ(message,
            "'202501' is ambiguous: it starts 20250101000000_create-widgets, 20250102000000_log-things, "
            "20250103000000_print-and-maybe-fail; use the full id");
}

TEST(ResolveMigration, UnknownNameSuggestsCloseOnes) {
  const auto [message, code] = refusal([] { resolve_migration(kIds, "log-thing"); });
  EXPECT_EQ(code, 2);
  EXPECT_EQ(message, "Migration not found: log-thing; did you mean 20250102000000_log-things?");
  EXPECT_EQ(refusal([] { resolve_migration(kIds, "widgets", "Target migration not found: "); }).first,
            "Target migration not found: widgets; did you mean 20250101000000_create-widgets?");
  EXPECT_EQ(refusal([] { resolve_migration(kIds, "nope"); }).first, "Migration not found: nope");
}

TEST(ResolveMigration, PrefixShorterThanTheMinimumIsRefusedSayingSo) {
  const auto [message, code] = refusal([] { resolve_migration(kIds, "202"); });
  EXPECT_EQ(code, 2);
  EXPECT_THAT(message, HasSubstr("too short"));
  EXPECT_THAT(message, HasSubstr("at least 4 characters"));
}

class ExecutionPrefix : public ::testing::Test {
 protected:
  void add(const std::string& id, std::int64_t started_at) {
    ExecutionRecord e;
    e.execution_id = id;
    e.started_at = started_at;
    e.fence = 1;
    ASSERT_EQ(store_->put_execution(e), WriteOutcome::kOk);
  }
  std::unique_ptr<Store> store_ = make_memory_store();
};

TEST_F(ExecutionPrefix, UniquePrefixResolvesToTheFullId) {
  add("1249a64a-0000-4000-8000-000000000001", 1000);
  add("5f0c1111-0000-4000-8000-000000000002", 2000);
  EXPECT_EQ(resolve_execution_id(*store_, "1249a64a"), "1249a64a-0000-4000-8000-000000000001");
  EXPECT_EQ(resolve_execution_id(*store_, "5f0c"), "5f0c1111-0000-4000-8000-000000000002");
  EXPECT_EQ(resolve_execution_id(*store_, "5f0c1111-0000-4000-8000-000000000002"),
            "5f0c1111-0000-4000-8000-000000000002");
}

TEST_F(ExecutionPrefix, AmbiguousPrefixListsTheCandidates) {
  add("1249a64a-0000-4000-8000-000000000001", 1000);
  add("1249b000-0000-4000-8000-000000000002", 2000);
  const auto [message, code] = refusal([&] { resolve_execution_id(*store_, "1249"); });
  EXPECT_EQ(code, 2);
  EXPECT_THAT(message, HasSubstr("execution id prefix '1249' is ambiguous: it starts 2 executions"));
  EXPECT_THAT(message, HasSubstr("\n  1249a64a-0000-4000-8000-000000000001"));
  EXPECT_THAT(message, HasSubstr("\n  1249b000-0000-4000-8000-000000000002"));
}

TEST_F(ExecutionPrefix, TooShortAndNoneAreRefusedWithExitTwo) {
  add("1249a64a-0000-4000-8000-000000000001", 1000);
  const auto [short_message, short_code] = refusal([&] { resolve_execution_id(*store_, "124"); });
  EXPECT_EQ(short_code, 2);
  EXPECT_THAT(short_message,
              HasSubstr("'124' is too short to name an execution: give at least 4 characters"));
  const auto [none, none_code] = refusal([&] { resolve_execution_id(*store_, "ffff"); });
  EXPECT_EQ(none_code, 2);
  EXPECT_EQ(none, "Execution not found: ffff");
}

TEST_F(ExecutionPrefix, ATypoInAShortIdSuggestsTheCloseOne) {
  add("1249a64a-0000-4000-8000-000000000001", 1000);
  EXPECT_EQ(refusal([&] { resolve_execution_id(*store_, "1249a46a"); }).first,
            "Execution not found: 1249a46a; did you mean 1249a64a?");
}

TEST_F(ExecutionPrefix, OnlyTheMostRecentWindowIsMatchedAndTheMessageSaysSo) {
  add("00ld0000-0000-4000-8000-000000000000", 1);
  for (int i = 0; i < kPrefixWindow; ++i) add("recent-" + std::to_string(i), 1000 + i);
  const auto [message, code] = refusal([&] { resolve_execution_id(*store_, "00ld"); });
  EXPECT_EQ(code, 2);
  EXPECT_THAT(message, HasSubstr("matched against the 1000 most recent executions; give the full id"));
  EXPECT_EQ(resolve_execution_id(*store_, "00ld0000-0000-4000-8000-000000000000"),
            "00ld0000-0000-4000-8000-000000000000")
      << "the full id of an older execution still works";
}

}  // namespace
}  // namespace auric::cli
