#include "core/output_capture.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace auric {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::system_clock;

const char* const kStampPattern = R"(\[\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\])";

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    if (lead < 0x80) {
      length = 1;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

// Parses "... … [N bytes dropped]" at the end of `line`; -1 when absent.
long long dropped_count(const std::string& line) {
  static const std::regex kSuffix(R"( \xE2\x80\xA6 \[(\d+) bytes dropped\]$)");
  std::smatch match;
  if (!std::regex_search(line, match, kSuffix)) return -1;
  return std::stoll(match[1].str());
}

std::size_t count_of(const std::string& text, char c) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), c));
}

// Everything written to `fd` so far, read from offset 0 (the fd's own offset is untouched).
std::string read_whole_file(int fd) {
  std::string text;
  char chunk[65536];
  off_t offset = 0;
  for (;;) {
    const ssize_t got = ::pread(fd, chunk, sizeof chunk, offset);
    if (got <= 0) break;
    text.append(chunk, static_cast<std::size_t>(got));
    offset += got;
  }
  return text;
}

// Points `fd` at an anonymous temporary file until destroyed, so that a StdioCapture started
// meanwhile sees that file as "the original" descriptor and its echo can be read back. Test
// assertions belong after restore(): while redirected, gtest's own output would land here.
class FdToFile {
 public:
  explicit FdToFile(int fd) : fd_(fd) {
    flush_all();
    char path[] = "/tmp/auric_capture_test_XXXXXX";
    file_ = ::mkostemp(path, O_CLOEXEC);
    if (file_ < 0) throw std::runtime_error("mkostemp failed");
    ::unlink(path);
    saved_ = ::fcntl(fd_, F_DUPFD_CLOEXEC, 3);
    ::dup2(file_, fd_);
  }
  ~FdToFile() {
    restore();
    ::close(file_);
  }
  FdToFile(const FdToFile&) = delete;
  FdToFile& operator=(const FdToFile&) = delete;

  void restore() {
    if (saved_ < 0) return;
    flush_all();
    ::dup2(saved_, fd_);
    ::close(saved_);
    saved_ = -1;
  }

  std::string contents() const {
    flush_all();
    return read_whole_file(file_);
  }

 private:
  static void flush_all() {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
  }

  int fd_;
  int file_ = -1;
  int saved_ = -1;
};

void write_fd(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t wrote = ::write(fd, text.data() + done, text.size() - done);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return;
    }
    done += static_cast<std::size_t>(wrote);
  }
}

// ---------------------------------------------------------------------------------------------
// format_output_line

TEST(FormatOutputLine, FormatsUtcWithMillisecondsAndLevel) {
  using namespace std::chrono_literals;
  const system_clock::time_point when = sys_days{2025y / 6 / 1} + 12h + 123ms;
  EXPECT_EQ(format_output_line(when, LogLevel::kInfo, "hello world"),
            "[2025-06-01T12:00:00.123Z] [info] hello world\n");
  EXPECT_EQ(format_output_line(when + 1h + 2min + 3s - 116ms, LogLevel::kWarn, ""),
            "[2025-06-01T13:02:03.007Z] [warn] \n");
  EXPECT_EQ(format_output_line(when, LogLevel::kDebug, "d"), "[2025-06-01T12:00:00.123Z] [debug] d\n");
  EXPECT_EQ(format_output_line(when, LogLevel::kError, "e"), "[2025-06-01T12:00:00.123Z] [error] e\n");
}

TEST(FormatOutputLine, SecondCacheFollowsTimeInBothDirections) {
  using namespace std::chrono_literals;
  const system_clock::time_point base = sys_days{2024y / 2 / 29} + 23h + 59min + 59s + 999ms;
  EXPECT_EQ(format_output_line(base, LogLevel::kInfo, "a"), "[2024-02-29T23:59:59.999Z] [info] a\n");
  EXPECT_EQ(format_output_line(base + 1ms, LogLevel::kInfo, "b"), "[2024-03-01T00:00:00.000Z] [info] b\n");
  EXPECT_EQ(format_output_line(base, LogLevel::kInfo, "c"), "[2024-02-29T23:59:59.999Z] [info] c\n");
  EXPECT_EQ(format_output_line(system_clock::time_point{} - 1ms, LogLevel::kInfo, "d"),
            "[1969-12-31T23:59:59.999Z] [info] d\n");
}

TEST(FormatOutputLine, MatchesTheLineFormatForTheCurrentTime) {
  const std::string line = format_output_line(system_clock::now(), LogLevel::kError, "x y");
  EXPECT_TRUE(std::regex_match(line, std::regex(std::string("^") + kStampPattern + R"( \[error\] x y\n$)")))
      << line;
}

// ---------------------------------------------------------------------------------------------
// OutputBuffer

