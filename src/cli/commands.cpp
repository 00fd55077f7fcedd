// The built-in commands. Each has one options struct, one setup (declaring its flags) and
// one run function; human output follows the reference CLI, --json follows docs/cli.md.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/progress.hpp"
#include "app/progress_bar.hpp"
#include "app/runner_options.hpp"
#include "cli/cli.hpp"
#include "cli/format.hpp"
#include "cli/resolve.hpp"
#include "core/ids.hpp"
#include "core/plan.hpp"
#include "core/record_json.hpp"
#include "core/runner.hpp"
#include "core/stop_signal.hpp"
#include "core/system.hpp"

namespace auric::cli {

int exit_code_for(const ExecutionResult& r) {
  switch (r.failure) {
    case ExecutionResult::Failure::kNone: return app::kExitOk;
    case ExecutionResult::Failure::kUsage: return app::kExitUsage;
    case ExecutionResult::Failure::kLockHeld: return app::kExitLockHeld;
    case ExecutionResult::Failure::kMigrationFailed:
    case ExecutionResult::Failure::kStore: return app::kExitFailed;
    case ExecutionResult::Failure::kStopped: return stopped_exit_code();
    case ExecutionResult::Failure::kRefused: return app::kExitDrift;
  }
  return app::kExitFailed;
}

namespace {

using app::CommandDef;
using app::CommandError;
using app::Program;
using app::Session;
using enum app::ExitCode;

// A CLI11 validator for counts: a whole number >= 1, with a message a person can act on.
std::string positive_whole_number(const std::string& text) {
  return app::parse_whole_number(text, 1) ? "" : "must be a whole number >= 1 (got '" + text + "')";
}

Json result_json(const ExecutionResult& r) {
  Json j = {{"status", to_string(r.status)},
            {"executionId", r.execution_id},
            {"direction", to_string(r.direction)},
            {"planned", r.planned},
            {"migrationsRun", r.migrations_run},
            {"migrationsRemaining", r.migrations_remaining},
            {"dryRun", r.dry_run}};
  if (!r.error.empty()) j["error"] = r.error;
  if (r.holder) j["lock"] = to_json(*r.holder, system_now_ms());
  if (r.refusal) j["refusal"] = {{"code", r.refusal->code}, {"ids", r.refusal->ids}};
  return j;
}

// ---- up / down --------------------------------------------------------------------------
struct RunOptions {
  std::string to;
  int steps = 0;
  bool dry_run = false;
  bool wait = false;
  bool allow_drift = false;  // overrides [safety] allow_drift = false
  std::string execution_id;  // chosen by the caller (the dashboard runs `up` as a child)
  bool no_progress = false;  // no bar and no plain progress lines
};

int run_migrations(Session& s, Direction dir, const RunOptions& o) {
  RunnerOptions ro = app::runner_options(s.config(), s.program(), dir);
  ro.wait_for_lock = o.wait;
  if (o.allow_drift) ro.safety.allow_drift = true;
  MigrationRunner runner(s.migrations(), s.store(), ro);

  RunRequest req;
  req.direction = dir;
  req.target = o.to;
  // The target as resolve_migration() reads it (a unique name or id prefix too), with "did
  // you mean" when it names nothing; the runner reports a target it cannot resolve.
  std::string target_problem;
  if (!o.to.empty() && o.steps == 0) {
    std::vector<std::string> ids;
    for (const auto& m : s.migrations()) ids.push_back(m.id);
    try {
      req.target = resolve_migration(ids, o.to, "Target migration not found: ");
    } catch (const CommandError& e) {
      target_problem = e.what();
    }
  }
  if (o.steps != 0) req.steps = o.steps;
  req.dry_run = o.dry_run;
  req.execution_id = o.execution_id;

  // With --json, stdout carries only the JSON: what migrations print goes to stderr.
  const int saved_stdout = s.json() ? ::dup(1) : -1;
  if (saved_stdout >= 0) ::dup2(2, 1);
  ExecutionResult r = [&] {
    const StopSignalScope signals;
    const app::ProgressDisplay progress(
        o.dry_run ? app::ProgressMode::kOff : app::progress_mode(o.no_progress, 2, app::process_env),
        [&runner] { return runner.live_progress(); }, app::plain_progress_interval(app::process_env));
    return runner.run(req);
  }();
  if (r.failure == ExecutionResult::Failure::kUsage && !target_problem.empty()) r.error = target_problem;
  if (saved_stdout >= 0) {
    std::cout.flush();
    std::fflush(stdout);
    ::dup2(saved_stdout, 1);
    ::close(saved_stdout);
  }

  if (s.json()) {
    print_json(result_json(r));
    return exit_code_for(r);
  }
  if (r.failure == ExecutionResult::Failure::kUsage || r.failure == ExecutionResult::Failure::kLockHeld ||
      r.failure == ExecutionResult::Failure::kRefused) {
    std::cerr << "error: " << r.error << std::endl;
    return exit_code_for(r);
  }
  const Style style = Style::detect(1);
  if (r.dry_run) {
    if (r.planned.empty()) {
      std::cout << "Dry run: nothing to run (" << to_string(dir) << ")." << std::endl;
    } else {
      std::cout << "Dry run: would run " << r.planned.size() << " migration(s) " << to_string(dir) << ":\n";
      for (const auto& id : r.planned) std::cout << "  " << kMarkPending << " " << id << "\n";
      std::cout << std::flush;
    }
    return kExitOk;
  }
  std::string status(to_string(r.status));
  std::cout << "Status: "
            << (r.status == ExecutionStatus::kCompleted   ? style.green(status)
                : r.status == ExecutionStatus::kSuspended ? style.yellow(status)
                                                          : style.red(status))
            << "\n";
  std::cout << (dir == Direction::kUp ? "Migrations run: " : "Migrations rolled back: ")
            << (r.migrations_run.empty() ? "none" : join(r.migrations_run)) << "\n";
  if (!r.migrations_remaining.empty()) {
    std::cout << "Migrations remaining: " << join(r.migrations_remaining) << "\n";
  }
  // A run with nothing to do records no execution (docs/cli.md); --json still reports it.
  std::cout << "Execution: "
            << (r.planned.empty() && r.failure == ExecutionResult::Failure::kNone ? "none (nothing to run)"
                                                                                  : r.execution_id)
            << std::endl;
  if (!r.error.empty()) {
    std::cerr << (r.failure == ExecutionResult::Failure::kStopped ? "Stopped: " : "Error: ") << r.error
              << std::endl;
  }
  return exit_code_for(r);
}

CommandDef run_command(Direction dir) {
  const bool up = dir == Direction::kUp;
  return {up ? "up" : "down",
          up ? "apply pending migrations in id order"
             : "roll back the most recently applied migration (or down to --to, or --steps)",
          false, [dir, up](CLI::App& sub, const Program&) {
            auto o = std::make_shared<RunOptions>();
            sub.add_option(
                   "--to", o->to,
                   up ? "apply up to and including this migration (id, name or unique id prefix)"
                      : "roll back every applied migration from the newest down to and including this one")
                ->type_name("MIGRATION");
            sub.add_option("--steps", o->steps, "run at most N migrations")->check(positive_whole_number);
            sub.add_flag("--dry-run", o->dry_run, "print the plan and change nothing");
            sub.add_flag("--wait", o->wait,
                         "wait for the lock instead of failing when another runner holds it");
            sub.add_flag("--allow-drift", o->allow_drift,
                         "run even when applied migrations changed since they were applied (see `repair`)");
            sub.add_flag("--no-progress", o->no_progress, kNoProgressHelp);
            sub.add_option("--execution-id", o->execution_id,
                           "record the run under this execution id (a new UUID when not given)")
                ->check([](const std::string& id) { return id_length_problem(id, "--execution-id"); });
            return [dir, o](Session& s) { return run_migrations(s, dir, *o); };
          }};
}

// ---- status / verify --------------------------------------------------------------------
// Which migrations `status --pending / --applied / --failed` lists (several: any of them);
// none set lists every one.
struct StatusFilter {
  bool pending = false;  // known and not applied: what `up` would run (failed and suspended ups too)
  bool applied = false;
  bool failed = false;  // the latest run failed or was interrupted
  bool any() const { return pending || applied || failed; }
  bool keeps(const StatusEntry& e) const {
    return !any() || (pending && e.known && !e.applied) || (applied && e.applied) || (failed && e.failed);
  }
  Json names() const {
    Json out = Json::array();
    if (pending) out.push_back("pending");
    if (applied) out.push_back("applied");
    if (failed) out.push_back("failed");
    return out;
  }
};

// The run of the migration the lock's holder is running right now, as stored (its `progress`
// saved with the durable output writes, so another process sees it); nullopt when no lease is
// held, its holder runs no migration, or the run record is not (or no longer) running.
std::optional<RunRecord> running_run(Store& store, const std::optional<LockInfo>& lock, std::int64_t now) {
  if (!lock || !lock->held_at(now) || !lock->current) return std::nullopt;
  for (auto& r : store.runs_of_migration(lock->current->migration_id, 5, "").items) {
    if (r.run_id == lock->current->run_id) {
      if (r.status != RunStatus::kRunning) return std::nullopt;
      return std::move(r);
    }
  }
  return std::nullopt;
}

// `52% (5,210/10,000 items), updated 3s ago`; empty when the run has reported no progress.
std::string progress_text(const RunRecord& run, std::int64_t now) {
  const auto p = progress_from_json(run.progress);
  return p ? app::format_progress_summary(*p, now) : std::string();
}

Json status_json(Session& s, const StatusReport& report, const StatusFilter& filter) {
  Json migrations = Json::array();
  for (const auto& e : report.entries) {
    if (!filter.keeps(e)) continue;
    Json m = {{"id", e.id}, {"applied", e.applied}, {"known", e.known}};
    const std::string status(view_status(e.state));
    if (e.state) {
      const MigrationState& st = *e.state;
      m["direction"] = to_string(st.direction);
      m["lastRunAt"] = st.started_at;
      if (!st.error.empty()) m["error"] = st.error;
      if (st.applied_at) m["appliedAt"] = *st.applied_at;
    }
    m["status"] = status;
    if (e.drift) m["drift"] = true;
    if (e.out_of_order) m["outOfOrder"] = true;
    if (!e.known) m["missing"] = true;
    migrations.push_back(std::move(m));
  }
  Json j = {{"store", s.store().describe()},     {"completed", report.applied},   {"pending", report.pending},
            {"failed", report.failed},           {"suspended", report.suspended}, {"missing", report.missing},
            {"outOfOrder", report.out_of_order}, {"drift", report.drift},         {"migrations", migrations}};
  if (filter.any()) j["filter"] = filter.names();
  const auto lock = s.store().read_lock();
  j["lock"] = lock ? to_json(*lock, system_now_ms()) : Json{{"held", false}};
  // Only while a migration runs: which, and its report_progress as stored (null until one).
  if (const auto run = running_run(s.store(), lock, system_now_ms())) {
    j["running"] = {{"id", run->id},
                    {"runId", run->run_id},
                    {"executionId", run->execution_id},
                    {"direction", to_string(run->direction)},
                    {"startedAt", run->started_at},
                    {"progress", run->progress}};
  }
  return j;
}

struct StatusOptions {
  bool exit_code = false;
  StatusFilter filter;
};

int run_status(Session& s, const StatusOptions& o) {
  std::vector<KnownMigration> known;
  for (const auto& m : s.migrations()) known.push_back({m.id, m.checksum});
  const StatusReport report = build_status(known, s.store().list_states());
  const int code = !o.exit_code                                         ? kExitOk
                   : (!report.drift.empty() || !report.missing.empty()) ? kExitDrift
                   : !report.pending.empty()                            ? kExitPending
                                                                        : kExitOk;
  if (s.json()) {
    print_json(status_json(s, report, o.filter));
    return code;
  }
  const Style st = Style::detect(1);
  const std::int64_t now = system_now_ms();
  std::ostringstream out;
  out << "Migration Status:\n" << rule(50) << "\n";
  std::map<std::string, const StatusEntry*> entries;
  for (const auto& e : report.entries) entries.emplace(e.id, &e);
  const auto kept = [&](const std::vector<std::string>& ids) {
    std::vector<std::string> out_ids;
    for (const auto& id : ids) {
      if (o.filter.keeps(*entries.at(id))) out_ids.push_back(id);
    }
    return out_ids;
  };
  std::vector<std::string> pending_only;
  for (const auto& id : report.pending) {
    if (std::find(report.failed.begin(), report.failed.end(), id) == report.failed.end() &&
        std::find(report.suspended.begin(), report.suspended.end(), id) == report.suspended.end())
      pending_only.push_back(id);
  }
  std::size_t shown = 0;
  auto group = [&](const std::string& title, const std::vector<std::string>& all_ids, auto line) {
    const std::vector<std::string> ids = kept(all_ids);
    if (ids.empty()) return;
    shown += ids.size();
    out << "\n" << title << " (" << ids.size() << "):\n";
    for (const auto& id : ids) out << "  " << line(id) << "\n";
  };
  const auto lock = s.store().read_lock();
  const auto running = running_run(s.store(), lock, now);
  if (running && entries.contains(running->id) && o.filter.keeps(*entries.at(running->id))) {
    const std::string progress = progress_text(*running, now);
    out << "\nRunning (1):\n  " << st.yellow(kMarkPending) << " " << running->id << " ("
        << to_string(running->direction) << ", started " << format_relative(running->started_at, now) << ")"
        << (progress.empty() ? "" : "  " + progress) << "\n";
  }
  group("Completed", report.applied, [&](const std::string& id) {
    std::string text = st.green(kMarkDone) + " " + id;
    if (const auto& applied_at = report.states.at(id).applied_at)
      text += "  " + st.dim("applied " + format_applied_at(*applied_at, now));
    return text;
  });
  group("Pending", pending_only, [&](const std::string& id) {
    std::string text = std::string(kMarkPending) + " " + id;
    const auto state = report.states.find(id);
    if (state != report.states.end() && view_status(&state->second) == "rolled_back") {
      const MigrationState& rolled = state->second;
      text += "  " + st.dim("rolled back " +
                            format_applied_at(rolled.completed_at.value_or(rolled.started_at), now));
    }
    return text;
  });
  group("Failed", report.failed, [&](const std::string& id) {
    const MigrationState& state = report.states.at(id);
    std::string text = st.red(kMarkFailed) + " " + id;
    if (state.status == RunStatus::kInterrupted) text += " (interrupted)";
    if (state.direction == Direction::kDown && state.applied) text += " (down failed; still applied)";
    if (!state.error.empty()) text += "\n      " + st.dim(state.error.substr(0, state.error.find('\n')));
    return text;
  });
  group("Suspended", report.suspended, [&](const std::string& id) {
    const MigrationState& state = report.states.at(id);
    return st.yellow(kMarkSuspended) + " " + id + " (" + std::string(to_string(state.direction)) +
           " saved a checkpoint and stopped; the next `" + std::string(to_string(state.direction)) +
           "` resumes it)";
  });
  group("Missing from this binary", report.missing, [&](const std::string& id) {
    return st.yellow("!") + " " + id + " (recorded in the store, not in this binary)";
  });
  group("Out of order", report.out_of_order, [&](const std::string& id) {
    return st.yellow("!") + " " + id + " (pending, older than the newest applied migration)";
  });
  group("Drift", report.drift, [&](const std::string& id) {
    return st.yellow("!") + " " + id + " (source changed since it was applied)";
  });
  if (report.entries.empty()) {
    out << "\nNo migrations found.\n";
  } else if (shown == 0 && o.filter.any()) {
    std::string names;
    for (const auto& n : o.filter.names()) names += (names.empty() ? "" : " or ") + n.get<std::string>();
    out << "\nNo " << names << " migrations.\n";
  }
  if (lock && lock->held_at(system_now_ms())) {
    out << "\nLock: held by " << holder_text(*lock);
    if (lock->current) out << ", running " << lock->current->migration_id;
    out << "\n";
  }
  std::cout << out.str() << std::flush;
  return code;
}

int run_verify(Session& s) {
  std::vector<KnownMigration> known;
  for (const auto& m : s.migrations()) known.push_back({m.id, m.checksum});
  const StatusReport report = build_status(known, s.store().list_states());
  const bool ok = report.drift.empty() && report.missing.empty();
  if (s.json()) {
    print_json({{"ok", ok},
                {"drift", report.drift},
                {"missing", report.missing},
                {"applied", report.applied.size()}});
    return ok ? kExitOk : kExitDrift;
  }
  if (ok) {
    std::cout << "OK: " << report.applied.size() << " applied migration(s) match this "
              << (s.program().standalone ? "migrations folder" : "binary") << "." << std::endl;
    return kExitOk;
  }
  for (const auto& id : report.drift) {
    std::cout << "drift: " << id << " changed since it was applied (applied checksum "
              << report.states.at(id).checksum.substr(0, 12) << ")" << std::endl;
  }
  for (const auto& id : report.missing) {
    std::cout << "missing: " << id << " is recorded in the store but not in this "
              << (s.program().standalone ? "migrations folder" : "binary") << std::endl;
  }
  std::cerr << "error: verification failed: " << report.drift.size() << " drifted, " << report.missing.size()
            << " missing" << std::endl;
  return kExitDrift;
}

// ---- executions -------------------------------------------------------------------------
struct ExecutionsOptions {
  std::string id;
  int limit = 20;
  bool detail = false;
};

int show_execution(Session& s, ExecutionsOptions o) {
  if (auto problem = id_length_problem(o.id, "the execution id"); !problem.empty()) {
    throw CommandError(kExitUsage, problem + ": copy it from `executions`");
  }
  o.id = resolve_execution_id(s.store(), o.id);
  const auto exec = s.store().get_execution(o.id);
  const auto runs = s.store().runs_of_execution(o.id);
  if (!exec && runs.empty()) throw CommandError(kExitNotFound, "Execution not found: " + o.id);
  if (s.json()) {
    Json j = exec ? to_json(*exec) : Json{{"executionId", o.id}};
    Json list = Json::array();
    for (const auto& r : runs) list.push_back(to_json(r, o.detail));
    j["runs"] = list;
    print_json(j);
    return kExitOk;
  }
  const Style st = Style::detect(1);
  const std::int64_t now = system_now_ms();
  int completed = 0, failed = 0, running = 0;
  for (const auto& r : runs) {
    if (r.status == RunStatus::kCompleted)
      ++completed;
    else if (r.status == RunStatus::kRunning)
      ++running;
    else
      ++failed;
  }
  std::ostringstream out;
  out << "Execution: " << o.id << "\n";
  if (exec) {
    out << "Status:    " << to_string(exec->status) << " (" << to_string(exec->direction) << ")\n";
    out << "Started:   " << format_relative(exec->started_at, now) << " by " << exec->who.user << "@"
        << exec->who.host << "\n";
    out << "Duration:  "
        << format_duration(exec->completed_at
                               ? std::optional<std::int64_t>(*exec->completed_at - exec->started_at)
                               : std::nullopt)
        << "\n";
    if (!exec->target.empty()) out << "Target:    " << exec->target << "\n";
    if (!exec->error.empty()) out << "Error:     " << exec->error << "\n";
  }
  out << "Migrations (" << runs.size() << "): " << completed << " completed, " << failed << " failed, "
      << running << " running\n"
      << rule(72) << "\n";
  for (const auto& r : runs) {
    out << "  " << mark_for(r.status, st) << " " << r.id << " (" << format_duration(r.duration_ms) << ")";
    if (r.status == RunStatus::kInterrupted) out << " interrupted";
    out << "\n";
    if (o.detail) out << render_run_detail(r) << "\n";
  }
  if (exec) {
    for (const auto& id : exec->planned) {
      const bool ran = std::any_of(runs.begin(), runs.end(), [&](const RunRecord& r) { return r.id == id; });
      if (!ran) out << "  " << kMarkPending << " " << id << " (not run)\n";
    }
  }
  std::cout << out.str() << std::flush;
  return kExitOk;
}

int run_executions(Session& s, const ExecutionsOptions& o) {
  if (!o.id.empty()) return show_execution(s, o);
  const Page<ExecutionRecord> page = s.store().list_executions(o.limit, "");
  if (s.json()) {
    Json list = Json::array();
    for (const auto& e : page.items) list.push_back(to_json(e));
    print_json({{"executions", list}, {"nextCursor", page.next_cursor}});
    return kExitOk;
  }
  if (page.items.empty()) {
    std::cout << "No executions found." << std::endl;
    return kExitOk;
  }
  const std::int64_t now = system_now_ms();
  std::ostringstream out;
  out << "Recent executions (" << page.items.size() << "):\n" << rule(96) << "\n";
  out << pad("ID", 38) << pad("STATUS", 12) << pad("DIR", 6) << pad("COUNT", 7) << pad("STARTED", 12)
      << "DURATION\n";
  for (const auto& e : page.items) {
    const ExecutionCounts counts = execution_counts(e);
    const std::string count = std::to_string(counts.finished) + "/" + std::to_string(counts.planned);
    out << pad(e.execution_id, 38) << pad(to_string(e.status), 12) << pad(to_string(e.direction), 6)
        << pad(count, 7) << pad(format_relative(e.started_at, now), 12)
        << format_duration(e.completed_at ? std::optional<std::int64_t>(*e.completed_at - e.started_at)
                                          : std::nullopt)
        << "\n";
  }
  std::cout << out.str() << std::flush;
  return kExitOk;
}

// ---- migration <id> -----------------------------------------------------------------------
struct MigrationOptions {
  std::string id;
  bool all = false;
  int limit = 50;
};

int run_migration(Session& s, const MigrationOptions& o) {
  if (auto problem = id_length_problem(o.id, "the migration id"); !problem.empty()) {
    throw CommandError(kExitUsage, problem + ": see `status` for the ids");
  }
  std::vector<std::string> known;
  for (const auto& m : s.migrations()) known.push_back(m.id);
  // Known ids, and those only the store remembers (missing from this binary, with history).
  std::vector<std::string> candidates = known;
  for (const auto& state : s.store().list_states()) {
    if (std::find(known.begin(), known.end(), state.id) == known.end()) candidates.push_back(state.id);
  }
  std::string id = o.id;
  try {
    id = resolve_migration(candidates, o.id);
  } catch (const CommandError&) {
    // Runs without a state (a state removed by hand) still show under their exact id.
    if (s.store().runs_of_migration(o.id, 1, "").items.empty()) throw;
  }
  std::vector<RunRecord> runs;
  std::string cursor;
  do {
    auto page =
        s.store().runs_of_migration(id, std::min(o.limit - static_cast<int>(runs.size()), 100), cursor);
    for (auto& r : page.items) runs.push_back(std::move(r));
    cursor = page.next_cursor;
  } while (!cursor.empty() && static_cast<int>(runs.size()) < o.limit);
  const bool is_known = std::find(known.begin(), known.end(), id) != known.end();
  if (runs.empty() && !is_known) throw CommandError(kExitNotFound, "Migration not found: " + o.id);
  const auto state = s.store().get_state(id);

  if (s.json()) {
    Json list = Json::array();
    for (const auto& r : runs) list.push_back(to_json(r));
    Json j = {{"id", id}, {"known", is_known}, {"runs", list}, {"hasMore", !cursor.empty()}};
    j["state"] = state ? to_json(*state) : Json(nullptr);
    print_json(j);
    return kExitOk;
  }
  const std::int64_t now = system_now_ms();
  const Style st = Style::detect(1);
  std::ostringstream out;
  out << id << " (" << runs.size() << (cursor.empty() ? "" : "+") << (runs.size() == 1 ? " run" : " runs")
      << ")\n";
  const std::string name = migration_name_of(id);
  if (!runs.empty() && runs.front().name != id && runs.front().name != name)
    out << "Name: " << runs.front().name << "\n";
  out << "\n";
  if (runs.empty()) {
    out << "Never run.\n";
    std::cout << out.str() << std::flush;
    return kExitOk;
  }
  auto header = [&](const RunRecord& r, const std::string& context) {
    return heavy_rule(3) + " " + std::string(to_string(r.status)) + " " +
           std::string(to_string(r.direction)) + (r.kind == RunKind::kManual ? " manual" : "") + " (" +
           context + ", " + format_duration(r.duration_ms) + ") " + heavy_rule(3) + "\n";
  };
  const RunRecord& latest = runs.front();
  out << header(latest, "latest run, " + format_relative(latest.started_at, now));
  if (const auto running = running_run(s.store(), s.store().read_lock(), now);
      running && running->run_id == latest.run_id) {
    if (const std::string progress = progress_text(*running, now); !progress.empty())
      out << "Progress: " << progress << "\n";
  }
  out << render_run_detail(latest);
  if (o.all) {
    for (std::size_t i = 1; i < runs.size(); ++i) {
      out << "\n" << header(runs[i], format_relative(runs[i].started_at, now)) << render_run_detail(runs[i]);
    }
  } else if (runs.size() > 1) {
    out << "\nHistory (" << runs.size() - 1 << (runs.size() == 2 ? " earlier run" : " earlier runs") << "):\n"
        << rule(72) << "\n";
    for (std::size_t i = 1; i < runs.size(); ++i) {
      const RunRecord& r = runs[i];
      out << "  " << mark_for(r.status, st) << " " << pad(to_string(r.direction), 6)
          << pad(r.kind == RunKind::kManual ? "manual" : to_string(r.status), 12)
          << pad(format_duration(r.duration_ms), 10) << format_relative(r.started_at, now) << "\n";
    }
    out << "Use --all to expand each run.\n";
  }
  std::cout << out.str() << std::flush;
  return kExitOk;
}

// ---- list / create / init / unlock --------------------------------------------------------
int run_list(Session& s) {
  const auto& ms = s.migrations();
  if (s.json()) {
    Json list = Json::array();
    for (const auto& m : ms) {
      Json j = {{"id", m.id}, {"name", migration_name_of(m.id)}};
      if (!m.checksum.empty()) j["checksum"] = m.checksum;
      if (s.program().standalone)
        j["file"] = m.migration.name;
      else if (!m.migration.description.empty())
        j["description"] = m.migration.description;
      list.push_back(j);
    }
    print_json(list);
    return kExitOk;
  }
  if (ms.empty()) {
    std::cout << "No migration files found." << std::endl;
    return kExitOk;
  }
  std::cout << "Found " << ms.size() << " migration(s):\n" << rule(50) << "\n";
  for (const auto& m : ms) {
    std::cout << "  " << m.id;
    if (s.program().standalone) std::cout << " (" << m.migration.name << ")";
    std::cout << "\n";
  }
  std::cout << std::flush;
  return kExitOk;
}

struct CreateOptions {
  std::string name;
  std::string dir;
};

constexpr const char* kScaffold =
    R"(// Migration %ID%. Both up() and down() are required; each may return a JSON value that is
// stored as the run's result. See docs/writing-migrations.md.
#include <auric/migrations.hpp>

// Helpers of this migration go in its own namespace: a unity build compiles several migration
// files as one translation unit, where an anonymous namespace does not keep them apart.
namespace %NAMESPACE% {}  // namespace %NAMESPACE%

AURIC_MIGRATION({
    .name = "%NAME%",
    .description = R"md(
Describe what this migration changes and why (markdown).
)md",
    .up = [](auric::Context& ctx) -> auric::Json {
      // TODO: apply the change.
      ctx.log("applied %NAME%");
      return {};
    },
    .down = [](auric::Context& ctx) -> auric::Json {
      // TODO: revert the change.
      ctx.log("reverted %NAME%");
      return {};
    },
});
)";

