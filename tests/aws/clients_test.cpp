// Lambda, ECS and STS clients against in-process fakes: the wire shape of each request
// (paths, headers, targets, form bodies, signatures) and the decoding of each response.
#include <gtest/gtest.h>

#include <mutex>

#include "aws/dynamodb.hpp"
#include "aws/ecs.hpp"
#include "aws/lambda.hpp"
#include "aws/sts.hpp"
#include "service_fakes.hpp"
#include "test_http_server.hpp"
#include "test_support.hpp"

namespace auric::aws {
namespace {

using testing::TestHttpServer;
using testing::TestRequest;
using testing::TestResponse;

ClientConfig config_for(const std::string& endpoint, const std::string& region = "eu-west-1") {
  ClientConfig config;
  config.region = region;
  config.endpoint = endpoint;
  config.credentials = std::make_shared<StaticCredentialsProvider>(
      testing::test_credentials("AKIDCLIENT", "s", "session-tok"));
  config.env = std::make_shared<MapEnvironment>();
  config.retry.sleeper = [](std::chrono::milliseconds) {};
  return config;
}

class RecordingServer {
 public:
  explicit RecordingServer(std::function<TestResponse(const TestRequest&)> handler)
      : handler_(std::move(handler)), server_([this](const TestRequest& r) {
          {
            std::lock_guard lock(mu_);
            requests_.push_back(r);
          }
          return handler_(r);
        }) {}
  std::string url() const { return server_.url(); }
  std::vector<TestRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::function<TestResponse(const TestRequest&)> handler_;
  mutable std::mutex mu_;
  std::vector<TestRequest> requests_;
  TestHttpServer server_;
};

TEST(LambdaClientTest, InvokeSyncAsyncAndFunctionErrors) {
  RecordingServer server([](const TestRequest& r) {
    if (r.headers.get("x-amz-invocation-type") == "Event") return TestResponse::json(202, "");
    if (r.body == R"({"fail":true})") {
      TestResponse resp = TestResponse::json(200, R"({"errorMessage":"boom","errorType":"Error"})");
      resp.headers.add("X-Amz-Function-Error", "Unhandled");
      return resp;
    }
    TestResponse resp = TestResponse::json(200, R"({"status":"needs_continuation"})");
    resp.headers.add("X-Amz-Executed-Version", "$LATEST");
    resp.headers.add("X-Amz-Log-Result", base64_encode("START RequestId: 1\nEND"));
    return resp;
  });
  LambdaClient lambda(config_for(server.url()));
  const InvokeResult sync =
      lambda.invoke("arn:aws:lambda:eu-west-1:123:function:migrate", R"({"direction":"up"})",
                    InvocationType::kRequestResponse, "live", true);
  EXPECT_EQ(sync.status_code, 200);
  EXPECT_EQ(sync.payload, R"({"status":"needs_continuation"})");
  EXPECT_TRUE(sync.function_error.empty());
  EXPECT_EQ(sync.executed_version, "$LATEST");
  EXPECT_EQ(sync.log_result, "START RequestId: 1\nEND");

  const InvokeResult async = lambda.invoke("migrate", R"({"hop":2})", InvocationType::kEvent);
  EXPECT_EQ(async.status_code, 202);

  const InvokeResult failed = lambda.invoke("migrate", R"({"fail":true})");
  EXPECT_EQ(failed.function_error, "Unhandled");
  EXPECT_NE(failed.payload.find("boom"), std::string::npos);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target,
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123%3Afunction%3Amigrate/"
            "invocations?Qualifier=live");
  EXPECT_EQ(requests[0].headers.get("x-amz-log-type"), "Tail");
  EXPECT_EQ(requests[0].headers.get("x-amz-security-token"), "session-tok");
  const std::string auth = requests[0].headers.get("authorization").value_or("");
  EXPECT_NE(auth.find("Credential=AKIDCLIENT/"), std::string::npos);
  EXPECT_NE(auth.find("/eu-west-1/lambda/aws4_request"), std::string::npos);
  EXPECT_NE(auth.find("x-amz-invocation-type"), std::string::npos) << "invocation type is signed";
  EXPECT_EQ(requests[1].headers.get("x-amz-invocation-type"), "Event");
}

TEST(LambdaClientTest, ServiceErrorsAreAwsErrors) {
  RecordingServer server([](const TestRequest&) {
    TestResponse resp =
        TestResponse::json(404, R"({"Type":"User","message":"Function not found: arn:aws:lambda:x"})");
    resp.headers.add("x-amzn-errortype", "ResourceNotFoundException");
    resp.headers.add("x-amzn-RequestId", "req-9");
    return resp;
  });
  LambdaClient lambda(config_for(server.url()));
  try {
    lambda.invoke("nope", "{}");
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "ResourceNotFoundException");
    EXPECT_EQ(e.request_id(), "req-9");
    EXPECT_EQ(e.service(), "Lambda");
    EXPECT_EQ(e.operation(), "Invoke");
  }
}

