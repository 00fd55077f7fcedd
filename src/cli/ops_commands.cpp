// The operations commands: baseline, mark applied / rolled-back, repair --accept-checksum and
// redo. Each runs under the lease and leaves an audit trail through the runner and its
// ExecutionLedger (core/manual.hpp); --dry-run plans only; --json follows docs/cli.md.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/progress.hpp"
#include "app/runner_options.hpp"
#include "cli/cli.hpp"
#include "cli/format.hpp"
#include "cli/resolve.hpp"
#include "core/manual.hpp"
#include "core/record_json.hpp"
#include "core/runner.hpp"
#include "core/stop_signal.hpp"
#include "core/system.hpp"

namespace auric::cli {
namespace {

using app::CommandDef;
using app::CommandError;
using app::Program;
using app::Session;
using enum app::ExitCode;

// The parts of a result both kinds of command show.
void put_common(Json& j, const ExecutionResult& r) {
  if (!r.error.empty()) j["error"] = r.error;
  if (r.refusal) j["refusal"] = {{"code", r.refusal->code}, {"ids", r.refusal->ids}};
  if (r.holder) j["lock"] = to_json(*r.holder, system_now_ms());
}

// Refusals, bad targets and a held lock: one `error:` line on stderr. True when printed.
bool print_refusal(const ExecutionResult& r) {
  if (r.failure != ExecutionResult::Failure::kUsage && r.failure != ExecutionResult::Failure::kLockHeld &&
      r.failure != ExecutionResult::Failure::kRefused) {
    return false;
  }
  std::cerr << "error: " << r.error << std::endl;
  return true;
}

struct ManualOptions {
  std::string target;
  std::string state;  // mark: "applied" | "rolled-back"
  std::string reason;
  bool dry_run = false;
  bool wait = false;
  bool accept_checksum = false;
};

void add_common(CLI::App& sub, ManualOptions& o) {
  sub.add_option("--reason", o.reason, "why: recorded on the execution and each run (the audit trail)");
  sub.add_flag("--dry-run", o.dry_run, "print what would change and change nothing");
  sub.add_flag("--wait", o.wait, "wait for the lock instead of failing when another runner holds it");
}

// The migration `ref` names (id, unique name or id prefix), or `ref` itself when it is the
// exact id of a stored migration missing from the binary and `stored_ok`.
std::string resolve_ref(Session& s, const std::string& ref, bool stored_ok) {
  std::vector<std::string> ids;
  for (const auto& m : s.migrations()) ids.push_back(m.id);
  if (stored_ok && std::find(ids.begin(), ids.end(), ref) == ids.end() && s.store().get_state(ref))
    return ref;
  return resolve_migration(ids, ref);
}

int run_manual(Session& s, ManualOperation operation, const ManualOptions& o) {
  ManualRequest request;
  request.operation = operation;
  request.reason = o.reason;
  request.dry_run = o.dry_run;
  if (!o.target.empty())
    request.target = resolve_ref(s, o.target, operation == ManualOperation::kMarkRolledBack);
  const Direction dir = operation == ManualOperation::kMarkRolledBack ? Direction::kDown : Direction::kUp;
  RunnerOptions ro = app::runner_options(s.config(), s.program(), dir);
  ro.wait_for_lock = o.wait;
  ro.on_event = nullptr;  // no body runs: the summary says it all
  MigrationRunner runner(s.migrations(), s.store(), ro);
  const ExecutionResult r = runner.manual(request);
  const std::string op(to_string(operation));
  const bool recorded = !r.dry_run && !r.migrations_run.empty();

  if (s.json()) {
    Json j = {{"status", to_string(r.status)},
              {"operation", op},
              {"kind", "manual"},
              {"direction", to_string(dir)},
              {"planned", r.planned},
              {"changed", r.migrations_run},
              {"dryRun", r.dry_run}};
    if (recorded) j["executionId"] = r.execution_id;
    if (!request.target.empty()) j["target"] = request.target;
    if (!o.reason.empty()) j["reason"] = o.reason;
    if (!r.note.empty()) j["note"] = r.note;
    put_common(j, r);
    print_json(j);
    return exit_code_for(r);
  }
  if (print_refusal(r)) return exit_code_for(r);
  const std::string what = operation == ManualOperation::kMarkRolledBack   ? "as rolled back"
                           : operation == ManualOperation::kAcceptChecksum ? "with the binary's checksum"
                                                                           : "as applied";
  const std::vector<std::string>& ids = r.dry_run ? r.planned : r.migrations_run;
  if (ids.empty() && r.failure == ExecutionResult::Failure::kNone) {
    std::cout << (r.dry_run ? "Dry run: nothing to change" : "Nothing to change")
              << (r.note.empty() ? "" : ": " + r.note) << "." << std::endl;
    return kExitOk;
  }
  if (r.dry_run) {
    std::cout << "Dry run: " << op << " would record " << ids.size() << " migration(s) " << what
              << " without running them:\n";
    for (const auto& id : ids) std::cout << "  " << kMarkPending << " " << id << "\n";
    std::cout << std::flush;
    return kExitOk;
  }
  std::cout << "Recorded " << ids.size() << " migration(s) " << what << " (" << op
            << ", without running them): " << join(ids) << "\n";
  if (recorded) std::cout << "Execution: " << r.execution_id << "\n";
  std::cout << std::flush;
  if (!r.error.empty()) std::cerr << "Error: " << r.error << std::endl;
  return exit_code_for(r);
}

Json run_result_json(const ExecutionResult& r) {
  Json j = {{"status", to_string(r.status)},
            {"executionId", r.execution_id},
            {"direction", to_string(r.direction)},
            {"planned", r.planned},
            {"migrationsRun", r.migrations_run},
            {"migrationsRemaining", r.migrations_remaining},
            {"dryRun", r.dry_run}};
  put_common(j, r);
  return j;
}

struct RedoOptions {
  int steps = 1;
  std::string reason;
  bool dry_run = false;
  bool wait = false;
  bool allow_drift = false;
  bool no_progress = false;
};

int run_redo(Session& s, const RedoOptions& o) {
  RunnerOptions ro = app::runner_options(s.config(), s.program(), Direction::kDown);
  ro.wait_for_lock = o.wait;
  if (o.allow_drift) ro.safety.allow_drift = true;
  // Progress lines name each half's direction (runner_options prints for one direction).
  ro.on_event = [&](const RunEvent& e) { app::print_run_event(e, e.direction); };
  MigrationRunner runner(s.migrations(), s.store(), ro);

  // With --json, stdout carries only the JSON: what migrations print goes to stderr.
  const int saved_stdout = s.json() ? ::dup(1) : -1;
  if (saved_stdout >= 0) ::dup2(2, 1);
  const RedoResult r = [&] {
    const StopSignalScope signals;
    const app::ProgressDisplay progress(
        o.dry_run ? app::ProgressMode::kOff : app::progress_mode(o.no_progress, 2, app::process_env),
        [&runner] { return runner.live_progress(); }, app::plain_progress_interval(app::process_env));
    return runner.redo(o.steps, o.reason, o.dry_run);
  }();
  if (saved_stdout >= 0) {
    std::cout.flush();
    std::fflush(stdout);
    ::dup2(saved_stdout, 1);
    ::close(saved_stdout);
  }
  const ExecutionResult& last = r.up ? *r.up : r.down;
  const int code =
      r.down.failure != ExecutionResult::Failure::kNone ? exit_code_for(r.down) : exit_code_for(last);

  if (s.json()) {
    Json j = {{"status", to_string(last.status)},
              {"down", run_result_json(r.down)},
              {"up", r.up ? run_result_json(*r.up) : Json(nullptr)},
              {"dryRun", o.dry_run}};
    if (!o.reason.empty()) j["reason"] = o.reason;
    print_json(j);
    return code;
  }
  if (print_refusal(r.down)) return code;
  if (r.down.planned.empty()) {
    std::cout << (o.dry_run ? "Dry run: nothing" : "Nothing") << " to redo: no migration is applied."
              << std::endl;
    return kExitOk;
  }
  if (o.dry_run) {
    std::cout << "Dry run: would roll back " << join(r.down.planned) << ", then apply "
              << join(r.up ? r.up->planned : std::vector<std::string>{}) << " again." << std::endl;
    return kExitOk;
  }
  std::cout << "Status: " << to_string(last.status) << "\n"
            << "Rolled back: " << (r.down.migrations_run.empty() ? "none" : join(r.down.migrations_run))
            << "\n";
  if (r.up) {
    std::cout << "Re-applied: " << (r.up->migrations_run.empty() ? "none" : join(r.up->migrations_run))
              << "\n";
  }
  std::cout << "Executions: " << r.down.execution_id << " (down)";
  if (r.up) std::cout << ", " << r.up->execution_id << " (up)";
  std::cout << std::endl;
  if (!last.error.empty() || !r.down.error.empty()) {
    std::cerr << "Error: " << (r.down.error.empty() ? last.error : r.down.error) << std::endl;
  }
  return code;
}

std::string positive(const std::string& text) {
  return app::parse_whole_number(text, 1) ? "" : "must be a whole number >= 1 (got '" + text + "')";
}

}  // namespace

std::vector<CommandDef> ops_commands() {
  std::vector<CommandDef> defs;
  defs.push_back({"baseline",
                  "record every migration up to and including TARGET as applied, without running them", true,
                  [](CLI::App& sub, const Program&) {
                    auto o = std::make_shared<ManualOptions>();
                    sub.add_option("target", o->target, "migration id or name")->required();
                    add_common(sub, *o);
                    return [o](Session& s) { return run_manual(s, ManualOperation::kBaseline, *o); };
                  }});
  defs.push_back({"mark", "record one migration as applied or rolled back, without running it", true,
                  [](CLI::App& sub, const Program&) {
                    auto o = std::make_shared<ManualOptions>();
                    sub.add_option("state", o->state, "applied | rolled-back")
                        ->required()
                        ->check(CLI::IsMember({"applied", "rolled-back"}));
                    sub.add_option("id", o->target, "migration id or name")->required();
                    add_common(sub, *o);
                    return [o](Session& s) {
                      return run_manual(s,
                                        o->state == "applied" ? ManualOperation::kMarkApplied
                                                              : ManualOperation::kMarkRolledBack,
                                        *o);
                    };
                  }});
  defs.push_back(
      {"repair", "accept the changed source of applied migrations (drift): needs --accept-checksum", true,
       [](CLI::App& sub, const Program&) {
         auto o = std::make_shared<ManualOptions>();
         sub.add_option("id", o->target, "migration id or name (default: every drifted one)");
         sub.add_flag("--accept-checksum", o->accept_checksum,
                      "record the binary's checksum as the applied one (the change was intended)");
         add_common(sub, *o);
         return [o](Session& s) {
           if (!o->accept_checksum) {
             throw CommandError(kExitUsage,
                                "repair changes nothing without --accept-checksum: it records the binary's "
                                "checksum as the applied one, saying the changed source was intended (it "
                                "does not run the migration again; to re-run it use `redo`)");
           }
           return run_manual(s, ManualOperation::kAcceptChecksum, *o);
         };
       }});
  defs.push_back(
      {"redo", "roll back the most recently applied migration (or --steps N) and apply it again", false,
       [](CLI::App& sub, const Program&) {
         auto o = std::make_shared<RedoOptions>();
         sub.add_option("--steps", o->steps, "redo the N most recently applied (default 1)")->check(positive);
         sub.add_option("--reason", o->reason, "why: recorded on both executions");
         sub.add_flag("--dry-run", o->dry_run, "print the plan and change nothing");
         sub.add_flag("--wait", o->wait, "wait for the lock instead of failing when another runner holds it");
         sub.add_flag("--allow-drift", o->allow_drift, "run even when applied migrations drifted");
         sub.add_flag("--no-progress", o->no_progress, kNoProgressHelp);
         return [o](Session& s) { return run_redo(s, *o); };
       }});
  return defs;
}

}  // namespace auric::cli
