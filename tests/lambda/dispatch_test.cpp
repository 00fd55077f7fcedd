// decide_action() (dispatch.hpp): every action kind from a parsed event, with a fixed clock and
// a counting id source, and the same action for the same inputs; and the handler carrying out
// an action it is given (EventHandler::perform) as handle() would.
#include <gtest/gtest.h>

#include <string>

#include "lambda/dispatch.hpp"
#include "lambda/events.hpp"
#include "lambda/handler.hpp"
#include "lambda_support.hpp"
#include "store/open_store.hpp"

namespace auric::lambda::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kNow = 1'700'000'000'000;

// Ids "exec-1", "exec-2", ...; counts how often it was asked.
struct CountingIds {
  int calls = 0;
  IdSource source() {
    return [this] { return "exec-" + std::to_string(++calls); };
  }
};

struct Decider {
  DispatchRules rules;
  std::int64_t deadline_ms = 0;
  int clock_reads = 0;
  CountingIds ids;

  Action operator()(const std::string& body) {
    const Clock clock = [this] {
      ++clock_reads;
      return kNow;
    };
    return decide_action(parse_event_text(body), deadline_ms, rules, clock, ids.source());
  }
};

TEST(Dispatch, TheSameEventGivesTheSameAction) {
  const std::vector<std::string> bodies = {
      "",
      R"({"direction":"down","steps":2})",
      R"({"direction":"up","executionId":"e","hop":3})",
      R"({"action":"status"})",
      R"({"action":"statusByExecution","executionId":"e"})",
      R"({"direction":"sideways"})",
      R"({"source":"aws.ecs","detail-type":"ECS Task State Change","detail":{"lastStatus":"STOPPED"}})"};
  for (const std::string& body : bodies) {
    for (const bool fargate : {false, true}) {
      Decider a, b;
      a.rules.to_fargate = b.rules.to_fargate = fargate;
      a.deadline_ms = b.deadline_ms = kNow + 30'000;
      EXPECT_EQ(a(body), b(body)) << body;
      EXPECT_EQ(a.ids.calls, b.ids.calls) << body;
      EXPECT_EQ(a.clock_reads, b.clock_reads) << body;
    }
  }
}

TEST(Dispatch, ARunWithoutAnIdGetsOneFromTheIdSource) {
  Decider decide;
  const Action action = decide(R"({"direction":"down","target":"20250101000001_a"})");
  ASSERT_EQ(std::string(action_kind(action)), "run");
  const RunEventData& run = std::get<RunAction>(action).run;
  EXPECT_EQ(run.execution_id, "exec-1");
  EXPECT_EQ(run.direction, Direction::kDown);
  EXPECT_EQ(run.target, "20250101000001_a");
  EXPECT_FALSE(run.steps);
  EXPECT_EQ(run.hop, 0);
  EXPECT_EQ(decide.clock_reads, 0) << "no deadline: the clock is not read";

  // An id in the event is kept and none is made.
  Decider given;
  const Action kept = given(R"({"executionId":"mine","steps":2})");
  EXPECT_EQ(std::get<RunAction>(kept).run, (RunEventData{Direction::kUp, "", 2, "mine", 0}));
  EXPECT_EQ(given.ids.calls, 0);
}

TEST(Dispatch, TooLittleTimeLeftRejectsAFirstHopAndRefusesAContinuationAfterClaimingIt) {
  Decider decide;
  decide.deadline_ms = kNow + 60'000;  // exactly the default margin
  const Action first = decide(R"({"direction":"up"})");
  ASSERT_EQ(std::string(action_kind(first)), "reject");
  const auto& reject = std::get<RejectAction>(first);
  EXPECT_EQ(reject.execution_id, "exec-1");
  EXPECT_EQ(reject.error.rfind("Lambda timeout too short: 60000 ms left", 0), 0u) << reject.error;
  EXPECT_NE(reject.error.find("stop margin of 60000 ms"), std::string::npos) << reject.error;
  EXPECT_EQ(reject.log, reject.error);
  EXPECT_EQ(decide.clock_reads, 1);

  const Action next = decide(R"({"direction":"up","executionId":"e","hop":2})");
  ASSERT_EQ(std::string(action_kind(next)), "continue");
  const auto& refused = std::get<ContinueAction>(next);
  EXPECT_EQ(refused.run.execution_id, "e");
  EXPECT_EQ(refused.run.hop, 2);
  EXPECT_EQ(refused.refusal.rfind("Lambda timeout too short", 0), 0u);

  decide.deadline_ms = kNow + 60'001;
  const Action enough = decide(R"({"direction":"up","executionId":"e","hop":2})");
  EXPECT_EQ(std::get<ContinueAction>(enough),
            (ContinueAction{RunEventData{Direction::kUp, "", {}, "e", 2}, ""}));
  EXPECT_EQ(std::string(action_kind(decide(R"({"direction":"up"})"))), "run");
}

