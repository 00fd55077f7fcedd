#include "fake_lambda.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "aws/encoding.hpp"

extern char** environ;

namespace auric::lambda::testing {
namespace {

using aws::testing::TestRequest;
using aws::testing::TestResponse;

std::int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TestResponse json_error(int status, const std::string& type, const std::string& message) {
  TestResponse r = TestResponse::json(status, Json{{"message", message}, {"Type", "User"}}.dump());
  r.headers.add("x-amzn-ErrorType", type);
  return r;
}

std::string temp_file(const std::string& stem) {
  std::string tmpl = "/tmp/" + stem + "-XXXXXX";
  const int fd = ::mkstemp(tmpl.data());
  if (fd >= 0) ::close(fd);
  return tmpl;
}

}  // namespace

FakeLambda::FakeLambda(FunctionConfig config)
    : config_(std::move(config)), log_file_(temp_file("fake-lambda-log")) {
  if (config_.concurrency < 1) throw std::invalid_argument("FakeLambda: concurrency must be >= 1");
  envs_.resize(static_cast<std::size_t>(config_.concurrency));
  for (std::size_t i = 0; i < envs_.size(); ++i) {
    envs_[i].server = std::make_unique<aws::testing::TestHttpServer>(
        [this, i](const TestRequest& r) { return handle(r, i); });
  }
  watchdog_ = std::thread([this] { watchdog(); });
}

FakeLambda::~FakeLambda() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& e : envs_) {
      if (e.pid > 0) {
        ::kill(e.pid, SIGKILL);
        ::waitpid(e.pid, nullptr, 0);
        e.pid = -1;
      }
    }
  }
  cv_.notify_all();
  watchdog_.join();
  for (auto& e : envs_) e.server->stop();
  ::unlink(log_file_.c_str());
}

std::string FakeLambda::runtime_api(std::size_t env) const {
  return "127.0.0.1:" + std::to_string(envs_[env].server->port());
}

std::string FakeLambda::runtime_api() const {
  return runtime_api(0);
}

std::string FakeLambda::endpoint() const {
  return envs_[0].server->url();
}

std::string FakeLambda::function_arn() const {
  return "arn:aws:lambda:us-east-1:123456789012:function:" + config_.name;
}

void FakeLambda::start() {
  std::lock_guard lock(mu_);
  started_ = true;
  if (envs_[0].pid < 0) spawn_locked(0);
}

void FakeLambda::spawn_locked(std::size_t index) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  env["AWS_LAMBDA_RUNTIME_API"] = runtime_api(index);
  env["AWS_LAMBDA_FUNCTION_NAME"] = config_.name;
  env["AWS_LAMBDA_FUNCTION_TIMEOUT"] = std::to_string(config_.timeout.count() / 1000);
  env.emplace("AWS_ENDPOINT_URL_LAMBDA", endpoint());  // a test may point it at another function
  env["AWS_REGION"] = "us-east-1";
  env["AWS_ACCESS_KEY_ID"] = "AKIDFAKELAMBDA";
  env["AWS_SECRET_ACCESS_KEY"] = "fake-secret";
  env["AWS_EC2_METADATA_DISABLED"] = "true";
  if (!config_.cwd.empty()) env["LAMBDA_TASK_ROOT"] = config_.cwd;
  for (const auto& [k, v] : config_.env) env[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = config_.command;
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  const int log_fd = ::open(log_file_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(126);
    const int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    if (!config_.cwd.empty() && ::chdir(config_.cwd.c_str()) != 0) _exit(127);
    ::execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  ::close(log_fd);
  envs_[index].pid = pid;
  envs_[index].spawned_at = std::chrono::steady_clock::now();
  ++processes_;
}

void FakeLambda::push_locked(const Json& event, bool async) {
  queue_.emplace_back(event.dump(), async);
}

void FakeLambda::enqueue(const Json& event) {
  {
    std::lock_guard lock(mu_);
    push_locked(event, true);
    if (duplicate_) push_locked(event, true);
  }
  cv_.notify_all();
}

void FakeLambda::duplicate_async(bool on) {
  std::lock_guard lock(mu_);
  duplicate_ = on;
}

bool FakeLambda::kill_invocation(const std::string& request_id) {
  std::lock_guard lock(mu_);
  for (auto& e : envs_) {
    if (e.in_flight && records_[*e.in_flight].request_id == request_id && e.pid > 0) {
      records_[*e.in_flight].killed = true;
      ::kill(e.pid, SIGKILL);  // the watchdog reaps it and ends the record
      return true;
    }
  }
  return false;
}

bool FakeLambda::any_in_flight_locked() const {
  return std::any_of(envs_.begin(), envs_.end(),
                     [](const Environment& e) { return e.in_flight.has_value(); });
}

bool FakeLambda::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return queue_.empty() && !any_in_flight_locked(); });
}

std::vector<InvocationRecord> FakeLambda::records() const {
  std::lock_guard lock(mu_);
  return records_;
}

std::vector<std::string> FakeLambda::init_errors() const {
  std::lock_guard lock(mu_);
  return init_errors_;
}

