// The process-wide stop request: the first SIGINT/SIGTERM sets a flag that runners poll
// (RunnerOptions::stop_requested, Context::should_stop()); a second one stops the process at
// once with the default action. Installation is process-global; the flag is lock-free.
#pragma once

#include <atomic>

namespace auric {

// Installs the handlers for SIGINT and SIGTERM and clears the flag. Returns the flag.
const std::atomic<bool>& install_stop_signal_handlers();
// Restores the default actions (the flag keeps its value).
void restore_default_signal_handlers();
// The flag itself (false until a signal arrives after install).
const std::atomic<bool>& stop_signal_flag();
// The first signal that set the flag since install (SIGINT or SIGTERM), 0 for none. Exit
// codes follow the shell's 128 + signal: 130 for SIGINT, 143 for SIGTERM.
int last_stop_signal();
// The exit code of a run stopped by that signal: 128 + the signal (SIGINT when none was seen).
int stopped_exit_code();

// Installs the handlers for its lifetime and restores the defaults on exit.
class StopSignalScope {
 public:
  StopSignalScope() { install_stop_signal_handlers(); }
  ~StopSignalScope() { restore_default_signal_handlers(); }
  StopSignalScope(const StopSignalScope&) = delete;
  StopSignalScope& operator=(const StopSignalScope&) = delete;
};

}  // namespace auric
