// The Store conformance suite on the DynamoDB backend, against dynalite: a fresh table per test.
#include <gtest/gtest.h>

#include "dynamodb_support.hpp"
#include "store/store_conformance.hpp"

namespace auric::store_testing {
namespace {

StoreHandleFactory new_dynamodb_medium() {
  const std::string table = dynamodb_testing::unique_table("conformance");
  dynamodb_testing::dynalite();  // start it here, on the main thread
  return [table] { return dynamodb_testing::open_test_store(table); };
}

INSTANTIATE_TEST_SUITE_P(DynamoDb, StoreConformance,
                         ::testing::Values(StoreBackend{"dynamodb", new_dynamodb_medium}),
                         store_backend_name);

}  // namespace
}  // namespace auric::store_testing
