#include "store/memory_store.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <tuple>
#include <utility>

#include "store/memory_segment_store.hpp"
#include "store/registry.hpp"
#include "store/store_rules.hpp"

namespace auric {
namespace {

// Sort key of runs within a migration and of executions: (started_at, key).
using TimeKey = std::pair<std::int64_t, std::string>;

// The data of one store; shared by every handle of a named store.
struct MemoryData {
  std::mutex mutex;
  std::optional<LockInfo> lock;
  std::map<std::string, MigrationState> states;
  std::map<std::string, RunRecord> runs;  // by run_id (a UUID: unique store-wide)
  std::map<std::string, std::map<TimeKey, std::string>> runs_by_migration;  // → run_id
  std::map<std::string, std::set<std::tuple<std::int64_t, std::string, std::string>>>
      runs_by_execution;  // (started_at, migration id, run_id)
  std::map<std::string, ExecutionRecord> executions;
  std::map<TimeKey, std::string> executions_by_start;  // → execution_id
  std::uint64_t version = 0;                           // grows on every write (data_version())
  bool initialised = false;                            // init() was called: later calls find it
  std::shared_ptr<SegmentStore> segments = make_memory_segment_store();  // backfill segments
};

// Newest-first keyset page over an ordered index: entries strictly before `cursor` (in
// descending order), at most `limit`, plus the cursor of the last one when more remain.
template <class Index, class Get>
auto newest_first_page(const Index& index, int limit, const std::string& cursor, Get get) {
  using Item = std::decay_t<decltype(get(*index.begin()))>;
  store_rules::check_limit(limit);
  Page<Item> page;
  auto end = index.end();
  if (!cursor.empty()) {
    auto key = store_rules::decode_cursor(cursor);
    end = index.lower_bound(typename Index::key_type{key.started_at, std::move(key.key)});
  }
  auto it = std::make_reverse_iterator(end);
  for (; it != index.rend() && page.items.size() < static_cast<std::size_t>(limit); ++it) {
    page.items.push_back(get(*it));
  }
  if (it != index.rend()) {
    const auto last = it.base();  // the element of the reverse iterator before `it`
    page.next_cursor = store_rules::encode_cursor(last->first.first, last->first.second);
  }
  return page;
}

class MemoryStore final : public Store {
 public:
  MemoryStore(std::shared_ptr<MemoryData> data, std::string name)
      : data_(std::move(data)), name_(std::move(name)) {}

  std::string describe() const override { return "memory:" + name_; }

  InitOutcome init() override {
    const std::lock_guard guard(data_->mutex);
    return std::exchange(data_->initialised, true) ? InitOutcome::kFound : InitOutcome::kCreated;
  }

  SegmentStore* segments() override { return data_->segments.get(); }

  LockAttempt try_acquire_lock(const LockRequest& request) override {
    store_rules::check_request(request);
    const auto guard = write_lock();
    LockAttempt attempt;
    attempt.previous = data_->lock;
    if (!store_rules::may_acquire(data_->lock, request)) return attempt;
    data_->lock = store_rules::acquired(data_->lock, request);
    attempt.acquired = true;
    attempt.fence = data_->lock->fence;
    return attempt;
  }

  WriteOutcome renew_lock(const std::string& owner, std::int64_t fence, std::int64_t now_ms,
                          std::int64_t expires_at) override {
    const auto guard = write_lock();
    if (!store_rules::holds(data_->lock, owner, fence)) return WriteOutcome::kFenced;
    data_->lock->expires_at = expires_at;
    data_->lock->heartbeat_at = now_ms;
    return WriteOutcome::kOk;
  }

  WriteOutcome set_current_run(const std::string& owner, std::int64_t fence,
                               const std::optional<CurrentRun>& current, std::int64_t expires_at) override {
    const auto guard = write_lock();
    if (!store_rules::holds(data_->lock, owner, fence)) return WriteOutcome::kFenced;
    data_->lock->current = current;
    data_->lock->expires_at = expires_at;
    return WriteOutcome::kOk;
  }

  WriteOutcome release_lock(const std::string& owner, std::int64_t fence) override {
    const auto guard = write_lock();
    if (!store_rules::holds(data_->lock, owner, fence)) return WriteOutcome::kFenced;
    data_->lock = store_rules::released(std::move(*data_->lock));
    return WriteOutcome::kOk;
  }

  std::optional<LockInfo> read_lock() override {
    std::lock_guard guard(data_->mutex);
    return data_->lock;
  }

  std::optional<LockInfo> force_unlock() override {
    const auto guard = write_lock();
    auto before = data_->lock;
    if (data_->lock) data_->lock = store_rules::force_released(std::move(*data_->lock));
    return before;
  }

  std::vector<MigrationState> list_states() override {
    std::lock_guard guard(data_->mutex);
    std::vector<MigrationState> states;
    states.reserve(data_->states.size());
    for (const auto& [id, state] : data_->states) states.push_back(state);
    return states;
  }

  std::optional<MigrationState> get_state(const std::string& id) override {
    std::lock_guard guard(data_->mutex);
    const auto it = data_->states.find(id);
    if (it == data_->states.end()) return std::nullopt;
    return it->second;
  }

  WriteOutcome put_state(const MigrationState& state,
                         const std::optional<std::string>& unless_last_run_id) override {
    const auto guard = write_lock();
    const auto it = data_->states.find(state.id);
    const bool found = it != data_->states.end();
    const auto outcome = store_rules::check_fenced_write(
        found ? std::optional(it->second.fence) : std::nullopt, state.fence,
        found ? std::optional(it->second.last_run_id) : std::nullopt, unless_last_run_id);
    if (outcome == WriteOutcome::kOk) data_->states.insert_or_assign(state.id, state);
    return outcome;
  }

