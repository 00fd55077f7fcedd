// ForwardingStore: a Store that forwards every call to another store (leveldb's EnvWrapper
// pattern). Derive from it and override only the calls to change: fault injection in tests,
// counting requests, tracing. The target must outlive it.
#pragma once

#include <string>
#include <vector>

#include "core/store.hpp"

namespace auric {

class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store& target) : target_(target) {}

  Store& target() const { return target_; }

  std::string describe() const override { return target_.describe(); }
  InitOutcome init() override { return target_.init(); }

  LockAttempt try_acquire_lock(const LockRequest& request) override {
    return target_.try_acquire_lock(request);
  }
  WriteOutcome renew_lock(const std::string& owner, std::int64_t fence, std::int64_t now_ms,
                          std::int64_t expires_at) override {
    return target_.renew_lock(owner, fence, now_ms, expires_at);
  }
  WriteOutcome set_current_run(const std::string& owner, std::int64_t fence,
                               const std::optional<CurrentRun>& current, std::int64_t expires_at) override {
    return target_.set_current_run(owner, fence, current, expires_at);
  }
  WriteOutcome release_lock(const std::string& owner, std::int64_t fence) override {
    return target_.release_lock(owner, fence);
  }
  std::optional<LockInfo> read_lock() override { return target_.read_lock(); }
  std::optional<LockInfo> force_unlock() override { return target_.force_unlock(); }

  std::vector<MigrationState> list_states() override { return target_.list_states(); }
  std::optional<MigrationState> get_state(const std::string& id) override { return target_.get_state(id); }
  WriteOutcome put_state(const MigrationState& state,
                         const std::optional<std::string>& unless_last_run_id) override {
    return target_.put_state(state, unless_last_run_id);
  }
  WriteOutcome delete_state(const std::string& id, std::int64_t fence) override {
    return target_.delete_state(id, fence);
  }

  WriteOutcome put_run(const RunRecord& run) override { return target_.put_run(run); }
  Page<RunRecord> runs_of_migration(const std::string& id, int limit, const std::string& cursor) override {
    return target_.runs_of_migration(id, limit, cursor);
  }
  std::vector<RunRecord> runs_of_execution(const std::string& execution_id) override {
    return target_.runs_of_execution(execution_id);
  }
  std::vector<std::size_t> count_runs_of_executions(const std::vector<std::string>& execution_ids) override {
    return target_.count_runs_of_executions(execution_ids);
  }

  WriteOutcome put_execution(const ExecutionRecord& execution) override {
    return target_.put_execution(execution);
  }
  std::optional<ExecutionRecord> get_execution(const std::string& execution_id) override {
    return target_.get_execution(execution_id);
  }
  Page<ExecutionRecord> list_executions(int limit, const std::string& cursor) override {
    return target_.list_executions(limit, cursor);
  }
  WriteOutcome advance_hop(const std::string& execution_id, int from, int to) override {
    return target_.advance_hop(execution_id, from, to);
  }

  std::optional<std::uint64_t> data_version() override { return target_.data_version(); }
  SegmentStore* segments() override { return target_.segments(); }

 private:
  Store& target_;
};

}  // namespace auric
