// Simulated time for the backfill tests: sleeping moves it forward at once (at least 1 ms), and
// an optional hook sees each new time, so that a test can act "while" the code under test waits.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>

#include "backfill/rate_limiter.hpp"

namespace auric::backfill::testing {

class SimulatedClock final : public BackfillClock {
 public:
  explicit SimulatedClock(std::int64_t start_ms = 0) : now_(start_ms) {}
  std::int64_t now_ms() override { return now_; }
  void sleep_for(std::chrono::milliseconds duration) override {
    now_ += std::max<std::int64_t>(1, duration.count());
    if (on_sleep) on_sleep(now_);
  }
  void advance(std::int64_t ms) { now_ += ms; }

  std::function<void(std::int64_t)> on_sleep;  // after each sleep, with the new time

 private:
  std::int64_t now_;
};

}  // namespace auric::backfill::testing
