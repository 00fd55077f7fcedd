// The safety policy in the dashboard (issue 13 item 2): GET /api/plan carries the refusal a run
// would meet (drift, out of order), so the Run dialog shows it and keeps Run disabled; a POST
// made anyway answers 409 with it and starts nothing; and a backend that does not know the
// policy leaves the decision to the runner. Manual runs keep their kind and reason in the API.
#include <gtest/gtest.h>

#include "core/store.hpp"
#include "core/system.hpp"
#include "dashboard/remote_backend.hpp"
#include "fixture.hpp"
#include "store/open_store.hpp"

namespace auric::dashboard::testing {
namespace {

// The fixture's migrations with source checksums (so that drift can be told), run in process
// over a memory store under `safety`.
struct Checked {
  explicit Checked(SafetyPolicy safety = {}) : store(open_store("memory:")) {
    std::vector<MigrationEntry> migrations = test_migrations(switches);
    for (std::size_t i = 0; i < migrations.size(); ++i)
      migrations[i].checksum = "source-" + std::to_string(i);
    RunnerOptions options;
    options.heartbeat = std::chrono::milliseconds(200);
    options.safety = safety;
    backend = std::make_unique<LocalBackend>(migrations, *store, options);
  }
  ~Checked() { backend.reset(); }

  Response get(const std::string& path) { return handle(make_request("GET", path), *backend); }
  Response post(const std::string& path, const std::string& body) {
    Response r = handle(make_request("POST", path, body), *backend);
    EXPECT_TRUE(backend->wait_idle(std::chrono::seconds(30)));
    return r;
  }
  // Makes the recorded checksum of `id` differ from the binary's, as after an edited source.
  void drift(const std::string& id) {
    MigrationState state = store->get_state(id).value();
    state.checksum = "an older source";
    ASSERT_EQ(store->put_state(state), WriteOutcome::kOk);
  }

