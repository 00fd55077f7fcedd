// The Lambda handler's settings: [lambda] of the resolved config (the same config `up` reads),
// overridden by the function's environment. Pure apart from reading the environment through
// the given lookup; thread-compatible.
#pragma once

#include "app/config.hpp"
#include "app/env.hpp"
#include "lambda/handler.hpp"

namespace auric::lambda {

// [lambda] stop_margin_seconds and max_hops from the config, overridden by
// MIGRATION_TIMEOUT_THRESHOLD_MS, MIGRATION_MAX_HOPS and MIGRATION_HANDOVER_TTL_SECONDS; the
// own function from AWS_LAMBDA_FUNCTION_NAME; dispatch from dispatch_settings_from_env().
// Throws std::invalid_argument for a malformed value.
HandlerSettings handler_settings(const app::Config& config, const app::EnvLookup& env);

}  // namespace auric::lambda
