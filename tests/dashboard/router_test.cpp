// The API router against a memory store and real runs (LocalBackend): every route, shape and
// status code of docs/dashboard-api.md.
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/system.hpp"
#include "dashboard/http.hpp"
#include "fixture.hpp"
#include "store/open_store.hpp"

namespace auric::dashboard::testing {
namespace {

std::set<std::string> keys_of(const Json& j) {
  std::set<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.insert(k);
  return keys;
}

const Json* row(const Json& rows, const std::string& id) {
  for (const auto& r : rows) {
    if (r["id"] == id) return &r;
  }
  return nullptr;
}

std::vector<std::string> strings(const Json& array) {
  return array.get<std::vector<std::string>>();
}

// ---- GET /api/migrations ------------------------------------------------------------------

TEST(Router, NeverRunMigrationsArePendingWithMinimalShape) {
  Harness h;
  const Json rows = h.get_json("/api/migrations");
  ASSERT_EQ(rows.size(), kIds.size());
  for (std::size_t i = 0; i < kIds.size(); ++i) {
    EXPECT_EQ(rows[i]["id"], kIds[i]) << "sorted by id";
    EXPECT_EQ(rows[i]["status"], "pending");
    EXPECT_EQ(rows[i]["applied"], false);
  }
  EXPECT_EQ(rows[0]["name"], "create_users");
  EXPECT_EQ(rows[0]["description"], "## Users\n\nCreates the **users** table.");
  // Optional fields are omitted, never null or "".
  EXPECT_EQ(keys_of(rows[1]), (std::set<std::string>{"id", "name", "status", "applied"}));
}

TEST(Router, ResponsesAreJsonAndNotCached) {
  Harness h;
  const Response r = h.get("/api/migrations");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  EXPECT_EQ(r.headers.at("Cache-Control"), "no-store");
}

TEST(Router, CompletedRowCarriesTheLatestRun) {
  Harness h;
  const Response post = h.run_and_wait("/api/migrate", R"({"steps":1})");
  ASSERT_EQ(post.status, 200) << post.body;
  const std::string execution = Json::parse(post.body)["executionId"];
  const Json rows = h.get_json("/api/migrations");
  const Json& r = *row(rows, kIds[0]);
  EXPECT_EQ(r["status"], "completed");
  EXPECT_EQ(r["applied"], true);
  EXPECT_EQ(r["direction"], "up");
  EXPECT_EQ(r["executionId"], execution);
  EXPECT_TRUE(r["startedAt"].is_number_integer());
  EXPECT_TRUE(r["completedAt"].is_number_integer());
  EXPECT_TRUE(r["duration"].is_number_integer());
  EXPECT_FALSE(r.contains("error"));
  EXPECT_FALSE(r.contains("output")) << "the list never carries output";
  EXPECT_EQ((*row(rows, kIds[1]))["status"], "pending");
}

TEST(Router, RowsSayWhenTheLatestRunsOutputWasTruncated) {
  Harness h;
  h.switches->big_output = true;
  h.run_and_wait("/api/migrate", R"({"steps":1})");
  EXPECT_EQ((*row(h.get_json("/api/migrations"), kIds[0]))["outputTruncated"], true);
  const Json runs = h.get_json("/api/migrations/" + kIds[0]);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["outputTruncated"], true) << "the same flag as the run record";

