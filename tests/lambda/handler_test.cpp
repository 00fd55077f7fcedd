// The event handler in process against a memory store: the continuation hand-over (a fake
// clock and a recording invoker), dispatcher mode through the real ECS
// client and a fake ECS endpoint, ECS task-stopped close-out, event validation; and the
// Runtime API loop against the emulator (error endpoint + header, trace id, poll retries).
#include <gtest/gtest.h>

#include <stdlib.h>

#include <atomic>
#include <thread>

#include "core/system.hpp"
#include "lambda/aws_services.hpp"
#include "lambda/events.hpp"
#include "lambda/handler.hpp"
#include "lambda/runtime_api.hpp"
#include "lambda_support.hpp"
#include "store/open_store.hpp"

namespace auric::lambda::testing {
namespace {

using namespace std::chrono_literals;

std::vector<MigrationEntry> three_migrations(std::atomic<int>* runs) {
  std::vector<std::pair<std::string, Migration>> list;
  for (const char* id : {"20250101000001_a", "20250101000002_b", "20250101000003_c"}) {
    Migration m;
    m.up = [runs](Context&) -> Json {
      ++*runs;
      return {};
    };
    m.down = [](Context&) -> Json { return {}; };
    list.emplace_back(id, m);
  }
  return define_migrations(std::move(list));
}

class HandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("AWS_ENDPOINT_URL_ECS", ecs_.endpoint().c_str(), 1);
    ::setenv("AWS_REGION", "us-east-1", 1);
    ::setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  }
  void TearDown() override { ::unsetenv("AWS_ENDPOINT_URL_ECS"); }

  EventHandler make(bool dispatch) {
    RunnerOptions base;
    base.capture_stdio = false;
    base.heartbeat = 1000ms;
    base.lease_ttl = 5000ms;
    HandlerSettings settings;
    if (dispatch) {
      settings.dispatch =
          dispatch_settings_from_env([](const std::string& name) -> std::optional<std::string> {
            static const std::map<std::string, std::string> env = {
                {"MIGRATION_DISPATCH", "fargate"},
                {"MIGRATION_CLUSTER", "migrations-cluster"},
                {"MIGRATION_TASK_DEFINITION", "migrations-task:3"},
                {"MIGRATION_SUBNETS", "subnet-a, subnet-b"},
                {"MIGRATION_SECURITY_GROUPS", "sg-1"},
                {"MIGRATION_CONTAINER_NAME", "runner"},
                {"MIGRATION_ASSIGN_PUBLIC_IP", "ENABLED"}};
            auto it = env.find(name);
            return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
          });
    }
    EventHandler h(*store_, three_migrations(&runs_), base, settings, nullptr, make_ecs_launcher());
    h.set_log([this](const std::string& line) { log_.push_back(line); });
    return h;
  }

  static Json stopped_event(const std::string& execution_id, std::optional<std::int64_t> exit_code,
                            const std::string& reason, const std::string& last_status = "STOPPED") {
    Json container = {{"name", "runner"}};
    if (exit_code) container["exitCode"] = *exit_code;
    Json detail = {
        {"taskArn", "arn:aws:ecs:us-east-1:1:task/c/abc"},
        {"lastStatus", last_status},
        {"containers", Json::array({container})},
        {"overrides",
         {{"containerOverrides",
           Json::array({Json{
               {"name", "runner"},
               {"environment",
                Json::array({Json{{"name", "MIGRATION_DIRECTION"}, {"value", "up"}},
                             Json{{"name", "MIGRATION_EXECUTION_ID"}, {"value", execution_id}}})}}})}}}};
    if (!reason.empty()) detail["stoppedReason"] = reason;
    return {{"source", "aws.ecs"}, {"detail-type", "ECS Task State Change"}, {"detail", detail}};
  }

  FakeEcs ecs_;
  std::unique_ptr<Store> store_ = open_store("memory:");
  std::atomic<int> runs_{0};
  std::vector<std::string> log_;
};

// An async invoker that records each continuation, or fails when told to.
class RecordingInvoker : public ContinuationInvoker {
 public:
  void invoke_async(const std::string& function, const Json& payload) override {
    if (fail) throw std::runtime_error("ServiceException: Lambda is down");
    functions.push_back(function);
    payloads.push_back(payload);
  }
  bool fail = false;
  std::vector<std::string> functions;
  std::vector<Json> payloads;
};

