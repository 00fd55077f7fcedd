// The job's rate limit on a simulated clock: never more than 10 % over the limit in any 10 s
// window, whatever the estimates' errors; throttling halves the rate and successes restore it.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>

#include "backfill/rate_limiter.hpp"
#include "simulated_clock.hpp"

namespace auric::backfill {
namespace {

using testing::SimulatedClock;
constexpr std::int64_t kStart = 1'000'000;

TEST(TokenBucket, StartsFullThenRefillsAtTheRate) {
  TokenBucket bucket(100, 0);
  EXPECT_DOUBLE_EQ(bucket.balance(), 50);  // kBurstSeconds of the rate
  EXPECT_EQ(bucket.wait_ms(50, 0), 0);
  bucket.take(50, 0);
  EXPECT_EQ(bucket.wait_ms(10, 0), 100);  // 10 units at 100/s
  EXPECT_EQ(bucket.wait_ms(10, 100), 0);
  bucket.take(80, 100);  // a debt: later requests wait it out
  EXPECT_EQ(bucket.wait_ms(1, 100), 710);
  bucket.give(1'000, 100);  // capped at the size
  EXPECT_DOUBLE_EQ(bucket.balance(), 50);
}

// Workers in round robin, each request estimated from the previous one and settled with what
// it "consumed" (0.3x to 2x the estimate, sometimes a 1 MB scan page of 128 units).
TEST(RateLimiter, NeverExceedsTheLimitByMoreThanTenPercentInAnyTenSecondWindow) {
  for (const double limit : {5.0, 40.0, 250.0, 1'000.0}) {
    SimulatedClock clock(kStart);
    RateLimiter limiter(limit, clock);
    std::mt19937 random(42);
    std::uniform_real_distribution<double> factor(0.3, 2.0);
    std::deque<std::pair<std::int64_t, double>> spent;  // (time, units)
    double estimate = 1;
    double worst = 0;
    const std::int64_t start = clock.now_ms();
    while (clock.now_ms() - start < 300'000) {
      limiter.acquire(estimate);
      // Pages of varying size: what a request consumes is 0.3x to 2x a typical 4 units, now
      // and then a whole 1 MB page (128 units); the next estimate is the last request's cost.
      const double actual = (random() % 50 == 0) ? 128.0 : 4 * factor(random);
      limiter.settle(estimate, actual);
      spent.emplace_back(clock.now_ms(), actual);
      estimate = std::max(0.5, actual);
      clock.advance(static_cast<std::int64_t>(random() % 5));  // request latency
      while (!spent.empty() && spent.front().first <= clock.now_ms() - 10'000) spent.pop_front();
      double window = 0;
      for (const auto& [at, units] : spent) window += units;
      worst = std::max(worst, window);
    }
    // 10 % holds while one request is small beside the 10 s budget (a 128-unit page is 5 % of
    // 2,500); below that, one request's overshoot is bounded by its own size.
    const double allowed = limit * 10 >= 2'000 ? limit * 10 * 1.10 : limit * 10 + 128 + limit * kBurstSeconds;
    EXPECT_LE(worst, allowed) << "limit " << limit;
    EXPECT_GE(worst, limit * 10 * 0.8) << "limit " << limit << ": the budget should be used";
  }
}

TEST(RateLimiter, ThrottlingHalvesTheRateAndSuccessesRestoreIt) {
  SimulatedClock clock(kStart);
  RateLimiter limiter(100, clock);
  limiter.throttled();
  EXPECT_DOUBLE_EQ(limiter.rate(), 50);
  for (int i = 0; i < 10; ++i) limiter.throttled();
  EXPECT_DOUBLE_EQ(limiter.rate(), 5);  // not below 5 % of the limit
  for (int i = 0; i < 100; ++i) limiter.succeeded();
  EXPECT_DOUBLE_EQ(limiter.rate(), 100);  // and never above it
}

TEST(RateLimiter, ZeroMeansUnlimited) {
  SimulatedClock clock(kStart);
  RateLimiter limiter(0, clock);
  const auto before = clock.now_ms();
  for (int i = 0; i < 1'000; ++i) limiter.acquire(1'000);
  EXPECT_EQ(clock.now_ms(), before);
  EXPECT_DOUBLE_EQ(worker_share(100, 4), 25);
}

}  // namespace
}  // namespace auric::backfill
