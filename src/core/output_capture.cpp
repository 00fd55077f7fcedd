#include "core/output_capture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <stdio_ext.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include <fmt/format.h>

namespace auric {
namespace {

// ---------------------------------------------------------------------------------------------
// Line formatting

// "[<stamp>] [<label>] " for one instant and label (a level, or the stream a line came from).
// The per-second part of the stamp is cached per thread, so formatting a line costs a few
// copies, not a calendar computation.
struct LinePrefix {
  std::array<char, 88> data;
  std::size_t size = 0;

  std::string_view view() const { return {data.data(), size}; }
};

struct SecondStampCache {
  std::int64_t second = INT64_MIN;
  std::array<char, 48> text{};  // "YYYY-MM-DDTHH:MM:SS" (longer for years beyond 9999)
  std::size_t size = 0;
};

LinePrefix make_prefix(std::chrono::system_clock::time_point when, std::string_view label) {
  using namespace std::chrono;
  thread_local SecondStampCache cache;

  const auto whole_seconds = floor<seconds>(when);
  const std::int64_t second = whole_seconds.time_since_epoch().count();
  if (second != cache.second) {
    const auto day = floor<days>(whole_seconds);
    const year_month_day date{day};
    const hh_mm_ss<seconds> time{whole_seconds - day};
    const auto result = fmt::format_to_n(
        cache.text.data(), cache.text.size(), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        static_cast<int>(date.year()), static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
        time.hours().count(), time.minutes().count(), time.seconds().count());
    cache.size = std::min(result.size, cache.text.size());
    cache.second = second;
  }
  const auto millis = static_cast<unsigned>(duration_cast<milliseconds>(when - whole_seconds).count());
  // The prefix has room for a 48-byte stamp and a label of up to 24 bytes.
  label = label.substr(0, 24);

  LinePrefix prefix;
  char* out = prefix.data.data();
  *out++ = '[';
  out = std::copy_n(cache.text.data(), cache.size, out);
  *out++ = '.';
  *out++ = static_cast<char>('0' + millis / 100);
  *out++ = static_cast<char>('0' + millis / 10 % 10);
  *out++ = static_cast<char>('0' + millis % 10);
  *out++ = 'Z';
  *out++ = ']';
  *out++ = ' ';
  *out++ = '[';
  out = std::copy(label.begin(), label.end(), out);
  *out++ = ']';
  *out++ = ' ';
  prefix.size = static_cast<std::size_t>(out - prefix.data.data());
  return prefix;
}

std::string join_line(std::string_view prefix, std::string_view message) {
  std::string line;
  line.resize(prefix.size() + message.size() + 1);
  char* out = line.data();
  out = std::copy(prefix.begin(), prefix.end(), out);
  out = std::copy(message.begin(), message.end(), out);
  *out = '\n';
  return line;
}

// ---------------------------------------------------------------------------------------------
// Shortening a line that does not fit the cap

constexpr std::string_view kDroppedOpen = " \u2026 [";  // " … ["
constexpr std::string_view kDroppedClose = " bytes dropped]\n";

std::size_t decimal_digits(std::size_t value) {
  std::size_t digits = 1;
  while (value >= 10) {
    value /= 10;
    ++digits;
  }
  return digits;
}

std::size_t dropped_suffix_size(std::size_t dropped) {
  return kDroppedOpen.size() + decimal_digits(dropped) + kDroppedClose.size();
}

bool is_utf8_continuation(char byte) {
  return (static_cast<unsigned char>(byte) & 0xC0U) == 0x80U;
}

// A line's content (without its newline) held as two pieces, so that a prefix and a message
// need not be concatenated before shortening.
struct SplitText {
  std::string_view first;
  std::string_view second;