TEST(OutputBuffer, StartsEmptyAndNotTruncated) {
  OutputBuffer buffer;
  EXPECT_TRUE(buffer.empty());
  EXPECT_FALSE(buffer.truncated());
  EXPECT_EQ(buffer.str(), "");
  EXPECT_EQ(buffer.size_bytes(), 0U);
  EXPECT_EQ(buffer.cap_bytes(), 204800U);
}

TEST(OutputBuffer, AppendWritesFormattedLines) {
  OutputBuffer buffer;
  buffer.append(LogLevel::kInfo, "first");
  buffer.append(LogLevel::kWarn, "second");
  const std::string out = buffer.str();
  EXPECT_TRUE(std::regex_match(out, std::regex(std::string("^") + kStampPattern + R"( \[info\] first\n)" +
                                               kStampPattern + R"( \[warn\] second\n$)")))
      << out;
  EXPECT_FALSE(buffer.empty());
  EXPECT_FALSE(buffer.truncated());
  EXPECT_EQ(buffer.size_bytes(), out.size());
}

TEST(OutputBuffer, EvictsOldestWholeLinesAndSetsTruncated) {
  OutputBuffer buffer(200);
  for (int i = 0; i < 50; ++i) {
    char message[16];
    std::snprintf(message, sizeof message, "line-%02d", i);
    buffer.append(LogLevel::kInfo, message);
  }
  const std::string out = buffer.str();
  EXPECT_TRUE(buffer.truncated());
  EXPECT_LE(out.size(), 200U);
  EXPECT_EQ(buffer.size_bytes(), out.size());
  EXPECT_EQ(out.find("line-00"), std::string::npos);
  EXPECT_NE(out.find("[info] line-49\n"), std::string::npos);
  const std::regex whole_line(std::string("^") + kStampPattern + R"( \[info\] line-\d\d$)");
  const auto lines = split_lines(out);
  ASSERT_GE(lines.size(), 2U);  // each line is 42 bytes: four fit
  for (const std::string& line : lines) EXPECT_TRUE(std::regex_match(line, whole_line)) << line;
}

TEST(OutputBuffer, AppendFormattedKeepsLineAndAddsMissingNewline) {
  OutputBuffer buffer;
  buffer.append_formatted("[2025-06-01T12:00:00.123Z] [info] done\n");
  buffer.append_formatted("[2025-06-01T12:00:00.124Z] [info] no newline");
  EXPECT_EQ(buffer.str(),
            "[2025-06-01T12:00:00.123Z] [info] done\n[2025-06-01T12:00:00.124Z] [info] no newline\n");
}

TEST(OutputBuffer, LineLargerThanCapIsShortenedNotEmptied) {
  OutputBuffer buffer(1000);
  buffer.append(LogLevel::kInfo, "older line");
  buffer.append(LogLevel::kInfo, std::string(5000, 'x'));
  const std::string out = buffer.str();
  EXPECT_TRUE(buffer.truncated());
  EXPECT_FALSE(buffer.empty());
  EXPECT_LE(out.size(), 1000U);
  EXPECT_GT(out.size(), 900U);  // the head fills the cap, it is not cut to nothing
  EXPECT_EQ(out.find("older line"), std::string::npos);
  const auto lines = split_lines(out);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_TRUE(
      std::regex_search(lines[0], std::regex(std::string("^") + kStampPattern + R"( \[info\] xxxx)")));
  const long long dropped = dropped_count(lines[0]);
  ASSERT_GT(dropped, 0);
  EXPECT_EQ(static_cast<long long>(count_of(lines[0], 'x')) + dropped, 5000);

  // Later lines evict the shortened one like any other.
  for (int i = 0; i < 40; ++i) buffer.append(LogLevel::kInfo, "after");
  EXPECT_EQ(buffer.str().find("xxxx"), std::string::npos);
  EXPECT_TRUE(buffer.truncated());
}

TEST(OutputBuffer, ShortenedLineNeverSplitsAMultiByteCharacter) {
  const std::vector<std::string> characters = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
  for (const std::string& character : characters) {
    std::string message;
    for (int i = 0; i < 200; ++i) message += character;
    for (std::size_t cap = 100; cap < 108; ++cap) {
      OutputBuffer buffer(cap);
      buffer.append(LogLevel::kInfo, message);
      const std::string out = buffer.str();
      EXPECT_TRUE(buffer.truncated());
      EXPECT_FALSE(out.empty());
      EXPECT_LE(out.size(), cap);
      EXPECT_GE(out.size() + character.size(), cap);
      EXPECT_TRUE(is_valid_utf8(out)) << "cap " << cap << " char bytes " << character.size();
      const long long dropped = dropped_count(split_lines(out).at(0));
      // Kept message bytes + dropped == original message bytes.
      const std::size_t kept =
          out.find(" \xE2\x80\xA6 [") - std::string("[2025-06-01T12:00:00.123Z] [info] ").size();
      EXPECT_EQ(static_cast<long long>(kept) + dropped, static_cast<long long>(message.size()));
    }
  }
}

