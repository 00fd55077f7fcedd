// The test kit for migration authors (GoogleTest): runs each migration up → down → up on a
// throwaway store, in a fresh scratch folder that is the working directory meanwhile, and checks
// that every step succeeds and, with a snapshot function, that down restores the state up found
// and the second up reproduces the first. Built by auric_add_migration_tests() (docs/writing-
// migrations.md "Testing migrations"). Round trips change the working directory of the process:
// run one at a time (GoogleTest runs tests one after another).
//
//   AURIC_ROUND_TRIP_TESTS(MyMigrations, .config = {{"app_db", "app.db"}},
//                          .snapshot = [](const auric::testing::Step&) { return schema_of("app.db"); });
#pragma once

#include <any>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <auric/migrations.hpp>

namespace auric::testing {

// Where the round trip keeps migration state: a fresh in-process store, or a SQLite file in the
// scratch folder (the store the CLI uses by default).
enum class StoreKind { kMemory, kSqlite };

// One moment of a round trip, as the hooks see it.
struct Step {
  std::string migration_id;
  std::string name;  // "before up", "up", "down" or "up again"
  Direction direction = Direction::kUp;
  std::filesystem::path folder;  // the scratch folder (also the working directory); removed afterwards
  Json result;                   // what up() or down() returned (null before up)
  std::string output;            // the run's captured output (empty before up)
};

struct RoundTripOptions {
  // What migrations see through Context: config() (the config's `[context]` table), user<T>()
  // (made from config, once per up or down), dynamodb(), and any other named service (the
  // protected Context::service()). Relative paths in config resolve in the scratch folder.
  Json config = Json::object();
  std::function<std::any(const Json& config)> make_user_context;
  std::function<aws::DynamoDbClient&()> dynamodb;
  std::map<std::string, std::function<std::any()>, std::less<>> services;

  StoreKind store = StoreKind::kMemory;
  // Ids whose down is not tested: their round trip checks up and reports that down was left out.
  // An id that names no migration fails every round trip (a typo would hide a test).
  std::vector<std::string> irreversible;

  // Hooks, called with the step just done; each may use EXPECT_*/ASSERT_*. A hook that throws
  // or fails a fatal assertion ends the round trip; a non-fatal failure lets it go on.
  std::function<void(const Step&)> before_up;   // the earlier migrations applied, this one not yet
  std::function<void(const Step&)> after_up;    // after the first up and after "up again"
  std::function<void(const Step&)> after_down;  // after down
  // The state the round trip must restore (say, the application database's schema and row
  // counts), taken before up, after up, after down and after up again: after down must equal
  // before up, and after up again must equal after up. Unset: only the steps' success is checked.
  std::function<Json(const Step&)> snapshot;

  // The migrations to test against; empty means registered_migrations() (every AURIC_MIGRATION
  // compiled into the test binary).
  std::vector<MigrationEntry> migrations;
};

// What one round trip found. Converts to ::testing::AssertionResult carrying the failure, so
// `EXPECT_TRUE(auric::testing::round_trip(id))` prints why it failed.
struct RoundTripReport {
  std::string migration_id;
  bool passed = false;
  bool irreversible = false;  // declared irreversible: down and up again were not run
  // Empty when passed; else the migration, the step, the error and that run's captured output.
  std::string failure;
  std::vector<Step> steps;  // the steps that ran, in order

  explicit operator bool() const { return passed; }
  operator ::testing::AssertionResult() const {  // NOLINT(google-explicit-constructor)
    return passed ? ::testing::AssertionSuccess() : ::testing::AssertionFailure() << failure;
  }
};

// Runs migration `id` up → down → up on a throwaway store (see RoundTripOptions), after applying
// every migration before it. Never throws: a failure, also of the setup or of a hook, is in the
// report. Changes the working directory while it runs and restores it.
RoundTripReport round_trip(const std::string& id, const RoundTripOptions& options = {});

// The ids of registered_migrations(), in order: the parameters of the round-trip suite.
std::vector<std::string> migration_ids();

// A GoogleTest name for a migration id: its letters, digits and '_', other characters as '_'.
std::string test_name(const ::testing::TestParamInfo<std::string>& info);

// The fixture of AURIC_ROUND_TRIP_TESTS: override options() in a subclass for a hand-written
// TEST_P, and call check_round_trip() from it.
class RoundTripTest : public ::testing::TestWithParam<std::string> {
 protected:
  virtual RoundTripOptions options() { return {}; }
  // Runs the round trip of GetParam() and fails the test with the report's message; a migration
  // declared irreversible is reported on stdout and in the XML report (property "irreversible").
  void check_round_trip();
};

}  // namespace auric::testing

// A test case per migration, named by its id (`<suite>.UpDownUp/<id>`), each running its round
// trip; the arguments after the suite name initialise RoundTripOptions:
//   AURIC_ROUND_TRIP_TESTS(QuickstartRoundTrip, .config = {{"app_db", "app.db"}});
#define AURIC_ROUND_TRIP_TESTS(suite, ...)                                                  \
  class suite : public ::auric::testing::RoundTripTest {                                    \
   protected:                                                                               \
    ::auric::testing::RoundTripOptions options() override {                                 \
      return ::auric::testing::RoundTripOptions{__VA_ARGS__};                               \
    }                                                                                       \
  };                                                                                        \
  TEST_P(suite, UpDownUp) {                                                                 \
    check_round_trip();                                                                     \
  }                                                                                         \
  INSTANTIATE_TEST_SUITE_P(, suite, ::testing::ValuesIn(::auric::testing::migration_ids()), \
                           ::auric::testing::test_name)