  std::size_t size() const { return first.size() + second.size(); }
  char at(std::size_t i) const { return i < first.size() ? first[i] : second[i - first.size()]; }
  void append_head(std::string& out, std::size_t n) const {
    out.append(first.substr(0, n));
    if (n > first.size()) out.append(second.substr(0, n - first.size()));
  }
};

// Returns `content` (+ `dropped_before` bytes the caller already discarded) as one line of at
// most `cap` bytes: its head, cut before a UTF-8 character, then ` … [N bytes dropped]\n`
// where N counts every byte of the original line that is missing. Returns an empty string
// when not even the suffix fits.
std::string shorten_line(const SplitText& content, std::size_t dropped_before, std::size_t cap) {
  const std::size_t size = content.size();
  std::size_t keep = size;
  if (size + dropped_suffix_size(dropped_before) > cap) {
    const std::size_t worst_suffix = dropped_suffix_size(size + dropped_before);
    if (worst_suffix > cap) return {};
    keep = std::min(size, cap - worst_suffix);
    // Never split a multi-byte sequence: back up to its lead byte (at most 3 bytes; anything
    // longer is not UTF-8 anyway).
    for (int step = 0; step < 3 && keep > 0 && is_utf8_continuation(content.at(keep)); ++step) {
      --keep;
    }
  }
  const std::size_t dropped = size - keep + dropped_before;
  std::string line;
  line.reserve(keep + dropped_suffix_size(dropped));
  content.append_head(line, keep);
  line.append(kDroppedOpen);
  fmt::format_to(std::back_inserter(line), "{}", dropped);
  line.append(kDroppedClose);
  return line;
}

// ---------------------------------------------------------------------------------------------
// File descriptor helpers

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void close_fd(int& fd) {
  if (fd >= 0) {
    ::close(fd);  // not retried on EINTR: on Linux the descriptor is released regardless
    fd = -1;
  }
}

// Duplicates `fd` onto the lowest free descriptor above stdio, close-on-exec. -1 when `fd` is
// not open.
int dup_above_stdio(int fd) {
  return ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

// Makes sure neither end of a fresh pipe landed on 0..2 (possible when stdio was closed), so
// that redirecting fds 1 and 2 cannot clobber it.
void move_above_stdio(int& fd) {
  if (fd > 2) return;
  const int moved = dup_above_stdio(fd);
  if (moved < 0) throw_errno("fcntl(F_DUPFD_CLOEXEC)");
  ::close(fd);
  fd = moved;
}

int dup2_retry(int from, int to) {
  int result;
  do {
    result = ::dup2(from, to);
  } while (result < 0 && (errno == EINTR || errno == EBUSY));
  return result;
}

// How long a non-blocking original descriptor may stay unwritable before echoing to it is
// given up for the rest of the capture (capturing itself must keep going).
constexpr int kEchoStallTimeoutMs = 2000;
// After the destructor has restored fds 1 and 2, the reader drains until EOF; if the pipes
// stay idle this long (a background child still holds a write end), it stops.
constexpr int kDrainGraceMs = 250;
constexpr std::size_t kReadChunkBytes = 64 * 1024;
// Larger pipes mean fewer wake-ups for the reader; failure to grow them is harmless.
constexpr int kPipeBytes = 1024 * 1024;
// Echoed bytes are batched: written once this many are pending (up to the last whole line),
// and everything pending at least every kEchoFlushMs and when the capture ends.
constexpr std::size_t kEchoBatchBytes = 64 * 1024;
constexpr int kEchoFlushMs = 100;
// StdioCapture::log drains at most this many chunks per stream, so that a writer that never
// pauses cannot keep a log call reading forever (a full pipe holds kPipeBytes).
constexpr std::size_t kMaxDrainChunks = kPipeBytes / kReadChunkBytes + 1;

// Writes all of `data` to `fd`, retrying EINTR and partial writes and waiting for a
// non-blocking descriptor to become writable. Returns false when the descriptor is broken
// (EPIPE, EBADF, ...) or stayed unwritable for kEchoStallTimeoutMs.
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written > 0) {
      data.remove_prefix(static_cast<std::size_t>(written));
      continue;
    }
    if (written < 0 && errno == EINTR) continue;
    if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd wait{fd, POLLOUT, 0};
      int ready;
      do {
        ready = ::poll(&wait, 1, kEchoStallTimeoutMs);
      } while (ready < 0 && errno == EINTR);
      if (ready <= 0 || (wait.revents & (POLLERR | POLLNVAL)) != 0) return false;
      continue;
    }
    return false;
  }
  return true;
}

