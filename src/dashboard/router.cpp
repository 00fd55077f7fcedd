#include "dashboard/router.hpp"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <variant>

#include "core/ids.hpp"
#include "core/ledger.hpp"
#include "core/plan.hpp"
#include "core/policy.hpp"
#include "core/record_json.hpp"
#include "core/segment_store.hpp"
#include "core/system.hpp"

namespace auric::dashboard {

std::int64_t DashboardBackend::now_ms() {
  return system_now_ms();
}

DashboardIdentity DashboardBackend::identity() {
  const std::string described = store().describe();
  DashboardIdentity identity;
  identity.store.scheme = described.substr(0, described.find(':'));
  identity.store.label = identity.store.scheme + " store";
  return identity;
}

namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;
constexpr std::int64_t kForever = std::numeric_limits<std::int64_t>::max();  // "until_ms" of no expiry
// Segment rows GET /api/migrations/{id}/segments lists over all of a migration's backfill jobs
// (a job may have a few thousand segments: beyond this the answer keeps only the counts).
constexpr std::size_t kMaxSegmentRows = 1024;
// Where ctx.backfill keeps a migration's job ids in its checkpoint (src/backfill/context_backfill.cpp).
constexpr const char* kBackfillJobsKey = "auric_backfill";

// A bad request the handler answers with 400 (thrown inside the router only).
struct BadRequest {
  std::string message;
};

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string decode_segment(std::string_view raw) {
  auto decoded = percent_decode(raw);
  if (!decoded) throw BadRequest{"Bad request: malformed percent-encoding in the path"};
  if (auto problem = id_length_problem(*decoded, "the id in the path"); !problem.empty()) {
    throw BadRequest{"Bad request: " + problem};
  }
  return *decoded;
}

// Parses a whole decimal number in [min, max]; nullopt otherwise.
std::optional<int> parse_int(std::string_view text, int min, int max) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || text[0] == '+')
    return std::nullopt;
  if (value < min || value > max) return std::nullopt;
  return value;
}

Json who_json(const Who& who) {
  return to_json(who);
}

void put_who(Json& j, const Who& who) {
  Json w = who_json(who);
  if (w.empty()) {
    j.erase("who");
  } else {
    j["who"] = std::move(w);
  }
}

Json run_json(const RunRecord& run, bool with_output) {
  Json j = to_json(run, with_output);
  put_who(j, run.who);
  return j;
}

Json execution_json(const ExecutionRecord& e, std::size_t run_count) {
  Json j = to_json(e);
  j.erase("finished");
  j["migrationCount"] = run_count;  // runs recorded (the reference's field)
  // The one finished/planned count, as `executions` prints it.
  const ExecutionCounts counts = execution_counts(e);
  j["finishedCount"] = counts.finished;
  j["plannedCount"] = counts.planned;
  put_who(j, e.who);
  return j;
}

// Store cursors are wrapped in base64url so they are URL-safe and opaque.
std::string wrap_cursor(const std::string& store_cursor) {
  return base64url_encode(store_cursor);
}

struct PageArgs {
  int limit = kDefaultPageSize;
  std::string cursor;  // the store's cursor
};

PageArgs page_args(const std::map<std::string, std::string>& query) {
  PageArgs args;
  if (auto it = query.find("limit"); it != query.end()) {
    auto limit = parse_int(it->second, 1, kMaxPageSize);
    if (!limit) throw BadRequest{"limit must be an integer from 1 to 200"};
    args.limit = *limit;
  }
  if (auto it = query.find("cursor"); it != query.end()) {
    auto decoded = base64_decode(it->second);
    if (!decoded || decoded->empty()) throw BadRequest{"Invalid cursor"};
    args.cursor = std::move(*decoded);
  }
  return args;
}

// Runs a store page query; a cursor the store cannot decode is the client's fault.
template <class F>
auto with_cursor(F&& query) {
  try {
    return query();
  } catch (const std::invalid_argument&) {
    throw BadRequest{"Invalid cursor"};
  }
}

template <class T, class ToJson>
Response page_response(const Page<T>& page, ToJson to_json_fn) {
  Json items = Json::array();
  for (const auto& item : page.items) items.push_back(to_json_fn(item));
  Response r = Response::json(200, items);
  if (!page.next_cursor.empty()) r.headers["X-Next-Cursor"] = wrap_cursor(page.next_cursor);
  return r;
}

