// A fault-injecting HTTP proxy for tests: listens on 127.0.0.1 (ephemeral port), forwards each
// request to a target (e.g. dynalite) and, with configured probabilities, answers instead with
// throttling errors (400 ProvisionedThroughputExceededException / ThrottlingException),
// 500/503, resets the connection before or after forwarding, or delays. Counts requests and
// bytes. Thread-safe: faults can be changed and stats read while requests flow.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "test_http_server.hpp"

namespace auric::aws::testing {

struct FaultConfig {
  double throttle = 0;              // 400 with a throttling code
  double server_error = 0;          // 500 or 503
  double reset_before_forward = 0;  // connection reset, the target never sees the request
  double reset_after_forward = 0;   // the target applied it, the client sees a reset
  double delay = 0;                 // forwarded after `delay_for`
  std::chrono::milliseconds delay_for{150};
  std::uint64_t seed = 42;

  // The same probability split evenly over throttling, 5xx and both resets.
  static FaultConfig uniform(double total, std::uint64_t seed = 42);
};

struct ProxyStats {
  std::uint64_t requests = 0;   // received from clients
  std::uint64_t forwarded = 0;  // sent to the target
  std::uint64_t throttled = 0;
  std::uint64_t server_errors = 0;
  std::uint64_t resets = 0;
  std::uint64_t delayed = 0;
  std::uint64_t bytes_in = 0;   // request bytes from clients (start line, headers, body)
  std::uint64_t bytes_out = 0;  // response bytes to clients (status line, headers, body)
};

class FaultProxy {
 public:
  // Starts listening. `target` is the upstream origin, e.g. "http://127.0.0.1:8000".
  explicit FaultProxy(std::string target, FaultConfig faults = {});
  ~FaultProxy();

  std::string endpoint() const { return server_.url(); }
  std::uint16_t port() const { return server_.port(); }

  // Replaces the fault probabilities (and reseeds).
  void set_faults(FaultConfig faults);
  // A hook consulted before the random faults: return a response to inject it.
  void set_hook(std::function<std::optional<TestResponse>(const TestRequest&, std::uint64_t index)> hook);
  // Called with every forwarded request, the target's answer (before a reset-after fault
  // replaces it) and when the request arrived and the answer came back: a log of what the
  // target applied, in time. Runs on the proxy's threads, concurrently.
  using Observer =
      std::function<void(const TestRequest&, const TestResponse&, std::chrono::steady_clock::time_point,
                         std::chrono::steady_clock::time_point)>;
  void set_observer(Observer observer);
  ProxyStats stats() const;
  void reset_stats();
  // Stops listening: later connections are refused ("endpoint down").
  void stop() { server_.stop(); }

 private:
  TestResponse handle(const TestRequest& request);

  std::string target_;
  std::shared_ptr<HttpTransport> upstream_;
  mutable std::mutex mu_;
  FaultConfig faults_;
  std::mt19937_64 rng_;
  std::function<std::optional<TestResponse>(const TestRequest&, std::uint64_t)> hook_;
  Observer observer_;
  ProxyStats stats_;
  TestHttpServer server_;  // last: stops first, while the rest is alive
};

// Canned error responses in DynamoDB's JSON error shape.
TestResponse throttling_response(bool provisioned_throughput);
TestResponse server_error_response(int status);

}  // namespace auric::aws::testing