void flush_stdio() {
  std::cout.flush();
  std::cerr.flush();
  std::clog.flush();
  std::fflush(stdout);
  std::fflush(stderr);
}

// Whether a stream buffer holds unwritten bytes in its put area (a C++ standard stream that is
// not synced with stdio; synced ones have no put area and write through C stdio).
struct PutArea : std::streambuf {
  static bool pending(const std::streambuf* buf) {
    using Pointer = char* (std::streambuf::*)() const;
    const Pointer next = &PutArea::pptr;
    const Pointer base = &PutArea::pbase;
    return buf != nullptr && (buf->*next)() != (buf->*base)();
  }
};

// flush_stdio for the hot path: flushes only the streams that hold bytes, which is usually
// none, so a log line pays a few loads instead of five locked flushes.
void flush_pending_stdio() {
  for (std::ostream* stream : {&std::cout, &std::cerr, &std::clog}) {
    if (PutArea::pending(stream->rdbuf())) stream->flush();
  }
  if (__fpending(stdout) > 0) std::fflush(stdout);
  if (__fpending(stderr) > 0) std::fflush(stderr);
}

std::atomic<bool> g_capture_active{false};

}  // namespace

// =============================================================================================
// format_output_line / OutputBuffer

std::string format_output_line(std::chrono::system_clock::time_point when, LogLevel level,
                               std::string_view message) {
  return join_line(make_prefix(when, to_string(level)).view(), message);
}

OutputBuffer::OutputBuffer(std::size_t cap_bytes) : cap_(cap_bytes) {}

void OutputBuffer::append(LogLevel level, std::string_view message) {
  append_line(to_string(level), message, 0);
}

void OutputBuffer::append_line(std::string_view label, std::string_view message, std::size_t dropped_before) {
  const LinePrefix prefix = make_prefix(std::chrono::system_clock::now(), label);
  if (dropped_before == 0 && prefix.size + message.size() + 1 <= cap_) {
    push(join_line(prefix.view(), message), false);
  } else {
    push(shorten_line(SplitText{prefix.view(), message}, dropped_before, cap_), true);
  }
}

void OutputBuffer::append_formatted(std::string line) {
  if (line.empty() || line.back() != '\n') line.push_back('\n');
  if (line.size() <= cap_) {
    push(std::move(line), false);
  } else {
    const std::string_view content(line.data(), line.size() - 1);
    push(shorten_line(SplitText{content, {}}, 0, cap_), true);
  }
}

void OutputBuffer::push(std::string line, bool shortened) {
  const std::lock_guard lock(mutex_);
  if (shortened) truncated_ = true;
  appended_ += line.size();
  if (line.empty()) {  // not even a shortened line fits the cap: it and everything older go
    lines_.clear();
    bytes_ = 0;
    return;
  }
  bytes_ += line.size();
  lines_.push_back(std::move(line));
  while (bytes_ > cap_) {  // the new line fits on its own, so it is never evicted here
    bytes_ -= lines_.front().size();
    lines_.pop_front();
    truncated_ = true;
  }
}

std::string OutputBuffer::str() const {
  const std::lock_guard lock(mutex_);
  std::string out;
  out.reserve(bytes_);
  for (const std::string& line : lines_) out += line;
  return out;
}

std::uint64_t OutputBuffer::appended_bytes() const {
  const std::lock_guard lock(mutex_);
  return appended_;
}