std::vector<std::string> ids_of(const std::vector<MigrationInfo>& infos) {
  std::vector<std::string> ids;
  ids.reserve(infos.size());
  for (const auto& m : infos) ids.push_back(m.id);
  return ids;
}

// The API's wording for a target that does not name exactly one migration (the runner's rule,
// core's target_matches: an exact id, else a unique name).
std::optional<std::string> target_problem(const std::vector<std::string>& known, const std::string& target) {
  const std::vector<std::string> by_name = target_matches(known, target);
  if (by_name.size() == 1) return std::nullopt;
  if (by_name.empty()) return "Unknown target \"" + target + "\": no migration has this id or name";
  std::string list;
  for (const auto& id : by_name) list += (list.empty() ? "" : ", ") + id;
  return "Ambiguous target \"" + target + "\": " + list;
}

// Checks target/steps as both /api/plan and the POST routes do. Throws BadRequest.
void check_params(const std::vector<std::string>& known, const std::optional<std::string>& target,
                  const std::optional<int>& steps) {
  if (target && steps) throw BadRequest{"Give either target or steps, not both"};
  if (target) {
    if (auto problem = target_problem(known, *target)) throw BadRequest{*problem};
  }
}

// The `progress` of the run `current` names ({done, total, unit, updatedAt}), or null when it
// reported none (or its record is not written yet).
Json running_progress(Store& store, const CurrentRun& current) {
  auto page = store.runs_of_migration(current.migration_id, 1, "");
  if (page.items.empty() || page.items.front().run_id != current.run_id) return nullptr;
  return std::move(page.items.front().progress);
}

// The rows of GET /api/migrations and until when they hold without a write: a lease held now
// expires by itself, which changes the running row.
struct Views {
  Json rows;
  std::int64_t until_ms = kForever;
};

Views build_views(DashboardBackend& backend) {
  const std::vector<MigrationInfo> infos = backend.migrations();
  Store& store = backend.store();
  std::vector<KnownMigration> known;
  known.reserve(infos.size());
  std::map<std::string_view, const MigrationInfo*> by_id;
  for (const auto& m : infos) {
    known.push_back({m.id, m.checksum});
    by_id.emplace(m.id, &m);
  }
  const StatusReport report = build_status(known, store.list_states());
  const auto lock = store.read_lock();
  const std::int64_t now = backend.now_ms();
  const CurrentRun* running = lock && lock->held_at(now) && lock->current ? &*lock->current : nullptr;
  const std::int64_t until_ms = lock && lock->held_at(now) ? lock->expires_at : kForever;

  Json rows = Json::array();
  for (const StatusEntry& e : report.entries) {
    const auto info_it = by_id.find(e.id);
    const MigrationInfo* info = info_it == by_id.end() ? nullptr : info_it->second;
    std::optional<RunRecord> latest;
    if (!info) {
      // Not in this deployment: its last run carries the name and description snapshot.
      auto page = store.runs_of_migration(e.id, 1, "");
      if (!page.items.empty()) latest = std::move(page.items.front());
    }
    Json v = Json::object();
    v["id"] = e.id;
    v["name"] = info && !info->name.empty()       ? info->name
                : latest && !latest->name.empty() ? latest->name
                                                  : migration_name_of(e.id);
    v["status"] = "pending";
    v["applied"] = e.applied;
    if (const MigrationState* s = e.state) {
      v["status"] = view_status(s);
      v["direction"] = to_string(s->direction);
      if (!s->last_execution_id.empty()) v["executionId"] = s->last_execution_id;
      v["startedAt"] = s->started_at;
      if (s->completed_at) v["completedAt"] = *s->completed_at;
      if (s->duration_ms) v["duration"] = *s->duration_ms;
      if (!s->error.empty()) v["error"] = s->error;
      if (s->output_truncated) v["outputTruncated"] = true;
      if (!s->checksum.empty()) v["checksum"] = s->checksum;
    }
    if (running && running->migration_id == e.id) {
      v["status"] = "running";
      v["direction"] = to_string(running->direction);
      v["executionId"] = running->execution_id;
      v["startedAt"] = running->started_at;
      v.erase("completedAt");
      v.erase("duration");
      v.erase("error");
      v.erase("outputTruncated");
      if (Json progress = running_progress(store, *running); !progress.is_null())
        v["progress"] = std::move(progress);
    }
    if (info && !info->description.empty())
      v["description"] = info->description;
    else if (latest && !latest->description.empty())
      v["description"] = latest->description;
    if (e.drift) v["drift"] = true;
    if (!e.known) v["missing"] = true;
    if (e.out_of_order) v["outOfOrder"] = true;
    rows.push_back(std::move(v));
  }
  // A migration being run for the first time that this deployment does not know (another
  // binary's run) still shows, as running.
  if (running && !by_id.count(running->migration_id) &&
      std::none_of(rows.begin(), rows.end(),
                   [&](const Json& v) { return v["id"] == running->migration_id; })) {
    rows.push_back({{"id", running->migration_id},
                    {"name", migration_name_of(running->migration_id)},
                    {"status", "running"},
                    {"applied", false},
                    {"direction", to_string(running->direction)},
                    {"executionId", running->execution_id},
                    {"startedAt", running->started_at},
                    {"missing", true}});
  }
  std::sort(rows.begin(), rows.end(), [](const Json& a, const Json& b) {
    return a["id"].get_ref<const std::string&>() < b["id"].get_ref<const std::string&>();
  });
  return {std::move(rows), until_ms};
}