TEST(OutputBuffer, AppendFormattedLineLargerThanCapIsShortened) {
  OutputBuffer buffer(300);
  buffer.append_formatted("[2025-06-01T12:00:00.123Z] [info] " + std::string(1000, 'q') + "\n");
  const std::string out = buffer.str();
  EXPECT_LE(out.size(), 300U);
  EXPECT_TRUE(buffer.truncated());
  EXPECT_EQ(static_cast<long long>(count_of(out, 'q')) + dropped_count(split_lines(out).at(0)), 1000);
}

TEST(OutputBuffer, CapTooSmallForAnyLineLeavesNothingButTruncated) {
  OutputBuffer buffer(10);
  buffer.append(LogLevel::kInfo, "does not fit");
  EXPECT_TRUE(buffer.empty());
  EXPECT_TRUE(buffer.truncated());
}

// ---------------------------------------------------------------------------------------------
// StdioCapture

TEST(StdioCapture, CapturesAndEchoesStdout) {
  OutputBuffer buffer;
  std::string echoed;
  {
    FdToFile original(STDOUT_FILENO);
    {
      StdioCapture capture(buffer);
      std::printf("from printf %d\n", 42);
      std::cout << "from cout" << std::endl;
      write_fd(STDOUT_FILENO, "from write\n");
    }
    original.restore();
    echoed = original.contents();
  }
  EXPECT_EQ(echoed, "from printf 42\nfrom cout\nfrom write\n");
  const std::string out = buffer.str();
  EXPECT_NE(out.find("] [stdout] from printf 42\n"), std::string::npos) << out;
  EXPECT_NE(out.find("] [stdout] from cout\n"), std::string::npos) << out;
  EXPECT_NE(out.find("] [stdout] from write\n"), std::string::npos) << out;
  EXPECT_EQ(split_lines(out).size(), 3U);
  EXPECT_FALSE(buffer.truncated());
}

TEST(StdioCapture, CapturesStderrLabelledStderr) {
  OutputBuffer buffer;
  std::string echoed;
  {
    FdToFile original(STDERR_FILENO);
    {
      StdioCapture capture(buffer);
      std::fprintf(stderr, "something failed\n");
      std::cerr << "from cerr\n";
    }
    original.restore();
    echoed = original.contents();
  }
  EXPECT_EQ(echoed, "something failed\nfrom cerr\n");
  const std::string out = buffer.str();
  EXPECT_TRUE(std::regex_match(
      out, std::regex(std::string("^") + kStampPattern + R"( \[stderr\] something failed\n)" + kStampPattern +
                      R"( \[stderr\] from cerr\n$)")))
      << out;
}

TEST(StdioCapture, FlushesPartialLastLineAsALine) {
  OutputBuffer buffer;
  std::string echoed;
  {
    FdToFile original(STDOUT_FILENO);
    {
      StdioCapture capture(buffer);
      std::printf("complete\nno newline at end");
    }
    original.restore();
    echoed = original.contents();
  }
  EXPECT_EQ(echoed, "complete\nno newline at end");
  const auto lines = split_lines(buffer.str());
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_NE(lines[1].find("] [stdout] no newline at end"), std::string::npos);
  EXPECT_EQ(buffer.str().back(), '\n');
}

TEST(StdioCapture, CapturesChildProcessOutput) {
  OutputBuffer buffer;
  int status_out = -1;
  int status_err = -1;
  std::string echoed;
  {
    FdToFile original_out(STDOUT_FILENO);
    FdToFile original_err(STDERR_FILENO);
    {
      StdioCapture capture(buffer);
      status_out = std::system("echo hi");
      status_err = std::system("echo oops 1>&2");
    }
    original_err.restore();
    original_out.restore();
    echoed = original_out.contents() + original_err.contents();
  }
  EXPECT_EQ(status_out, 0);
  EXPECT_EQ(status_err, 0);
  EXPECT_EQ(echoed, "hi\noops\n");
  const std::string out = buffer.str();
  EXPECT_NE(out.find("] [stdout] hi\n"), std::string::npos) << out;
  EXPECT_NE(out.find("] [stderr] oops\n"), std::string::npos) << out;
}

TEST(StdioCapture, EchoGoesToOriginalStderrAndIsNotCaptured) {
  OutputBuffer buffer;
  std::string echoed;
  {
    FdToFile original(STDERR_FILENO);
    {
      StdioCapture capture(buffer);
      capture.echo("[2025-06-01T12:00:00.123Z] [info] via echo\n");
      std::fprintf(stderr, "via stderr\n");
    }
    original.restore();
    echoed = original.contents();
  }
  EXPECT_NE(echoed.find("[2025-06-01T12:00:00.123Z] [info] via echo\n"), std::string::npos);
  EXPECT_NE(echoed.find("via stderr\n"), std::string::npos);
  const std::string out = buffer.str();
  EXPECT_EQ(out.find("via echo"), std::string::npos) << out;
  EXPECT_NE(out.find("] [stderr] via stderr\n"), std::string::npos) << out;
}

