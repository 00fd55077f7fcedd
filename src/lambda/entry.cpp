#include "lambda/entry.hpp"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>

#include "app/command.hpp"
#include "app/progress.hpp"
#include "app/runner_options.hpp"
#include "core/runner.hpp"
#include "core/stop_signal.hpp"
#include "core/system.hpp"
#include "lambda/aws_services.hpp"
#include "lambda/backfill_worker.hpp"
#include "lambda/events.hpp"
#include "lambda/handler.hpp"
#include "lambda/run_options.hpp"
#include "lambda/runtime_api.hpp"

namespace auric::lambda {

namespace {

// A fargate:N segment worker task (AURIC_BACKFILL_WORKER set by the coordinator's RunTask):
// claims the job's free segments one after the other until none is left (exit 0); SIGTERM
// (ECS stopping the task) saves and releases its segment (exit 143); a failure exits 1.
int run_fargate_worker(app::Session& session, const app::EnvLookup& env, const std::string& text) {
  const Event parsed = parse_event_text(text);
  if (const auto* invalid = std::get_if<InvalidEvent>(&parsed)) {
    throw std::invalid_argument(std::string(kBackfillWorkerEnv) + ": " + invalid->error);
  }
  const auto* worker = std::get_if<BackfillWorkerEventData>(&parsed);
  if (worker == nullptr) {
    throw std::invalid_argument(std::string(kBackfillWorkerEnv) + " is not a backfill-worker event: " + text);
  }
  const backfill::WorkerEvent& event = worker->worker;
  backfill::WorkerAssignment assignment;
  assignment.event = event;
  assignment.owner =
      std::string(backfill::kFargateOwnerPrefix) + new_uuid() + "/" + std::to_string(event.worker);
  if (auto lease = env(kBackfillLeaseEnv)) {
    const auto ms = app::parse_whole_number(*lease, 1);
    if (!ms) {
      throw std::invalid_argument(std::string(kBackfillLeaseEnv) +
                                  " must be a whole number of milliseconds (got '" + *lease + "')");
    }
    assignment.lease_ttl = std::chrono::milliseconds(*ms);
  }
  const std::atomic<bool>& stop = stop_signal_flag();
  assignment.should_stop = [&stop] { return stop.load(); };
  // No deadline on Fargate: only ECS's SIGTERM stops a worker.
  const std::function<std::chrono::milliseconds()> remaining = [&stop] {
    return stop.load() ? std::chrono::milliseconds(0) : std::chrono::milliseconds::max();
  };
  const std::string what = "[migrations] backfill worker " + std::to_string(event.worker) + " of " +
                           std::to_string(event.workers) + " (job " + event.job_id + ", migration " +
                           event.migration_id + ")";
  const RunnerOptions base = app::runner_options(session.config(), session.program(), event.direction);
  const std::string error = [&] {
    const StopSignalScope signals;
    return run_segment_worker(session.migrations(), assignment, base, remaining, [](const std::string& line) {
      std::cerr << "[migrations] " << line << std::endl;
    });
  }();
  if (!error.empty()) {
    std::cerr << what << " failed: " << error << std::endl;
    return app::kExitFailed;
  }
  const BackfillResult& result = assignment.result;
  if (result.stopped) {
    std::cerr << what << " stopped by a signal: its segment saved and released (scanned " << result.scanned
              << ")" << std::endl;
    return stopped_exit_code();
  }
  std::cerr << what << " finished: no segment left (scanned " << result.scanned << ")" << std::endl;
  return app::kExitOk;
}

}  // namespace

void register_lambda_commands() {
  // fargate:N backfills coordinated anywhere this binary runs (the CLI, a Fargate task, Lambda)
  // start their workers with ECS RunTask, configured from the environment when one starts.
  backfill::set_default_fargate_launcher([] {
    return make_fargate_launcher(fargate_worker_settings_from_env(app::process_env), make_ecs_launcher());
  });
  app::register_command(
      {"lambda", "serve as an AWS Lambda custom runtime (provided.al2023) over AWS_LAMBDA_RUNTIME_API", false,
       [](CLI::App&, const app::Program&) {
         return [](app::Session& s) { return run_lambda_runtime(s.program()); };
       }});
  app::register_command({"fargate",
                         "run once from MIGRATION_DIRECTION / MIGRATION_TARGET / MIGRATION_EXECUTION_ID "
                         "(the Fargate task's entry), or a backfill worker from AURIC_BACKFILL_WORKER",
                         false, [](CLI::App&, const app::Program&) {
                           return [](app::Session& s) { return run_fargate(s, app::process_env); };
                         }});
}

std::optional<int> run_if_lambda_environment(int argc, char** /*argv*/, const app::Program& program) {
  if (!app::process_env("AWS_LAMBDA_RUNTIME_API")) return std::nullopt;
  // No arguments at all (how `bootstrap` starts us): the runtime. Anything else (a command,
  // --help, --version) goes to the CLI, where `lambda` is a command too.
  if (argc > 1) return std::nullopt;
  return run_lambda_runtime(program);
}

app::ConfigOverrides lambda_config_overrides() {
  app::ConfigOverrides overrides;
  if (!app::process_env("AURIC_MIGRATE_CONFIG")) {
    if (auto root = app::process_env("LAMBDA_TASK_ROOT")) {
      const auto file = std::filesystem::path(*root) / "migrate.config.toml";
      std::error_code ec;
      if (std::filesystem::exists(file, ec)) overrides.config_path = file.string();
    }
  }
  return overrides;
}

int run_lambda_runtime(const app::Program& program) {
  RuntimeLoopOptions loop;
  loop.endpoint = app::process_env("AWS_LAMBDA_RUNTIME_API").value_or("");
  if (loop.endpoint.empty()) {
    std::cerr
        << "error: AWS_LAMBDA_RUNTIME_API is not set: the `lambda` command runs inside AWS Lambda (or an "
           "emulator of its Runtime API)"
        << std::endl;
    return app::kExitUsage;
  }
  const app::ConfigOverrides overrides = lambda_config_overrides();
  app::Session session(program, overrides, false);
  std::unique_ptr<EventHandler> handler;
  return run_runtime_loop(loop, [&]() -> InvocationHandler {
    const app::Config& config = session.config();
    Store& store = session.store();
    const HandlerSettings settings = handler_settings(config, app::process_env);
    handler = std::make_unique<EventHandler>(
        store, session.migrations(), app::runner_options(config, program, Direction::kUp), settings,
        make_lambda_invoker(), settings.dispatch.enabled ? make_ecs_launcher() : nullptr);
    handler->set_run_event_log(app::print_run_event);
    std::cerr << "[migrations] Lambda runtime ready: " << session.migrations().size()
              << " migration(s), store " << store.describe() << ", stop margin "
              << settings.stop_margin.count() << " ms, max hops " << settings.max_hops
              << (settings.dispatch.enabled ? ", dispatching to Fargate" : "") << std::endl;
    return [&](const Invocation& inv) {
      const Json result = handler->handle(parse_event_text(inv.body),
                                          InvocationInfo{inv.request_id, inv.deadline_ms, inv.function_arn});
      return InvocationResponse::success(result.dump());
    };
  });
}

int run_fargate(app::Session& session, const app::EnvLookup& env) {
  try {
    if (auto worker = env(kBackfillWorkerEnv)) return run_fargate_worker(session, env, *worker);
    Direction direction = Direction::kUp;
    const std::string dir = env("MIGRATION_DIRECTION").value_or("up");
    if (dir == "down") {
      direction = Direction::kDown;
    } else if (dir != "up") {
      throw std::invalid_argument("Invalid MIGRATION_DIRECTION: " + dir + ". Must be 'up' or 'down'.");
    }
    const app::Config& config = session.config();
    RunnerOptions options = app::runner_options(config, session.program(), direction);
    options.wait_for_lock = true;  // a dispatched run waits its turn rather than failing
    options.who = current_who();
    if (auto arn = env("MIGRATION_TASK_ARN")) options.who.ecs_task_arn = *arn;
    MigrationRunner runner(session.migrations(), session.store(), options);
    RunRequest request;
    request.direction = direction;
    request.target = env("MIGRATION_TARGET").value_or("");
    if (auto steps = env("MIGRATION_STEPS"); steps && !steps->empty()) {
      const auto n = app::parse_whole_number(*steps, 1);
      if (!n || *n > 1'000'000) {
        throw std::invalid_argument("Invalid MIGRATION_STEPS: " + *steps +
                                    ". Must be a whole number from 1 to 1000000.");
      }
      request.steps = static_cast<int>(*n);
    }
    request.execution_id = env("MIGRATION_EXECUTION_ID").value_or("");
    const ExecutionResult result = [&] {
      const StopSignalScope signals;
      return runner.run(request);
    }();
    std::string status(to_string(result.status));
    if (result.status == ExecutionStatus::kCompleted) {
      std::cerr << "[migrations] run finished with status=completed (execution " << result.execution_id
                << ", " << result.migrations_run.size() << " migration(s) run)" << std::endl;
      return app::kExitOk;
    }
    std::cerr << "[migrations] run finished with status=" << status
              << (result.error.empty() ? "" : " error=" + result.error) << std::endl;
    // Stopped by ECS (SIGTERM): suspended, and the task exits 143 like any stopped process.
    return result.failure == ExecutionResult::Failure::kStopped ? stopped_exit_code() : app::kExitFailed;
  } catch (const std::exception& e) {
    std::cerr << "[migrations] fatal error during fargate run: " << e.what() << std::endl;
    return app::kExitFailed;
  }
}

}  // namespace auric::lambda
