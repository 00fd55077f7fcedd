// Shared helpers of the Lambda tests: a temp folder with a side file and a store (a SQLite
// file, or a fresh table on this test process's dynalite), the fixture binary under the Lambda
// emulator, and reading the store the child wrote. Call from the test's main thread.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/store.hpp"
#include "dynamodb_support.hpp"
#include "fake_lambda.hpp"
#include "process.hpp"
#include "store/open_store.hpp"

namespace auric::lambda::testing {

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

inline std::string first_word(const std::string& line) {
  return line.substr(0, line.find(' '));
}

enum class StoreKind { kSqlite, kDynamoDb };

// For gtest's parameter printing.
inline void PrintTo(StoreKind kind, std::ostream* os) {
  *os << (kind == StoreKind::kSqlite ? "sqlite" : "dynamodb");
}

// A scenario folder: side file, the store, and the environment the fixture needs.
struct Scenario {
  StoreKind kind;
  std::string dir = auric::test::make_temp_dir();
  std::string side = dir + "/side.txt";
  std::string table;  // DynamoDB only
  std::string store_url;

  // SQLite: a file in the folder. DynamoDB: a new table on this process's dynalite, created
  // here (as the deployment's template would) since the Lambda runtime never creates it.
  explicit Scenario(StoreKind k = StoreKind::kSqlite) : kind(k) {
    if (kind == StoreKind::kSqlite) {
      store_url = "sqlite:" + dir + "/migrations.db";
    } else {
      table = dynamodb_testing::unique_table("lambda");
      store_url = dynamodb_testing::store_url(table);
      dynamodb_testing::open_test_store(table)->init();
    }
  }
  ~Scenario() { std::filesystem::remove_all(dir); }
  Scenario(const Scenario&) = delete;
  Scenario& operator=(const Scenario&) = delete;

  std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) const {
    std::map<std::string, std::string> e = {{"AURIC_MIGRATE_STORE", store_url}, {"FIXTURE_SIDE_FILE", side}};
    if (kind == StoreKind::kDynamoDb) {
      // Dummy keys, no profile or endpoint from the developer's environment leaking in.
      for (const auto& [k, v] : dynamodb_testing::emulator_env()) e[k] = v;
    }
    for (auto& [k, v] : extra) e[k] = v;
    return e;
  }
  std::vector<std::string> side_lines() const { return lines_of(auric::test::read_file(side)); }
  std::unique_ptr<Store> store() const {
    return kind == StoreKind::kSqlite ? open_store(store_url) : dynamodb_testing::open_test_store(table);
  }
};

// The records' parsed responses. An invocation that failed (error posted, timed out, process
// died) shows as {"status": "lambda-error", "errorType", "response"}, so checks of `status`
// fail readably instead of reading a missing key.
inline std::vector<Json> responses(const FakeLambda& fn) {
  std::vector<Json> out;
  for (const auto& r : fn.records()) {
    Json body = Json::parse(r.response, nullptr, false);
    if (body.is_discarded()) body = Json{{"unparsed", r.response}};
    if (r.error) body = Json{{"status", "lambda-error"}, {"errorType", r.error_type}, {"response", body}};
    out.push_back(std::move(body));
  }
  return out;
}

}  // namespace auric::lambda::testing