TEST(StdioCapture, CanBeStartedAndStoppedRepeatedly) {
  OutputBuffer buffer;
  std::string echoed;
  {
    FdToFile original(STDOUT_FILENO);
    for (int round = 0; round < 5; ++round) {
      {
        StdioCapture capture(buffer);
        std::printf("inside %d\n", round);
      }
      std::printf("outside %d\n", round);
      std::fflush(stdout);
    }
    original.restore();
    echoed = original.contents();
  }
  EXPECT_EQ(echoed,
            "inside 0\noutside 0\ninside 1\noutside 1\ninside 2\noutside 2\ninside 3\noutside 3\n"
            "inside 4\noutside 4\n");
  const std::string out = buffer.str();
  EXPECT_EQ(out.find("outside"), std::string::npos) << out;
  for (int round = 0; round < 5; ++round) {
    EXPECT_NE(out.find("] [stdout] inside " + std::to_string(round) + "\n"), std::string::npos);
  }
}

// Threads of this process (/proc/self/task).
std::size_t thread_count() {
  std::size_t n = 0;
  if (DIR* dir = ::opendir("/proc/self/task")) {
    while (const dirent* entry = ::readdir(dir)) {
      if (entry->d_name[0] != '.') ++n;
    }
    ::closedir(dir);
  }
  return n;
}

TEST(StdioCapture, EchoIsBatchedButKeepsOrderAndContent) {
  OutputBuffer buffer;
  std::string expected;
  std::string echoed;
  {
    FdToFile original(STDERR_FILENO);
    {
      StdioCapture capture(buffer);
      for (int i = 0; i < 5000; ++i) {  // several 64 KiB batches
        const std::string line = "[2025-06-01T12:00:00.123Z] [info] line " + std::to_string(i) + "\n";
        capture.echo(line);
        expected += line;
        if (i % 1000 == 0) {
          std::fprintf(stderr, "raw %d\n", i);
          std::fflush(stderr);
          // The reader echoes the raw line when it reads it; wait for that so the order is known.
          while (buffer.str().find("raw " + std::to_string(i) + "\n") == std::string::npos) {
            std::this_thread::sleep_for(milliseconds(1));
          }
          expected += "raw " + std::to_string(i) + "\n";
        }
      }
    }
    original.restore();
    echoed = original.contents();
  }
  EXPECT_EQ(echoed, expected);
}

TEST(StdioCapture, QueuedEchoReachesTheTerminalWithinAFlushPeriod) {
  OutputBuffer buffer;
  bool seen = false;
  {
    FdToFile original(STDERR_FILENO);
    {
      StdioCapture capture(buffer);
      capture.echo("[2025-06-01T12:00:00.123Z] [info] soon\n");
      const auto deadline = std::chrono::steady_clock::now() + milliseconds(1000);
      while (!seen && std::chrono::steady_clock::now() < deadline) {
        seen = original.contents().find("soon\n") != std::string::npos;
        if (!seen) std::this_thread::sleep_for(milliseconds(5));
      }
    }
    original.restore();
  }
  EXPECT_TRUE(seen) << "a queued echo must be written within about 100 ms while the capture runs";
}

TEST(StdioCapture, OneReaderThreadServesEveryCapture) {
  OutputBuffer buffer;
  { StdioCapture warm_up(buffer); }  // starts the process-wide reader if not running yet
  const std::size_t before = thread_count();
  for (int round = 0; round < 5; ++round) {
    StdioCapture capture(buffer);
    EXPECT_EQ(thread_count(), before);
  }
  EXPECT_EQ(thread_count(), before);
}

TEST(StdioCapture, BackgroundChildHoldingThePipeDoesNotBlockStop) {
  OutputBuffer buffer;
  std::chrono::steady_clock::duration stop_took{};
  {
    FdToFile original(STDOUT_FILENO);
    std::optional<StdioCapture> capture(std::in_place, buffer);
    // The background sleep inherits fds 1 and 2 (the pipes' write ends) and outlives us.
    EXPECT_EQ(std::system("echo started; sleep 3 &"), 0);
    const auto before = std::chrono::steady_clock::now();
    capture.reset();
    stop_took = std::chrono::steady_clock::now() - before;
  }
  EXPECT_LT(stop_took, std::chrono::milliseconds(2500));
  EXPECT_NE(buffer.str().find("] [stdout] started\n"), std::string::npos) << buffer.str();
}

TEST(StdioCapture, OnlyOneMayBeActive) {
  OutputBuffer buffer;
  bool threw = false;
  {
    FdToFile original(STDOUT_FILENO);
    StdioCapture capture(buffer);
    try {
      StdioCapture second(buffer);
    } catch (const std::logic_error&) {
      threw = true;
    }
  }
  EXPECT_TRUE(threw);
}

