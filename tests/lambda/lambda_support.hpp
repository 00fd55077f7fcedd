// Shared helpers of the Lambda tests: a temp folder with a SQLite store and a side file, the
// fixture binary under the Lambda emulator, and reading the store the child wrote.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/store.hpp"
#include "fake_lambda.hpp"
#include "process.hpp"

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

// A scenario folder: store file, side file, and the environment the fixture needs.
struct Scenario {
  std::string dir = auric::test::make_temp_dir();
  std::string side = dir + "/side.txt";
  std::string store_url = "sqlite:" + dir + "/migrations.db";

  Scenario() = default;
  ~Scenario() { std::filesystem::remove_all(dir); }
  Scenario(const Scenario&) = delete;
  Scenario& operator=(const Scenario&) = delete;

  std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) const {
    std::map<std::string, std::string> e = {{"AURIC_MIGRATE_STORE", store_url}, {"FIXTURE_SIDE_FILE", side}};
    for (auto& [k, v] : extra) e[k] = v;
    return e;
  }
  std::vector<std::string> side_lines() const { return lines_of(auric::test::read_file(side)); }
  std::unique_ptr<Store> store() const { return open_store(store_url); }
};

// The records' parsed responses (errors included as their JSON bodies).
inline std::vector<Json> responses(const FakeLambda& fn) {
  std::vector<Json> out;
  for (const auto& r : fn.records()) {
    try {
      out.push_back(Json::parse(r.response));
    } catch (const Json::parse_error&) {
      out.push_back(Json{{"unparsed", r.response}});
    }
  }
  return out;
}

}  // namespace auric::lambda::testing
