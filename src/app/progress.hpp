// Progress lines of a run, the same wherever it runs (CLI, dashboard, Lambda, Fargate): one
// `[migrations] ...` line on stderr per RunEvent, so the terminal and CloudWatch read alike.
// Also the duration format those lines (and the CLI's tables) use, and ProgressDisplay: the
// running migration's report_progress as a bar on a terminal or a plain line every 10 s.
// The functions are thread-safe; a ProgressDisplay is made and destroyed on one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "app/env.hpp"
#include "core/live_progress.hpp"
#include "core/runner.hpp"

namespace auric::app {

// `-`, `450ms`, `2.50s`, `45.0s`, `2m 5s` (seconds rounded, never `1m 60s`).
std::string format_duration(std::optional<std::int64_t> ms);

// One progress line on stderr: `[migrations] Running up: <id>`, `Completed up: <id> (12ms)`...
void print_run_event(const RunEvent& event, Direction direction);

// How a run's report_progress is shown on stderr while `up` / `down` / `redo` run.
enum class ProgressMode {
  kOff,    // --no-progress
  kBar,    // stderr is a terminal (and TERM is not `dumb`): one bar line redrawn in place
  kPlain,  // anything else (pipe, file, CI, CloudWatch, TERM=dumb): a plain line now and then
};

// The mode for file descriptor `fd` (stderr): kOff when `no_progress`, kBar on a terminal
// unless TERM is `dumb` (no cursor control), otherwise kPlain. NO_COLOR does not matter: the
// bar has no colour.
ProgressMode progress_mode(bool no_progress, int fd, const EnvLookup& env);

// The plain line's period: AURIC_MIGRATE_PROGRESS_INTERVAL_MS (a whole number >= 1, for
// tests and CI) or 10 s.
std::chrono::milliseconds plain_progress_interval(const EnvLookup& env);

// The migration running now and its latest report (MigrationRunner::live_progress).
using ProgressSource = std::function<std::optional<std::pair<std::string, ProgressSnapshot>>()>;

// While alive, shows the running migration's progress from `source` (polled by a thread of
// its own, 5 times a second) on stderr; nothing for a migration that has reported none.
// kBar: stderr (and stdout, when it is the same terminal) are routed through a pipe that the
// display's thread copies to the terminal, so it owns every byte the terminal gets: it erases
// the bar before passing on output (the `[migrations]` lines, what a migration logs or
// prints, echoed by the runner's capture) and draws it again only when the cursor is at the
// start of a line; the bar is erased when the migration ends and when the display is
// destroyed. kPlain: a `[migrations] Progress ...` line every `plain_interval` per migration
// (none for a migration that ends sooner), written to stderr as it was when the display was
// made, so it is not captured into the run's output. kOff: nothing.
// Make it before the run starts and destroy it after (on the same thread); fds 1 and 2 are
// restored by the destructor. Throws std::system_error when the pipe cannot be made.
class ProgressDisplay {
 public:
  ProgressDisplay(ProgressMode mode, ProgressSource source, std::chrono::milliseconds plain_interval,
                  std::function<std::int64_t()> now_ms = {});
  ~ProgressDisplay();
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace auric::app
