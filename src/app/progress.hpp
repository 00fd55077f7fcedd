// Progress lines of a run, the same wherever it runs (CLI, dashboard, Lambda, Fargate): one
// `[migrations] ...` line on stderr per RunEvent, so the terminal and CloudWatch read alike.
// Also the duration format those lines (and the CLI's tables) use. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/runner.hpp"

namespace auric::app {

// `-`, `450ms`, `2.50s`, `45.0s`, `2m 5s` (seconds rounded, never `1m 60s`).
std::string format_duration(std::optional<std::int64_t> ms);

// One progress line on stderr: `[migrations] Running up: <id>`, `Completed up: <id> (12ms)`...
void print_run_event(const RunEvent& event, Direction direction);

}  // namespace auric::app
