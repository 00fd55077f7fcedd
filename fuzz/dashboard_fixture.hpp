// The backend the dashboard harnesses answer from: a LocalBackend over a fresh memory store per
// input (so an input's answer never depends on earlier inputs), holding a little history
// written straight through the Store API: an applied and a failed migration with their runs, an
// execution, and an expired lease whose holder died mid-migration (a POST recovers it). Runs
// started by an input execute four trivial migrations and are awaited before the next input.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/store.hpp"
#include "dashboard/apigw.hpp"
#include "dashboard/local_backend.hpp"
#include "dashboard/router.hpp"
#include "store/memory_store.hpp"

namespace auric::fuzz {

inline const std::vector<std::string> kMigrationIds = {
    "20240101000000_create_users",
    "20240102000000_add_email_index",
    "20240103000000_backfill_totals",
    "20240104000000_create_orders",
};

inline const std::vector<MigrationEntry>& fuzz_migrations() {
  static const std::vector<MigrationEntry> migrations = [] {
    auto noop = [](Context&) -> Json { return {}; };
    return define_migrations({
        {kMigrationIds[0], Migration{.description = "## Users\n\nCreates the **users** table.",
                                     .up = [](Context& ctx) -> Json {
                                       ctx.log("created users");
                                       return {{"rowsAffected", 42}};
                                     },
                                     .down = noop}},
        {kMigrationIds[1], Migration{.up = noop, .down = noop}},
        {kMigrationIds[2], Migration{.description = "Backfills totals.",
                                     .up = [](Context& ctx) -> Json {
                                       ctx.log("backfill: step 1");
                                       throw std::runtime_error("backfill exploded");
                                     },
                                     .down = noop}},
        {kMigrationIds[3], Migration{.up = noop, .down = noop}},
    });
  }();
  return migrations;
}

// The seed history must be written exactly as given, or every input would fuzz something else.
inline void seeded(WriteOutcome outcome) {
  if (outcome != WriteOutcome::kOk) throw std::logic_error("dashboard fixture: a seed write was refused");
}

struct DashboardFixture {
  static constexpr std::int64_t kT0 = 1'700'000'000'000;  // the seeded history's epoch ms
  static constexpr const char* kSecret = "fuzz-secret";
  static constexpr const char* kOrigin = "https://dash.example.com";

  DashboardFixture() : store(make_memory_store()) {
    seed_history();
    RunnerOptions runner;
    runner.heartbeat = std::chrono::milliseconds(200);
    runner.who = Who{.user = "fuzz", .host = "fuzz-host", .pid = 1};
    backend = std::make_unique<dashboard::LocalBackend>(fuzz_migrations(), *store, runner);
    router.log = [this](std::string_view line) { log += std::string(line) + "\n"; };
    router.cache = std::make_shared<dashboard::ResponseCache>();
    apigw.bearer_secret = kSecret;
    apigw.allowed_origin = kOrigin;
    apigw.router = router;
  }
  ~DashboardFixture() { backend->wait_idle(std::chrono::seconds(30)); }
  DashboardFixture(const DashboardFixture&) = delete;
  DashboardFixture& operator=(const DashboardFixture&) = delete;

  std::unique_ptr<Store> store;
  std::unique_ptr<dashboard::LocalBackend> backend;
  dashboard::RouterOptions router;
  dashboard::ApiGatewayOptions apigw;
  std::string log;  // the router's internal-error lines (the 500s)

 private:
  void seed_history() {
    const Who who{.user = "alice", .host = "laptop", .pid = 42};
    const std::string owner = "laptop:42:dead-runner";
    const LockAttempt lock = store->try_acquire_lock(
        LockRequest{.owner = owner, .execution_id = "exec-1", .who = who, .now_ms = kT0, .ttl_ms = 60'000});
    const std::int64_t fence = lock.fence;
    seeded(store->put_execution(
        ExecutionRecord{.execution_id = "exec-1",
                        .status = ExecutionStatus::kRunning,
                        .who = who,
                        .started_at = kT0,
                        .planned = {kMigrationIds[0], kMigrationIds[1], kMigrationIds[2]},
                        .finished = {kMigrationIds[0]},
                        .fence = fence}));
    seeded(store->put_run(RunRecord{.run_id = "run-1",
                                    .id = kMigrationIds[0],
                                    .name = "create_users",
                                    .status = RunStatus::kCompleted,
                                    .execution_id = "exec-1",
                                    .started_at = kT0 + 1,
                                    .completed_at = kT0 + 5,
                                    .duration_ms = 4,
                                    .output = "created users\n",
                                    .result = {{"rowsAffected", 42}},
                                    .who = who}));
    seeded(store->put_state(MigrationState{.id = kMigrationIds[0],
                                           .status = RunStatus::kCompleted,
                                           .applied = true,
                                           .last_run_id = "run-1",
                                           .last_execution_id = "exec-1",
                                           .started_at = kT0 + 1,
                                           .completed_at = kT0 + 5,
                                           .duration_ms = 4,
                                           .applied_at = kT0 + 5,
                                           .applied_fence = fence,
                                           .fence = fence}));
    seeded(store->put_run(RunRecord{.run_id = "run-2",
                                    .id = kMigrationIds[1],
                                    .status = RunStatus::kFailed,
                                    .execution_id = "exec-1",
                                    .started_at = kT0 + 6,
                                    .completed_at = kT0 + 7,
                                    .error = "index exists",
                                    .who = who}));
    seeded(store->put_state(MigrationState{.id = kMigrationIds[1],
                                           .status = RunStatus::kFailed,
                                           .last_run_id = "run-2",
                                           .last_execution_id = "exec-1",
                                           .started_at = kT0 + 6,
                                           .error = "index exists",
                                           .fence = fence}));
    // The holder died while running the third migration; its lease has long expired.
    seeded(store->set_current_run(owner, fence,
                                  CurrentRun{.migration_id = kMigrationIds[2],
                                             .run_id = "run-3",
                                             .execution_id = "exec-1",
                                             .started_at = kT0 + 8,
                                             .progress = {{"rows", 10}}},
                                  kT0 + 60'000));
  }
};

}  // namespace auric::fuzz