// Each migration body takes 40 s of a fake clock; with 100 s per invocation and the default
// 60 s margin, every hop runs exactly one migration and hands over.
class ContinuationTest : public HandlerTest {
 protected:
  EventHandler make_inline() {
    RunnerOptions base;
    base.capture_stdio = false;
    base.heartbeat = 1000ms;
    base.lease_ttl = 5000ms;
    base.now_ms = [this] { return clock_.load(); };
    std::vector<std::pair<std::string, Migration>> list;
    for (const char* id : {"20250101000001_a", "20250101000002_b", "20250101000003_c"}) {
      Migration m;
      m.up = [this](Context&) -> Json {
        ++runs_;
        clock_ += 40'000;
        return {};
      };
      m.down = [](Context&) -> Json { return {}; };
      list.emplace_back(id, m);
    }
    HandlerSettings settings;
    settings.function_name = "migrations";
    EventHandler h(*store_, define_migrations(std::move(list)), base, settings, invoker_, nullptr);
    h.set_log([this](const std::string& line) { log_.push_back(line); });
    return h;
  }
  InvocationInfo invocation(const std::string& id) const { return {id, clock_.load() + 100'000, ""}; }

  std::atomic<std::int64_t> clock_{1'750'000'000'000};
  std::shared_ptr<RecordingInvoker> invoker_ = std::make_shared<RecordingInvoker>();
};

// A continuation carries what is left of `steps`: 2 steps over 1-migration hops run exactly 2.
TEST_F(ContinuationTest, StepsAreHonouredAcrossHops) {
  EventHandler h = make_inline();
  Json r = h.handle(Json{{"steps", 2}}, invocation("req-0"));
  ASSERT_EQ(r["status"], "needs_continuation") << r.dump();
  ASSERT_EQ(invoker_->payloads.size(), 1u);
  const Json payload = invoker_->payloads.back();
  EXPECT_EQ(payload["steps"], 1) << payload.dump();
  r = h.handle(payload, invocation("req-1"));
  EXPECT_EQ(r["status"], "completed") << r.dump();
  EXPECT_EQ(invoker_->payloads.size(), 1u) << "the steps are used up: no further hop";
  EXPECT_EQ(runs_.load(), 2);
  const auto done = store_->get_execution(r["executionId"]);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->planned, (std::vector<std::string>{"20250101000001_a", "20250101000002_b"}));
  EXPECT_EQ(done->finished, done->planned);
}

TEST_F(ContinuationTest, EachHopHandsOverTheWholeHistoryAndTheLastCompletesIt) {
  EventHandler h = make_inline();
  const std::int64_t started = clock_.load();
  Json r = h.handle(Json::object(), invocation("req-0"));
  ASSERT_EQ(r["status"], "needs_continuation") << r.dump();
  const std::string execution_id = r["executionId"];
  for (int hop = 1; hop <= 2; ++hop) {
    ASSERT_EQ(invoker_->payloads.size(), static_cast<std::size_t>(hop));
    const Json payload = invoker_->payloads.back();
    EXPECT_EQ(payload, (Json{{"direction", "up"}, {"executionId", execution_id}, {"hop", hop}}));
    EXPECT_EQ(invoker_->functions.back(), "migrations");
    // Between hops the execution reads running, with everything done so far, and the lease is
    // held for the hand-over: another execution cannot start.
    const auto between = store_->get_execution(execution_id);
    ASSERT_TRUE(between.has_value());
    EXPECT_EQ(between->status, ExecutionStatus::kRunning);
    EXPECT_EQ(between->planned.size(), 3u);
    EXPECT_EQ(between->finished.size(), static_cast<std::size_t>(hop));
    EXPECT_EQ(between->started_at, started);
    ASSERT_TRUE(store_->read_lock().has_value());
    EXPECT_TRUE(store_->read_lock()->held_at(clock_.load()));
    EXPECT_EQ(store_->read_lock()->execution_id, execution_id);

    r = h.handle(payload, invocation("req-" + std::to_string(hop)));
  }
  EXPECT_EQ(r["status"], "completed") << r.dump();
  EXPECT_EQ(invoker_->payloads.size(), 2u) << "the last hop invokes nothing";
  EXPECT_EQ(runs_.load(), 3);
  const auto done = store_->get_execution(execution_id);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->status, ExecutionStatus::kCompleted);
  EXPECT_EQ(done->hop, 2);
  EXPECT_EQ(done->started_at, started);
  EXPECT_EQ(done->planned,
            (std::vector<std::string>{"20250101000001_a", "20250101000002_b", "20250101000003_c"}));
  EXPECT_EQ(done->finished, done->planned);
  EXPECT_FALSE(store_->read_lock()->held_at(clock_.load())) << "the last hop releases the lease";
}