TEST(LambdaClientTest, ListFunctionsFollowsMarkersAndGetFunction) {
  RecordingServer server([](const TestRequest& r) {
    if (r.path == "/2015-03-31/functions/") {
      const auto marker = r.query_param("Marker");
      if (!marker)
        return TestResponse::json(
            200, R"({"Functions":[{"FunctionName":"a"},{"FunctionName":"b"}],"NextMarker":"m1"})");
      if (*marker == "m1")
        return TestResponse::json(200, R"({"Functions":[{"FunctionName":"c"}],"NextMarker":"m2"})");
      return TestResponse::json(200, R"({"Functions":[{"FunctionName":"d"}],"NextMarker":null})");
    }
    return TestResponse::json(
        200, R"({"Configuration":{"FunctionName":"a","Runtime":"provided.al2023"},"Code":{}})");
  });
  LambdaClient lambda(config_for(server.url()));
  const auto functions = lambda.list_functions();
  ASSERT_EQ(functions.size(), 4u);
  EXPECT_EQ(functions[3]["FunctionName"], "d");
  EXPECT_EQ(lambda.get_function("a")["Configuration"]["Runtime"], "provided.al2023");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[3].method, "GET");
  EXPECT_EQ(requests[3].target, "/2015-03-31/functions/a");
}

TEST(EcsClientTest, RunTaskAndDescribeTasksUseJson11) {
  RecordingServer server([](const TestRequest& r) {
    const std::string target = r.headers.get("x-amz-target").value_or("");
    if (target == "AmazonEC2ContainerServiceV20141113.RunTask") {
      return TestResponse::json(
          200,
          R"({"tasks":[{"taskArn":"arn:aws:ecs:eu-west-1:1:task/c/abc","lastStatus":"PROVISIONING"}],"failures":[]})");
    }
    if (target == "AmazonEC2ContainerServiceV20141113.DescribeTasks") {
      return TestResponse::json(
          200,
          R"({"tasks":[{"taskArn":"arn:aws:ecs:eu-west-1:1:task/c/abc","lastStatus":"STOPPED","containers":[{"exitCode":0}]}],"failures":[]})");
    }
    return TestResponse::json(400, R"({"__type":"UnknownOperationException"})");
  });
  EcsClient ecs(config_for(server.url()));
  const auto run =
      ecs.run_task({{"cluster", "c"},
                    {"taskDefinition", "migrate:3"},
                    {"launchType", "FARGATE"},
                    {"overrides", {{"containerOverrides", {{{"name", "app"}, {"command", {"up"}}}}}}}});
  EXPECT_EQ(run["tasks"][0]["lastStatus"], "PROVISIONING");
  const auto described = ecs.describe_tasks("c", {"arn:aws:ecs:eu-west-1:1:task/c/abc"});
  EXPECT_EQ(described["tasks"][0]["containers"][0]["exitCode"], 0);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].headers.get("content-type"), "application/x-amz-json-1.1");
  EXPECT_EQ(nlohmann::json::parse(requests[0].body)["taskDefinition"], "migrate:3");
  EXPECT_EQ(nlohmann::json::parse(requests[1].body)["tasks"][0], "arn:aws:ecs:eu-west-1:1:task/c/abc");
  EXPECT_NE(requests[1].headers.get("authorization").value_or("").find("/eu-west-1/ecs/aws4_request"),
            std::string::npos);
}

TEST(StsClientTest, AssumeRoleFormAndResult) {
  testing::FakeSts sts;
  StsClient client(config_for(sts.endpoint(), "us-east-1"));
  AssumeRoleRequest request;
  request.role_arn = "arn:aws:iam::123456789012:role/Deployer";
  request.role_session_name = "s 1";
  request.duration = std::chrono::seconds(900);
  const AssumedRole role = client.assume_role(request);
  EXPECT_EQ(role.credentials.access_key_id, "ASIAFAKE");
  EXPECT_EQ(role.assumed_role_arn, "arn:aws:sts::123456789012:assumed-role/Deployer/s 1");
  EXPECT_EQ(role.credentials.account_id, "123456789012");
  const auto calls = sts.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].params.at("Version"), "2011-06-15");
  EXPECT_EQ(calls[0].params.at("DurationSeconds"), "900");
  EXPECT_EQ(calls[0].params.at("RoleSessionName"), "s 1");
}

TEST(StsClientTest, MalformedXmlIsMalformedResponse) {
  RecordingServer server([](const TestRequest&) {
    return TestResponse::xml(200,
                             "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId>"
                             "</Credentials></AssumeRoleResult></AssumeRoleResponse>");
  });
  StsClient client(config_for(server.url()));
  AssumeRoleRequest request;
  request.role_arn = "arn:aws:iam::1:role/x";
  request.role_session_name = "s";
  try {
    client.assume_role(request);
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "MalformedResponse");
    EXPECT_NE(std::string(e.what()).find("SecretAccessKey"), std::string::npos) << e.what();
  }
}

// A Query loop against an endpoint that keeps returning LastEvaluatedKey must end.
TEST(PaginationGuard, StopsOnAKeyThatDoesNotMoveAndAfterThePageBudget) {
  const nlohmann::json a = {{"pk", {{"S", "a"}}}};
  const nlohmann::json b = {{"pk", {{"S", "b"}}}};
  PaginationGuard stuck("Query");
  stuck.next(nullptr, a);
  try {
    stuck.next(a, a);
    ADD_FAILURE() << "no error for a key that does not move";
  } catch (const AwsError& e) {
    EXPECT_NE(std::string(e.what()).find("no forward progress"), std::string::npos) << e.what();
  }
  PaginationGuard budget("Query", 3);
  budget.next(nullptr, a);
  budget.next(a, b);
  EXPECT_THROW(budget.next(b, a), AwsError);  // the third page still has a key
  PaginationGuard done("Query", 1);
  done.next(nullptr, nullptr);  // a last page is never over budget
}

}  // namespace
}  // namespace auric::aws