TEST(Dispatch, AContinuationAtTheHopLimitFailsTheExecution) {
  Decider decide;
  decide.rules.max_hops = 3;
  decide.deadline_ms = kNow + 1;  // the hop limit comes first
  const Action action = decide(R"({"direction":"down","executionId":"e","hop":3})");
  ASSERT_EQ(std::string(action_kind(action)), "fail-execution");
  const auto& fail = std::get<FailExecutionAction>(action);
  EXPECT_EQ(fail.run.execution_id, "e");
  EXPECT_EQ(fail.run.direction, Direction::kDown);
  EXPECT_EQ(fail.error,
            "Continuation hop limit exceeded (3 hops): hop 3 refused; the run is not progressing");
  EXPECT_EQ(decide.clock_reads, 0);
  EXPECT_EQ(std::string(action_kind(decide(R"({"executionId":"e","hop":2})"))), "continue");
}

TEST(Dispatch, DispatcherModeStartsATaskForAFirstHopOnly) {
  Decider decide;
  decide.rules.to_fargate = true;
  decide.deadline_ms = kNow + 1;  // not checked: the task has no deadline
  const Action action = decide(R"({"direction":"down","steps":1})");
  ASSERT_EQ(std::string(action_kind(action)), "start-task");
  EXPECT_EQ(std::get<StartTaskAction>(action).run, (RunEventData{Direction::kDown, "", 1, "exec-1", 0}));
  EXPECT_EQ(decide.clock_reads, 0);
  EXPECT_EQ(std::string(action_kind(decide(R"({"executionId":"e","hop":1})"))), "continue");
}

TEST(Dispatch, StatusActions) {
  Decider decide;
  EXPECT_EQ(decide(R"({"action":"status"})"), Action{StatusAction{}});
  EXPECT_EQ(decide(R"({"action":"statusByExecution","executionId":"e-1"})"),
            Action{ExecutionStatusAction{"e-1"}});
  const Action missing = decide(R"({"action":"statusByExecution"})");
  ASSERT_EQ(std::string(action_kind(missing)), "reply");
  const Json& result = std::get<ReplyAction>(missing).result;
  EXPECT_EQ(result["status"], "not_found");
  EXPECT_EQ(result["executionId"], "");
  EXPECT_EQ(result["error"], kMissingExecutionIdMessage);
  EXPECT_EQ(decide.ids.calls, 0);
}

TEST(Dispatch, BadEventsAreRejectedWithTheParsersMessage) {
  Decider decide;
  for (const char* body : {R"({"direction":"sideways"})", "[1]", "{not json", R"({"action":"launch"})",
                           R"({"target":"x","steps":1})", R"({"hop":1})"}) {
    const Action action = decide(body);
    ASSERT_EQ(std::string(action_kind(action)), "reject") << body;
    const auto& reject = std::get<RejectAction>(action);
    EXPECT_EQ(reject.execution_id, "");
    EXPECT_FALSE(reject.error.empty());
    EXPECT_EQ(reject.log, "Rejected event: " + reject.error);
  }
  EXPECT_EQ(decide.ids.calls, 0);
}

std::string task_event(const std::string& last_status, const std::string& container, bool overrides) {
  const std::string env =
      overrides
          ? R"(,"overrides":{"containerOverrides":[{"name":"runner","environment":[)"
            R"({"name":"MIGRATION_DIRECTION","value":"up"},{"name":"MIGRATION_EXECUTION_ID","value":"e-9"}]}]})"
          : "";
  return R"({"source":"aws.ecs","detail-type":"ECS Task State Change","detail":{"taskArn":"arn:task/1",)"
         R"("lastStatus":")" +
         last_status + R"(","containers":[)" + container + "]" + env + "}}";
}