OutputBuffer::Snapshot OutputBuffer::snapshot() const {
  const std::lock_guard lock(mutex_);
  Snapshot s;
  s.text.reserve(bytes_);
  for (const std::string& line : lines_) s.text += line;
  s.truncated = truncated_;
  s.appended_bytes = appended_;
  return s;
}

bool OutputBuffer::truncated() const {
  const std::lock_guard lock(mutex_);
  return truncated_;
}

bool OutputBuffer::empty() const {
  const std::lock_guard lock(mutex_);
  return lines_.empty();
}

std::size_t OutputBuffer::size_bytes() const {
  const std::lock_guard lock(mutex_);
  return bytes_;
}

// =============================================================================================
// StdioCapture

struct StdioCapture::Impl {
  // Where echoed bytes go: an original descriptor and what is queued for it. When the original
  // stdout and stderr are the same file (a terminal, `2>&1`), both streams share stderr's
  // target, so the echo keeps their relative order as the buffer does.
  struct EchoTarget {
    int fd = -1;          // the original descriptor (not owned), -1 if it was closed
    bool ok = true;       // false once the original stopped accepting writes
    std::string pending;  // bytes to echo not yet written
  };

  // One captured descriptor: its pipe, its label, and the line being built.
  struct Stream {
    Stream(std::string_view line_label, int fd) : label(line_label), target_fd(fd) {}

    std::string_view label;  // "stdout" or "stderr"
    int target_fd;           // 1 or 2
    int saved_fd = -1;       // the original descriptor (dup), -1 if it was closed
    int read_fd = -1;        // non-blocking
    int write_fd = -1;       // our copy of the write end, closed once dup2'ed onto target_fd
    EchoTarget* echo = nullptr;
    std::string partial;              // head of the current unterminated line, at most cap bytes
    std::size_t partial_dropped = 0;  // bytes of the current line beyond `partial`
  };

  OutputBuffer& buffer;
  std::array<Stream, 2> streams{Stream{"stdout", STDOUT_FILENO}, Stream{"stderr", STDERR_FILENO}};
  std::array<EchoTarget, 2> echo_targets;
  int wake_fd = -1;   // eventfd: the destructor's "fds are restored, drain and stop"
  int ready_fd = -1;  // epoll set of both read ends: log()'s one-syscall "anything there?"
  // Guards reading the pipes and the streams' partial lines, so that log() on a migration's
  // thread and the reader thread take bytes out of the pipes and into the buffer in order.
  std::mutex read_mutex;
  std::string chunk;      // read scratch (guarded by read_mutex)
  std::mutex echo_mutex;  // guards echo_targets

  explicit Impl(OutputBuffer& target) : buffer(target) {}

  ~Impl() {
    for (Stream& stream : streams) {
      close_fd(stream.saved_fd);
      close_fd(stream.read_fd);
      close_fd(stream.write_fd);
    }
    close_fd(wake_fd);
    close_fd(ready_fd);
  }

  void open() {
    for (Stream& stream : streams) {
      stream.saved_fd = dup_above_stdio(stream.target_fd);
      if (stream.saved_fd < 0 && errno != EBADF) throw_errno("fcntl(F_DUPFD_CLOEXEC)");
      int ends[2];
      if (::pipe2(ends, O_CLOEXEC) != 0) throw_errno("pipe2");
      stream.read_fd = ends[0];
      stream.write_fd = ends[1];
      move_above_stdio(stream.read_fd);
      move_above_stdio(stream.write_fd);
      // The reader and log() both read: whoever comes second must find the pipe empty, not
      // block on it.
      ::fcntl(stream.read_fd, F_SETFL, ::fcntl(stream.read_fd, F_GETFL) | O_NONBLOCK);
      ::fcntl(stream.write_fd, F_SETPIPE_SZ, kPipeBytes);
    }
    wake_fd = ::eventfd(0, EFD_CLOEXEC);
    if (wake_fd < 0) throw_errno("eventfd");
    move_above_stdio(wake_fd);
    // epoll_wait with a zero timeout costs about a bare system call; poll(2) of the two pipes
    // costs nearly twice that, and log() asks on every line.
    ready_fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (ready_fd < 0) throw_errno("epoll_create1");
    move_above_stdio(ready_fd);
    for (std::uint32_t i = 0; i < streams.size(); ++i) {
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u32 = i;
      if (::epoll_ctl(ready_fd, EPOLL_CTL_ADD, streams[i].read_fd, &event) != 0) throw_errno("epoll_ctl");
    }
    chunk.resize(kReadChunkBytes);

    for (std::size_t i = 0; i < streams.size(); ++i) {
      echo_targets[i].fd = streams[i].saved_fd;
      streams[i].echo = &echo_targets[i];
    }
    if (same_file(streams[0].saved_fd, streams[1].saved_fd)) streams[0].echo = &echo_targets[1];
  }