TEST_F(ContinuationTest, AFailedInvokeRecordsTheExecutionFailedAndFreesTheLease) {
  EventHandler h = make_inline();
  invoker_->fail = true;
  const Json r = h.handle(Json::object(), invocation("req-0"));
  EXPECT_EQ(r["status"], "failed") << r.dump();
  const std::string error = r["error"];
  EXPECT_NE(error.find("Could not start continuation hop 1: ServiceException: Lambda is down"),
            std::string::npos)
      << error;
  const auto e = store_->get_execution(r["executionId"].get<std::string>());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->status, ExecutionStatus::kFailed);
  EXPECT_EQ(e->error, error);
  EXPECT_EQ(e->finished.size(), 1u);
  EXPECT_FALSE(store_->read_lock()->held_at(clock_.load())) << "nothing waits for a hop that never comes";
  // The next run starts at once and picks up the rest.
  invoker_->fail = false;
  EXPECT_EQ(h.handle(Json::object(), invocation("req-1"))["status"], "needs_continuation");
  EXPECT_EQ(runs_.load(), 2);
}

TEST_F(HandlerTest, AnInlineRunRefusesDriftAndRecordsNothing) {
  auto migrations = three_migrations(&runs_);
  for (auto& m : migrations) m.checksum = "v1";
  RunnerOptions base;
  base.capture_stdio = false;
  EventHandler h(*store_, migrations, base, HandlerSettings{}, nullptr, make_ecs_launcher());
  h.set_log([this](const std::string& line) { log_.push_back(line); });
  ASSERT_EQ(h.handle(Json::object(), {"req-1", 0, ""})["status"], "completed");
  auto state = store_->get_state("20250101000002_b").value();
  state.checksum = "v0";  // the source changed after it was applied
  ASSERT_EQ(store_->put_state(state), WriteOutcome::kOk);
  const std::size_t executions = store_->list_executions(100, "").items.size();
  runs_ = 0;

  const Json r = h.handle(Json{{"direction", "down"}}, {"req-2", 0, ""});
  EXPECT_EQ(r["status"], "failed") << r.dump();
  EXPECT_EQ(r["refusal"]["code"], "drift");
  EXPECT_EQ(r["refusal"]["ids"], (Json{"20250101000002_b"}));
  EXPECT_NE(r["error"].get<std::string>().find("repair 20250101000002_b --accept-checksum"),
            std::string::npos);
  EXPECT_EQ(store_->list_executions(100, "").items.size(), executions) << "a refusal records no execution";
  EXPECT_TRUE(store_->get_state("20250101000003_c")->applied) << "nothing was rolled back";

  // [safety] allow_drift in the Lambda's config lets it through.
  base.safety.allow_drift = true;
  EventHandler allowed(*store_, migrations, base, HandlerSettings{}, nullptr, make_ecs_launcher());
  allowed.set_log([this](const std::string& line) { log_.push_back(line); });
  EXPECT_EQ(allowed.handle(Json{{"direction", "down"}}, {"req-3", 0, ""})["status"], "completed");
  EXPECT_FALSE(store_->get_state("20250101000003_c")->applied);
}

