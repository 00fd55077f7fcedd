// The migrations table as infra/cloudformation/migrations-table.yaml defines it, on dynalite,
// runs the Store conformance suite: every test gets a fresh table created from the template's
// own key schema, attribute definitions, GSI and billing mode (the JSON that
// infra/tests/table-definition.mjs renders from the template, named by
// AURIC_INFRA_TABLE_DEFINITION). The store's `init()` then finds the table already there and
// checks it, exactly as it does with a table CloudFormation created.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "aws/dynamodb.hpp"
#include "dynamodb_support.hpp"
#include "store/store_conformance.hpp"

namespace auric::store_testing {
namespace {

const nlohmann::json& template_table_definition() {
  static const nlohmann::json definition = [] {
    const char* path = std::getenv("AURIC_INFRA_TABLE_DEFINITION");
    if (path == nullptr || *path == '\0') {
      throw std::runtime_error(
          "AURIC_INFRA_TABLE_DEFINITION is not set: run `node infra/tests/table-definition.mjs out.json` and "
          "point it at "
          "out.json (`cd infra && npm test` does both)");
    }
    std::ifstream in(path);
    if (!in) throw std::runtime_error(std::string("cannot read ") + path);
    return nlohmann::json::parse(in);
  }();
  return definition;
}

// A new table named `table`, created from the template's definition; returns the CreateTable input.
nlohmann::json create_template_table(const std::string& table) {
  nlohmann::json request = template_table_definition();
  request["TableName"] = table;
  aws::DynamoDbClient client(dynamodb_testing::client_config());
  if (!client.create_table_if_absent(request, std::chrono::seconds(20))) {
    throw std::runtime_error("table " + table + " already existed");
  }
  return request;
}

StoreHandleFactory new_template_table() {
  dynamodb_testing::dynalite();  // start it here, on the main thread
  const std::string table = dynamodb_testing::unique_table("cfn-table");
  create_template_table(table);
  return [table] { return dynamodb_testing::open_test_store(table); };
}

INSTANTIATE_TEST_SUITE_P(CloudFormationTable, StoreConformance,
                         ::testing::Values(StoreBackend{"cfn_table", new_template_table}),
                         store_backend_name);

TEST(CloudFormationTable, TheTableIsTheTemplatesAndInitAcceptsIt) {
  const std::string table = dynamodb_testing::unique_table("cfn-table-described");
  const nlohmann::json request = create_template_table(table);
  auto store = dynamodb_testing::open_test_store(table);
  ASSERT_NO_THROW(store->init());
  aws::DynamoDbClient client(dynamodb_testing::client_config());
  const nlohmann::json described = client.describe_table(table).at("Table");
  EXPECT_EQ(described.at("KeySchema"), request.at("KeySchema"));
  ASSERT_EQ(described.at("GlobalSecondaryIndexes").size(), request.at("GlobalSecondaryIndexes").size());
  const auto& index = described.at("GlobalSecondaryIndexes").at(0);
  EXPECT_EQ(index.at("IndexName"), request.at("GlobalSecondaryIndexes").at(0).at("IndexName"));
  EXPECT_EQ(index.at("KeySchema"), request.at("GlobalSecondaryIndexes").at(0).at("KeySchema"));
  EXPECT_EQ(index.at("Projection").at("ProjectionType"), "ALL");
  EXPECT_EQ(described.at("BillingModeSummary").at("BillingMode"), "PAY_PER_REQUEST");
}

}  // namespace
}  // namespace auric::store_testing
