// The storage seam: everything the runner, the CLI and the dashboard persist goes through
// this interface, and every backend (memory, SQLite, DynamoDB) passes one conformance suite
// (tests/store/store_conformance.hpp). Implementations must be safe to call concurrently
// from several threads of one process (the runner's heartbeat renews the lease while the
// main thread writes records), and correct when several processes share the medium.
//
// Errors: expected outcomes (lock held, write fenced, not found) are return values; a failure
// of the medium (I/O, network after retries, corrupt data) throws StoreError.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/records.hpp"

namespace auric {

// The medium failed. `what()` is one line naming the store and what to do.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Result of a conditional write. [[nodiscard]]: every caller decides what each outcome means.
// (clang-format 14 mis-indents an enum with an attribute.)
// clang-format off
enum class [[nodiscard]] WriteOutcome {
  kOk,
  kFenced,    // a newer lease holder has written this item (or holds the lock): the caller lost its lease
  kConflict,  // the item's precondition did not hold (see the method's contract)
};
// clang-format on

class SegmentStore;  // core/segment_store.hpp: backfill segments

// What Store::init() found.
enum class InitOutcome {
  kCreated,  // the store did not exist: it does now
  kFound,    // it existed already
};

struct LockRequest {
  std::string owner;         // unique per runner
  std::string execution_id;  // the execution this lease is for
  Who who;
  std::int64_t now_ms = 0;
  std::int64_t ttl_ms = 0;  // lease length; expires_at = now_ms + ttl_ms
  // When true and the lock is held (unexpired) by another owner for the SAME execution_id,
  // take it over anyway (a Lambda continuation hop re-entering its own execution).
  bool reenter_execution = false;
  // When set, take the lock also while it is unexpired, provided it is still held by exactly
  // this owner with this fence: the caller has established that that holder is dead (same
  // host, its pid gone). Anyone else holding it meanwhile makes the attempt fail.
  struct DeadHolder {
    std::string owner;
    std::int64_t fence = 0;
  };
  std::optional<DeadHolder> take_over_dead;
};

struct LockAttempt {
  bool acquired = false;
  // On success: the lock as it was BEFORE this acquisition (owner of the previous lease,
  // possibly expired, and its `current` run if it died mid-migration); nullopt if there was
  // never a lock. On failure: the current holder.
  std::optional<LockInfo> previous;
  std::int64_t fence = 0;  // the new fencing token on success
};

class Store {
 public:
  virtual ~Store() = default;
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // A short description for messages, e.g. "sqlite:/path/db" or "dynamodb:table (eu-west-1)".
  virtual std::string describe() const = 0;

  // Creates the schema / table if missing. Idempotent. Other methods on a store that was
  // never initialised either initialise it implicitly (embedded backends) or throw
  // StoreError telling the user to run `init` (DynamoDB).
  // kCreated when this call created the store, or (embedded backends, which create it on
  // open) when opening this handle did and this is the handle's first init(); kFound when
  // the store already existed (a schema upgrade on open counts as found).
  virtual InitOutcome init() = 0;

  // ---- Lock -------------------------------------------------------------------------------
  // Atomically takes the lock when it is free (no owner), expired (expires_at <= now_ms),
  // already owned by request.owner, or (with reenter_execution) held for the same execution.
  // On success the fence grows by exactly one, owner/expiry/holder fields are replaced, and
  // `current` is KEPT (so the new holder can recover interrupted work and then clear it).
  virtual LockAttempt try_acquire_lock(const LockRequest& request) = 0;

  // Extends the lease to expires_at when `owner` still holds it with `fence`.
  // kFenced when the lock has another owner or fence.
  virtual WriteOutcome renew_lock(const std::string& owner, std::int64_t fence, std::int64_t now_ms,
                                  std::int64_t expires_at) = 0;

  // Records (or clears, with nullopt) the migration the holder is about to run, and extends
  // the lease to expires_at, conditional on owner+fence. kFenced when the lease was lost.
  virtual WriteOutcome set_current_run(const std::string& owner, std::int64_t fence,
                                       const std::optional<CurrentRun>& current, std::int64_t expires_at) = 0;

