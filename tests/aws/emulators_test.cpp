// Real round trips against the npm emulators: DynamoDB against dynalite (table with a GSI,
// conditional writes, pagination, batch writes) and S3 against s3rver (path style, file
// streaming). Also the fault proxy in front of dynalite: the client retries through
// throttling, 5xx, resets and delays, and fails clearly when the endpoint is down.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>

#include "aws/dynamodb.hpp"
#include "aws/s3.hpp"
#include "dynalite_server.hpp"
#include "fault_proxy.hpp"
#include "s3rver_server.hpp"
#include "test_support.hpp"

namespace auric::aws {
namespace {

using testing::DynaliteServer;
using testing::FaultConfig;
using testing::FaultProxy;

nlohmann::json table_definition(const std::string& name) {
  return {
      {"TableName", name},
      {"BillingMode", "PAY_PER_REQUEST"},
      {"AttributeDefinitions",
       {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
        {{"AttributeName", "sk"}, {"AttributeType", "S"}},
        {{"AttributeName", "gsi1pk"}, {"AttributeType", "S"}},
        {{"AttributeName", "gsi1sk"}, {"AttributeType", "S"}}}},
      {"KeySchema",
       {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}, {{"AttributeName", "sk"}, {"KeyType", "RANGE"}}}},
      {"GlobalSecondaryIndexes",
       {{{"IndexName", "gsi1"},
         {"KeySchema",
          {{{"AttributeName", "gsi1pk"}, {"KeyType", "HASH"}},
           {{"AttributeName", "gsi1sk"}, {"KeyType", "RANGE"}}}},
         {"Projection", {{"ProjectionType", "ALL"}}}}}},
  };
}

// One dynalite for the whole suite: starting node costs ~0.5 s.
// A missing emulator (no node_modules) fails every test with the fix; it never skips.
class DynaliteTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      server_ = new DynaliteServer();
    } catch (const std::exception& e) {
      startup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr) << "dynalite did not start: " << startup_error_; }
  static DynaliteServer* server_;
  static std::string startup_error_;
};
DynaliteServer* DynaliteTest::server_ = nullptr;
std::string DynaliteTest::startup_error_;

TEST_F(DynaliteTest, TableLifecycleWithGsi) {
  DynamoDbClient client(server_->client_config());
  EXPECT_TRUE(client.create_table_if_absent(table_definition("lifecycle")));
  EXPECT_FALSE(client.create_table_if_absent(table_definition("lifecycle"))) << "idempotent";
  const auto described = client.describe_table("lifecycle");
  EXPECT_EQ(described["Table"]["TableStatus"], "ACTIVE");
  EXPECT_EQ(described["Table"]["GlobalSecondaryIndexes"][0]["IndexName"], "gsi1");
  const auto tables = client.list_tables();
  EXPECT_NE(std::find(tables["TableNames"].begin(), tables["TableNames"].end(), "lifecycle"),
            tables["TableNames"].end());
  try {
    client.describe_table("does-not-exist");
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), kResourceNotFound);
    EXPECT_EQ(e.http_status(), 400);
  }
}

