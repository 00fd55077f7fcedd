// Lambda invocation payloads: parse_event_text (documented never to throw: a payload that is
// not JSON, or not a valid event, is an InvalidEvent), then the result JSON the handler would
// answer with for that event, serialised as the Runtime API loop does.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "fuzz_support.hpp"
#include "lambda/events.hpp"

namespace lambda = auric::lambda;

namespace {

struct Answer {
  void operator()(const lambda::RunEventData& run) const {
    auric::ExecutionResult result;
    result.status =
        run.hop > 0 ? auric::ExecutionStatus::kNeedsContinuation : auric::ExecutionStatus::kCompleted;
    result.execution_id = run.execution_id;
    result.direction = run.direction;
    if (!run.target.empty()) result.migrations_run.push_back(run.target);
    result.error = run.target;
    (void)lambda::execution_result_json(result).dump();
    (void)lambda::failed_result_json(run.execution_id, run.target).dump();
  }
  void operator()(const lambda::StatusEventData&) const {
    (void)lambda::status_result_json(auric::StatusReport{}).dump();
  }
  void operator()(const lambda::StatusByExecutionEventData& s) const {
    if (s.execution_id.empty()) {
      (void)lambda::failed_result_json("", lambda::kMissingExecutionIdMessage).dump();
      return;
    }
    (void)lambda::execution_status_json(s.execution_id, std::nullopt, {}).dump();
    auric::ExecutionRecord execution;
    execution.execution_id = s.execution_id;
    execution.planned = {s.execution_id};
    auric::RunRecord run;
    run.id = s.execution_id;
    run.execution_id = s.execution_id;
    run.status = auric::RunStatus::kFailed;
    run.error = s.execution_id;
    (void)lambda::execution_status_json(s.execution_id, execution, {run}).dump();
  }
  void operator()(const lambda::TaskStateEventData& t) const {
    (void)lambda::failed_result_json(t.execution_id, t.stopped_reason + t.task_arn + t.last_status).dump();
  }
  void operator()(const lambda::BackfillWorkerEventData& w) const {
    const auric::backfill::WorkerEvent& e = w.worker;
    auric::fuzz::check(e.workers >= 1 && e.workers <= 1000 && e.worker >= 0 && e.worker < e.workers,
                       "a backfill-worker event with its worker outside 0..workers-1");
    auric::fuzz::check(!e.migration_id.empty() && !e.execution_id.empty() && !e.job_id.empty() &&
                           !e.name.empty() && !e.table.empty(),
                       "a backfill-worker event with an empty field");
    // What the coordinator sends for it parses back to the same event.
    const auric::Json wire = auric::backfill::worker_event_json(e);
    const lambda::Event again = lambda::parse_event(wire);
    const auto* same = std::get_if<lambda::BackfillWorkerEventData>(&again);
    auric::fuzz::check(same != nullptr && same->worker == e,
                       "a backfill-worker event that does not round-trip", wire.dump());
  }
  void operator()(const lambda::InvalidEvent& invalid) const {
    (void)lambda::failed_result_json("", invalid.error).dump();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(auric::fuzz::as_text(data, size));
  std::visit(Answer{}, lambda::parse_event_text(body));  // never throws
  return 0;
}