  // Frees the lock (owner cleared, expires_at = 0, current cleared, fence kept) when `owner`
  // holds it with `fence`. kFenced otherwise (nothing changes).
  virtual WriteOutcome release_lock(const std::string& owner, std::int64_t fence) = 0;

  // The lock as stored, or nullopt if no lock was ever taken. Strongly consistent.
  virtual std::optional<LockInfo> read_lock() = 0;

  // Frees the lock whoever holds it (fence kept, `current` kept for recovery). For humans
  // (`unlock --force`). Returns the lock as it was before, nullopt if there was none.
  virtual std::optional<LockInfo> force_unlock() = 0;

  // ---- Migration states -------------------------------------------------------------------
  // Every state, sorted by id. One strongly consistent read; cost grows with the number of
  // migrations, never with history.
  virtual std::vector<MigrationState> list_states() = 0;
  virtual std::optional<MigrationState> get_state(const std::string& id) = 0;

  // Writes `state` (whole item; state.fence is the writer's fence) when the stored item is
  // absent or its fence <= state.fence: kFenced otherwise. When `unless_last_run_id` is
  // given, also requires that the stored item's last_run_id differs from it: kConflict
  // otherwise (used to mark a crashed run interrupted only if its outcome was never written).
  virtual WriteOutcome put_state(const MigrationState& state,
                                 const std::optional<std::string>& unless_last_run_id = std::nullopt) = 0;

  // Removes a state whose migration no longer exists (repair); kFenced like put_state.
  virtual WriteOutcome delete_state(const std::string& id, std::int64_t fence) = 0;

  // ---- Runs ---------------------------------------------------------------------------------
  // Writes a run record keyed by (id, started_at, run_id), whole. Written when no record has
  // that key, or when the stored one is still `running` and its fence <= run.fence (the
  // holder saving output so far, its outcome, or a newer holder closing it as interrupted).
  // kConflict when the stored record is final (nothing is overwritten); kFenced when it is
  // running under a newer fence.
  virtual WriteOutcome put_run(const RunRecord& run) = 0;

  // Runs of one migration, newest first (by started_at, then run_id). `limit` > 0.
  // `cursor` is empty for the first page or a next_cursor from an earlier page.
  virtual Page<RunRecord> runs_of_migration(const std::string& id, int limit, const std::string& cursor) = 0;

  // All runs of one execution, oldest first (by started_at, then id).
  virtual std::vector<RunRecord> runs_of_execution(const std::string& execution_id) = 0;

  // The number of runs of each execution in `execution_ids`, in the same order (0 for an
  // unknown id). The default counts runs_of_execution(); backends override it to count
  // without reading the runs (one query for all ids where the medium allows it).
  virtual std::vector<std::size_t> count_runs_of_executions(const std::vector<std::string>& execution_ids);

  // ---- Executions ---------------------------------------------------------------------------
  // Writes the execution (whole item) when absent or the stored fence <= execution.fence;
  // kFenced otherwise.
  virtual WriteOutcome put_execution(const ExecutionRecord& execution) = 0;

  virtual std::optional<ExecutionRecord> get_execution(const std::string& execution_id) = 0;

  // Executions newest first (by started_at, then execution_id), paginated like runs.
  virtual Page<ExecutionRecord> list_executions(int limit, const std::string& cursor) = 0;

  // Moves the execution's hop from `from` to `to` when it is currently `from`: exactly one of
  // several concurrent callers gets kOk, the others kConflict. kConflict too when the
  // execution does not exist.
  virtual WriteOutcome advance_hop(const std::string& execution_id, int from, int to) = 0;

  // ---- Change detection ---------------------------------------------------------------------
  // A number that differs whenever data may have changed since an earlier call on this handle,
  // whoever wrote it (this handle, another handle or another process); equal values mean
  // nothing was written in between. Cheap (no records are read), so callers may cache what
  // they derived from the store under it. nullopt (the default): the backend cannot tell
  // cheaply, and callers must not cache.
  virtual std::optional<std::uint64_t> data_version() { return std::nullopt; }

  // ---- Backfill segments --------------------------------------------------------------------
  // The backfill segments kept beside the records (core/segment_store.hpp), owned by this
  // store and valid while it lives; nullptr (the default) when the backend keeps none.
  virtual SegmentStore* segments() { return nullptr; }
};

}  // namespace auric