TEST_F(DynaliteTest, PutGetUpdateDeleteWithConditions) {
  DynamoDbClient client(server_->client_config());
  client.create_table_if_absent(table_definition("items"));
  const Item key = {{"pk", AttributeValue::string("LOCK")}, {"sk", AttributeValue::string("LOCK")}};
  EXPECT_FALSE(client.get("items", key).has_value());

  Item lock = key;
  lock["owner"] = AttributeValue::string("runner-1");
  lock["token"] = AttributeValue::number(std::int64_t{1});
  const nlohmann::json put = {{"TableName", "items"},
                              {"Item", item_to_wire(lock)},
                              {"ConditionExpression", "attribute_not_exists(pk)"}};
  EXPECT_TRUE(client.try_put_item(put).applied);
  const auto second = client.try_put_item(put);
  EXPECT_FALSE(second.applied) << "the condition must fail the second time";
  try {
    client.put_item(put);
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), kConditionalCheckFailed);
    EXPECT_FALSE(e.retryable());
  }

  const nlohmann::json update = {
      {"TableName", "items"},
      {"Key", item_to_wire(key)},
      {"UpdateExpression", "SET #t = #t + :one, #o = :new"},
      {"ConditionExpression", "#t = :expected"},
      {"ExpressionAttributeNames", {{"#t", "token"}, {"#o", "owner"}}},
      {"ExpressionAttributeValues",
       {{":one", {{"N", "1"}}}, {":expected", {{"N", "1"}}}, {":new", {{"S", "runner-2"}}}}},
      {"ReturnValues", "ALL_NEW"}};
  const auto updated = client.try_update_item(update);
  ASSERT_TRUE(updated.applied);
  EXPECT_EQ(updated.response["Attributes"]["token"]["N"], "2");
  EXPECT_FALSE(client.try_update_item(update).applied) << "stale fencing token";

  const auto got = client.get("items", key);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->at("owner").as_string(), "runner-2");
  EXPECT_EQ(got->at("token").as_int(), 2);

  const nlohmann::json del = {{"TableName", "items"},
                              {"Key", item_to_wire(key)},
                              {"ConditionExpression", "#o = :me"},
                              {"ExpressionAttributeNames", {{"#o", "owner"}}},
                              {"ExpressionAttributeValues", {{":me", {{"S", "runner-1"}}}}}};
  EXPECT_FALSE(client.try_delete_item(del).applied);
  client.delete_item({{"TableName", "items"}, {"Key", item_to_wire(key)}});
  EXPECT_FALSE(client.get("items", key).has_value());
}

TEST_F(DynaliteTest, QueryPaginationDescendingAndGsi) {
  DynamoDbClient client(server_->client_config());
  client.create_table_if_absent(table_definition("runs"));
  std::vector<nlohmann::json> writes;
  for (int i = 0; i < 60; ++i) {
    char sk[16];
    std::snprintf(sk, sizeof sk, "%03d", i);
    const nlohmann::json plain = {
        {"pk", "RUN#m1"}, {"sk", sk}, {"gsi1pk", i % 2 == 0 ? "EXEC#even" : "EXEC#odd"},
        {"gsi1sk", sk},   {"n", i},   {"payload", std::string(100, 'x')}};
    writes.push_back({{"PutRequest", {{"Item", plain_to_wire(plain)}}}});
  }
  client.batch_write_all("runs", writes);

  nlohmann::json query = {{"TableName", "runs"},
                          {"KeyConditionExpression", "pk = :pk"},
                          {"ExpressionAttributeValues", {{":pk", {{"S", "RUN#m1"}}}}},
                          {"ConsistentRead", true},
                          {"ScanIndexForward", false},
                          {"Limit", 25}};
  const auto first = client.query_page(query);
  ASSERT_EQ(first.items.size(), 25u);
  EXPECT_EQ(first.items.front().at("sk").as_string(), "059") << "newest first";
  ASSERT_FALSE(first.last_evaluated_key.is_null());
  const auto all = client.query_all(query);
  ASSERT_EQ(all.size(), 60u);
  std::set<std::string> distinct;
  for (const auto& item : all) distinct.insert(item.at("sk").as_string());
  EXPECT_EQ(distinct.size(), 60u) << "pages neither overlap nor skip";
  EXPECT_EQ(client.query_all(query, 30).size(), 30u);

  const auto odd = client.query_all({{"TableName", "runs"},
                                     {"IndexName", "gsi1"},
                                     {"KeyConditionExpression", "gsi1pk = :p"},
                                     {"ExpressionAttributeValues", {{":p", {{"S", "EXEC#odd"}}}}}});
  EXPECT_EQ(odd.size(), 30u);
  EXPECT_EQ(item_to_plain(odd.front())["n"], 1);

  try {
    client.query({{"TableName", "runs"},
                  {"IndexName", "gsi1"},
                  {"ConsistentRead", true},
                  {"KeyConditionExpression", "gsi1pk = :p"},
                  {"ExpressionAttributeValues", {{":p", {{"S", "EXEC#odd"}}}}}});
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), kValidationError);
  }
}

