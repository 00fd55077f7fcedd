#include "store/memory_segment_store.hpp"

#include <map>
#include <mutex>
#include <utility>

namespace auric {
namespace {

class MemorySegmentStore final : public SegmentStore {
 public:
  std::vector<SegmentRecord> create_segments(const SegmentJob& job, int total_segments,
                                             std::int64_t now_ms) override {
    segment_rules::check_job(job);
    if (total_segments < 1) throw std::invalid_argument("a backfill job has at least one segment");
    std::lock_guard guard(mutex_);
    auto& segments = jobs_[key(job)];
    if (segments.empty()) {
      for (int n = 0; n < total_segments; ++n)
        segments.emplace(n, segment_rules::pending(job, n, total_segments, now_ms));
    }
    return all(segments);
  }

  std::vector<SegmentRecord> list_segments(const SegmentJob& job) override {
    std::lock_guard guard(mutex_);
    const auto it = jobs_.find(key(job));
    return it == jobs_.end() ? std::vector<SegmentRecord>{} : all(it->second);
  }

  std::optional<SegmentRecord> claim_segment(const SegmentClaim& claim) override {
    segment_rules::check_claim(claim);
    std::lock_guard guard(mutex_);
    SegmentRecord* stored = find(claim.job, claim.segment);
    if (stored == nullptr || !segment_rules::may_claim(*stored, claim)) return std::nullopt;
    *stored = segment_rules::claimed(*stored, claim);
    return *stored;
  }

  WriteOutcome save_segment(const SegmentRecord& record, bool release) override {
    std::lock_guard guard(mutex_);
    SegmentRecord* stored = find({record.migration_id, record.job_id}, record.segment);
    if (stored == nullptr || !segment_rules::holds(*stored, record.owner, record.fence))
      return WriteOutcome::kFenced;
    *stored = segment_rules::saved(*stored, record, release);
    return WriteOutcome::kOk;
  }

 private:
  using Key = std::pair<std::string, std::string>;
  static Key key(const SegmentJob& job) { return {job.migration_id, job.job_id}; }
  static std::vector<SegmentRecord> all(const std::map<int, SegmentRecord>& segments) {
    std::vector<SegmentRecord> out;
    out.reserve(segments.size());
    for (const auto& [n, record] : segments) out.push_back(record);
    return out;
  }
  SegmentRecord* find(const SegmentJob& job, int segment) {
    const auto it = jobs_.find(key(job));
    if (it == jobs_.end()) return nullptr;
    const auto seg = it->second.find(segment);
    return seg == it->second.end() ? nullptr : &seg->second;
  }

  std::mutex mutex_;
  std::map<Key, std::map<int, SegmentRecord>> jobs_;
};

}  // namespace

std::shared_ptr<SegmentStore> make_memory_segment_store() {
  return std::make_shared<MemorySegmentStore>();
}

}  // namespace auric
