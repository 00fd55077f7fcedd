// The test kit's round trip: a MigrationRunner over a throwaway store in a scratch folder, the
// steps up → down → up, and the report (include/auric/testing.hpp).
#include <auric/testing.hpp>

#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "core/runner.hpp"
#include "store/dynamodb_client_factory.hpp"
#include "store/open_store.hpp"

namespace auric::testing {
namespace {

namespace fs = std::filesystem;

// A fresh folder under the temporary directory, made the working directory; both undone on
// destruction.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::string pattern = (fs::temp_directory_path() / "auric-round-trip-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "cannot create a scratch folder");
    }
    path_ = pattern;
    previous_ = fs::current_path();
    fs::current_path(path_);
  }
  ~ScratchFolder() {
    std::error_code ignored;
    fs::current_path(previous_, ignored);
    fs::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  fs::path previous_;
};

std::string indented(const std::string& text) {
  std::string out = "    ";
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '\n' && i + 1 < text.size()) out += "    ";
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

// Why a round trip cannot go on; caught by round_trip() and turned into the report's failure.
struct Stop {
  std::string message;
};

class RoundTrip {
 public:
  RoundTrip(std::string id, const RoundTripOptions& options, RoundTripReport& report)
      : id_(std::move(id)), options_(options), report_(report) {}

  void run() {
    std::vector<MigrationEntry> migrations = options_.migrations;
    if (migrations.empty()) {
      try {
        migrations = registered_migrations();
      } catch (const std::exception& e) {
        throw Stop{std::string("the registered migrations are invalid: ") + e.what()};
      }
    }
    const auto it = std::find_if(migrations.begin(), migrations.end(),
                                 [&](const MigrationEntry& m) { return m.id == id_; });
    if (it == migrations.end()) throw Stop{"no migration has this id"};
    for (const std::string& declared : options_.irreversible) {
      const bool known = std::any_of(migrations.begin(), migrations.end(),
                                     [&](const MigrationEntry& m) { return m.id == declared; });
      if (!known) throw Stop{"RoundTripOptions::irreversible names " + declared + ", which is no migration"};
    }
    const bool irreversible = std::find(options_.irreversible.begin(), options_.irreversible.end(), id_) !=
                              options_.irreversible.end();
    const std::string previous = it == migrations.begin() ? std::string() : std::prev(it)->id;

    report_.steps.reserve(3);  // the steps' references stay valid
    ScratchFolder folder;
    folder_ = folder.path();
    std::unique_ptr<Store> store =
        open_store(options_.store == StoreKind::kSqlite ? "sqlite:" + (folder_ / "migrations.db").string()
                                                        : std::string("memory:"));
    store->init();
    store_ = store.get();
    MigrationRunner runner(std::move(migrations), *store, runner_options());
    runner_ = &runner;

    if (!previous.empty()) {
      const ExecutionResult setup = runner.up(previous);
      if (setup.failure != ExecutionResult::Failure::kNone || setup.status != ExecutionStatus::kCompleted) {
        std::string message = "applying the migrations before it failed: " + setup.error + "\n";
        if (const auto run = last_run(setup.execution_id, {}); run && !run->output.empty()) {
          message += "  captured output of " + run->id + ":\n" + indented(run->output);
        }
        throw Stop{message};
      }
    }

    stage_ = "before up";
    Step before{.migration_id = id_, .name = "before up", .direction = Direction::kUp, .folder = folder_};
    call_hook("before_up", options_.before_up, before);
    const std::optional<Json> before_up = snapshot(before);

    stage_ = "step 1 (up)";
    const Step& up = step("up", Direction::kUp);
    call_hook("after_up", options_.after_up, up);
    const std::optional<Json> after_up = snapshot(up);
    if (irreversible) {
      report_.irreversible = true;
      return;
    }

    stage_ = "step 2 (down)";
    const Step& down = step("down", Direction::kDown);
    call_hook("after_down", options_.after_down, down);
    if (const std::optional<Json> after_down = snapshot(down); after_down && *after_down != *before_up) {
      throw Stop{"down did not undo up: the snapshot after down differs from the one before up\n" +
                 differences("before up", *before_up, "after down", *after_down)};
    }

    stage_ = "step 3 (up again)";
    const Step& again = step("up again", Direction::kUp);
    call_hook("after_up", options_.after_up, again);
    if (const std::optional<Json> after_again = snapshot(again); after_again && *after_again != *after_up) {
      throw Stop{"up again left another state than the first up: the snapshots differ\n" +
                 differences("after up", *after_up, "after up again", *after_again)};
    }
  }

  // Where the round trip is: "set-up", "before up", "step 1 (up)", "step 2 (down)", "step 3 (up again)".
  const std::string& stage() const { return stage_; }
  // The hooks that failed a non-fatal assertion, as "<hook> after <step>".
  const std::vector<std::string>& failed_hooks() const { return failed_hooks_; }

 private:
  RunnerOptions runner_options() const {
    RunnerOptions ro;
    ro.config = options_.config;
    ro.make_user_context = options_.make_user_context;
    ro.services = options_.services;
    if (options_.dynamodb) {
      offer_dynamodb_client(ro, options_.dynamodb);
    } else if (!ro.services.contains(kDynamoDbClientService)) {
      ro.services.emplace(std::string(kDynamoDbClientService), []() -> std::any {
        throw std::runtime_error(
            "ctx.dynamodb(): this round trip has no DynamoDB client; give one in RoundTripOptions::dynamodb");
      });
    }
    return ro;
  }