// ---- routes ---------------------------------------------------------------------------------

// A response and until when it holds without a write (see ResponseCache).
struct Timed {
  Response response;
  std::int64_t until_ms = kForever;
};

Timed get_views(DashboardBackend& backend) {
  Views views = build_views(backend);
  return {Response::json(200, views.rows), views.until_ms};
}

Timed get_summary(DashboardBackend& backend) {
  const Views views = build_views(backend);
  int pending = 0, completed = 0, failed = 0, running = 0, suspended = 0;
  for (const auto& v : views.rows) {
    const std::string& status = v["status"].get_ref<const std::string&>();
    if (status == "completed")
      ++completed;
    else if (status == "running")
      ++running;
    else if (status == "failed" || status == "interrupted")
      ++failed;
    else if (status == "suspended")
      ++suspended;
    else
      ++pending;
  }
  return {Response::json(200, {{"pending", pending},
                               {"completed", completed},
                               {"failed", failed},
                               {"running", running},
                               {"suspended", suspended},
                               {"total", pending + completed + failed + running + suspended}}),
          views.until_ms};
}

Timed get_status(DashboardBackend& backend) {
  StatusLists lists;
  std::int64_t until_ms = kForever;
  if (auto remote = backend.remote_status()) {
    lists = std::move(*remote);
  } else {
    const Views views = build_views(backend);
    until_ms = views.until_ms;
    for (const auto& v : views.rows) {
      const std::string& id = v["id"].get_ref<const std::string&>();
      const std::string& status = v["status"].get_ref<const std::string&>();
      const bool applied = v["applied"].get<bool>();
      const bool failed = status == "failed" || status == "interrupted";
      if (applied) lists.completed.push_back(id);
      if (failed) lists.failed.push_back(id);
      if (!applied && !failed && !v.contains("missing")) lists.pending.push_back(id);
    }
  }
  return {Response::json(
              200, {{"pending", lists.pending}, {"completed", lists.completed}, {"failed", lists.failed}}),
          until_ms};
}

Response get_migration_runs(DashboardBackend& backend, const std::string& id,
                            const std::map<std::string, std::string>& query) {
  const PageArgs args = page_args(query);
  const auto page =
      with_cursor([&] { return backend.store().runs_of_migration(id, args.limit, args.cursor); });
  return page_response(page, [](const RunRecord& r) { return run_json(r, true); });
}

Timed get_executions(DashboardBackend& backend, const std::map<std::string, std::string>& query) {
  const PageArgs args = page_args(query);
  Store& store = backend.store();
  const auto page = with_cursor([&] { return store.list_executions(args.limit, args.cursor); });
  std::vector<std::string> ids;
  ids.reserve(page.items.size());
  for (const auto& e : page.items) ids.push_back(e.execution_id);
  const std::vector<std::size_t> counts = store.count_runs_of_executions(ids);
  std::size_t i = 0;
  return {page_response(page, [&](const ExecutionRecord& e) { return execution_json(e, counts.at(i++)); })};
}

