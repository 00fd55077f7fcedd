// The Lambda runtime's figures (issue 4), measured by the Lambda emulator of the tests
// (tests/lambda/fake_lambda.hpp) on 127.0.0.1:
//   - BM_InitTime: process start → first `next` poll (target ≤ 50 ms median) and → the response
//     to a `{"action":"status"}` event, over 20 fresh processes of the quickstart example, from
//     the build tree and from its bundle unpacked into an empty folder; the bundle's size.
//   - BM_ContinuationOverhead: the lambda fixture's migrations against dynalite (requests
//     counted at a pass-through FaultProxy), once in a single invocation and once forced across
//     hops by a short timeout; the difference per extra hop is the continuation's cost in store
//     requests, emulator requests and wall time beyond the migration bodies.
// Counters hold medians (init) or the figures of the run (continuation).
// Run: scripts/bench.sh lambda   (needs `npm ci` in tests/node for dynalite)
#ifdef AURIC_BENCH_NO_QUICKSTART
#error "lambda_bench runs the quickstart example: configure with -DAURIC_BUILD_EXAMPLES=ON"
#endif
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/store.hpp"
#include "dynalite_server.hpp"
#include "fake_lambda.hpp"
#include "fault_proxy.hpp"
#include "lambda/bundle.hpp"
#include "lambda/zip.hpp"
#include "store/dynamodb_store.hpp"

namespace {

namespace fs = std::filesystem;
using auric::lambda::testing::FakeLambda;
using auric::lambda::testing::FunctionConfig;
using auric::lambda::testing::Json;
using namespace std::chrono_literals;

template <class T>
T median(std::vector<T> samples) {
  std::sort(samples.begin(), samples.end());
  return samples.empty() ? T{} : samples[samples.size() / 2];
}

double ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// A temp folder, removed with its content.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "auric-lambda-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// The quickstart example's bundle (with its migrate.config.toml), made and unpacked once.
struct QuickstartBundle {
  TempDir dir;
  fs::path unpacked = dir.path / "unpacked";
  std::uint64_t zip_bytes = 0;
  std::uint64_t unpacked_bytes = 0;
  std::size_t files = 0;

  QuickstartBundle() {
    auric::lambda::BundleOptions options;
    options.entry = AURIC_BENCH_QUICKSTART;
    options.out = dir.path / "bundle.zip";
    options.include = {fs::path(AURIC_BENCH_QUICKSTART_DIR) / "migrate.config.toml"};
    const auto bundle = auric::lambda::create_bundle(options);
    zip_bytes = bundle.size;
    auric::lambda::extract_zip(bundle.out, unpacked);
    for (const auto& entry : fs::recursive_directory_iterator(unpacked)) {
      if (!entry.is_regular_file()) continue;
      unpacked_bytes += entry.file_size();
      ++files;
    }
  }
};

QuickstartBundle& quickstart_bundle() {
  static QuickstartBundle bundle;
  return bundle;
}

struct ColdStart {
  double init_ms = 0;      // process start → first next poll
  double response_ms = 0;  // process start → the status response posted
};

// One fresh process of `command` under the emulator, answering a status event on an empty
// SQLite store in a folder of its own.
ColdStart cold_start(const std::vector<std::string>& command, const fs::path& cwd) {
  TempDir state;
  FunctionConfig config;
  config.command = command;
  config.cwd = cwd.string();
  config.timeout = 10s;
  config.env = {{"AURIC_MIGRATE_STORE", "sqlite:" + (state.path / "state.db").string()}};
  FakeLambda fn(config);
  fn.enqueue(Json{{"action", "status"}});
  fn.start();
  if (!fn.wait_idle(30s)) throw std::runtime_error("the status invocation did not finish:\n" + fn.log());
  const auto records = fn.records();
  const auto inits = fn.init_times();
  if (records.size() != 1 || records[0].error || inits.size() != 1) {
    throw std::runtime_error("unexpected status invocation:\n" + fn.log());
  }
  ColdStart c;
  c.init_ms = static_cast<double>(inits[0].count()) / 1000.0;
  // The event was queued before the process started, so `next` handed it out at once.
  c.response_ms = c.init_ms + ms(records[0].finished - records[0].started);
  return c;
}

// arg 0: the binary in the build tree; arg 1: the bundle's bootstrap in its unpacked folder.
void BM_InitTime(benchmark::State& state) {
  constexpr int kStarts = 20;
  const bool bundle = state.range(0) == 1;
  std::vector<std::string> command;
  fs::path cwd;
  TempDir scratch;
  if (bundle) {
    command = {(quickstart_bundle().unpacked / "bootstrap").string()};
    cwd = quickstart_bundle().unpacked;
  } else {
    command = {AURIC_BENCH_QUICKSTART};
    cwd = scratch.path;
  }
  std::vector<double> init, response;
  double first_init = 0, first_response = 0;
  for (auto _ : state) {
    for (int i = 0; i < kStarts && !state.error_occurred(); ++i) {
      ColdStart c;
      try {
        c = cold_start(command, cwd);
      } catch (const std::exception& e) {
        state.SkipWithError(e.what());
        break;
      }
      if (init.empty()) {
        first_init = c.init_ms;
        first_response = c.response_ms;
      }
      init.push_back(c.init_ms);
      response.push_back(c.response_ms);
    }
  }
  if (state.error_occurred()) return;
  state.counters["starts"] = static_cast<double>(init.size());
  state.counters["median_init_ms"] = median(init);
  state.counters["max_init_ms"] = *std::max_element(init.begin(), init.end());
  state.counters["median_to_status_response_ms"] = median(response);
  state.counters["first_init_ms"] = first_init;
  state.counters["first_to_status_response_ms"] = first_response;
  if (bundle) {
    state.counters["bundle_zip_bytes"] = static_cast<double>(quickstart_bundle().zip_bytes);
    state.counters["bundle_unpacked_bytes"] = static_cast<double>(quickstart_bundle().unpacked_bytes);
    state.counters["bundle_files"] = static_cast<double>(quickstart_bundle().files);
  }
}
BENCHMARK(BM_InitTime)->ArgName("bundle")->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kMillisecond);

