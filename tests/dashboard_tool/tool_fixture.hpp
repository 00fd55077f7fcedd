// Test kit of the dashboard tool: a fake Lambda endpoint (paginated ListFunctions, recorded
// Invokes), the binary run under a pseudo-terminal (forkpty) or with a stdin pipe that never
// closes, and an environment that points every AWS endpoint at 127.0.0.1 fakes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_http_server.hpp"

namespace auric::dashboard_tool::testing {

// The Lambda REST API as far as the tool uses it.
class FakeLambda {
 public:
  struct Invocation {
    std::string function;
    std::string type;  // "RequestResponse" or "Event"
    nlohmann::json payload;
    std::string authorization;
  };
  FakeLambda();
  std::string endpoint() const { return server_.url(); }
  void set_functions(std::vector<std::string> names, std::size_t page_size = 50);
  void set_status_answer(nlohmann::json answer);
  std::vector<Invocation> invocations() const;
  std::size_t list_calls() const;

 private:
  aws::testing::TestResponse handle(const aws::testing::TestRequest& r);
  mutable std::mutex mu_;
  std::vector<std::string> functions_;
  std::size_t page_size_ = 50;
  nlohmann::json status_answer_;
  std::vector<Invocation> invocations_;
  std::size_t list_calls_ = 0;
  aws::testing::TestHttpServer server_;
};

using EnvMap = std::map<std::string, std::string>;

// The binary under a pseudo-terminal. The child is killed (SIGKILL) in the destructor if
// still running.
class PtySession {
 public:
  PtySession(const std::vector<std::string>& args, const EnvMap& env);
  ~PtySession();
  PtySession(const PtySession&) = delete;
  PtySession& operator=(const PtySession&) = delete;

  // Reads until the output so far contains `text`; false on timeout or EOF.
  bool expect(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void send(const std::string& input);
  void signal(int sig);
  // Waits for exit (reading output meanwhile); returns the exit code, or -1 on timeout.
  int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  const std::string& output() const { return output_; }

 private:
  bool read_some(std::chrono::milliseconds timeout);
  int fd_ = -1;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
  std::string output_;
};

struct PipeRun {
  int exit_code = -1;  // -1: killed after the timeout
  std::string output;  // stdout and stderr
  std::chrono::milliseconds elapsed{0};
};

// Runs the binary with stdin a pipe that is never written to nor closed; kills it after
// `timeout`.
PipeRun run_with_open_stdin(const std::vector<std::string>& args, const EnvMap& env,
                            std::chrono::milliseconds timeout = std::chrono::seconds(20));

// The tool binary.
std::string tool_binary();

}  // namespace auric::dashboard_tool::testing