TEST_F(DynaliteTest, RetriesThroughInjectedFaultsWithoutLosingWrites) {
  FaultProxy proxy(server_->endpoint(), FaultConfig::uniform(0.3, 7));
  ClientConfig config = server_->client_config(proxy.endpoint());
  config.retry.max_attempts = 10;
  config.retry.base = std::chrono::milliseconds(1);
  DynamoDbClient client(config);
  client.create_table_if_absent(table_definition("faulty"));
  for (int i = 0; i < 40; ++i) {
    // Idempotent overwrite: a reset after the write reached dynalite is retried safely.
    client.put("faulty", {{"pk", AttributeValue::string("P")},
                          {"sk", AttributeValue::string(std::to_string(i))},
                          {"v", AttributeValue::number(std::int64_t{i})}});
  }
  const auto items = client.query_all({{"TableName", "faulty"},
                                       {"KeyConditionExpression", "pk = :p"},
                                       {"ExpressionAttributeValues", {{":p", {{"S", "P"}}}}},
                                       {"ConsistentRead", true}});
  EXPECT_EQ(items.size(), 40u);
  const auto stats = proxy.stats();
  EXPECT_GT(stats.throttled, 0u);
  EXPECT_GT(stats.server_errors, 0u);
  EXPECT_GT(stats.resets, 0u);
  EXPECT_GT(stats.requests, stats.forwarded) << "some faults were answered by the proxy itself";
  EXPECT_GT(stats.bytes_in, 0u);
  EXPECT_GT(stats.bytes_out, 0u);
}

TEST_F(DynaliteTest, ThrottlingHookAndDelaysAreRetried) {
  FaultProxy proxy(server_->endpoint());
  // The first two requests are throttled, the third is delayed; then all pass.
  proxy.set_hook(
      [](const testing::TestRequest&, std::uint64_t index) -> std::optional<testing::TestResponse> {
        if (index < 2) return testing::throttling_response(index == 0);
        return std::nullopt;
      });
  FaultConfig slow;
  slow.delay = 1.0;
  slow.delay_for = std::chrono::milliseconds(50);
  proxy.set_faults(slow);
  ClientConfig config = server_->client_config(proxy.endpoint());
  config.retry.base = std::chrono::milliseconds(1);
  DynamoDbClient client(config);
  EXPECT_NO_THROW(client.list_tables());
  const auto stats = proxy.stats();
  EXPECT_EQ(stats.requests, 3u);
  EXPECT_EQ(stats.forwarded, 1u);
  EXPECT_EQ(stats.delayed, 1u);
}

TEST_F(DynaliteTest, EndpointDownGivesAClearErrorAfterBoundedRetries) {
  auto proxy = std::make_unique<FaultProxy>(server_->endpoint());
  const std::string endpoint = proxy->endpoint();
  proxy.reset();  // nothing listens there any more
  ClientConfig config = server_->client_config(endpoint);
  std::vector<std::chrono::milliseconds> sleeps;
  config.retry = testing::recording_retry(sleeps, 3);
  DynamoDbClient client(config);
  try {
    client.put_item({{"TableName", "x"}, {"Item", {{"pk", {{"S", "a"}}}}}});
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), kNetworkErrorCode);
    const std::string what = e.what();
    EXPECT_NE(what.find("DynamoDB PutItem failed"), std::string::npos) << what;
    EXPECT_NE(what.find("after 3 attempts"), std::string::npos) << what;
  }
  EXPECT_EQ(sleeps.size(), 2u);
}

// ------------------------------------------------------------------ s3rver

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(S3rver, PutHeadAndGetToFile) {
  testing::S3rverServer server("auric-bucket");
  S3Client s3(server.client_config());
  testing::TempHome dir;
  std::string body;
  for (int i = 0; i < 20000; ++i) body += static_cast<char>(i % 251);
  const std::string key = "bundles/v1/app bundle+1.zip";
  const std::string etag = s3.put_object("auric-bucket", key, body, "application/zip", {{"build", "42"}});
  EXPECT_FALSE(etag.empty());

  const auto head = s3.head_object("auric-bucket", key);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->content_length, body.size());
  EXPECT_EQ(head->content_type, "application/zip");
  EXPECT_EQ(head->metadata.at("build"), "42");
  EXPECT_TRUE(head->last_modified_time) << "s3rver's Last-Modified is an HTTP date: " << head->last_modified;
  EXPECT_FALSE(s3.head_object("auric-bucket", "missing/key").has_value());

  const auto target = dir.path() / "download.zip";
  const ObjectInfo info = s3.get_object_to_file("auric-bucket", key, target);
  EXPECT_EQ(info.content_length, body.size());
  EXPECT_EQ(slurp(target), body);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "download.zip.part"));

  try {
    s3.get_object_to_file("auric-bucket", "missing/key", dir.path() / "nothing");
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "NoSuchKey");
    EXPECT_EQ(e.http_status(), 404);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "nothing"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "nothing.part"));

  const auto file = dir.write("upload.txt", "from a file");
  s3.put_object_from_file("auric-bucket", "f.txt", file);
  s3.get_object_to_file("auric-bucket", "f.txt", dir.path() / "f.txt");
  EXPECT_EQ(slurp(dir.path() / "f.txt"), "from a file");
}