Response get_execution_summary(DashboardBackend& backend, const std::string& id) {
  Store& store = backend.store();
  const auto execution = store.get_execution(id);
  if (!execution) return Response::error(404, "Execution not found");
  return Response::json(200, execution_json(*execution, store.count_runs_of_executions({id}).at(0)));
}

Response get_execution_runs(DashboardBackend& backend, const std::string& id) {
  Json items = Json::array();
  for (const auto& r : backend.store().runs_of_execution(id)) items.push_back(run_json(r, true));
  return Response::json(200, items);
}

Direction direction_param(const std::map<std::string, std::string>& query) {
  auto it = query.find("direction");
  if (it == query.end() || (it->second != "up" && it->second != "down")) {
    throw BadRequest{"direction must be up or down"};
  }
  return it->second == "up" ? Direction::kUp : Direction::kDown;
}

Json refusal_json(const RunRefusal& refusal) {
  return {{"code", refusal.code}, {"ids", refusal.ids}, {"message", refusal.message}};
}

// What a run of `params` would do now: the runner's plan, and the refusal the safety policy
// gives it (when the backend knows the policy). Throws BadRequest for bad parameters.
struct Checked {
  std::vector<std::string> plan;
  std::optional<RunRefusal> refusal;
};

Checked check_run(DashboardBackend& backend, const RunParams& params) {
  const std::vector<MigrationInfo> infos = backend.migrations();
  const std::vector<std::string> known = ids_of(infos);
  check_params(known, params.target, params.steps);
  std::map<std::string, MigrationState> states;
  for (auto& s : backend.store().list_states()) states.emplace(s.id, std::move(s));
  Checked checked;
  try {
    checked.plan =
        compute_plan(known, states, PlanRequest{params.direction, params.target.value_or(""), params.steps});
  } catch (const PlanError& e) {
    throw BadRequest{e.what()};
  }
  if (const auto policy = backend.safety_policy()) {
    std::vector<KnownMigration> with_checksums;
    with_checksums.reserve(infos.size());
    for (const auto& m : infos) with_checksums.push_back({m.id, m.checksum});
    checked.refusal = check_run_policy(with_checksums, states, params.direction, checked.plan, *policy);
  }
  return checked;
}

// The 409 of a run the safety policy refuses: its message, and the refusal for the dialog.
Response refused_response(const std::string& message, const std::optional<RunRefusal>& refusal) {
  Json body = {{"error", message}};
  if (refusal) body["refusal"] = refusal_json(*refusal);
  return Response::json(409, body);
}

Response get_plan(DashboardBackend& backend, const std::map<std::string, std::string>& query) {
  RunParams params;
  params.direction = direction_param(query);
  if (auto it = query.find("target"); it != query.end()) params.target = it->second;
  if (auto it = query.find("steps"); it != query.end()) {
    params.steps = parse_int(it->second, 1, std::numeric_limits<int>::max());
    if (!params.steps) throw BadRequest{"steps must be a positive integer"};
  }
  const Checked checked = check_run(backend, params);
  Json body = {{"direction", to_string(params.direction)}};
  if (params.target) body["target"] = *params.target;
  if (params.steps) body["steps"] = *params.steps;
  body["migrations"] = checked.plan;
  if (checked.refusal) body["refusal"] = refusal_json(*checked.refusal);
  return Response::json(200, body);
}

Response get_lock(DashboardBackend& backend) {
  const auto lock = backend.store().read_lock();
  const std::int64_t now = backend.now_ms();
  std::optional<LiveOutput> live;
  if (lock && lock->held_at(now) && lock->current) live = backend.live_output();
  Json view = lock_view(lock, now, live);
  if (view.contains("current")) {
    if (Json progress = running_progress(backend.store(), *lock->current); !progress.is_null())
      view["current"]["progress"] = std::move(progress);
  }
  return Response::json(200, view);
}

