// Shared plumbing of the Lambda and Fargate entry points: the runner configuration derived
// from the resolved CLI config (the same settings `up` uses), progress lines for CloudWatch,
// and the environment settings of the Lambda handler. Pure apart from reading the environment
// through the given lookup; thread-compatible.
#pragma once

#include <optional>
#include <string>

#include "cli/cli.hpp"
#include "core/runner.hpp"
#include "lambda/handler.hpp"

namespace auric::lambda {

// The runner settings of `config` (lease, heartbeat, wait timeout, [context], user context,
// Context::dynamodb()) for `program`'s migrations, with progress lines on stderr.
RunnerOptions runner_options_from_config(const cli::Config& config, const cli::Program& program,
                                         Direction direction);

// One "[migrations] ..." line per progress event, on stderr (CloudWatch).
void log_run_event(const RunEvent& event, Direction direction);

// [lambda] stop_margin_seconds and max_hops from the config, overridden by
// MIGRATION_TIMEOUT_THRESHOLD_MS, MIGRATION_MAX_HOPS and MIGRATION_HANDOVER_TTL_SECONDS; the
// own function from AWS_LAMBDA_FUNCTION_NAME; dispatch from dispatch_settings_from_env().
// Throws std::invalid_argument for a malformed value.
HandlerSettings handler_settings(const cli::Config& config, const EnvLookup& env);

}  // namespace auric::lambda