int run_create(Session& s, const CreateOptions& o) {
  std::string problem;
  const auto name = sanitize_migration_name(o.name, &problem);
  if (!name) throw CommandError(kExitUsage, problem);
  namespace fs = std::filesystem;
  const fs::path dir = o.dir.empty() ? fs::path(s.config().migrations_dir) : fs::path(o.dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw CommandError(kExitFailed, "cannot create directory " + dir.string() + ": " + ec.message());
  const std::string id = utc_timestamp(std::chrono::system_clock::now()) + "_" + *name;
  const fs::path file = fs::absolute(dir / (id + ".cpp"));
  if (fs::exists(file)) throw CommandError(kExitFailed, "migration file already exists: " + file.string());
  std::string text = kScaffold;
  std::string namespace_name = "migration_" + id;  // an identifier: '-' is not allowed in one
  std::replace(namespace_name.begin(), namespace_name.end(), '-', '_');
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"%ID%", id},
                                   {"%NAME%", *name},
                                   {"%NAMESPACE%", namespace_name}}) {
    for (std::size_t pos; (pos = text.find(key)) != std::string::npos;) text.replace(pos, key.size(), value);
  }
  std::ofstream outf(file, std::ios::binary);
  outf << text;
  outf.close();
  if (!outf) throw CommandError(kExitFailed, "cannot write " + file.string());
  if (s.json()) {
    print_json({{"id", id}, {"file", file.string()}});
  } else {
    std::cout << "Created migration: " << file.string() << "\n"
              << "Build your migrations binary to pick it up (auric_add_migrations globs the folder)."
              << std::endl;
  }
  return kExitOk;
}

