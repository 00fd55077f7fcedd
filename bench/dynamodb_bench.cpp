// The DynamoDB store's cost against dynalite (npm, tests/node), counted at a pass-through
// FaultProxy (no faults) in front of it:
//   - `up` of N no-op migrations: requests (target <= 3N + 8), sequential round trips per
//     migration (target <= 2: set current, then the run and the state together), wall time;
//   - `status` (list_states + read_lock) with 1,000 migrations and 10 or 10,000 runs of
//     history: requests (target <= 2, the same for both), response bytes (must not grow with
//     history), wall time.
// Every figure is a median over the benchmark's iterations (counters median_*).
// Run: scripts/bench.sh dynamodb   (needs `npm ci` in tests/node for dynalite)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aws/dynamodb.hpp"
#include "core/ids.hpp"
#include "core/runner.hpp"
#include "core/system.hpp"
#include "dynalite_server.hpp"
#include "fault_proxy.hpp"
#include "store/dynamodb_items.hpp"
#include "store/dynamodb_store.hpp"

namespace {

using auric::aws::testing::DynaliteServer;
using auric::aws::testing::FaultProxy;

DynaliteServer& dynalite() {
  static DynaliteServer server;
  return server;
}

std::string new_table(const std::string& prefix) {
  static int counter = 0;
  return prefix + "-" + std::to_string(++counter);
}

// Counts requests and "sequential steps": a step starts whenever a request is sent while no
// other is in flight, so requests sent in parallel share one step.
class StepCountingTransport final : public auric::aws::HttpTransport {
 public:
  explicit StepCountingTransport(std::shared_ptr<auric::aws::HttpTransport> inner)
      : inner_(std::move(inner)) {}
  auric::aws::HttpResponse send(const auric::aws::HttpRequest& request) override {
    {
      std::lock_guard lock(mutex_);
      if (in_flight_++ == 0) ++steps_;
    }
    try {
      auto response = inner_->send(request);
      std::lock_guard lock(mutex_);
      --in_flight_;
      return response;
    } catch (...) {
      std::lock_guard lock(mutex_);
      --in_flight_;
      throw;
    }
  }
  std::uint64_t steps() const {
    std::lock_guard lock(mutex_);
    return steps_;
  }
  void reset() {
    std::lock_guard lock(mutex_);
    steps_ = 0;
  }

