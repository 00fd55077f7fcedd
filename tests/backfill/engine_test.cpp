// The backfill engine and ctx.backfill against dynalite: a table of a few thousand items
// rewritten by 4 thread workers over 4 segments, exactly once in effect; a crash between a
// page's writes and its checkpoint, then a resume that misses nothing; a dry run that writes
// nothing; the error policy (continue vs fail); and ctx.backfill's job kept in progress().
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>

#include <auric/backfill.hpp>

#include "aws/dynamodb.hpp"
#include "backfill/engine.hpp"
#include "core/segment_store.hpp"
#include "dynamodb_support.hpp"
#include "store/memory_store.hpp"

namespace auric {
namespace {

using aws::AttributeValue;
using aws::Item;
using nlohmann::json;
namespace dt = dynamodb_testing;

// Doubles `amount`, exactly once in effect (version 1 marks a rewritten item).
BackfillWrites double_amount(const Item& item) {
  return {BackfillWrite::update({{"id", item.at("id")}}, "SET amount = :doubled", {},
                                {{":doubled", AttributeValue::number(2 * item.at("amount").as_int())}})
              .only_if_version_below("version", 1)};
}

void expect_doubled_once(aws::DynamoDbClient& db, const std::string& table, int count) {
  EXPECT_EQ(dt::items_not_doubled_once(db, table, count), 0) << "items missing or not doubled exactly once";
}

class BackfillEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dt::dynalite(); }
  void SetUp() override {
    db_ = std::make_unique<aws::DynamoDbClient>(dt::client_config());
    store_ = make_memory_store();
  }
  BackfillSpec spec(const std::string& table) const {
    BackfillSpec s;
    s.table = table;
    s.total_segments = 4;
    s.page_size = 100;
    return s;
  }
  backfill::EngineOptions options() const {
    backfill::EngineOptions o;
    o.threads = 4;
    o.poll = std::chrono::milliseconds(20);
    return o;
  }
  SegmentStore& segments() { return *store_->segments(); }

  std::unique_ptr<aws::DynamoDbClient> db_;
  std::unique_ptr<Store> store_;
};

TEST_F(BackfillEngineTest, FourThreadsRewriteEveryItemExactlyOnceInEffect) {
  constexpr int kItems = 3'000;
  const auto table = dt::seed_numbered_table(*db_, "backfill-src", kItems);
  std::mutex mutex;
  std::multiset<int> seen;
  const BackfillFn fn = [&](const Item& item) {
    {
      std::lock_guard guard(mutex);
      seen.insert(dt::item_number(item));
    }
    return double_amount(item);
  };
  std::vector<BackfillProgress> reports;
  auto s = spec(table);
  s.on_progress = [&](const BackfillProgress& p) { reports.push_back(p); };
  const SegmentJob job{"20250101000000_double", "job-a"};
  const auto result = backfill::run_backfill(*db_, segments(), job, s, fn, options());
  EXPECT_EQ(result.segments, 4);
  EXPECT_EQ(result.scanned, kItems);
  EXPECT_EQ(result.written, kItems);
  EXPECT_EQ(result.skipped, 0);
  EXPECT_EQ(result.failed, 0);
  EXPECT_GT(result.read_units, 0);
  EXPECT_GE(result.write_units, kItems);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kItems));
  for (int n = 0; n < kItems; ++n) ASSERT_EQ(seen.count(n), 1U) << n;
  expect_doubled_once(*db_, table, kItems);
  for (const auto& r : segments().list_segments(job)) EXPECT_EQ(r.state, SegmentState::kDone);
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().done, kItems);
  ASSERT_EQ(reports.back().segments.size(), 4U);
  for (const auto& seg : reports.back().segments) EXPECT_EQ(seg.state, "done");

  // The same job again: every segment is done, nothing is read.
  seen.clear();
  const auto again = backfill::run_backfill(*db_, segments(), job, s, fn, options());
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(again.scanned, kItems);
  EXPECT_EQ(again.written, kItems);

  // A new job over the same table: the helper makes every write a no-op.
  const auto rerun = backfill::run_backfill(*db_, segments(), {job.migration_id, "job-b"}, s, fn, options());
  EXPECT_EQ(rerun.written, 0);
  EXPECT_EQ(rerun.skipped, kItems);
  expect_doubled_once(*db_, table, kItems);
}