  // The flag follows the latest run: a rollback and a quiet re-run clear it.
  h.switches->big_output = false;
  h.run_and_wait("/api/rollback", R"({"steps":1})");
  EXPECT_FALSE((*row(h.get_json("/api/migrations"), kIds[0])).contains("outputTruncated"));
  h.run_and_wait("/api/migrate", R"({"steps":1})");
  const Json rows = h.get_json("/api/migrations");
  EXPECT_FALSE((*row(rows, kIds[0])).contains("outputTruncated")) << "absent, never false";
  EXPECT_FALSE((*row(rows, kIds[1])).contains("outputTruncated"));
}

TEST(Router, RolledBackMigrationIsNotApplied) {
  Harness h;
  h.run_and_wait("/api/migrate", "{}");
  const Response down = h.run_and_wait("/api/rollback", R"({"steps":1})");
  ASSERT_EQ(down.status, 200) << down.body;
  const Json rows = h.get_json("/api/migrations");
  const Json& r = *row(rows, kIds[3]);
  EXPECT_EQ(r["status"], "rolled_back");
  EXPECT_EQ(r["applied"], false);
  EXPECT_EQ(r["direction"], "down");
  EXPECT_EQ((*row(rows, kIds[2]))["status"], "completed");
}

TEST(Router, FailedUpIsFailedAndNotApplied) {
  Harness h;
  h.switches->fail_up = true;
  const Response post = h.run_and_wait("/api/migrate", "{}");
  EXPECT_EQ(post.status, 200) << "the run started; its failure is recorded, not returned";
  const Json rows = h.get_json("/api/migrations");
  const Json& r = *row(rows, kIds[2]);
  EXPECT_EQ(r["status"], "failed");
  EXPECT_EQ(r["applied"], false);
  EXPECT_EQ(r["error"], "backfill exploded");
  EXPECT_EQ((*row(rows, kIds[3]))["status"], "pending") << "not attempted after the failure";
}

TEST(Router, FailedDownStaysApplied) {
  Harness h;
  h.run_and_wait("/api/migrate", "{}");
  h.switches->fail_down = true;
  h.run_and_wait("/api/rollback", Json{{"target", kIds[2]}}.dump());
  const Json rows = h.get_json("/api/migrations");
  EXPECT_EQ((*row(rows, kIds[3]))["status"], "rolled_back");
  const Json& r = *row(rows, kIds[2]);
  EXPECT_EQ(r["status"], "failed");
  EXPECT_EQ(r["applied"], true) << "a failed down leaves the migration applied";
  EXPECT_EQ(r["direction"], "down");
  const Json status = h.get_json("/api/status");
  const auto completed = strings(status["completed"]);
  const auto failed = strings(status["failed"]);
  EXPECT_NE(std::find(completed.begin(), completed.end(), kIds[2]), completed.end());
  EXPECT_EQ(failed, std::vector<std::string>{kIds[2]});
}

TEST(Router, InterruptedRunOfADeadHolderShowsAsInterrupted) {
  Harness h;
  // A runner took the lock, started kIds[0] and died: its lease is long expired.
  const std::int64_t past = system_now_ms() - 60'000;
  LockRequest req{"dead-host:1:abcd", "dead-execution", Who{.user = "ghost", .host = "dead-host"}, past,
                  1000};
  const LockAttempt attempt = h.store->try_acquire_lock(req);
  ASSERT_TRUE(attempt.acquired);
  CurrentRun current{kIds[0], "dead-run", "dead-execution", Direction::kUp, past, 0, nullptr};
  ASSERT_EQ(h.store->set_current_run(req.owner, attempt.fence, current, past + 1000), WriteOutcome::kOk);
  EXPECT_EQ(h.get_json("/api/lock"), Json({{"held", false}})) << "an expired lease is not shown as held";
  EXPECT_EQ((*row(h.get_json("/api/migrations"), kIds[0]))["status"], "pending");

  // The next run (here a rollback with nothing to roll back) finds and records it.
  const Response r = h.run_and_wait("/api/rollback", R"({"steps":1})");
  ASSERT_EQ(r.status, 200) << r.body;
  const Json rows = h.get_json("/api/migrations");
  const Json& v = *row(rows, kIds[0]);
  EXPECT_EQ(v["status"], "interrupted");
  EXPECT_EQ(v["applied"], false);
  EXPECT_TRUE(v.contains("error"));
  const Json summary = h.get_json("/api/migrations/summary");
  EXPECT_EQ(summary["failed"], 1) << "interrupted counts as failed";
  const Json runs = h.get_json("/api/migrations/" + kIds[0]);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["status"], "interrupted");
  EXPECT_EQ(runs[0]["runId"], "dead-run");
}

TEST(Router, DriftMissingAndOutOfOrderComeFromTheStatusRules) {
  auto store = open_store("memory:");
  auto switches = std::make_shared<Switches>();
  auto migrations = test_migrations(switches);
  for (auto& m : migrations) m.checksum = "sum-" + m.id.substr(0, 8) + m.id.substr(15);
  auto applied = [&](const std::string& id, const std::string& checksum) {
    MigrationState s;
    s.id = id;
    s.status = RunStatus::kCompleted;
    s.direction = Direction::kUp;
    s.applied = true;
    s.checksum = checksum;
    s.last_run_id = "run-" + id;
    s.last_execution_id = "exec-1";
    s.started_at = 1000;
    s.completed_at = 1010;
    s.duration_ms = 10;
    s.applied_at = 1010;
    s.applied_fence = 1;
    s.fence = 1;
    ASSERT_EQ(store->put_state(s), WriteOutcome::kOk);
  };
  applied(kIds[0], "an-older-source");       // drift
  applied(kIds[2], migrations[2].checksum);  // so kIds[1] is out of order
  applied("20230101000000_gone", "x");       // missing from the binary
  LocalBackend backend(migrations, *store);

  const Response r = handle(make_request("GET", "/api/migrations"), backend);
  ASSERT_EQ(r.status, 200);
  const Json rows = Json::parse(r.body);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0]["id"], "20230101000000_gone") << "sorted by id, missing ones included";
  EXPECT_EQ(rows[0]["missing"], true);
  EXPECT_EQ(rows[0]["name"], "gone");
  EXPECT_EQ((*row(rows, kIds[0]))["drift"], true);
  EXPECT_EQ((*row(rows, kIds[0]))["checksum"], "an-older-source");
  EXPECT_FALSE((*row(rows, kIds[2])).contains("drift"));
  EXPECT_EQ((*row(rows, kIds[1]))["outOfOrder"], true);
  EXPECT_FALSE((*row(rows, kIds[3])).contains("outOfOrder")) << "newer than every applied one";
  EXPECT_FALSE((*row(rows, kIds[1])).contains("missing"));

  const Json summary = Json::parse(handle(make_request("GET", "/api/migrations/summary"), backend).body);
  EXPECT_EQ(
      summary,
      Json(
          {{"pending", 2}, {"completed", 3}, {"failed", 0}, {"suspended", 0}, {"running", 0}, {"total", 5}}));
  const Json status = Json::parse(handle(make_request("GET", "/api/status"), backend).body);
  EXPECT_EQ(strings(status["completed"]),
            (std::vector<std::string>{"20230101000000_gone", kIds[0], kIds[2]}));
  EXPECT_EQ(strings(status["pending"]), (std::vector<std::string>{kIds[1], kIds[3]}))
      << "pending: this binary's only";
  EXPECT_TRUE(status["failed"].empty());
}