// The backfill jobs ({name, job id}) a migration's checkpoint names: the running attempt's
// (the lock's current run) when it is the one running, else the one its state keeps for the
// next attempt (a suspended backfill). Sorted by name; empty when it has none.
std::vector<std::pair<std::string, std::string>> backfill_jobs(const Json& checkpoint) {
  std::vector<std::pair<std::string, std::string>> jobs;
  if (!checkpoint.is_object()) return jobs;
  const auto it = checkpoint.find(kBackfillJobsKey);
  if (it == checkpoint.end() || !it->is_object()) return jobs;
  for (const auto& [name, job_id] : it->items()) {
    if (job_id.is_string() && !job_id.get_ref<const std::string&>().empty())
      jobs.emplace_back(name, job_id.get<std::string>());
  }
  return jobs;
}

Json segment_json(const SegmentRecord& s) {
  Json j = {{"segment", s.segment},        {"totalSegments", s.total_segments}, {"state", to_string(s.state)},
            {"scanned", s.counts.scanned}, {"written", s.counts.written},       {"skipped", s.counts.skipped},
            {"failed", s.counts.failed},   {"updatedAt", s.updated_at}};
  if (!s.owner.empty()) j["owner"] = s.owner;
  return j;
}

Response get_segments(DashboardBackend& backend, const std::string& id) {
  Store& store = backend.store();
  const std::int64_t now = backend.now_ms();
  const auto state = store.get_state(id);
  const auto lock = store.read_lock();
  const bool running = lock && lock->held_at(now) && lock->current && lock->current->migration_id == id;
  if (!state && !running) {
    const auto infos = backend.migrations();
    if (std::none_of(infos.begin(), infos.end(), [&](const MigrationInfo& m) { return m.id == id; }))
      return Response::error(404, "Migration not found");
  }
  Json body = {{"migrationId", id}, {"running", running}, {"jobs", Json::array()}};
  SegmentStore* segments = store.segments();
  if (segments == nullptr) return Response::json(200, body);
  const Json& checkpoint = running ? lock->current->progress : state ? state->progress : Json();
  std::size_t rows = 0;
  for (const auto& [name, job_id] : backfill_jobs(checkpoint)) {
    const std::vector<SegmentRecord> records = segments->list_segments({id, job_id});
    Json states = {{"pending", 0}, {"running", 0}, {"done", 0}, {"failed", 0}};
    SegmentCounts totals;
    Json listed = Json::array();
    for (const SegmentRecord& s : records) {
      auto& count = states[std::string(to_string(s.state))];
      count = count.get<std::int64_t>() + 1;
      totals += s.counts;
      if (rows < kMaxSegmentRows) {
        listed.push_back(segment_json(s));
        ++rows;
      }
    }
    Json job = {{"name", name},
                {"jobId", job_id},
                {"totalSegments", records.empty() ? 0 : records.front().total_segments},
                {"states", std::move(states)},
                {"totals",
                 {{"scanned", totals.scanned},
                  {"written", totals.written},
                  {"skipped", totals.skipped},
                  {"failed", totals.failed}}}};
    if (listed.size() < records.size()) job["segmentsTruncated"] = true;
    job["segments"] = std::move(listed);
    body["jobs"].push_back(std::move(job));
  }
  return Response::json(200, body);
}

