// RemoteBackend: the dashboard backend of a deployed stack. History comes from the store
// (DynamoDB); status, migrate and rollback go to the migration function through a
// FunctionInvoker (the Lambda client in production, a fake in tests). Without an invoker the
// POST routes answer the reference's "not available" and /api/status three empty lists.
// Thread-safe when the store and the invoker are.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dashboard/backend.hpp"

namespace auric::dashboard {

// The migration function as the dashboard calls it. Payloads (the `lambda` part's contract):
//   {"action":"status"}                                  → {pending, completed, failed, ...}
//   {"direction":"up"|"down","executionId":E[,"target":T][,"steps":N]}   (asynchronous)
class FunctionInvoker {
 public:
  virtual ~FunctionInvoker() = default;
  // Invokes synchronously and returns the function's JSON answer. Throws std::runtime_error
  // for an invoke failure, a function error or a non-JSON answer.
  virtual Json invoke(const Json& payload) = 0;
  // Queues an asynchronous invocation. Throws std::runtime_error when it was not accepted.
  virtual void invoke_async(const Json& payload) = 0;
};

struct RemoteBackendOptions {
  std::vector<MigrationInfo> migrations;     // what the deployment knows, sorted by id
  std::shared_ptr<FunctionInvoker> invoker;  // null: runs are not available
  // The second sentence of "Migrate is not available. …" when there is no invoker.
  std::string unavailable_hint = "Set MIGRATION_FUNCTION_NAME to enable it.";
  // What GET /api/identity shows; unset: the base class's default (the store's scheme).
  std::optional<DashboardIdentity> identity;
  // The migration function's [safety], when known (the dashboard-api Lambda reads the same
  // config): GET /api/plan shows its refusals. Unset: only the function decides.
  std::optional<SafetyPolicy> safety;
};

class RemoteBackend final : public DashboardBackend {
 public:
  // `store` must outlive the backend.
  RemoteBackend(Store& store, RemoteBackendOptions options);

  Store& store() override { return store_; }
  std::vector<MigrationInfo> migrations() override { return options_.migrations; }
  std::optional<StatusLists> remote_status() override;
  std::optional<std::string> run_unavailable_reason() override;
  std::optional<SafetyPolicy> safety_policy() override { return options_.safety; }
  DashboardIdentity identity() override {
    return options_.identity ? *options_.identity : DashboardBackend::identity();
  }
  // Refuses with kLockHeld while the lock is held; otherwise invokes the function
  // asynchronously with a fresh executionId and returns it.
  StartOutcome start_run(const RunParams& params) override;

 private:
  Store& store_;
  RemoteBackendOptions options_;
};

}  // namespace auric::dashboard
