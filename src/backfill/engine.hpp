// The backfill engine behind Context::backfill() (docs/backfills.md): thread workers that claim
// the job's segments in the SegmentStore, Scan them page by page (one page prefetched), call fn,
// make its writes, then save the page's cursor and counts, fenced by the segment's lease. Rate
// limits, retries and the error policy apply across the job. run_backfill is called from one
// thread; it starts and joins the workers itself.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <auric/backfill.hpp>

#include "backfill/rate_limiter.hpp"
#include "core/segment_store.hpp"

namespace auric::backfill {

// Segment leases: a worker saves after every page, and renews while a page takes long.
inline constexpr std::chrono::milliseconds kDefaultSegmentLease{30'000};
// Owners of in-process workers: "threads/<coordinator>/<n>".
inline constexpr std::string_view kThreadOwnerPrefix = "threads/";

struct EngineOptions {
  int threads = 4;
  std::chrono::milliseconds lease_ttl = kDefaultSegmentLease;
  std::chrono::milliseconds poll{1'000};  // while segments are held by workers elsewhere
  BackfillClock* clock = nullptr;         // nullptr: the system clock
  std::function<bool()> should_stop;      // true: save, release the segments, return stopped
  std::string coordinator;                // unique per run_backfill call ("" = a new UUID)
  // Segments held by thread workers of another coordinator are taken over at once (their
  // process is gone: the caller holds the migration's lease). Off: they expire by lease.
  bool take_over_other_threads = true;
  // Test hook: called after a page's writes, before its cursor is saved. An exception thrown
  // here ends the whole run as a crash would (nothing more is saved or released).
  std::function<void(int segment, std::size_t page)> after_page_writes;
  // A remote segment worker (docs/backfills.md, *Workers*): the job's segments exist already
  // (none are created), the one worker thread (threads must be 1) claims as `owner`, the run
  // returns after one round instead of waiting for segments held elsewhere (`stopped` when
  // should_stop ended it), and a page that crosses the error cap marks its segment `failed`
  // (so that the coordinator sees it) instead of releasing it.
  std::string owner;
};

// "threads:N" (N in 1..256) -> N. Throws std::invalid_argument for anything else (lambda:N
// and fargate:N are parse_workers').
int parse_thread_workers(std::string_view workers);

// What `[backfill] workers` / spec.workers name: threads:N (1..256), lambda:N or fargate:N
// (1..1000). Throws std::invalid_argument for anything else.
struct WorkerChoice {
  enum class Kind { kThreads, kLambda, kFargate };
  Kind kind = Kind::kThreads;
  int count = 4;
};
WorkerChoice parse_workers(std::string_view workers);

// The job's totals from its segment records: counts summed, error samples up to the spec's
// max_errors.
BackfillResult result_of(const std::string& job_id, const std::vector<SegmentRecord>& records,
                         const BackfillSpec& spec);

// What a job needs from the source's DescribeTable: its key attributes, its ItemCount (nullopt
// when 0: AWS refreshes it about every 6 hours, dynalite never counts) and the segment count
// (spec.total_segments, else default_total_segments for `workers`). One request.
struct SourceTable {
  std::vector<std::string> key_names;
  std::optional<std::int64_t> item_count;
  int total_segments = 1;
};
SourceTable describe_source(aws::DynamoDbClient& db, const BackfillSpec& spec, int workers);

// TotalSegments from a DescribeTable response: about one per GiB of the table (or `index`),
// at least `workers`, at most `max_segments`.
int default_total_segments(const nlohmann::json& describe_table, const std::string& index, int workers,
                           int max_segments);

// Runs (or resumes) `job`. Throws BackfillFailed when the error policy gives up; AwsError,
// StoreError or fn's std::exception for failures it cannot ride out; std::invalid_argument
// for a bad spec.
BackfillResult run_backfill(aws::DynamoDbClient& db, SegmentStore& segments, const SegmentJob& job,
                            const BackfillSpec& spec, const BackfillFn& fn, const EngineOptions& options);

}  // namespace auric::backfill