// Records what a BodyObserver is told: the bytes since the last restart, and the restarts.
class RecordingObserver final : public BodyObserver {
 public:
  void restart() override {
    ++restarts;
    bytes.clear();
  }
  void append(std::string_view chunk) override {
    ++chunks;
    bytes.append(chunk);
  }
  int restarts = 0;
  int chunks = 0;
  std::string bytes;
};

TEST(S3rver, GetToFileShowsAnObserverEveryByteAndRestartsItWhenARetryStartsOver) {
  testing::S3rverServer server("auric-bucket");
  FaultProxy proxy(server.endpoint());
  ClientConfig config = server.client_config();
  config.endpoint = proxy.endpoint();
  config.retry.sleeper = [](std::chrono::milliseconds) {};
  S3Client s3(config);
  std::string body;
  for (int i = 0; i < 300000; ++i) body += static_cast<char>((i * 7) % 253);
  s3.put_object("auric-bucket", "obs.bin", body);
  testing::TempHome dir;

  RecordingObserver plain;
  s3.get_object_to_file("auric-bucket", "obs.bin", dir.path() / "plain.bin", &plain);
  EXPECT_EQ(plain.restarts, 1);
  EXPECT_GT(plain.chunks, 1) << "300 KB arrive in several chunks";
  EXPECT_EQ(plain.bytes, body);

  // The first GET gets other bytes and is cut short; the retry streams the object from the start.
  std::atomic<bool> cut{false};
  proxy.set_hook([&](const testing::TestRequest& r, std::uint64_t) -> std::optional<testing::TestResponse> {
    if (r.method != "GET" || cut.exchange(true)) return std::nullopt;
    testing::TestResponse wrong = testing::TestResponse::text(200, std::string(body.size(), 'Z'));
    wrong.truncate_body_at = 100000;
    return wrong;
  });
  RecordingObserver retried;
  const ObjectInfo info =
      s3.get_object_to_file("auric-bucket", "obs.bin", dir.path() / "retried.bin", &retried);
  EXPECT_EQ(retried.restarts, 2) << "once per attempt that streamed a body";
  EXPECT_EQ(retried.bytes, body);
  EXPECT_EQ(info.content_length, body.size());
  EXPECT_EQ(slurp(dir.path() / "retried.bin"), body);

  RecordingObserver missing;
  EXPECT_THROW(s3.get_object_to_file("auric-bucket", "missing", dir.path() / "m.bin", &missing), AwsError);
  EXPECT_EQ(missing.restarts, 0) << "an error body is not the object";
  EXPECT_TRUE(missing.bytes.empty());
}

TEST(S3rver, WrongAccessKeyIsRejected) {
  testing::S3rverServer server("auric-bucket");
  ClientConfig config = server.client_config();
  config.credentials = testing::emulator_credentials("WRONG", "S3RVER");
  S3Client s3(config);
  try {
    s3.put_object("auric-bucket", "k", "v");
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.http_status(), 403);
    EXPECT_FALSE(e.code().empty());
  }
}

TEST(S3Addressing, VirtualHostedAndPathStyleUrls) {
  ClientConfig config;
  config.region = "eu-west-1";
  config.env = std::make_shared<MapEnvironment>();
  config.credentials = testing::emulator_credentials();
  S3Client hosted(config);
  EXPECT_EQ(hosted.object_url("b", "a b/c.txt"), "https://b.s3.eu-west-1.amazonaws.com/a%20b/c.txt");
  config.s3_path_style = true;
  S3Client path(config);
  EXPECT_EQ(path.object_url("b", "k"), "https://s3.eu-west-1.amazonaws.com/b/k");
}

}  // namespace
}  // namespace auric::aws
