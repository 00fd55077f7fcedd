// Per-run output capture: a line ring buffer capped at 200 KiB (whole lines; dropping lines
// sets truncated), fed by the migration's Context logger and, while a StdioCapture is active,
// by everything written to file descriptors 1 and 2 (C printf, std::cout, child processes),
// which is still echoed to the original descriptors. OutputBuffer is thread-safe.
// Only one StdioCapture may be active per process at a time (it owns fds 1 and 2).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <auric/migrations.hpp>

namespace auric {

inline constexpr std::size_t kDefaultOutputCapBytes = 200 * 1024;

// Formats one captured line: `[2025-06-01T12:00:00.123Z] [info] message\n`.
std::string format_output_line(std::chrono::system_clock::time_point when, LogLevel level,
                               std::string_view message);

class OutputBuffer {
 public:
  explicit OutputBuffer(std::size_t cap_bytes = kDefaultOutputCapBytes);

  // Appends one formatted line (the message may not contain a newline; callers split).
  void append(LogLevel level, std::string_view message);
  // Appends an already formatted line (must end with '\n').
  void append_formatted(std::string line);

  // All kept lines concatenated.
  std::string str() const;
  bool truncated() const;
  bool empty() const;
  std::size_t size_bytes() const;

 private:
  mutable std::mutex mutex_;
  std::size_t cap_;
  std::size_t bytes_ = 0;
  bool truncated_ = false;
  std::deque<std::string> lines_;
};

// While alive, redirects fds 1 and 2 through pipes: every complete line written to them is
// appended to `buffer` (stdout at info, stderr at error) and echoed unchanged to the original
// descriptor. Partial last lines are flushed as a line on destruction. Also offers echo(),
// used by the Context logger so its lines reach the terminal without being captured twice.
// Throws std::system_error if the pipes cannot be created.
class StdioCapture {
 public:
  explicit StdioCapture(OutputBuffer& buffer);
  ~StdioCapture();
  StdioCapture(const StdioCapture&) = delete;
  StdioCapture& operator=(const StdioCapture&) = delete;

  // Writes `text` to the original stderr (not captured).
  void echo(std::string_view text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace auric