// ---- summary / status -----------------------------------------------------------------------

TEST(Router, SummaryCountsEveryRowOnce) {
  Harness h;
  EXPECT_EQ(
      h.get_json("/api/migrations/summary"),
      Json(
          {{"pending", 4}, {"completed", 0}, {"failed", 0}, {"suspended", 0}, {"running", 0}, {"total", 4}}));
  h.run_and_wait("/api/migrate", "{}");
  h.run_and_wait("/api/rollback", R"({"steps":1})");
  EXPECT_EQ(
      h.get_json("/api/migrations/summary"),
      Json({{"pending", 1}, {"completed", 3}, {"failed", 0}, {"suspended", 0}, {"running", 0}, {"total", 4}}))
      << "rolled back counts as pending";
}

// A migration suspended at a checkpoint is its own status and bucket: not failed.
TEST(Router, SuspendedIsItsOwnStatusAndSummaryBucket) {
  Harness h;
  MigrationState s;
  s.id = kIds[0];
  s.status = RunStatus::kSuspended;
  s.direction = Direction::kUp;
  s.last_run_id = "run-suspended";
  s.started_at = 1000;
  s.progress = Json{{"next", 5}};
  s.fence = 1;
  ASSERT_EQ(h.store->put_state(s), WriteOutcome::kOk);
  EXPECT_EQ((*row(h.get_json("/api/migrations"), kIds[0]))["status"], "suspended");
  EXPECT_EQ(
      h.get_json("/api/migrations/summary"),
      Json(
          {{"pending", 3}, {"completed", 0}, {"failed", 0}, {"suspended", 1}, {"running", 0}, {"total", 4}}));
}

TEST(Router, StatusListsIds) {
  Harness h;
  h.run_and_wait("/api/migrate", R"({"steps":2})");
  EXPECT_EQ(
      h.get_json("/api/status"),
      Json({{"pending", {kIds[2], kIds[3]}}, {"completed", {kIds[0], kIds[1]}}, {"failed", Json::array()}}));
}

// ---- runs and executions, pagination --------------------------------------------------------

TEST(Router, MigrationRunsAreNewestFirstAndPaginated) {
  Harness h;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(h.run_and_wait("/api/migrate", R"({"steps":1})").status, 200);
    ASSERT_EQ(h.run_and_wait("/api/rollback", Json{{"target", kIds[0]}}.dump()).status, 200);
  }
  const Response first = h.get("/api/migrations/" + kIds[0] + "?limit=4");
  ASSERT_EQ(first.status, 200) << first.body;
  const Json page1 = Json::parse(first.body);
  ASSERT_EQ(page1.size(), 4u);
  ASSERT_TRUE(first.headers.count("X-Next-Cursor"));
  const std::string cursor = first.headers.at("X-Next-Cursor");
  EXPECT_EQ(cursor.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos)
      << "URL-safe cursor: " << cursor;
  const Response second = h.get("/api/migrations/" + kIds[0] + "?limit=4&cursor=" + cursor);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_FALSE(second.headers.count("X-Next-Cursor")) << "absent on the last page";
  const Json page2 = Json::parse(second.body);
  ASSERT_EQ(page2.size(), 2u);

  std::vector<Json> all(page1.begin(), page1.end());
  all.insert(all.end(), page2.begin(), page2.end());
  std::set<std::string> run_ids;
  for (std::size_t i = 0; i < all.size(); ++i) {
    run_ids.insert(all[i]["runId"].get<std::string>());
    EXPECT_EQ(all[i]["id"], kIds[0]);
    if (i > 0) {
      EXPECT_GE(all[i - 1]["startedAt"].get<std::int64_t>(), all[i]["startedAt"].get<std::int64_t>());
    }
  }
  EXPECT_EQ(run_ids.size(), 6u) << "every run exactly once across pages";
  EXPECT_EQ(all.front()["direction"], "down") << "newest first";
  EXPECT_EQ(all.back()["direction"], "up");
  // The up run carries its output and result; `who` names this process.
  const Json& oldest = all.back();
  EXPECT_NE(oldest["output"].get<std::string>().find("[info] created users"), std::string::npos);
  EXPECT_EQ(oldest["metadata"], Json({{"rowsAffected", 42}}));
  EXPECT_EQ(oldest["status"], "completed");
  EXPECT_TRUE(oldest["who"].contains("pid"));
  EXPECT_EQ(oldest["description"], "## Users\n\nCreates the **users** table.");
}

TEST(Router, MigrationIdsArePercentDecodedOnce) {
  Harness h;
  h.run_and_wait("/api/migrate", R"({"steps":1})");
  EXPECT_EQ(h.get_json("/api/migrations/20240101000000%5Fcreate_users").size(), 1u);
  EXPECT_EQ(h.get_json("/api/migrations/" + kIds[0] + "/").size(), 1u) << "one trailing slash is ignored";
  EXPECT_EQ(h.get_json("/api/migrations/a%2Fb"), Json::array()) << "unknown id: 200 []";
  EXPECT_EQ(h.get("/api/migrations/%zz").status, 400);
}

