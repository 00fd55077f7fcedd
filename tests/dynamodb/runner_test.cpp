// The runner on the DynamoDB store, in process: `up` of 100 migrations through 20% injected
// faults; the endpoint going down mid-run (a clear error, nothing half-written, recovery on
// the next run); the request budget per migration; and Context::dynamodb() for migrations.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

#include <auric/dynamodb.hpp>

#include "core/runner.hpp"
#include "core/system.hpp"
#include "dynamodb_support.hpp"
#include "fault_proxy.hpp"
#include "store/dynamodb_client_factory.hpp"
#include "store/dynamodb_store.hpp"

namespace auric::dynamodb_testing {
namespace {

using aws::testing::FaultConfig;
using aws::testing::FaultProxy;
using ::testing::AllOf;
using ::testing::HasSubstr;

// Counts how often each migration body ran.
class BodyCounter {
 public:
  void ran(const std::string& id) {
    std::lock_guard lock(mutex_);
    ++counts_[id];
  }
  std::map<std::string, int> counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, int> counts_;
};

std::string migration_id(int i) {
  char id[64];
  std::snprintf(id, sizeof id, "20250101%02d%02d%02d_step-%03d", i / 3600, i / 60 % 60, i % 60, i);
  return id;
}

// `n` migrations whose bodies count themselves; `on_up(i)` runs inside body i when set.
std::vector<MigrationEntry> counted_migrations(int n, BodyCounter& counter,
                                               std::function<void(int, Context&)> on_up = {}) {
  std::vector<std::pair<std::string, Migration>> list;
  for (int i = 1; i <= n; ++i) {
    const std::string id = migration_id(i);
    Migration m;
    m.up = [id, i, &counter, on_up](Context& ctx) -> Json {
      if (on_up) on_up(i, ctx);
      counter.ran(id);
      return {};
    };
    m.down = [](Context&) -> Json { return {}; };
    list.emplace_back(id, std::move(m));
  }
  return define_migrations(std::move(list));
}

RunnerOptions quiet_options() {
  RunnerOptions options;
  options.capture_stdio = false;
  options.who.user = "tester";
  options.who.host = "localhost";
  return options;
}

TEST(DynamoDbRunner, UpOfHundredMigrationsCompletesUnderTwentyPercentFaults) {
  const std::string table = unique_table("faults");
  open_test_store(table)->init();
  FaultProxy proxy(dynalite().endpoint(), FaultConfig::uniform(0.20, 2024));
  // The standard retry mode with enough attempts for a 20% failure rate (AWS_MAX_ATTEMPTS=10).
  auto store = open_test_store(table, proxy.endpoint(), 10);
  BodyCounter counter;
  MigrationRunner runner(counted_migrations(100, counter), *store, quiet_options());

  const ExecutionResult result = runner.up();
  ASSERT_EQ(result.status, ExecutionStatus::kCompleted) << result.error;
  EXPECT_EQ(result.migrations_run.size(), 100u);

  const auto counts = counter.counts();
  ASSERT_EQ(counts.size(), 100u);
  for (const auto& [id, n] : counts) EXPECT_EQ(n, 1) << id << " ran " << n << " times";

  auto direct = open_test_store(table);  // read back around the proxy
  const auto states = direct->list_states();
  ASSERT_EQ(states.size(), 100u);
  for (const auto& state : states) {
    EXPECT_EQ(state.status, RunStatus::kCompleted) << state.id;
    EXPECT_TRUE(state.applied) << state.id;
    EXPECT_EQ(state.fence, states.front().fence) << state.id;
  }
  const auto runs = direct->runs_of_execution(result.execution_id);
  EXPECT_EQ(runs.size(), 100u) << "one run record per migration, none duplicated";
  const auto execution = direct->get_execution(result.execution_id);
  ASSERT_TRUE(execution.has_value());
  EXPECT_EQ(execution->status, ExecutionStatus::kCompleted);
  EXPECT_EQ(execution->finished.size(), 100u);
  const auto lock = direct->read_lock();
  ASSERT_TRUE(lock.has_value());
  EXPECT_TRUE(lock->owner.empty()) << "released";
  EXPECT_FALSE(lock->current.has_value());

  const auto stats = proxy.stats();
  EXPECT_GT(stats.throttled, 0u);
  EXPECT_GT(stats.server_errors, 0u);
  EXPECT_GT(stats.resets, 0u);
  EXPECT_GT(stats.requests, stats.forwarded) << "some requests never reached dynalite";
}

TEST(DynamoDbRunner, EndpointDownMidRunGivesAClearErrorAndNothingHalfWritten) {
  const std::string table = unique_table("down");
  open_test_store(table)->init();
  auto proxy = std::make_unique<FaultProxy>(dynalite().endpoint());
  auto store = open_test_store(table, proxy->endpoint(), 3);
  BodyCounter counter;
  // The endpoint disappears while migration 5 runs.
  auto migrations = counted_migrations(10, counter, [&](int i, Context&) {
    if (i == 5) proxy->stop();
  });
  RunnerOptions options = quiet_options();
  options.lease_ttl = std::chrono::milliseconds(60'000);
  std::int64_t clock_offset = 0;
  options.now_ms = [&] { return system_now_ms() + clock_offset; };
  MigrationRunner runner(migrations, *store, options);

  const ExecutionResult result = runner.up();
  EXPECT_EQ(result.status, ExecutionStatus::kFailed);
  EXPECT_EQ(result.failure, ExecutionResult::Failure::kStore);
  EXPECT_THAT(result.error, AllOf(HasSubstr("dynamodb store '" + table + "'"),
                                  HasSubstr("no response from DynamoDB at " + proxy->endpoint()),
                                  HasSubstr("after 3 attempts"), HasSubstr("run the command again")));
  EXPECT_EQ(result.error.find('\n'), std::string::npos) << result.error;

  // What is stored is consistent: 1-4 done (state + run each), 5's outcome never written but
  // noted as the lock's `current`, 6-10 untouched.
  auto direct = open_test_store(table);
  const auto states = direct->list_states();
  ASSERT_EQ(states.size(), 4u);
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(states[static_cast<std::size_t>(i - 1)].id, migration_id(i));
    EXPECT_EQ(states[static_cast<std::size_t>(i - 1)].status, RunStatus::kCompleted);
    EXPECT_EQ(direct->runs_of_migration(migration_id(i), 10, "").items.size(), 1u);
  }
  EXPECT_TRUE(direct->runs_of_migration(migration_id(5), 10, "").items.empty());
  const auto lock = direct->read_lock();
  ASSERT_TRUE(lock.has_value());
  ASSERT_TRUE(lock->current.has_value()) << "the in-flight migration is on record";
  EXPECT_EQ(lock->current->migration_id, migration_id(5));

  // Once the lease has expired, the next runner records 5 as interrupted and finishes.
  clock_offset = 61'000;
  MigrationRunner next(migrations, *direct, options);
  const ExecutionResult again = next.up();
  ASSERT_EQ(again.status, ExecutionStatus::kCompleted) << again.error;
  EXPECT_EQ(again.migrations_run.size(), 6u);
  const auto history = direct->runs_of_migration(migration_id(5), 10, "");
  ASSERT_EQ(history.items.size(), 2u);
  EXPECT_EQ(history.items[0].status, RunStatus::kCompleted);
  EXPECT_EQ(history.items[1].status, RunStatus::kInterrupted);
  const auto counts = counter.counts();
  for (int i = 1; i <= 10; ++i) {
    EXPECT_EQ(counts.at(migration_id(i)), i == 5 ? 2 : 1) << "only the interrupted migration ran again";
  }
  EXPECT_EQ(direct->get_execution(result.execution_id)->status, ExecutionStatus::kInterrupted)
      << "the dead run's execution is marked interrupted";
}

TEST(DynamoDbRunner, EndpointDownBeforeStartThrowsAClearStoreError) {
  const std::string table = unique_table("nostart");
  auto proxy = std::make_unique<FaultProxy>(dynalite().endpoint());
  const std::string endpoint = proxy->endpoint();
  proxy.reset();
  auto store = open_test_store(table, endpoint, 3);
  BodyCounter counter;
  MigrationRunner runner(counted_migrations(3, counter), *store, quiet_options());
  std::string message;
  try {
    runner.up();
  } catch (const StoreError& e) {
    message = e.what();
  }
  EXPECT_THAT(message,
              AllOf(HasSubstr("no response from DynamoDB at " + endpoint), HasSubstr("after 3 attempts")));
  EXPECT_TRUE(counter.counts().empty());
}

TEST(DynamoDbRunner, UpCostsAtMostThreeRequestsPerMigrationPlusEight) {
  const std::string table = unique_table("budget");
  open_test_store(table)->init();
  FaultProxy proxy(dynalite().endpoint());
  auto store = open_test_store(table, proxy.endpoint());
  BodyCounter counter;
  constexpr int kMigrations = 30;
  MigrationRunner runner(counted_migrations(kMigrations, counter), *store, quiet_options());
  ASSERT_EQ(runner.up().status, ExecutionStatus::kCompleted);
  const auto up_requests = proxy.stats().requests;
  EXPECT_LE(up_requests, 3u * kMigrations + 8) << "requests for up of " << kMigrations;
  EXPECT_GE(up_requests, 3u * kMigrations) << "set current, then the run and the state";

  proxy.reset_stats();
  const StatusReport status = runner.status();
  store->read_lock();
  EXPECT_EQ(proxy.stats().requests, 2u) << "status = one query of the states + the lock";
  (void)status;
}

TEST(DynamoDbRunner, MigrationsGetAReadyDynamoDbClient) {
  use_emulator_env();
  const std::string table = unique_table("ctx");
  const std::string app_table = unique_table("ctx-app");
  auto store = open_test_store(table);
  store->init();

  std::vector<std::pair<std::string, Migration>> list;
  Migration create;
  create.up = [app_table](Context& ctx) -> Json {
    ctx.dynamodb().create_table_if_absent(
        {{"TableName", app_table},
         {"BillingMode", "PAY_PER_REQUEST"},
         {"AttributeDefinitions", {{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
         {"KeySchema", {{{"AttributeName", "id"}, {"KeyType", "HASH"}}}}});
    return {};
  };
  create.down = [](Context&) -> Json { return {}; };
  Migration seed;
  seed.up = [app_table](Context& ctx) -> Json {
    ctx.dynamodb().put(app_table, aws::item_from_plain({{"id", "greeting"}, {"text", "hello"}}));
    return {{"client", ctx.dynamodb().service_client().endpoint()}};
  };
  seed.down = [](Context&) -> Json { return {}; };
  list.emplace_back("20250101000000_create-app-table", create);
  list.emplace_back("20250102000000_seed", seed);

  RunnerOptions options = quiet_options();
  offer_dynamodb_client(options, make_dynamodb_client_factory(store_url(table), Json::object()));
  MigrationRunner runner(define_migrations(list), *store, options);
  const auto result = runner.up();
  ASSERT_EQ(result.status, ExecutionStatus::kCompleted) << result.error;

  aws::DynamoDbClient client(client_config());
  const auto item = client.get(app_table, aws::item_from_plain({{"id", "greeting"}}));
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(aws::item_to_plain(*item)["text"], "hello");
  const auto run = store->runs_of_migration("20250102000000_seed", 1, "").items.at(0);
  EXPECT_EQ(run.result["client"], dynalite().endpoint()) << "the client follows the store's endpoint";

  // A runner without the factory: the migration fails with a clear error, recorded on its run.
  MigrationRunner bare(define_migrations({{"20250103000000_needs-aws", seed}}), *store, quiet_options());
  const auto failed = bare.up();
  EXPECT_EQ(failed.status, ExecutionStatus::kFailed);
  EXPECT_THAT(failed.error, HasSubstr("ctx.dynamodb(): this runner has no DynamoDB client"));
}

}  // namespace
}  // namespace auric::dynamodb_testing
