#include "tool_fixture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

namespace auric::dashboard_tool::testing {
namespace {

using aws::testing::TestRequest;
using aws::testing::TestResponse;
using Clock = std::chrono::steady_clock;

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

[[noreturn]] void exec_child(const std::vector<std::string>& args, const EnvMap& env) {
  std::vector<std::string> argv = args;
  argv.insert(argv.begin(), tool_binary());
  std::vector<std::string> envv;
  envv.reserve(env.size());
  for (const auto& [k, v] : env) {
    std::string entry = k;
    entry += '=';
    entry += v;
    envv.push_back(std::move(entry));
  }
  ::execve(argv[0].c_str(), c_strings(argv).data(), c_strings(envv).data());
  ::_exit(127);
}

}  // namespace

std::string tool_binary() {
  return AURIC_DASHBOARD_TOOL_BIN;
}

// ------------------------------------------------------------------ FakeLambda

FakeLambda::FakeLambda()
    : status_answer_({{"pending", nlohmann::json::array()},
                      {"completed", nlohmann::json::array()},
                      {"failed", nlohmann::json::array()}}),
      server_([this](const TestRequest& r) { return handle(r); }) {}

void FakeLambda::set_functions(std::vector<std::string> names, std::size_t page_size) {
  std::lock_guard lock(mu_);
  functions_ = std::move(names);
  page_size_ = page_size;
}

void FakeLambda::set_status_answer(nlohmann::json answer) {
  std::lock_guard lock(mu_);
  status_answer_ = std::move(answer);
}

std::vector<FakeLambda::Invocation> FakeLambda::invocations() const {
  std::lock_guard lock(mu_);
  return invocations_;
}

std::size_t FakeLambda::list_calls() const {
  std::lock_guard lock(mu_);
  return list_calls_;
}

TestResponse FakeLambda::handle(const TestRequest& r) {
  std::lock_guard lock(mu_);
  const std::string prefix = "/2015-03-31/functions/";
  if (r.method == "GET" && r.path == prefix) {
    ++list_calls_;
    std::size_t start = 0;
    if (auto marker = r.query_param("Marker")) start = std::stoul(*marker);
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = start; i < functions_.size() && i < start + page_size_; ++i) {
      list.push_back({{"FunctionName", functions_[i]}, {"Runtime", "provided.al2023"}});
    }
    nlohmann::json body = {{"Functions", list}};
    if (start + page_size_ < functions_.size()) body["NextMarker"] = std::to_string(start + page_size_);
    return TestResponse::json(200, body.dump());
  }
  const std::string suffix = "/invocations";
  if (r.method == "POST" && r.path.starts_with(prefix) && r.path.ends_with(suffix)) {
    Invocation inv;
    inv.function = r.path.substr(prefix.size(), r.path.size() - prefix.size() - suffix.size());
    inv.type = r.headers.get("x-amz-invocation-type").value_or("RequestResponse");
    inv.payload = nlohmann::json::parse(r.body, nullptr, false);
    inv.authorization = r.headers.get("authorization").value_or("");
    invocations_.push_back(inv);
    if (inv.type == "Event") return TestResponse::json(202, "");
    if (inv.payload.is_object() && inv.payload.value("action", "") == "status")
      return TestResponse::json(200, status_answer_.dump());
    return TestResponse::json(200, R"({"status":"completed"})");
  }
  return TestResponse::json(404, R"({"Type":"User","message":"no such route"})");
}

// ------------------------------------------------------------------ PtySession

PtySession::PtySession(const std::vector<std::string>& args, const EnvMap& env) {
  struct winsize ws {};
  ws.ws_row = 40;
  ws.ws_col = 200;
  pid_ = ::forkpty(&fd_, nullptr, nullptr, &ws);
  if (pid_ < 0) throw std::runtime_error(std::string("forkpty failed: ") + std::strerror(errno));
  if (pid_ == 0) exec_child(args, env);
}

PtySession::~PtySession() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (fd_ >= 0) ::close(fd_);
}

bool PtySession::read_some(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  const int rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (rc <= 0) return rc == 0;
  char buf[4096];
  const ssize_t n = ::read(fd_, buf, sizeof buf);
  if (n <= 0) return false;  // EIO: the child closed the terminal
  output_.append(buf, static_cast<std::size_t>(n));
  return true;
}

bool PtySession::expect(const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (output_.find(text) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    if (!read_some(std::min(left, std::chrono::milliseconds(100)))) {
      return output_.find(text) != std::string::npos;
    }
  }
  return true;
}

void PtySession::send(const std::string& input) {
  std::size_t done = 0;
  while (done < input.size()) {
    const ssize_t n = ::write(fd_, input.data() + done, input.size() - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

void PtySession::signal(int sig) {
  if (!exited_) ::kill(pid_, sig);
}

int PtySession::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!exited_) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exited_ = true;
      exit_code_ = decode_status(status);
      while (read_some(std::chrono::milliseconds(50))) {
      }
      break;
    }
    if (Clock::now() >= deadline) return -1;
    if (!read_some(std::chrono::milliseconds(50))) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return exit_code_;
}

// ------------------------------------------------------------------ pipes

PipeRun run_with_open_stdin(const std::vector<std::string>& args, const EnvMap& env,
                            std::chrono::milliseconds timeout) {
  int in[2], out[2];
  if (::pipe(in) != 0 || ::pipe(out) != 0) throw std::runtime_error("pipe failed");
  const auto start = Clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    ::close(in[0]);
    ::close(in[1]);
    ::close(out[0]);
    ::close(out[1]);
    exec_child(args, env);
  }
  ::close(in[0]);
  ::close(out[1]);
  PipeRun result;
  const auto deadline = start + timeout;
  bool eof = false;
  int status = 0;
  bool exited = false;
  while (!exited) {
    if (!eof) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        char buf[4096];
        const ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n <= 0)
          eof = true;
        else
          result.output.append(buf, static_cast<std::size_t>(n));
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      result.exit_code = decode_status(status);
    } else if (Clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      exited = true;
      result.exit_code = -1;
    }
  }
  for (;;) {  // drain
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) break;
    char buf[4096];
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    result.output.append(buf, static_cast<std::size_t>(n));
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  ::close(in[1]);
  ::close(out[0]);
  return result;
}

}  // namespace auric::dashboard_tool::testing
