#include "store/store_rules.hpp"

#include <charconv>
#include <stdexcept>
#include <utility>

namespace auric::store_rules {

void check_request(const LockRequest& request) {
  if (request.owner.empty()) {
    throw std::invalid_argument("lock request without an owner (an empty owner marks a free lock)");
  }
}

bool may_acquire(const std::optional<LockInfo>& stored, const LockRequest& request) {
  if (!stored || stored->owner.empty()) return true;
  if (stored->expires_at <= request.now_ms) return true;
  if (stored->owner == request.owner) return true;
  if (request.take_over_dead && stored->owner == request.take_over_dead->owner &&
      stored->fence == request.take_over_dead->fence) {
    return true;
  }
  return request.reenter_execution && !request.execution_id.empty() &&
         stored->execution_id == request.execution_id;
}

LockInfo acquired(const std::optional<LockInfo>& stored, const LockRequest& request) {
  LockInfo lock;
  if (stored) {
    lock.fence = stored->fence;
    lock.current = stored->current;
  }
  lock.fence += 1;
  lock.owner = request.owner;
  lock.acquired_at = request.now_ms;
  lock.heartbeat_at = request.now_ms;
  lock.expires_at = request.now_ms + request.ttl_ms;
  lock.execution_id = request.execution_id;
  lock.who = request.who;
  return lock;
}

bool holds(const std::optional<LockInfo>& stored, std::string_view owner, std::int64_t fence) {
  return stored && !stored->owner.empty() && stored->owner == owner && stored->fence == fence;
}

LockInfo released(LockInfo lock) {
  lock = force_released(std::move(lock));
  lock.current.reset();
  return lock;
}

LockInfo force_released(LockInfo lock) {
  lock.owner.clear();
  lock.expires_at = 0;
  return lock;
}

WriteOutcome check_fenced_write(std::optional<std::int64_t> stored_fence, std::int64_t writer_fence,
                                const std::optional<std::string>& stored_last_run_id,
                                const std::optional<std::string>& unless_last_run_id) {
  if (!stored_fence) return WriteOutcome::kOk;
  if (*stored_fence > writer_fence) return WriteOutcome::kFenced;
  if (unless_last_run_id && stored_last_run_id && *stored_last_run_id == *unless_last_run_id) {
    return WriteOutcome::kConflict;
  }
  return WriteOutcome::kOk;
}

WriteOutcome check_run_write(std::optional<RunStatus> stored_status, std::int64_t stored_fence,
                             std::int64_t writer_fence) {
  if (!stored_status) return WriteOutcome::kOk;
  if (*stored_status != RunStatus::kRunning) return WriteOutcome::kConflict;
  return check_fenced_write(stored_fence, writer_fence);
}

std::string encode_cursor(std::int64_t started_at, std::string_view key) {
  std::string cursor = std::to_string(started_at);
  cursor += '|';
  cursor += key;
  return cursor;
}

CursorKey decode_cursor(std::string_view cursor) {
  const auto bar = cursor.find('|');
  CursorKey key;
  if (bar != std::string_view::npos && bar > 0) {
    const char* first = cursor.data();
    const char* last = cursor.data() + bar;
    const auto [end, ec] = std::from_chars(first, last, key.started_at);
    if (ec == std::errc() && end == last) {
      key.key = std::string(cursor.substr(bar + 1));
      return key;
    }
  }
  throw std::invalid_argument("invalid page cursor '" + std::string(cursor) +
                              "': pass back a next_cursor exactly as a previous page returned it");
}

void check_limit(int limit) {
  if (limit <= 0) {
    throw std::invalid_argument("page limit must be positive (got " + std::to_string(limit) + ")");
  }
}

}  // namespace auric::store_rules