int run_init(Session& s) {
  Store& store = s.store();
  const bool created = store.init() == InitOutcome::kCreated;
  if (s.json())
    print_json({{"store", store.describe()}, {"initialised", true}, {"created", created}});
  else if (created)
    std::cout << "Created store " << store.describe() << std::endl;
  else
    std::cout << "Store " << store.describe() << " already exists; nothing to do" << std::endl;
  return kExitOk;
}

int run_unlock(Session& s, bool force) {
  if (!force) {
    throw CommandError(kExitUsage,
                       "refusing to release the lock without --force: only do this when the holder is gone "
                       "(check `status` first); a live holder is fenced out and its current migration is "
                       "recorded as interrupted");
  }
  const auto before = s.store().force_unlock();
  const bool was_held = before && before->held_at(system_now_ms());
  if (s.json()) {
    Json j = {{"released", was_held}};
    if (before) j["previous"] = to_json(*before, 0);
    print_json(j);
  } else if (was_held) {
    std::cout << "Released the lock held by " << holder_text(*before) << "." << std::endl;
  } else {
    std::cout << "The lock was not held." << std::endl;
  }
  return kExitOk;
}

}  // namespace

std::vector<CommandDef> ops_commands();  // baseline, mark, repair, redo (ops_commands.cpp)

