// End to end: the real migrations binary (lambda_fixture) as a provided.al2023 custom runtime
// under the Lambda emulator. The scenarios that touch the store run four ways: against SQLite
// and against DynamoDB (a fresh table on dynalite, one dynalite per test process), each with
// the binary in the build tree and with the `bootstrap` of its bundle unpacked into an empty
// folder. The store-independent runtime checks run against SQLite only.
#include <gtest/gtest.h>

#include <thread>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "aws/lambda.hpp"
#include "lambda/zip.hpp"
#include "lambda_support.hpp"

namespace auric::lambda::testing {
namespace {

using namespace std::chrono_literals;

// The fixture's bundle (made at build time by auric-migrate-bundle), unpacked once per test
// process into an empty folder, removed when the process exits.
struct TempDirOwner {
  std::string dir = auric::test::make_temp_dir();
  ~TempDirOwner() { std::filesystem::remove_all(dir); }
};

// How the function's code is laid out: the build tree's binary; its bundle as made by default
// (on a Debian 12 build that carries glibc and its loader, and the bootstrap runs through
// them); or its bundle with glibc left to the system (--glibc system).
enum class Code { kBuildTree, kBundle, kBundleSystemGlibc };

const std::string& unpacked(const char* zip) {
  static TempDirOwner owner;
  static std::map<std::string, std::string> dirs;
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  auto it = dirs.find(zip);
  if (it == dirs.end()) {
    const std::string dir = owner.dir + "/unpacked-" + std::to_string(dirs.size());
    extract_zip(zip, dir);
    it = dirs.emplace(zip, dir).first;
  }
  return it->second;
}

// (store, code)
using E2EParam = std::tuple<StoreKind, Code>;

std::string param_name(const ::testing::TestParamInfo<E2EParam>& info) {
  const auto [store, code] = info.param;
  return std::string(store == StoreKind::kSqlite ? "Sqlite" : "DynamoDb") +
         (code == Code::kBuildTree ? "BuildTree"
          : code == Code::kBundle  ? "FromBundle"
                                   : "FromBundleSystemGlibc");
}

class LambdaE2E : public ::testing::TestWithParam<E2EParam> {
 protected:
  StoreKind store_kind() const { return std::get<0>(GetParam()); }
  Code code() const { return std::get<1>(GetParam()); }
  bool from_bundle() const { return code() != Code::kBuildTree; }
  std::string bundle_dir() const {
    return unpacked(code() == Code::kBundle ? AURIC_LAMBDA_FIXTURE_BUNDLE
                                            : AURIC_LAMBDA_FIXTURE_SYSTEM_GLIBC_BUNDLE);
  }

  std::vector<std::string> command() const {
    if (from_bundle()) return {bundle_dir() + "/bootstrap"};
    return {AURIC_LAMBDA_FIXTURE};
  }

  FunctionConfig config(const Scenario& s, std::map<std::string, std::string> env,
                        std::chrono::milliseconds timeout) const {
    FunctionConfig c;
    c.command = command();
    if (!env.count("MIGRATION_TIMEOUT_THRESHOLD_MS")) env["MIGRATION_TIMEOUT_THRESHOLD_MS"] = "1000";
    c.env = s.env(std::move(env));
    c.timeout = timeout;
    c.cwd = s.dir;
    return c;
  }