TEST_F(HandlerTest, DispatcherStartsAFargateTaskWithTheRunOverrides) {
  EventHandler h = make(true);
  const Json r = h.handle(Json{{"target", "20250101000002_b"}}, {"req-1", 0, ""});
  ASSERT_EQ(r["status"], "dispatched") << r.dump();
  const std::string execution_id = r["executionId"];
  EXPECT_EQ(execution_id.size(), 36u);
  EXPECT_EQ(r["pending"], (Json{"20250101000001_a", "20250101000002_b", "20250101000003_c"}));
  EXPECT_EQ(r["taskArn"], "arn:aws:ecs:us-east-1:123456789012:task/c/1");
  EXPECT_EQ(runs_.load(), 0) << "nothing runs inline in dispatcher mode";

  const auto requests = ecs_.run_task_requests();
  ASSERT_EQ(requests.size(), 1u);
  const Json& q = requests[0];
  EXPECT_EQ(q["cluster"], "migrations-cluster");
  EXPECT_EQ(q["taskDefinition"], "migrations-task:3");
  EXPECT_EQ(q["launchType"], "FARGATE");
  EXPECT_EQ(q["clientToken"], execution_id);
  EXPECT_EQ(q["networkConfiguration"]["awsvpcConfiguration"]["subnets"], (Json{"subnet-a", "subnet-b"}));
  EXPECT_EQ(q["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"], (Json{"sg-1"}));
  EXPECT_EQ(q["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"], "ENABLED");
  const Json& container = q["overrides"]["containerOverrides"][0];
  EXPECT_EQ(container["name"], "runner");
  EXPECT_EQ(container["environment"], (Json{{{"name", "MIGRATION_DIRECTION"}, {"value", "up"}},
                                            {{"name", "MIGRATION_TARGET"}, {"value", "20250101000002_b"}},
                                            {{"name", "MIGRATION_EXECUTION_ID"}, {"value", execution_id}}}));
  const auto exec = store_->get_execution(execution_id);
  ASSERT_TRUE(exec.has_value());
  EXPECT_EQ(exec->status, ExecutionStatus::kRunning);
  EXPECT_EQ(exec->planned, (std::vector<std::string>{"20250101000001_a", "20250101000002_b"}));
}

TEST_F(HandlerTest, DispatcherReturnsNoWorkWhenNothingIsPendingAndStatusStaysInline) {
  EventHandler inline_handler = make(false);
  ASSERT_EQ(inline_handler.handle(Json::object(), {"req-0", 0, ""})["status"], "completed");
  EventHandler h = make(true);
  const Json r = h.handle(Json::object(), {"req-1", 0, ""});
  EXPECT_EQ(r, (Json{{"status", "no_work"}, {"pending", Json::array()}, {"failed", Json::array()}}));
  EXPECT_TRUE(ecs_.run_task_requests().empty());
  const Json status = h.handle(Json{{"action", "status"}}, {"req-2", 0, ""});
  EXPECT_EQ(status["completed"].size(), 3u);
  EXPECT_TRUE(ecs_.run_task_requests().empty());
  // down always dispatches
  EXPECT_EQ(h.handle(Json{{"direction", "down"}}, {"req-3", 0, ""})["status"], "dispatched");
  EXPECT_EQ(ecs_.run_task_requests().size(), 1u);
}

TEST_F(HandlerTest, DispatcherMarksTheExecutionFailedWhenRunTaskFails) {
  EventHandler h = make(true);
  ecs_.fail_placement("RESOURCE:MEMORY");
  const Json r = h.handle(Json::object(), {"req-1", 0, ""});
  ASSERT_EQ(r["status"], "failed");
  EXPECT_NE(r["error"].get<std::string>().find("RESOURCE:MEMORY"), std::string::npos);
  auto exec = store_->get_execution(r["executionId"]);
  ASSERT_TRUE(exec.has_value());
  EXPECT_EQ(exec->status, ExecutionStatus::kFailed) << "the record never stays running (reference weakness)";

  ecs_.fail_with("AccessDeniedException", "not allowed to run tasks");
  const Json denied = h.handle(Json::object(), {"req-2", 0, ""});
  ASSERT_EQ(denied["status"], "failed");
  EXPECT_NE(denied["error"].get<std::string>().find("AccessDeniedException"), std::string::npos);
  EXPECT_EQ(store_->get_execution(denied["executionId"])->status, ExecutionStatus::kFailed);
}

