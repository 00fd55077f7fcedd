// Human output helpers shared by every command: relative times, durations, padding, the
// status marks, colour (only on a TTY and never with NO_COLOR), and the run-detail block.
// Pure functions apart from Style::detect(); thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/progress.hpp"
#include "core/records.hpp"

namespace auric::cli {

// `a, b, c` (or with another separator): id lists in human output.
std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");

// `-`, `450ms`, `2.50s`, ...: the progress lines' duration format (app/progress.hpp), so a
// duration reads the same in a table as in the run's progress.
using app::format_duration;

// `30s ago`, `5m ago`, `3h ago`, `5d ago`, `3mo ago`, `2y ago`; a future time gives `just now`.
std::string format_relative(std::int64_t when_ms, std::int64_t now_ms);
// `YYYY-MM-DD HH:MM:SSZ`.
std::string format_timestamp(std::int64_t when_ms);
// `2026-12-03 14:02 UTC (3d ago)`: when something happened, to the minute and relative.
std::string format_applied_at(std::int64_t when_ms, std::int64_t now_ms);
// Right-pads to `width` (counting UTF-8 code points); never truncates.
std::string pad(std::string_view text, std::size_t width);
// Prefixes every non-empty line with `prefix`.
std::string indent(std::string_view text, std::string_view prefix);
// The text with trailing whitespace removed.
std::string trim_right(std::string_view text);
std::string trim(std::string_view text);

struct Style {
  bool color = false;
  // Colour when `fd` is a terminal and NO_COLOR is unset (or empty).
  static Style detect(int fd);
  std::string green(std::string_view s) const;
  std::string red(std::string_view s) const;
  std::string yellow(std::string_view s) const;
  std::string dim(std::string_view s) const;
  std::string bold(std::string_view s) const;
};

inline constexpr std::string_view kMarkDone = "\u2713";       // ✓
inline constexpr std::string_view kMarkPending = "\u25CB";    // ○
inline constexpr std::string_view kMarkFailed = "\u2717";     // ✗
inline constexpr std::string_view kMarkSuspended = "\u25D1";  // ◑
std::string rule(std::size_t width);                          // ─ × width
std::string heavy_rule(std::size_t width);                    // ═ × width

// ✓ / ○ / ✗ for a run status, coloured.
std::string mark_for(RunStatus status, const Style& style);

// The run-detail block of `migration` and `executions --detail` (reference section 8):
// Description, Error, Result, Output sections, or a placeholder when all are empty.
std::string render_run_detail(const RunRecord& run);

}  // namespace auric::cli
