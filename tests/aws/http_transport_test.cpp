// The libcurl transport against the in-process test server: keep-alive reuse, timeouts,
// streaming to a file, resets, truncated bodies; and malformed service responses surfacing
// as clear AwsErrors (never crashes).
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "aws/dynamodb.hpp"
#include "aws/http.hpp"
#include "aws/lambda.hpp"
#include "aws/s3.hpp"
#include "test_http_server.hpp"
#include "test_support.hpp"

namespace auric::aws {
namespace {

using testing::TestHttpServer;
using testing::TestRequest;
using testing::TestResponse;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(CaBundle, AwsCaBundleWinsThenTheBuiltInDefaultThenTheDistributionPaths) {
  std::set<std::string> present;
  const auto exists = [&](const std::string& p) { return present.count(p) > 0; };
  const std::string debian = "/etc/ssl/certs/ca-certificates.crt";
  const std::string amazon = "/etc/pki/tls/certs/ca-bundle.crt";
  present = {debian, amazon};
  EXPECT_EQ(choose_ca_bundle(std::string("/my/ca.pem"), debian, exists), "/my/ca.pem");
  // Built on Debian and run there: libcurl's own default stands.
  EXPECT_EQ(choose_ca_bundle(std::nullopt, debian, exists), "");
  EXPECT_EQ(choose_ca_bundle(std::string(""), debian, exists), "") << "an empty AWS_CA_BUNDLE is unset";
  // Built on Debian, run on Amazon Linux 2023 (Lambda): the built-in path is missing.
  present = {amazon};
  EXPECT_EQ(choose_ca_bundle(std::nullopt, debian, exists), amazon);
  EXPECT_EQ(choose_ca_bundle(std::nullopt, "", exists), amazon);
  present = {"/etc/ssl/cert.pem"};
  EXPECT_EQ(choose_ca_bundle(std::nullopt, debian, exists), "/etc/ssl/cert.pem");
  present = {};
  EXPECT_EQ(choose_ca_bundle(std::nullopt, debian, exists), "") << "nothing found: libcurl's default";
}

TEST(CurlTransport, ReusesConnections) {
  TestHttpServer server([](const TestRequest& r) { return TestResponse::text(200, "echo:" + r.body); });
  auto transport = make_curl_transport();
  for (int i = 0; i < 10; ++i) {
    HttpRequest request;
    request.method = "POST";
    request.url = server.url() + "/x";
    request.body = std::to_string(i);
    const HttpResponse response = transport->send(request);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "echo:" + std::to_string(i));
  }
  EXPECT_EQ(server.request_count(), 10u);
  EXPECT_EQ(server.connection_count(), 1u) << "sequential requests should share one kept-alive connection";
}

TEST(CurlTransport, SendsMethodHeadersAndBody) {
  std::mutex mu;
  TestRequest seen;
  TestHttpServer server([&](const TestRequest& r) {
    std::lock_guard lock(mu);
    seen = r;
    TestResponse resp = TestResponse::text(201, "");
    resp.headers.add("X-Reply", "yes");
    return resp;
  });
  HttpRequest request;
  request.method = "PUT";
  request.url = server.url() + "/a%20b?x=1";
  request.headers.add("X-Custom", "v");
  request.body = std::string(3000, 'z');
  const HttpResponse response = make_curl_transport()->send(request);
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.headers.get("x-reply"), "yes");
  std::lock_guard lock(mu);
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.target, "/a%20b?x=1");
  EXPECT_EQ(seen.headers.get("x-custom"), "v");
  EXPECT_FALSE(seen.headers.contains("expect")) << "no 100-continue round trip";
  EXPECT_EQ(seen.body.size(), 3000u);
}

TEST(CurlTransport, TotalTimeoutIsATimeoutError) {
  TestHttpServer server([](const TestRequest&) {
    TestResponse r = TestResponse::text(200, "late");
    r.delay = std::chrono::milliseconds(800);
    return r;
  });
  HttpRequest request;
  request.url = server.url() + "/";
  request.total_timeout = std::chrono::milliseconds(200);
  try {
    make_curl_transport()->send(request);
    FAIL() << "expected a timeout";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::kTimeout);
    EXPECT_TRUE(e.transient());
  }
}

TEST(CurlTransport, ConnectionRefusedIsAConnectError) {
  std::uint16_t port;
  {
    TestHttpServer server([](const TestRequest&) { return TestResponse::text(200, ""); });
    port = server.port();
  }
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  try {
    make_curl_transport()->send(request);
    FAIL();
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::kConnect);
  }
}

TEST(CurlTransport, ResetAndTruncatedBodiesAreTransientErrors) {
  TestHttpServer server([](const TestRequest& r) {
    if (r.path == "/reset") return TestResponse::reset();
    TestResponse t = TestResponse::text(200, std::string(1000, 'a'));
    t.truncate_body_at = 100;
    return t;
  });
  auto transport = make_curl_transport();
  HttpRequest reset;
  reset.url = server.url() + "/reset";
  try {
    transport->send(reset);
    FAIL();
  } catch (const TransportError& e) {
    EXPECT_TRUE(e.transient()) << e.what();
  }
  HttpRequest truncated;
  truncated.url = server.url() + "/truncated";
  try {
    transport->send(truncated);
    FAIL();
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::kTruncated) << e.what();
  }
}