Response post_run(DashboardBackend& backend, Direction direction, const std::string& body) {
  if (body.size() > kMaxBodyBytes) return Response::error(413, "Request body too large");
  Json params = Json::object();
  if (body.find_first_not_of(" \t\r\n") != std::string::npos) {
    params = Json::parse(body, nullptr, false);
    if (params.is_discarded() || !params.is_object()) return Response::error(400, "Invalid JSON");
  }
  const bool up = direction == Direction::kUp;
  if (auto reason = backend.run_unavailable_reason()) {
    return Response::json(
        400, {{"message", std::string(up ? "Migrate" : "Rollback") + " is not available. " + *reason},
              {"invoked", false}});
  }
  RunParams run;
  run.direction = direction;
  if (auto it = params.find("target"); it != params.end() && !it->is_null()) {
    if (!it->is_string()) throw BadRequest{"target must be a string"};
    run.target = it->get<std::string>();
  }
  if (auto it = params.find("steps"); it != params.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 1 ||
        it->get<std::int64_t>() > std::numeric_limits<int>::max()) {
      throw BadRequest{"steps must be a positive integer"};
    }
    run.steps = it->get<int>();
  }
  check_params(ids_of(backend.migrations()), run.target, run.steps);
  // The dialog showed this refusal already; a caller that posts anyway gets it too, and
  // nothing starts. (The runner checks again under the lease.)
  if (backend.safety_policy()) {
    if (const Checked checked = check_run(backend, run); checked.refusal) {
      return refused_response(checked.refusal->message, checked.refusal);
    }
  }

  StartOutcome outcome = backend.start_run(run);
  switch (outcome.kind) {
    case StartOutcome::Kind::kStarted: {
      Json j = {{"message", up ? "Migration initiated" : "Rollback initiated"}, {"invoked", true}};
      if (!outcome.execution_id.empty()) j["executionId"] = outcome.execution_id;
      return Response::json(200, j);
    }
    case StartOutcome::Kind::kLockHeld: {
      auto holder = outcome.holder ? outcome.holder : backend.store().read_lock();
      const std::int64_t now = backend.now_ms();
      Json view = lock_view(holder, now);
      if (!view["held"].get<bool>() && holder) {
        // Released between the attempt and this answer: still name who held it.
        LockInfo copy = *holder;
        copy.expires_at = std::max(copy.expires_at, now + 1);
        view = lock_view(copy, now);
      }
      return Response::json(
          409, {{"error", outcome.error.empty() ? "Another run holds the migrations lock" : outcome.error},
                {"holder", view}});
    }
    case StartOutcome::Kind::kUsage: return Response::error(400, outcome.error);
    case StartOutcome::Kind::kRefused: return refused_response(outcome.error, outcome.refusal);
    case StartOutcome::Kind::kNotAvailable:
      return Response::json(
          400, {{"message", std::string(up ? "Migrate" : "Rollback") + " is not available. " + outcome.error},
                {"invoked", false}});
    case StartOutcome::Kind::kFailed: throw std::runtime_error("could not start the run: " + outcome.error);
  }
  throw std::logic_error("unhandled start outcome");
}

// Answers a list route from options.cache while the backend's data is unchanged (and the
// answer has not expired), else computes it and keeps it. The version is read before the
// data, so an answer is never kept under a version newer than what it was computed from.
template <class Compute>
Response cached(const Request& request, DashboardBackend& backend, const RouterOptions& options,
                Compute compute) {
  const auto version = options.cache ? backend.data_version() : std::nullopt;
  if (!version) return compute().response;
  const std::string key = request.path + "?" + request.query;
  if (auto hit = options.cache->find(key, *version, backend.now_ms())) return std::move(*hit);
  Timed answer = compute();
  if (answer.response.status == 200) options.cache->put(key, *version, answer.until_ms, answer.response);
  return std::move(answer.response);
}

Response route(const Request& request, DashboardBackend& backend, const RouterOptions& options) {
  std::string_view path = request.path;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path != "/api" && !starts_with(path, "/api/")) return Response::error(404, "Not found");

  const auto parsed_query = parse_query(request.query);
  if (!parsed_query) throw BadRequest{"Bad request: malformed percent-encoding in the query"};
  const auto& query = *parsed_query;

  if (request.method == "POST") {
    if (path == "/api/migrate") return post_run(backend, Direction::kUp, request.body);
    if (path == "/api/rollback") return post_run(backend, Direction::kDown, request.body);
    return Response::error(404, "Not found");
  }
  if (request.method != "GET" && request.method != "HEAD") return Response::error(404, "Not found");

  constexpr std::string_view kMigrations = "/api/migrations";
  constexpr std::string_view kExecutions = "/api/executions";
  if (path == kMigrations) return cached(request, backend, options, [&] { return get_views(backend); });
  if (path == "/api/migrations/summary") {
    return cached(request, backend, options, [&] { return get_summary(backend); });
  }
  if (starts_with(path, "/api/migrations/")) {
    constexpr std::string_view kSegments = "/segments";
    std::string_view rest = path.substr(kMigrations.size() + 1);
    if (ends_with(rest, kSegments) && rest.size() > kSegments.size()) {
      return get_segments(backend, decode_segment(rest.substr(0, rest.size() - kSegments.size())));
    }
    return get_migration_runs(backend, decode_segment(path.substr(kMigrations.size() + 1)), query);
  }
  if (path == kExecutions)
    return cached(request, backend, options, [&] { return get_executions(backend, query); });
  if (starts_with(path, "/api/executions/")) {
    std::string_view rest = path.substr(kExecutions.size() + 1);
    if (ends_with(rest, "/summary") && rest.size() > 8) {
      return get_execution_summary(backend, decode_segment(rest.substr(0, rest.size() - 8)));
    }
    return get_execution_runs(backend, decode_segment(rest));
  }
  if (path == "/api/status") return cached(request, backend, options, [&] { return get_status(backend); });
  if (path == "/api/plan") return get_plan(backend, query);
  if (path == "/api/lock") return get_lock(backend);
  if (path == "/api/identity") return Response::json(200, identity_json(backend.identity()));
  return Response::error(404, "Not found");
}

}  // namespace

