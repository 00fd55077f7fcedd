// The conditional-write rules of the Store contract as pure functions of (stored item,
// request), shared by the embedded backends (memory, SQLite) so that both decide exactly
// alike; each backend only has to make "read, decide, write" atomic. Also the keyset page
// cursor codec and argument checks. Pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/store.hpp"

namespace auric::store_rules {

// ---- Lock ---------------------------------------------------------------------------------
// Throws std::invalid_argument when request.owner is empty (an empty owner means "free").
void check_request(const LockRequest& request);

// True when `request` may take the lock as stored (nullopt: never taken): free, expired
// (expires_at <= now_ms), owned by request.owner, held for the same non-empty execution
// with reenter_execution, or still held by exactly request.take_over_dead (owner and fence).
bool may_acquire(const std::optional<LockInfo>& stored, const LockRequest& request);

// The lock after a successful acquisition: fence + 1 (1 for a lock never taken), owner,
// execution, holder and times replaced, `current` kept.
LockInfo acquired(const std::optional<LockInfo>& stored, const LockRequest& request);

// True when the stored lock is held by `owner` with `fence` (a released lock is held by nobody).
bool holds(const std::optional<LockInfo>& stored, std::string_view owner, std::int64_t fence);

// The lock after release_lock (owner cleared, expires_at 0, current cleared, fence and the
// last holder's details kept) and after force_unlock (the same, but `current` kept).
LockInfo released(LockInfo lock);
LockInfo force_released(LockInfo lock);

// ---- Fenced items -------------------------------------------------------------------------
// put_state / put_execution / delete_state: kFenced when the stored item's fence is newer
// than the writer's; else kConflict when `unless_last_run_id` equals the stored last_run_id;
// else kOk. Absent items (stored_fence nullopt) always accept.
WriteOutcome check_fenced_write(std::optional<std::int64_t> stored_fence, std::int64_t writer_fence,
                                const std::optional<std::string>& stored_last_run_id = std::nullopt,
                                const std::optional<std::string>& unless_last_run_id = std::nullopt);

// put_run: kOk when absent (stored_status nullopt); kConflict when the stored run is final;
// else the fence rule of check_fenced_write (kFenced when it is running under a newer fence).
WriteOutcome check_run_write(std::optional<RunStatus> stored_status, std::int64_t stored_fence,
                             std::int64_t writer_fence);

// ---- Pages ----------------------------------------------------------------------------------
// Keyset cursors: the sort key of the last item of a page, "<started_at>|<key>". Opaque to
// callers; decode_cursor throws std::invalid_argument for anything encode_cursor did not make.
struct CursorKey {
  std::int64_t started_at = 0;
  std::string key;
};
std::string encode_cursor(std::int64_t started_at, std::string_view key);
CursorKey decode_cursor(std::string_view cursor);

// Throws std::invalid_argument unless limit > 0.
void check_limit(int limit);

}  // namespace auric::store_rules