  static bool same_file(int a, int b) {
    if (a < 0 || b < 0) return false;
    struct stat sa {};
    struct stat sb {};
    return ::fstat(a, &sa) == 0 && ::fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  }

  // Points fds 1 and 2 at the pipes. dup2 leaves the targets without close-on-exec, so child
  // processes inherit them.
  void redirect() {
    for (Stream& stream : streams) {
      if (dup2_retry(stream.write_fd, stream.target_fd) < 0) {
        const int error = errno;
        restore();
        errno = error;
        throw_errno("dup2");
      }
    }
    for (Stream& stream : streams) close_fd(stream.write_fd);
  }

  void restore() {
    for (Stream& stream : streams) {
      if (stream.saved_fd >= 0) {
        dup2_retry(stream.saved_fd, stream.target_fd);
      } else {
        ::close(stream.target_fd);  // it was closed before the capture
      }
    }
  }

  void wake() {
    const std::uint64_t one = 1;
    ssize_t result;
    do {
      result = ::write(wake_fd, &one, sizeof one);
    } while (result < 0 && errno == EINTR);
  }

  // Writes the pending echo of `target` (all of it, or up to its last newline when
  // `whole_lines` and there is one). Caller holds echo_mutex.
  static void write_pending(EchoTarget& target, bool whole_lines) {
    std::string& pending = target.pending;
    if (pending.empty()) return;
    std::size_t n = pending.size();
    if (whole_lines) {
      const std::size_t last = pending.rfind('\n');
      if (last != std::string::npos) n = last + 1;
    }
    if (target.ok) target.ok = write_all(target.fd, std::string_view(pending).substr(0, n));
    pending.erase(0, n);
  }

  // Queues bytes for an original descriptor, in arrival order.
  void queue_echo(EchoTarget& target, std::string_view data) {
    if (target.fd < 0) return;
    const std::lock_guard lock(echo_mutex);
    if (!target.ok) return;
    target.pending.append(data);
    if (target.pending.size() >= kEchoBatchBytes) write_pending(target, true);
  }

  void flush_echo() {
    const std::lock_guard lock(echo_mutex);
    for (EchoTarget& target : echo_targets) write_pending(target, false);
  }

  // Adds bytes of an unterminated line, keeping at most the buffer's cap of them.
  void accumulate(Stream& stream, std::string_view data) {
    const std::size_t cap = buffer.cap_bytes();
    const std::size_t room = cap > stream.partial.size() ? cap - stream.partial.size() : 0;
    const std::size_t take = std::min(room, data.size());
    stream.partial.append(data.substr(0, take));
    stream.partial_dropped += data.size() - take;
  }

  void finish_line(Stream& stream) {
    buffer.append_line(stream.label, stream.partial, stream.partial_dropped);
    stream.partial.clear();
    stream.partial_dropped = 0;
    if (stream.partial.capacity() > kReadChunkBytes) stream.partial.shrink_to_fit();
  }

