// The SegmentStore contract on every backend that keeps segments (memory, SQLite, DynamoDB on
// dynalite): claims race, leases expire and are taken over with a new fence and the saved
// cursor, a fenced-out worker's save is refused, a duplicate delivery claims nothing.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "core/segment_store.hpp"
#include "dynamodb_support.hpp"
#include "store/memory_store.hpp"
#include "store/sqlite_store.hpp"

namespace auric {
namespace {

using Factory = std::function<std::unique_ptr<Store>()>;

// This process's scratch folder for SQLite files, removed when its tests end.
std::filesystem::path scratch_dir() {
  static const auto dir = [] {
    auto path =
        std::filesystem::temp_directory_path() / ("auric-segment-tests-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
    struct Cleanup : ::testing::Environment {
      explicit Cleanup(std::filesystem::path p) : path(std::move(p)) {}
      void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
      }
      std::filesystem::path path;
    };
    ::testing::AddGlobalTestEnvironment(new Cleanup(path));
    return path;
  }();
  return dir;
}

// A new SQLite store file per test.
std::unique_ptr<Store> open_sqlite_test_store() {
  static int counter = 0;
  return open_sqlite_store((scratch_dir() / ("segments-" + std::to_string(++counter) + ".db")).string());
}

struct Backend {
  const char* name;
  Factory open;
};

class SegmentStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    store_ = GetParam().open();
    store_->init();
    segments_ = store_->segments();
    ASSERT_NE(segments_, nullptr);
  }

  SegmentClaim claim(int segment, const std::string& owner, std::int64_t now,
                     std::int64_t ttl = 1'000) const {
    SegmentClaim c;
    c.job = job_;
    c.segment = segment;
    c.owner = owner;
    c.now_ms = now;
    c.ttl_ms = ttl;
    return c;
  }

  std::unique_ptr<Store> store_;
  SegmentStore* segments_ = nullptr;
  SegmentJob job_{"20250101000000_backfill", "job-1"};
};

TEST_P(SegmentStoreTest, CreateMakesPendingSegmentsOnceAndKeepsTheFirstCount) {
  const auto created = segments_->create_segments(job_, 4, 100);
  ASSERT_EQ(created.size(), 4U);
  for (int n = 0; n < 4; ++n) {
    EXPECT_EQ(created[n].segment, n);
    EXPECT_EQ(created[n].total_segments, 4);
    EXPECT_EQ(created[n].state, SegmentState::kPending);
    EXPECT_EQ(created[n].owner, "");
  }
  const auto again = segments_->create_segments(job_, 8, 200);  // a resumed job keeps its count
  EXPECT_EQ(again, created);
  EXPECT_EQ(segments_->list_segments(job_), created);
  EXPECT_TRUE(segments_->list_segments({job_.migration_id, "other"}).empty());
  EXPECT_TRUE(store_->list_states().empty());  // segments never leak into the records
}

TEST_P(SegmentStoreTest, OfTwoClaimersExactlyOneWins) {
  segments_->create_segments(job_, 1, 0);
  std::atomic<int> wins{0};
  std::vector<std::thread> claimers;
  for (int i = 0; i < 8; ++i) {
    claimers.emplace_back([&, i] {
      if (segments_->claim_segment(claim(0, "worker-" + std::to_string(i), 10))) ++wins;
    });
  }
  for (auto& t : claimers) t.join();
  EXPECT_EQ(wins.load(), 1);
  const auto stored = segments_->list_segments(job_).at(0);
  EXPECT_EQ(stored.state, SegmentState::kRunning);
  EXPECT_EQ(stored.fence, 1);
  EXPECT_EQ(stored.lease_expires_at, 1'010);
}

TEST_P(SegmentStoreTest, ADuplicateDeliveryClaimsNothingWhileTheLeaseRuns) {
  segments_->create_segments(job_, 2, 0);
  ASSERT_TRUE(segments_->claim_segment(claim(0, "a", 10)));
  EXPECT_FALSE(segments_->claim_segment(claim(0, "a-duplicate", 500)));
  // The holder itself may claim again (a retried request): same owner, next fence.
  const auto again = segments_->claim_segment(claim(0, "a", 20));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->fence, 2);
}

