// What only the DynamoDB store promises, beyond the conformance suite: store URLs, `init`
// (idempotent, waits for ACTIVE, refuses foreign tables), the "run init" message, item sizes
// (a maximal run fits untouched; larger ones are trimmed with flags), UTF-8 repair, opaque
// cursors, clear errors for malformed responses, lost responses never mistaken for conflicts,
// and the client offered to migrations.
#include <stdlib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <string>

#include "aws/dynamodb.hpp"
#include "dynamodb_support.hpp"
#include "fault_proxy.hpp"
#include "store/dynamodb_client_factory.hpp"
#include "store/dynamodb_items.hpp"
#include "store/dynamodb_store.hpp"
#include "store/open_store.hpp"
#include "store/registry.hpp"

namespace auric::dynamodb_testing {
namespace {

using aws::testing::FaultConfig;
using aws::testing::FaultProxy;
using aws::testing::TestRequest;
using aws::testing::TestResponse;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kNow = 1'700'000'000'000;

std::string store_error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const StoreError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not a StoreError: ") + e.what();
  }
  return "";
}

std::string invalid_argument_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not std::invalid_argument: ") + e.what();
  }
  return "";
}

bool is_operation(const TestRequest& request, std::string_view operation) {
  const auto target = request.headers.get("X-Amz-Target");
  return target && target->ends_with("." + std::string(operation));
}

std::unique_ptr<Store> new_store(const std::string& prefix, const std::string& endpoint = {},
                                 int attempts = 3) {
  auto store = open_test_store(unique_table(prefix), endpoint, attempts);
  store->init();
  return store;
}

RunRecord run_record(const std::string& id, const std::string& run_id, std::int64_t started_at) {
  RunRecord run;
  run.run_id = run_id;
  run.id = id;
  run.execution_id = "exec-1";
  run.started_at = started_at;
  run.status = RunStatus::kCompleted;
  return run;
}

// Text of exactly `bytes` bytes made of a multi-byte character and newlines.
std::string utf8_text(std::size_t bytes, const std::string& ch) {
  std::string text;
  while (text.size() + ch.size() + 1 <= bytes) {
    text += ch;
    if (text.size() % 100 < ch.size()) text += '\n';
  }
  while (text.size() < bytes) text += 'x';
  return text;
}

// ---- URLs ------------------------------------------------------------------------------------------

TEST(DynamoDbStoreUrl, ParsesTableAndOptions) {
  const auto o = parse_dynamodb_store_location(
      "my-table.v2?region=eu-west-1&endpoint=http%3A%2F%2F127.0.0.1%3A8000&profile=deploy&max_attempts=7");
  EXPECT_EQ(o.table, "my-table.v2");
  EXPECT_EQ(o.region, "eu-west-1");
  EXPECT_EQ(o.endpoint, "http://127.0.0.1:8000");
  EXPECT_EQ(o.profile, "deploy");
  EXPECT_EQ(o.max_attempts, 7);

  const auto plain = parse_dynamodb_store_location("Migrations_Table");
  EXPECT_EQ(plain.table, "Migrations_Table");
  EXPECT_TRUE(plain.region.empty());
  EXPECT_TRUE(plain.endpoint.empty());
  EXPECT_EQ(plain.max_attempts, 0);
}

TEST(DynamoDbStoreUrl, RejectsBadUrlsWithTheExpectedForm) {
  const auto parse = [](const std::string& location) {
    return invalid_argument_of([&] { parse_dynamodb_store_location(location); });
  };
  EXPECT_THAT(parse(""), AllOf(HasSubstr("no table name"), HasSubstr("dynamodb:TABLE?region=")));
  EXPECT_THAT(parse("?region=x"), HasSubstr("no table name"));
  EXPECT_THAT(parse("ab"), HasSubstr("invalid table name 'ab'"));
  EXPECT_THAT(parse("bad/name"), HasSubstr("invalid table name"));
  EXPECT_THAT(parse("table?colour=red"), AllOf(HasSubstr("unknown option 'colour'"),
                                               HasSubstr("region, endpoint, profile, max_attempts")));
  EXPECT_THAT(parse("table?region="), HasSubstr("option 'region' has no value"));
  EXPECT_THAT(parse("table?region=a&region=b"), HasSubstr("given twice"));
  EXPECT_THAT(parse("table?endpoint=127.0.0.1:8000"), HasSubstr("not an http:// or https:// URL"));
  EXPECT_THAT(parse("table?max_attempts=0"), HasSubstr("max_attempts must be a whole number"));
  EXPECT_THAT(parse("table?max_attempts=3x"), HasSubstr("max_attempts must be a whole number"));
}

