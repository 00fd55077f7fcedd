// What the CLI shows of a running migration's Context::report_progress: the moving-average
// rate, the ETA, the one-line bar redrawn on a terminal, the plain `[migrations] Progress ...`
// line for pipes and logs, and the short form `status` and `migration` print. Pure: time is
// passed in, nothing is written anywhere, so all of it is tested without a terminal.
// RateMeter is not thread-safe (one reader samples it); the functions are.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "core/live_progress.hpp"

namespace auric::app {

// The rate of `done` over the last `window_ms`, from samples taken by the reader (not from
// the migration's reports, so a stalled migration's rate falls to 0 within the window).
class RateMeter {
 public:
  explicit RateMeter(std::int64_t window_ms = 5000) : window_ms_(window_ms) {}

  // Adds a sample. A `done` lower than the previous one (a new count) starts over.
  void add(std::int64_t now_ms, std::int64_t done);
  // Units per second over the kept samples; nullopt until they span at least kMinSpanMs.
  std::optional<double> per_second() const;
  void reset() { samples_.clear(); }

  static constexpr std::int64_t kMinSpanMs = 500;

 private:
  std::int64_t window_ms_;
  std::deque<std::pair<std::int64_t, std::int64_t>> samples_;  // (time ms, done), oldest first
};

// What one line shows: the migration, its latest report and the measured rate.
struct ProgressView {
  std::string id;
  ProgressSnapshot progress;
  std::optional<double> rate;  // units per second; unknown until measured
};

// 5210 -> "5,210".
std::string group_thousands(std::int64_t n);
// The whole percent done (0-100, rounded down); nullopt when the total is unknown. A total of
// 0 is 100%.
std::optional<int> percent_done(const ProgressSnapshot& p);
// Milliseconds left at `rate` per second; nullopt unless the total is known, not yet reached
// and the rate is above 0.
std::optional<std::int64_t> eta_ms(const ProgressSnapshot& p, std::optional<double> rate);
// "4s", "2m 5s", "1h 3m" (rounded up to the second: an ETA never reads 0s before the end).
std::string format_eta(std::int64_t ms);
// "1,234" for rates from 10 up, "2.5" below (plain: "1234"). Negative reads as 0.
std::string format_rate(double per_second, bool grouped);

// The terminal line, at most `columns - 1` characters (so it never wraps), no newline:
//   `  step-7  [#######.......]  52%  5,210/10,000 items  1,234 items/s  ETA 4s`
// Unknown total: `  step-7  5,210 items  1,234 items/s`. The rate and ETA appear once known.
std::string format_bar_line(const ProgressView& view, int columns);
// The plain line (no newline), for pipes, CI and CloudWatch:
//   `[migrations] Progress step-7: 5210/10000 items (52%), 1234 items/s, ETA 4s`
std::string format_plain_line(const ProgressView& view);
// `status` and `migration`: `52% (5,210/10,000 items), updated 3s ago`, or with an unknown
// total `5,210 items, updated 3s ago`.
std::string format_progress_summary(const ProgressSnapshot& p, std::int64_t now_ms);

}  // namespace auric::app
