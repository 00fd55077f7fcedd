// examples/dynamodb end to end against dynalite: its own migrate.config.toml (--env local,
// with the store URL pointed at this test's dynalite), `init`, `up`, `status`, and `down` all
// the way, checking the application table after each step through a client of our own. The
// fourth migration is a ctx.backfill (threads:4 from the config's [backfill] workers): its
// result (the run's metadata) counts the customers, and its down removes what it added.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "aws/dynamodb.hpp"
#include "dynamodb_support.hpp"
#include "process.hpp"

namespace auric::dynamodb_testing {
namespace {

using ::testing::HasSubstr;

class DynamoDbExample : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::make_temp_dir();
    std::filesystem::copy_file(std::string(AURIC_DYNAMODB_EXAMPLE_DIR) + "/migrate.config.toml",
                               dir_ + "/migrate.config.toml");
    table_ = unique_table("example-migrations");
    env_ = emulator_env();
    env_["NO_COLOR"] = "1";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  test::ProcessResult cli(std::vector<std::string> args) {
    std::vector<std::string> argv = {AURIC_DYNAMODB_EXAMPLE, "--env", "local", "--store", store_url(table_)};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run({argv, env_, dir_, ""});
  }

  // The customers as plain JSON, by id.
  std::map<std::string, nlohmann::json> customers() {
    aws::DynamoDbClient client(client_config());
    std::map<std::string, nlohmann::json> by_id;
    for (const auto& item :
         client.query_all({{"TableName", "auric-example-customers"},
                           {"KeyConditionExpression", "pk = :p"},
                           {"ExpressionAttributeValues", aws::plain_to_wire({{":p", "CUSTOMER"}})}})) {
      const auto plain = aws::item_to_plain(item);
      by_id[plain["sk"]] = plain;
    }
    return by_id;
  }

  bool customers_table_exists() {
    aws::DynamoDbClient client(client_config());
    const auto tables = client.list_tables()["TableNames"];
    return std::find(tables.begin(), tables.end(), "auric-example-customers") != tables.end();
  }

  std::string dir_;
  std::string table_;
  std::map<std::string, std::string> env_;
};

TEST_F(DynamoDbExample, SeedsAndReshapesTheCustomersTableThenRollsBack) {
  ASSERT_EQ(cli({"init"}).exit_code, 0);
  const auto up = cli({"up"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_THAT(up.out, HasSubstr("Status: completed"));

  auto rows = customers();
  ASSERT_EQ(rows.size(), 12u);
  EXPECT_EQ(rows["C001"]["first_name"], "Ada");
  EXPECT_EQ(rows["C001"]["last_name"], "Lovelace");
  EXPECT_EQ(rows["C008"]["last_name"], "von Neumann");
  EXPECT_FALSE(rows["C001"].contains("full_name")) << "reshaped";
  EXPECT_EQ(rows["C005"]["plan"], "team");
  // The backfill: a tier from every plan, each customer marked with the version it set.
  for (const auto& [id, row] : rows) {
    const std::string expected = row["plan"] == "free" ? "standard" : "priority";
    EXPECT_EQ(row.value("tier", ""), expected) << id;
    EXPECT_EQ(row.value("schema_version", 0), 1) << id;
  }

  const auto status = cli({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto report = nlohmann::json::parse(status.out);
  EXPECT_EQ(report["completed"].size(), 4u);
  EXPECT_TRUE(report["pending"].empty());

  const auto history = cli({"migration", "20250303090000_split-full-name", "--json"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  const auto run = nlohmann::json::parse(history.out)["runs"][0];
  EXPECT_EQ(run["status"], "completed");
  EXPECT_THAT(run["output"].get<std::string>(), HasSubstr("split names of 12 customers"));

  const auto backfill = cli({"migration", "20250304090000_backfill-customer-tier", "--json"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  const auto backfill_run = nlohmann::json::parse(backfill.out)["runs"][0];
  EXPECT_EQ(backfill_run["status"], "completed");
  EXPECT_THAT(backfill_run["output"].get<std::string>(),
              HasSubstr("tier backfilled: 12 written, 0 skipped, 0 failed"));
  const auto& result = backfill_run["metadata"];
  EXPECT_EQ(result["scanned"], 12) << result.dump();
  EXPECT_EQ(result["written"], 12);
  EXPECT_EQ(result["failed"], 0);
  EXPECT_EQ(result["segments"], 4) << "at least one segment per worker (threads:4)";

  // Rolling the backfill back removes the tier, through the same machinery.
  const auto untier = cli({"down"});
  ASSERT_EQ(untier.exit_code, 0) << untier.err;
  const auto untier_run = nlohmann::json::parse(
      cli({"migration", "20250304090000_backfill-customer-tier", "--json"}).out)["runs"][0];
  EXPECT_EQ(untier_run["direction"], "down");
  EXPECT_EQ(untier_run["status"], "completed");
  EXPECT_THAT(untier_run["output"].get<std::string>(), HasSubstr("tier removed: 12 written"));
  EXPECT_NE(untier_run["metadata"]["job_id"], result["job_id"]) << "a rollback is a job of its own";
  rows = customers();
  ASSERT_EQ(rows.size(), 12u);
  for (const auto& [id, row] : rows) {
    EXPECT_FALSE(row.contains("tier")) << id;
    EXPECT_FALSE(row.contains("schema_version")) << id;
    EXPECT_TRUE(row.contains("first_name")) << id << ": the split stays";
  }

  ASSERT_EQ(cli({"down"}).exit_code, 0);
  rows = customers();
  EXPECT_EQ(rows["C001"]["full_name"], "Ada Lovelace") << "the reshape is rolled back";
  EXPECT_FALSE(rows["C001"].contains("first_name"));

  const auto rest = cli({"down", "--steps", "2"});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_FALSE(customers_table_exists());
  const auto after = nlohmann::json::parse(cli({"status", "--json"}).out);
  EXPECT_EQ(after["pending"].size(), 4u);
}

}  // namespace
}  // namespace auric::dynamodb_testing
