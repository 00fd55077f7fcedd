#include "service_fakes.hpp"

#include <nlohmann/json.hpp>

#include "aws/xml.hpp"

namespace auric::aws::testing {
namespace {

std::map<std::string, std::string> form_params(const std::string& body) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start < body.size()) {
    auto amp = body.find('&', start);
    if (amp == std::string::npos) amp = body.size();
    const std::string piece = body.substr(start, amp - start);
    const auto eq = piece.find('=');
    std::string value = eq == std::string::npos ? "" : piece.substr(eq + 1);
    for (char& c : value) {
      if (c == '+') c = ' ';
    }
    out[uri_decode(piece.substr(0, eq))] = uri_decode(value);
    start = amp + 1;
  }
  return out;
}

std::string credentials_json(const FakeCredentials& c, const char* token_key) {
  return nlohmann::json{{"AccessKeyId", c.access_key_id},
                        {"SecretAccessKey", c.secret_access_key},
                        {token_key, c.session_token},
                        {"Expiration", format_iso8601(c.expiration)}}
      .dump();
}

}  // namespace

// ---------------------------------------------------------------- STS

FakeSts::FakeSts() : server_([this](const TestRequest& r) { return handle(r); }) {}

void FakeSts::set_credentials(FakeCredentials c) {
  std::lock_guard lock(mu_);
  credentials_ = std::move(c);
}

void FakeSts::fail_with(int status, std::string code, std::string message) {
  std::lock_guard lock(mu_);
  failure_ = std::make_tuple(status, std::move(code), std::move(message));
}

std::vector<FakeSts::Call> FakeSts::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