TEST(StdioCapture, LongLineIsEchoedInFullAndHeldOnlyUpToTheCap) {
  OutputBuffer buffer(4096);
  const std::string big(std::size_t{1} << 20, 'z');
  std::string echoed;
  {
    FdToFile original(STDOUT_FILENO);
    {
      StdioCapture capture(buffer);
      write_fd(STDOUT_FILENO, "before\n");
      for (std::size_t at = 0; at < big.size(); at += 1000) {  // many writes, one line
        write_fd(STDOUT_FILENO, big.substr(at, 1000));
      }
      write_fd(STDOUT_FILENO, "\n");
    }
    original.restore();
    echoed = original.contents();
  }
  EXPECT_TRUE(echoed == "before\n" + big + "\n") << echoed.size();
  const std::string out = buffer.str();
  EXPECT_LE(out.size(), 4096U);
  EXPECT_GT(out.size(), 4000U);
  EXPECT_TRUE(buffer.truncated());
  const auto lines = split_lines(out);
  ASSERT_EQ(lines.size(), 1U);  // the shortened line fills the cap: "before" was evicted
  EXPECT_TRUE(
      std::regex_search(lines[0], std::regex(std::string("^") + kStampPattern + R"( \[stdout\] zzzz)")));
  EXPECT_EQ(static_cast<long long>(count_of(lines[0], 'z')) + dropped_count(lines[0]),
            static_cast<long long>(big.size()));
}

TEST(StdioCapture, WorksWhenStdoutWasClosed) {
  OutputBuffer buffer;
  const int saved = ::dup(STDOUT_FILENO);
  ASSERT_GE(saved, 0);
  std::fflush(stdout);
  ::close(STDOUT_FILENO);
  bool closed_after = false;
  {
    StdioCapture capture(buffer);
    write_fd(STDOUT_FILENO, "while closed\n");
  }
  closed_after = ::fcntl(STDOUT_FILENO, F_GETFD) < 0;
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  EXPECT_TRUE(closed_after);
  EXPECT_NE(buffer.str().find("] [stdout] while closed\n"), std::string::npos) << buffer.str();
}

TEST(StdioCapture, ConcurrentWritersKeepEveryLineIntact) {
  constexpr int kThreads = 8;
  constexpr int kLinesPerThread = 300;
  OutputBuffer buffer(16 * 1024 * 1024);
  std::string echoed;
  {
    FdToFile original(STDOUT_FILENO);
    {
      StdioCapture capture(buffer);
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([t, &buffer] {
          for (int i = 0; i < kLinesPerThread; ++i) {
            // Lines up to ~400 bytes: single write(2)s below PIPE_BUF are atomic on a pipe.
            const std::string payload(static_cast<std::size_t>((i * 37 + t * 11) % 380), 'p');
            const std::string tag = "t" + std::to_string(t) + " " + std::to_string(i) + " ";
            write_fd(STDOUT_FILENO, tag + "stdout " + payload + "\n");
            buffer.append(LogLevel::kWarn, tag + "ctx " + payload);
          }
        });
      }
      for (std::thread& thread : threads) thread.join();
    }
    original.restore();
    echoed = original.contents();
  }
  const std::regex pattern(std::string("^") + kStampPattern +
                           R"( \[(stdout|warn)\] t(\d+) (\d+) (stdout|ctx) (p*)$)");
  std::map<std::string, int> seen;
  int malformed = 0;
  for (const std::string& line : split_lines(buffer.str())) {
    std::smatch match;
    if (!std::regex_match(line, match, pattern)) {
      ++malformed;
      continue;
    }
    const int t = std::stoi(match[2].str());
    const int i = std::stoi(match[3].str());
    const bool from_stdout = match[4].str() == "stdout";
    EXPECT_EQ(match[1].str(), from_stdout ? "stdout" : "warn");
    EXPECT_EQ(match[5].str().size(), static_cast<std::size_t>((i * 37 + t * 11) % 380));
    ++seen[match[2].str() + "/" + match[3].str() + "/" + match[4].str()];
  }
  EXPECT_EQ(malformed, 0);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kLinesPerThread * 2));
  for (const auto& [key, count] : seen) EXPECT_EQ(count, 1) << key;
  EXPECT_FALSE(buffer.truncated());
  EXPECT_EQ(count_of(echoed, '\n'), static_cast<std::size_t>(kThreads * kLinesPerThread));
}

TEST(OutputBuffer, ConcurrentAppendsRespectTheCap) {
  OutputBuffer buffer(8192);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&buffer, t] {
      for (int i = 0; i < 2000; ++i) buffer.append(LogLevel::kInfo, "thread " + std::to_string(t));
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::string out = buffer.str();
  EXPECT_LE(out.size(), 8192U);
  EXPECT_EQ(out.size(), buffer.size_bytes());
  EXPECT_TRUE(buffer.truncated());
  const std::regex line_pattern(std::string("^") + kStampPattern + R"( \[info\] thread \d$)");
  for (const std::string& line : split_lines(out)) EXPECT_TRUE(std::regex_match(line, line_pattern));
}