  WriteOutcome delete_state(const std::string& id, std::int64_t fence) override {
    const auto guard = write_lock();
    const auto it = data_->states.find(id);
    if (it == data_->states.end()) return WriteOutcome::kOk;
    const auto outcome = store_rules::check_fenced_write(it->second.fence, fence);
    if (outcome == WriteOutcome::kOk) data_->states.erase(it);
    return outcome;
  }

  WriteOutcome put_run(const RunRecord& run) override {
    const auto guard = write_lock();
    if (const auto it = data_->runs.find(run.run_id); it != data_->runs.end()) {
      const WriteOutcome outcome =
          store_rules::check_run_write(it->second.status, it->second.fence, run.fence);
      if (outcome == WriteOutcome::kOk) it->second = run;
      return outcome;
    }
    data_->runs.emplace(run.run_id, run);
    data_->runs_by_migration[run.id].emplace(TimeKey{run.started_at, run.run_id}, run.run_id);
    data_->runs_by_execution[run.execution_id].emplace(run.started_at, run.id, run.run_id);
    return WriteOutcome::kOk;
  }

  Page<RunRecord> runs_of_migration(const std::string& id, int limit, const std::string& cursor) override {
    std::lock_guard guard(data_->mutex);
    static const std::map<TimeKey, std::string> empty_index;
    const auto it = data_->runs_by_migration.find(id);
    const auto& index = it == data_->runs_by_migration.end() ? empty_index : it->second;
    return newest_first_page(index, limit, cursor,
                             [&](const auto& entry) { return data_->runs.at(entry.second); });
  }

  std::vector<RunRecord> runs_of_execution(const std::string& execution_id) override {
    std::lock_guard guard(data_->mutex);
    std::vector<RunRecord> runs;
    const auto it = data_->runs_by_execution.find(execution_id);
    if (it == data_->runs_by_execution.end()) return runs;
    for (const auto& key : it->second) runs.push_back(data_->runs.at(std::get<2>(key)));
    return runs;
  }

  WriteOutcome put_execution(const ExecutionRecord& execution) override {
    const auto guard = write_lock();
    const auto it = data_->executions.find(execution.execution_id);
    const bool found = it != data_->executions.end();
    const auto outcome = store_rules::check_fenced_write(
        found ? std::optional(it->second.fence) : std::nullopt, execution.fence);
    if (outcome != WriteOutcome::kOk) return outcome;
    if (found) data_->executions_by_start.erase(TimeKey{it->second.started_at, execution.execution_id});
    data_->executions_by_start.emplace(TimeKey{execution.started_at, execution.execution_id},
                                       execution.execution_id);
    data_->executions.insert_or_assign(execution.execution_id, execution);
    return outcome;
  }

  std::optional<ExecutionRecord> get_execution(const std::string& execution_id) override {
    std::lock_guard guard(data_->mutex);
    const auto it = data_->executions.find(execution_id);
    if (it == data_->executions.end()) return std::nullopt;
    return it->second;
  }

  Page<ExecutionRecord> list_executions(int limit, const std::string& cursor) override {
    std::lock_guard guard(data_->mutex);
    return newest_first_page(data_->executions_by_start, limit, cursor,
                             [&](const auto& entry) { return data_->executions.at(entry.second); });
  }

  WriteOutcome advance_hop(const std::string& execution_id, int from, int to) override {
    const auto guard = write_lock();
    const auto it = data_->executions.find(execution_id);
    if (it == data_->executions.end() || it->second.hop != from) return WriteOutcome::kConflict;
    it->second.hop = to;
    return WriteOutcome::kOk;
  }

  std::vector<std::size_t> count_runs_of_executions(const std::vector<std::string>& execution_ids) override {
    std::lock_guard guard(data_->mutex);
    std::vector<std::size_t> counts;
    counts.reserve(execution_ids.size());
    for (const auto& id : execution_ids) {
      const auto it = data_->runs_by_execution.find(id);
      counts.push_back(it == data_->runs_by_execution.end() ? 0 : it->second.size());
    }
    return counts;
  }

  std::optional<std::uint64_t> data_version() override {
    std::lock_guard guard(data_->mutex);
    return data_->version;
  }

 private:
  // Locks the data for a write and counts it (a write that ends up changing nothing still
  // counts: data_version() may change spuriously, never stay the same over a change).
  std::unique_lock<std::mutex> write_lock() {
    std::unique_lock guard(data_->mutex);
    ++data_->version;
    return guard;
  }

  std::shared_ptr<MemoryData> data_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Store> make_memory_store() {
  return std::make_unique<MemoryStore>(std::make_shared<MemoryData>(), std::string());
}

std::unique_ptr<Store> open_memory_store(const std::string& name) {
  if (name.empty()) return make_memory_store();
  static std::mutex registry_mutex;
  static std::map<std::string, std::shared_ptr<MemoryData>> registry;
  std::lock_guard guard(registry_mutex);
  auto& data = registry[name];
  if (!data) data = std::make_shared<MemoryData>();
  return std::make_unique<MemoryStore>(data, name);
}

namespace detail {
void register_memory_store() {
  register_store_scheme("memory", [](const std::string& name) { return open_memory_store(name); });
}
}  // namespace detail

}  // namespace auric