TEST(Dispatch, TaskEventsCloseOutStoppedTasksOfOursAndIgnoreTheRest) {
  Decider decide;
  const Action running = decide(task_event("RUNNING", "{}", true));
  const Json ignored = {{"status", "ignored"}};
  EXPECT_EQ(running, (Action{ReplyAction{ignored, ""}}));
  const Action foreign = decide(task_event("STOPPED", "{}", false));
  EXPECT_EQ(
      foreign,
      (Action{ReplyAction{ignored, "ECS task-stopped event missing migration env overrides; ignoring"}}));

  auto error_of = [&](const std::string& container) {
    const Action action = decide(task_event("STOPPED", container, true));
    EXPECT_EQ(std::string(action_kind(action)), "task-stopped") << container;
    const auto& stopped = std::get<TaskStoppedAction>(action);
    EXPECT_EQ(stopped.task.execution_id, "e-9");
    EXPECT_EQ(stopped.task.direction, Direction::kUp);
    EXPECT_EQ(stopped.task.task_arn, "arn:task/1");
    return stopped.error;
  };
  EXPECT_EQ(error_of(R"({"exitCode":0})"), "Fargate task exited with code 0 before finishing the execution");
  EXPECT_EQ(error_of(R"({"exitCode":137})"), "Fargate task exited with code 137");
  EXPECT_EQ(error_of("{}"), "Fargate task stopped without an exit code");
  const Action reason = decide(
      R"({"source":"aws.ecs","detail-type":"ECS Task State Change","detail":{"lastStatus":"STOPPED",)"
      R"("stoppedReason":"Essential container exited","containers":[{"exitCode":1}],)"
      R"("overrides":{"containerOverrides":[{"environment":[{"name":"MIGRATION_DIRECTION","value":"down"},)"
      R"({"name":"MIGRATION_EXECUTION_ID","value":"e-3"}]}]}}})");
  EXPECT_EQ(std::get<TaskStoppedAction>(reason).error, "Essential container exited");
  EXPECT_EQ(decide.clock_reads, 0);
  EXPECT_EQ(decide.ids.calls, 0);
}

// The handler decides with its clock (RunnerOptions::now_ms) and its id source, then performs.
TEST(Dispatch, TheHandlerUsesItsIdSourceAndPerformsAGivenAction) {
  std::unique_ptr<Store> store = open_store("memory:");
  RunnerOptions base;
  base.capture_stdio = false;
  base.now_ms = [] { return kNow; };
  std::vector<std::pair<std::string, Migration>> list;
  Migration m;
  m.up = [](Context&) -> Json { return {}; };
  m.down = [](Context&) -> Json { return {}; };
  list.emplace_back("20250101000001_a", m);
  EventHandler handler(*store, define_migrations(std::move(list)), base, HandlerSettings{}, nullptr, nullptr);
  std::vector<std::string> log;
  handler.set_log([&](const std::string& line) { log.push_back(line); });
  CountingIds ids;
  handler.set_id_source(ids.source());

  const Json ran = handler.handle(Json::object(), InvocationInfo{"req-1", kNow + 600'000, ""});
  EXPECT_EQ(ran["status"], "completed") << ran.dump();
  EXPECT_EQ(ran["executionId"], "exec-1");
  ASSERT_TRUE(store->get_execution("exec-1"));

  // The handler's clock decides the deadline check: 60 s left is the margin.
  const Json refused = handler.handle(Json::object(), InvocationInfo{"req-2", kNow + 60'000, ""});
  EXPECT_EQ(refused["status"], "failed");
  EXPECT_EQ(refused["executionId"], "exec-2");
  EXPECT_FALSE(store->get_execution("exec-2")) << "a refused first hop writes nothing";

  const Json rejected = handler.perform(RejectAction{"x", "no good", "said no"}, InvocationInfo{});
  EXPECT_EQ(rejected, failed_result_json("x", "no good"));
  EXPECT_EQ(log.back(), "said no");
  const Json status = handler.perform(ExecutionStatusAction{"exec-1"}, InvocationInfo{});
  EXPECT_EQ(status["status"], "completed") << status.dump();
}

}  // namespace
}  // namespace auric::lambda::testing