// ---------------------------------------------------------------------------------------------
// StdioCapture::log: the Context logger's lines in write order with stdout and stderr

// Points fds 1 and 2 at one anonymous temporary file (as a terminal or `2>&1` would), so that
// the merged echo can be read back. As with FdToFile, assert only after restore().
class BothToOneFile {
 public:
  BothToOneFile() {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    char path[] = "/tmp/auric_capture_test_XXXXXX";
    file_ = ::mkostemp(path, O_CLOEXEC);
    if (file_ < 0) throw std::runtime_error("mkostemp failed");
    ::unlink(path);
    saved_out_ = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    saved_err_ = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    ::dup2(file_, STDOUT_FILENO);
    ::dup2(file_, STDERR_FILENO);
  }
  ~BothToOneFile() {
    restore();
    ::close(file_);
  }
  BothToOneFile(const BothToOneFile&) = delete;
  BothToOneFile& operator=(const BothToOneFile&) = delete;

  void restore() {
    if (saved_out_ < 0) return;
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    ::dup2(saved_out_, STDOUT_FILENO);
    ::dup2(saved_err_, STDERR_FILENO);
    ::close(saved_out_);
    ::close(saved_err_);
    saved_out_ = saved_err_ = -1;
  }

  std::string contents() const { return read_whole_file(file_); }

 private:
  int file_ = -1;
  int saved_out_ = -1;
  int saved_err_ = -1;
};

std::string log_line(LogLevel level, const std::string& message) {
  return format_output_line(system_clock::now(), level, message);
}

// The label and message of each buffered line, the stamp checked and dropped.
std::vector<std::string> labelled_lines(const std::string& text) {
  static const std::regex kLine(std::string("^") + kStampPattern + R"( (\[[a-z]+\] .*)$)");
  std::vector<std::string> out;
  for (const std::string& line : split_lines(text)) {
    std::smatch match;
    out.push_back(std::regex_match(line, match, kLine) ? match[1].str() : "malformed: " + line);
  }
  return out;
}

TEST(StdioCaptureLog, BufferKeepsWriteOrderAcrossStdoutLogAndStderr) {
  // Without log() taking the pipes' bytes first, the reader thread lags behind and a logged
  // line lands before the printf output written ahead of it.
  constexpr int kRounds = 300;
  OutputBuffer buffer(16 * 1024 * 1024);
  std::vector<std::string> expected;
  {
    FdToFile original_out(STDOUT_FILENO);
    FdToFile original_err(STDERR_FILENO);
    {
      StdioCapture capture(buffer);
      for (int i = 0; i < kRounds; ++i) {
        const std::string n = std::to_string(i);
        std::printf("printf %d\n", i);
        capture.log(log_line(LogLevel::kWarn, "warn " + n));
        std::fprintf(stderr, "fprintf %d\n", i);
        capture.log(log_line(LogLevel::kError, "error " + n));
        std::cout << "cout " << i << '\n';
        capture.log(log_line(LogLevel::kInfo, "info " + n));
        write_fd(STDERR_FILENO, "write " + n + "\n");
        capture.log(log_line(LogLevel::kDebug, "debug " + n));
        expected.insert(expected.end(), {"[stdout] printf " + n, "[warn] warn " + n, "[stderr] fprintf " + n,
                                         "[error] error " + n, "[stdout] cout " + n, "[info] info " + n,
                                         "[stderr] write " + n, "[debug] debug " + n});
      }
      EXPECT_EQ(std::system("echo from a child"), 0);
      capture.log(log_line(LogLevel::kInfo, "after the child"));
      expected.insert(expected.end(), {"[stdout] from a child", "[info] after the child"});
    }
  }
  const std::vector<std::string> got = labelled_lines(buffer.str());
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i], expected[i]) << "line " << i;
  }
}

TEST(StdioCaptureLog, LabelsStdoutStderrAndEachLevel) {
  OutputBuffer buffer;
  {
    FdToFile original_out(STDOUT_FILENO);
    FdToFile original_err(STDERR_FILENO);
    StdioCapture capture(buffer);
    std::printf("out\n");
    std::fflush(stdout);  // stdio holds stdout back, unlike unbuffered stderr
    std::fprintf(stderr, "err\n");
    capture.log(log_line(LogLevel::kDebug, "d"));
    capture.log(log_line(LogLevel::kInfo, "i"));
    capture.log(log_line(LogLevel::kWarn, "w"));
    capture.log(log_line(LogLevel::kError, "e"));
  }
  EXPECT_EQ(labelled_lines(buffer.str()),
            (std::vector<std::string>{"[stdout] out", "[stderr] err", "[debug] d", "[info] i", "[warn] w",
                                      "[error] e"}));
}