TEST(CurlTransport, StreamsSuccessfulBodiesToAFileButKeepsErrorsInMemory) {
  const std::string big(300000, 'q');
  TestHttpServer server([&](const TestRequest& r) {
    if (r.path == "/missing") return TestResponse::xml(404, "<Error><Code>NoSuchKey</Code></Error>");
    return TestResponse::text(200, big);
  });
  testing::TempHome dir;
  HttpRequest request;
  request.url = server.url() + "/object";
  request.response_body_file = dir.path() / "out.bin";
  const HttpResponse ok = make_curl_transport()->send(request);
  EXPECT_EQ(ok.status, 200);
  EXPECT_TRUE(ok.body.empty());
  EXPECT_EQ(ok.streamed_bytes, big.size());
  EXPECT_EQ(read_file(dir.path() / "out.bin"), big);

  request.url = server.url() + "/missing";
  request.response_body_file = dir.path() / "missing.bin";
  const HttpResponse missing = make_curl_transport()->send(request);
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("NoSuchKey"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "missing.bin"));
}

TEST(CurlTransport, ConcurrentRequestsFromManyThreads) {
  TestHttpServer server([](const TestRequest& r) { return TestResponse::text(200, r.body); });
  auto transport = make_curl_transport();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        HttpRequest request;
        request.method = "POST";
        request.url = server.url() + "/";
        request.body = std::to_string(t * 100 + i);
        if (transport->send(request).body == request.body) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 100);
  EXPECT_LE(server.connection_count(), 8u);
}

// ----------------------------------------------------------------- malformed responses

class MalformedResponseTest : public ::testing::Test {
 protected:
  ClientConfig config_for(const TestHttpServer& server) {
    ClientConfig config;
    config.region = "us-east-1";
    config.endpoint = server.url();
    config.credentials = std::make_shared<StaticCredentialsProvider>(testing::test_credentials());
    config.env = std::make_shared<MapEnvironment>();
    config.retry.max_attempts = 2;
    config.retry.sleeper = [](std::chrono::milliseconds) {};
    return config;
  }
};

TEST_F(MalformedResponseTest, DynamoDbBadJsonWrongTypesAndTruncation) {
  TestHttpServer server([](const TestRequest& r) {
    const std::string target = r.headers.get("x-amz-target").value_or("");
    if (target.ends_with("ListTables")) return TestResponse::json(200, R"({"TableNames": [)");
    if (target.ends_with("DescribeTable")) return TestResponse::json(200, R"(["not","an","object"])");
    if (target.ends_with("GetItem")) return TestResponse::json(200, R"({"Item":{"pk":{"S":42}}})");
    if (target.ends_with("Query")) return TestResponse::json(200, R"({"Items":"nope"})");
    TestResponse t = TestResponse::json(200, R"({"Attributes":{"pk":{"S":"abcdefgh"}}})");
    t.truncate_body_at = 10;
    return t;
  });
  DynamoDbClient client(config_for(server));
  auto expect_code = [](auto&& call, const std::string& code) {
    try {
      call();
      ADD_FAILURE() << "expected AwsError " << code;
    } catch (const AwsError& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  };
  expect_code([&] { client.list_tables(); }, "MalformedResponse");
  expect_code([&] { client.describe_table("t"); }, "MalformedResponse");
  expect_code([&] { client.get("t", {{"pk", AttributeValue::string("a")}}); }, "MalformedResponse");
  expect_code([&] { client.query_page({{"TableName", "t"}}); }, "MalformedResponse");
  expect_code([&] { client.wait_until_active("t", std::chrono::milliseconds(100)); }, "MalformedResponse");
  expect_code([&] { client.put_item({{"TableName", "t"}}); }, "NetworkError");
}

TEST_F(MalformedResponseTest, LambdaListFunctionsWithWrongShape) {
  TestHttpServer server(
      [](const TestRequest&) { return TestResponse::json(200, R"({"Functions": {"a": 1}})"); });
  LambdaClient client(config_for(server));
  try {
    client.list_functions();
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "MalformedResponse");
    EXPECT_NE(std::string(e.what()).find("Functions"), std::string::npos) << e.what();
  }
}

TEST_F(MalformedResponseTest, ErrorBodiesThatAreNotJsonStillGiveAnError) {
  TestHttpServer server([](const TestRequest&) { return TestResponse::text(418, "\x01\x02 binary junk"); });
  DynamoDbClient client(config_for(server));
  try {
    client.list_tables();
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "Http418");
    EXPECT_EQ(e.http_status(), 418);
  }
}

}  // namespace
}  // namespace auric::aws