TEST(Router, ExecutionsAreNewestFirstPaginatedAndCounted) {
  Harness h;
  std::vector<std::string> started;
  for (int i = 0; i < 2; ++i) {
    started.push_back(Json::parse(h.run_and_wait("/api/migrate", R"({"steps":1})").body)["executionId"]);
  }
  h.switches->fail_up = true;
  started.push_back(Json::parse(h.run_and_wait("/api/migrate", "{}").body)["executionId"]);

  const Response first = h.get("/api/executions?limit=2");
  ASSERT_EQ(first.status, 200);
  ASSERT_TRUE(first.headers.count("X-Next-Cursor"));
  const Json page1 = Json::parse(first.body);
  const Response second = h.get("/api/executions?limit=2&cursor=" + first.headers.at("X-Next-Cursor"));
  const Json page2 = Json::parse(second.body);
  EXPECT_FALSE(second.headers.count("X-Next-Cursor"));
  ASSERT_EQ(page1.size(), 2u);
  ASSERT_EQ(page2.size(), 1u);
  EXPECT_EQ(page1[0]["executionId"], started[2]) << "newest first";
  EXPECT_EQ(page1[1]["executionId"], started[1]);
  EXPECT_EQ(page2[0]["executionId"], started[0]);

  const Json& failed = page1[0];
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_EQ(failed["direction"], "up");
  EXPECT_EQ(strings(failed["planned"]), (std::vector<std::string>{kIds[2], kIds[3]}));
  EXPECT_EQ(failed["migrationCount"], 1) << "the failed run is a recorded run";
  EXPECT_EQ(failed["hop"], 0);
  EXPECT_TRUE(failed["error"].get<std::string>().find("backfill exploded") != std::string::npos);
  EXPECT_FALSE(failed.contains("finished"));
  EXPECT_EQ(page1[1]["migrationCount"], 1);
  EXPECT_EQ(page1[1]["status"], "completed");

  // Summary of one execution, and its runs oldest first with output.
  EXPECT_EQ(h.get_json("/api/executions/" + started[2] + "/summary"), failed);
  const Json runs = h.get_json("/api/executions/" + started[2]);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["id"], kIds[2]);
  EXPECT_EQ(runs[0]["status"], "failed");
  EXPECT_EQ(runs[0]["error"], "backfill exploded");
  EXPECT_NE(runs[0]["output"].get<std::string>().find("backfill: step 2"), std::string::npos);
  EXPECT_EQ(h.get_json("/api/executions/no-such-execution"), Json::array());
  const Response missing = h.get("/api/executions/no-such-execution/summary");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json::parse(missing.body), Json({{"error", "Execution not found"}}));
}

TEST(Router, BadPaginationParametersAre400) {
  Harness h;
  for (const char* q : {"limit=0", "limit=201", "limit=abc", "limit=1.5", "limit=", "limit=-3"}) {
    const Response r = h.get(std::string("/api/executions?") + q);
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_EQ(Json::parse(r.body), Json({{"error", "limit must be an integer from 1 to 200"}})) << q;
  }
  EXPECT_EQ(h.get("/api/executions?limit=200").status, 200);
  for (const std::string& cursor :
       std::vector<std::string>{"!!!", "", base64url_encode("not-a-store-cursor"), "%zz"}) {
    const Response r = h.get("/api/migrations/" + kIds[0] + "?cursor=" + cursor);
    EXPECT_EQ(r.status, 400) << cursor;
    if (cursor != "%zz") {
      EXPECT_EQ(Json::parse(r.body), Json({{"error", "Invalid cursor"}})) << cursor;
    }
  }
}

// DynamoDB refuses keys over 2,048 bytes: an id that long from a URL gave a 500. Ids from
// outside are length-checked before any store call.
TEST(Router, OversizedIdsInThePathAre400NeverA5xx) {
  Harness h;
  const std::string huge(3000, 'a');
  for (const std::string& path : {"/api/executions/" + huge + "/summary", "/api/executions/" + huge,
                                  "/api/migrations/" + huge, "/api/migrations/" + std::string(513, '%')}) {
    const Response r = h.get(path);
    EXPECT_EQ(r.status, 400) << path.substr(0, 40);
  }
  const Response r = h.get("/api/executions/" + huge + "/summary");
  EXPECT_EQ(
      Json::parse(r.body),
      Json({{"error", "Bad request: the id in the path is 3000 bytes long; ids are at most 512 bytes"}}));
  EXPECT_EQ(h.get("/api/executions/" + std::string(512, 'a')).status, 200) << "512 bytes is still an id";
}

// ---- plan -----------------------------------------------------------------------------------

TEST(Router, PlanEchoesItsParametersAsReceived) {
  Harness h;
  EXPECT_EQ(h.get_json("/api/plan?direction=up"), Json({{"direction", "up"}, {"migrations", kIds}}));
  EXPECT_EQ(h.get_json("/api/plan?direction=up&target=add_email_index"),
            Json({{"direction", "up"}, {"target", "add_email_index"}, {"migrations", {kIds[0], kIds[1]}}}))
      << "target echoed as sent (a name), not resolved";
  EXPECT_EQ(h.get_json("/api/plan?direction=up&steps=3"),
            Json({{"direction", "up"}, {"steps", 3}, {"migrations", {kIds[0], kIds[1], kIds[2]}}}));
  EXPECT_EQ(h.get_json("/api/plan?direction=down"),
            Json({{"direction", "down"}, {"migrations", Json::array()}}));
}