TEST(StdioCaptureLog, LineIsPlacedWhenItsNewlineIsWritten) {
  OutputBuffer buffer;
  std::string echoed_out;
  {
    FdToFile original_out(STDOUT_FILENO);
    FdToFile original_err(STDERR_FILENO);
    {
      StdioCapture capture(buffer);
      std::printf("part");  // held in stdio's buffer: log() flushes it into the pipe first
      capture.log(log_line(LogLevel::kInfo, "logged meanwhile"));
      std::printf("ial\n");
      capture.log(log_line(LogLevel::kInfo, "logged after"));
      capture.log("[2025-06-01T12:00:00.123Z] [info] no newline");
    }
    original_out.restore();
    echoed_out = original_out.contents();
  }
  EXPECT_EQ(echoed_out, "partial\n");
  EXPECT_EQ(labelled_lines(buffer.str()),
            (std::vector<std::string>{"[info] logged meanwhile", "[stdout] partial", "[info] logged after",
                                      "[info] no newline"}));
}

TEST(StdioCaptureLog, FlushesABufferingCppStreamFirst) {
  // A C++ stream with a buffer of its own (as after sync_with_stdio(false)): log() must write
  // out what it holds before the logged line.
  OutputBuffer buffer;
  bool opened = false;
  {
    FdToFile original_out(STDOUT_FILENO);
    FdToFile original_err(STDERR_FILENO);
    StdioCapture capture(buffer);
    std::filebuf own;
    opened = own.open("/dev/stdout", std::ios::out) != nullptr;  // the capture's pipe
    std::streambuf* const synced = std::cout.rdbuf(&own);
    std::cout << "held by the stream\n";
    capture.log(log_line(LogLevel::kInfo, "logged"));
    std::cout.rdbuf(synced);
  }
  ASSERT_TRUE(opened);
  EXPECT_EQ(labelled_lines(buffer.str()),
            (std::vector<std::string>{"[stdout] held by the stream", "[info] logged"}));
}

TEST(StdioCaptureLog, LoggedLinesAreEchoedToStderrOnlyAndCapturedOnce) {
  OutputBuffer buffer;
  std::string echoed_out;
  std::string echoed_err;
  std::string expected_err;
  {
    FdToFile original_out(STDOUT_FILENO);
    FdToFile original_err(STDERR_FILENO);
    {
      StdioCapture capture(buffer);
      for (int i = 0; i < 2000; ++i) {  // about 100 KiB: more than one 64 KiB batch
        const std::string line = log_line(LogLevel::kInfo, "logged " + std::to_string(i));
        capture.log(line);
        expected_err += line;
        if (i % 100 == 0) {
          std::printf("out %d\n", i);
          std::fprintf(stderr, "err %d\n", i);
          expected_err += "err " + std::to_string(i) + "\n";
        }
      }
    }
    original_err.restore();
    original_out.restore();
    echoed_out = original_out.contents();
    echoed_err = original_err.contents();
  }
  EXPECT_EQ(count_of(echoed_out, '\n'), 20U);
  EXPECT_EQ(echoed_out.substr(0, 13), "out 0\nout 100");
  // stderr bytes are queued when log() drains them, so they keep their place among the lines.
  EXPECT_TRUE(echoed_err == expected_err) << echoed_err.size() << " vs " << expected_err.size();
  EXPECT_EQ(split_lines(buffer.str()).size(), 2000U + 40U);
  EXPECT_FALSE(buffer.truncated());
}

TEST(StdioCaptureLog, SharedTerminalEchoKeepsTheOrderOfStdoutLogAndStderr) {
  // stdout and stderr are one file (a terminal, `2>&1`): one echo queue for both, so the
  // batched echo is in write order, not all of a batch's stdout before its stderr.
  OutputBuffer buffer(16 * 1024 * 1024);
  std::string expected;
  std::string echoed;
  {
    BothToOneFile terminal;
    {
      StdioCapture capture(buffer);
      for (int i = 0; i < 3000; ++i) {  // several 64 KiB batches
        const std::string n = std::to_string(i);
        std::printf("printf %d\n", i);
        const std::string line = log_line(LogLevel::kInfo, "logged " + n);
        capture.log(line);
        std::fprintf(stderr, "fprintf %d\n", i);
        capture.log(line);
        expected += "printf " + n + "\n" + line + "fprintf " + n + "\n" + line;
        if (i % 500 == 0) {
          // A line split around a log() call: the terminal shows the bytes as written, the
          // buffer holds the whole line after the logged one.
          std::printf("partial ");
          capture.log(line);
          std::printf("line\n");
          capture.log(line);
          expected += "partial " + line + "line\n" + line;
        }
      }
    }
    terminal.restore();
    echoed = terminal.contents();
  }
  if (echoed != expected) {
    const auto at = static_cast<std::size_t>(
        std::mismatch(echoed.begin(), echoed.end(), expected.begin(), expected.end()).first - echoed.begin());
    const std::size_t from = at > 200 ? at - 200 : 0;
    ADD_FAILURE() << "echoed:\n" << echoed.substr(from, 400) << "\nexpected:\n" << expected.substr(from, 400);
  }
  EXPECT_EQ(echoed.size(), expected.size());
  EXPECT_EQ(split_lines(buffer.str()).size(), static_cast<std::size_t>(3000 * 4 + 6 * 3));
}

