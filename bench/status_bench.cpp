// What `status` costs on the SQLite store: list_states() + read_lock() with 1,000 migrations
// and N runs of history (N = 1,000 and 100,000). The cost must depend on the number of
// migrations only, never on history. Also the first page of one migration's history, which
// keyset pagination keeps flat too. Run with --benchmark_repetitions for medians.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include "core/store.hpp"
#include "store/sqlite_store.hpp"

namespace {

namespace fs = std::filesystem;
using auric::Json;

constexpr int kMigrations = 1000;
constexpr std::int64_t kStart = 1'700'000'000'000;

fs::path bench_dir() {
  return fs::temp_directory_path() / ("auric-status-bench-" + std::to_string(::getpid()));
}

std::string migration_id(int i) {
  std::string n = std::to_string(i);
  return "20250101" + std::string(6 - n.size(), '0') + n + "_migration_" + n;
}

// A store file with kMigrations states and `runs` runs spread over them, built once per size
// through the public API with synchronous=OFF (fixtures only), then reopened as users do.
const std::string& fixture(std::int64_t runs) {
  static std::map<std::int64_t, std::string> built;
  if (const auto it = built.find(runs); it != built.end()) return it->second;

  const auto path = (bench_dir() / ("history-" + std::to_string(runs) + ".db")).string();
  fs::remove(path);
  auric::SqliteStoreOptions fast;
  fast.sync = auric::SqliteStoreOptions::Sync::kOff;
  auto store = auric::open_sqlite_store(path, fast);

  auric::LockRequest request;
  request.owner = "bench:1:0000";
  request.execution_id = "exec-bench";
  request.now_ms = kStart;
  request.ttl_ms = 60'000;
  const auto fence = store->try_acquire_lock(request).fence;

  const std::string output(480, 'x');
  for (std::int64_t r = 0; r < runs; ++r) {
    auric::RunRecord run;
    run.run_id = "run-" + std::to_string(r);
    run.id = migration_id(static_cast<int>(r % kMigrations));
    run.name = run.id.substr(15);
    run.status = auric::RunStatus::kCompleted;
    run.execution_id = "exec-" + std::to_string(r / kMigrations);
    run.started_at = kStart + r * 10;
    run.completed_at = run.started_at + 5;
    run.duration_ms = 5;
    run.output = output + "\n";
    run.result = Json{{"rows", r}};
    run.checksum = "sha256:0123456789abcdef";
    run.who.user = "bench";
    run.who.host = "localhost";
    if (store->put_run(run) != auric::WriteOutcome::kOk) throw std::runtime_error("fixture: run not written");
  }
  for (int i = 0; i < kMigrations; ++i) {
    auric::MigrationState state;
    state.id = migration_id(i);
    state.status = auric::RunStatus::kCompleted;
    state.applied = true;
    state.checksum = "sha256:0123456789abcdef";
    state.last_run_id = "run-" + std::to_string(i);
    state.last_execution_id = "exec-0";
    state.started_at = kStart + i;
    state.completed_at = kStart + i + 5;
    state.duration_ms = 5;
    state.applied_at = kStart + i + 5;
    state.applied_fence = fence;
    state.progress = nullptr;
    state.fence = fence;
    if (store->put_state(state) != auric::WriteOutcome::kOk)
      throw std::runtime_error("fixture: state not written");
  }
  return built.emplace(runs, path).first->second;
}

void BM_Status(benchmark::State& state) {
  const auto store = auric::open_sqlite_store(fixture(state.range(0)));
  std::size_t migrations = 0;
  for (auto _ : state) {
    auto states = store->list_states();
    auto lock = store->read_lock();
    migrations = states.size();
    benchmark::DoNotOptimize(states);
    benchmark::DoNotOptimize(lock);
  }
  if (migrations != kMigrations) state.SkipWithError("fixture has the wrong number of states");
  state.counters["migrations"] = static_cast<double>(migrations);
  state.counters["history_runs"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_Status)->Arg(1'000)->Arg(100'000)->Unit(benchmark::kMicrosecond);

void BM_HistoryFirstPage(benchmark::State& state) {
  const auto store = auric::open_sqlite_store(fixture(state.range(0)));
  const auto id = migration_id(kMigrations / 2);
  std::size_t items = 0;
  for (auto _ : state) {
    auto page = store->runs_of_migration(id, 20, "");
    items = page.items.size();
    benchmark::DoNotOptimize(page);
  }
  state.counters["page_items"] = static_cast<double>(items);
  state.counters["history_runs"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_HistoryFirstPage)->Arg(1'000)->Arg(100'000)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  fs::create_directories(bench_dir());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ec;
  fs::remove_all(bench_dir(), ec);
  return 0;
}