 private:
  std::shared_ptr<auric::aws::HttpTransport> inner_;
  mutable std::mutex mutex_;
  int in_flight_ = 0;
  std::uint64_t steps_ = 0;
};

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

template <class T>
T median(std::vector<T> samples) {
  std::sort(samples.begin(), samples.end());
  return samples.empty() ? T{} : samples[samples.size() / 2];
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// up of N no-op migrations on a fresh table, through the proxy; with a second argument, the
// proxy delays every request by that many milliseconds (a far-away region), which makes the
// sequential round trips stand out from thread-scheduling noise on a busy machine.
void BM_UpNoop(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto latency = std::chrono::milliseconds(state.range(1));
  const auto migrations = noop_migrations(n);
  auric::aws::testing::FaultConfig faults;
  if (latency.count() > 0) {
    faults.delay = 1.0;
    faults.delay_for = latency;
  }
  FaultProxy proxy(dynalite().endpoint(), faults);
  std::vector<double> ms, requests, steps;
  for (auto _ : state) {
    state.PauseTiming();
    auto transport = std::make_shared<StepCountingTransport>(auric::aws::default_transport());
    auto config = dynalite().client_config(proxy.endpoint());
    config.transport = transport;
    auto store = auric::open_dynamodb_store(new_table("bench-up"), config);
    store->init();
    auric::RunnerOptions options;
    options.capture_stdio = false;
    auric::MigrationRunner runner(migrations, *store, options);
    proxy.reset_stats();
    transport->reset();
    state.ResumeTiming();
    const auto start = std::chrono::steady_clock::now();
    const auto result = runner.up();
    ms.push_back(ms_since(start));
    state.PauseTiming();
    if (result.migrations_run.size() != static_cast<std::size_t>(n))
      state.SkipWithError("up did not run everything");
    requests.push_back(static_cast<double>(proxy.stats().requests));
    steps.push_back(static_cast<double>(transport->steps()));
    state.ResumeTiming();
  }
  state.counters["median_ms"] = median(ms);
  state.counters["median_ms_per_migration"] = median(ms) / n;
  state.counters["requests"] = median(requests);
  state.counters["budget_3N_plus_8"] = 3.0 * n + 8;
  state.counters["requests_per_migration"] = median(requests) / n;
  state.counters["sequential_steps"] = median(steps);
  // Without the 5 steps of the execution (lock, states, execution x2, release).
  state.counters["sequential_steps_per_migration"] = (median(steps) - 5) / n;
}
BENCHMARK(BM_UpNoop)
    ->ArgNames({"migrations", "latency_ms"})
    ->Args({10, 0})
    ->Args({100, 0})
    ->Args({20, 20})
    ->Iterations(5)
    ->Unit(benchmark::kMillisecond);

// A table with 1,000 migration states and `history` run items, loaded once per history size.
std::string status_table(int history) {
  static std::map<int, std::string> tables;
  if (auto it = tables.find(history); it != tables.end()) return it->second;
  const std::string table = new_table("bench-status-" + std::to_string(history));
  auto store = auric::open_dynamodb_store(table, dynalite().client_config());
  store->init();
  auric::aws::DynamoDbClient client(dynalite().client_config());
  std::vector<nlohmann::json> puts;
  const auto migrations = noop_migrations(1000);
  for (const auto& m : migrations) {
    auric::MigrationState s;
    s.id = m.id;
    s.status = auric::RunStatus::kCompleted;
    s.applied = true;
    s.checksum = std::string(64, 'c');
    s.last_run_id = auric::new_uuid();
    s.last_execution_id = auric::new_uuid();
    s.started_at = 1'700'000'000'000;
    s.completed_at = s.started_at + 5;
    s.duration_ms = 5;
    s.applied_at = s.completed_at;
    s.applied_fence = 1;
    s.fence = 1;
    puts.push_back(
        {{"PutRequest", {{"Item", auric::aws::item_to_wire(auric::dynamodb_items::state_item(s))}}}});
  }
  for (int i = 0; i < history; ++i) {
    auric::RunRecord run;
    run.run_id = auric::new_uuid();
    run.id = migrations[static_cast<std::size_t>(i) % migrations.size()].id;
    run.execution_id = "exec-" + std::to_string(i / 100);
    run.started_at = 1'700'000'000'000 + i;
    run.output = "[2025-01-01T00:00:00.000Z] [info] a line of output\n";
    puts.push_back(
        {{"PutRequest", {{"Item", auric::aws::item_to_wire(auric::dynamodb_items::run_item(run))}}}});
  }
  client.batch_write_all(table, puts);
  tables[history] = table;
  return table;
}

// status: one query of the states + the lock, with 1,000 migrations.
void BM_Status(benchmark::State& state) {
  const int history = static_cast<int>(state.range(0));
  const std::string table = status_table(history);
  FaultProxy proxy(dynalite().endpoint());
  auto store = auric::open_dynamodb_store(table, dynalite().client_config(proxy.endpoint()));
  auric::MigrationRunner runner(noop_migrations(1000), *store);
  std::vector<double> ms, requests, bytes;
  for (auto _ : state) {
    proxy.reset_stats();
    const auto start = std::chrono::steady_clock::now();
    const auto report = runner.status();
    const auto lock = store->read_lock();
    ms.push_back(ms_since(start));
    benchmark::DoNotOptimize(lock);
    if (report.applied.size() != 1000) state.SkipWithError("status did not see 1,000 applied migrations");
    const auto stats = proxy.stats();
    requests.push_back(static_cast<double>(stats.requests));
    bytes.push_back(static_cast<double>(stats.bytes_out));
  }
  state.counters["median_ms"] = median(ms);
  state.counters["requests"] = median(requests);
  state.counters["response_bytes"] = median(bytes);
}
BENCHMARK(BM_Status)
    ->ArgName("runs_of_history")
    ->Arg(10)
    ->Arg(10000)
    ->Iterations(15)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
