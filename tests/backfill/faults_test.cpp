// The backfill under injected faults (issue 14): a threads:4 backfill of 2,000 items whose
// source table AND segment store (a DynamoDB store) both go through fault proxies failing 20 %
// of requests (throttling, 500/503, resets before and after forwarding; one proxy each, so that
// the store's share of the faults is seen on its own). The AWS layer's retries and the
// engine's ride them out, and the counts stay exact: a write whose response was lost is
// re-sent, finds the version it set and counts as skipped, so written + skipped is exact; a
// cursor save re-sent after a lost response still matches its owner and fence (a save does not
// move the fence), and a re-sent claim matches its own owner (and returns the fence it left),
// so no segment is fenced out spuriously and no page is processed twice. Then the same with a
// crash between a page's writes and its cursor save, resumed by a second run: only the pages in
// flight are processed again. Everything is read back around the proxies.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <auric/backfill.hpp>

#include "aws/dynamodb.hpp"
#include "backfill/engine.hpp"
#include "core/segment_store.hpp"
#include "dynamodb_support.hpp"
#include "fault_proxy.hpp"

namespace auric {
namespace {

using aws::AttributeValue;
using aws::Item;
using aws::testing::FaultConfig;
using aws::testing::FaultProxy;
namespace dt = dynamodb_testing;

constexpr int kItems = 2'000;
constexpr int kThreads = 4;
constexpr int kPageSize = 100;
// Enough attempts for a 20 % failure rate (the runner's fault test uses the same): ten failures
// in a row are ~1e-7 likely per request.
constexpr int kMaxAttempts = 10;
constexpr std::uint64_t kDataSeed = 1414;
constexpr std::uint64_t kStoreSeed = 2121;

class BackfillFaults : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dt::dynalite(); }

  void SetUp() override {
    direct_ = std::make_unique<aws::DynamoDbClient>(dt::client_config());
    table_ = dt::seed_numbered_table(*direct_, "backfill-faults", kItems);
    const std::string store_table = dt::unique_table("backfill-faults-store");
    dt::open_test_store(store_table)->init();
    direct_store_ = dt::open_test_store(store_table);  // reads back around the proxy
    data_proxy_ =
        std::make_unique<FaultProxy>(dt::dynalite().endpoint(), FaultConfig::uniform(0.20, kDataSeed));
    store_proxy_ =
        std::make_unique<FaultProxy>(dt::dynalite().endpoint(), FaultConfig::uniform(0.20, kStoreSeed));
    proxied_ =
        std::make_unique<aws::DynamoDbClient>(dt::client_config(data_proxy_->endpoint(), kMaxAttempts));
    proxied_store_ = dt::open_test_store(store_table, store_proxy_->endpoint(), kMaxAttempts);
  }

  BackfillSpec spec() const {
    BackfillSpec s;
    s.table = table_;
    s.total_segments = 8;  // twice the workers: more claims, and cursor saves of several segments each
    s.page_size = kPageSize;
    return s;
  }
  static backfill::EngineOptions options() {
    backfill::EngineOptions o;
    o.threads = kThreads;
    o.poll = std::chrono::milliseconds(20);
    return o;
  }

  // Doubles `amount` exactly once in effect, counting fn's calls per item.
  BackfillFn counting_fn() {
    return [this](const Item& item) -> BackfillWrites {
      calls_[static_cast<std::size_t>(dt::item_number(item))].fetch_add(1);
      return {BackfillWrite::update({{"id", item.at("id")}}, "SET amount = :doubled", {},
                                    {{":doubled", AttributeValue::number(2 * item.at("amount").as_int())}})
                  .only_if_version_below("version", 1)};
    };
  }

  // The exact totals of a completed job, from the result and from the store read directly.
  void expect_exact_and_done(const BackfillResult& result, const SegmentJob& job) {
    EXPECT_FALSE(result.stopped);
    EXPECT_EQ(result.scanned, kItems);
    EXPECT_EQ(result.written + result.skipped, kItems)
        << "written " << result.written << ", skipped " << result.skipped;
    EXPECT_EQ(result.failed, 0);
    EXPECT_TRUE(result.errors.empty()) << result.errors.front().key << ": " << result.errors.front().message;
    const auto records = direct_store_->segments()->list_segments(job);
    ASSERT_EQ(records.size(), 8U);
    SegmentCounts total;
    for (const auto& r : records) {
      EXPECT_EQ(r.state, SegmentState::kDone) << "segment " << r.segment;
      EXPECT_TRUE(r.cursor.empty()) << "segment " << r.segment;
      total += r.counts;
    }
    EXPECT_EQ(total.scanned, result.scanned);
    EXPECT_EQ(total.written, result.written);
    EXPECT_EQ(total.skipped, result.skipped);
    EXPECT_EQ(dt::items_not_doubled_once(*direct_, table_, kItems, 1), 0)
        << "items missing or not doubled exactly once";
    std::printf("scanned %lld, written %lld, skipped %lld, failed %lld\n",
                static_cast<long long>(result.scanned), static_cast<long long>(result.written),
                static_cast<long long>(result.skipped), static_cast<long long>(result.failed));
  }