  std::shared_ptr<Switches> switches = std::make_shared<Switches>();
  std::unique_ptr<Store> store;
  std::unique_ptr<LocalBackend> backend;
};

TEST(PlanRefusal, DriftIsInThePlanOfUpAndDown) {
  Checked c;
  ASSERT_EQ(c.post("/api/migrate", R"({"steps":2})").status, 200);
  c.drift(kIds[0]);

  const Response up = c.get("/api/plan?direction=up");
  ASSERT_EQ(up.status, 200) << up.body;
  const Json plan = Json::parse(up.body);
  EXPECT_EQ(plan["migrations"], (Json{kIds[2], kIds[3]})) << "the plan itself is still listed";
  ASSERT_TRUE(plan.contains("refusal")) << plan.dump();
  EXPECT_EQ(plan["refusal"]["code"], "drift");
  EXPECT_EQ(plan["refusal"]["ids"], (Json{kIds[0]}));
  const std::string message = plan["refusal"]["message"];
  EXPECT_NE(message.find(kIds[0]), std::string::npos) << message;
  EXPECT_NE(message.find("--accept-checksum"), std::string::npos) << "names the command that accepts it";

  const Json down = Json::parse(c.get("/api/plan?direction=down&steps=1").body);
  EXPECT_EQ(down["migrations"], (Json{kIds[1]}));
  EXPECT_EQ(down["refusal"]["code"], "drift") << "drift blocks rollbacks too";
}

TEST(PlanRefusal, APostMadeAnywayIs409WithTheRefusalAndStartsNothing) {
  Checked c;
  ASSERT_EQ(c.post("/api/migrate", R"({"steps":1})").status, 200);
  c.drift(kIds[0]);
  const std::size_t executions = c.store->list_executions(50, "").items.size();

  const Response r = c.post("/api/migrate", "{}");
  EXPECT_EQ(r.status, 409) << r.body;
  const Json body = Json::parse(r.body);
  EXPECT_EQ(body["refusal"]["code"], "drift");
  EXPECT_EQ(body["error"], body["refusal"]["message"]);
  EXPECT_FALSE(body.contains("holder")) << "a refusal is not a held lock";
  EXPECT_EQ(c.store->list_executions(50, "").items.size(), executions) << "nothing was recorded";
  EXPECT_FALSE(c.store->get_state(kIds[1]).has_value()) << "nothing ran";
  EXPECT_EQ(Json::parse(c.get("/api/lock").body)["held"], false);
  EXPECT_EQ(c.post("/api/rollback", R"({"steps":1})").status, 409);
}

TEST(PlanRefusal, TheInProcessRunnerRefusesTooWhenTheRouterIsBypassed) {
  Checked c;
  ASSERT_EQ(c.post("/api/migrate", R"({"steps":1})").status, 200);
  c.drift(kIds[0]);
  const StartOutcome outcome = c.backend->start_run(RunParams{Direction::kUp, std::nullopt, std::nullopt});
  EXPECT_EQ(outcome.kind, StartOutcome::Kind::kRefused) << outcome.error;
  ASSERT_TRUE(outcome.refusal.has_value());
  EXPECT_EQ(outcome.refusal->code, "drift");
  EXPECT_EQ(outcome.refusal->ids, std::vector<std::string>{kIds[0]});
  EXPECT_TRUE(outcome.execution_id.empty());
}

TEST(PlanRefusal, AllowDriftLetsItRun) {
  Checked c(SafetyPolicy{.allow_drift = true});
  ASSERT_EQ(c.post("/api/migrate", R"({"steps":1})").status, 200);
  c.drift(kIds[0]);
  EXPECT_FALSE(Json::parse(c.get("/api/plan?direction=up").body).contains("refusal"));
  EXPECT_EQ(c.post("/api/migrate", "{}").status, 200);
  EXPECT_TRUE(c.store->get_state(kIds[3]).value().applied);
}

TEST(PlanRefusal, StrictOrderRefusesAnOlderPendingMigration) {
  Checked strict;
  MigrationState newest;
  newest.id = kIds[2];
  newest.applied = true;
  newest.checksum = "source-2";
  ASSERT_EQ(strict.store->put_state(newest), WriteOutcome::kOk);  // applied by other means
  const Json plan = Json::parse(strict.get("/api/plan?direction=up&steps=1").body);
  EXPECT_EQ(plan["migrations"], (Json{kIds[0]}));
  EXPECT_EQ(plan["refusal"]["code"], "out-of-order");
  EXPECT_EQ(plan["refusal"]["ids"], (Json{kIds[0]}));
  EXPECT_EQ(strict.post("/api/migrate", R"({"steps":1})").status, 409);
  EXPECT_FALSE(Json::parse(strict.get("/api/plan?direction=down&steps=1").body).contains("refusal"))
      << "the order matters to up only";

  Checked relaxed(SafetyPolicy{.order = OrderPolicy::kAllowOutOfOrder});
  ASSERT_EQ(relaxed.store->put_state(newest), WriteOutcome::kOk);
  EXPECT_FALSE(Json::parse(relaxed.get("/api/plan?direction=up&steps=1").body).contains("refusal"));
}

TEST(PlanRefusal, ABackendThatDoesNotKnowThePolicyLeavesItToTheRunner) {
  const auto store = open_store("memory:");
  MigrationState applied;
  applied.id = kIds[0];
  applied.applied = true;
  applied.checksum = "an older source";
  ASSERT_EQ(store->put_state(applied), WriteOutcome::kOk);
  std::vector<MigrationInfo> infos;
  for (const auto& id : kIds) infos.push_back({id, id.substr(15), "", "source"});

  RemoteBackend unknown(*store, RemoteBackendOptions{infos, nullptr});
  EXPECT_FALSE(
      Json::parse(handle(make_request("GET", "/api/plan?direction=up"), unknown).body).contains("refusal"));

  RemoteBackendOptions told{infos, nullptr};
  told.safety = SafetyPolicy{};
  RemoteBackend knows(*store, told);
  const Json plan = Json::parse(handle(make_request("GET", "/api/plan?direction=up"), knows).body);
  EXPECT_EQ(plan["refusal"]["code"], "drift") << "the dashboard-api Lambda reads the function's [safety]";
}

TEST(ManualRuns, KeepTheirKindAndReasonInTheApi) {
  Harness h;
  ASSERT_EQ(h.run_and_wait("/api/migrate", R"({"steps":1})").status, 200);
  const Json normal = h.get_json("/api/migrations/" + kIds[0]);
  ASSERT_EQ(normal.size(), 1u);
  EXPECT_FALSE(normal[0].contains("kind")) << "a normal run has no kind: " << normal[0].dump();
  EXPECT_FALSE(normal[0].contains("reason"));

  // What `baseline`/`mark` leave behind: an audit run and execution of kind manual.
  ExecutionRecord execution;
  execution.execution_id = "manual-execution-1";
  execution.direction = Direction::kUp;
  execution.status = ExecutionStatus::kCompleted;
  execution.started_at = system_now_ms();
  execution.completed_at = execution.started_at;
  execution.planned = {kIds[1]};
  execution.finished = {kIds[1]};
  execution.kind = RunKind::kManual;
  execution.reason = "adopting the existing database";
  ASSERT_EQ(h.store->put_execution(execution), WriteOutcome::kOk);
  RunRecord run;
  run.run_id = "manual-run-1";
  run.id = kIds[1];
  run.name = "add_email_index";
  run.status = RunStatus::kCompleted;
  run.execution_id = execution.execution_id;
  run.started_at = execution.started_at;
  run.completed_at = execution.completed_at;
  run.kind = RunKind::kManual;
  run.reason = execution.reason;
  ASSERT_EQ(h.store->put_run(run), WriteOutcome::kOk);

  const Json runs = h.get_json("/api/migrations/" + kIds[1]);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["kind"], "manual");
  EXPECT_EQ(runs[0]["reason"], "adopting the existing database");
  const Json summary = h.get_json("/api/executions/manual-execution-1/summary");
  EXPECT_EQ(summary["kind"], "manual");
  EXPECT_EQ(summary["reason"], "adopting the existing database");
  EXPECT_EQ(h.get_json("/api/executions/manual-execution-1")[0]["kind"], "manual");
}

}  // namespace
}  // namespace auric::dashboard::testing
