#include "backfill/engine.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <deque>
#include <exception>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "aws/dynamodb.hpp"
#include "aws/errors.hpp"
#include "core/system.hpp"
#include "store/memory_segment_store.hpp"

namespace auric::backfill {
namespace {

using aws::AttributeValue;
using aws::Item;
using nlohmann::json;

constexpr int kMaxThrottleRetries = 10;
constexpr std::chrono::milliseconds kMaxBackoff{5'000};
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// Bytes DynamoDB counts for a value (an upper bound: names + values, numbers ~ digits / 2 + 1).
double value_size(const AttributeValue& v) {
  using T = AttributeValue::Type;
  switch (v.type()) {
    case T::kS: return static_cast<double>(v.as_string().size());
    case T::kN: return static_cast<double>(v.as_number_text().size()) / 2 + 1;
    case T::kB: return static_cast<double>(v.as_binary().size());
    case T::kBool:
    case T::kNull: return 1;
    case T::kL: {
      double size = 3;
      for (const auto& e : v.as_list()) size += value_size(e) + 1;
      return size;
    }
    case T::kM: {
      double size = 3;
      for (const auto& [k, e] : v.as_map()) size += static_cast<double>(k.size()) + value_size(e) + 1;
      return size;
    }
    case T::kSS:
    case T::kNS:
    case T::kBS: {
      double size = 0;
      for (const auto& e : v.as_set()) size += static_cast<double>(e.size());
      return size;
    }
  }
  return 1;
}

double item_size(const Item& item) {
  double size = 0;
  for (const auto& [name, value] : item) size += static_cast<double>(name.size()) + value_size(value);
  return size;
}

// ConsumedCapacity.CapacityUnits of a response, when DynamoDB reported it (dynalite may not).
std::optional<double> consumed(const json& response) {
  const auto it = response.find("ConsumedCapacity");
  if (it == response.end() || !it->is_object()) return std::nullopt;
  const auto units = it->find("CapacityUnits");
  if (units == it->end() || !units->is_number()) return std::nullopt;
  return units->get<double>();
}

struct ScanPage {
  std::vector<Item> items;
  json last_key;  // null: the segment's last page
  std::int64_t scanned = 0;
  double units = 0;
};

enum class Stop : int { kNone, kRequested, kPolicy, kFatal, kCrash };

class Run {
 public:
  Run(aws::DynamoDbClient& db, SegmentStore& segments, SegmentJob job, const BackfillSpec& spec,
      const BackfillFn& fn, const EngineOptions& options, BackfillClock& clock,
      std::vector<std::string> key_names, std::optional<std::int64_t> total_items)
      : db_(db),
        segments_(segments),
        job_(std::move(job)),
        spec_(spec),
        fn_(fn),
        options_(options),
        clock_(clock),
        key_names_(std::move(key_names)),
        total_items_(total_items),
        reads_(spec.read_units_per_second, clock),
        writes_(spec.write_units_per_second, clock),
        coordinator_(options.coordinator.empty() ? new_uuid() : options.coordinator) {}

  BackfillResult run(int total_segments) {
    const bool remote = !options_.owner.empty();
    auto records = remote ? segments_.list_segments(job_)
                          : segments_.create_segments(job_, total_segments, clock_.now_ms());
    for (;;) {
      queue_round(records);
      std::vector<std::thread> workers;
      const int threads = remote ? 1 : std::max(1, options_.threads);
      workers.reserve(static_cast<std::size_t>(threads));
      for (int n = 0; n < threads; ++n) workers.emplace_back([this, n] { worker(n); });
      for (auto& w : workers) w.join();
      const auto stop = static_cast<Stop>(stop_.load());
      if (stop == Stop::kCrash || stop == Stop::kFatal) std::rethrow_exception(fatal_);
      records = segments_.list_segments(job_);
      if (stop == Stop::kPolicy) {
        auto result = result_of(records);
        throw BackfillFailed("backfill " + spec_.name + " of " + spec_.table + ": more than " +
                                 std::to_string(spec_.errors.max_errors) + " items failed (" +
                                 std::to_string(failed_now_.load()) +
                                 " in this attempt); the first: " + first_error_,
                             result);
      }
      const bool all_done =
          std::all_of(records.begin(), records.end(), [](const auto& r) { return r.terminal(); });
      if (all_done) return result_of(records);
      if (stop == Stop::kRequested || (options_.should_stop && options_.should_stop())) {
        auto result = result_of(records);
        result.stopped = true;
        return result;
      }
      if (remote) return result_of(records);  // the rest is held elsewhere: the coordinator waits
      clock_.sleep_for(options_.poll);        // held by workers elsewhere: wait for them or their leases
    }
  }

 private:
  BackfillResult result_of(const std::vector<SegmentRecord>& records) const {
    return backfill::result_of(job_.job_id, records, spec_);
  }

  // The segments the next round's workers try, and the dead in-process holders among them.
  void queue_round(const std::vector<SegmentRecord>& records) {
    std::lock_guard guard(mutex_);
    open_.clear();
    dead_.clear();
    const std::string ours = std::string(kThreadOwnerPrefix) + coordinator_ + "/";
    for (const auto& r : records) {
      latest_[r.segment] = r;
      if (r.terminal()) continue;
      open_.push_back(r.segment);
      if (options_.take_over_other_threads && r.owner.starts_with(kThreadOwnerPrefix) &&
          !r.owner.starts_with(ours))
        dead_[r.segment] = {r.owner, r.fence};
    }
  }

  bool stopping() const { return stop_.load() != static_cast<int>(Stop::kNone); }
  void stop(Stop reason) {
    int expected = static_cast<int>(Stop::kNone);
    stop_.compare_exchange_strong(expected, static_cast<int>(reason));
  }

  void worker(int n) {
    const std::string owner = !options_.owner.empty()
                                  ? options_.owner
                                  : std::string(kThreadOwnerPrefix) + coordinator_ + "/" + std::to_string(n);
    try {
      while (!stopping()) {
        if (options_.should_stop && options_.should_stop()) {
          stop(Stop::kRequested);
          break;
        }
        auto segment = next_claim(owner);
        if (!segment) return;
        process(std::move(*segment));
      }
    } catch (const CrashSignal&) {
      // recorded by the hook's wrapper
    } catch (...) {
      std::lock_guard guard(mutex_);
      if (!fatal_) fatal_ = std::current_exception();
      stop(Stop::kFatal);
    }
  }

  std::optional<SegmentRecord> next_claim(const std::string& owner) {
    for (;;) {
      SegmentClaim claim;
      {
        std::lock_guard guard(mutex_);
        if (open_.empty()) return std::nullopt;
        claim.segment = open_.front();
        open_.pop_front();
        if (const auto it = dead_.find(claim.segment); it != dead_.end()) claim.take_over_dead = it->second;
      }
      claim.job = job_;
      claim.owner = owner;
      claim.now_ms = clock_.now_ms();
      claim.ttl_ms = options_.lease_ttl.count();
      if (auto record = segments_.claim_segment(claim)) return record;
      // Held by a live worker elsewhere, or finished meanwhile: the next round looks again.
    }
  }

  struct CrashSignal {};

  std::chrono::milliseconds backoff(int attempt) const {
    auto delay = spec_.errors.backoff;
    for (int i = 0; i < attempt && delay < kMaxBackoff; ++i) delay *= 2;
    return std::min(delay, kMaxBackoff);
  }

  json scan_request(const SegmentRecord& segment) const {
    json req{{"TableName", spec_.table},
             {"Segment", segment.segment},
             {"TotalSegments", segment.total_segments},
             {"Limit", spec_.page_size},
             {"ReturnConsumedCapacity", "TOTAL"}};
    if (!spec_.index.empty()) req["IndexName"] = spec_.index;
    if (!spec_.projection.empty()) req["ProjectionExpression"] = spec_.projection;
    if (!spec_.filter.empty()) req["FilterExpression"] = spec_.filter;
    if (!spec_.names.empty()) req["ExpressionAttributeNames"] = spec_.names;
    if (!spec_.values.empty()) req["ExpressionAttributeValues"] = aws::item_to_wire(spec_.values);
    return req;
  }

  ScanPage scan(json req, const json& start) {
    if (!start.is_null()) req["ExclusiveStartKey"] = start;
    const double estimate = read_estimate_.load();
    for (int throttles = 0;; ++throttles) {
      reads_.acquire(estimate);
      try {
        const json response = db_.call("Scan", req);
        ScanPage page;
        double bytes = 0;
        for (const auto& wire : response.value("Items", json::array())) {
          page.items.push_back(aws::item_from_wire(wire));
          bytes += item_size(page.items.back());
        }
        page.scanned = response.value("ScannedCount", static_cast<std::int64_t>(page.items.size()));
        page.last_key = response.value("LastEvaluatedKey", json());
        if (!start.is_null() && page.last_key == start)
          throw aws::malformed_response("DynamoDB", "Scan", "a page handed back the key it started from");
        const double seen = static_cast<double>(std::max<std::size_t>(page.items.size(), 1));
        const double estimated =
            std::max(0.5, std::ceil(bytes * static_cast<double>(page.scanned) / seen / 4096.0) * 0.5);
        page.units = consumed(response).value_or(estimated);
        reads_.settle(estimate, page.units);
        reads_.succeeded();
        read_estimate_.store(std::max(0.5, page.units));
        return page;
      } catch (const aws::AwsError& e) {
        reads_.settle(estimate, 0);
        if (!e.throttling() || throttles >= kMaxThrottleRetries) throw;
        reads_.throttled();
        clock_.sleep_for(backoff(throttles));
      } catch (const std::invalid_argument& e) {
        throw aws::malformed_response("DynamoDB", "Scan", e.what());
      }
    }
  }

  enum class Written { kApplied, kConditionFailed, kFailed };

  Written write(const BackfillWrite& w, SegmentCounts& delta, std::string& error) {
    if (spec_.dry_run) {
      ++delta.written;
      return Written::kApplied;
    }
    json req = w.request(spec_.table);
    req["ReturnConsumedCapacity"] = "TOTAL";
    const double estimate = std::max(1.0, std::ceil(item_size(w.target()) / 1024.0));
    int throttles = 0;
    for (int attempt = 0;;) {
      writes_.acquire(estimate);
      try {
        const auto result = w.kind() == BackfillWrite::Kind::kPut      ? db_.try_put_item(req)
                            : w.kind() == BackfillWrite::Kind::kUpdate ? db_.try_update_item(req)
                                                                       : db_.try_delete_item(req);
        const double units = consumed(result.response).value_or(estimate);
        writes_.settle(estimate, units);
        writes_.succeeded();
        delta.write_units += units;
        if (result.applied) {
          ++delta.written;
          return Written::kApplied;
        }
        ++delta.skipped;
        return Written::kConditionFailed;
      } catch (const aws::AwsError& e) {
        writes_.settle(estimate, 0);
        if (e.throttling() && throttles < kMaxThrottleRetries) {
          writes_.throttled();
          clock_.sleep_for(backoff(throttles++));
          continue;
        }
        if (attempt >= spec_.errors.retries || !e.retryable()) {  // a bad request stays bad
          error = e.what();
          return Written::kFailed;
        }
        clock_.sleep_for(backoff(attempt++));
      }
    }
  }

  // fn with the policy's retries; nullopt (and `error`) when it kept throwing.
  template <class Call>
  std::optional<BackfillWrites> call_fn(Call&& call, std::string& error) {
    for (int attempt = 0;; ++attempt) {
      try {
        return call();
      } catch (const std::exception& e) {
        error = e.what();
      } catch (...) {
        error = "an exception that is not a std::exception";
      }
      if (attempt >= spec_.errors.retries) return std::nullopt;
      clock_.sleep_for(backoff(attempt));
    }
  }

  std::string key_text(const Item& item) const {
    Item key;
    for (const auto& name : key_names_) {
      if (const auto it = item.find(name); it != item.end()) key.emplace(name, it->second);
    }
    return aws::item_to_wire(key.empty() ? item : key).dump(-1, ' ', false, json::error_handler_t::replace);
  }

  void item_failed(SegmentRecord& update, SegmentCounts& delta, const std::string& key,
                   const std::string& message) {
    ++delta.failed;
    {
      std::lock_guard guard(mutex_);
      if (first_error_.empty()) first_error_ = key + ": " + message;
    }
    if (recorded_.fetch_add(1) < static_cast<std::int64_t>(spec_.errors.max_errors))
      segment_rules::add_error(update.errors, {key, message});
    const auto failed = failed_now_.fetch_add(1) + 1;
    if (spec_.errors.on_error == BackfillOnError::kFail &&
        failed > static_cast<std::int64_t>(spec_.errors.max_errors))
      stop(Stop::kPolicy);
  }

  // Saves `committed` again with a fresh lease when a third of the lease has passed since the
  // last save. False when the segment was lost.
  bool keep_lease(SegmentRecord& committed, std::int64_t& last_save) {
    const auto now = clock_.now_ms();
    if (now - last_save < options_.lease_ttl.count() / 3) return true;
    committed.lease_expires_at = now + options_.lease_ttl.count();
    committed.updated_at = now;
    last_save = now;
    return segments_.save_segment(committed, false) == WriteOutcome::kOk;
  }

  // fn and the writes of one page. False when the segment was lost meanwhile.
  bool apply(const ScanPage& page, SegmentRecord& committed, SegmentRecord& update, SegmentCounts& delta,
             std::int64_t& last_save) {
    std::string error;
    const auto write_all = [&](const BackfillWrites& writes, const Item* item) {
      for (const auto& w : writes) {
        if (write(w, delta, error) == Written::kFailed) {
          item_failed(update, delta, key_text(item != nullptr ? *item : w.target()), "write: " + error);
          if (item != nullptr) return;
        }
      }
    };
    if (fn_.item_fn()) {
      for (const auto& item : page.items) {
        if (!keep_lease(committed, last_save)) return false;
        const auto writes = call_fn([&] { return fn_.item_fn()(item); }, error);
        if (!writes) {
          item_failed(update, delta, key_text(item), "fn: " + error);
        } else if (writes->empty()) {
          ++delta.skipped;
        } else {
          write_all(*writes, &item);
        }
      }
      return true;
    }
    const auto writes = call_fn(
        [&] {
          return fn_.page_fn()(BackfillPage{page.items, committed.segment});
        },
        error);
    if (!writes) {
      for (const auto& item : page.items) item_failed(update, delta, key_text(item), "fn: " + error);
      return true;
    }
    write_all(*writes, nullptr);
    return keep_lease(committed, last_save);
  }

  void process(SegmentRecord committed) {
    const json base = scan_request(committed);
    json start = committed.cursor.empty() ? json() : json::parse(committed.cursor);
    std::int64_t last_save = clock_.now_ms();
    auto fetch = std::async(std::launch::async, [this, base, start] { return scan(base, start); });
    for (std::size_t page_number = 0;; ++page_number) {
      ScanPage page = fetch.get();
      const bool last = page.last_key.is_null();
      std::future<ScanPage> next;
      if (!last && !stopping()) {  // one page in flight beyond the current one
        next = std::async(std::launch::async, [this, base, key = page.last_key] { return scan(base, key); });
      }
      SegmentRecord update = committed;
      SegmentCounts delta;
      delta.scanned = page.scanned;
      delta.read_units = page.units;
      if (!apply(page, committed, update, delta, last_save)) return;  // lost: the new holder redoes the page
      if (options_.after_page_writes) {
        try {
          options_.after_page_writes(committed.segment, page_number);
        } catch (...) {
          std::lock_guard guard(mutex_);
          if (!fatal_) fatal_ = std::current_exception();
          stop(Stop::kCrash);
          throw CrashSignal{};
        }
      }
      if (options_.should_stop && options_.should_stop()) stop(Stop::kRequested);
      const auto reason = static_cast<Stop>(stop_.load());
      if (reason == Stop::kCrash) throw CrashSignal{};
      if (reason == Stop::kPolicy && delta.failed > 0) {
        // This page crossed the error cap: leave its cursor unsaved, so that a later attempt
        // retries it, and free the segment. A remote worker marks it failed instead: its
        // coordinator learns of the failure only from the segments.
        if (!options_.owner.empty()) {
          SegmentRecord failed = committed;
          failed.counts += delta;
          failed.errors = update.errors;
          failed.state = SegmentState::kFailed;
          failed.updated_at = clock_.now_ms();
          static_cast<void>(segments_.save_segment(failed, false));
        } else {
          static_cast<void>(segments_.save_segment(committed, true));
        }
        return;
      }
      const auto now = clock_.now_ms();
      update.counts += delta;
      update.cursor = last ? std::string() : page.last_key.dump();
      update.state = last ? SegmentState::kDone : SegmentState::kRunning;
      update.lease_expires_at = now + options_.lease_ttl.count();
      update.updated_at = now;
      const bool release = !last && stopping();
      if (segments_.save_segment(update, release) != WriteOutcome::kOk) return;  // fenced out: stop
      committed = segment_rules::saved(update, update, release);
      last_save = now;
      report(committed);
      if (last || release) return;
      fetch = std::move(next);
    }
  }

  void report(const SegmentRecord& record) {
    std::lock_guard guard(progress_mutex_);
    {
      std::lock_guard data(mutex_);
      latest_[record.segment] = record;
    }
    if (!spec_.on_progress) return;
    BackfillProgress progress;
    progress.total = total_items_;
    {
      std::lock_guard data(mutex_);
      for (const auto& [n, r] : latest_) {
        progress.done += r.counts.scanned;
        progress.segments.push_back({n, std::string(to_string(r.state)), r.counts.scanned});
      }
    }
    spec_.on_progress(progress);
  }

  aws::DynamoDbClient& db_;
  SegmentStore& segments_;
  SegmentJob job_;
  const BackfillSpec& spec_;
  const BackfillFn& fn_;
  const EngineOptions& options_;
  BackfillClock& clock_;
  std::vector<std::string> key_names_;
  std::optional<std::int64_t> total_items_;
  RateLimiter reads_;
  RateLimiter writes_;
  std::string coordinator_;

  std::mutex mutex_;  // guards open_, dead_, latest_, fatal_, first_error_
  std::deque<int> open_;
  std::map<int, SegmentClaim::DeadHolder> dead_;
  std::map<int, SegmentRecord> latest_;
  std::exception_ptr fatal_;
  std::string first_error_;    // "key: message" of the attempt's first failed item
  std::mutex progress_mutex_;  // serialises on_progress
  std::atomic<int> stop_{static_cast<int>(Stop::kNone)};
  std::atomic<std::int64_t> failed_now_{0};  // items failed in this attempt
  std::atomic<std::int64_t> recorded_{0};    // error samples taken in this attempt
  std::atomic<double> read_estimate_{1.0};   // the last page's read units
};

void check_spec(const BackfillSpec& spec) {
  if (spec.table.empty()) throw std::invalid_argument("ctx.backfill(): the spec names no table");
  if (spec.page_size < 1) throw std::invalid_argument("ctx.backfill(): page_size must be at least 1");
  if (spec.total_segments < 0 || spec.total_segments > 1'000'000)
    throw std::invalid_argument("ctx.backfill(): total_segments must be 0 (derived) or 1..1,000,000");
  if (spec.max_segments < 1) throw std::invalid_argument("ctx.backfill(): max_segments must be at least 1");
  if (spec.errors.retries < 0) throw std::invalid_argument("ctx.backfill(): errors.retries must be >= 0");
  if (spec.name.empty()) throw std::invalid_argument("ctx.backfill(): the spec's name is empty");
}

}  // namespace

BackfillResult result_of(const std::string& job_id, const std::vector<SegmentRecord>& records,
                         const BackfillSpec& spec) {
  BackfillResult result;
  result.job_id = job_id;
  result.segments = static_cast<int>(records.size());
  result.dry_run = spec.dry_run;
  for (const auto& r : records) {
    result.scanned += r.counts.scanned;
    result.written += r.counts.written;
    result.skipped += r.counts.skipped;
    result.failed += r.counts.failed;
    result.read_units += r.counts.read_units;
    result.write_units += r.counts.write_units;
    for (const auto& e : r.errors) {
      if (result.errors.size() < spec.errors.max_errors) result.errors.push_back({e.key, e.message});
    }
  }
  return result;
}

WorkerChoice parse_workers(std::string_view workers) {
  // lambda:N and fargate:N: remote workers, up to 1000 (the segment-worker event's bound).
  for (const auto& [prefix, kind] : {std::pair{std::string_view("lambda:"), WorkerChoice::Kind::kLambda},
                                     std::pair{std::string_view("fargate:"), WorkerChoice::Kind::kFargate}}) {
    if (!workers.starts_with(prefix)) continue;
    const auto digits = workers.substr(prefix.size());
    int n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc() && end == digits.data() + digits.size() && n >= 1 && n <= 1000) return {kind, n};
    throw std::invalid_argument("backfill workers '" + std::string(workers) + "': expected " +
                                std::string(prefix) + "N with N in 1..1000");
  }
  return {WorkerChoice::Kind::kThreads, parse_thread_workers(workers)};
}

SourceTable describe_source(aws::DynamoDbClient& db, const BackfillSpec& spec, int workers) {
  const json described = db.describe_table(spec.table);
  const json& table = described.contains("Table") ? described.at("Table") : described;
  SourceTable source;
  for (const auto& k : table.value("KeySchema", json::array()))
    source.key_names.push_back(k.value("AttributeName", ""));
  if (table.contains("ItemCount") && table.at("ItemCount").is_number() &&
      table.at("ItemCount").get<double>() > 0)
    source.item_count = table.at("ItemCount").get<std::int64_t>();
  source.total_segments = spec.total_segments > 0
                              ? spec.total_segments
                              : default_total_segments(described, spec.index, workers, spec.max_segments);
  return source;
}

int parse_thread_workers(std::string_view workers) {
  constexpr std::string_view kThreads = "threads:";
  if (workers.starts_with("lambda:") || workers.starts_with("fargate:")) {
    throw std::invalid_argument("backfill workers '" + std::string(workers) + "': expected threads:N here");
  }
  int n = 0;
  if (workers.starts_with(kThreads)) {
    const auto digits = workers.substr(kThreads.size());
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc() && end == digits.data() + digits.size() && n >= 1 && n <= 256) return n;
  }
  throw std::invalid_argument("backfill workers '" + std::string(workers) +
                              "': expected threads:N with N in 1..256");
}

