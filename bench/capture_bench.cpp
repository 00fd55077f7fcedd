// Output capture throughput and memory: OutputBuffer appends (the ctx.log path), printf lines
// through StdioCapture with the echo going to /dev/null, and the peak-RSS increase while 1 GB
// goes through captured stdout. Targets: >= 100 MB/s, >= 50 MB/s, < 5 MB.
// stdout is made fully buffered before anything is printed, as it is when a migration runs
// with its output going to a pipe or a file (Lambda, ECS, CI); the *LineBuffered variant
// flushes after every line, which is what a terminal's line buffering costs.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include <benchmark/benchmark.h>

#include "core/output_capture.hpp"

namespace auric {
namespace {

constexpr std::size_t kLineBytes = 100;  // message bytes per line, newline included for stdout
constexpr std::size_t kGigabyte = std::size_t{1} << 30;

// Points fd 1 at /dev/null until destroyed, so the capture's echo costs a real write(2) but
// floods nothing.
class StdoutToDevNull {
 public:
  StdoutToDevNull() {
    std::cout.flush();
    std::fflush(stdout);
    saved_ = ::dup(STDOUT_FILENO);
    const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ::dup2(null_fd, STDOUT_FILENO);
    ::close(null_fd);
  }
  ~StdoutToDevNull() {
    std::fflush(stdout);
    ::dup2(saved_, STDOUT_FILENO);
    ::close(saved_);
  }
  StdoutToDevNull(const StdoutToDevNull&) = delete;
  StdoutToDevNull& operator=(const StdoutToDevNull&) = delete;

 private:
  int saved_ = -1;
};

// "VmHWM:  1234 kB" from /proc/self/status, in KiB; -1 if unavailable.
long read_status_kib(const char* key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::size_t key_size = std::strlen(key);
  while (std::getline(status, line)) {
    if (line.compare(0, key_size, key) == 0) return std::stol(line.substr(key_size + 1));
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so the peak measured next belongs to what
// runs next, not to an earlier benchmark. Returns false if the kernel refused.
bool reset_peak_rss() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  clear_refs << "5";
  clear_refs.flush();
  return static_cast<bool>(clear_refs);
}

std::string message_of(std::size_t size) {
  std::string message;
  for (std::size_t i = 0; i < size; ++i) message += static_cast<char>('a' + i % 26);
  return message;
}

// ctx.log-style appends of 100-byte messages. Bytes are message bytes (the formatted line adds
// a 34-byte stamp and level on top).
void BM_OutputBufferAppend(benchmark::State& state) {
  static OutputBuffer shared;  // one buffer for all threads, as one run's Context has
  const std::string message = message_of(kLineBytes);
  for (auto _ : state) shared.append(LogLevel::kInfo, message);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kLineBytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  if (state.thread_index() == 0) {
    state.counters["kept_bytes"] = static_cast<double>(shared.size_bytes());
  }
}
BENCHMARK(BM_OutputBufferAppend)->Threads(1)->Threads(2)->UseRealTime();

// printf lines through StdioCapture; each iteration is one whole capture (start, 16 MiB of
// lines, stop and drain), so the reader's work is inside the timing.
void run_printf_through_capture(benchmark::State& state, bool flush_each_line) {
  constexpr std::size_t kBytesPerIteration = 16 * 1024 * 1024;
  constexpr std::size_t kLinesPerIteration = kBytesPerIteration / kLineBytes;
  const std::string message = message_of(kLineBytes - 1);
  StdoutToDevNull devnull;
  std::size_t kept = 0;
  for (auto _ : state) {
    OutputBuffer buffer;
    {
      StdioCapture capture(buffer);
      for (std::size_t i = 0; i < kLinesPerIteration; ++i) {
        std::printf("%s\n", message.c_str());
        if (flush_each_line) std::fflush(stdout);
      }
    }
    kept = buffer.size_bytes();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kLinesPerIteration * kLineBytes));
  state.counters["kept_bytes"] = static_cast<double>(kept);
}

void BM_StdoutCapturePrintf(benchmark::State& state) {
  run_printf_through_capture(state, false);
}
BENCHMARK(BM_StdoutCapturePrintf)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_StdoutCapturePrintfLineBuffered(benchmark::State& state) {
  run_printf_through_capture(state, true);
}
BENCHMARK(BM_StdoutCapturePrintfLineBuffered)->Unit(benchmark::kMillisecond)->UseRealTime();

// 1 GiB through captured stdout; reports how much the peak RSS (VmHWM) grew while the capture
// (ring buffer, reader thread, line accumulator) was alive. Arg 0: 100-byte lines; arg 1: one
// single 1 GiB line, which the reader may hold only up to the cap.
void BM_StdoutCapture1GiBPeakRss(benchmark::State& state) {
  const bool one_line = state.range(0) == 1;
  std::string block;
  if (one_line) {
    block.assign(64 * 1024, 'L');
  } else {
    const std::string line = message_of(kLineBytes - 1) + "\n";
    while (block.size() + line.size() <= 64 * 1024) block += line;
    block += std::string(64 * 1024 - block.size() - 1, 'L') + "\n";  // and one longer line
  }
  StdoutToDevNull devnull;
  long increase_kib = 0;
  long before_kib = 0;
  std::size_t kept = 0;
  for (auto _ : state) {
    const bool reset = reset_peak_rss();
    before_kib = read_status_kib("VmHWM");
    {
      OutputBuffer buffer;
      {
        StdioCapture capture(buffer);
        for (std::size_t sent = 0; sent < kGigabyte; sent += block.size()) {
          std::fwrite(block.data(), 1, block.size(), stdout);
        }
      }
      kept = buffer.size_bytes();
    }
    increase_kib = read_status_kib("VmHWM") - before_kib;
    if (!reset) state.SkipWithError("cannot reset VmHWM (/proc/self/clear_refs)");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kGigabyte));
  state.counters["hwm_before_kib"] = static_cast<double>(before_kib);
  state.counters["rss_increase_kib"] = static_cast<double>(increase_kib);
  state.counters["kept_bytes"] = static_cast<double>(kept);
}
BENCHMARK(BM_StdoutCapture1GiBPeakRss)
    ->ArgName("one_line")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace auric

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOFBF, BUFSIZ);  // before any output; see the file comment
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
