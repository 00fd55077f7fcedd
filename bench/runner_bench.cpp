// What users feel from the runner: `up` of many no-op migrations on SQLite (per-migration
// cost, which is the store round trips plus capture set-up), and the start-up of a
// migrations binary running `status` on an empty store (fork + exec + config + open).
// Run: scripts/bench.sh runner   (docs/benchmarks.md)
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "core/runner.hpp"
#include "core/store.hpp"
#include "store/open_store.hpp"

namespace {

std::vector<auric::MigrationEntry> noop_migrations(int n) {
  std::vector<std::pair<std::string, auric::Migration>> list;
  const auto base = std::chrono::sys_days{std::chrono::year{2025} / 1 / 1};
  for (int i = 0; i < n; ++i) {
    const std::string id = auric::utc_timestamp(base + std::chrono::seconds(i)) + "_noop";
    list.emplace_back(id, auric::Migration{"", "", [](auric::Context&) { return auric::Json(); },
                                           [](auric::Context&) { return auric::Json(); }});
  }
  return auric::define_migrations(std::move(list));
}

std::string temp_dir() {
  std::string tmpl = "/tmp/auric-bench-XXXXXX";
  if (!::mkdtemp(tmpl.data())) std::abort();
  return tmpl;
}

// up of N no-op migrations on a fresh SQLite file; reports ms per migration.
void BM_UpNoopSqlite(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const bool capture = state.range(1) != 0;
  const auto migrations = noop_migrations(n);
  std::vector<double> per_migration_ms;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string dir = temp_dir();
    auto store = auric::open_store("sqlite:" + dir + "/bench.db");
    store->init();
    auric::RunnerOptions options;
    options.capture_stdio = capture;
    auric::MigrationRunner runner(migrations, *store, options);
    state.ResumeTiming();
    const auto start = std::chrono::steady_clock::now();
    const auto result = runner.up();
    per_migration_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / n);
    state.PauseTiming();
    if (result.migrations_run.size() != static_cast<std::size_t>(n))
      state.SkipWithError("up did not run everything");
    store.reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  std::sort(per_migration_ms.begin(), per_migration_ms.end());
  state.counters["median_ms_per_migration"] = per_migration_ms[per_migration_ms.size() / 2];
}
BENCHMARK(BM_UpNoopSqlite)->Args({1000, 1})->Args({1000, 0})->Unit(benchmark::kMillisecond)->Iterations(3);

#ifdef AURIC_BENCH_CLI
// `<binary> status` on an empty SQLite store: process start-up to exit.
void BM_StartupStatus(benchmark::State& state) {
  const std::string dir = temp_dir();
  const std::string store = "--store=sqlite:" + dir + "/empty.db";
  std::vector<double> samples;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
      if (::chdir(dir.c_str()) != 0) _exit(127);
      const int null_fd = ::open("/dev/null", O_WRONLY);
      ::dup2(null_fd, 1);
      ::dup2(null_fd, 2);
      ::execl(AURIC_BENCH_CLI, AURIC_BENCH_CLI, store.c_str(), "status", static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    samples.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) state.SkipWithError("status failed");
  }
  std::sort(samples.begin(), samples.end());
  state.counters["median_ms"] = samples[samples.size() / 2];
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StartupStatus)->Iterations(50)->Unit(benchmark::kMillisecond);
#endif

}  // namespace

BENCHMARK_MAIN();