  // Echoes and captures bytes read from `stream`. Caller holds read_mutex.
  void consume(Stream& stream, std::string_view data) {
    queue_echo(*stream.echo, data);
    while (!data.empty()) {
      const void* found = std::memchr(data.data(), '\n', data.size());
      if (found == nullptr) {
        accumulate(stream, data);
        return;
      }
      const auto length = static_cast<std::size_t>(static_cast<const char*>(found) - data.data());
      if (stream.partial.empty() && stream.partial_dropped == 0) {
        buffer.append_line(stream.label, data.substr(0, length), 0);
      } else {
        accumulate(stream, data.substr(0, length));
        finish_line(stream);
      }
      data.remove_prefix(length + 1);
    }
  }

  enum class ReadResult { kData, kEmpty, kClosed };

  // One non-blocking read of `stream` into the buffer. Caller holds read_mutex.
  ReadResult read_once(Stream& stream) {
    ssize_t got;
    do {
      got = ::read(stream.read_fd, chunk.data(), chunk.size());
    } while (got < 0 && errno == EINTR);
    if (got > 0) {
      consume(stream, std::string_view(chunk.data(), static_cast<std::size_t>(got)));
      return static_cast<std::size_t>(got) < chunk.size() ? ReadResult::kEmpty : ReadResult::kData;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return ReadResult::kEmpty;
    return ReadResult::kClosed;  // EOF (every write end is closed) or a broken pipe
  }

  // Takes whatever the pipes hold now into the buffer, stdout first, without waiting: one
  // epoll_wait(2) when both are empty. Caller holds read_mutex.
  void drain_now() {
    std::array<epoll_event, 2> events{};
    int ready;
    do {
      ready = ::epoll_wait(ready_fd, events.data(), static_cast<int>(events.size()), 0);
    } while (ready < 0 && errno == EINTR);
    if (ready <= 0) return;
    std::array<bool, 2> readable{};
    for (int k = 0; k < ready; ++k) readable.at(events.at(static_cast<std::size_t>(k)).data.u32) = true;
    for (std::size_t i = 0; i < streams.size(); ++i) {
      if (!readable.at(i)) continue;
      // A short read means the pipe is empty: no further read to find out.
      for (std::size_t n = 0; n < kMaxDrainChunks && read_once(streams[i]) == ReadResult::kData; ++n) {
      }
    }
  }

  void log(std::string_view line) {
    flush_pending_stdio();  // before read_mutex: a thread blocked writing stdio needs the reader
    const std::lock_guard lock(read_mutex);
    drain_now();
    std::string stored(line);
    if (stored.empty() || stored.back() != '\n') stored.push_back('\n');
    queue_echo(*streams[1].echo, stored);
    buffer.append_formatted(std::move(stored));
  }

  void run() {
    std::array<pollfd, 3> polls{pollfd{streams[0].read_fd, POLLIN, 0}, pollfd{streams[1].read_fd, POLLIN, 0},
                                pollfd{wake_fd, POLLIN, 0}};
    bool stopping = false;
    using Clock = std::chrono::steady_clock;
    const auto flush_every = std::chrono::milliseconds(kEchoFlushMs);
    auto next_flush = Clock::now() + flush_every;
    auto idle_since = Clock::now();
    while (polls[0].fd >= 0 || polls[1].fd >= 0) {
      auto now = Clock::now();
      if (now >= next_flush) {  // nothing queued stays unechoed longer than kEchoFlushMs
        flush_echo();
        next_flush = now + flush_every;
      }
      int timeout = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(next_flush - now).count());
      if (stopping) {
        const auto grace_left = idle_since + std::chrono::milliseconds(kDrainGraceMs) - now;
        if (grace_left <= Clock::duration::zero()) break;  // idle: a lingering child holds a write end
        timeout = std::min(
            timeout, static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(grace_left).count()));
      }
      const int ready = ::poll(polls.data(), polls.size(), std::max(timeout, 0));
      if (ready < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (ready == 0) continue;  // a flush tick or the end of the drain grace period
      idle_since = Clock::now();
      if (polls[2].revents != 0) {
        stopping = true;
        polls[2].fd = -1;
      }
      const std::lock_guard lock(read_mutex);
      for (std::size_t i = 0; i < streams.size(); ++i) {
        if (polls[i].fd < 0 || polls[i].revents == 0) continue;
        // kEmpty too when log() emptied the pipe between our poll and this read.
        if (read_once(streams[i]) == ReadResult::kClosed) polls[i].fd = -1;
      }
    }
    const std::lock_guard lock(read_mutex);
    for (Stream& stream : streams) {
      if (!stream.partial.empty() || stream.partial_dropped > 0) finish_line(stream);
    }
    flush_echo();  // the end of the capture (the migration): everything reaches the terminal
  }
};

