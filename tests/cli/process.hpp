// Runs a child process with arguments, extra environment and a working directory, and
// collects its exit status and output. For the CLI tests; not thread-safe across fork().
#pragma once

#include <map>
#include <string>
#include <vector>

namespace auric::test {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

struct ProcessSpec {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // added to (or replacing) the parent's
  std::string cwd;
  std::string stdin_text;
};

// Starts the process and returns its pid; output goes to the given files (or /dev/null).
int spawn(const ProcessSpec& spec, const std::string& out_file = "", const std::string& err_file = "");
// Waits for a spawned pid; fills exit_code/signal only.
ProcessResult wait_for(int pid);
// Runs to completion, capturing stdout and stderr.
ProcessResult run(const ProcessSpec& spec);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);
// A fresh temporary directory (removed by the caller when it wants).
std::string make_temp_dir();

}  // namespace auric::test
