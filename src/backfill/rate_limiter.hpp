// Rate limiting for backfills (docs/backfills.md, "Rate limiting"): a token bucket per resource
// (read or write capacity units per second) for the whole job, charged first with an estimate
// and then settled with the capacity DynamoDB reports (ReturnConsumedCapacity), with an
// additive-increase / multiplicative-decrease of the rate on throttling. Time comes from a
// BackfillClock, so tests run on a simulated one. RateLimiter is thread-safe; TokenBucket is not.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace auric::backfill {

// Time for the engine and the limiter: the system clock, or a simulated one in tests.
class BackfillClock {
 public:
  virtual ~BackfillClock() = default;
  virtual std::int64_t now_ms() = 0;
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

// The system clock (thread-safe).
BackfillClock& system_clock();

// Seconds of the limit the bucket holds when full: a burst may take this much on top of the
// rate, which keeps any 10 s window within 5 % of the limit (plus one request's estimate error).
inline constexpr double kBurstSeconds = 0.5;

class TokenBucket {
 public:
  // Full bucket of `rate * kBurstSeconds` tokens (at least 1) at `now_ms`.
  TokenBucket(double rate_per_second, std::int64_t now_ms);

  // Milliseconds until `cost` (capped at the bucket's size) is available; 0 when it is now.
  std::int64_t wait_ms(double cost, std::int64_t now_ms);
  // Takes `cost` now (the balance may go below zero: a debt later requests wait out).
  void take(double cost, std::int64_t now_ms);
  // Adds `amount` back (a negative amount charges more), capped at the size.
  void give(double amount, std::int64_t now_ms);

  // Changes the refill rate (the size follows it).
  void set_rate(double rate_per_second, std::int64_t now_ms);
  double rate() const { return rate_; }
  double balance() const { return tokens_; }

 private:
  void refill(std::int64_t now_ms);
  double rate_;
  double size_;
  double tokens_;
  std::int64_t at_ms_;
};

// One resource's budget for a whole job, shared by its workers. A limit of 0 means unlimited
// (every call returns at once).
class RateLimiter {
 public:
  RateLimiter(double limit_per_second, BackfillClock& clock);

  // Waits until `estimate` units may be spent, then takes them.
  void acquire(double estimate);
  // Corrects an acquire(estimate) with what the request really consumed.
  void settle(double estimate, double actual);
  // DynamoDB throttled a request: halve the rate (not below 5 % of the limit).
  void throttled();
  // A request went through: give back 2 % of the limit, up to the limit.
  void succeeded();

  double limit() const { return limit_; }
  double rate() const;

 private:
  double limit_;
  BackfillClock& clock_;
  mutable std::mutex mutex_;
  TokenBucket bucket_;
};

// A worker's share of a job's limit when the budget is split across `workers` processes that
// cannot share one bucket (Lambda or Fargate workers; not used by threads, which share one).
double worker_share(double limit_per_second, int workers);

}  // namespace auric::backfill