TEST_P(SegmentStoreTest, TakeoverAfterExpiryResumesFromTheCursorAndFencesTheOldHolderOut) {
  segments_->create_segments(job_, 1, 0);
  auto first = segments_->claim_segment(claim(0, "a", 10));
  ASSERT_TRUE(first);
  first->cursor = R"({"id":{"S":"item-0042"}})";
  first->counts.scanned = 42;
  first->counts.written = 40;
  first->counts.skipped = 2;
  first->lease_expires_at = 1'500;
  first->updated_at = 500;
  ASSERT_EQ(segments_->save_segment(*first, false), WriteOutcome::kOk);

  EXPECT_FALSE(segments_->claim_segment(claim(0, "b", 1'499)));  // still held
  const auto taken = segments_->claim_segment(claim(0, "b", 1'500));
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->owner, "b");
  EXPECT_EQ(taken->fence, first->fence + 1);
  EXPECT_EQ(taken->cursor, first->cursor);
  EXPECT_EQ(taken->counts, first->counts);

  // The old holder wakes up: its save is refused and changes nothing.
  auto late = *first;
  late.cursor = R"({"id":{"S":"item-0099"}})";
  late.counts.scanned = 99;
  EXPECT_EQ(segments_->save_segment(late, false), WriteOutcome::kFenced);
  EXPECT_EQ(segments_->list_segments(job_).at(0), *taken);
}

TEST_P(SegmentStoreTest, ReleaseFreesTheSegmentAndDoneIsFinal) {
  segments_->create_segments(job_, 1, 0);
  auto held = segments_->claim_segment(claim(0, "a", 10, 60'000));
  ASSERT_TRUE(held);
  held->cursor = R"({"id":{"S":"k"}})";
  ASSERT_EQ(segments_->save_segment(*held, true), WriteOutcome::kOk);
  auto stored = segments_->list_segments(job_).at(0);
  EXPECT_EQ(stored.owner, "");
  EXPECT_EQ(stored.state, SegmentState::kPending);
  EXPECT_EQ(stored.cursor, held->cursor);

  auto next = segments_->claim_segment(claim(0, "b", 20));  // at once, not after the lease
  ASSERT_TRUE(next);
  next->state = SegmentState::kDone;
  next->cursor.clear();
  next->errors.push_back({R"({"id":{"S":"bad"}})", "fn: boom"});
  ASSERT_EQ(segments_->save_segment(*next, false), WriteOutcome::kOk);
  EXPECT_FALSE(segments_->claim_segment(claim(0, "c", 1'000'000)));
  stored = segments_->list_segments(job_).at(0);
  EXPECT_EQ(stored.state, SegmentState::kDone);
  ASSERT_EQ(stored.errors.size(), 1U);
  EXPECT_EQ(stored.errors[0].message, "fn: boom");
}

TEST_P(SegmentStoreTest, ADeadHolderIsTakenOverOnlyWithItsExactOwnerAndFence) {
  segments_->create_segments(job_, 1, 0);
  const auto held = segments_->claim_segment(claim(0, "threads/old/0", 10, 60'000));
  ASSERT_TRUE(held);
  auto wrong = claim(0, "threads/new/0", 20);
  wrong.take_over_dead = SegmentClaim::DeadHolder{"threads/old/0", held->fence + 1};
  EXPECT_FALSE(segments_->claim_segment(wrong));
  auto right = claim(0, "threads/new/0", 20);
  right.take_over_dead = SegmentClaim::DeadHolder{"threads/old/0", held->fence};
  const auto taken = segments_->claim_segment(right);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->fence, held->fence + 1);
}

TEST_P(SegmentStoreTest, ErrorSamplesAreCapped) {
  std::vector<SegmentError> errors;
  for (int i = 0; i < 50; ++i) segment_rules::add_error(errors, {"k", std::string(1'000, 'x')});
  EXPECT_EQ(errors.size(), kMaxSegmentErrors);
  EXPECT_EQ(errors[0].message.size(), kMaxSegmentErrorChars);
  segments_->create_segments(job_, 1, 0);
  auto held = segments_->claim_segment(claim(0, "a", 10));
  ASSERT_TRUE(held);
  held->errors = errors;
  ASSERT_EQ(segments_->save_segment(*held, false), WriteOutcome::kOk);
  EXPECT_EQ(segments_->list_segments(job_).at(0).errors, errors);
}

INSTANTIATE_TEST_SUITE_P(Backends, SegmentStoreTest,
                         ::testing::Values(Backend{"memory", [] { return make_memory_store(); }},
                                           Backend{"sqlite", open_sqlite_test_store},
                                           Backend{"dynamodb",
                                                   [] {
                                                     return dynamodb_testing::open_test_store(
                                                         dynamodb_testing::unique_table("segments"));
                                                   }}),
                         [](const auto& test) { return std::string(test.param.name); });

}  // namespace
}  // namespace auric
