// Lambda dispatch: a payload through parse_event_text and decide_action with a fixed clock and a
// counting id source, under three sets of rules (inline with time to spare, inline with exactly
// the stop margin left, dispatcher mode with a low hop limit). Neither throws (decide_action
// throws only what its clock and id source throw). Checked: the same input decided twice gives
// equal actions (deterministic), the clock and the id source are used at most once, an action
// that runs carries an execution id and the hop its kind implies, a task close-out is for a
// STOPPED task of ours, and the result the handler would answer without the store serialises.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "fuzz_support.hpp"
#include "lambda/dispatch.hpp"
#include "lambda/events.hpp"

namespace lambda = auric::lambda;
using auric::fuzz::check;

namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;

struct Decision {
  lambda::Action action;
  int clock_reads = 0;
  int ids_made = 0;
};

Decision decide(const std::string& body, std::int64_t deadline_ms, const lambda::DispatchRules& rules) {
  Decision d{lambda::StatusAction{}};
  const lambda::Clock clock = [&d] {
    ++d.clock_reads;
    return kNow;
  };
  const lambda::IdSource new_id = [&d] { return "fuzz-exec-" + std::to_string(++d.ids_made); };
  d.action = lambda::decide_action(lambda::parse_event_text(body), deadline_ms, rules, clock, new_id);
  return d;
}

void check_run(const lambda::RunEventData& run, const char* kind) {
  check(!run.execution_id.empty(), "a run without an execution id", kind);
  check(!run.steps || (*run.steps >= 1 && run.target.empty()), "steps out of range or with a target", kind);
}

struct Invariants {
  const lambda::DispatchRules& rules;

  void operator()(const lambda::RejectAction& a) const {
    check(!a.error.empty() && !a.log.empty(), "a rejection without a message");
    (void)lambda::failed_result_json(a.execution_id, a.error).dump();
  }
  void operator()(const lambda::ReplyAction& a) const {
    const std::string text = a.result.dump();  // it serialises
    check(a.result.is_object(), "a reply that is not an object", text);
  }
  void operator()(const lambda::StatusAction&) const {}
  void operator()(const lambda::ExecutionStatusAction& a) const {
    check(!a.execution_id.empty(), "statusByExecution without an id reached the store");
  }
  void operator()(const lambda::RunAction& a) const {
    check_run(a.run, "run");
    check(a.run.hop == 0 && !rules.to_fargate, "an inline run that is not a first hop in inline mode");
  }
  void operator()(const lambda::ContinueAction& a) const {
    check_run(a.run, "continue");
    check(a.run.hop > 0 && a.run.hop < rules.max_hops, "a continuation outside 1 .. max_hops-1");
  }
  void operator()(const lambda::FailExecutionAction& a) const {
    check_run(a.run, "fail-execution");
    check(a.run.hop >= rules.max_hops && !a.error.empty(), "a hop-limit failure below the limit");
  }
  void operator()(const lambda::StartTaskAction& a) const {
    check_run(a.run, "start-task");
    check(a.run.hop == 0 && rules.to_fargate, "a task started outside dispatcher mode or for a continuation");
  }
  void operator()(const lambda::BackfillWorkerAction& a) const {
    check(a.worker.worker >= 0 && a.worker.worker < a.worker.workers && !a.worker.job_id.empty(),
          "a backfill worker outside 0..workers-1 or without a job");
  }
  void operator()(const lambda::TaskStoppedAction& a) const {
    check(a.task.last_status == "STOPPED" && !a.task.execution_id.empty() && a.task.direction.has_value(),
          "a close-out for a task that is not a stopped task of ours");
    check(!a.error.empty(), "a close-out without an error");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(auric::fuzz::as_text(data, size));
  struct Setting {
    std::int64_t deadline_ms;
    lambda::DispatchRules rules;
  };
  const Setting settings[] = {
      {kNow + 900'000, {std::chrono::milliseconds(60'000), 100, false}},
      {kNow + 60'000, {std::chrono::milliseconds(60'000), 100, false}},
      {0, {std::chrono::milliseconds(60'000), 3, true}},
  };
  for (const Setting& s : settings) {
    const Decision first = decide(body, s.deadline_ms, s.rules);
    const Decision second = decide(body, s.deadline_ms, s.rules);
    check(first.action == second.action, "the same event gave two different actions",
          std::string(lambda::action_kind(first.action)) + " / " + lambda::action_kind(second.action));
    check(first.clock_reads == second.clock_reads && first.ids_made == second.ids_made,
          "the same event used the clock or the id source differently");
    check(first.clock_reads <= 1 && first.ids_made <= 1,
          "the clock or the id source was used more than once");
    std::visit(Invariants{s.rules}, first.action);
  }
  return 0;
}
