// The migrations binary of bench/log_hot_path.sh: LOG_FIXTURE_COUNT migrations (default 100),
// each calling ctx.log LOG_FIXTURE_LINES times (default 1000). Ids 20250101000000_log-0001...
// Built by the script against both the current tree and the base revision, so it uses only
// the public API.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <auric/migrations.hpp>

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int count = env_int("LOG_FIXTURE_COUNT", 100);
  const int lines = env_int("LOG_FIXTURE_LINES", 1000);
  std::vector<std::pair<std::string, auric::Migration>> list;
  for (int i = 1; i <= count; ++i) {
    char id[64];
    // One second apart from 2025-01-01T00:00:00: a valid timestamp for up to 86,400 ids.
    std::snprintf(id, sizeof id, "20250101%02d%02d%02d_log-%04d", i / 3600, i / 60 % 60, i % 60, i);
    auric::Migration m;
    m.description = "Logs " + std::to_string(lines) + " lines";
    m.up = [lines](auric::Context& ctx) -> auric::Json {
      for (int n = 0; n < lines; ++n) ctx.log("processed item", n);
      return {};
    };
    m.down = [](auric::Context&) -> auric::Json { return {}; };
    list.emplace_back(id, std::move(m));
  }
  auric::RunMainOptions options;
  options.migrations = auric::define_migrations(std::move(list));
  return auric::run_main(argc, argv, options);
}