TEST(Router, PlanRejectsBadParameters) {
  Harness h;
  auto error_of = [&](const std::string& q) {
    const Response r = h.get("/api/plan?" + q);
    EXPECT_EQ(r.status, 400) << q;
    return Json::parse(r.body)["error"].get<std::string>();
  };
  EXPECT_EQ(error_of(""), "direction must be up or down");
  EXPECT_EQ(error_of("direction=sideways"), "direction must be up or down");
  EXPECT_EQ(error_of("direction=up&target=x&steps=1"), "Give either target or steps, not both");
  for (const char* s : {"0", "-1", "abc", "1.5", ""}) {
    EXPECT_EQ(error_of(std::string("direction=up&steps=") + s), "steps must be a positive integer") << s;
  }
  EXPECT_EQ(error_of("direction=down&target=nope"),
            "Unknown target \"nope\": no migration has this id or name");
}

TEST(Router, AmbiguousTargetNamesEveryMatch) {
  auto store = open_store("memory:");
  auto noop = [](Context&) -> Json { return {}; };
  LocalBackend backend(define_migrations({{"20240101000000_same", Migration{.up = noop, .down = noop}},
                                          {"20240201000000_same", Migration{.up = noop, .down = noop}}}),
                       *store);
  const Response r = handle(make_request("GET", "/api/plan?direction=up&target=same"), backend);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Json::parse(r.body)["error"],
            "Ambiguous target \"same\": 20240101000000_same, 20240201000000_same");
  const Response post = handle(make_request("POST", "/api/migrate", R"({"target":"same"})"), backend);
  EXPECT_EQ(post.status, 400);
  EXPECT_EQ(Json::parse(post.body)["error"], Json::parse(r.body)["error"]) << "same wording as /api/plan";
}

TEST(Router, DownPlanWithATargetIncludesEveryNewerApplied) {
  Harness h;
  h.run_and_wait("/api/migrate", "{}");
  EXPECT_EQ(h.get_json("/api/plan?direction=down&target=" + kIds[1])["migrations"],
            Json({kIds[3], kIds[2], kIds[1]}));
  EXPECT_EQ(h.get_json("/api/plan?direction=down")["migrations"], Json({kIds[3]}))
      << "bare rollback: the last one";
  EXPECT_EQ(h.get_json("/api/plan?direction=down&steps=2")["migrations"], Json({kIds[3], kIds[2]}));
  EXPECT_EQ(h.get_json("/api/plan?direction=up&target=" + kIds[1])["migrations"], Json::array())
      << "an applied target gives []";
}

// The dialogs' promise: what /api/plan lists is exactly what the POST with the same
// parameters runs.
TEST(Router, PlanIsExactlyWhatRuns) {
  Harness h;
  struct Case {
    std::string direction;
    Json params;
  };
  const std::vector<Case> cases = {
      {"up", {{"steps", 2}}},   {"up", {{"target", "backfill_totals"}}}, {"up", Json::object()},
      {"down", {{"steps", 1}}}, {"down", {{"target", kIds[1]}}},         {"down", {{"target", kIds[0]}}},
      {"down", {{"steps", 1}}},
  };
  for (const auto& c : cases) {
    std::string query = "/api/plan?direction=" + c.direction;
    if (c.params.contains("steps")) query += "&steps=" + std::to_string(c.params["steps"].get<int>());
    if (c.params.contains("target"))
      query += "&target=" + percent_encode(c.params["target"].get<std::string>());
    const Json plan = h.get_json(query);
    const Response post =
        h.run_and_wait(c.direction == "up" ? "/api/migrate" : "/api/rollback", c.params.dump());
    ASSERT_EQ(post.status, 200) << post.body;
    if (plan["migrations"].empty()) {
      // Nothing to do: the runner records no execution, so there is none to name.
      EXPECT_FALSE(Json::parse(post.body).contains("executionId")) << query << ": " << post.body;
      continue;
    }
    const std::string execution = Json::parse(post.body)["executionId"];
    const Json summary = h.get_json("/api/executions/" + execution + "/summary");
    EXPECT_EQ(summary["planned"], plan["migrations"]) << query;
    EXPECT_EQ(summary["status"], "completed") << query;
    std::multiset<std::string> ran, planned;
    for (const auto& r : h.get_json("/api/executions/" + execution)) ran.insert(r["id"].get<std::string>());
    for (const auto& id : plan["migrations"]) planned.insert(id.get<std::string>());
    EXPECT_EQ(ran, planned) << query;
  }
  EXPECT_EQ(h.get_json("/api/migrations/summary")["completed"], 0);
}

// ---- lock, live output and 409 --------------------------------------------------------------