// ---- continuation -------------------------------------------------------------------------

auric::aws::testing::DynaliteServer& dynalite() {
  static auric::aws::testing::DynaliteServer server;
  return server;
}

struct RunFigures {
  int invocations = 0;
  std::uint64_t store_requests = 0;
  std::uint64_t emulator_requests = 0;    // next + response per invocation, plus Invoke calls
  double wall_ms = 0;                     // first invocation start → last response (emulator)
  double bodies_ms = 0;                   // the runs' durations, from the store
  std::map<std::string, int> operations;  // DynamoDB operation → requests
};

// Counts the DynamoDB operations passing through the proxy (X-Amz-Target).
class OperationCounter {
 public:
  explicit OperationCounter(auric::aws::testing::FaultProxy& proxy) {
    proxy.set_hook([this](const auric::aws::testing::TestRequest& r,
                          std::uint64_t) -> std::optional<auric::aws::testing::TestResponse> {
      std::string op = r.headers.get("X-Amz-Target").value_or("?");
      op = op.substr(op.find('.') + 1);
      std::lock_guard lock(mu_);
      ++counts_[op];
      return std::nullopt;
    });
  }
  std::map<std::string, int> take() {
    std::lock_guard lock(mu_);
    return std::exchange(counts_, {});
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> counts_;
};

// The fixture's `count` migrations of `sleep_ms` each, against a fresh table through `proxy`,
// with a per-invocation `timeout` and stop margin `margin`; waits until the run is finished.
RunFigures run_fixture(auric::aws::testing::FaultProxy& proxy, OperationCounter& ops, int count, int sleep_ms,
                       std::chrono::milliseconds timeout, std::chrono::milliseconds margin) {
  static int tables = 0;
  const std::string table = "bench-lambda-" + std::to_string(::getpid()) + "-" + std::to_string(++tables);
  auto store = auric::open_dynamodb_store(table, dynalite().client_config());
  store->init();
  TempDir dir;
  FunctionConfig config;
  config.command = {AURIC_BENCH_LAMBDA_FIXTURE};
  config.cwd = dir.path.string();
  config.timeout = timeout;
  config.env = {
      {"AURIC_MIGRATE_STORE", "dynamodb:" + table + "?region=us-east-1&endpoint=" + proxy.endpoint()},
      {"FIXTURE_COUNT", std::to_string(count)},
      {"FIXTURE_SLEEP_MS", std::to_string(sleep_ms)},
      {"MIGRATION_TIMEOUT_THRESHOLD_MS", std::to_string(margin.count())},
      {"AWS_ACCESS_KEY_ID", "AKIDTEST"},
      {"AWS_SECRET_ACCESS_KEY", "secret"},
      {"AWS_SESSION_TOKEN", ""},
      {"AWS_PROFILE", ""},
      {"AWS_ENDPOINT_URL", ""},
      {"AWS_ENDPOINT_URL_DYNAMODB", ""}};
  FakeLambda fn(config);
  fn.start();
  // Let the process reach its first poll, so the run's figures leave process start-up out.
  const auto ready_by = std::chrono::steady_clock::now() + 20s;
  while (fn.init_times().empty() && std::chrono::steady_clock::now() < ready_by)
    std::this_thread::sleep_for(1ms);
  proxy.reset_stats();
  ops.take();
  fn.enqueue(Json::object());
  if (!fn.wait_idle(std::chrono::milliseconds(count * sleep_ms * 3 + 60000)))
    throw std::runtime_error("the run did not finish:\n" + fn.log());
  const auto records = fn.records();
  const Json last = Json::parse(records.back().response);
  if (last.value("status", "") != "completed") throw std::runtime_error("run not completed: " + last.dump());
  RunFigures f;
  f.invocations = static_cast<int>(records.size());
  f.store_requests = proxy.stats().requests;
  f.operations = ops.take();
  f.emulator_requests = 2 * records.size() + fn.invoke_requests();
  f.wall_ms = ms(records.back().finished - records.front().started);
  for (const auto& run : store->runs_of_execution(last.at("executionId").get<std::string>()))
    f.bodies_ms += static_cast<double>(run.duration_ms.value_or(0));
  return f;
}

// args: migrations, body ms, timeout ms, stop margin ms. Runs the same migrations once in one
// invocation (60 s timeout) and once with the given timeout; per extra hop = difference / extra hops.
void BM_ContinuationOverhead(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const int sleep_ms = static_cast<int>(state.range(1));
  const auto timeout = std::chrono::milliseconds(state.range(2));
  const auto margin = std::chrono::milliseconds(state.range(3));
  auric::aws::testing::FaultProxy proxy(dynalite().endpoint());
  OperationCounter ops(proxy);
  RunFigures one, hops;
  for (auto _ : state) {
    try {
      one = run_fixture(proxy, ops, count, sleep_ms, 60s, margin);
      hops = run_fixture(proxy, ops, count, sleep_ms, timeout, margin);
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      break;
    }
  }
  if (state.error_occurred()) return;
  const double extra = hops.invocations - one.invocations;
  if (extra <= 0) {
    state.SkipWithError("the short timeout did not force extra hops");
    return;
  }
  state.counters["hops"] = hops.invocations;
  state.counters["store_requests_one_invocation"] = static_cast<double>(one.store_requests);
  state.counters["store_requests_with_hops"] = static_cast<double>(hops.store_requests);
  state.counters["store_requests_per_extra_hop"] =
      static_cast<double>(hops.store_requests - one.store_requests) / extra;
  state.counters["emulator_requests_per_extra_hop"] =
      static_cast<double>(hops.emulator_requests - one.emulator_requests) / extra;
  state.counters["overhead_ms_one_invocation"] = one.wall_ms - one.bodies_ms;
  state.counters["overhead_ms_with_hops"] = hops.wall_ms - hops.bodies_ms;
  state.counters["overhead_ms_per_extra_hop"] =
      ((hops.wall_ms - hops.bodies_ms) - (one.wall_ms - one.bodies_ms)) / extra;
  state.counters["wall_ms_with_hops"] = hops.wall_ms;
  for (const auto& [op, n] : hops.operations) {
    const auto it = one.operations.find(op);
    state.counters["per_extra_hop_" + op] = (n - (it == one.operations.end() ? 0 : it->second)) / extra;
  }
  state.counters["bodies_ms"] = hops.bodies_ms;
}
BENCHMARK(BM_ContinuationOverhead)
    ->ArgNames({"migrations", "body_ms", "timeout_ms", "margin_ms"})
    ->Args({10, 1000, 3000, 1200})  // the scenario: two migrations per hop
    ->Args({20, 100, 1500, 1200})   // many short hops
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
