// Per-run output capture: a line ring buffer capped at 200 KiB (whole lines; dropping lines
// sets truncated), fed by the migration's Context logger and, while a StdioCapture is active,
// by everything written to file descriptors 1 and 2 (C printf, std::cout, child processes),
// which is still echoed to the original descriptors. OutputBuffer and StdioCapture's methods
// are thread-safe. Only one StdioCapture may be active per process at a time (it owns fds 1
// and 2).
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

// Formats one captured line: `[2025-06-01T12:00:00.123Z] [info] message\n` (UTC, milliseconds
// truncated, not rounded). Thread-safe; caches the per-second part of the stamp per thread.
std::string format_output_line(std::chrono::system_clock::time_point when, LogLevel level,
                               std::string_view message);

// The newest lines of one run, at most cap_bytes in total (bytes of the formatted lines).
// When an append makes the total exceed the cap, the oldest lines are dropped and truncated()
// becomes true. A single line that is larger than the cap on its own is not dropped but
// shortened: its head is kept (cut on a UTF-8 character boundary) followed by
// ` … [N bytes dropped]` so that it fits the cap, every older line is dropped and truncated()
// becomes true. All methods may be called concurrently.
class OutputBuffer {
 public:
  explicit OutputBuffer(std::size_t cap_bytes = kDefaultOutputCapBytes);

  // Appends one line stamped with the current time (the message may not contain a newline;
  // callers split).
  void append(LogLevel level, std::string_view message);
  // Appends an already formatted line (must end with '\n'; one is added when missing).
  void append_formatted(std::string line);

  // All kept lines concatenated, oldest first.
  std::string str() const;
  // True once any byte has been dropped (whole lines evicted or one line shortened).
  bool truncated() const;
  bool empty() const;
  // Total bytes of the kept lines (== str().size()); never more than cap_bytes().
  std::size_t size_bytes() const;
  std::size_t cap_bytes() const { return cap_; }
  // Bytes of every line ever appended (kept or dropped): grows monotonically, so a reader can
  // tell how much arrived since it last looked.
  std::uint64_t appended_bytes() const;
  // The kept lines and the truncated flag, read together.
  struct Snapshot {
    std::string text;
    bool truncated = false;
    std::uint64_t appended_bytes = 0;
  };
  Snapshot snapshot() const;

 private:
  friend class StdioCapture;

  // Appends `message` labelled `label` ("info", "stdout", ...), noting that `dropped_before`
  // further bytes of the same line were already discarded by the caller (the line is then
  // marked as shortened).
  void append_line(std::string_view label, std::string_view message, std::size_t dropped_before);
  // Stores a formatted line that fits the cap (or an empty one, meaning "nothing fits").
  void push(std::string line, bool shortened);

  mutable std::mutex mutex_;
  const std::size_t cap_;
  std::size_t bytes_ = 0;
  bool truncated_ = false;
  std::uint64_t appended_ = 0;
  std::deque<std::string> lines_;
};

// While alive, redirects fds 1 and 2 through pipes: every complete line written to them is
// appended to `buffer` (labelled `[stdout]` or `[stderr]`) and the raw bytes are echoed
// unchanged to the original descriptors, batched: written once 64 KiB are queued (up to the
// last whole line), everything queued at least every 100 ms, when the capture ends and at
// process exit (so a line costs no write of its own). When the original stdout and stderr are
// the same file (a terminal, `2>&1`), their echo shares one queue and keeps its order. One
// reader thread serves every capture of the process, started by the first one. A line is
// placed in the buffer when its newline arrives; partial last lines are flushed as a line on
// destruction. A line longer than the buffer's cap is held only up to the cap (the rest is
// counted as dropped), so memory stays bounded whatever is written.
// Order: log() takes what is already in the pipes first, so the buffer keeps the order in
// which one thread printed and logged. Lines written to stdout and to stderr in between two
// log() calls, and read by the reader in one go, are placed stdout first.
// The destructor flushes C and C++ stdio, restores fds 1 and 2 and drains what was written
// before; output of a background child that outlives the capture and keeps writing is cut off
// once the pipes stay idle for a short grace period.
// Throws std::system_error if the pipes cannot be created, std::logic_error if another
// StdioCapture is already active.
class StdioCapture {
 public:
  explicit StdioCapture(OutputBuffer& buffer);
  ~StdioCapture();
  StdioCapture(const StdioCapture&) = delete;
  StdioCapture& operator=(const StdioCapture&) = delete;

  // Captures one formatted line of the Context logger (format_output_line; a missing final
  // '\n' is added) in write order: flushes C and C++ stdio, moves whatever stdout and stderr
  // bytes are already in the pipes into the buffer (without waiting; one poll(2) when they are
  // empty), then appends the line and queues its echo to the original stderr. Safe from any
  // thread; never throws for I/O errors (the echo is given up on a broken descriptor).
  void log(std::string_view formatted_line);
  // Queues `text` for the original stderr (not captured), after what the capture already
  // queued there. Safe from any thread.
  void echo(std::string_view text);
  // Writes everything queued for the original descriptors now.
  void flush_echo();

  struct Impl;  // implementation detail (public for the process-wide reader thread)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace auric
