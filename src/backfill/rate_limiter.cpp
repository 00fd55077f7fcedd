#include "backfill/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

namespace auric::backfill {
namespace {

class SystemClock final : public BackfillClock {
 public:
  std::int64_t now_ms() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void sleep_for(std::chrono::milliseconds duration) override { std::this_thread::sleep_for(duration); }
};

double size_for(double rate) {
  return std::max(rate * kBurstSeconds, 1.0);
}

}  // namespace

BackfillClock& system_clock() {
  static SystemClock clock;
  return clock;
}

TokenBucket::TokenBucket(double rate_per_second, std::int64_t now_ms)
    : rate_(rate_per_second), size_(size_for(rate_per_second)), tokens_(size_), at_ms_(now_ms) {}

void TokenBucket::refill(std::int64_t now_ms) {
  if (now_ms > at_ms_) {
    tokens_ = std::min(size_, tokens_ + rate_ * static_cast<double>(now_ms - at_ms_) / 1000.0);
    at_ms_ = now_ms;
  }
}

std::int64_t TokenBucket::wait_ms(double cost, std::int64_t now_ms) {
  refill(now_ms);
  const double needed = std::min(cost, size_);
  if (tokens_ >= needed) return 0;
  if (rate_ <= 0) return 1000;
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil((needed - tokens_) * 1000.0 / rate_)));
}

void TokenBucket::take(double cost, std::int64_t now_ms) {
  refill(now_ms);
  tokens_ -= cost;
}

void TokenBucket::give(double amount, std::int64_t now_ms) {
  refill(now_ms);
  tokens_ = std::min(size_, tokens_ + amount);
}

void TokenBucket::set_rate(double rate_per_second, std::int64_t now_ms) {
  refill(now_ms);
  rate_ = rate_per_second;
  size_ = size_for(rate_per_second);
  tokens_ = std::min(tokens_, size_);
}

RateLimiter::RateLimiter(double limit_per_second, BackfillClock& clock)
    : limit_(std::max(0.0, limit_per_second)), clock_(clock), bucket_(limit_, clock.now_ms()) {}

void RateLimiter::acquire(double estimate) {
  if (limit_ <= 0) return;
  for (;;) {
    std::int64_t wait = 0;
    {
      std::lock_guard guard(mutex_);
      const auto now = clock_.now_ms();
      wait = bucket_.wait_ms(estimate, now);
      if (wait == 0) {
        bucket_.take(estimate, now);
        return;
      }
    }
    clock_.sleep_for(std::chrono::milliseconds(wait));
  }
}

void RateLimiter::settle(double estimate, double actual) {
  if (limit_ <= 0) return;
  std::lock_guard guard(mutex_);
  bucket_.give(estimate - actual, clock_.now_ms());
}

void RateLimiter::throttled() {
  if (limit_ <= 0) return;
  std::lock_guard guard(mutex_);
  bucket_.set_rate(std::max(limit_ * 0.05, bucket_.rate() * 0.5), clock_.now_ms());
}

void RateLimiter::succeeded() {
  if (limit_ <= 0) return;
  std::lock_guard guard(mutex_);
  if (bucket_.rate() < limit_)
    bucket_.set_rate(std::min(limit_, bucket_.rate() + limit_ * 0.02), clock_.now_ms());
}

double RateLimiter::rate() const {
  std::lock_guard guard(mutex_);
  return bucket_.rate();
}

double worker_share(double limit_per_second, int workers) {
  return workers <= 0 ? limit_per_second : limit_per_second / workers;
}

}  // namespace auric::backfill
