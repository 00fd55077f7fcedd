// The one error parser (JSON, XML, REST header, garbage) and the standard retry mode, driven
// through ServiceClient with a scripted transport.
#include <gtest/gtest.h>

#include "aws/client.hpp"
#include "aws/dynamodb.hpp"
#include "aws/errors.hpp"
#include "aws/retry.hpp"
#include "test_support.hpp"

namespace auric::aws {
namespace {

using testing::ScriptedTransport;

HttpResponse response(int status, std::string body,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  for (auto& [k, v] : headers) r.headers.add(k, v);
  return r;
}

TEST(ErrorParser, JsonTypeWithNamespaceAndMessage) {
  const AwsError e = parse_error_response(
      "DynamoDB", "PutItem",
      response(
          400,
          R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"})",
          {{"x-amzn-RequestId", "RID1"}}));
  EXPECT_EQ(e.code(), "ConditionalCheckFailedException");
  EXPECT_EQ(e.message(), "The conditional request failed");
  EXPECT_EQ(e.http_status(), 400);
  EXPECT_EQ(e.request_id(), "RID1");
  EXPECT_FALSE(e.retryable());
  EXPECT_EQ(std::string(e.what()),
            "DynamoDB PutItem failed: ConditionalCheckFailedException: The conditional request failed (HTTP "
            "400, request id RID1)");
}

TEST(ErrorParser, JsonCodeAndCapitalMessage) {
  const AwsError e = parse_error_response(
      "ECS", "RunTask", response(400, R"({"code":"ClientException","Message":"bad cluster"})"));
  EXPECT_EQ(e.code(), "ClientException");
  EXPECT_EQ(e.message(), "bad cluster");
}

TEST(ErrorParser, RestJsonHeaderWins) {
  const AwsError e = parse_error_response(
      "Lambda", "Invoke",
      response(429, R"({"message":"Rate exceeded","Type":"User"})",
               {{"x-amzn-errortype",
                 "TooManyRequestsException:http://internal.amazon.com/coral/com.amazon.coral.service/"}}));
  EXPECT_EQ(e.code(), "TooManyRequestsException");
  EXPECT_EQ(e.message(), "Rate exceeded");
  EXPECT_TRUE(e.retryable());
  EXPECT_TRUE(e.throttling());
}

TEST(ErrorParser, QueryXmlError) {
  const AwsError e = parse_error_response(
      "STS", "AssumeRole",
      response(403,
               "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
               "<Code>AccessDenied</Code><Message>not authorized &amp; denied</Message></Error>"
               "<RequestId>abc-123</RequestId></ErrorResponse>"));
  EXPECT_EQ(e.code(), "AccessDenied");
  EXPECT_EQ(e.message(), "not authorized & denied");
  EXPECT_EQ(e.request_id(), "abc-123");
  EXPECT_FALSE(e.retryable());
}

TEST(ErrorParser, S3XmlErrorSlowDownIsThrottling) {
  const AwsError e = parse_error_response(
      "S3", "PutObject",
      response(503,
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Reduce your "
               "request rate.</Message>"
               "<RequestId>R</RequestId></Error>",
               {{"x-amz-request-id", "HDR"}}));
  EXPECT_EQ(e.code(), "SlowDown");
  EXPECT_TRUE(e.throttling());
  EXPECT_TRUE(e.retryable());
  EXPECT_EQ(e.request_id(), "HDR");
}

TEST(ErrorParser, EmptyOrGarbageBodiesFallBackToStatus) {
  EXPECT_EQ(parse_error_response("S3", "HeadObject", response(404, "")).code(), "NotFound");
  const AwsError garbage = parse_error_response("X", "Op", response(502, "<html>Bad gateway\n</html"));
  EXPECT_EQ(garbage.code(), "BadGateway");
  EXPECT_TRUE(garbage.retryable());
  EXPECT_NE(garbage.message().find("Bad gateway"), std::string::npos);
  EXPECT_EQ(garbage.message().find('\n'), std::string::npos) << "messages stay on one line";
  const AwsError truncated_json = parse_error_response("X", "Op", response(400, R"({"__type":"Valid)"));
  EXPECT_EQ(truncated_json.code(), "BadRequest");
  EXPECT_FALSE(truncated_json.retryable());
}

TEST(ErrorParser, ThrottlingCodes) {
  for (const char* code :
       {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
        "TooManyRequestsException", "Throttling", "SlowDown", "RequestThrottledException"}) {
    EXPECT_TRUE(is_throttling_code(code)) << code;
    const AwsError e =
        parse_error_response("S", "O", response(400, std::string(R"({"__type":")") + code + "\"}"));
    EXPECT_TRUE(e.retryable()) << code;
  }
  EXPECT_FALSE(is_throttling_code("ValidationException"));
}

TEST(RetryPolicy, CappedExponentialBackoffWithFullJitter) {
  RetryPolicy p;
  p.random = [] { return 1.0; };
  EXPECT_EQ(p.backoff(1).count(), 50);
  EXPECT_EQ(p.backoff(2).count(), 100);
  EXPECT_EQ(p.backoff(3).count(), 200);
  EXPECT_EQ(p.backoff(10).count(), 20000);  // 50 * 512 = 25600, capped
  EXPECT_EQ(p.backoff(40).count(), 20000);
  p.random = [] { return 0.25; };
  EXPECT_EQ(p.backoff(3).count(), 50);
  p.random = [] { return 0.0; };
  EXPECT_EQ(p.backoff(5).count(), 0);
}

TEST(RetryPolicy, MaxAttemptsFromEnvironment) {
  MapEnvironment env;
  EXPECT_EQ(retry_policy_from_environment(env).max_attempts, 3);
  env.set("AWS_MAX_ATTEMPTS", "7");
  EXPECT_EQ(retry_policy_from_environment(env).max_attempts, 7);
  env.set("AWS_MAX_ATTEMPTS", "zero");
  EXPECT_THROW(retry_policy_from_environment(env), std::invalid_argument);
  env.set("AWS_MAX_ATTEMPTS", "0");
  EXPECT_THROW(retry_policy_from_environment(env), std::invalid_argument);
}

class ScriptedClientTest : public ::testing::Test {
 protected:
  DynamoDbClient make_client(int max_attempts = 3) {
    ClientConfig config;
    config.region = "us-east-1";
    config.endpoint = "https://dynamodb.test";
    config.credentials = std::make_shared<StaticCredentialsProvider>(testing::test_credentials());
    config.transport = transport_;
    config.env = std::make_shared<MapEnvironment>();
    config.retry = testing::recording_retry(sleeps_, max_attempts);
    return DynamoDbClient(config);
  }
  std::shared_ptr<ScriptedTransport> transport_ = std::make_shared<ScriptedTransport>();
  std::vector<std::chrono::milliseconds> sleeps_;
};

TEST_F(ScriptedClientTest, RetriesThrottlingAnd5xxThenSucceeds) {
  auto client = make_client(4);
  transport_->push_json(400, R"({"__type":"#ProvisionedThroughputExceededException","message":"slow down"})");
  transport_->push_json(503, R"({"__type":"#ServiceUnavailable"})");
  transport_->push_json(500, "");
  transport_->push_json(200, R"({"TableNames":["a"]})");
  const auto result = client.list_tables();
  EXPECT_EQ(result["TableNames"][0], "a");
  EXPECT_EQ(transport_->requests().size(), 4u);
  ASSERT_EQ(sleeps_.size(), 3u);
  EXPECT_EQ(sleeps_[0].count(), 50);
  EXPECT_EQ(sleeps_[1].count(), 100);
  EXPECT_EQ(sleeps_[2].count(), 200);
  // Each attempt is signed afresh and carries the JSON-RPC headers.
  for (const auto& r : transport_->requests()) {
    EXPECT_EQ(r.headers.get("X-Amz-Target"), "DynamoDB_20120810.ListTables");
    EXPECT_EQ(r.headers.get("Content-Type"), "application/x-amz-json-1.0");
    EXPECT_TRUE(
        r.headers.get("Authorization").value_or("").starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/"));
  }
}

TEST_F(ScriptedClientTest, RetriesTransientNetworkErrors) {
  auto client = make_client();
  transport_->push(TransportError(TransportError::Kind::kSendRecv, "connection reset by peer"));
  transport_->push(TransportError(TransportError::Kind::kTimeout, "timed out"));
  transport_->push_json(200, "{}");
  EXPECT_NO_THROW(client.list_tables());
  EXPECT_EQ(transport_->requests().size(), 3u);
}

TEST_F(ScriptedClientTest, GivesUpAfterMaxAttemptsWithClearError) {
  auto client = make_client(3);
  for (int i = 0; i < 3; ++i)
    transport_->push_json(400, R"({"__type":"#ThrottlingException","message":"Rate exceeded"})");
  try {
    client.list_tables();
    FAIL() << "expected AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "ThrottlingException");
    EXPECT_EQ(e.service(), "DynamoDB");
    EXPECT_EQ(e.operation(), "ListTables");
    EXPECT_NE(std::string(e.what()).find("after 3 attempts"), std::string::npos) << e.what();
  }
  EXPECT_EQ(transport_->requests().size(), 3u);
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(ScriptedClientTest, NetworkFailureAfterRetriesIsNetworkError) {
  auto client = make_client(2);
  transport_->push(TransportError(TransportError::Kind::kConnect, "Failed to connect to 127.0.0.1 port 1"));
  transport_->push(TransportError(TransportError::Kind::kConnect, "Failed to connect to 127.0.0.1 port 1"));
  try {
    client.list_tables();
    FAIL() << "expected AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "NetworkError");
    EXPECT_EQ(e.http_status(), 0);
    EXPECT_NE(std::string(e.what()).find("Failed to connect"), std::string::npos);
  }
}

TEST_F(ScriptedClientTest, DoesNotRetryClientErrors) {
  auto client = make_client(5);
  transport_->push_json(400, R"({"__type":"#ValidationException","message":"bad key"})");
  try {
    client.get_item({{"TableName", "t"}});
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "ValidationException");
  }
  EXPECT_EQ(transport_->requests().size(), 1u);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(ScriptedClientTest, ConditionalCheckFailureIsAValue) {
  auto client = make_client();
  transport_->push_json(
      400,
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"pk":{"S":"a"}}})");
  transport_->push_json(200, R"({"Attributes":{"n":{"N":"2"}}})");
  const auto failed = client.try_put_item({{"TableName", "t"}, {"Item", {{"pk", {{"S", "a"}}}}}});
  EXPECT_FALSE(failed.applied);
  EXPECT_EQ(failed.response["Item"]["pk"]["S"], "a");
  const auto ok = client.try_update_item({{"TableName", "t"}});
  EXPECT_TRUE(ok.applied);
  EXPECT_EQ(ok.response["Attributes"]["n"]["N"], "2");
}

TEST_F(ScriptedClientTest, MaxAttemptsOneDisablesRetries) {
  auto client = make_client(1);
  transport_->push_json(500, "");
  EXPECT_THROW(client.list_tables(), AwsError);
  EXPECT_EQ(transport_->requests().size(), 1u);
}

}  // namespace
}  // namespace auric::aws
