// The backfill at scale (issue 14): a table of 100,000 items on dynalite, written quickly with
// BatchWriteItem from a few threads, rewritten by a threads:8 backfill whose segments live in
// a DynamoDB store on the same dynalite (as a CLI run keeps them). Every item doubles exactly
// once (fn sees each item once, the table holds 2n and the version everywhere), the counts are
// exact, and every segment ends done with no cursor left. The figures (seeding and backfill
// rates) go to stdout and to the test's XML properties; none is asserted. Measured on the
// 2-core development machine under load (average 2-5): seeding 12-16 s (6,300-8,600 items/s),
// the backfill 50-61 s (1,600-2,000 items/s: dynalite's one Node process is the limit), the
// whole test 66-81 s.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <auric/backfill.hpp>

#include "aws/dynamodb.hpp"
#include "backfill/engine.hpp"
#include "core/segment_store.hpp"
#include "dynamodb_support.hpp"

namespace auric {
namespace {

using aws::AttributeValue;
using aws::Item;
using nlohmann::json;
namespace dt = dynamodb_testing;

constexpr int kItems = 100'000;
constexpr int kThreads = 8;
constexpr int kSeeders = 4;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(BackfillAtScale, EightThreadsRewriteAHundredThousandItemsExactlyOnceInEffect) {
  dt::dynalite();
  aws::DynamoDbClient db(dt::client_config());
  const std::string table = dt::unique_table("backfill-large");

  const auto seeding = std::chrono::steady_clock::now();
  dt::seed_numbered_items(db, table, kItems, kSeeders);  // from kSeeders threads
  const double seed_seconds = seconds_since(seeding);

  // The segments in a DynamoDB store on the same dynalite, as a CLI run against it keeps them.
  const auto store = dt::open_test_store(dt::unique_table("backfill-large-store"));
  store->init();
  SegmentStore& segments = *store->segments();

  std::vector<std::atomic<int>> calls(kItems);
  const BackfillFn fn = [&](const Item& item) -> BackfillWrites {
    calls[static_cast<std::size_t>(dt::item_number(item))].fetch_add(1);
    return {BackfillWrite::update({{"id", item.at("id")}}, "SET amount = :doubled", {},
                                  {{":doubled", AttributeValue::number(2 * item.at("amount").as_int())}})
                .only_if_version_below("version", 1)};
  };
  BackfillSpec spec;
  spec.table = table;  // total_segments derived: one per worker (the table is far below 1 GiB)
  backfill::EngineOptions options;
  options.threads = kThreads;
  const SegmentJob job{"20250101000000_double", "job-large"};

  const auto backfilling = std::chrono::steady_clock::now();
  const auto result = backfill::run_backfill(db, segments, job, spec, fn, options);
  const double backfill_seconds = seconds_since(backfilling);

  std::printf("seeded %d items in %.1f s (%.0f items/s); threads:%d backfill in %.1f s (%.0f items/s)\n",
              kItems, seed_seconds, kItems / seed_seconds, kThreads, backfill_seconds,
              kItems / backfill_seconds);
  ::testing::Test::RecordProperty("seed_items_per_second", static_cast<int>(kItems / seed_seconds));
  ::testing::Test::RecordProperty("backfill_items_per_second", static_cast<int>(kItems / backfill_seconds));

  EXPECT_EQ(result.segments, kThreads);
  EXPECT_FALSE(result.stopped);
  EXPECT_EQ(result.scanned, kItems);
  EXPECT_EQ(result.written, kItems);
  EXPECT_EQ(result.skipped, 0);
  EXPECT_EQ(result.failed, 0);
  EXPECT_TRUE(result.errors.empty());

  int never = 0;
  int again = 0;
  for (const auto& c : calls) {
    never += c.load() == 0 ? 1 : 0;
    again += c.load() > 1 ? 1 : 0;
  }
  EXPECT_EQ(never, 0) << "items fn never saw";
  EXPECT_EQ(again, 0) << "items fn saw more than once (no crash: none should be)";

  const auto records = segments.list_segments(job);
  ASSERT_EQ(records.size(), static_cast<std::size_t>(kThreads));
  std::int64_t scanned = 0;
  for (const auto& r : records) {
    EXPECT_EQ(r.state, SegmentState::kDone) << "segment " << r.segment;
    EXPECT_TRUE(r.cursor.empty()) << "segment " << r.segment;
    EXPECT_GT(r.counts.scanned, 0) << "segment " << r.segment << " read nothing";
    scanned += r.counts.scanned;
  }
  EXPECT_EQ(scanned, kItems);

  // The table itself: every amount doubled once, every item at version 1.
  EXPECT_EQ(dt::items_not_doubled_once(db, table, kItems, 1), 0)
      << "items missing or not doubled exactly once";
}

}  // namespace
}  // namespace auric
