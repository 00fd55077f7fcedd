// In-process fakes of the AWS endpoints that have no emulator, speaking the real wire
// formats on 127.0.0.1: STS (Query/XML), the SSO portal (REST-JSON), the ECS container
// credentials endpoint (JSON) and EC2 IMDSv2. Each records what it received.
// Thread-safe: handlers run on server threads; accessors lock.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "aws/encoding.hpp"
#include "test_http_server.hpp"

namespace auric::aws::testing {

struct FakeCredentials {
  std::string access_key_id = "ASIAFAKE";
  std::string secret_access_key = "fake-secret";
  std::string session_token = "fake-token";
  TimePoint expiration = std::chrono::system_clock::now() + std::chrono::hours(1);
};

class FakeSts {
 public:
  struct Call {
    std::string action;
    std::map<std::string, std::string> params;
    std::string authorization;  // empty when unsigned
  };
  FakeSts();
  std::string endpoint() const { return server_.url(); }
  // Credentials handed out by AssumeRole / AssumeRoleWithWebIdentity.
  void set_credentials(FakeCredentials c);
  // Makes every call fail with this Query-protocol error.
  void fail_with(int status, std::string code, std::string message);
  std::vector<Call> calls() const;

 private:
  TestResponse handle(const TestRequest& r);
  mutable std::mutex mu_;
  FakeCredentials credentials_;
  std::optional<std::tuple<int, std::string, std::string>> failure_;
  std::vector<Call> calls_;
  TestHttpServer server_;
};

class FakeSso {
 public:
  FakeSso();
  std::string endpoint() const { return server_.url(); }
  void set_credentials(FakeCredentials c);
  // Only this bearer token is accepted (others get 401 UnauthorizedException).
  void set_valid_token(std::string token);
  // account_id/role_name pairs received.
  std::vector<std::pair<std::string, std::string>> calls() const;

 private:
  TestResponse handle(const TestRequest& r);
  mutable std::mutex mu_;
  FakeCredentials credentials_;
  std::string valid_token_ = "sso-access-token";
  std::vector<std::pair<std::string, std::string>> calls_;
  TestHttpServer server_;
};

class FakeContainerCredentials {
 public:
  FakeContainerCredentials();
  std::string endpoint() const { return server_.url(); }
  void set_credentials(FakeCredentials c);
  // When set, requests without this Authorization header get 401.
  void require_authorization(std::string token);
  // Replaces the JSON body (malformed-response tests).
  void set_raw_body(std::string body);
  std::vector<std::string> paths() const;

 private:
  TestResponse handle(const TestRequest& r);
  mutable std::mutex mu_;
  FakeCredentials credentials_;
  std::string required_authorization_;
  std::optional<std::string> raw_body_;
  std::vector<std::string> paths_;
  TestHttpServer server_;
};

class FakeImds {
 public:
  FakeImds();
  std::string endpoint() const { return server_.url(); }
  void set_credentials(FakeCredentials c);
  void set_role(std::string role);  // "" = no role attached
  std::size_t token_requests() const;
  // Requests that came without a valid token (IMDSv1 style) and were refused.
  std::size_t rejected() const;

 private:
  TestResponse handle(const TestRequest& r);
  mutable std::mutex mu_;
  FakeCredentials credentials_;
  std::string role_ = "auric-instance-role";
  std::string token_ = "imds-session-token";
  std::size_t token_requests_ = 0;
  std::size_t rejected_ = 0;
  TestHttpServer server_;
};

}  // namespace auric::aws::testing
