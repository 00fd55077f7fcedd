#include "customers.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

namespace customers {

std::string table_name(const auric::Context& ctx) {
  return ctx.config().value("customers_table", std::string("auric-example-customers"));
}

auric::Json key(const std::string& id) {
  return auric::aws::plain_to_wire({{"pk", kPartition}, {"sk", id}});
}

const std::vector<Seed>& seeds() {
  static const std::vector<Seed> list = {
      {"C001", "Ada Lovelace", "ada@example.com", "pro"},
      {"C002", "Alan Turing", "alan@example.com", "free"},
      {"C003", "Grace Hopper", "grace@example.com", "pro"},
      {"C004", "Edsger Dijkstra", "edsger@example.com", "free"},
      {"C005", "Barbara Liskov", "barbara@example.com", "team"},
      {"C006", "Donald Knuth", "don@example.com", "free"},
      {"C007", "Margaret Hamilton", "margaret@example.com", "team"},
      {"C008", "John von Neumann", "john@example.com", "pro"},
      {"C009", "Frances Allen", "frances@example.com", "free"},
      {"C010", "Ken Thompson", "ken@example.com", "free"},
      {"C011", "Radia Perlman", "radia@example.com", "pro"},
      {"C012", "Tony Hoare", "tony@example.com", "team"},
  };
  return list;
}

void delete_table(auric::aws::DynamoDbClient& db, const std::string& table) {
  db.call("DeleteTable", {{"TableName", table}});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto described = db.try_call("DescribeTable", {{"TableName", table}});
    if (!described.ok() && described.error->code() == auric::aws::kResourceNotFound) return;
    if (!described.ok()) throw *described.error;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("table " + table + " is still being deleted after two minutes");
}

}  // namespace customers
