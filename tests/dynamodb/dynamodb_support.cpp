#include "dynamodb_support.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <thread>
#include <vector>

#include "aws/dynamodb.hpp"
#include "aws/retry.hpp"
#include "store/dynamodb_store.hpp"

namespace auric::dynamodb_testing {

aws::testing::DynaliteServer& dynalite() {
  static aws::testing::DynaliteServer server;
  return server;
}

std::string unique_table(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

std::map<std::string, std::string> emulator_env() {
  return {{"AWS_ACCESS_KEY_ID", "AKIDTEST"},
          {"AWS_SECRET_ACCESS_KEY", "secret"},
          {"AWS_REGION", "us-east-1"},
          {"AWS_EC2_METADATA_DISABLED", "true"},
          {"AWS_ENDPOINT_URL", ""},
          {"AWS_ENDPOINT_URL_DYNAMODB", ""},
          {"AWS_PROFILE", ""},
          {"AWS_SESSION_TOKEN", ""},
          {"AWS_MAX_ATTEMPTS", ""}};
}

void use_emulator_env() {
  for (const auto& [name, value] : emulator_env()) {
    if (value.empty()) {
      ::unsetenv(name.c_str());
    } else {
      ::setenv(name.c_str(), value.c_str(), 1);
    }
  }
}

aws::ClientConfig client_config(const std::string& endpoint, int max_attempts) {
  aws::ClientConfig config = dynalite().client_config(endpoint);
  config.retry.max_attempts = max_attempts;
  return config;
}

std::unique_ptr<Store> open_test_store(const std::string& table, const std::string& endpoint,
                                       int max_attempts) {
  return open_dynamodb_store(table, client_config(endpoint, max_attempts));
}

std::string store_url(const std::string& table, const std::string& endpoint) {
  return "dynamodb:" + table +
         "?region=us-east-1&endpoint=" + (endpoint.empty() ? dynalite().endpoint() : endpoint);
}

std::string numbered_item_id(int n) {
  char text[32];
  std::snprintf(text, sizeof text, "item-%07d", n);
  return text;
}

int item_number(const aws::Item& item) {
  return std::stoi(item.at("id").as_string().substr(5));
}

void seed_numbered_items(aws::DynamoDbClient& db, const std::string& table, int count, int writers) {
  db.create_table_if_absent({{"TableName", table},
                             {"BillingMode", "PAY_PER_REQUEST"},
                             {"AttributeDefinitions", {{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
                             {"KeySchema", {{{"AttributeName", "id"}, {"KeyType", "HASH"}}}}});
  writers = std::max(1, writers);
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(writers));
  const auto write_share = [&](int first) {
    try {
      std::vector<nlohmann::json> writes;
      writes.reserve(static_cast<std::size_t>(count / writers + 1));
      for (int n = first; n < count; n += writers) {
        const aws::Item item{{"id", aws::AttributeValue::string(numbered_item_id(n))},
                             {"amount", aws::AttributeValue::number(std::int64_t{n})}};
        writes.push_back({{"PutRequest", {{"Item", aws::item_to_wire(item)}}}});
      }
      db.batch_write_all(table, writes);  // resends unprocessed items
    } catch (...) {
      errors[static_cast<std::size_t>(first)] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (int w = 1; w < writers; ++w) threads.emplace_back(write_share, w);
  write_share(0);
  for (auto& t : threads) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

std::string seed_numbered_table(aws::DynamoDbClient& db, std::string_view prefix, int count) {
  std::string table = unique_table(prefix);
  seed_numbered_items(db, table, count);
  return table;
}

std::map<int, aws::Item> read_numbered_items(aws::DynamoDbClient& db, const std::string& table) {
  std::map<int, aws::Item> items;
  nlohmann::json req{{"TableName", table}, {"ConsistentRead", true}};
  for (;;) {
    const nlohmann::json page = db.call("Scan", req);
    for (const auto& wire : page["Items"]) {
      auto item = aws::item_from_wire(wire);
      items.emplace(item_number(item), std::move(item));
    }
    if (!page.contains("LastEvaluatedKey")) break;
    req["ExclusiveStartKey"] = page["LastEvaluatedKey"];
  }
  return items;
}

int items_not_doubled_once(aws::DynamoDbClient& db, const std::string& table, int count,
                           std::optional<std::int64_t> version) {
  const auto items = read_numbered_items(db, table);
  int wrong = 0;
  for (int n = 0; n < count; ++n) {
    const auto it = items.find(n);
    if (it == items.end()) {
      ++wrong;
      continue;
    }
    const aws::Item& item = it->second;
    const auto v = item.find("version");
    if (item.at("amount").as_int() != 2 * std::int64_t{n} || v == item.end() ||
        (version && v->second.as_int() != *version))
      ++wrong;
  }
  for (const auto& entry : items) {
    if (entry.first < 0 || entry.first >= count) ++wrong;  // an item the seed did not write
  }
  return wrong;
}

}  // namespace auric::dynamodb_testing
