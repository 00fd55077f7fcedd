// The field tables (core/record_fields.hpp) and the JSON made from them: the API JSON keeps
// every name and shape it had before the tables (the dashboard, the UI and `--json` depend
// on them), and the stored JSON of Who and CurrentRun is what SQLite files and DynamoDB
// items already hold.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/record_fields.hpp"
#include "core/record_json.hpp"
#include "core/store.hpp"
#include "store/record_json.hpp"

namespace auric {
namespace {

Who sample_who() {
  Who w;
  w.user = "u";
  w.host = "h";
  w.pid = 7;
  w.aws_principal = "arn:p";
  w.lambda_request_id = "req";
  w.ecs_task_arn = "arn:t";
  w.boot_id = "boot";
  return w;
}

RunRecord sample_run() {
  RunRecord r;
  r.run_id = "r1";
  r.id = "m1";
  r.name = "n";
  r.status = RunStatus::kFailed;
  r.direction = Direction::kDown;
  r.execution_id = "e1";
  r.started_at = 10;
  r.completed_at = 20;
  r.duration_ms = 10;
  r.description = "d";
  r.output = "o\n";
  r.output_truncated = true;
  r.result = Json{{"k", 1}};
  r.error = "err";
  r.checksum = "c";
  r.hop = 2;
  r.who = sample_who();
  r.description_truncated = true;
  r.result_truncated = true;
  r.error_truncated = true;
  r.fence = 5;
  return r;
}

constexpr const char* kWhoApi =
    R"({"awsPrincipal":"arn:p","ecsTaskArn":"arn:t","host":"h","lambdaRequestId":"req","pid":7,"user":"u"})";

std::string with_who(const std::string& json) {
  std::string text = json;
  text.replace(text.find("WHO"), 3, kWhoApi);
  return text;
}

// ---- The API JSON: exactly the names and shapes of before ------------------------------------------

TEST(ApiJson, RunKeepsItsShape) {
  RunRecord run = sample_run();
  EXPECT_EQ(
      to_json(run).dump(),
      with_who(R"({"checksum":"c","completedAt":20,"description":"d","descriptionTruncated":true,)"
               R"("direction":"down","duration":10,"error":"err","errorTruncated":true,"executionId":"e1",)"
               R"("hop":2,"id":"m1","metadata":{"k":1},"metadataTruncated":true,"name":"n","output":"o\n",)"
               R"("outputTruncated":true,"runId":"r1","startedAt":10,"status":"failed","who":WHO})"));
  EXPECT_EQ(
      to_json(run, false).dump(),
      with_who(R"({"checksum":"c","completedAt":20,"description":"d","descriptionTruncated":true,)"
               R"("direction":"down","duration":10,"error":"err","errorTruncated":true,"executionId":"e1",)"
               R"("hop":2,"id":"m1","metadata":{"k":1},"metadataTruncated":true,"name":"n",)"
               R"("outputTruncated":true,"runId":"r1","startedAt":10,"status":"failed","who":WHO})"));
  EXPECT_EQ(to_json(RunRecord{}).dump(),
            R"({"direction":"up","executionId":"","hop":0,"id":"","name":"","runId":"","startedAt":0,)"
            R"("status":"running","who":{}})");
  // The one new key: the last durable sign of life, when known. The fence stays internal.
  run.updated_at = 15;
  EXPECT_EQ(to_json(run).at("updatedAt"), 15);
  EXPECT_FALSE(to_json(run).contains("fence"));
}

TEST(ApiJson, ExecutionKeepsItsShape) {
  ExecutionRecord e;
  e.execution_id = "e1";
  e.direction = Direction::kDown;
  e.target = "t";
  e.status = ExecutionStatus::kNeedsContinuation;
  e.who = sample_who();
  e.started_at = 1;
  e.completed_at = 2;
  e.hop = 3;
  e.planned = {"a", "b"};
  e.finished = {"a"};
  e.error = "x";
  e.fence = 4;
  EXPECT_EQ(to_json(e).dump(),
            with_who(R"({"completedAt":2,"direction":"down","error":"x","executionId":"e1","finished":["a"],)"
                     R"("hop":3,"migrationCount":1,"planned":["a","b"],"startedAt":1,)"
                     R"("status":"needs_continuation","target":"t","who":WHO})"));
  EXPECT_EQ(to_json(ExecutionRecord{}).dump(),
            R"({"direction":"up","executionId":"","finished":[],"hop":0,"migrationCount":0,"planned":[],)"
            R"("startedAt":0,"status":"running","who":{}})");
}

TEST(ApiJson, StateKeepsItsShape) {
  MigrationState s;
  s.id = "m1";
  s.status = RunStatus::kInterrupted;
  s.direction = Direction::kDown;
  s.applied = true;
  s.checksum = "c";
  s.last_run_id = "r";
  s.last_execution_id = "e";
  s.started_at = 1;
  s.completed_at = 2;
  s.duration_ms = 1;
  s.applied_at = 2;
  s.applied_fence = 3;
  s.error = "x";
  s.output_truncated = true;
  s.progress = Json{{"p", 1}};
  s.fence = 9;
  EXPECT_EQ(to_json(s).dump(),
            R"({"applied":true,"appliedAt":2,"checksum":"c","completedAt":2,"direction":"down","duration":1,)"
            R"("error":"x","executionId":"e","id":"m1","lastRunId":"r","outputTruncated":true,)"
            R"("progress":{"p":1},"startedAt":1,"status":"interrupted"})");
  EXPECT_EQ(to_json(MigrationState{}).dump(),
            R"({"applied":false,"direction":"up","id":"","startedAt":0,"status":"completed"})");
}

TEST(ApiJson, LockKeepsItsShape) {
  LockInfo l;
  l.owner = "o";
  l.fence = 3;
  l.acquired_at = 100;
  l.expires_at = 200;
  l.heartbeat_at = 150;
  l.execution_id = "e";
  l.who = sample_who();
  l.current = CurrentRun{"m", "r", "e", Direction::kDown, 120, 1, Json{{"x", 1}}};
  EXPECT_EQ(to_json(l, 150).dump(),
            with_who(R"({"acquiredAt":100,"current":{"direction":"down","migrationId":"m","runId":"r",)"
                     R"("startedAt":120},"executionId":"e","expiresAt":200,"fence":3,"heartbeatAt":150,)"
                     R"("held":true,"owner":"o","who":WHO})"));
  EXPECT_EQ(to_json(l, 250).dump(), R"({"fence":3,"held":false})");
  l.current.reset();
  l.execution_id.clear();
  EXPECT_EQ(
      to_json(l, 150).dump(),
      with_who(R"({"acquiredAt":100,"expiresAt":200,"fence":3,"heartbeatAt":150,"held":true,"owner":"o",)"
               R"("who":WHO})"));
}

TEST(ApiJson, WhoKeepsItsShapeAndHidesTheBootId) {
  EXPECT_EQ(to_json(Who{}).dump(), "{}");
  EXPECT_EQ(to_json(sample_who()).dump(), kWhoApi);
}

// ---- The stored JSON of Who and CurrentRun: what files and items already hold ------------------------

TEST(StoredJson, WhoAndCurrentRunKeepTheirKeys) {
  EXPECT_EQ(record_json::dump(record_json::from_who(sample_who())),
            R"({"aws_principal":"arn:p","boot_id":"boot","ecs_task_arn":"arn:t","host":"h",)"
            R"("lambda_request_id":"req","pid":7,"user":"u"})");
  EXPECT_EQ(record_json::dump(record_json::from_who(Who{})),
            R"({"aws_principal":"","boot_id":"","ecs_task_arn":"","host":"","lambda_request_id":"",)"
            R"("pid":0,"user":""})");
  const CurrentRun current{"m", "r", "e", Direction::kDown, 120, 1, Json{{"x", 1}}};
  EXPECT_EQ(record_json::dump(record_json::from_current_run(current)),
            R"({"direction":"down","execution_id":"e","hop":1,"migration_id":"m","progress":{"x":1},)"
            R"("run_id":"r","started_at":120})");
  EXPECT_EQ(record_json::dump(record_json::from_current_run(CurrentRun{})),
            R"({"direction":"up","execution_id":"","hop":0,"migration_id":"","progress":null,"run_id":"",)"
            R"("started_at":0})");
}

TEST(StoredJson, WhoAndCurrentRunReadBackAndToleratePreviousForms) {
  const Who who = record_json::to_who(record_json::from_who(sample_who()));
  EXPECT_EQ(who.boot_id, "boot");
  EXPECT_EQ(who.pid, 7);
  EXPECT_EQ(who.ecs_task_arn, "arn:t");
  // Written before boot_id existed, or by hand: missing keys read as defaults.
  const Who old = record_json::to_who(Json{{"user", "u"}, {"pid", 3}});
  EXPECT_EQ(old.user, "u");
  EXPECT_EQ(old.pid, 3);
  EXPECT_EQ(old.boot_id, "");
  EXPECT_EQ(record_json::to_who(nullptr).user, "");

  const CurrentRun current = record_json::to_current_run(
      record_json::from_current_run(CurrentRun{"m", "r", "e", Direction::kDown, 120, 1, Json{{"x", 1}}}));
  EXPECT_EQ(current.migration_id, "m");
  EXPECT_EQ(current.direction, Direction::kDown);
  EXPECT_EQ(current.hop, 1);
  EXPECT_EQ(current.progress, (Json{{"x", 1}}));
  EXPECT_EQ(record_json::to_current_run(Json::object()).direction, Direction::kUp);
}

TEST(StoredJson, WrongShapesAreStoreErrors) {
  for (const Json& bad : {Json::array({1}), Json(5), Json{{"user", 5}}, Json{{"pid", "7"}},
                          Json{{"pid", 1.5}}, Json{{"pid", 1e300}}}) {
    EXPECT_THROW(record_json::to_who(bad), StoreError) << bad.dump();
  }
  for (const Json& bad : {Json("x"), Json{{"hop", 4294967296}}, Json{{"direction", "sideways"}},
                          Json{{"run_id", Json::array()}}}) {
    EXPECT_THROW(record_json::to_current_run(bad), StoreError) << bad.dump();
  }
}

// ---- The tables themselves -----------------------------------------------------------------------------

template <class Fields>
void expect_unique_names(const Fields& fields, const char* table) {
  std::set<std::string_view> store;
  std::set<std::string_view> api;
  record_fields::for_each_field(fields, [&](const auto& f) {
    EXPECT_TRUE(store.insert(f.store).second) << table << ": stored name " << f.store << " twice";
    if (f.in_api == record_fields::InApi::kNever) {
      EXPECT_TRUE(f.api.empty()) << table << "." << f.store << " is not in the API but has an API name";
    } else {
      EXPECT_FALSE(f.api.empty()) << table << "." << f.store << " has no API name";
      EXPECT_TRUE(api.insert(f.api).second) << table << ": API name " << f.api << " twice";
    }
  });
}

TEST(RecordFields, NamesAreUniqueWithinEachTable) {
  expect_unique_names(record_fields::kWhoFields, "who");
  expect_unique_names(record_fields::kCurrentRunFields, "current run");
  expect_unique_names(record_fields::kLockFields, "lock");
  expect_unique_names(record_fields::kStateFields, "state");
  expect_unique_names(record_fields::kRunFields, "run");
  expect_unique_names(record_fields::kExecutionFields, "execution");
}

}  // namespace
}  // namespace auric
