#include "aws/retry.hpp"

#include <algorithm>
#include <charconv>
#include <random>
#include <thread>

#include "aws/encoding.hpp"

namespace auric::aws {
namespace {
double default_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}
}  // namespace

std::chrono::milliseconds RetryPolicy::backoff(int retry) const {
  const int exponent = std::clamp(retry - 1, 0, 30);
  const double ceiling = std::min(static_cast<double>(cap.count()),
                                  static_cast<double>(base.count()) * static_cast<double>(1LL << exponent));
  const double r = random ? random() : default_random();
  return std::chrono::milliseconds(static_cast<long long>(std::clamp(r, 0.0, 1.0) * ceiling));
}

bool RetryPolicy::should_retry(const AwsError& error, int attempt) const {
  return error.retryable() && attempt < max_attempts;
}

void RetryPolicy::wait(int retry) const {
  const auto delay = backoff(retry);
  if (sleeper)
    sleeper(delay);
  else
    std::this_thread::sleep_for(delay);
}

RetryPolicy retry_policy_from_environment(const Environment& env) {
  RetryPolicy policy;
  if (auto value = env.get("AWS_MAX_ATTEMPTS")) {
    const std::string_view v = trim(*value);
    int n = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || ptr != v.data() + v.size() || n < 1) {
      throw std::invalid_argument("AWS_MAX_ATTEMPTS must be a positive integer, got '" + *value + "'");
    }
    policy.max_attempts = n;
  }
  return policy;
}

}  // namespace auric::aws