TEST(Router, LockShowsTheRunningMigrationWithLiveOutput) {
  Harness h;
  EXPECT_EQ(h.get_json("/api/lock"), Json({{"held", false}}));
  h.switches->gate.close();
  const Response post = h.post("/api/migrate", "{}");
  ASSERT_EQ(post.status, 200) << post.body;
  const Json started = Json::parse(post.body);
  EXPECT_EQ(started["message"], "Migration initiated");
  EXPECT_EQ(started["invoked"], true);
  ASSERT_TRUE(h.switches->gate.wait_entered());

  const Json lock = h.get_json("/api/lock");
  EXPECT_EQ(lock["held"], true);
  EXPECT_EQ(lock["executionId"], started["executionId"]);
  EXPECT_TRUE(lock["owner"].get<std::string>().find(':') != std::string::npos);
  EXPECT_TRUE(lock["who"].contains("pid"));
  EXPECT_GT(lock["expiresAt"].get<std::int64_t>(), lock["acquiredAt"].get<std::int64_t>());
  ASSERT_TRUE(lock.contains("current"));
  EXPECT_EQ(lock["current"]["migrationId"], kIds[2]);
  EXPECT_EQ(lock["current"]["direction"], "up");
  EXPECT_NE(lock["current"]["output"].get<std::string>().find("backfill: step 1"), std::string::npos);
  EXPECT_EQ(lock["current"]["output"].get<std::string>().find("backfill: step 2"), std::string::npos);
  EXPECT_FALSE(lock.contains("fence")) << "the LockView has no internals";

  const Json rows = h.get_json("/api/migrations");
  EXPECT_EQ((*row(rows, kIds[2]))["status"], "running");
  EXPECT_EQ((*row(rows, kIds[2]))["executionId"], started["executionId"]);
  EXPECT_EQ((*row(rows, kIds[1]))["status"], "completed");
  EXPECT_EQ(h.get_json("/api/migrations/summary")["running"], 1);
  const Json execution =
      h.get_json("/api/executions/" + started["executionId"].get<std::string>() + "/summary");
  EXPECT_EQ(execution["status"], "running");

  // Another start while it runs: 409 with the holder.
  const Response busy = h.post("/api/rollback", R"({"steps":1})");
  EXPECT_EQ(busy.status, 409);
  const Json refusal = Json::parse(busy.body);
  EXPECT_NE(refusal["error"].get<std::string>().find("Another run holds the lock"), std::string::npos);
  EXPECT_EQ(refusal["holder"]["held"], true);
  EXPECT_EQ(refusal["holder"]["executionId"], started["executionId"]);

  h.switches->gate.open();
  ASSERT_TRUE(h.backend->wait_idle(std::chrono::seconds(30)));
  EXPECT_EQ(h.get_json("/api/lock"), Json({{"held", false}}));
  EXPECT_EQ(h.get_json("/api/migrations/summary")["completed"], 4);
}

TEST(Router, LockHeldByAnotherProcessGives409WithTheHolder) {
  Harness h;
  LockRequest req{"other-host:7:beef", "their-execution", Who{.user = "ci", .host = "runner-7", .pid = 2231},
                  system_now_ms(), 60'000};
  ASSERT_TRUE(h.store->try_acquire_lock(req).acquired);
  const Response r = h.post("/api/migrate", "{}");
  EXPECT_EQ(r.status, 409) << r.body;
  const Json j = Json::parse(r.body);
  EXPECT_NE(j["error"].get<std::string>().find("ci@runner-7 (pid 2231, execution their-execution"),
            std::string::npos)
      << j;
  EXPECT_EQ(j["holder"]["owner"], "other-host:7:beef");
  EXPECT_EQ(j["holder"]["who"]["user"], "ci");
  EXPECT_EQ(h.get_json("/api/lock")["executionId"], "their-execution");
  EXPECT_EQ(h.get_json("/api/executions"), Json::array()) << "nothing was recorded";
}

// ---- POST bodies ----------------------------------------------------------------------------

TEST(Router, PostBodiesAreValidated) {
  Harness h;
  auto expect = [&](const std::string& body, int status, const std::string& error) {
    const Response r = h.post("/api/migrate", body);
    EXPECT_EQ(r.status, status) << body;
    EXPECT_EQ(Json::parse(r.body), Json({{"error", error}})) << body;
  };
  expect("{not json", 400, "Invalid JSON");
  expect("[1,2]", 400, "Invalid JSON");
  expect("\"up\"", 400, "Invalid JSON");
  expect(R"({"target": 5})", 400, "target must be a string");
  expect(R"({"steps": 0})", 400, "steps must be a positive integer");
  expect(R"({"steps": "2"})", 400, "steps must be a positive integer");
  expect(R"({"steps": 1.5})", 400, "steps must be a positive integer");
  expect(R"({"target": "x", "steps": 1})", 400, "Give either target or steps, not both");
  expect(R"({"target": "nope"})", 400, "Unknown target \"nope\": no migration has this id or name");
  expect(std::string(kMaxBodyBytes + 1, ' '), 413, "Request body too large");
  EXPECT_EQ(h.get_json("/api/executions"), Json::array()) << "no run started";
  EXPECT_EQ(h.run_and_wait("/api/migrate", "").status, 200) << "an empty body means {}";
  EXPECT_EQ(h.get_json("/api/migrations/summary")["completed"], 4);
}

TEST(Router, RollbackAnswersLikeTheReference) {
  Harness h;
  h.run_and_wait("/api/migrate", "{}");
  const Response r = h.run_and_wait("/api/rollback", R"({"steps":2})");
  ASSERT_EQ(r.status, 200);
  const Json j = Json::parse(r.body);
  EXPECT_EQ(j["message"], "Rollback initiated");
  EXPECT_EQ(j["invoked"], true);
  EXPECT_EQ(j["executionId"].get<std::string>().size(), 36u);
  EXPECT_EQ(h.get_json("/api/status")["completed"], Json({kIds[0], kIds[1]}));
}

// ---- routing errors -------------------------------------------------------------------------

TEST(Router, UnknownRoutesAndWrongMethodsAre404Json) {
  Harness h;
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/api/nope"},
                                                        {"POST", "/api/migrations"},
                                                        {"GET", "/api/migrate"},
                                                        {"PUT", "/api/migrate"},
                                                        {"DELETE", "/api/lock"},
                                                        {"OPTIONS", "/api/migrations"},
                                                        {"GET", "/api"},
                                                        {"GET", "/elsewhere"}}) {
    const Response r = handle(make_request(method, path), *h.backend);
    EXPECT_EQ(r.status, 404) << method << " " << path;
    EXPECT_EQ(Json::parse(r.body), Json({{"error", "Not found"}})) << method << " " << path;
  }
  EXPECT_EQ(h.get("/api/migrations/").status, 200) << "one trailing slash is ignored";
  EXPECT_EQ(h.get("/api/migrations/summary/").status, 200);
}