Json lock_view(const std::optional<LockInfo>& lock, std::int64_t now_ms,
               const std::optional<LiveOutput>& live) {
  if (!lock || !lock->held_at(now_ms)) return Json{{"held", false}};
  const LockInfo& l = *lock;
  Json j = {{"held", true}, {"owner", l.owner}, {"acquiredAt", l.acquired_at}, {"expiresAt", l.expires_at}};
  put_who(j, l.who);
  if (!l.execution_id.empty()) j["executionId"] = l.execution_id;
  if (l.current) {
    Json current = {{"migrationId", l.current->migration_id},
                    {"runId", l.current->run_id},
                    {"direction", to_string(l.current->direction)},
                    {"startedAt", l.current->started_at}};
    if (live && live->migration_id == l.current->migration_id && !live->output.empty()) {
      current["output"] = live->output;
    }
    j["current"] = std::move(current);
  }
  return j;
}

Json migration_views(DashboardBackend& backend) {
  return build_views(backend).rows;
}

Response handle(const Request& request, DashboardBackend& backend, const RouterOptions& options) {
  auto log = [&](std::string_view line) {
    if (options.log)
      options.log(line);
    else
      std::cerr << "[dashboard] " << line << std::endl;
  };
  try {
    Response r = route(request, backend, options);
    if (request.method == "HEAD") r.body.clear();
    return r;
  } catch (const BadRequest& e) {
    return Response::error(400, e.message);
  } catch (const std::exception& e) {
    log(request.method + " " + request.path + ": " + e.what());
  } catch (...) {
    log(request.method + " " + request.path + ": unknown exception");
  }
  return Response::error(500, "Internal server error");
}

std::optional<Response> ResponseCache::find(const std::string& key, std::uint64_t version,
                                            std::int64_t now_ms) {
  std::shared_ptr<const Response> found;
  {
    // Every request of the list routes passes here: hold the lock for the lookup only, not
    // for copying a body of tens of KB (a worker preempted inside would stall the others).
    std::lock_guard guard(mutex_);
    if (version != version_) return std::nullopt;
    const auto it = entries_.find(key);
    if (it == entries_.end() || now_ms >= it->second.until_ms) return std::nullopt;
    found = it->second.response;
  }
  return *found;
}

void ResponseCache::put(const std::string& key, std::uint64_t version, std::int64_t until_ms,
                        Response response) {
  std::lock_guard guard(mutex_);
  if (version != version_) {
    entries_.clear();
    version_ = version;
  }
  if (entries_.size() >= kMaxEntries && !entries_.count(key)) entries_.clear();
  entries_.insert_or_assign(key, Entry{until_ms, std::make_shared<const Response>(std::move(response))});
}

std::vector<MigrationInfo> migration_infos(const std::vector<MigrationEntry>& migrations) {
  std::vector<MigrationInfo> infos;
  infos.reserve(migrations.size());
  for (const auto& m : migrations) {
    infos.push_back({m.id, m.migration.name.empty() ? migration_name_of(m.id) : m.migration.name,
                     m.migration.description, m.checksum});
  }
  return infos;
}

}  // namespace auric::dashboard