TEST_F(BackfillEngineTest, ACrashBetweenPagesIsResumedFromTheCursorsWithNothingMissed) {
  constexpr int kItems = 2'000;
  const auto table = dt::seed_numbered_table(*db_, "backfill-src", kItems);
  const SegmentJob job{"20250101000000_double", "job-crash"};
  std::atomic<int> pages{0};
  auto crashing = options();
  crashing.after_page_writes = [&](int, std::size_t) {
    if (++pages == 6) throw std::runtime_error("killed");  // writes made, cursor not saved
  };
  EXPECT_THROW(backfill::run_backfill(*db_, segments(), job, spec(table), double_amount, crashing),
               std::runtime_error);
  const auto left = segments().list_segments(job);
  ASSERT_EQ(left.size(), 4U);
  std::int64_t saved = 0;
  bool unfinished = false;
  for (const auto& r : left) {
    saved += r.counts.scanned;
    unfinished = unfinished || !r.terminal();
  }
  EXPECT_TRUE(unfinished);
  EXPECT_LT(saved, kItems);

  // The next run (another coordinator) takes the dead threads' segments over at once.
  const auto result = backfill::run_backfill(*db_, segments(), job, spec(table), double_amount, options());
  EXPECT_EQ(result.scanned, kItems);  // exact: counts are saved with their cursor
  EXPECT_EQ(result.written + result.skipped, kItems);
  EXPECT_GT(result.skipped, 0);  // the crashed pages, re-processed, found their version
  EXPECT_EQ(result.failed, 0);
  expect_doubled_once(*db_, table, kItems);
}

TEST_F(BackfillEngineTest, ADryRunReadsAndCountsButWritesNothing) {
  constexpr int kItems = 1'000;
  const auto table = dt::seed_numbered_table(*db_, "backfill-src", kItems);
  auto s = spec(table);
  s.dry_run = true;
  const SegmentJob job{"20250101000000_double", "job-dry"};
  const auto result = backfill::run_backfill(*db_, segments(), job, s, double_amount, options());
  EXPECT_TRUE(result.dry_run);
  EXPECT_EQ(result.scanned, kItems);
  EXPECT_EQ(result.written, kItems);  // that would have been made
  EXPECT_DOUBLE_EQ(result.write_units, 0);
  EXPECT_TRUE(segments().list_segments(job).empty());
  for (const auto& [n, item] : dt::read_numbered_items(*db_, table)) {
    ASSERT_EQ(item.at("amount").as_int(), n);
    ASSERT_FALSE(item.contains("version"));
  }
}

