#include "app/progress.hpp"

#include <cstdio>
#include <iostream>

#include "core/lease.hpp"

namespace auric::app {

std::string format_duration(std::optional<std::int64_t> ms) {
  if (!ms) return "-";
  const std::int64_t v = *ms;
  if (v < 1000) return std::to_string(v) + "ms";
  char buf[32];
  if (v < 10'000) {
    std::snprintf(buf, sizeof buf, "%.2fs", static_cast<double>(v) / 1000.0);
    return buf;
  }
  if (v < 59'950) {  // below this, %.1f cannot round up to 60.0
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(v) / 1000.0);
    return buf;
  }
  const std::int64_t total_s = (v + 500) / 1000;
  return std::to_string(total_s / 60) + "m " + std::to_string(total_s % 60) + "s";
}

void print_run_event(const RunEvent& e, Direction dir) {
  const std::string d(to_string(dir));
  switch (e.kind) {
    case RunEvent::Kind::kWaitingForLock:
      std::cerr << "[migrations] waiting for the lock held by " << holder_text(e.lock) << " ..." << std::endl;
      break;
    case RunEvent::Kind::kPlanned:
      std::cerr << "[migrations] Planning to run " << e.ids.size() << " migration(s) (" << d << ")"
                << std::endl;
      break;
    case RunEvent::Kind::kRecovered:
      std::cerr << "[migrations] Recorded " << e.id
                << " as interrupted: the runner that was running it stopped before finishing" << std::endl;
      break;
    case RunEvent::Kind::kStarted:
      std::cerr << "[migrations] Running " << d << ": " << e.id << std::endl;
      break;
    case RunEvent::Kind::kFinished:
      if (e.status == RunStatus::kCompleted) {
        std::cerr << "[migrations] Completed " << d << ": " << e.id << " (" << format_duration(e.duration_ms)
                  << ")" << std::endl;
      } else {
        std::cerr << "[migrations] " << (e.status == RunStatus::kFailed ? "Failed " : "Suspended ") << d
                  << ": " << e.id << " (" << format_duration(e.duration_ms) << "): " << e.error << std::endl;
      }
      break;
    case RunEvent::Kind::kStopping:
      std::cerr << "[migrations] Stopping before " << e.id << ": " << e.error << std::endl;
      break;
    case RunEvent::Kind::kTookOver:
      std::cerr << "[migrations] Took over the lock from "
                << (e.lock ? holder_text(*e.lock) : std::string("a runner"))
                << ": that process is gone from this host; its work is recorded as interrupted" << std::endl;
      break;
  }
}

}  // namespace auric::app
