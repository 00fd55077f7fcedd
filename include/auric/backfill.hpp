// ctx.backfill(): rewrites every item of a DynamoDB table from inside a migration, in parallel
// Scan segments, rate-limited and resumable (docs/backfills.md). Each item is processed at least
// once: a page's writes are made before its cursor is saved, so a crash re-processes at most the
// pages in flight; BackfillWrite::only_if_version_below() makes such writes exactly-once in
// effect. fn is called from the backfill's worker threads, several at once: it must be
// thread-safe (a pure function of the item is). Values here are plain data.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <auric/dynamodb.hpp>

namespace auric {

// What happens to an item whose fn or writes keep failing after `retries` retries.
enum class BackfillOnError {
  kFail,      // once more than max_errors items failed in this attempt, the job stops and throws
  kContinue,  // carry on: failures are counted, the first max_errors recorded
};

struct BackfillErrorPolicy {
  int retries = 3;                         // retries of fn and of each write, after the first try
  std::chrono::milliseconds backoff{100};  // before the first retry; doubles, at most 5 s
  std::size_t max_errors = 100;            // failed items recorded (key + message) and tolerated
  BackfillOnError on_error = BackfillOnError::kFail;
};

// One write fn asks for: a PutItem, UpdateItem or DeleteItem on the source table (or another).
// A write whose condition fails is counted as skipped, not failed.
class BackfillWrite {
 public:
  enum class Kind { kPut, kUpdate, kDelete };
  using Names = std::map<std::string, std::string>;  // "#n" -> attribute name

  static BackfillWrite put(aws::Item item);
  // `update_expression` as DynamoDB takes it ("SET amount = amount * :two"); `names` and
  // `values` are its ExpressionAttributeNames / ExpressionAttributeValues.
  static BackfillWrite update(aws::Item key, std::string update_expression, Names names = {},
                              aws::Item values = {});
  static BackfillWrite remove(aws::Item key);

  // Writes to `table` instead of the backfill's source table.
  BackfillWrite& to_table(std::string table);
  // Adds a ConditionExpression (AND-ed with any earlier one).
  BackfillWrite& only_if(const std::string& condition, const Names& names = {}, const aws::Item& values = {});
  // The idempotence helper: applies only while the item's `attribute` is absent or below
  // `version`, and (put, update) sets it to `version`. A write re-applied after a crash then
  // finds the version it set and is skipped: exactly once in effect.
  BackfillWrite& only_if_version_below(const std::string& attribute, std::int64_t version);

  Kind kind() const { return kind_; }
  // The request in DynamoDB's wire shape; TableName is `default_table` unless to_table() said.
  nlohmann::json request(const std::string& default_table) const;
  // The item's key (put: the whole item) as DynamoDB JSON text, for error samples.
  const aws::Item& target() const { return target_; }

 private:
  BackfillWrite(Kind kind, aws::Item target) : kind_(kind), target_(std::move(target)) {}
  Kind kind_;
  aws::Item target_;  // put: the item; update/delete: the key
  std::string table_;
  std::string update_;
  std::string condition_;
  Names names_;
  aws::Item values_;
};

using BackfillWrites = std::vector<BackfillWrite>;

// A page as fn sees it (page mode).
struct BackfillPage {
  const std::vector<aws::Item>& items;
  int segment = 0;
};

// fn: either per item, `BackfillWrites(const aws::Item&)` (errors are per item), or per page,
// `BackfillWrites(const BackfillPage&)` (an exception fails the whole page's items).
class BackfillFn {
 public:
  using ItemFn = std::function<BackfillWrites(const aws::Item&)>;
  using PageFn = std::function<BackfillWrites(const BackfillPage&)>;

  template <class F>
  requires std::is_invocable_r_v<BackfillWrites, F&, const aws::Item&> BackfillFn(
      F f)  // NOLINT(google-explicit-constructor): a lambda converts
      : item_(std::move(f)) {}
  template <class F>
  requires(!std::is_invocable_r_v<BackfillWrites, F&, const aws::Item&> &&
           std::is_invocable_r_v<BackfillWrites, F&, const BackfillPage&>)
      BackfillFn(F f)  // NOLINT(google-explicit-constructor)
      : page_(std::move(f)) {}

  const ItemFn& item_fn() const { return item_; }
  const PageFn& page_fn() const { return page_; }

 private:
  ItemFn item_;
  PageFn page_;
};

// Progress as the engine reports it: after each saved page, from a worker thread (calls are
// serialised). `done` counts items read (ScannedCount) across the job, this attempt's and
// earlier ones'.
struct BackfillProgress {
  struct Segment {
    int segment = 0;
    std::string state;  // pending | running | done | failed
    std::int64_t scanned = 0;
  };
  std::int64_t done = 0;
  std::optional<std::int64_t> total;  // DescribeTable's ItemCount (AWS refreshes it ~6-hourly)
  std::vector<Segment> segments;
};

struct BackfillSpec {
  std::string table;                  // source table
  std::string index;                  // scan this index instead of the table ("" = the table)
  std::string name = "backfill";      // names the job within the migration (what a resumed attempt finds)
  int total_segments = 0;             // Scan's TotalSegments; 0 = from DescribeTable's size
  int max_segments = 1000;            // cap of the derived count
  std::string projection;             // ProjectionExpression ("" = every attribute)
  std::string filter;                 // FilterExpression ("" = every item)
  BackfillWrite::Names names;         // ExpressionAttributeNames of projection and filter
  aws::Item values;                   // ExpressionAttributeValues of the filter
  int page_size = 100;                // Scan Limit per page
  double read_units_per_second = 0;   // for the whole job; 0 = unlimited
  double write_units_per_second = 0;  // for the whole job; 0 = unlimited
  BackfillErrorPolicy errors;
  bool dry_run = false;  // read and call fn; count the writes, make none, save no segment
  // "threads:N". "" = the config's [context] backfill_workers, else "threads:4".
  std::string workers;
  // Called with progress (default: a log line at most every 10 s).
  std::function<void(const BackfillProgress&)> on_progress;
};

struct BackfillResult {
  std::string job_id;
  int segments = 0;
  bool dry_run = false;
  bool stopped = false;      // the run was asked to stop; segments released for the next attempt
  std::int64_t scanned = 0;  // items read
  std::int64_t written = 0;  // writes applied (dry run: that would have been made)
  std::int64_t skipped = 0;  // writes refused by their condition + items fn gave no write
  std::int64_t failed = 0;   // items given up on
  double read_units = 0;     // consumed capacity (DynamoDB's report, else an estimate)
  double write_units = 0;
  struct Error {
    std::string key;  // DynamoDB JSON text of the item's key
    std::string message;
  };
  std::vector<Error> errors;  // at most errors.max_errors (and 20 per segment)

  // {job_id, segments, scanned, written, skipped, failed, read_units, write_units, errors: [...]}
  Json to_json() const;
};

// Thrown by ctx.backfill() when the error policy gave up (kFail); carries the totals so far.
class BackfillFailed : public std::runtime_error {
 public:
  BackfillFailed(const std::string& what, BackfillResult result)
      : std::runtime_error(what), result_(std::move(result)) {}
  const BackfillResult& result() const { return result_; }

 private:
  BackfillResult result_;
};

}  // namespace auric