  // Every kind of fault hit the source table's requests (~2,500 of them: thousands to one
  // against any kind missing), and the store's (~50 requests: ~1e-5 against none at all).
  void expect_faults_injected() const {
    const auto data = data_proxy_->stats();
    const auto store = store_proxy_->stats();
    EXPECT_GT(data.throttled, 0U);
    EXPECT_GT(data.server_errors, 0U);
    EXPECT_GT(data.resets, 0U);
    EXPECT_GT(data.requests, data.forwarded) << "some requests never reached dynalite";
    EXPECT_GT(store.throttled + store.server_errors + store.resets, 0U) << "the segment store saw no fault";
    const auto line = [](const char* what, const aws::testing::ProxyStats& s) {
      std::printf("%s: %llu requests, %llu throttled, %llu 5xx, %llu resets\n", what,
                  static_cast<unsigned long long>(s.requests), static_cast<unsigned long long>(s.throttled),
                  static_cast<unsigned long long>(s.server_errors),
                  static_cast<unsigned long long>(s.resets));
    };
    line("source table", data);
    line("segment store", store);
  }

  struct CallCounts {
    int never = 0;  // items fn did not see
    int twice = 0;  // items fn saw twice
    int more = 0;   // items fn saw more than twice
  };
  CallCounts call_counts() const {
    CallCounts c;
    for (const auto& n : calls_) {
      const int v = n.load();
      c.never += v == 0 ? 1 : 0;
      c.twice += v == 2 ? 1 : 0;
      c.more += v > 2 ? 1 : 0;
    }
    return c;
  }

  std::unique_ptr<aws::DynamoDbClient> direct_;
  std::string table_;
  std::unique_ptr<Store> direct_store_;
  std::unique_ptr<FaultProxy> data_proxy_;  // before the clients that use them: destroyed after them
  std::unique_ptr<FaultProxy> store_proxy_;
  std::unique_ptr<aws::DynamoDbClient> proxied_;
  std::unique_ptr<Store> proxied_store_;
  std::vector<std::atomic<int>> calls_ = std::vector<std::atomic<int>>(kItems);
};

TEST_F(BackfillFaults, FourThreadsUnderTwentyPercentFaultsEndWithExactCounts) {
  const SegmentJob job{"20250101000000_double", "job-faults"};
  const auto result =
      backfill::run_backfill(*proxied_, *proxied_store_->segments(), job, spec(), counting_fn(), options());
  expect_exact_and_done(result, job);
  // A write whose response was lost (a reset after forwarding) is re-sent and finds its own
  // version: skipped, not written. Resets after forwarding are 5 % of ~2,000 writes.
  EXPECT_GT(result.skipped, 0) << "no write lost its response: the test did not exercise that path";
  // No crash and no spurious fencing: fn saw every item exactly once.
  const auto calls = call_counts();
  EXPECT_EQ(calls.never, 0);
  EXPECT_EQ(calls.twice + calls.more, 0) << "a page was processed again: a claim or save was fenced out";
  expect_faults_injected();
}

TEST_F(BackfillFaults, ACrashUnderTwentyPercentFaultsIsResumedWithExactCounts) {
  const SegmentJob job{"20250101000000_double", "job-faults-crash"};
  std::atomic<int> pages{0};
  auto crashing = options();
  crashing.after_page_writes = [&](int, std::size_t) {
    if (++pages == 6) throw std::runtime_error("killed");  // writes made, cursor not saved
  };
  try {
    backfill::run_backfill(*proxied_, *proxied_store_->segments(), job, spec(), counting_fn(), crashing);
    FAIL() << "the first run should have crashed";
  } catch (const std::runtime_error& e) {
    ASSERT_STREQ(e.what(), "killed") << "the first run ended by another error";
  }
  const auto left = direct_store_->segments()->list_segments(job);
  ASSERT_EQ(left.size(), 8U);
  std::int64_t saved = 0;
  bool unfinished = false;
  for (const auto& r : left) {
    saved += r.counts.scanned;
    unfinished = unfinished || !r.terminal();
  }
  EXPECT_TRUE(unfinished);
  EXPECT_LT(saved, kItems);

  // Another coordinator takes the dead threads' segments over at once, still through the faults.
  const auto result =
      backfill::run_backfill(*proxied_, *proxied_store_->segments(), job, spec(), counting_fn(), options());
  expect_exact_and_done(result, job);
  // Each worker had at most one page written and not saved when the run died.
  const auto calls = call_counts();
  EXPECT_EQ(calls.never, 0);
  EXPECT_EQ(calls.more, 0) << "items fn saw more than twice";
  EXPECT_GT(calls.twice, 0) << "the crashed page was not processed again";
  EXPECT_LE(calls.twice, kThreads * kPageSize);
  std::printf("items processed twice: %d\n", calls.twice);
  EXPECT_GE(result.skipped, calls.twice)
      << "a re-processed item's write had applied: skipped the second time";
  expect_faults_injected();
}

}  // namespace
}  // namespace auric
