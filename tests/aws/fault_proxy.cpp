#include "fault_proxy.hpp"

namespace auric::aws::testing {

FaultConfig FaultConfig::uniform(double total, std::uint64_t seed) {
  FaultConfig f;
  f.throttle = total / 4;
  f.server_error = total / 4;
  f.reset_before_forward = total / 4;
  f.reset_after_forward = total / 4;
  f.seed = seed;
  return f;
}

TestResponse throttling_response(bool provisioned_throughput) {
  TestResponse r = TestResponse::json(
      400,
      provisioned_throughput
          ? R"j({"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded (injected)"})j"
          : R"j({"__type":"com.amazon.coral.availability#ThrottlingException","message":"Rate of requests exceeds the allowed throughput (injected)"})j");
  r.headers.set("Content-Type", "application/x-amz-json-1.0");
  r.headers.add("x-amzn-RequestId", "INJECTED-THROTTLE");
  return r;
}

TestResponse server_error_response(int status) {
  TestResponse r = TestResponse::json(
      status,
      status == 503
          ? R"j({"__type":"com.amazonaws.dynamodb.v20120810#ServiceUnavailable","message":"injected"})j"
          : R"j({"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected"})j");
  r.headers.set("Content-Type", "application/x-amz-json-1.0");
  r.headers.add("x-amzn-RequestId", "INJECTED-5XX");
  return r;
}

namespace {
std::uint64_t request_bytes(const TestRequest& r) {
  std::uint64_t n = r.method.size() + r.target.size() + 12;
  for (const auto& [k, v] : r.headers.entries()) n += k.size() + v.size() + 4;
  return n + 2 + r.body.size();
}

std::uint64_t response_bytes(const TestResponse& r) {
  std::uint64_t n = 17 + 24;  // status line and Content-Length
  for (const auto& [k, v] : r.headers.entries()) n += k.size() + v.size() + 4;
  return n + 2 + r.body.size();
}
}  // namespace

FaultProxy::FaultProxy(std::string target, FaultConfig faults)
    : target_(std::move(target)),
      upstream_(make_curl_transport(
          CurlTransportOptions{std::chrono::milliseconds(2000), std::chrono::milliseconds(30000), "", 32})),
      faults_(faults),
      rng_(faults.seed),
      server_([this](const TestRequest& r) { return handle(r); }) {
  while (!target_.empty() && target_.back() == '/') target_.pop_back();
}

FaultProxy::~FaultProxy() {
  server_.stop();
}

void FaultProxy::set_faults(FaultConfig faults) {
  std::lock_guard lock(mu_);
  faults_ = faults;
  rng_.seed(faults.seed);
}

void FaultProxy::set_hook(
    std::function<std::optional<TestResponse>(const TestRequest&, std::uint64_t)> hook) {
  std::lock_guard lock(mu_);
  hook_ = std::move(hook);
}

ProxyStats FaultProxy::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void FaultProxy::reset_stats() {
  std::lock_guard lock(mu_);
  stats_ = ProxyStats{};
}

void FaultProxy::set_observer(Observer observer) {
  std::lock_guard lock(mu_);
  observer_ = std::move(observer);
}

TestResponse FaultProxy::handle(const TestRequest& request) {
  const auto arrived = std::chrono::steady_clock::now();
  enum class Fault { kNone, kThrottle, kServerError, kResetBefore, kResetAfter, kDelay };
  Fault fault = Fault::kNone;
  bool provisioned = false;
  int status = 500;
  std::chrono::milliseconds delay{0};
  std::optional<TestResponse> injected;
  {
    std::lock_guard lock(mu_);
    const std::uint64_t index = stats_.requests++;
    stats_.bytes_in += request_bytes(request);
    if (hook_) injected = hook_(request, index);
    if (!injected) {
      const double roll = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
      double edge = faults_.throttle;
      if (roll < edge) {
        fault = Fault::kThrottle;
      } else if (roll < (edge += faults_.server_error)) {
        fault = Fault::kServerError;
      } else if (roll < (edge += faults_.reset_before_forward)) {
        fault = Fault::kResetBefore;
      } else if (roll < (edge += faults_.reset_after_forward)) {
        fault = Fault::kResetAfter;
      } else if (roll < (edge += faults_.delay)) {
        fault = Fault::kDelay;
      }
      provisioned = (rng_() & 1) != 0;
      status = (rng_() & 1) != 0 ? 503 : 500;
      delay = faults_.delay_for;
    }
  }
  auto count = [&](std::uint64_t ProxyStats::*field, const TestResponse& r) {
    std::lock_guard lock(mu_);
    ++(stats_.*field);
    stats_.bytes_out += response_bytes(r);
  };
  if (injected) {
    std::lock_guard lock(mu_);
    stats_.bytes_out += response_bytes(*injected);
    return *injected;
  }
  switch (fault) {
    case Fault::kThrottle: {
      TestResponse r = throttling_response(provisioned);
      count(&ProxyStats::throttled, r);
      return r;
    }
    case Fault::kServerError: {
      TestResponse r = server_error_response(status);
      count(&ProxyStats::server_errors, r);
      return r;
    }
    case Fault::kResetBefore: {
      TestResponse r = TestResponse::reset();
      count(&ProxyStats::resets, TestResponse{});
      return r;
    }
    default: break;
  }
  if (fault == Fault::kDelay) {
    std::this_thread::sleep_for(delay);
    std::lock_guard lock(mu_);
    ++stats_.delayed;
  }
  HttpRequest upstream;
  upstream.method = request.method;
  upstream.url = target_ + request.target;
  upstream.headers = request.headers;
  upstream.body = request.body;
  TestResponse response;
  try {
    HttpResponse answer = upstream_->send(upstream);
    response.status = answer.status;
    response.headers = std::move(answer.headers);
    response.body = std::move(answer.body);
  } catch (const TransportError& e) {
    response = TestResponse::text(502, std::string("fault proxy: upstream failed: ") + e.what());
  }
  Observer observer;
  {
    std::lock_guard lock(mu_);
    ++stats_.forwarded;
    observer = observer_;
  }
  if (observer) observer(request, response, arrived, std::chrono::steady_clock::now());
  if (fault == Fault::kResetAfter) {
    count(&ProxyStats::resets, TestResponse{});
    return TestResponse::reset();
  }
  std::lock_guard lock(mu_);
  stats_.bytes_out += response_bytes(response);
  return response;
}

}  // namespace auric::aws::testing