std::vector<std::chrono::microseconds> FakeLambda::init_times() const {
  std::lock_guard lock(mu_);
  return init_times_;
}

int FakeLambda::processes_started() const {
  std::lock_guard lock(mu_);
  return processes_;
}

int FakeLambda::peak_concurrency() const {
  std::lock_guard lock(mu_);
  return peak_;
}

std::size_t FakeLambda::invoke_requests() const {
  std::lock_guard lock(mu_);
  return invoke_requests_;
}

std::string FakeLambda::log() const {
  std::ifstream in(log_file_, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TestResponse FakeLambda::next(std::size_t index) {
  std::unique_lock lock(mu_);
  Environment& env = envs_[index];
  if (env.spawned_at) {
    init_times_.push_back(std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - *env.spawned_at));
    env.spawned_at.reset();
  }
  cv_.wait(lock, [&] { return stopping_ || (!queue_.empty() && !env.in_flight); });
  if (stopping_) return TestResponse::reset();
  auto [body, async] = queue_.front();
  queue_.pop_front();
  InvocationRecord rec;
  rec.request_id = "req-" + std::to_string(++next_id_);
  rec.event = body;
  rec.async = async;
  rec.environment = static_cast<int>(index);
  rec.deadline_ms = epoch_ms() + config_.timeout.count();
  rec.trace_id = "Root=1-00000000-" + std::string(24 - std::to_string(next_id_).size(), '0') +
                 std::to_string(next_id_) + ";Parent=0000000000000001;Sampled=0";
  rec.started = std::chrono::steady_clock::now();
  records_.push_back(rec);
  env.in_flight = records_.size() - 1;
  peak_ = std::max(
      peak_, static_cast<int>(std::count_if(envs_.begin(), envs_.end(),
                                            [](const Environment& e) { return e.in_flight.has_value(); })));
  TestResponse r = TestResponse::json(200, body);
  r.headers.add("Lambda-Runtime-Aws-Request-Id", rec.request_id);
  r.headers.add("Lambda-Runtime-Deadline-Ms", std::to_string(rec.deadline_ms));
  r.headers.add("Lambda-Runtime-Invoked-Function-Arn", function_arn());
  r.headers.add("Lambda-Runtime-Trace-Id", rec.trace_id);
  return r;
}

TestResponse FakeLambda::handle(const TestRequest& r, std::size_t index) {
  const std::string runtime = "/2018-06-01/runtime/";
  if (r.method == "GET" && r.path == runtime + "invocation/next") return next(index);
  if (r.method == "POST" && r.path == runtime + "init/error") {
    {
      std::lock_guard lock(mu_);
      init_errors_.push_back(r.headers.get("Lambda-Runtime-Function-Error-Type").value_or("") + " " + r.body);
      // Like Lambda, the invocation that triggered the init fails with the init error.
      if (!queue_.empty()) {
        InvocationRecord rec;
        rec.request_id = "req-" + std::to_string(++next_id_);
        rec.event = queue_.front().first;
        rec.async = queue_.front().second;
        rec.environment = static_cast<int>(index);
        rec.done = true;
        rec.error = true;
        rec.error_type = r.headers.get("Lambda-Runtime-Function-Error-Type").value_or("");
        rec.response = r.body;
        rec.started = rec.finished = std::chrono::steady_clock::now();
        queue_.pop_front();
        records_.push_back(rec);
      }
    }
    cv_.notify_all();
    return TestResponse::json(202, R"({"status":"OK"})");
  }
  if (r.method == "POST" && r.path.rfind(runtime + "invocation/", 0) == 0) {
    const std::string rest = r.path.substr(runtime.size() + std::strlen("invocation/"));
    const auto slash = rest.find('/');
    const std::string id = rest.substr(0, slash);
    const std::string kind = slash == std::string::npos ? "" : rest.substr(slash + 1);
    {
      std::lock_guard lock(mu_);
      Environment& env = envs_[index];
      if (!env.in_flight || records_[*env.in_flight].request_id != id ||
          (kind != "response" && kind != "error")) {
        return json_error(400, "InvalidRequestID", "unknown or finished request id " + id);
      }
      InvocationRecord& rec = records_[*env.in_flight];
      rec.done = true;
      rec.error = kind == "error";
      rec.response = r.body;
      rec.error_type = r.headers.get("Lambda-Runtime-Function-Error-Type").value_or("");
      rec.finished = std::chrono::steady_clock::now();
      env.in_flight.reset();
    }
    cv_.notify_all();
    return TestResponse::json(202, R"({"status":"OK"})");
  }
  return invoke(r);
}

TestResponse FakeLambda::invoke(const TestRequest& r) {
  const std::string invoke_prefix = "/2015-03-31/functions/";
  if (r.method == "POST" && r.path.rfind(invoke_prefix, 0) == 0) {
    std::string name = r.path.substr(invoke_prefix.size());
    const auto end = name.find("/invocations");
    if (end == std::string::npos) return json_error(404, "ResourceNotFoundException", "no such route");
    name = name.substr(0, end);
    if (name != config_.name && name != function_arn()) {
      return json_error(404, "ResourceNotFoundException", "Function not found: " + name);
    }
    if (!r.headers.get("Authorization")) return json_error(403, "AccessDeniedException", "unsigned request");
    Json event;
    try {
      event = r.body.empty() ? Json(nullptr) : Json::parse(r.body);
    } catch (const Json::parse_error&) {
      return json_error(400, "InvalidRequestContentException", "Could not parse request body into json");
    }
    const std::string type = r.headers.get("X-Amz-Invocation-Type").value_or("RequestResponse");
    {
      std::lock_guard lock(mu_);
      ++invoke_requests_;
    }
    if (type == "Event") {
      enqueue(event);
      return TestResponse::json(202, "");
    }
    std::unique_lock lock(mu_);
    push_locked(event, false);
    // Records are made in queue order (FIFO): ours is record `before`.
    const std::size_t before = records_.size() + queue_.size() - 1;
    cv_.notify_all();
    cv_.wait_for(lock, config_.timeout + std::chrono::seconds(5),
                 [&] { return stopping_ || (records_.size() > before && records_[before].done); });
    if (records_.size() <= before || !records_[before].done) {
      return json_error(500, "ServiceException", "invocation did not finish");
    }
    const InvocationRecord& rec = records_[before];
    TestResponse resp = TestResponse::json(200, rec.response);
    resp.headers.add("X-Amz-Executed-Version", "$LATEST");
    if (rec.error) resp.headers.add("X-Amz-Function-Error", "Unhandled");
    return resp;
  }
  return json_error(404, "UnknownOperationException", r.method + " " + r.path);
}

void FakeLambda::end_locked(Environment& e, const char* type, const char* message, bool timed_out) {
  e.pid = -1;
  if (!e.in_flight) return;
  InvocationRecord& rec = records_[*e.in_flight];
  rec.done = true;
  rec.error = true;
  rec.timed_out = timed_out;
  rec.error_type = type;
  rec.response = Json{{"errorType", type}, {"errorMessage", message}}.dump();
  rec.finished = std::chrono::steady_clock::now();
  e.in_flight.reset();
}

void FakeLambda::watchdog() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::milliseconds(10));
    if (stopping_) break;
    bool changed = false;
    std::size_t idle = 0;  // running environments without an invocation
    for (auto& e : envs_) {
      if (e.pid <= 0) continue;
      int status = 0;
      if (::waitpid(e.pid, &status, WNOHANG) == e.pid) {
        end_locked(e, "Runtime.ExitError", "the runtime exited", false);
        changed = true;
      } else if (e.in_flight && epoch_ms() > records_[*e.in_flight].deadline_ms + 100) {
        ::kill(e.pid, SIGKILL);
        ::waitpid(e.pid, nullptr, 0);
        end_locked(e, "Sandbox.Timedout", "Task timed out", true);
        changed = true;
      } else if (!e.in_flight) {
        ++idle;
      }
    }
    // A fresh process for each event no running environment can take (after a kill, a crash or
    // an init error, or to scale out), up to `concurrency`.
    if (started_) {
      for (std::size_t i = 0; i < envs_.size() && idle < queue_.size(); ++i) {
        if (envs_[i].pid >= 0) continue;
        spawn_locked(i);
        ++idle;
      }
    }
    if (changed) cv_.notify_all();
  }
}