TestResponse FakeSts::handle(const TestRequest& r) {
  std::lock_guard lock(mu_);
  Call call;
  call.params = form_params(r.body);
  call.action = call.params["Action"];
  call.authorization = r.headers.get("authorization").value_or("");
  calls_.push_back(call);
  if (r.method != "POST" ||
      !r.headers.get("content-type").value_or("").starts_with("application/x-www-form-urlencoded")) {
    return TestResponse::xml(400,
                             "<ErrorResponse><Error><Code>InvalidRequest</Code><Message>expected a form "
                             "POST</Message></Error></ErrorResponse>");
  }
  if (failure_) {
    const auto& [status, code, message] = *failure_;
    return TestResponse::xml(
        status,
        "<ErrorResponse "
        "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>" +
            xml_escape(code) + "</Code><Message>" + xml_escape(message) +
            "</Message></Error><RequestId>fake-request</RequestId></ErrorResponse>");
  }
  const std::string& action = call.action;
  if (action == "GetCallerIdentity") {
    if (call.authorization.empty())
      return TestResponse::xml(
          403, "<ErrorResponse><Error><Code>MissingAuthenticationToken</Code></Error></ErrorResponse>");
    return TestResponse::xml(
        200,
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
        "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/tester</Arn>"
        "<UserId>AIDAFAKE</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
        "<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
  }
  if (action == "AssumeRole" || action == "AssumeRoleWithWebIdentity") {
    if (action == "AssumeRole" && call.authorization.empty()) {
      return TestResponse::xml(
          403, "<ErrorResponse><Error><Code>MissingAuthenticationToken</Code></Error></ErrorResponse>");
    }
    if (action == "AssumeRoleWithWebIdentity" && call.params["WebIdentityToken"].empty()) {
      return TestResponse::xml(400,
                               "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>empty</"
                               "Message></Error></ErrorResponse>");
    }
    const std::string role_arn = call.params["RoleArn"];
    const std::string session = call.params["RoleSessionName"];
    std::string role_name = role_arn.substr(role_arn.rfind('/') + 1);
    return TestResponse::xml(
        200,
        "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action +
            "Result><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/" + xml_escape(role_name) +
            "/" + xml_escape(session) + "</Arn><AssumedRoleId>AROAFAKE:" + xml_escape(session) +
            "</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>" + credentials_.access_key_id +
            "</AccessKeyId><SecretAccessKey>" + credentials_.secret_access_key +
            "</SecretAccessKey><SessionToken>" + credentials_.session_token + "</SessionToken><Expiration>" +
            format_iso8601(credentials_.expiration) + "</Expiration></Credentials></" + action +
            "Result><ResponseMetadata><RequestId>r2</RequestId>"
            "</ResponseMetadata></" +
            action + "Response>");
  }
  return TestResponse::xml(400, "<ErrorResponse><Error><Code>InvalidAction</Code><Message>" +
                                    xml_escape(action) + "</Message></Error></ErrorResponse>");
}

// ---------------------------------------------------------------- SSO

FakeSso::FakeSso() : server_([this](const TestRequest& r) { return handle(r); }) {}

void FakeSso::set_credentials(FakeCredentials c) {
  std::lock_guard lock(mu_);
  credentials_ = std::move(c);
}

void FakeSso::set_valid_token(std::string token) {
  std::lock_guard lock(mu_);
  valid_token_ = std::move(token);
}

std::vector<std::pair<std::string, std::string>> FakeSso::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

TestResponse FakeSso::handle(const TestRequest& r) {
  std::lock_guard lock(mu_);
  if (r.method != "GET" || r.path != "/federation/credentials") {
    return TestResponse::json(404, R"({"message":"no such route"})");
  }
  calls_.emplace_back(r.query_param("account_id").value_or(""), r.query_param("role_name").value_or(""));
  if (r.headers.get("x-amz-sso_bearer_token").value_or("") != valid_token_) {
    TestResponse resp = TestResponse::json(401, R"({"message":"Session token not found or invalid"})");
    resp.headers.add(
        "x-amzn-errortype",
        "UnauthorizedException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/");
    return resp;
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(credentials_.expiration.time_since_epoch());
  return TestResponse::json(200, nlohmann::json{{"roleCredentials",
                                                 {{"accessKeyId", credentials_.access_key_id},
                                                  {"secretAccessKey", credentials_.secret_access_key},
                                                  {"sessionToken", credentials_.session_token},
                                                  {"expiration", ms.count()}}}}
                                     .dump());
}

// ---------------------------------------------------------------- container

FakeContainerCredentials::FakeContainerCredentials()
    : server_([this](const TestRequest& r) { return handle(r); }) {}

void FakeContainerCredentials::set_credentials(FakeCredentials c) {
  std::lock_guard lock(mu_);
  credentials_ = std::move(c);
}

void FakeContainerCredentials::require_authorization(std::string token) {
  std::lock_guard lock(mu_);
  required_authorization_ = std::move(token);
}

void FakeContainerCredentials::set_raw_body(std::string body) {
  std::lock_guard lock(mu_);
  raw_body_ = std::move(body);
}

std::vector<std::string> FakeContainerCredentials::paths() const {
  std::lock_guard lock(mu_);
  return paths_;
}

TestResponse FakeContainerCredentials::handle(const TestRequest& r) {
  std::lock_guard lock(mu_);
  paths_.push_back(r.target);
  if (!required_authorization_.empty() &&
      r.headers.get("authorization").value_or("") != required_authorization_) {
    return TestResponse::json(401, R"({"message":"unauthorized"})");
  }
  if (raw_body_) return TestResponse::json(200, *raw_body_);
  return TestResponse::json(200, credentials_json(credentials_, "Token"));
}

// ---------------------------------------------------------------- IMDS

FakeImds::FakeImds() : server_([this](const TestRequest& r) { return handle(r); }) {}

void FakeImds::set_credentials(FakeCredentials c) {
  std::lock_guard lock(mu_);
  credentials_ = std::move(c);
}

void FakeImds::set_role(std::string role) {
  std::lock_guard lock(mu_);
  role_ = std::move(role);
}

std::size_t FakeImds::token_requests() const {
  std::lock_guard lock(mu_);
  return token_requests_;
}

std::size_t FakeImds::rejected() const {
  std::lock_guard lock(mu_);
  return rejected_;
}

TestResponse FakeImds::handle(const TestRequest& r) {
  std::lock_guard lock(mu_);
  if (r.path == "/latest/api/token") {
    if (r.method != "PUT" || !r.headers.contains("x-aws-ec2-metadata-token-ttl-seconds")) {
      ++rejected_;
      return TestResponse::text(400, "bad token request");
    }
    ++token_requests_;
    return TestResponse::text(200, token_);
  }
  if (r.headers.get("x-aws-ec2-metadata-token").value_or("") != token_) {
    ++rejected_;
    return TestResponse::text(401, "");
  }
  const std::string prefix = "/latest/meta-data/iam/security-credentials/";
  if (r.path == prefix) {
    if (role_.empty()) return TestResponse::text(404, "");
    return TestResponse::text(200, role_ + "\n");
  }
  if (r.path == prefix + role_ && !role_.empty()) {
    nlohmann::json body = nlohmann::json::parse(credentials_json(credentials_, "Token"));
    body["Code"] = "Success";
    body["Type"] = "AWS-HMAC";
    body["LastUpdated"] = format_iso8601(std::chrono::system_clock::now());
    return TestResponse::json(200, body.dump());
  }
  return TestResponse::text(404, "");
}

}  // namespace auric::aws::testing