// Polls `contents` until it holds `needle` or `limit` passes.
template <typename Contents>
bool appears_within(Contents contents, const std::string& needle, milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (contents().find(needle) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

TEST(StdioCaptureLog, EchoReachesTheTerminalWhileTheCaptureRuns) {
  // Batched, but flushed about every 100 ms: the bound here is generous, not a benchmark.
  OutputBuffer buffer;
  bool logged_seen = false;
  bool printed_seen = false;
  bool stderr_seen = false;
  {
    FdToFile original_out(STDOUT_FILENO);
    FdToFile original_err(STDERR_FILENO);
    {
      StdioCapture capture(buffer);
      capture.log(log_line(LogLevel::kInfo, "logged soon"));
      logged_seen =
          appears_within([&] { return original_err.contents(); }, "logged soon\n", milliseconds(2000));
      std::printf("printed soon\n");
      std::fflush(stdout);
      printed_seen =
          appears_within([&] { return original_out.contents(); }, "printed soon\n", milliseconds(2000));
      std::fprintf(stderr, "stderr soon\n");
      stderr_seen =
          appears_within([&] { return original_err.contents(); }, "stderr soon\n", milliseconds(2000));
    }
  }
  EXPECT_TRUE(logged_seen) << "a logged line must be echoed within about 100 ms while the capture runs";
  EXPECT_TRUE(printed_seen) << "stdout must be echoed within about 100 ms while the capture runs";
  EXPECT_TRUE(stderr_seen) << "stderr must be echoed within about 100 ms while the capture runs";
}

TEST(StdioCaptureLog, ManySuccessiveCapturesShareOneReaderThread) {
  {
    OutputBuffer unused;
    StdioCapture warm_up(unused);  // the process-wide reader exists from here on
  }
  const std::size_t before = thread_count();
  std::size_t most = before;
  std::vector<std::string> outputs;
  {
    FdToFile original_out(STDOUT_FILENO);
    FdToFile original_err(STDERR_FILENO);
    for (int round = 0; round < 100; ++round) {  // as a runner captures each of 100 migrations
      OutputBuffer buffer;
      {
        StdioCapture capture(buffer);
        std::printf("migration %d\n", round);
        capture.log(log_line(LogLevel::kInfo, "logged " + std::to_string(round)));
        most = std::max(most, thread_count());
      }
      outputs.push_back(buffer.str());
    }
  }
  EXPECT_EQ(most, before) << "a capture started a thread";
  EXPECT_EQ(thread_count(), before);
  for (int round = 0; round < 100; ++round) {
    const std::string n = std::to_string(round);
    EXPECT_EQ(labelled_lines(outputs[static_cast<std::size_t>(round)]),
              (std::vector<std::string>{"[stdout] migration " + n, "[info] logged " + n}));
  }
}

TEST(StdioCaptureLog, ConcurrentThreadsEachKeepTheirOrder) {
  constexpr int kThreads = 6;
  constexpr int kLinesPerThread = 300;
  OutputBuffer buffer(16 * 1024 * 1024);
  {
    FdToFile original_out(STDOUT_FILENO);
    FdToFile original_err(STDERR_FILENO);
    StdioCapture capture(buffer);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([t, &capture] {
        for (int i = 0; i < kLinesPerThread; ++i) {
          const std::string tag = "t" + std::to_string(t) + " " + std::to_string(i);
          write_fd(i % 2 == 0 ? STDOUT_FILENO : STDERR_FILENO, tag + " printed\n");
          capture.log(log_line(LogLevel::kWarn, tag + " logged"));
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  // Each thread's lines appear as it wrote them: printed i, logged i, printed i+1, ...
  std::map<int, int> next;  // thread -> index of its next expected line (2 per round)
  const std::regex pattern(R"(^\[(stdout|stderr|warn)\] t(\d+) (\d+) (printed|logged)$)");
  for (const std::string& line : labelled_lines(buffer.str())) {
    std::smatch match;
    ASSERT_TRUE(std::regex_match(line, match, pattern)) << line;
    const int t = std::stoi(match[2].str());
    const int i = std::stoi(match[3].str());
    const int position = i * 2 + (match[4].str() == "logged" ? 1 : 0);
    ASSERT_EQ(position, next[t]) << line;
    ++next[t];
    const std::string label = match[1].str();
    EXPECT_EQ(label, match[4].str() == "logged" ? "warn" : (i % 2 == 0 ? "stdout" : "stderr")) << line;
  }
  ASSERT_EQ(next.size(), static_cast<std::size_t>(kThreads));
  for (const auto& [t, count] : next) EXPECT_EQ(count, kLinesPerThread * 2) << "thread " << t;
}

}  // namespace
}  // namespace auric