namespace {

// The one reader thread of the process, started by the first StdioCapture and reused by every
// later one (a runner captures each migration: no thread is created per migration). It serves
// one capture at a time, as only one may be active. Never destroyed: it idles on its condition
// variable until the process exits.
class CaptureReaderThread {
 public:
  static CaptureReaderThread& instance() {
    static CaptureReaderThread* host = new CaptureReaderThread;  // leaked on purpose
    return *host;
  }

  // Starts serving `impl` (its run() on the reader thread).
  void start(StdioCapture::Impl* impl) {
    std::unique_lock lock(mutex_);
    if (!thread_started_) {
      std::thread([this] { loop(); }).detach();
      thread_started_ = true;
    }
    session_ = impl;
    done_ = false;
    changed_.notify_all();
  }

  // Waits until run() of the capture being served has returned.
  void wait_done() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return done_; });
  }

  // The capture being served, or null. For the exit-time flush.
  StdioCapture::Impl* active() {
    const std::lock_guard lock(mutex_);
    return done_ ? nullptr : session_;
  }

 private:
  void loop() {
    for (;;) {
      StdioCapture::Impl* impl;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return session_ != nullptr; });
        impl = session_;
      }
      impl->run();
      {
        const std::lock_guard lock(mutex_);
        session_ = nullptr;
        done_ = true;
      }
      changed_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  bool thread_started_ = false;
  StdioCapture::Impl* session_ = nullptr;
  bool done_ = true;
};

// At exit (std::exit from inside a migration, for instance), echo what is still queued.
void flush_echo_at_exit() {
  if (StdioCapture::Impl* impl = CaptureReaderThread::instance().active()) impl->flush_echo();
}

}  // namespace

StdioCapture::StdioCapture(OutputBuffer& buffer) {
  if (g_capture_active.exchange(true)) {
    throw std::logic_error("another StdioCapture is already active");
  }
  try {
    static const bool exit_hook = [] { return std::atexit(flush_echo_at_exit) == 0; }();
    (void)exit_hook;
    auto impl = std::make_unique<Impl>(buffer);
    impl->open();
    CaptureReaderThread& reader = CaptureReaderThread::instance();
    reader.start(impl.get());
    flush_stdio();  // what was written before belongs to the original descriptors
    try {
      impl->redirect();
    } catch (...) {
      impl->wake();
      reader.wait_done();
      throw;
    }
    impl_ = std::move(impl);
  } catch (...) {
    g_capture_active = false;
    throw;
  }
}

StdioCapture::~StdioCapture() {
  flush_stdio();
  impl_->restore();
  impl_->wake();
  CaptureReaderThread::instance().wait_done();
  impl_.reset();
  g_capture_active = false;
}

void StdioCapture::log(std::string_view formatted_line) {
  impl_->log(formatted_line);
}

void StdioCapture::echo(std::string_view text) {
  impl_->queue_echo(*impl_->streams[1].echo, text);
}

void StdioCapture::flush_echo() {
  impl_->flush_echo();
}

}  // namespace auric
