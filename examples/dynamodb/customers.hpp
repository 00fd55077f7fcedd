// The example's application table: customers in one partition ("CUSTOMER", sort key = the
// customer id), reached through ctx.dynamodb(). Its name comes from the `customers_table`
// key of the config's [context]. Helpers are stateless; the client is thread-safe.
#pragma once

#include <string>
#include <vector>

#include <auric/dynamodb.hpp>
#include <auric/migrations.hpp>

namespace customers {

inline constexpr const char* kPartition = "CUSTOMER";

// [context] customers_table, or "auric-example-customers".
std::string table_name(const auric::Context& ctx);

// The key {pk: CUSTOMER, sk: id} in wire form.
auric::Json key(const std::string& id);

struct Seed {
  std::string id;
  std::string full_name;
  std::string email;
  std::string plan;
};
// The customers the seed migration writes.
const std::vector<Seed>& seeds();

// Deletes `table` and waits until DynamoDB no longer lists it (at most two minutes).
void delete_table(auric::aws::DynamoDbClient& db, const std::string& table);

}  // namespace customers
