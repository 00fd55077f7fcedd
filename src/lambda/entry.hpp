// How a migrations binary becomes a Lambda function or a Fargate task: the `lambda` and
// `fargate` commands, and the switch auric::run_main() uses to enter the Runtime API loop when
// AWS_LAMBDA_RUNTIME_API is set. Call from main's thread only.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "app/env.hpp"
#include "app/session.hpp"

namespace auric::lambda {

// Adds `lambda` (the Runtime API loop) and `fargate` (one run from MIGRATION_* variables) to
// the command registry (app/command.hpp). Call once, before run_cli().
void register_lambda_commands();

// When AWS_LAMBDA_RUNTIME_API is set and argv names no command other than `lambda`: runs the
// Runtime API loop and returns its exit code. Otherwise nullopt (run the CLI).
std::optional<int> run_if_lambda_environment(int argc, char** argv, const app::Program& program);

// The Runtime API loop for `program`'s migrations. Config: AURIC_MIGRATE_CONFIG, else
// $LAMBDA_TASK_ROOT/migrate.config.toml when present, else ./migrate.config.toml; the usual
// AURIC_MIGRATE_* variables override it. Returns the exit code.
int run_lambda_runtime(const app::Program& program);

// Where a Lambda function finds its config: AURIC_MIGRATE_CONFIG, else
// $LAMBDA_TASK_ROOT/migrate.config.toml when present, else the CLI default.
app::ConfigOverrides lambda_config_overrides();

// The `fargate` command: MIGRATION_DIRECTION (default up), MIGRATION_TARGET (empty: all),
// MIGRATION_STEPS (at most N migrations, as --steps),
// MIGRATION_EXECUTION_ID (default: a new id); no deadline; SIGTERM/SIGINT ask the run to stop
// (checked before each migration and through Context::should_stop()). Returns 0 when the run
// completed, else 1 after printing `[migrations] run finished with status=<s> error=<e>`.
int run_fargate(app::Session& session, const app::EnvLookup& env);

}  // namespace auric::lambda