TEST_F(BackfillEngineTest, FailingItemsAreRecordedUpToTheCapThenContinueOrFail) {
  constexpr int kItems = 1'000;
  const auto table = dt::seed_numbered_table(*db_, "backfill-src", kItems);
  std::atomic<int> calls_of_7{0};
  const BackfillFn fn = [&](const Item& item) {
    if (dt::item_number(item) % 100 == 7) {
      if (dt::item_number(item) == 7) ++calls_of_7;
      throw std::runtime_error("bad item " + item.at("id").as_string());
    }
    return double_amount(item);
  };
  auto s = spec(table);
  s.errors.retries = 2;
  s.errors.backoff = std::chrono::milliseconds(1);
  s.errors.max_errors = 5;
  s.errors.on_error = BackfillOnError::kContinue;
  const auto result =
      backfill::run_backfill(*db_, segments(), {"20250101000000_double", "job-continue"}, s, fn, options());
  EXPECT_EQ(result.scanned, kItems);
  EXPECT_EQ(result.failed, 10);
  EXPECT_EQ(result.written, kItems - 10);
  EXPECT_EQ(calls_of_7.load(), 3);  // the first try and two retries
  ASSERT_EQ(result.errors.size(), 5U);
  EXPECT_NE(result.errors[0].message.find("fn: bad item item-"), std::string::npos);
  EXPECT_NE(result.errors[0].key.find(R"("id":{"S":"item-)"), std::string::npos);

  const auto table2 = dt::seed_numbered_table(*db_, "backfill-src", kItems);
  s.table = table2;
  s.errors.on_error = BackfillOnError::kFail;
  try {
    backfill::run_backfill(*db_, segments(), {"20250101000000_double", "job-fail"}, s, fn, options());
    FAIL() << "expected BackfillFailed";
  } catch (const BackfillFailed& e) {
    EXPECT_NE(std::string(e.what()).find("more than 5 items failed"), std::string::npos);
    EXPECT_LE(e.result().failed, 10);
    EXPECT_LT(e.result().scanned, kItems);  // stopped early
  }
}

// A Context for ctx.backfill without a runner: its services, progress and stop flag by hand.
class TestContext final : public Context {
 public:
  TestContext(aws::DynamoDbClient& db, SegmentStore& segments, Json progress)
      : db_(db), segments_(segments), progress_(std::move(progress)) {}
  Logger& logger() override { return logger_; }
  const Json& config() const override { return config_; }
  std::any& user_context() override { return user_; }
  const std::string& migration_id() const override { return id_; }
  const std::string& execution_id() const override { return execution_; }
  Direction direction() const override { return Direction::kUp; }
  std::chrono::milliseconds time_remaining() const override { return std::chrono::milliseconds::max(); }
  bool should_stop() const override { return stop_ && stop_(); }
  void checkpoint(const Json& progress) override {
    progress_ = progress;
    ++checkpoints_;
  }
  const Json& progress() const override { return progress_; }
  void report_progress(std::int64_t done, std::optional<std::int64_t> total, std::string_view unit) override {
    reports_.push_back({done, total, std::string(unit)});
  }

  struct Report {
    std::int64_t done;
    std::optional<std::int64_t> total;
    std::string unit;
  };
  std::function<bool()> stop_;
  int checkpoints_ = 0;
  std::vector<Report> reports_;
  std::vector<std::string> lines_;

 protected:
  std::any service(std::string_view name) override {
    if (name == "dynamodb") return &db_;
    if (name == kSegmentStoreService) return &segments_;
    return {};
  }

 private:
  class Lines final : public Logger {
   public:
    explicit Lines(std::vector<std::string>& lines) : lines_(lines) {}
    void write(LogLevel, std::string_view message, const Json&) override { lines_.emplace_back(message); }

   private:
    std::vector<std::string>& lines_;
  };
  aws::DynamoDbClient& db_;
  SegmentStore& segments_;
  Json progress_;
  Json config_ = Json::object();
  std::any user_;
  std::string id_ = "20250101000000_ctx";
  std::string execution_ = "exec-1";
  Lines logger_{lines_};
};

TEST_F(BackfillEngineTest, CtxBackfillKeepsItsJobInProgressAndAStoppedRunResumes) {
  constexpr int kItems = 1'200;
  const auto table = dt::seed_numbered_table(*db_, "backfill-src", kItems);
  auto s = spec(table);
  s.workers = "threads:2";

  TestContext first(*db_, segments(), nullptr);
  std::atomic<int> items{0};
  first.stop_ = [&] { return items.load() >= 300; };
  const BackfillFn fn = [&](const Item& item) {
    ++items;
    return double_amount(item);
  };
  bool suspended = false;
  try {
    first.backfill(s, fn);
  } catch (const detail::SuspendSignal&) {
    suspended = true;
  }
  ASSERT_TRUE(suspended);
  const std::string job = first.progress().at("auric_backfill").at("backfill").get<std::string>();
  ASSERT_FALSE(job.empty());
  for (const auto& r : segments().list_segments({"20250101000000_ctx", job})) {
    EXPECT_EQ(r.owner, "") << "a stopped run releases its segments";
  }

  TestContext second(*db_, segments(), first.progress());
  const auto result = second.backfill(s, fn);
  EXPECT_EQ(result.job_id, job);
  EXPECT_EQ(result.scanned, kItems);
  EXPECT_EQ(result.written, kItems);  // a stop saves whole pages: nothing to redo
  EXPECT_EQ(second.checkpoints_, 0);  // the job id was already there
  // The default on_progress reports the whole job's items read to ctx.report_progress after
  // every saved page, never going back, ending at the table's size.
  ASSERT_FALSE(second.reports_.empty());
  EXPECT_GE(second.reports_.front().done, first.reports_.empty() ? 0 : first.reports_.back().done);
  for (std::size_t i = 1; i < second.reports_.size(); ++i)
    EXPECT_GE(second.reports_[i].done, second.reports_[i - 1].done);
  EXPECT_EQ(second.reports_.back().done, kItems);
  EXPECT_EQ(second.reports_.back().unit, "items");
  expect_doubled_once(*db_, table, kItems);
}

TEST_F(BackfillEngineTest, ABadSpecIsRefusedBeforeAnyRequest) {
  BackfillSpec s;
  EXPECT_THROW(backfill::run_backfill(*db_, segments(), {"m", "j"}, s, double_amount, options()),
               std::invalid_argument);
  s.table = "t";
  s.page_size = 0;
  EXPECT_THROW(backfill::run_backfill(*db_, segments(), {"m", "j"}, s, double_amount, options()),
               std::invalid_argument);
}

}  // namespace
}  // namespace auric
