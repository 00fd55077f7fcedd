#include "app/session.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/record_json.hpp"
#include "store/open_store.hpp"

namespace auric::app {

const Config& Session::config() {
  if (!config_) config_ = load_config(overrides_);
  return *config_;
}

Store& Session::store() {
  if (!store_) store_ = open_store(config().store);
  return *store_;
}

const std::vector<MigrationEntry>& Session::migrations() {
  if (!migrations_) {
    if (program_.standalone) {
      migrations_ = migrations_on_disk(config().migrations_dir);
    } else {
      migrations_ = program_.migrations;
    }
  }
  return *migrations_;
}

std::vector<MigrationEntry> migrations_on_disk(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw ConfigError("migrations directory does not exist: " + fs::absolute(dir).string() +
                      " (set migrations_dir in migrate.config.toml, or run `create` first)");
  }
  static const std::regex file_pattern(R"(^(\d{14})_(.+)\.cpp$)");
  std::vector<MigrationEntry> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    if (!entry.is_regular_file() || !std::regex_match(file, file_pattern)) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    MigrationEntry m;
    m.id = entry.path().stem().string();
    m.checksum = source_checksum(text.str());
    m.migration.name = entry.path().string();  // standalone: the name carries the path
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace auric::app