TEST(DynamoDbStoreUrl, OpenStoreKnowsTheSchemeAndDescribesTheStore) {
  use_emulator_env();
  const auto schemes = registered_store_schemes();
  EXPECT_NE(std::find(schemes.begin(), schemes.end(), "dynamodb"), schemes.end());

  const std::string table = unique_table("url");
  auto store = open_store(store_url(table));
  EXPECT_EQ(store->describe(), "dynamodb:" + table + " (us-east-1, " + dynalite().endpoint() + ")");
  store->init();
  EXPECT_FALSE(store->read_lock().has_value());

  auto aws_store = open_store("dynamodb:" + table + "?region=eu-west-1");
  EXPECT_EQ(aws_store->describe(), "dynamodb:" + table + " (eu-west-1)")
      << "standard endpoints are not shown";
  EXPECT_THAT(invalid_argument_of([] { open_store("dynamodb:?region=x"); }), HasSubstr("no table name"));
}

TEST(DynamoDbStoreUrl, NoRegionIsAOneLineStoreErrorSayingWhatToDo) {
  use_emulator_env();
  ::unsetenv("AWS_REGION");
  ::unsetenv("AWS_DEFAULT_REGION");
  ::setenv("AWS_CONFIG_FILE", "/nonexistent/auric-test-config", 1);
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/auric-test-credentials", 1);
  const std::string message = store_error_of([] { open_store("dynamodb:some-table"); });
  use_emulator_env();
  EXPECT_THAT(message, AllOf(HasSubstr("dynamodb store 'some-table'"), HasSubstr("?region=REGION"),
                             HasSubstr("AWS_REGION")));
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

// ---- init ------------------------------------------------------------------------------------------

TEST(DynamoDbStore, MissingTableTellsTheUserToRunInit) {
  const std::string table = unique_table("missing");
  auto store = open_test_store(table);
  for (const auto& call : std::vector<std::function<void()>>{
           [&] { store->read_lock(); }, [&] { store->list_states(); },
           [&] {
             LockRequest request;
             request.owner = "a";
             store->try_acquire_lock(request);
           },
           [&] { (void)store->put_run(run_record("m", "r", kNow)); },  // throws: no outcome to check
           [&] { store->list_executions(10, ""); }}) {
    const std::string message = store_error_of(call);
    EXPECT_THAT(message, AllOf(HasSubstr("dynamodb store '" + table + "'"), HasSubstr("does not exist"),
                               HasSubstr("run `init`")));
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(DynamoDbStore, InitIsIdempotentAndWaitsUntilTableAndIndexAreActive) {
  const std::string table = unique_table("init");
  FaultProxy proxy(dynalite().endpoint());
  std::atomic<int> describes{0};
  proxy.set_hook([&](const TestRequest& request, std::uint64_t) -> std::optional<TestResponse> {
    if (!is_operation(request, "DescribeTable")) return std::nullopt;
    const int n = ++describes;
    const nlohmann::json keys = {{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                                 {{"AttributeName", "sk"}, {"KeyType", "RANGE"}}};
    if (n <= 2) {
      return TestResponse::json(
          200,
          nlohmann::json{{"Table", {{"TableName", table}, {"TableStatus", "CREATING"}, {"KeySchema", keys}}}}
              .dump());
    }
    if (n == 3) {
      const nlohmann::json index = {{"IndexName", "gsi1"}, {"IndexStatus", "CREATING"}};
      return TestResponse::json(200, nlohmann::json{{"Table",
                                                     {{"TableName", table},
                                                      {"TableStatus", "ACTIVE"},
                                                      {"KeySchema", keys},
                                                      {"GlobalSecondaryIndexes", {index}}}}}
                                         .dump());
    }
    return std::nullopt;
  });
  auto store = open_test_store(table, proxy.endpoint());
  EXPECT_EQ(store->init(), InitOutcome::kCreated);
  EXPECT_GE(describes.load(), 4) << "init returned before the table and its index were ACTIVE";

  MigrationState state;
  state.id = "20250101000000_a";
  state.fence = 1;
  ASSERT_EQ(store->put_state(state), WriteOutcome::kOk);
  EXPECT_EQ(store->init(), InitOutcome::kFound);
  EXPECT_EQ(open_test_store(table)->init(), InitOutcome::kFound);
  EXPECT_EQ(store->list_states().size(), 1u) << "init again keeps the data";

  aws::DynamoDbClient client(client_config());
  const auto described = client.describe_table(table);
  EXPECT_EQ(described["Table"]["TableStatus"], "ACTIVE");
  EXPECT_EQ(described["Table"]["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST");
  EXPECT_EQ(described["Table"]["GlobalSecondaryIndexes"][0]["IndexName"], "gsi1");
  EXPECT_EQ(described["Table"]["GlobalSecondaryIndexes"][0]["Projection"]["ProjectionType"], "ALL");
}

TEST(DynamoDbStore, InitRefusesATableThatIsNotOurs) {
  aws::DynamoDbClient client(client_config());
  const std::string other_keys = unique_table("foreign");
  client.create_table_if_absent(
      {{"TableName", other_keys},
       {"BillingMode", "PAY_PER_REQUEST"},
       {"AttributeDefinitions", {{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
       {"KeySchema", {{{"AttributeName", "id"}, {"KeyType", "HASH"}}}}});
  EXPECT_THAT(store_error_of([&] { open_test_store(other_keys)->init(); }),
              AllOf(HasSubstr("exists with other keys"), HasSubstr("another table name")));

  const std::string no_index = unique_table("noindex");
  client.create_table_if_absent(
      {{"TableName", no_index},
       {"BillingMode", "PAY_PER_REQUEST"},
       {"AttributeDefinitions",
        {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
         {{"AttributeName", "sk"}, {"AttributeType", "S"}}}},
       {"KeySchema",
        {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}, {{"AttributeName", "sk"}, {"KeyType", "RANGE"}}}}});
  EXPECT_THAT(store_error_of([&] { open_test_store(no_index)->init(); }), HasSubstr("has no index gsi1"));
}

// ---- Item sizes ------------------------------------------------------------------------------------

TEST(DynamoDbStore, MaximalRunRecordFitsUntouched) {
  auto store = new_store("maxrun");
  // The runner's caps (src/core/runner.cpp): output 200 KiB, description 32 KiB, error 16 KiB,
  // result 64 KiB as JSON; all in 4- and 3-byte characters, with long ids and holder fields.
  RunRecord run = run_record("20250101000000_" + std::string(200, 'n'), std::string(36, 'r'), kNow);
  run.name = std::string(200, 'n');
  run.execution_id = std::string(36, 'e');
  run.output = utf8_text(200 * 1024, "\xF0\x9F\x9A\x80");
  run.output_truncated = true;
  run.description = utf8_text(32 * 1024, "\xE2\x80\x9C");
  run.error = utf8_text(16 * 1024, "\xC3\xA9");
  std::string blob;
  while (blob.size() + 3 <= 64 * 1024 - 20) blob += "\xE4\xB8\x96";
  run.result = Json{{"blob", blob}};
  ASSERT_LE(run.result.dump().size(), 64u * 1024);
  run.checksum = "sha256:" + std::string(64, 'c');
  run.who.user = std::string(256, 'u');
  run.who.host = std::string(256, 'h');
  run.who.aws_principal = std::string(512, 'p');
  run.who.ecs_task_arn = std::string(512, 't');
  run.completed_at = kNow + 1;
  run.duration_ms = 1;

  RunRecord stored_form = run;
  const auto item = dynamodb_items::run_item(stored_form);
  EXPECT_LT(dynamodb_items::item_size(item), dynamodb_items::kItemLimitBytes);
  EXPECT_EQ(stored_form.output, run.output) << "a record within the runner's caps is never trimmed";
  EXPECT_FALSE(stored_form.result_truncated);

  ASSERT_EQ(store->put_run(run), WriteOutcome::kOk);
  const auto page = store->runs_of_migration(run.id, 1, "");
  ASSERT_EQ(page.items.size(), 1u);
  const RunRecord& got = page.items[0];
  EXPECT_TRUE(got.output == run.output);
  EXPECT_TRUE(got.description == run.description);
  EXPECT_TRUE(got.error == run.error);
  EXPECT_EQ(got.result, run.result);
  EXPECT_FALSE(got.description_truncated);
  EXPECT_FALSE(got.error_truncated);
  EXPECT_FALSE(got.result_truncated);
  EXPECT_EQ(got.who.ecs_task_arn, run.who.ecs_task_arn);
}

TEST(DynamoDbStore, OversizedRunIsTrimmedToFitWithFlags) {
  auto store = new_store("bigrun");
  RunRecord run = run_record("20250101000000_big", "run-big", kNow);
  std::string output;
  for (int i = 0; output.size() < 600 * 1024; ++i) output += "[t] [info] line " + std::to_string(i) + "\n";
  run.output = output;
  run.description = std::string(100 * 1024, 'd');
  run.result = Json{{"blob", std::string(300 * 1024, 'r')}};
  ASSERT_EQ(store->put_run(run), WriteOutcome::kOk) << "a record over 400 KB is trimmed, never refused";

  const auto got = store->runs_of_migration(run.id, 1, "").items.at(0);
  EXPECT_TRUE(got.output_truncated);
  EXPECT_LT(got.output.size(), output.size());
  EXPECT_TRUE(output.ends_with(got.output)) << "the newest output is kept";
  EXPECT_TRUE(got.output.starts_with("[t] [info] line ")) << "cut at a line start";
  const std::size_t total =
      got.output.size() + got.description.size() + got.result.dump().size() + got.error.size();
  EXPECT_LT(total, dynamodb_items::kItemLimitBytes);
  EXPECT_TRUE(got.result_truncated);
  EXPECT_EQ(got.result["truncated"], true);
  EXPECT_TRUE(got.description_truncated);
  EXPECT_EQ(got.description.size(), dynamodb_items::kMaxDescriptionBytes);

  // Only the description is large: it alone is cut.
  RunRecord wordy = run_record("20250101000000_wordy", "run-wordy", kNow);
  wordy.description = utf8_text(500 * 1024, "\xE2\x80\x9C");
  wordy.output = "kept\n";
  ASSERT_EQ(store->put_run(wordy), WriteOutcome::kOk);
  const auto got_wordy = store->runs_of_migration(wordy.id, 1, "").items.at(0);
  EXPECT_TRUE(got_wordy.description_truncated);
  EXPECT_FALSE(got_wordy.output_truncated);
  EXPECT_EQ(got_wordy.output, "kept\n");
  EXPECT_LT(got_wordy.description.size(), dynamodb_items::kItemLimitBytes);
  EXPECT_TRUE(wordy.description.starts_with(got_wordy.description));
}

TEST(DynamoDbStore, InvalidUtf8IsStoredWithReplacementCharacters) {
  auto store = new_store("utf8");
  RunRecord run = run_record("20250101000000_bytes", "run-bytes", kNow);
  run.output = "ok \xFF\xFE bytes \xE2\x82 cut\n";
  run.error = "bad \xC0\xAF";
  ASSERT_EQ(store->put_run(run), WriteOutcome::kOk);
  const auto got = store->runs_of_migration(run.id, 1, "").items.at(0);
  EXPECT_EQ(got.output, "ok \xEF\xBF\xBD\xEF\xBF\xBD bytes \xEF\xBF\xBD\xEF\xBF\xBD cut\n");
  EXPECT_EQ(got.error, "bad \xEF\xBF\xBD\xEF\xBF\xBD");

  MigrationState state;
  state.id = "20250101000000_bytes";
  state.error = "\x80 oops";
  state.fence = 1;
  ASSERT_EQ(store->put_state(state), WriteOutcome::kOk);
  EXPECT_EQ(store->get_state(state.id)->error, "\xEF\xBF\xBD oops");
}

TEST(DynamoDbItems, SortTimeIsFixedWidthAndOrdered) {
  EXPECT_EQ(dynamodb_items::sort_time(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(dynamodb_items::sort_time(kNow + 123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(dynamodb_items::sort_time(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_LT(dynamodb_items::sort_time(999), dynamodb_items::sort_time(1000));
  EXPECT_LT(dynamodb_items::sort_time(951782400000 - 1),
            dynamodb_items::sort_time(951782400000));  // leap day
  EXPECT_EQ(dynamodb_items::sort_time(951782400000), "2000-02-29T00:00:00.000Z");
  EXPECT_THROW(dynamodb_items::sort_time(-1), std::invalid_argument);
}

// ---- Cursors ---------------------------------------------------------------------------------------

// The codec's contract is std::invalid_argument for a wrong shape (found by fuzzing: JSON
// attributes that are not JSON threw StoreError, and a stored hop of 1e300 was converted to
// int with undefined behaviour).
TEST(DynamoDbItems, WrongShapesAreInvalidArgumentNeverUndefinedBehaviour) {
  using aws::AttributeValue;
  const auto with = [](const char* name, AttributeValue value) {
    aws::Item item{{"pk", AttributeValue::string("MIGRATION#m")}, {"sk", AttributeValue::string("STATE")}};
    item.insert_or_assign(name, std::move(value));
    return item;
  };
  EXPECT_THROW(dynamodb_items::run_from(with("result", AttributeValue::string("not json"))),
               std::invalid_argument);
  EXPECT_THROW(dynamodb_items::state_from(with("progress", AttributeValue::string("1234567890456789Z"))),
               std::invalid_argument);
  for (const char* current : {R"({"hop":1e300})", R"({"hop":-1})", R"({"hop":4294967296})",
                              R"({"started_at":1.5})", R"({"hop":"2"})"}) {
    aws::Item lock{{"pk", AttributeValue::string("LOCK")},
                   {"sk", AttributeValue::string("LOCK")},
                   {"current", AttributeValue::string(current)}};
    if (std::string(current) == R"({"hop":-1})") {
      EXPECT_EQ(dynamodb_items::lock_from(lock).current->hop, -1);  // in range: read as stored
      continue;
    }
    EXPECT_THROW(dynamodb_items::lock_from(lock), std::invalid_argument) << current;
  }
  aws::Item who = with("who", AttributeValue::map({{"pid", AttributeValue::number("1e300")}}));
  EXPECT_THROW(dynamodb_items::run_from(who), std::invalid_argument);
}

TEST(DynamoDbStore, CursorsAreOpaqueAndBoundToTheirList) {
  auto store = new_store("cursor");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(store->put_run(run_record("m1", "r" + std::to_string(i), kNow + i)), WriteOutcome::kOk);
    ASSERT_EQ(store->put_run(run_record("m2", "r" + std::to_string(i), kNow + i)), WriteOutcome::kOk);
    ExecutionRecord execution;
    execution.execution_id = "e" + std::to_string(i);
    execution.started_at = kNow + i;
    ASSERT_EQ(store->put_execution(execution), WriteOutcome::kOk);
  }
  const auto runs = store->runs_of_migration("m1", 1, "");
  ASSERT_FALSE(runs.next_cursor.empty());
  EXPECT_EQ(runs.next_cursor.find_first_of("+/= "), std::string::npos) << "URL-safe: " << runs.next_cursor;
  const auto executions = store->list_executions(1, "");
  ASSERT_FALSE(executions.next_cursor.empty());

  EXPECT_EQ(store->runs_of_migration("m1", 5, runs.next_cursor).items.size(), 2u);
  for (const auto& bad : {std::string("garbage"), std::string("e30"), executions.next_cursor}) {
    EXPECT_THAT(invalid_argument_of([&] { store->runs_of_migration("m1", 5, bad); }),
                HasSubstr("invalid page cursor"));
  }
  EXPECT_THAT(invalid_argument_of([&] { store->runs_of_migration("m2", 5, runs.next_cursor); }),
              HasSubstr("invalid page cursor"))
      << "a cursor of m1's history does not page m2's";
  EXPECT_THAT(invalid_argument_of([&] { store->list_executions(5, runs.next_cursor); }),
              HasSubstr("invalid page cursor"));
  EXPECT_THROW(store->runs_of_migration("m1", 0, ""), std::invalid_argument);
}

// ---- Malformed responses -----------------------------------------------------------------------------

struct Malformed {
  std::string name;
  std::string operation;  // the request the proxy answers instead of dynalite
  std::function<TestResponse()> response;
  std::function<void(Store&)> call;
  std::string expected;  // in the StoreError
};

TEST(DynamoDbStore, MalformedResponsesGiveClearStoreErrorsNeverACrash) {
  const std::string table = unique_table("malformed");
  FaultProxy proxy(dynalite().endpoint());
  auto store = open_test_store(table, proxy.endpoint(), 2);
  store->init();
  ASSERT_TRUE(store->try_acquire_lock(LockRequest{"a", "e", {}, kNow, 60'000, false}).acquired);

  const auto ok_json = [](std::string body) { return [body] { return TestResponse::json(200, body); }; };
  const std::vector<Malformed> cases = {
      {"bad JSON", "GetItem", ok_json("{\"Item\": {\"pk\": "), [](Store& s) { s.read_lock(); },
       "unexpected response from"},
      {"not an object", "GetItem", ok_json("[1, 2, 3]"), [](Store& s) { s.read_lock(); },
       "unexpected response"},
      {"wrong wire type", "GetItem", ok_json(R"({"Item": {"pk": {"S": 5}}})"),
       [](Store& s) { s.read_lock(); }, "unexpected response"},
      {"unknown type tag", "GetItem", ok_json(R"({"Item": {"pk": {"Q": "x"}}})"),
       [](Store& s) { s.get_state("m"); }, "unexpected response"},
      {"attribute of the wrong type", "GetItem",
       ok_json(R"({"Item": {"pk": {"S": "LOCK"}, "sk": {"S": "LOCK"}, "fence": {"S": "seven"}}})"),
       [](Store& s) { s.read_lock(); }, "item LOCK / LOCK has an unexpected shape (attribute 'fence'"},
      {"number out of range", "GetItem",
       ok_json(R"({"Item": {"pk": {"S": "STATE"}, "sk": {"S": "m"}, "fence": {"N": "1e400"}}})"),
       [](Store& s) { s.get_state("m"); }, "unexpected shape"},
      {"bad enum", "Query",
       ok_json(R"({"Items": [{"pk": {"S": "STATE"}, "sk": {"S": "m"}, "status": {"S": "exploded"}}]})"),
       [](Store& s) { s.list_states(); }, "unexpected shape"},
      {"bad progress JSON", "Query",
       ok_json(R"({"Items": [{"pk": {"S": "STATE"}, "sk": {"S": "m"}, "progress": {"S": "{oops"}}]})"),
       [](Store& s) { s.list_states(); }, "unexpected shape"},
      {"LastEvaluatedKey that never moves (query_all)", "Query",
       ok_json(R"({"Items": [], "LastEvaluatedKey": {"pk": {"S": "STATE"}, "sk": {"S": "m"}}})"),
       [](Store& s) { s.list_states(); }, "no forward progress"},
      {"LastEvaluatedKey that never moves (a page)", "Query",
       ok_json(
           R"({"Items": [], "LastEvaluatedKey": {"pk": {"S": "EXEC"}, "sk": {"S": "x"}, "gsi1pk": {"S": "EXECS"}, "gsi1sk": {"S": "x"}}})"),
       [](Store& s) { s.list_executions(10, ""); }, "no forward progress"},
      {"Items not a list", "Query", ok_json(R"({"Items": "nope"})"), [](Store& s) { s.list_states(); },
       "unexpected response"},
      {"Attributes not a map", "UpdateItem", ok_json(R"({"Attributes": 42})"),
       [](Store& s) { s.force_unlock(); }, "unexpected response"},
      {"truncated body", "GetItem",
       [] {
         auto r = TestResponse::json(200, R"({"Item": {"pk": {"S": "LOCK"}, "sk": {"S": "LOCK"}}})");
         r.truncate_body_at = 10;
         return r;
       },
       [](Store& s) { s.read_lock(); }, "no response from DynamoDB at " + proxy.endpoint()},
      {"HTML error page", "PutItem",
       [] { return TestResponse::text(502, "<html>bad gateway</html>", "text/html"); },
       [](Store& s) { (void)s.put_run(run_record("m", "r", kNow)); }, "502"},  // throws: no outcome
      {"error without a body", "Query", [] { return TestResponse::json(400, ""); },
       [](Store& s) { s.list_states(); }, "dynamodb store '"},
  };
  for (const auto& c : cases) {
    proxy.set_hook([&c](const TestRequest& request, std::uint64_t) -> std::optional<TestResponse> {
      if (!is_operation(request, c.operation)) return std::nullopt;
      return c.response();
    });
    const std::string message = store_error_of([&] { c.call(*store); });
    EXPECT_THAT(message, AllOf(HasSubstr(c.expected), HasSubstr("dynamodb store '" + table + "'"),
                               Not(HasSubstr("not a StoreError"))))
        << c.name;
    EXPECT_EQ(message.find('\n'), std::string::npos) << c.name << ": " << message;
  }
  proxy.set_hook(nullptr);
  ASSERT_TRUE(store->read_lock().has_value()) << "the store still works";
  EXPECT_EQ(store->read_lock()->owner, "a");
}

// ---- Lost responses ----------------------------------------------------------------------------------

TEST(DynamoDbStore, LostResponsesAreNeverMistakenForConflicts) {
  // Half the requests reach dynalite but their response is lost: the client retries, and the
  // retry of an applied conditional write finds its condition false. The store's write tokens
  // must still report every one of these writes as applied, exactly once.
  const std::string table = unique_table("lost");
  open_test_store(table)->init();
  FaultConfig faults;
  faults.reset_after_forward = 0.5;
  faults.seed = 7;
  FaultProxy proxy(dynalite().endpoint(), faults);
  auto store = open_test_store(table, proxy.endpoint(), 12);

  std::string previous_owner;
  for (int i = 1; i <= 8; ++i) {
    const std::string owner = "owner-" + std::to_string(i);
    const auto attempt =
        store->try_acquire_lock(LockRequest{owner, "exec-" + std::to_string(i), {}, kNow + i, 60'000, false});
    ASSERT_TRUE(attempt.acquired) << owner;
    EXPECT_EQ(attempt.fence, i) << "the fence grew once per acquisition";
    if (i > 1) {
      ASSERT_TRUE(attempt.previous.has_value());
      EXPECT_EQ(attempt.previous->execution_id, "exec-" + std::to_string(i - 1));
      EXPECT_EQ(attempt.previous->fence, i - 1);
    }
    ASSERT_EQ(store->release_lock(owner, i), WriteOutcome::kOk) << owner;
    previous_owner = owner;
  }

  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(store->put_run(run_record("m1", "run-" + std::to_string(i), kNow + i)), WriteOutcome::kOk) << i;
  }
  EXPECT_EQ(store->runs_of_migration("m1", 100, "").items.size(), 10u);

  for (int i = 0; i < 10; ++i) {
    MigrationState state;
    state.id = "m" + std::to_string(i);
    state.last_run_id = "dead-run";
    state.status = RunStatus::kInterrupted;
    state.fence = 5;
    // Recovery's write: "unless the dead run's outcome was written" (the retry would see it).
    ASSERT_EQ(store->put_state(state, std::string("dead-run")), WriteOutcome::kOk) << i;
  }

  ExecutionRecord execution;
  execution.execution_id = "exec-hops";
  execution.started_at = kNow;
  ASSERT_EQ(store->put_execution(execution), WriteOutcome::kOk);
  for (int hop = 0; hop < 10; ++hop)
    ASSERT_EQ(store->advance_hop("exec-hops", hop, hop + 1), WriteOutcome::kOk) << hop;
  EXPECT_EQ(store->get_execution("exec-hops")->hop, 10);
  EXPECT_GT(proxy.stats().resets, 20u) << "the faults did happen";
}

// ---- Status cost -----------------------------------------------------------------------------------

TEST(DynamoDbStore, StatusReadsAreTwoRequestsWhateverTheHistory) {
  const std::string table = unique_table("status");
  auto direct = open_test_store(table);
  direct->init();
  for (int i = 0; i < 40; ++i) {
    MigrationState state;
    state.id = "20250101000000_m" + std::to_string(100 + i);
    state.fence = 1;
    ASSERT_EQ(direct->put_state(state), WriteOutcome::kOk);
    for (int r = 0; r < 5; ++r) {
      ASSERT_EQ(direct->put_run(run_record(state.id, "run-" + std::to_string(r), kNow + r)),
                WriteOutcome::kOk);
    }
  }
  FaultProxy proxy(dynalite().endpoint());
  auto store = open_test_store(table, proxy.endpoint());
  EXPECT_EQ(store->list_states().size(), 40u);
  store->read_lock();
  EXPECT_EQ(proxy.stats().requests, 2u);
}

// ---- The client for migrations -------------------------------------------------------------------------

TEST(DynamoDbClientFactory, FollowsTheStoreUrlThenContextOverrides) {
  use_emulator_env();
  const std::string url = store_url("some-table");
  auto factory = make_dynamodb_client_factory(url, Json::object());
  aws::DynamoDbClient& client = factory();
  EXPECT_EQ(&client, &factory()) << "made once, shared";
  EXPECT_EQ(client.service_client().endpoint(), dynalite().endpoint());
  EXPECT_EQ(client.service_client().region(), "us-east-1");
  EXPECT_TRUE(client.list_tables().contains("TableNames")) << "a working client";

  auto overridden = make_dynamodb_client_factory(
      url, Json{{"aws_region", "eu-west-3"}, {"dynamodb_endpoint", "http://127.0.0.1:9"}});
  EXPECT_EQ(overridden().service_client().endpoint(), "http://127.0.0.1:9");
  EXPECT_EQ(overridden().service_client().region(), "eu-west-3");

  auto chain = make_dynamodb_client_factory("sqlite:.auric/migrations.db", Json::object());
  EXPECT_EQ(chain().service_client().endpoint(), "https://dynamodb.us-east-1.amazonaws.com");

  ::unsetenv("AWS_REGION");
  ::setenv("AWS_CONFIG_FILE", "/nonexistent/auric-test-config", 1);
  auto no_region = make_dynamodb_client_factory("memory:", Json::object());
  std::string message;
  try {
    no_region();
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  use_emulator_env();
  EXPECT_THAT(message, AllOf(HasSubstr("ctx.dynamodb()"), HasSubstr("AWS_REGION")));
}

}  // namespace
}  // namespace auric::dynamodb_testing