  static Json invoke_sync(const FakeLambda& fn, const Json& event) {
    aws::ClientConfig config;
    config.region = "us-east-1";
    config.endpoint = fn.endpoint();
    config.credentials =
        std::make_shared<aws::StaticCredentialsProvider>(aws::Credentials{"AKID", "secret", "", {}});
    aws::LambdaClient client(config);
    const aws::InvokeResult r = client.invoke("migrations", event.dump());
    EXPECT_EQ(r.status_code, 200);
    EXPECT_EQ(r.function_error, "") << r.payload;
    return Json::parse(r.payload);
  }
};

// Checks of the runtime itself (init errors, init time): the store plays no part.
class LambdaRuntimeE2E : public LambdaE2E {};

// The ids of plain migrations in the side file, with how often each ran and under which
// execution ids.
struct SideSummary {
  std::map<std::string, int> runs;
  std::set<std::string> executions;
};

SideSummary summarize(const std::vector<std::string>& lines) {
  SideSummary s;
  for (const auto& line : lines) {
    std::stringstream in(line);
    std::string id, execution;
    in >> id >> execution;
    if (id.rfind("2025", 0) != 0) continue;
    ++s.runs[id];
    s.executions.insert(execution);
  }
  return s;
}

TEST_P(LambdaE2E, ContinuesAcrossHopsUnderOneExecutionIdAndRunsNoBodyTwice) {
  Scenario s(store_kind());
  // 10 migrations of 1 s, a 3 s timeout and a 1.5 s margin: one or two migrations per hop
  // (depending on how quickly the hop's store requests go), and at least 1.5 s minus one
  // migration's writes left for the hand-over, even on a loaded machine. The margins in these
  // scenarios leave room for a busy 2-core machine: the emulator kills an overrunning hop, and
  // a killed hand-over ends the run (as in Lambda, until the lease expires).
  FakeLambda fn(config(
      s, {{"FIXTURE_COUNT", "10"}, {"FIXTURE_SLEEP_MS", "1000"}, {"MIGRATION_TIMEOUT_THRESHOLD_MS", "1500"}},
      3000ms));
  fn.start();
  fn.enqueue(Json::object());
  ASSERT_TRUE(fn.wait_idle(90s)) << fn.log();

  auto results = responses(fn);  // not const: a missing key reads as null
  ASSERT_GE(results.size(), 4u) << Json(results).dump() << "\n" << fn.log();
  for (std::size_t i = 0; i + 1 < results.size(); ++i) {
    EXPECT_EQ(results[i]["status"], "needs_continuation") << results[i].dump() << "\n" << fn.log();
    EXPECT_EQ(results[i]["hop"], static_cast<int>(i));
    EXPECT_EQ(results[i]["nextHop"], static_cast<int>(i + 1));
  }
  Json& last = results.back();
  EXPECT_EQ(last["status"], "completed") << last.dump() << fn.log();
  EXPECT_TRUE(last["migrationsRemaining"].empty());
  const std::string execution_id = last["executionId"];
  for (auto& r : results) EXPECT_EQ(r["executionId"], execution_id);

  // Continuations arrived through the Invoke API with the next hop and the same id.
  const auto records = fn.records();
  for (std::size_t i = 1; i < records.size(); ++i) {
    const Json event = Json::parse(records[i].event);
    EXPECT_EQ(event["executionId"], execution_id);
    EXPECT_EQ(event["hop"], static_cast<int>(i));
    EXPECT_EQ(event["direction"], "up");
    EXPECT_TRUE(records[i].async);
    EXPECT_FALSE(records[i].timed_out);
  }
  EXPECT_EQ(fn.invoke_requests(), records.size() - 1);

  const SideSummary side = summarize(s.side_lines());
  ASSERT_EQ(side.runs.size(), 10u);
  for (const auto& [id, count] : side.runs) EXPECT_EQ(count, 1) << id;
  EXPECT_EQ(side.executions, std::set<std::string>{execution_id});

  auto store = s.store();
  const auto exec = store->get_execution(execution_id);
  ASSERT_TRUE(exec.has_value());
  EXPECT_EQ(exec->status, ExecutionStatus::kCompleted);
  EXPECT_EQ(exec->hop, static_cast<int>(records.size()) - 1);
  EXPECT_EQ(exec->finished.size(), 10u);
  const auto lock = store->read_lock();
  ASSERT_TRUE(lock.has_value());
  EXPECT_TRUE(lock->owner.empty()) << "the last hop releases the lease";
  EXPECT_EQ(store->list_executions(10, "").items.size(), 1u);
}

TEST_P(LambdaE2E, DuplicatedContinuationRunsNothingTwice) {
  Scenario s(store_kind());
  FakeLambda fn(config(
      s, {{"FIXTURE_COUNT", "6"}, {"FIXTURE_SLEEP_MS", "300"}, {"MIGRATION_TIMEOUT_THRESHOLD_MS", "1000"}},
      2000ms));
  fn.duplicate_async(true);
  fn.start();
  fn.enqueue(Json::object());  // delivered twice too: two executions race for the lock
  ASSERT_TRUE(fn.wait_idle(60s)) << fn.log();

  int ignored = 0, completed = 0;
  std::set<std::string> executions;
  for (auto& r : responses(fn)) {
    if (r["status"] == "ignored") ++ignored;
    if (r["status"] == "completed") ++completed;
    if (r["status"] == "completed" || r["status"] == "needs_continuation")
      executions.insert(r["executionId"]);
  }
  EXPECT_GE(ignored, 1) << "every continuation was delivered twice; one of each pair must be ignored";
  EXPECT_GE(completed, 1);
  const SideSummary side = summarize(s.side_lines());
  ASSERT_EQ(side.runs.size(), 6u) << fn.log();
  for (const auto& [id, count] : side.runs) EXPECT_EQ(count, 1) << id << "\n" << fn.log();
}

TEST_P(LambdaE2E, ResumableMigrationContinuesFromItsCheckpoint) {
  Scenario s(store_kind());
  FakeLambda fn(config(s,
                       {{"FIXTURE_COUNT", "0"},
                        {"FIXTURE_RESUMABLE_ITEMS", "12"},
                        {"FIXTURE_ITEM_MS", "200"},
                        {"MIGRATION_TIMEOUT_THRESHOLD_MS", "1500"}},
                       3000ms));  // 2.4 s of items, 1.5 s of runway per hop: at least two hops
  fn.start();
  fn.enqueue({{"direction", "up"}});
  ASSERT_TRUE(fn.wait_idle(60s)) << fn.log();
  auto results = responses(fn);  // not const: a missing key reads as null
  ASSERT_GE(results.size(), 2u) << Json(results).dump() << "\n" << fn.log();
  EXPECT_EQ(results.back()["status"], "completed") << results.back().dump() << fn.log();

  std::map<int, int> items;
  for (const auto& line : s.side_lines()) {
    if (line.rfind("item ", 0) == 0) ++items[std::stoi(line.substr(5))];
  }
  ASSERT_EQ(items.size(), 12u) << fn.log();
  for (const auto& [item, count] : items) EXPECT_EQ(count, 1) << "item " << item << " processed twice";

  auto store = s.store();
  const auto runs = store->runs_of_execution(results.back()["executionId"]);
  ASSERT_EQ(runs.size(), results.size()) << "one attempt per hop";
  for (std::size_t i = 0; i + 1 < runs.size(); ++i) {
    EXPECT_EQ(runs[i].status, RunStatus::kSuspended) << "saved a checkpoint at the deadline and stopped";
    EXPECT_EQ(runs[i].hop, static_cast<int>(i));
  }
  EXPECT_EQ(runs.back().status, RunStatus::kCompleted);
  EXPECT_EQ(runs.back().result, (Json{{"items", 12}}));
}

TEST_P(LambdaE2E, HopLimitStopsARunThatCannotProgress) {
  Scenario s(store_kind());
  FakeLambda fn(config(s,
                       {{"FIXTURE_COUNT", "0"},
                        {"FIXTURE_STUCK", "1"},
                        {"MIGRATION_MAX_HOPS", "3"},
                        {"MIGRATION_TIMEOUT_THRESHOLD_MS", "700"}},
                       1500ms));
  fn.start();
  fn.enqueue(Json::object());
  ASSERT_TRUE(fn.wait_idle(60s)) << fn.log();
  auto results = responses(fn);  // not const: a missing key reads as null
  ASSERT_EQ(results.size(), 3u) << fn.log();
  EXPECT_EQ(results[0]["status"], "needs_continuation");
  EXPECT_EQ(results[1]["status"], "needs_continuation");
  EXPECT_EQ(results[2]["status"], "failed");
  EXPECT_NE(results[2]["error"].get<std::string>().find("hop limit exceeded (3 hops)"), std::string::npos)
      << results[2].dump();
  auto store = s.store();
  const auto exec = store->get_execution(results[2]["executionId"]);
  ASSERT_TRUE(exec.has_value());
  EXPECT_EQ(exec->status, ExecutionStatus::kFailed);
  EXPECT_NE(exec->error.find("hop limit"), std::string::npos);
  EXPECT_TRUE(store->read_lock()->owner.empty());
}

TEST_P(LambdaE2E, BadEventsGetErrorResultsAndRunNothing) {
  Scenario s(store_kind());
  FakeLambda fn(config(s, {}, 5000ms));
  fn.start();
  const Json unknown = invoke_sync(fn, {{"action", "statuss"}});
  EXPECT_EQ(unknown["status"], "failed");
  EXPECT_EQ(unknown["executionId"], "");
  EXPECT_EQ(unknown["migrationsRun"], Json::array());
  EXPECT_NE(unknown["error"].get<std::string>().find("Unknown action: statuss"), std::string::npos);
  const Json direction = invoke_sync(fn, {{"direction", "sideways"}});
  EXPECT_EQ(direction["status"], "failed");
  EXPECT_EQ(direction["error"], "Invalid direction: sideways. Must be 'up' or 'down'.");
  const Json target = invoke_sync(fn, {{"target", 5}});
  EXPECT_EQ(target["error"], "Invalid target: must be a string.");
  const Json not_object = invoke_sync(fn, "hello");
  EXPECT_EQ(not_object["status"], "failed");
  const Json hop = invoke_sync(fn, {{"hop", 2}});
  EXPECT_NE(hop["error"].get<std::string>().find("requires an executionId"), std::string::npos);

  EXPECT_TRUE(s.side_lines().empty());
  auto store = s.store();
  EXPECT_TRUE(store->list_executions(10, "").items.empty());
  EXPECT_TRUE(store->list_states().empty());
}

TEST_P(LambdaE2E, DashboardApiModeServesApiGatewayEventsBehindABearerToken) {
  Scenario s(store_kind());
  FakeLambda fn(
      config(s, {{"AURIC_LAMBDA_MODE", "dashboard-api"}, {"AURIC_DASHBOARD_TOKEN", "s3cret"}}, 5000ms));
  fn.start();
  auto event = [](const std::string& path, const std::string& auth) {
    Json e = {{"version", "2.0"},
              {"rawPath", path},
              {"rawQueryString", ""},
              {"headers", Json::object()},
              {"requestContext", {{"http", {{"method", "GET"}, {"path", path}}}}},
              {"isBase64Encoded", false}};
    if (!auth.empty()) e["headers"]["authorization"] = auth;
    return e;
  };
  const Json refused = invoke_sync(fn, event("/api/migrations", ""));
  EXPECT_EQ(refused["statusCode"], 401);
  const Json wrong = invoke_sync(fn, event("/api/migrations", "Bearer nope"));
  EXPECT_EQ(wrong["statusCode"], 401);
  const Json ok = invoke_sync(fn, event("/api/migrations", "Bearer s3cret"));
  ASSERT_EQ(ok["statusCode"], 200) << ok.dump();
  const Json list = Json::parse(ok["body"].get<std::string>());
  ASSERT_TRUE(list.is_array());
  EXPECT_FALSE(list.empty());
  for (const auto& m : list) EXPECT_EQ(m["status"], "pending") << m.dump();
  // No MIGRATION_FUNCTION_NAME: runs are not available (the reference's answer), nothing runs.
  Json post = event("/api/migrate", "Bearer s3cret");
  post["requestContext"]["http"]["method"] = "POST";
  post["headers"]["content-type"] = "application/json";
  post["body"] = "{}";
  const Json migrate = invoke_sync(fn, post);
  EXPECT_EQ(migrate["statusCode"], 400) << migrate.dump();
  EXPECT_NE(migrate["body"].get<std::string>().find("not available"), std::string::npos);
  EXPECT_TRUE(s.side_lines().empty());
}

// The deployed dashboard (the dashboard-api function) sends the Run and Rollback dialogs'
// plans to the migrations function as `steps`; the Lambda used to ignore them, so "roll back
// the last 2" rolled back 1 and "run the next 1" ran everything.
TEST_P(LambdaE2E, DashboardRunAndRollbackDialogsDoExactlyWhatTheirPlanShows) {
  Scenario s(store_kind());
  FakeLambda migrations(config(s, {{"FIXTURE_COUNT", "4"}}, 5000ms));
  migrations.start();
  FakeLambda api(config(s,
                        {{"FIXTURE_COUNT", "4"},
                         {"AURIC_LAMBDA_MODE", "dashboard-api"},
                         {"AURIC_DASHBOARD_TOKEN", "t"},
                         {"MIGRATION_FUNCTION_NAME", "migrations"},
                         {"AWS_ENDPOINT_URL_LAMBDA", migrations.endpoint()}},
                        5000ms));
  api.start();
  ASSERT_EQ(invoke_sync(migrations, Json::object())["status"], "completed");
  auto post = [&](const std::string& path, const Json& body) {
    const Json e = {{"version", "2.0"},
                    {"rawPath", path},
                    {"rawQueryString", ""},
                    {"headers", {{"authorization", "Bearer t"}, {"content-type", "application/json"}}},
                    {"requestContext", {{"http", {{"method", "POST"}, {"path", path}}}}},
                    {"body", body.dump()},
                    {"isBase64Encoded", false}};
    const Json answer = invoke_sync(api, e);
    EXPECT_EQ(answer["statusCode"], 200) << answer.dump();
    const Json started = Json::parse(answer["body"].get<std::string>());
    const std::string id = started.value("executionId", "");
    EXPECT_FALSE(id.empty()) << started.dump();
    // The run is asynchronous: wait for the migrations function to finish it.
    Json status;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    do {
      std::this_thread::sleep_for(100ms);
      status = invoke_sync(migrations, {{"action", "statusByExecution"}, {"executionId", id}});
    } while ((status["status"] == "running" || status["status"] == "not_found") &&
             std::chrono::steady_clock::now() < deadline);
    return status;
  };
  const Json rollback = post("/api/rollback", {{"steps", 2}});
  EXPECT_EQ(rollback["status"], "completed") << rollback.dump();
  EXPECT_EQ(rollback["migrations"].size(), 2u) << rollback.dump();
  Json status = invoke_sync(migrations, {{"action", "status"}});
  EXPECT_EQ(status["completed"], (Json{"20250101000001_step-01", "20250101000002_step-02"})) << status.dump();
  EXPECT_EQ(status["pending"], (Json{"20250101000003_step-03", "20250101000004_step-04"})) << status.dump();

  const Json run = post("/api/migrate", {{"steps", 1}});
  EXPECT_EQ(run["status"], "completed") << run.dump();
  EXPECT_EQ(run["migrations"], (Json{{{"id", "20250101000003_step-03"}, {"status", "completed"}}}))
      << run.dump();
  status = invoke_sync(migrations, {{"action", "status"}});
  EXPECT_EQ(status["pending"], (Json{"20250101000004_step-04"})) << status.dump();
}

TEST_P(LambdaE2E, StatusAndStatusByExecutionShapes) {
  Scenario s(store_kind());
  FakeLambda fn(config(s, {}, 5000ms));
  fn.start();
  const Json run = invoke_sync(fn, {{"target", "step-02"}});
  ASSERT_EQ(run["status"], "completed") << run.dump() << fn.log();
  EXPECT_EQ(run["migrationsRun"], (Json{"20250101000001_step-01", "20250101000002_step-02"}));
  EXPECT_EQ(run["migrationsRemaining"], Json::array());
  EXPECT_FALSE(run.contains("error"));

  const Json status = invoke_sync(fn, {{"action", "status"}});
  EXPECT_EQ(status, (Json{{"pending", {"20250101000003_step-03"}},
                          {"completed", {"20250101000001_step-01", "20250101000002_step-02"}},
                          {"failed", Json::array()}}));

  const Json by_id = invoke_sync(fn, {{"action", "statusByExecution"}, {"executionId", run["executionId"]}});
  EXPECT_EQ(by_id, (Json{{"executionId", run["executionId"]},
                         {"status", "completed"},
                         {"migrations",
                          {{{"id", "20250101000001_step-01"}, {"status", "completed"}},
                           {{"id", "20250101000002_step-02"}, {"status", "completed"}}}}}));
  const Json missing = invoke_sync(fn, {{"action", "statusByExecution"}, {"executionId", "nope"}});
  EXPECT_EQ(missing, (Json{{"executionId", "nope"}, {"status", "not_found"}, {"migrations", Json::array()}}));
  const Json no_id = invoke_sync(fn, {{"action", "statusByExecution"}});
  EXPECT_EQ(no_id["status"], "not_found");
  EXPECT_EQ(no_id["executionId"], "");
  EXPECT_EQ(no_id["error"], "statusByExecution requires a non-empty `executionId` field on the event");

  const Json failing = [&] { return invoke_sync(fn, {{"direction", "down"}, {"target", "step-01"}}); }();
  EXPECT_EQ(failing["status"], "completed");
  EXPECT_EQ(failing["migrationsRun"], (Json{"20250101000002_step-02", "20250101000001_step-01"}));
}

TEST_P(LambdaE2E, TimeoutAtOrBelowTheMarginFailsClearlyWithoutSelfInvoking) {
  Scenario s(store_kind());
  FakeLambda fn(config(s, {{"MIGRATION_TIMEOUT_THRESHOLD_MS", "1000"}}, 1000ms));
  fn.start();
  fn.enqueue(Json::object());
  ASSERT_TRUE(fn.wait_idle(30s));
  std::this_thread::sleep_for(300ms);
  auto results = responses(fn);  // not const: a missing key reads as null
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["status"], "failed");
  EXPECT_NE(results[0]["error"].get<std::string>().find("Lambda timeout too short"), std::string::npos);
  EXPECT_EQ(fn.invoke_requests(), 0u);
  EXPECT_TRUE(s.side_lines().empty());
}

TEST_P(LambdaRuntimeE2E, InitErrorIsReportedThroughTheInitErrorEndpoint) {
  Scenario s;
  FakeLambda fn(config(s, {{"AURIC_MIGRATE_STORE", "bogus:nowhere"}}, 2000ms));
  fn.start();
  fn.enqueue(Json::object());
  ASSERT_TRUE(fn.wait_idle(30s));
  const auto errors = fn.init_errors();
  ASSERT_GE(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("Runtime.InitError ", 0), 0u) << errors[0];
  EXPECT_NE(errors[0].find("errorMessage"), std::string::npos);
  const auto records = fn.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_TRUE(records[0].error);
}

TEST_P(LambdaRuntimeE2E, InitTimeIsMeasured) {
  Scenario s;
  FakeLambda fn(config(s, {}, 5000ms));
  fn.start();
  invoke_sync(fn, {{"action", "status"}});
  const auto times = fn.init_times();
  ASSERT_EQ(times.size(), 1u);
  std::cerr << "[ init ] process start to first next: " << times[0].count() / 1000.0 << " ms ("
            << (from_bundle() ? "bundle" : "build tree") << ")" << std::endl;
  EXPECT_LT(times[0], std::chrono::seconds(5));
}

INSTANTIATE_TEST_SUITE_P(Binary, LambdaE2E,
                         ::testing::Combine(::testing::Values(StoreKind::kSqlite, StoreKind::kDynamoDb),
                                            ::testing::Values(Code::kBuildTree, Code::kBundle)),
                         param_name);
// The bundle that leaves glibc to the system (on SQLite: the store plays no part in how the
// process is loaded).
INSTANTIATE_TEST_SUITE_P(SystemGlibc, LambdaE2E,
                         ::testing::Values(E2EParam{StoreKind::kSqlite, Code::kBundleSystemGlibc}),
                         param_name);
INSTANTIATE_TEST_SUITE_P(Binary, LambdaRuntimeE2E,
                         ::testing::Combine(::testing::Values(StoreKind::kSqlite),
                                            ::testing::Values(Code::kBuildTree, Code::kBundle,
                                                              Code::kBundleSystemGlibc)),
                         param_name);

}  // namespace
}  // namespace auric::lambda::testing
