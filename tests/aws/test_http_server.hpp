// A tiny HTTP/1.1 server for tests: listens on 127.0.0.1 on an ephemeral port, one thread per
// connection, keep-alive, Content-Length bodies. Handlers are std::function and may run
// concurrently (one per connection); a handler exception becomes a 500. The server can
// also reset or drop connections, which is how faults are injected. Stops in its destructor.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "aws/http.hpp"

namespace auric::aws::testing {

struct TestRequest {
  std::string method;
  std::string target;  // path[?query] as received
  std::string path;    // decoded
  std::string query;   // raw
  Headers headers;
  std::string body;

  // The decoded value of a query (or form body) parameter, or nullopt.
  std::optional<std::string> query_param(std::string_view name) const;
  std::optional<std::string> form_param(std::string_view name) const;
};

struct TestResponse {
  enum class Action { kRespond, kReset, kCloseWithoutResponse };
  int status = 200;
  Headers headers;
  std::string body;
  Action action = Action::kRespond;
  std::chrono::milliseconds delay{0};
  // Announce the full Content-Length but send only this many body bytes, then close.
  std::optional<std::size_t> truncate_body_at;

  static TestResponse text(int status, std::string body, std::string content_type = "text/plain");
  static TestResponse json(int status, std::string body);
  static TestResponse xml(int status, std::string body);
  static TestResponse reset();
};

using TestHandler = std::function<TestResponse(const TestRequest&)>;

class TestHttpServer {
 public:
  // Starts listening at once. Throws std::runtime_error if no socket can be bound.
  explicit TestHttpServer(TestHandler handler);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>"
  std::string url() const;
  // Requests fully received so far.
  std::size_t request_count() const { return requests_.load(); }
  // TCP connections accepted so far (shows keep-alive reuse).
  std::size_t connection_count() const { return connections_.load(); }
  // Stops accepting, closes connections and joins every thread. Idempotent.
  void stop();

 private:
  void accept_loop();
  void serve(int fd);

  TestHandler handler_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> requests_{0};
  std::atomic<std::size_t> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::list<std::thread> workers_;
};

}  // namespace auric::aws::testing