// ---- ECS ----------------------------------------------------------------------------------
FakeEcs::FakeEcs() : server_([this](const TestRequest& r) { return handle(r); }) {}

void FakeEcs::fail_placement(std::string reason) {
  std::lock_guard lock(mu_);
  placement_failure_ = std::move(reason);
}

void FakeEcs::fail_with(std::string code, std::string message) {
  std::lock_guard lock(mu_);
  error_ = std::make_pair(std::move(code), std::move(message));
}

std::vector<Json> FakeEcs::run_task_requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

TestResponse FakeEcs::handle(const TestRequest& r) {
  const std::string target = r.headers.get("X-Amz-Target").value_or("");
  if (target != "AmazonEC2ContainerServiceV20141113.RunTask") {
    return TestResponse::json(400, R"({"__type":"UnknownOperationException"})");
  }
  std::lock_guard lock(mu_);
  const Json request = Json::parse(r.body);
  requests_.push_back(request);
  if (error_) {
    auto [code, message] = *error_;
    error_.reset();
    return TestResponse::json(400, Json{{"__type", code}, {"message", message}}.dump());
  }
  if (!placement_failure_.empty()) {
    const std::string reason = placement_failure_;
    placement_failure_.clear();
    return TestResponse::json(
        200, Json{{"tasks", Json::array()},
                  {"failures",
                   Json::array({Json{{"arn", "arn:aws:ecs:us-east-1:1:cluster/c"}, {"reason", reason}}})}}
                 .dump());
  }
  const std::string arn = "arn:aws:ecs:us-east-1:123456789012:task/c/" + std::to_string(requests_.size());
  return TestResponse::json(
      200, Json{{"tasks", Json::array({Json{{"taskArn", arn}, {"lastStatus", "PROVISIONING"}}})},
                {"failures", Json::array()}}
               .dump());
}

}  // namespace auric::lambda::testing
