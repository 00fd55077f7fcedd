// The local dashboard server over a large SQLite history, for load tools outside the process
// (bench/dashboard_wrk.sh drives it with wrk). Two steps, so the server's peak RSS says nothing
// about seeding:
//
//   dashboard_server seed  DB [--migrations 200] [--runs 50] [--steps 10]
//   dashboard_server serve DB [--migrations 200] [--port 0] [--threads 64] [--no-cache]
//
// `seed` runs the migrations through the real runner: `--runs` alternating `up`s and `down`s
// of all of them, `--steps` migrations per execution (defaults: 200 migrations × 50 runs each
// = 10,000 runs in 1,000 executions). `serve` starts the same LocalServer and LocalBackend as
// `<binary> dashboard` (same migrations, so none is "missing"), prints
// `> Dashboard ready: <url>` and runs until SIGINT or SIGTERM. `--no-cache` hides the store's
// data version from the router, so every answer is computed (the cost after each write);
// `--threads` sets the worker count.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "core/runner.hpp"
#include "core/store.hpp"
#include "dashboard/local_backend.hpp"
#include "dashboard/local_server.hpp"
#include "store/open_store.hpp"

namespace {

using namespace auric;

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
  g_stop = true;
}

std::vector<MigrationEntry> bench_migrations(int count) {
  std::vector<std::pair<std::string, Migration>> list;
  for (int i = 0; i < count; ++i) {
    char id[64];
    std::snprintf(id, sizeof id, "2024%02d%02d%02d0000_bench-migration-%04d", 1 + i / 300, 1 + (i / 12) % 25,
                  i % 12, i);
    list.emplace_back(
        id,
        Migration{.description = "## Bench migration " + std::to_string(i) + "\n\nCreates table `t" +
                                 std::to_string(i) +
                                 "` and backfills it.\n\n| column | type |\n|---|---|\n| `id` | integer |\n",
                  .up = [i](Context& ctx) -> Json {
                    ctx.log("creating table", "t" + std::to_string(i));
                    ctx.log("backfilled", 100 + i, "rows");
                    return {{"rows", 100 + i}};
                  },
                  .down = [](Context& ctx) -> Json {
                    ctx.log("dropping table");
                    return {};
                  }});
  }
  auto entries = define_migrations(std::move(list));
  for (auto& e : entries) e.checksum = "sha256:" + std::string(16, 'a') + e.id.substr(0, 14);
  return entries;
}

// The LocalBackend without its data version: the router then never reuses an answer.
class UncachedBackend final : public dashboard::DashboardBackend {
 public:
  explicit UncachedBackend(dashboard::LocalBackend& inner) : inner_(inner) {}
  Store& store() override { return inner_.store(); }
  std::vector<dashboard::MigrationInfo> migrations() override { return inner_.migrations(); }
  std::optional<dashboard::LiveOutput> live_output() override { return inner_.live_output(); }
  dashboard::StartOutcome start_run(const dashboard::RunParams& params) override {
    return inner_.start_run(params);
  }

 private:
  dashboard::LocalBackend& inner_;
};

struct Args {
  std::string mode;
  std::string db;
  int migrations = 200;
  int runs = 50;
  int steps = 10;
  int port = 0;
  int threads = dashboard::LocalServerOptions{}.threads;
  bool cache = true;
};

int usage() {
  std::cerr << "usage: dashboard_server seed DB [--migrations N] [--runs N] [--steps N]\n"
               "       dashboard_server serve DB [--migrations N] [--port N] [--threads N] [--no-cache]\n";
  return 2;
}

// Points fd 2 at /dev/null while alive: ctx.log() echoes every line to stderr, and seeding
// logs tens of thousands.
class QuietStderr {
 public:
  QuietStderr() : saved_(::dup(2)) {
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) {
      ::dup2(null, 2);
      ::close(null);
    }
  }
  ~QuietStderr() {
    if (saved_ >= 0) {
      ::dup2(saved_, 2);
      ::close(saved_);
    }
  }
  QuietStderr(const QuietStderr&) = delete;
  QuietStderr& operator=(const QuietStderr&) = delete;

 private:
  int saved_;
};

int seed(const Args& a) {
  auto store = open_store("sqlite:" + a.db);
  store->init();
  const auto migrations = bench_migrations(a.migrations);
  MigrationRunner runner(migrations, *store, RunnerOptions{.capture_stdio = false});
  const auto start = std::chrono::steady_clock::now();
  int executions = 0;
  QuietStderr quiet;
  for (int r = 0; r < a.runs; ++r) {
    const bool up = r % 2 == 0;
    for (int done = 0; done < a.migrations; done += a.steps) {
      const ExecutionResult result = up ? runner.up({}, a.steps) : runner.down({}, a.steps);
      if (result.failure != ExecutionResult::Failure::kNone) {
        std::cout << "seed: execution failed: " << result.error << std::endl;
        return 1;
      }
      ++executions;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "seeded " << a.db << ": " << a.migrations << " migrations × " << a.runs
            << " runs = " << a.migrations * a.runs << " runs in " << executions << " executions (" << seconds
            << " s)" << std::endl;
  return 0;
}

int serve(const Args& a) {
  auto store = open_store("sqlite:" + a.db);
  store->init();
  dashboard::LocalBackend backend(bench_migrations(a.migrations), *store);
  UncachedBackend uncached(backend);
  dashboard::LocalServerOptions options;
  options.port = a.port;
  options.threads = a.threads;
  dashboard::LocalServer server(a.cache ? static_cast<dashboard::DashboardBackend&>(backend) : uncached,
                                options);
  server.start();
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::cout << "> Dashboard ready: " << server.url() << std::endl;
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  server.stop();
  std::cout << "> Shutting down..." << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  Args a;
  a.mode = argv[1];
  a.db = argv[2];
  for (int i = 3; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--no-cache") {
      a.cache = false;
      --i;
      continue;
    }
    if (i + 1 >= argc) return usage();
    const int value = std::atoi(argv[i + 1]);
    if (flag == "--migrations" && value > 0) {
      a.migrations = value;
    } else if (flag == "--runs" && value > 0) {
      a.runs = value;
    } else if (flag == "--steps" && value > 0) {
      a.steps = value;
    } else if (flag == "--port" && value >= 0) {
      a.port = value;
    } else if (flag == "--threads" && value > 0) {
      a.threads = value;
    } else {
      return usage();
    }
  }
  try {
    if (a.mode == "seed") return seed(a);
    if (a.mode == "serve") return serve(a);
  } catch (const std::exception& e) {
    std::cerr << "dashboard_server: " << e.what() << "\n";
    return 1;
  }
  return usage();
}