int default_total_segments(const json& describe_table, const std::string& index, int workers,
                           int max_segments) {
  const json& table = describe_table.contains("Table") ? describe_table.at("Table") : describe_table;
  double bytes = table.value("TableSizeBytes", 0.0);
  if (!index.empty()) {
    for (const char* kind : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
      for (const auto& i : table.value(kind, json::array())) {
        if (i.value("IndexName", std::string()) == index) bytes = i.value("IndexSizeBytes", 0.0);
      }
    }
  }
  const int by_size = static_cast<int>(std::min(1e6, std::ceil(bytes / kGiB)));
  return std::clamp(std::max({1, workers, by_size}), 1, std::max(1, max_segments));
}

BackfillResult run_backfill(aws::DynamoDbClient& db, SegmentStore& segments, const SegmentJob& job,
                            const BackfillSpec& spec, const BackfillFn& fn, const EngineOptions& options) {
  check_spec(spec);
  segment_rules::check_job(job);
  if (!fn.item_fn() && !fn.page_fn()) throw std::invalid_argument("ctx.backfill(): fn is empty");
  BackfillClock& clock = options.clock != nullptr ? *options.clock : system_clock();

  SourceTable source = describe_source(db, spec, options.threads);
  const std::optional<std::int64_t> total_items = source.item_count;
  const int total = source.total_segments;
  std::vector<std::string> key_names = std::move(source.key_names);

  // A dry run saves nothing: its segments live in memory for this call only.
  const auto scratch = spec.dry_run ? make_memory_segment_store() : nullptr;
  Run run(db, scratch ? *scratch : segments, job, spec, fn, options, clock, std::move(key_names),
          total_items);
  return run.run(total);
}

}  // namespace auric::backfill
