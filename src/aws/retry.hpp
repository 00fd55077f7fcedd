// The standard retry mode: retry throttling, transient and 5xx errors and transient network
// failures, up to max_attempts in total, sleeping a capped exponential backoff with full
// jitter between attempts. Sleep and randomness are injectable for tests.
// A RetryPolicy is a value; the default sleeper and random source are thread-safe.
#pragma once

#include <chrono>
#include <functional>

#include "aws/environment.hpp"
#include "aws/errors.hpp"

namespace auric::aws {

struct RetryPolicy {
  // Total attempts, first one included (AWS_MAX_ATTEMPTS; default 3). 1 disables retries.
  int max_attempts = 3;
  std::chrono::milliseconds base{50};
  std::chrono::milliseconds cap{20000};
  // Sleeps for the given duration (tests record instead of sleeping).
  std::function<void(std::chrono::milliseconds)> sleeper;
  // Returns a uniform random number in [0, 1).
  std::function<double()> random;

  // The delay before retry number `retry` (1 for the first retry):
  // random() * min(cap, base * 2^(retry-1)).
  std::chrono::milliseconds backoff(int retry) const;
  // True when another attempt should follow a failure with this error after `attempt`
  // attempts (1-based).
  bool should_retry(const AwsError& error, int attempt) const;
  // Sleeps the backoff for retry number `retry` through `sleeper` (or really sleeps).
  void wait(int retry) const;
};

// The default policy with max_attempts from AWS_MAX_ATTEMPTS when set to a positive integer.
// Throws std::invalid_argument for a value that is not a positive integer.
RetryPolicy retry_policy_from_environment(const Environment& env);

}  // namespace auric::aws
