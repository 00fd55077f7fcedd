// Backfill segments (docs/backfills.md): one record per segment of a backfill job, holding the
// worker's lease and fence, the scan cursor, the counts and a few error samples. Workers claim
// segments and save their progress with conditional writes, fenced like the migrations lock:
// a worker that lost its segment cannot save anything for it. Backends offer a SegmentStore
// through Store::segments(); implementations are thread-safe and correct across processes.
// The rules every backend applies are the inline functions of `segment_rules` below.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/store.hpp"

namespace auric {

// The RunnerOptions::services name under which a runner offers a SegmentStore* to
// Context::backfill().
inline constexpr std::string_view kSegmentStoreService = "backfill.segments";

// Error samples kept per segment (key and message each cut to kMaxSegmentErrorChars), so a
// segment record stays far below DynamoDB's item limit (~20 KB at most).
inline constexpr std::size_t kMaxSegmentErrors = 20;
inline constexpr std::size_t kMaxSegmentErrorChars = 480;

enum class SegmentState { kPending, kRunning, kDone, kFailed };

struct SegmentCounts {
  std::int64_t scanned = 0;  // items read
  std::int64_t written = 0;  // writes applied
  std::int64_t skipped = 0;  // writes refused by their condition, and items fn gave no write
  std::int64_t failed = 0;   // items that failed after retries
  double read_units = 0;     // consumed (reported by DynamoDB, else estimated)
  double write_units = 0;

  SegmentCounts& operator+=(const SegmentCounts& other);
  bool operator==(const SegmentCounts&) const = default;
};

struct SegmentError {
  std::string key;  // the item's key as DynamoDB JSON text
  std::string message;
  bool operator==(const SegmentError&) const = default;
};

// A backfill job: one ctx.backfill() call of one attempt chain of a migration (its job id is
// kept in the migration's progress, so a resumed attempt finds the same job).
struct SegmentJob {
  std::string migration_id;
  std::string job_id;
};

struct SegmentRecord {
  std::string migration_id;
  std::string job_id;
  int segment = 0;
  int total_segments = 0;
  SegmentState state = SegmentState::kPending;
  std::string owner;                  // "" when no worker holds it
  std::int64_t fence = 0;             // grows by one with every claim
  std::int64_t lease_expires_at = 0;  // epoch ms
  std::string cursor;                 // LastEvaluatedKey as DynamoDB JSON text; "" = from the start
  SegmentCounts counts;               // as of `cursor`
  std::vector<SegmentError> errors;   // at most kMaxSegmentErrors
  std::int64_t updated_at = 0;        // epoch ms of the last write

  bool terminal() const { return state == SegmentState::kDone || state == SegmentState::kFailed; }
  bool operator==(const SegmentRecord&) const = default;
};

struct SegmentClaim {
  SegmentJob job;
  int segment = 0;
  std::string owner;  // unique per worker
  std::int64_t now_ms = 0;
  std::int64_t ttl_ms = 0;  // lease_expires_at = now_ms + ttl_ms
  // Take the segment also while its lease runs, provided exactly this owner and fence still
  // hold it: the caller established that that worker is dead (an in-process worker of an
  // earlier coordinator of the same job, whose migration lease the caller now holds).
  struct DeadHolder {
    std::string owner;
    std::int64_t fence = 0;
  };
  std::optional<DeadHolder> take_over_dead;
};

class SegmentStore {
 public:
  virtual ~SegmentStore() = default;
  SegmentStore() = default;
  SegmentStore(const SegmentStore&) = delete;
  SegmentStore& operator=(const SegmentStore&) = delete;

  // Creates segments 0..total_segments-1 of `job` as pending, each only if absent, and
  // returns every segment of the job ordered by number: a resumed job keeps the segments (and
  // the count) its first call created. total_segments >= 1. Throws StoreError.
  virtual std::vector<SegmentRecord> create_segments(const SegmentJob& job, int total_segments,
                                                     std::int64_t now_ms) = 0;

  // Every segment of the job, ordered by number (empty for an unknown job). Strongly
  // consistent. Throws StoreError.
  virtual std::vector<SegmentRecord> list_segments(const SegmentJob& job) = 0;

  // Atomically takes the segment when it is not terminal and free (no owner), its lease
  // expired (lease_expires_at <= now_ms), already held by claim.owner, or held by exactly
  // claim.take_over_dead. On success: owner and lease replaced, state running, fence + 1;
  // cursor, counts and errors kept (the new holder resumes from them); returns the record as
  // stored. nullopt when the segment is missing, terminal or held by another live worker
  // (a duplicate delivery of a worker claims nothing). Throws StoreError.
  virtual std::optional<SegmentRecord> claim_segment(const SegmentClaim& claim) = 0;

  // Saves `record` (cursor, counts, errors, state, lease_expires_at, updated_at) when the
  // stored segment is held by record.owner with record.fence; with `release`, also frees it
  // (owner "", lease 0, a running state becomes pending) so that anyone may claim it at once.
  // kFenced when another worker claimed it meanwhile (or it is missing): nothing is written
  // and the caller must stop working on it. Throws StoreError.
  [[nodiscard]] virtual WriteOutcome save_segment(const SegmentRecord& record, bool release) = 0;
};

// Forwards every call (tests derive from it to inject faults; STYLE: leveldb's EnvWrapper).
class ForwardingSegmentStore : public SegmentStore {
 public:
  explicit ForwardingSegmentStore(SegmentStore& target) : target_(target) {}
  std::vector<SegmentRecord> create_segments(const SegmentJob& job, int total_segments,
                                             std::int64_t now_ms) override {
    return target_.create_segments(job, total_segments, now_ms);
  }
  std::vector<SegmentRecord> list_segments(const SegmentJob& job) override {
    return target_.list_segments(job);
  }
  std::optional<SegmentRecord> claim_segment(const SegmentClaim& claim) override {
    return target_.claim_segment(claim);
  }
  WriteOutcome save_segment(const SegmentRecord& record, bool release) override {
    return target_.save_segment(record, release);
  }

