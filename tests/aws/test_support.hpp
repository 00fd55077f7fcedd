// Small helpers shared by the AWS tests: a temporary HOME with ~/.aws files, a scripted
// transport that replays canned responses and records requests, and a recording sleeper.
// Header-only; not thread-safe unless stated.
#pragma once

#include <stdlib.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "aws/credentials.hpp"
#include "aws/environment.hpp"
#include "aws/http.hpp"
#include "aws/retry.hpp"

namespace auric::aws::testing {

// A temporary home directory, removed in the destructor.
class TempHome {
 public:
  TempHome() {
    char dir_template[] = "/tmp/auric-home-XXXXXX";
    if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = dir_template;
    std::filesystem::create_directories(path_ / ".aws");
  }
  ~TempHome() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempHome(const TempHome&) = delete;
  TempHome& operator=(const TempHome&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes a file relative to the home directory (parents created).
  std::filesystem::path write(const std::string& relative, const std::string& content) const {
    const auto file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }
  // An environment with only HOME set to this directory.
  std::shared_ptr<MapEnvironment> env() const {
    auto e = std::make_shared<MapEnvironment>();
    e->set("HOME", path_.string());
    e->set("AWS_EC2_METADATA_DISABLED", "true");
    return e;
  }

 private:
  std::filesystem::path path_;
};

// Replays scripted responses (or transport errors) and records every request. Thread-safe.
class ScriptedTransport final : public HttpTransport {
 public:
  using Step = std::variant<HttpResponse, TransportError>;

  void push(Step step) {
    std::lock_guard lock(mu_);
    steps_.push_back(std::move(step));
  }
  void push_json(int status, const std::string& body) {
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.headers.add("Content-Type", "application/x-amz-json-1.0");
    push(std::move(r));
  }
  HttpResponse send(const HttpRequest& request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    if (steps_.empty()) throw std::logic_error("ScriptedTransport: no scripted response left");
    Step step = std::move(steps_.front());
    steps_.pop_front();
    if (auto* error = std::get_if<TransportError>(&step)) throw *error;
    return std::get<HttpResponse>(std::move(step));
  }
  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::size_t remaining() const {
    std::lock_guard lock(mu_);
    return steps_.size();
  }

 private:
  mutable std::mutex mu_;
  std::deque<Step> steps_;
  std::vector<HttpRequest> requests_;
};

// A retry policy that records sleeps instead of sleeping; random() is fixed.
inline RetryPolicy recording_retry(std::vector<std::chrono::milliseconds>& sleeps, int max_attempts = 3,
                                   double random_value = 1.0) {
  RetryPolicy p;
  p.max_attempts = max_attempts;
  p.sleeper = [&sleeps](std::chrono::milliseconds d) { sleeps.push_back(d); };
  p.random = [random_value] { return random_value; };
  return p;
}

inline Credentials test_credentials(const std::string& id = "AKIDTEST", const std::string& secret = "secret",
                                    const std::string& token = "") {
  Credentials c;
  c.access_key_id = id;
  c.secret_access_key = secret;
  c.session_token = token;
  return c;
}

}  // namespace auric::aws::testing
