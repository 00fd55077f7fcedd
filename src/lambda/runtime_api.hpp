// The AWS Lambda Runtime API (a `provided.al2023` custom runtime): a client for its four
// endpoints (next, response, error, init error) and the loop that feeds invocations to a
// handler. Generic: the migrations event handler and the dashboard's API Gateway handler both
// run on it. The client is thread-compatible (one loop per process); the loop owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace auric::aws {
class HttpTransport;
}  // namespace auric::aws

namespace auric::lambda {

// One invocation as `GET /runtime/invocation/next` delivered it.
struct Invocation {
  std::string request_id;        // Lambda-Runtime-Aws-Request-Id
  std::int64_t deadline_ms = 0;  // Lambda-Runtime-Deadline-Ms (Unix epoch ms)
  std::string function_arn;      // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;          // Lambda-Runtime-Trace-Id
  std::string client_context;    // Lambda-Runtime-Client-Context
  std::string cognito_identity;  // Lambda-Runtime-Cognito-Identity
  std::string body;              // the event

  // Time left until the deadline (negative once past it). `now_ms` is epoch ms.
  std::chrono::milliseconds remaining(std::int64_t now_ms) const {
    return std::chrono::milliseconds(deadline_ms - now_ms);
  }
};

// What a handler answers: built only through the named constructors.
class InvocationResponse {
 public:
  // A JSON (or other) payload for POST .../response.
  static InvocationResponse success(std::string payload, std::string content_type = "application/json");
  // An error for POST .../error: {"errorMessage", "errorType", "stackTrace": []} and the
  // Lambda-Runtime-Function-Error-Type header.
  static InvocationResponse failure(std::string error_type, const std::string& message);

  bool ok() const { return ok_; }
  const std::string& payload() const { return payload_; }
  const std::string& content_type() const { return content_type_; }
  const std::string& error_type() const { return error_type_; }

 private:
  bool ok_ = true;
  std::string payload_;
  std::string content_type_;
  std::string error_type_;
};

// A request to the Runtime API failed (no response, or a non-2xx status).
class RuntimeApiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The Runtime API over an HttpTransport. `endpoint` is AWS_LAMBDA_RUNTIME_API ("host:port").
class RuntimeClient {
 public:
  // nullptr transport: a dedicated libcurl transport.
  explicit RuntimeClient(const std::string& endpoint,
                         std::shared_ptr<aws::HttpTransport> transport = nullptr);

  // Blocks until the next event arrives (no timeout, as the Runtime API asks). Throws
  // RuntimeApiError when the request fails or the request id header is missing.
  Invocation next();
  // POST /runtime/invocation/{id}/response or /error. Throws RuntimeApiError.
  void post(const std::string& request_id, const InvocationResponse& response);
  // POST /runtime/init/error. Throws RuntimeApiError.
  void post_init_error(const std::string& error_type, const std::string& message);

 private:
  std::string base_;
  std::shared_ptr<aws::HttpTransport> transport_;
};

// The error body the Runtime API expects.
std::string error_payload(const std::string& error_type, const std::string& message);

using InvocationHandler = std::function<InvocationResponse(const Invocation&)>;

struct RuntimeLoopOptions {
  std::string endpoint;  // AWS_LAMBDA_RUNTIME_API
  std::shared_ptr<aws::HttpTransport> transport;
  // Consecutive failed `next` polls before the loop gives up (0 = never). Each failure is
  // followed by a pause that doubles from `first_backoff` up to `max_backoff`.
  int max_poll_failures = 40;
  std::chrono::milliseconds first_backoff{50};
  std::chrono::milliseconds max_backoff{2000};
  // Stops the loop after this many invocations (0 = never; tests).
  int max_invocations = 0;
  std::function<void(const std::string&)> log;  // one line, default stderr
};

// Makes the handler (reading config, opening the store). An exception thrown here is reported
// through POST /runtime/init/error and the loop returns 1.
using HandlerFactory = std::function<InvocationHandler()>;

// Runs the Runtime API loop: init, then for ever next → handler → response/error. Sets
// _X_AMZN_TRACE_ID from each invocation's trace header. A handler exception becomes an error
// response (type Runtime.HandlerError unless it is a HandlerError). A failed poll or post is
// logged and retried; never exits on a single failure. Returns the process exit code.
int run_runtime_loop(const RuntimeLoopOptions& options, const HandlerFactory& make_handler);

// An exception whose type name the error response carries (errorType).
class HandlerError : public std::runtime_error {
 public:
  HandlerError(std::string type, const std::string& message)
      : std::runtime_error(message), type_(std::move(type)) {}
  const std::string& type() const { return type_; }

 private:
  std::string type_;
};

}  // namespace auric::lambda