TEST_F(HandlerTest, DispatcherSettingsNameWhatIsMissing) {
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "MIGRATION_DISPATCH") return "fargate";
    return std::nullopt;
  };
  try {
    dispatch_settings_from_env(env);
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(
        e.what(),
        "MIGRATION_DISPATCH=fargate needs MIGRATION_CLUSTER MIGRATION_TASK_DEFINITION MIGRATION_SUBNETS");
  }
  EXPECT_FALSE(dispatch_settings_from_env([](const std::string&) { return std::nullopt; }).enabled);
}

TEST_F(HandlerTest, TaskStoppedClosesOutADispatchedRunThatNeverStarted) {
  EventHandler h = make(true);
  const Json r = h.handle(Json::object(), {"req-1", 0, ""});
  const std::string id = r["executionId"];
  const Json result =
      h.handle(stopped_event(id, 1, "CannotPullContainerError: image not found"), {"req-2", 0, ""});
  EXPECT_EQ(result, (Json{{"status", "recorded"}}));
  const auto exec = store_->get_execution(id);
  EXPECT_EQ(exec->status, ExecutionStatus::kFailed);
  EXPECT_EQ(exec->error, "CannotPullContainerError: image not found");
  EXPECT_EQ(exec->who.ecs_task_arn, "arn:aws:ecs:us-east-1:1:task/c/abc");
}

// An exitCode above INT_MAX was narrowed: 4294967296 read as 0, a success.
TEST_F(HandlerTest, TaskStoppedReadsAnExitCodeBeyondIntAtFullWidth) {
  const auto parsed = std::get<TaskStateEventData>(parse_event(stopped_event("x", 4294967296, "")));
  EXPECT_EQ(parsed.exit_code, 4294967296);
  EXPECT_EQ(std::get<TaskStateEventData>(parse_event(stopped_event("x", -1, ""))).exit_code, -1);
  EventHandler h = make(true);
  const Json r = h.handle(Json::object(), {"req-1", 0, ""});
  const std::string id = r["executionId"];
  EXPECT_EQ(h.handle(stopped_event(id, 4294967296, ""), {"req-2", 0, ""}), (Json{{"status", "recorded"}}));
  const auto exec = store_->get_execution(id);
  EXPECT_EQ(exec->status, ExecutionStatus::kFailed);
  EXPECT_NE(exec->error.find("exited with code 4294967296"), std::string::npos) << exec->error;
}