std::vector<CommandDef> builtin_commands() {
  std::vector<CommandDef> defs;
  defs.push_back(
      {"create", "write migrations/<UTC timestamp>_<name>.cpp from a scaffold", true,
       [](CLI::App& sub, const Program&) {
         auto o = std::make_shared<CreateOptions>();
         sub.add_option("name", o->name, "migration name (letters, digits, '-' and '_')")->required();
         sub.add_option("-d,--dir", o->dir, "migrations folder (default: migrations_dir of the config)")
             ->type_name("DIR");
         return [o](Session& s) { return run_create(s, *o); };
       }});
  defs.push_back({"list", "list the migrations (standalone: the files in the migrations folder)", true,
                  [](CLI::App&, const Program&) { return [](Session& s) { return run_list(s); }; }});
  defs.push_back(run_command(Direction::kUp));
  defs.push_back(run_command(Direction::kDown));
  defs.push_back(
      {"status", "applied, pending, failed, missing, out-of-order and drifted migrations", true,
       [](CLI::App& sub, const Program&) {
         auto o = std::make_shared<StatusOptions>();
         sub.add_flag("--exit-code", o->exit_code, "exit 4 on drift or missing, 5 when anything is pending");
         sub.add_flag("--pending", o->filter.pending,
                      "list only what `up` would run (never run, rolled back, failed or suspended)");
         sub.add_flag("--applied", o->filter.applied, "list only applied migrations");
         sub.add_flag("--failed", o->filter.failed,
                      "list only migrations whose latest run failed or was interrupted");
         return [o](Session& s) { return run_status(s, *o); };
       }});
  defs.push_back(
      {"executions", "recent executions, or one execution with its runs", true,
       [](CLI::App& sub, const Program&) {
         auto o = std::make_shared<ExecutionsOptions>();
         sub.add_option("id", o->id, "an execution id, or a unique prefix of one (at least 4 characters)")
             ->type_name("ID");
         sub.add_option("-l,--limit", o->limit, "how many executions to list (default 20)")
             ->check(positive_whole_number);
         sub.add_flag("--detail", o->detail, "show each run's description, error, result and output");
         return [o](Session& s) { return run_executions(s, *o); };
       }});
  defs.push_back({"migration", "one migration's run history with description, error, result and output", true,
                  [](CLI::App& sub, const Program&) {
                    auto o = std::make_shared<MigrationOptions>();
                    sub.add_option("id", o->id, "migration id, name or unique id prefix")
                        ->required()
                        ->type_name("MIGRATION");
                    sub.add_flag("--all", o->all, "expand every run, not just the latest");
                    sub.add_option("-l,--limit", o->limit, "at most this many runs (default 50)")
                        ->check(positive_whole_number);
                    return [o](Session& s) { return run_migration(s, *o); };
                  }});
  defs.push_back({"verify", "exit 4 when applied migrations drifted or are missing from this binary", true,
                  [](CLI::App&, const Program&) { return [](Session& s) { return run_verify(s); }; }});
  defs.push_back({"unlock", "release the migrations lock of a runner that is gone (needs --force)", true,
                  [](CLI::App& sub, const Program&) {
                    auto force = std::make_shared<bool>(false);
                    sub.add_flag("--force", *force, "really release it");
                    return [force](Session& s) { return run_unlock(s, *force); };
                  }});
  defs.push_back({"init", "create the store (SQLite file or DynamoDB table) if it does not exist", true,
                  [](CLI::App&, const Program&) { return [](Session& s) { return run_init(s); }; }});
  for (auto& def : ops_commands()) defs.push_back(std::move(def));  // ops_commands.cpp
  return defs;
}

}  // namespace auric::cli
