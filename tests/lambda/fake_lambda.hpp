// A Lambda emulator for tests, on 127.0.0.1 and an ephemeral port, speaking the real wire
// formats: the Runtime API (next with request-id / deadline / function-ARN / trace headers,
// response, error, init error) for one function whose bootstrap process it starts, and the
// Invoke API (RequestResponse and Event), so a function's async self-invocations come back as
// new events in its queue. Like Lambda, it kills an invocation that overruns its timeout (and
// starts a fresh process), and it can deliver async events twice. With `concurrency` N it runs
// up to N execution environments, each a process of the bootstrap with its own Runtime API
// endpoint, fed from one queue (a new one starts when an event waits and none is idle), as
// Lambda scales a function out. Also a fake ECS RunTask endpoint (JSON-RPC). Thread-safe;
// everything stops in the destructors.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_http_server.hpp"

namespace auric::lambda::testing {

using Json = nlohmann::json;

struct FunctionConfig {
  std::string name = "migrations";
  std::vector<std::string> command;         // the bootstrap (argv)
  std::map<std::string, std::string> env;   // on top of the emulator's own variables
  std::chrono::milliseconds timeout{3000};  // per invocation
  std::string cwd;                          // also LAMBDA_TASK_ROOT
  int concurrency = 1;                      // execution environments at most (>= 1)
};

struct InvocationRecord {
  std::string request_id;
  std::string event;
  bool async = false;
  bool done = false;
  bool error = false;      // posted to /error (or timed out / process died)
  bool timed_out = false;  // killed at the deadline
  std::string response;    // the response or error body
  std::string error_type;  // Lambda-Runtime-Function-Error-Type
  std::int64_t deadline_ms = 0;
  std::string trace_id;
  int environment = 0;  // which execution environment ran it
  bool killed = false;  // by kill_invocation()
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point finished;
};

class FakeLambda {
 public:
  explicit FakeLambda(FunctionConfig config);
  ~FakeLambda();
  FakeLambda(const FakeLambda&) = delete;
  FakeLambda& operator=(const FakeLambda&) = delete;

  // Starts the first environment's bootstrap process (again after a kill, automatically).
  void start();
  // "127.0.0.1:<port>" (the first environment's AWS_LAMBDA_RUNTIME_API) and
  // "http://127.0.0.1:<port>" (Invoke API).
  std::string runtime_api() const;
  std::string endpoint() const;
  std::string function_arn() const;

  // Queues an event as an async invoke would (honours duplicate_async()).
  void enqueue(const Json& event);
  // Every async (Event) invoke from now on is delivered twice.
  void duplicate_async(bool on);
  // SIGKILLs the process running this invocation, as a crash mid-invocation would (the record
  // ends as Runtime.ExitError with `killed`); false when it is not in flight.
  bool kill_invocation(const std::string& request_id);

  // Waits until no event is queued or in flight (true) or the timeout passes (false).
  bool wait_idle(std::chrono::milliseconds timeout);
  std::vector<InvocationRecord> records() const;
  std::vector<std::string> init_errors() const;
  // Process start → first `next` poll, per process started.
  std::vector<std::chrono::microseconds> init_times() const;
  int processes_started() const;
  // The most invocations that were in flight at once.
  int peak_concurrency() const;
  std::size_t invoke_requests() const;
  // The bootstrap's stderr so far (all processes).
  std::string log() const;

 private:
  // One execution environment: its Runtime API endpoint, its process, its invocation.
  struct Environment {
    std::unique_ptr<aws::testing::TestHttpServer> server;
    pid_t pid = -1;
    std::optional<std::size_t> in_flight;  // index into records_
    std::optional<std::chrono::steady_clock::time_point> spawned_at;
  };

  aws::testing::TestResponse handle(const aws::testing::TestRequest& r, std::size_t env);
  aws::testing::TestResponse next(std::size_t env);
  aws::testing::TestResponse invoke(const aws::testing::TestRequest& r);
  std::string runtime_api(std::size_t env) const;
  void spawn_locked(std::size_t env);
  void end_locked(Environment& e, const char* type, const char* message, bool timed_out);
  bool any_in_flight_locked() const;
  void watchdog();
  void push_locked(const Json& event, bool async);

  FunctionConfig config_;
  std::string log_file_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool started_ = false;
  bool duplicate_ = false;
  std::deque<std::pair<std::string, bool>> queue_;  // event body, async
  std::vector<InvocationRecord> records_;
  std::vector<std::string> init_errors_;
  std::vector<std::chrono::microseconds> init_times_;
  int processes_ = 0;
  int next_id_ = 0;
  int peak_ = 0;
  std::size_t invoke_requests_ = 0;
  std::vector<Environment> envs_;  // [0] also serves the Invoke API
  std::thread watchdog_;
};

// ECS RunTask / DescribeTasks over JSON-RPC 1.1 (X-Amz-Target AmazonEC2ContainerServiceV20141113.*).
class FakeEcs {
 public:
  FakeEcs();
  std::string endpoint() const { return server_.url(); }
  // The next RunTask answers with this placement failure instead of a task.
  void fail_placement(std::string reason);
  // The next RunTask answers HTTP 400 with this error code.
  void fail_with(std::string code, std::string message);
  std::vector<Json> run_task_requests() const;

 private:
  aws::testing::TestResponse handle(const aws::testing::TestRequest& r);
  mutable std::mutex mu_;
  std::vector<Json> requests_;
  std::string placement_failure_;
  std::optional<std::pair<std::string, std::string>> error_;
  aws::testing::TestHttpServer server_;
};

}  // namespace auric::lambda::testing
