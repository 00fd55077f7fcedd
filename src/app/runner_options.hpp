// The runner settings every way of running shares (CLI `up`/`down`, the dashboard, Lambda,
// Fargate), so a migration sees the same Context wherever it runs. Pure apart from the stop
// flag it points at; thread-safe.
#pragma once

#include "app/config.hpp"
#include "app/session.hpp"
#include "core/runner.hpp"

namespace auric::app {

// RunnerOptions from the configuration: lease and heartbeat, wait timeout, the [context]
// table, the user context factory, the client behind ctx.dynamodb(), the SIGINT/SIGTERM stop
// flag, and progress lines on stderr (print_run_event) for `direction`.
RunnerOptions runner_options(const Config& config, const Program& program, Direction direction);

}  // namespace auric::app
