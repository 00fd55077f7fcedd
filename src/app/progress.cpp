#include "app/progress.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>

#include "app/progress_bar.hpp"
#include "core/lease.hpp"
#include "core/system.hpp"

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

ProgressMode progress_mode(bool no_progress, int fd, const EnvLookup& env) {
  if (no_progress) return ProgressMode::kOff;
  if (::isatty(fd) != 1) return ProgressMode::kPlain;
  const auto term = env("TERM");
  return term && *term == "dumb" ? ProgressMode::kPlain : ProgressMode::kBar;
}

std::chrono::milliseconds plain_progress_interval(const EnvLookup& env) {
  if (const auto text = env("AURIC_MIGRATE_PROGRESS_INTERVAL_MS")) {
    if (const auto ms = parse_whole_number(*text, 1)) return std::chrono::milliseconds(*ms);
  }
  return std::chrono::seconds(10);
}

namespace {

constexpr std::int64_t kTickMs = 200;  // 5 redraws a second at most

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a broken terminal: give the rest up
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

int dup_cloexec(int fd) {
  return ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

bool same_terminal(int a, int b) {
  struct stat sa {};
  struct stat sb {};
  return ::isatty(a) == 1 && ::isatty(b) == 1 && ::fstat(a, &sa) == 0 && ::fstat(b, &sb) == 0 &&
         sa.st_rdev == sb.st_rdev;
}

}  // namespace

struct ProgressDisplay::Impl {
  ProgressMode mode = ProgressMode::kOff;
  ProgressSource source;
  std::int64_t plain_interval_ms = 10'000;
  std::function<std::int64_t()> now;
  int out_fd = -1;        // stderr as it was: the terminal, or the pipe/file of the plain lines
  int pipe_read = -1;     // kBar: what fds 1 and 2 write now
  int saved_stdout = -1;  // kBar: fd 1 as it was, when it was the same terminal and routed too
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable wake;
  std::thread thread;

  // The reader thread's state.
  RateMeter meter;
  std::string id;  // the migration the meter measures
  std::int64_t plain_due = 0;
  bool bar_shown = false;
  bool at_line_start = true;

  // Samples the source; the view to show, or nullopt when nothing has been reported.
  std::optional<ProgressView> sample(std::int64_t now_ms) {
    auto live = source ? source() : std::nullopt;
    if (!live || live->first != id) {
      meter.reset();
      id = live ? live->first : std::string();
      plain_due = now_ms + plain_interval_ms;
    }
    if (!live || live->second.version == 0) return std::nullopt;
    meter.add(now_ms, live->second.done);
    return ProgressView{live->first, live->second, meter.per_second()};
  }

  int columns() const {
    struct winsize ws {};
    if (::ioctl(out_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
  }

  void erase_bar() {
    if (!bar_shown) return;
    write_all(out_fd, "\r\x1b[K");
    bar_shown = false;
  }

  void tick_bar(std::int64_t now_ms) {
    const auto view = sample(now_ms);
    if (!view) {
      erase_bar();
      return;
    }
    if (!at_line_start) return;  // a partial line is on screen: draw after its newline
    write_all(out_fd, "\r" + format_bar_line(*view, columns()) + "\x1b[K");
    bar_shown = true;
  }

  void run_bar() {
    char buf[16384];
    std::int64_t next_tick = now();
    std::int64_t give_up = 0;  // after stopping: stop copying a background child's output
    for (;;) {
      const std::int64_t t = now();
      const bool stop = stopping.load();
      if (stop && give_up == 0) give_up = t + 1000;
      pollfd pfd{pipe_read, POLLIN, 0};
      const int timeout = stop ? 50 : static_cast<int>(std::max<std::int64_t>(0, next_tick - t));
      const int n = ::poll(&pfd, 1, timeout);
      if (n < 0 && errno != EINTR) break;
      if (n > 0) {
        const ssize_t got = ::read(pipe_read, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;  // every writer is gone (fds 1 and 2 restored)
        erase_bar();
        write_all(out_fd, std::string_view(buf, static_cast<std::size_t>(got)));
        at_line_start = buf[got - 1] == '\n';
        if (stop && now() < give_up) continue;
      }
      if (stop && (n == 0 || now() >= give_up)) break;
      if (!stop && now() >= next_tick) {
        tick_bar(now());
        next_tick = now() + kTickMs;
      }
    }
    erase_bar();
  }

  void run_plain() {
    const std::int64_t tick = std::min(kTickMs, plain_interval_ms);
    std::unique_lock lock(mutex);
    while (!stopping.load()) {
      wake.wait_for(lock, std::chrono::milliseconds(tick), [&] { return stopping.load(); });
      if (stopping.load()) break;
      const std::int64_t t = now();
      const auto view = sample(t);
      if (view && t >= plain_due) {
        write_all(out_fd, format_plain_line(*view) + "\n");
        plain_due = t + plain_interval_ms;
      }
    }
  }
};

ProgressDisplay::ProgressDisplay(ProgressMode mode, ProgressSource source,
                                 std::chrono::milliseconds plain_interval,
                                 std::function<std::int64_t()> now_ms)
    : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.mode = mode;
  d.source = std::move(source);
  d.plain_interval_ms = std::max<std::int64_t>(1, plain_interval.count());
  d.now = now_ms ? std::move(now_ms) : std::function<std::int64_t()>(system_now_ms);
  if (mode == ProgressMode::kOff) return;
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  d.out_fd = dup_cloexec(2);
  if (d.out_fd < 0) throw std::system_error(errno, std::generic_category(), "dup(stderr)");
  if (mode == ProgressMode::kPlain) {
    d.thread = std::thread([&d] { d.run_plain(); });
    return;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    const int err = errno;
    ::close(d.out_fd);
    throw std::system_error(err, std::generic_category(), "pipe");
  }
  d.pipe_read = fds[0];
  if (same_terminal(1, 2)) {
    d.saved_stdout = dup_cloexec(1);
    if (d.saved_stdout >= 0) ::dup2(fds[1], 1);
  }
  ::dup2(fds[1], 2);
  ::close(fds[1]);
  d.thread = std::thread([&d] { d.run_bar(); });
}

ProgressDisplay::~ProgressDisplay() {
  Impl& d = *impl_;
  if (d.mode == ProgressMode::kOff) return;
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  if (d.mode == ProgressMode::kBar) {
    // Writers first: the copy thread then drains the pipe to its end.
    ::dup2(d.out_fd, 2);
    if (d.saved_stdout >= 0) {
      ::dup2(d.saved_stdout, 1);
      ::close(d.saved_stdout);
    }
  }
  {
    const std::lock_guard lock(d.mutex);
    d.stopping.store(true);
  }
  d.wake.notify_all();
  if (d.thread.joinable()) d.thread.join();
  if (d.pipe_read >= 0) ::close(d.pipe_read);
  ::close(d.out_fd);
}

}  // namespace auric::app