 private:
  SegmentStore& target_;
};

// "pending" | "running" | "done" | "failed"; parse_segment_state returns nullopt for anything else.
std::string_view to_string(SegmentState state);
std::optional<SegmentState> parse_segment_state(std::string_view text);

// The rules every backend applies (the DynamoDB backend as condition expressions that say
// the same; docs/backfills.md, "Coordination").
namespace segment_rules {
// Throw std::invalid_argument for an empty migration or job id, a negative segment, an empty
// owner or a non-positive ttl.
void check_job(const SegmentJob& job);
void check_claim(const SegmentClaim& claim);
// A fresh pending segment.
SegmentRecord pending(const SegmentJob& job, int segment, int total_segments, std::int64_t now_ms);
bool may_claim(const SegmentRecord& stored, const SegmentClaim& claim);
// The record a successful claim stores.
SegmentRecord claimed(const SegmentRecord& stored, const SegmentClaim& claim);
bool holds(const SegmentRecord& stored, const std::string& owner, std::int64_t fence);
// What save_segment stores: the stored record's identity with `update`'s progress.
SegmentRecord saved(const SegmentRecord& stored, const SegmentRecord& update, bool release);
// Appends `error` (key and message cut to kMaxSegmentErrorChars) unless kMaxSegmentErrors are
// kept already.
void add_error(std::vector<SegmentError>& errors, SegmentError error);
}  // namespace segment_rules

// ---- Definitions (inline: core links no new source for them) -------------------------------
inline std::string_view to_string(SegmentState state) {
  switch (state) {
    case SegmentState::kPending: return "pending";
    case SegmentState::kRunning: return "running";
    case SegmentState::kDone: return "done";
    case SegmentState::kFailed: return "failed";
  }
  return "pending";
}

inline std::optional<SegmentState> parse_segment_state(std::string_view text) {
  for (const auto state :
       {SegmentState::kPending, SegmentState::kRunning, SegmentState::kDone, SegmentState::kFailed}) {
    if (to_string(state) == text) return state;
  }
  return std::nullopt;
}

inline SegmentCounts& SegmentCounts::operator+=(const SegmentCounts& other) {
  scanned += other.scanned;
  written += other.written;
  skipped += other.skipped;
  failed += other.failed;
  read_units += other.read_units;
  write_units += other.write_units;
  return *this;
}

namespace segment_rules {

inline void check_job(const SegmentJob& job) {
  if (job.migration_id.empty() || job.job_id.empty())
    throw std::invalid_argument("a backfill job needs a migration id and a job id");
}

inline void check_claim(const SegmentClaim& claim) {
  check_job(claim.job);
  if (claim.segment < 0) throw std::invalid_argument("a segment number is >= 0");
  if (claim.owner.empty()) throw std::invalid_argument("a segment claim needs an owner");
  if (claim.ttl_ms <= 0) throw std::invalid_argument("a segment lease needs a positive ttl");
}

inline SegmentRecord pending(const SegmentJob& job, int segment, int total_segments, std::int64_t now_ms) {
  SegmentRecord record;
  record.migration_id = job.migration_id;
  record.job_id = job.job_id;
  record.segment = segment;
  record.total_segments = total_segments;
  record.updated_at = now_ms;
  return record;
}

inline bool may_claim(const SegmentRecord& stored, const SegmentClaim& claim) {
  if (stored.terminal()) return false;
  if (stored.owner.empty() || stored.lease_expires_at <= claim.now_ms || stored.owner == claim.owner)
    return true;
  return claim.take_over_dead && stored.owner == claim.take_over_dead->owner &&
         stored.fence == claim.take_over_dead->fence;
}

inline SegmentRecord claimed(const SegmentRecord& stored, const SegmentClaim& claim) {
  SegmentRecord record = stored;
  record.owner = claim.owner;
  record.fence = stored.fence + 1;
  record.lease_expires_at = claim.now_ms + claim.ttl_ms;
  record.state = SegmentState::kRunning;
  record.updated_at = claim.now_ms;
  return record;
}

inline bool holds(const SegmentRecord& stored, const std::string& owner, std::int64_t fence) {
  return !owner.empty() && stored.owner == owner && stored.fence == fence;
}

inline SegmentRecord saved(const SegmentRecord& stored, const SegmentRecord& update, bool release) {
  SegmentRecord record = stored;
  record.cursor = update.cursor;
  record.counts = update.counts;
  record.errors = update.errors;
  record.state = update.state;
  record.lease_expires_at = update.lease_expires_at;
  record.updated_at = update.updated_at;
  if (release) {
    record.owner.clear();
    record.lease_expires_at = 0;
    if (record.state == SegmentState::kRunning) record.state = SegmentState::kPending;
  }
  return record;
}

inline void add_error(std::vector<SegmentError>& errors, SegmentError error) {
  if (errors.size() >= kMaxSegmentErrors) return;
  const auto cut = [](std::string& text) {  // at a UTF-8 character boundary
    if (text.size() <= kMaxSegmentErrorChars) return;
    std::size_t end = kMaxSegmentErrorChars;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
    text.resize(end);
  };
  cut(error.key);
  cut(error.message);
  errors.push_back(std::move(error));
}

}  // namespace segment_rules

}  // namespace auric