TEST_F(HandlerTest, TaskStoppedRecordsATaskKilledMidRunAndFreesTheLock) {
  // A Fargate runner that died inside migration b: lock held with `current`, execution running.
  const std::int64_t now = system_now_ms();
  const LockAttempt lock =
      store_->try_acquire_lock({"dead-task", "exec-mid", current_who(), now, 60'000, false});
  ASSERT_TRUE(lock.acquired);
  ExecutionRecord e;
  e.execution_id = "exec-mid";
  e.started_at = now;
  e.fence = lock.fence;
  ASSERT_EQ(store_->put_execution(e), WriteOutcome::kOk);
  CurrentRun current{"20250101000002_b", "run-1", "exec-mid", Direction::kUp, now, 0, Json{{"next", 7}}};
  ASSERT_EQ(store_->set_current_run("dead-task", lock.fence, current, now + 60'000), WriteOutcome::kOk);

  EventHandler h = make(false);
  const Json result = h.handle(stopped_event("exec-mid", 137, ""), {"req-1", 0, ""});
  EXPECT_EQ(result, (Json{{"status", "recorded"}}));
  const auto exec = store_->get_execution("exec-mid");
  EXPECT_EQ(exec->status, ExecutionStatus::kFailed);
  EXPECT_EQ(exec->error, "Fargate task exited with code 137");
  const auto runs = store_->runs_of_execution("exec-mid");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].id, "20250101000002_b");
  EXPECT_EQ(runs[0].status, RunStatus::kInterrupted);
  const auto state = store_->get_state("20250101000002_b");
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->status, RunStatus::kInterrupted);
  EXPECT_EQ(state->progress, (Json{{"next", 7}})) << "the checkpoint survives for the retry";
  const auto after = store_->read_lock();
  EXPECT_TRUE(after->owner.empty());
  EXPECT_FALSE(after->current.has_value());

  // A second delivery of the same event changes nothing.
  EXPECT_EQ(h.handle(stopped_event("exec-mid", 137, ""), {"req-2", 0, ""}), (Json{{"status", "ignored"}}));
}

TEST_F(HandlerTest, TaskStoppedLeavesCompletedRunsAlone) {
  EventHandler h = make(false);
  const Json run = h.handle(Json::object(), {"req-1", 0, ""});
  ASSERT_EQ(run["status"], "completed");
  const Json result =
      h.handle(stopped_event(run["executionId"], 0, "Essential container in task exited"), {"req-2", 0, ""});
  EXPECT_EQ(result, (Json{{"status", "ignored"}}));
  EXPECT_EQ(store_->get_execution(run["executionId"])->status, ExecutionStatus::kCompleted);
  EXPECT_EQ(h.handle(stopped_event("x", 1, "", "RUNNING"), {"req-3", 0, ""}), (Json{{"status", "ignored"}}));
  Json no_overrides = stopped_event("x", 1, "");
  no_overrides["detail"].erase("overrides");
  EXPECT_EQ(h.handle(no_overrides, {"req-4", 0, ""}), (Json{{"status", "ignored"}}));
  EXPECT_FALSE(store_->get_execution("x").has_value());
}

TEST(EventParsing, ClassifiesAndRejects) {
  EXPECT_TRUE(std::holds_alternative<RunEventData>(parse_event(Json::object())));
  EXPECT_TRUE(std::holds_alternative<RunEventData>(parse_event_text("")));
  EXPECT_TRUE(std::holds_alternative<InvalidEvent>(parse_event_text("{not json")));
  // `steps`, as the CLI's --steps: a whole number >= 1, never with a target.
  EXPECT_EQ(std::get<RunEventData>(parse_event(Json{{"direction", "down"}, {"steps", 2}})).steps, 2);
  EXPECT_FALSE(std::get<RunEventData>(parse_event(Json{{"steps", nullptr}})).steps.has_value());
  for (const Json& bad : {Json(0), Json(-1), Json(1.5), Json("2"), Json(1e300), Json(1'000'001)}) {
    const Event e = parse_event(Json{{"steps", bad}});
    ASSERT_TRUE(std::holds_alternative<InvalidEvent>(e)) << bad;
    EXPECT_NE(std::get<InvalidEvent>(e).error.find("Invalid steps"), std::string::npos);
  }
  const Event both = parse_event(Json{{"steps", 1}, {"target", "x"}});
  ASSERT_TRUE(std::holds_alternative<InvalidEvent>(both));
  EXPECT_EQ(std::get<InvalidEvent>(both).error, "Invalid event: give either `target` or `steps`, not both.");
  // An executionId longer than any store key allows is refused up front (DynamoDB would fail).
  for (const Json& event : {Json{{"executionId", std::string(3000, 'e')}},
                            Json{{"action", "statusByExecution"}, {"executionId", std::string(3000, 'e')}}}) {
    const Event e = parse_event(event);
    ASSERT_TRUE(std::holds_alternative<InvalidEvent>(e));
    EXPECT_EQ(std::get<InvalidEvent>(e).error,
              "Invalid executionId: executionId is 3000 bytes long; ids are at most 512 bytes.");
  }
  // Found by fuzzing: a number too large for a double escaped as nlohmann's out_of_range.
  for (const char* huge : {"1e535", "{\"hop\": 1e535}", "[-1e9999]"}) {
    const Event e = parse_event_text(huge);
    ASSERT_TRUE(std::holds_alternative<InvalidEvent>(e)) << huge;
    EXPECT_EQ(std::get<InvalidEvent>(e).error, "Invalid event: the payload is not JSON.");
  }
  EXPECT_TRUE(std::holds_alternative<InvalidEvent>(parse_event(Json{{"action", 3}})));
  EXPECT_TRUE(std::holds_alternative<InvalidEvent>(parse_event(Json{{"hop", -1}, {"executionId", "e"}})));
  EXPECT_TRUE(std::holds_alternative<InvalidEvent>(parse_event(Json{{"executionId", 5}})));
  const auto run = std::get<RunEventData>(
      parse_event(Json{{"direction", "down"}, {"target", "x"}, {"executionId", "e"}, {"hop", 4}}));
  EXPECT_EQ(run.direction, Direction::kDown);
  EXPECT_EQ(run.target, "x");
  EXPECT_EQ(run.hop, 4);
}

// ---- the Runtime API loop -------------------------------------------------------------------
TEST(RuntimeLoop, PostsErrorsWithTheErrorTypeHeaderAndSetsTheTraceId) {
  FakeLambda fn(FunctionConfig{});
  fn.enqueue({{"n", 1}});
  fn.enqueue({{"n", 2}});
  RuntimeLoopOptions options;
  options.endpoint = fn.runtime_api();
  options.max_invocations = 2;
  std::vector<std::string> traces;
  const int rc = run_runtime_loop(options, [&]() -> InvocationHandler {
    return [&](const Invocation& inv) {
      traces.push_back(std::getenv("_X_AMZN_TRACE_ID") ? std::getenv("_X_AMZN_TRACE_ID") : "");
      EXPECT_GT(inv.deadline_ms, system_now_ms());
      EXPECT_EQ(inv.function_arn, "arn:aws:lambda:us-east-1:123456789012:function:migrations");
      if (Json::parse(inv.body)["n"] == 2) throw HandlerError("MigrationsError", "it broke");
      return InvocationResponse::success(R"({"ok":true})");
    };
  });
  EXPECT_EQ(rc, 0);
  const auto records = fn.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_FALSE(records[0].error);
  EXPECT_EQ(records[0].response, R"({"ok":true})");
  EXPECT_TRUE(records[1].error);
  EXPECT_EQ(records[1].error_type, "MigrationsError");
  EXPECT_EQ(
      Json::parse(records[1].response),
      (Json{{"errorMessage", "it broke"}, {"errorType", "MigrationsError"}, {"stackTrace", Json::array()}}));
  ASSERT_EQ(traces.size(), 2u);
  EXPECT_EQ(traces[0], records[0].trace_id);
  EXPECT_EQ(traces[1], records[1].trace_id);
}

TEST(RuntimeLoop, AFailedPollIsRetriedNotFatal) {
  FakeLambda fn(FunctionConfig{});
  std::atomic<int> polls{0};
  aws::testing::TestHttpServer flaky([&](const aws::testing::TestRequest& r) {
    if (r.path.find("/next") != std::string::npos && polls++ < 2)
      return aws::testing::TestResponse::json(500, "{}");
    // Forward to the emulator.
    aws::HttpRequest forward;
    forward.method = r.method;
    forward.url = fn.endpoint() + r.target;
    forward.body = r.body;
    forward.headers = r.headers;
    forward.total_timeout = 0ms;
    const aws::HttpResponse back = aws::make_curl_transport()->send(forward);
    aws::testing::TestResponse out;
    out.status = back.status;
    out.body = back.body;
    for (const auto& [k, v] : back.headers.entries()) {
      if (k.rfind("Lambda-Runtime", 0) == 0) out.headers.add(k, v);
    }
    return out;
  });
  fn.enqueue({{"n", 1}});
  RuntimeLoopOptions options;
  options.endpoint = "127.0.0.1:" + std::to_string(flaky.port());
  options.max_invocations = 1;
  options.first_backoff = 5ms;
  std::vector<std::string> logged;
  options.log = [&](const std::string& line) { logged.push_back(line); };
  const int rc = run_runtime_loop(
      options, [] { return [](const Invocation&) { return InvocationResponse::success("{}"); }; });
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(polls.load(), 3);
  EXPECT_EQ(logged.size(), 2u);
  ASSERT_EQ(fn.records().size(), 1u);
  EXPECT_TRUE(fn.records()[0].done);
}

TEST(RuntimeLoop, InitFailureIsPostedToInitError) {
  FakeLambda fn(FunctionConfig{});
  RuntimeLoopOptions options;
  options.endpoint = fn.runtime_api();
  options.log = [](const std::string&) {};
  const int rc =
      run_runtime_loop(options, []() -> InvocationHandler { throw std::runtime_error("no config"); });
  EXPECT_EQ(rc, 1);
  const auto errors = fn.init_errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("Runtime.InitError ", 0), 0u);
  EXPECT_NE(errors[0].find("no config"), std::string::npos);
}

}  // namespace
}  // namespace auric::lambda::testing