class ThrowingBackend final : public DashboardBackend {
 public:
  explicit ThrowingBackend(Store& store) : store_(store) {}
  Store& store() override { return store_; }
  std::vector<MigrationInfo> migrations() override { throw std::runtime_error("database on fire"); }
  StartOutcome start_run(const RunParams&) override { throw std::runtime_error("unreachable"); }

 private:
  Store& store_;
};

TEST(Router, ExceptionsBecome500WithoutDetails) {
  auto store = open_store("memory:");
  ThrowingBackend backend(*store);
  std::vector<std::string> logged;
  RouterOptions options{[&](std::string_view line) { logged.emplace_back(line); }};
  for (const char* path :
       {"/api/migrations", "/api/migrations/summary", "/api/plan?direction=up", "/api/status"}) {
    const Response r = handle(make_request("GET", path), backend, options);
    EXPECT_EQ(r.status, 500) << path;
    EXPECT_EQ(Json::parse(r.body), Json({{"error", "Internal server error"}})) << path;
  }
  ASSERT_EQ(logged.size(), 4u);
  EXPECT_NE(logged[0].find("database on fire"), std::string::npos) << "details go to the log";
  EXPECT_EQ(handle(make_request("GET", "/api/lock"), backend, options).status, 200)
      << "routes that need no migrations";
}

// ---- no bookkeeping rows ------------------------------------------------------------------

TEST(Router, NoBookkeepingRowsAppearAnywhere) {
  Harness h;
  h.run_and_wait("/api/migrate", R"({"steps":1})");
  h.run_and_wait("/api/migrate", "{}");  // a run with work
  // A no-op run: the reference wrote a sentinel row here; now nothing at all is recorded.
  const Response noop = h.run_and_wait("/api/migrate", "{}");
  EXPECT_EQ(noop.status, 200) << noop.body;
  EXPECT_FALSE(Json::parse(noop.body).contains("executionId")) << noop.body;
  h.run_and_wait("/api/rollback", R"({"steps":2})");
  const std::set<std::string> known(kIds.begin(), kIds.end());
  const Json rows = h.get_json("/api/migrations");
  EXPECT_EQ(rows.size(), kIds.size());
  for (const auto& r : rows) EXPECT_TRUE(known.count(r["id"])) << r;
  for (const auto& s : h.store->list_states()) EXPECT_TRUE(known.count(s.id)) << s.id;
  const Json summary = h.get_json("/api/migrations/summary");
  EXPECT_EQ(summary["total"], kIds.size());
  const Json executions = h.get_json("/api/executions");
  ASSERT_EQ(executions.size(), 3u) << "the no-op run recorded no execution";
  for (const auto& e : executions) {
    const Json runs = h.get_json("/api/executions/" + e["executionId"].get<std::string>());
    EXPECT_EQ(e["migrationCount"], runs.size()) << e;
    for (const auto& r : runs) EXPECT_TRUE(known.count(r["id"])) << r;
  }
  EXPECT_EQ(executions[0]["direction"], "down");
  EXPECT_EQ(executions[1]["direction"], "up");
  EXPECT_EQ(executions[1]["migrationCount"], 3);
}

// ---- the response cache ---------------------------------------------------------------------

// Forwards to a Harness's backend, counting the reads the list routes make, with a settable
// clock and an optional data version.
class CountingBackend final : public DashboardBackend {
 public:
  CountingBackend(Harness& h, bool versioned) : h_(h), versioned_(versioned) {}
  Store& store() override { return h_.backend->store(); }
  std::vector<MigrationInfo> migrations() override {
    ++migration_reads;
    return h_.backend->migrations();
  }
  StartOutcome start_run(const RunParams& params) override { return h_.backend->start_run(params); }
  std::int64_t now_ms() override { return now == 0 ? DashboardBackend::now_ms() : now; }
  std::optional<std::uint64_t> data_version() override {
    return versioned_ ? h_.backend->data_version() : std::nullopt;
  }

  int migration_reads = 0;
  std::int64_t now = 0;  // 0: the system clock

 private:
  Harness& h_;
  bool versioned_;
};

