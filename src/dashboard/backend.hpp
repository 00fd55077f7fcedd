// The seam between the dashboard router and whatever serves it: a Store to read history from,
// the migrations this deployment knows, and a way to start a run. Three implementations:
// LocalBackend (in-process runner, `<binary> dashboard`), RemoteBackend (reads a store, runs
// through the migration Lambda; the API Gateway handler and the AWS-backed local tool), and
// test fakes. Implementations must be safe to call from several threads at once (the HTTP
// servers answer requests concurrently).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <auric/migrations.hpp>

#include "core/policy.hpp"
#include "core/records.hpp"
#include "core/store.hpp"
#include "dashboard/identity.hpp"

namespace auric::dashboard {

// One migration of the deployment (the binary's, or as reported by the migration function).
struct MigrationInfo {
  std::string id;
  std::string name;         // Migration::name, else the id's name part
  std::string description;  // markdown; empty when unknown
  std::string checksum;     // empty when unknown (never reported as drift)
};

// The MigrationInfo of each entry (name defaulting to the id's name part), in the given order.
std::vector<MigrationInfo> migration_infos(const std::vector<MigrationEntry>& migrations);

// What POST /api/migrate and /api/rollback ask for (validated by the router: at most one of
// target/steps, steps >= 1).
struct RunParams {
  Direction direction = Direction::kUp;
  std::optional<std::string> target;
  std::optional<int> steps;
};

struct StartOutcome {
  enum class Kind {
    kStarted,       // execution_id is set (when known)
    kLockHeld,      // holder: the lock as read; error: one line naming the holder
    kUsage,         // error: one line (unknown target...)
    kNotAvailable,  // error: how to enable runs, e.g. "Set MIGRATION_FUNCTION_NAME to enable it."
    kFailed,        // error: the store or the invoke failed before anything started
    kRefused,       // the safety policy refused it (drift, out of order); error: its message
  };
  Kind kind = Kind::kStarted;
  std::string execution_id;
  std::string error;
  std::optional<LockInfo> holder;
  std::optional<RunRefusal> refusal;  // with kRefused, when its code and ids are known
};

// The live tail of the migration running in this process.
struct LiveOutput {
  std::string migration_id;
  std::string output;
};

// The reference-compatible `{pending, completed, failed}` lists of GET /api/status.
struct StatusLists {
  std::vector<std::string> pending, completed, failed;
};

class DashboardBackend {
 public:
  virtual ~DashboardBackend() = default;
  DashboardBackend() = default;
  DashboardBackend(const DashboardBackend&) = delete;
  DashboardBackend& operator=(const DashboardBackend&) = delete;

  // The store holding states, runs, executions and the lock. Must outlive the backend.
  virtual Store& store() = 0;

  // The migrations this deployment knows, sorted by id. May throw (e.g. when asking a remote
  // function); the router turns that into a 500.
  virtual std::vector<MigrationInfo> migrations() = 0;

  // The output so far of the migration running in this process; nullopt when nothing runs
  // here (or the backend cannot see it, e.g. a run on Lambda).
  virtual std::optional<LiveOutput> live_output() { return std::nullopt; }

  // GET /api/status. nullopt: let the router derive it from the store and migrations()
  // (the local variant); a value: the remote function's answer (or three empty lists when
  // none is configured). Throws on an invoke failure (→ 500).
  virtual std::optional<StatusLists> remote_status() { return std::nullopt; }

  // Why POST /api/migrate and /api/rollback cannot run anything here, as the second sentence
  // of "Migrate is not available. <reason>" (e.g. "Set MIGRATION_FUNCTION_NAME to enable
  // it."); nullopt when runs are available.
  virtual std::optional<std::string> run_unavailable_reason() { return std::nullopt; }

  // Starts an up/down run and returns once the lock is taken and the execution recorded (or
  // the run was handed to the remote function). Never throws for expected outcomes (lock
  // held, bad target, not available); may throw for unexpected failures (→ 500).
  virtual StartOutcome start_run(const RunParams& params) = 0;

  // The safety policy ([safety]: drift, ordering) the runs started here are checked against,
  // so that GET /api/plan shows the refusal a run would meet and the POST routes refuse it
  // before starting anything; nullopt (the default) when it is not known here, and only the
  // runner decides.
  virtual std::optional<SafetyPolicy> safety_policy() { return std::nullopt; }

  // GET /api/identity: which store and environment this dashboard shows. The default names
  // only the store's scheme (from Store::describe()); the real backends are told the rest.
  virtual DashboardIdentity identity();

  // Wall clock in epoch milliseconds (lease expiry is judged against it).
  virtual std::int64_t now_ms();

  // A number that stays equal exactly as long as everything the router reads here stays the
  // same (migrations() and the store's records; Store::data_version()), so that answers
  // derived from them may be reused; nullopt (the default) when that cannot be told cheaply
  // (answers are then always recomputed).
  virtual std::optional<std::uint64_t> data_version() { return std::nullopt; }
};

}  // namespace auric::dashboard