  std::optional<RunRecord> last_run(const std::string& execution_id, const std::string& id) const {
    if (execution_id.empty()) return std::nullopt;
    std::vector<RunRecord> runs = store_->runs_of_execution(execution_id);
    for (auto run = runs.rbegin(); run != runs.rend(); ++run) {
      if (id.empty() || run->id == id) return std::move(*run);
    }
    return std::nullopt;
  }

  // Runs one step of this migration and records it in the report; a failure stops the round trip.
  const Step& step(const std::string& name, Direction direction) {
    const ExecutionResult result = direction == Direction::kUp ? runner_->up(id_) : runner_->down({}, 1);
    const std::optional<RunRecord> run = last_run(result.execution_id, id_);
    Step done{.migration_id = id_, .name = name, .direction = direction, .folder = folder_};
    if (run) {
      done.result = run->result;
      done.output = run->output;
    }
    const bool ran_this = result.migrations_run == std::vector<std::string>{id_};
    if (result.failure != ExecutionResult::Failure::kNone || result.status != ExecutionStatus::kCompleted ||
        !ran_this) {
      std::string why;
      if (run && run->status == RunStatus::kSuspended) {
        why = "it suspended at a checkpoint (ctx.suspend) instead of finishing";
      } else if (run && !run->error.empty()) {
        why = run->error;
      } else if (!result.error.empty()) {
        why = result.error;
      } else {
        why = "it was not run (the runner ran: " +
              (result.migrations_run.empty() ? std::string("nothing") : Json(result.migrations_run).dump()) +
              ")";
      }
      std::string message = name + " failed: " + why + "\n";
      message += done.output.empty() ? "  (no captured output)\n"
                                     : "  captured output of " + name + ":\n" + indented(done.output);
      throw Stop{message};
    }
    report_.steps.push_back(std::move(done));
    return report_.steps.back();
  }

  void call_hook(const char* hook_name, const std::function<void(const Step&)>& hook, const Step& step) {
    if (!hook) return;
    const bool had_failure = ::testing::Test::HasFailure();
    const bool had_fatal = ::testing::Test::HasFatalFailure();
    try {
      hook(step);
    } catch (const std::exception& e) {
      throw Stop{std::string("the ") + hook_name + " hook after " + step.name + " threw: " + e.what()};
    } catch (...) {
      throw Stop{std::string("the ") + hook_name + " hook after " + step.name +
                 " threw a non-standard exception"};
    }
    if (!had_fatal && ::testing::Test::HasFatalFailure()) {
      throw Stop{std::string("the ") + hook_name + " hook after " + step.name +
                 " failed a fatal assertion (see above)"};
    }
    if (!had_failure && ::testing::Test::HasFailure()) {
      failed_hooks_.push_back(std::string(hook_name) + " after " + step.name);
    }
  }

  std::optional<Json> snapshot(const Step& step) const {
    if (!options_.snapshot) return std::nullopt;
    try {
      return options_.snapshot(step);
    } catch (const std::exception& e) {
      throw Stop{"the snapshot after " + step.name + " threw: " + e.what()};
    }
  }

  static std::string differences(const std::string& a_name, const Json& a, const std::string& b_name,
                                 const Json& b) {
    return "  " + a_name + ": " + a.dump() + "\n  " + b_name + ": " + b.dump() + "\n  the changes from " +
           a_name + " to " + b_name + " (JSON Patch): " + Json::diff(a, b).dump() + "\n";
  }

  std::string id_;
  const RoundTripOptions& options_;
  RoundTripReport& report_;
  fs::path folder_;
  Store* store_ = nullptr;
  MigrationRunner* runner_ = nullptr;
  std::string stage_ = "set-up";
  std::vector<std::string> failed_hooks_;
};

}  // namespace

RoundTripReport round_trip(const std::string& id, const RoundTripOptions& options) {
  RoundTripReport report;
  report.migration_id = id;
  RoundTrip trip(id, options, report);
  try {
    trip.run();
    if (trip.failed_hooks().empty()) {
      report.passed = true;
    } else {
      std::string hooks;
      for (const std::string& hook : trip.failed_hooks()) hooks += (hooks.empty() ? "" : ", ") + hook;
      report.failure =
          "migration " + id + ": the steps succeeded, but assertions failed in " + hooks + " (see above)";
    }
  } catch (const Stop& stop) {
    report.failure = "migration " + id + ": round trip failed at " + trip.stage() + ": " + stop.message;
  } catch (const std::exception& e) {
    report.failure = "migration " + id + ": round trip failed at " + trip.stage() + ": " + e.what();
  }
  while (!report.failure.empty() && report.failure.back() == '\n') report.failure.pop_back();
  return report;
}

std::vector<std::string> migration_ids() {
  std::vector<std::string> ids;
  for (const MigrationEntry& m : registered_migrations()) ids.push_back(m.id);
  return ids;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  const auto mangle = [](const std::string& id) {
    std::string name = id;
    for (char& c : name) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
    }
    return name;
  };
  std::string name = mangle(info.param);
  std::size_t same = 0;  // ids differing only in '-' and '_' get their index appended
  for (const std::string& id : migration_ids()) same += mangle(id) == name ? 1 : 0;
  if (same > 1 || name.empty()) name += "_" + std::to_string(info.index);
  return name;
}

void RoundTripTest::check_round_trip() {
  const RoundTripReport report = round_trip(GetParam(), options());
  if (report.irreversible) {
    RecordProperty("irreversible", "true");
    std::cout << "[ IRREVERSIBLE ] " << report.migration_id
              << ": declared irreversible, so its down and the second up were not run\n";
  }
  if (!report.passed) FAIL() << report.failure;
}

}  // namespace auric::testing