TEST(Router, ListAnswersAreReusedOnlyWhileTheStoreIsUnchanged) {
  Harness h;
  CountingBackend backend(h, true);
  RouterOptions options;
  options.cache = std::make_shared<ResponseCache>();
  auto get = [&](const std::string& path) { return handle(make_request("GET", path), backend, options); };

  const Response first = get("/api/migrations");
  const Response again = get("/api/migrations");
  EXPECT_EQ(backend.migration_reads, 1) << "the second answer came from the cache";
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.headers, first.headers);
  get("/api/migrations/summary");
  get("/api/migrations/summary");
  get("/api/status");
  get("/api/status");
  EXPECT_EQ(backend.migration_reads, 3) << "one computation per route";
  EXPECT_EQ(get("/api/executions?limit=1").body, "[]");

  // A write (a run through the backend) makes every answer stale.
  h.run_and_wait("/api/migrate", R"({"steps":1})");
  const Json rows = Json::parse(get("/api/migrations").body);
  EXPECT_EQ(backend.migration_reads, 4);
  EXPECT_EQ((*row(rows, kIds[0]))["status"], "completed");
  EXPECT_EQ(Json::parse(get("/api/migrations/summary").body)["completed"], 1);
  EXPECT_EQ(strings(Json::parse(get("/api/status").body)["completed"]), std::vector<std::string>{kIds[0]});
  const Json executions = Json::parse(get("/api/executions?limit=1").body);
  ASSERT_EQ(executions.size(), 1u);
  EXPECT_EQ(executions[0]["migrationCount"], 1);

  // So does a write by anyone else on the store (here: a lock taken directly).
  const std::int64_t now = system_now_ms();
  LockRequest req{"other-host:7:beef", "other-execution", Who{.user = "ci"}, now, 60'000};
  const LockAttempt attempt = h.store->try_acquire_lock(req);
  ASSERT_TRUE(attempt.acquired);
  CurrentRun current{kIds[1], "other-run", "other-execution", Direction::kUp, now, 0, nullptr};
  ASSERT_EQ(h.store->set_current_run(req.owner, attempt.fence, current, now + 60'000), WriteOutcome::kOk);
  EXPECT_EQ((*row(Json::parse(get("/api/migrations").body), kIds[1]))["status"], "running");

  // Other routes are never cached, and errors are not kept.
  EXPECT_EQ(get("/api/executions?limit=0").status, 400);
  EXPECT_EQ(get("/api/executions?limit=0").status, 400);
}

TEST(Router, AnAnswerShowingAHeldLeaseExpiresWithTheLease) {
  Harness h;
  CountingBackend backend(h, true);
  RouterOptions options;
  options.cache = std::make_shared<ResponseCache>();
  auto views = [&] {
    return Json::parse(handle(make_request("GET", "/api/migrations"), backend, options).body);
  };

  const std::int64_t now = system_now_ms();
  backend.now = now;
  LockRequest req{"other-host:7:beef", "other-execution", Who{.user = "ci"}, now, 1000};
  const LockAttempt attempt = h.store->try_acquire_lock(req);
  ASSERT_TRUE(attempt.acquired);
  CurrentRun current{kIds[0], "other-run", "other-execution", Direction::kUp, now, 0, nullptr};
  ASSERT_EQ(h.store->set_current_run(req.owner, attempt.fence, current, now + 1000), WriteOutcome::kOk);
  EXPECT_EQ((*row(views(), kIds[0]))["status"], "running");
  backend.now = now + 999;
  EXPECT_EQ((*row(views(), kIds[0]))["status"], "running");
  EXPECT_EQ(backend.migration_reads, 1) << "reused while the lease holds";

  // Nothing is written when the lease runs out, yet the row stops saying "running".
  backend.now = now + 1000;
  EXPECT_EQ((*row(views(), kIds[0]))["status"], "pending");
  EXPECT_EQ(backend.migration_reads, 2);
  EXPECT_EQ((*row(views(), kIds[0]))["status"], "pending");
  EXPECT_EQ(backend.migration_reads, 2) << "a free lock needs a write to change";
}

TEST(Router, WithoutADataVersionNothingIsCached) {
  Harness h;
  CountingBackend backend(h, false);
  RouterOptions options;
  options.cache = std::make_shared<ResponseCache>();
  for (int i = 0; i < 3; ++i) handle(make_request("GET", "/api/migrations"), backend, options);
  EXPECT_EQ(backend.migration_reads, 3);
}

TEST(ResponseCache, KeepsOneVersionAndABoundedNumberOfEntries) {
  ResponseCache cache;
  cache.put("a", 1, 100, Response::json(200, Json{{"v", 1}}));
  ASSERT_TRUE(cache.find("a", 1, 99).has_value());
  EXPECT_EQ(cache.find("a", 1, 99)->body, R"({"v":1})");
  EXPECT_FALSE(cache.find("a", 1, 100).has_value()) << "expired at until_ms";
  EXPECT_FALSE(cache.find("a", 2, 0).has_value()) << "another version";
  EXPECT_FALSE(cache.find("b", 1, 0).has_value());
  cache.put("b", 2, 100, Response::json(200, Json{{"v", 2}}));
  EXPECT_FALSE(cache.find("a", 1, 0).has_value()) << "a newer version forgets the older entries";
  for (int i = 0; i < 100; ++i) cache.put("k" + std::to_string(i), 2, 100, Response::json(200, i));
  int kept = 0;
  for (int i = 0; i < 100; ++i) kept += cache.find("k" + std::to_string(i), 2, 0).has_value() ? 1 : 0;
  EXPECT_GT(kept, 0);
  EXPECT_LE(kept, 16);
}

}  // namespace
}  // namespace auric::dashboard::testing
