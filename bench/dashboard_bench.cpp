// Dashboard API latency: the router alone (GET /api/migrations and /api/executions with 1,000
// migrations and 100 executions of history, memory and SQLite stores), and the local server
// under load (requests/s and latency percentiles from several client threads on loopback).
//
//   build/bench/dashboard_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <httplib.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/runner.hpp"
#include "core/store.hpp"
#include "dashboard/local_backend.hpp"
#include "dashboard/local_server.hpp"
#include "dashboard/router.hpp"
#include "store/open_store.hpp"

namespace {

using namespace auric;
using namespace auric::dashboard;

constexpr int kMigrations = 1000;
constexpr int kExecutions = 100;

std::vector<MigrationEntry> many_migrations() {
  std::vector<std::pair<std::string, Migration>> list;
  for (int i = 0; i < kMigrations; ++i) {
    char id[64];
    std::snprintf(id, sizeof id, "20240101%02d%02d00_migration_%04d", i / 60, i % 60, i);
    list.emplace_back(id, Migration{.description = "Migration number " + std::to_string(i) + ".",
                                    .up = [](Context& ctx) -> Json {
                                      ctx.log("applied");
                                      return {};
                                    },
                                    .down = [](Context&) -> Json { return {}; }});
  }
  return define_migrations(std::move(list));
}

// A store holding 1,000 applied migrations, applied by 100 executions of 10 each.
struct World {
  explicit World(const std::string& url) : store(open_store(url)) {
    store->init();
    auto migrations = many_migrations();
    {
      MigrationRunner runner(migrations, *store, RunnerOptions{.capture_stdio = false});
      for (int i = 0; i < kExecutions; ++i) runner.up({}, kMigrations / kExecutions);
    }
    backend = std::make_unique<LocalBackend>(migrations, *store);
  }
  std::unique_ptr<Store> store;
  std::unique_ptr<LocalBackend> backend;
};

std::string sqlite_path() {
  return (std::filesystem::temp_directory_path() /
          ("auric-dashboard-bench-" + std::to_string(::getpid()) + ".db"))
      .string();
}

World& world(bool sqlite) {
  static World memory("memory:");
  if (!sqlite) return memory;
  static const std::string path = sqlite_path();
  static World disk("sqlite:" + path);
  static struct Cleanup {
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove(path, ec);
      std::filesystem::remove(path + "-wal", ec);
      std::filesystem::remove(path + "-shm", ec);
    }
  } cleanup;
  return disk;
}

Request get(const std::string& path, const std::string& query = "") {
  Request r;
  r.method = "GET";
  r.path = path;
  r.query = query;
  return r;
}

void BM_RouterMigrations(benchmark::State& state) {
  World& w = world(state.range(0) != 0);
  const Request request = get("/api/migrations");
  std::size_t bytes = 0;
  for (auto _ : state) {
    Response r = handle(request, *w.backend);
    if (r.status != 200) state.SkipWithError("not 200");
    bytes = r.body.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["body_bytes"] = static_cast<double>(bytes);
  state.SetLabel(state.range(0) ? "sqlite" : "memory");
}
BENCHMARK(BM_RouterMigrations)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_RouterExecutions(benchmark::State& state) {
  World& w = world(state.range(0) != 0);
  const Request request = get("/api/executions", "limit=50");
  for (auto _ : state) {
    Response r = handle(request, *w.backend);
    if (r.status != 200) state.SkipWithError("not 200");
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(state.range(0) ? "sqlite" : "memory");
}
BENCHMARK(BM_RouterExecutions)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_RouterLock(benchmark::State& state) {
  World& w = world(state.range(0) != 0);
  const Request request = get("/api/lock");
  for (auto _ : state) {
    Response r = handle(request, *w.backend);
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(state.range(0) ? "sqlite" : "memory");
}
BENCHMARK(BM_RouterLock)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// The local server on 127.0.0.1: `threads` clients with keep-alive connections request
// `path` for about two seconds. Reports requests/s and the median and p99 latency.
void BM_LocalServerLoad(benchmark::State& state) {
  World& w = world(true);
  LocalServerOptions options;
  options.port = 0;
  LocalServer server(*w.backend, options);
  server.start();
  const int threads = static_cast<int>(state.range(0));
  const std::string path = state.range(1) == 0 ? "/api/migrations" : "/api/executions";
  std::vector<double> latencies_ms;
  std::size_t requests = 0;
  double seconds = 0;
  for (auto _ : state) {
    std::vector<std::vector<double>> per_thread(static_cast<std::size_t>(threads));
    std::atomic<bool> stop{false};
    std::atomic<int> errors{0};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> clients;
    for (int t = 0; t < threads; ++t) {
      clients.emplace_back([&, t] {
        httplib::Client client("127.0.0.1", server.port());
        client.set_keep_alive(true);
        while (!stop) {
          const auto t0 = std::chrono::steady_clock::now();
          auto r = client.Get(path.c_str());
          const auto t1 = std::chrono::steady_clock::now();
          if (!r || r->status != 200) ++errors;
          per_thread[static_cast<std::size_t>(t)].push_back(
              std::chrono::duration<double, std::milli>(t1 - t0).count());
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));
    stop = true;
    for (auto& c : clients) c.join();
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (auto& v : per_thread) latencies_ms.insert(latencies_ms.end(), v.begin(), v.end());
    if (errors > 0) state.SkipWithError("some requests failed");
  }
  requests = latencies_ms.size();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    return latencies_ms.empty()
               ? 0.0
               : latencies_ms[std::min(
                     latencies_ms.size() - 1,
                     static_cast<std::size_t>(p * static_cast<double>(latencies_ms.size())))];
  };
  state.counters["req_per_s"] = static_cast<double>(requests) / seconds;
  state.counters["median_ms"] = pct(0.5);
  state.counters["p99_ms"] = pct(0.99);
  state.SetLabel(path + ", " + std::to_string(threads) + " clients, sqlite");
  server.stop();
}
BENCHMARK(BM_LocalServerLoad)
    ->Args({4, 0})
    ->Args({4, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
