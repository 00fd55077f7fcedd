// Starts a node.js emulator (dynalite, s3rver) from tests/node/node_modules as a child
// process bound to 127.0.0.1 on a free port, waits until it accepts connections, and kills
// it in the destructor. The child also dies with the test process (PR_SET_PDEATHSIG; set
// from the thread that constructs it, so construct it from the test's main thread).
// Not thread-safe: one owner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace auric::aws::testing {

// tests/node/node_modules as configured at build time.
std::filesystem::path node_modules_dir();

// Throws std::runtime_error with the fix ("run npm ci in tests/node") when the package's
// entry script is missing.
std::filesystem::path require_node_script(const std::string& relative_path);

// A free TCP port on 127.0.0.1 (bind to 0, read it, close).
std::uint16_t free_port();

class NodeProcess {
 public:
  // Runs `node <script> <args...>`, output to a log file in a temp dir; then waits up to
  // `startup_timeout` for 127.0.0.1:port to accept connections.
  // Throws std::runtime_error (with the log's tail) when it exits early or never listens.
  NodeProcess(const std::filesystem::path& script, const std::vector<std::string>& args, std::uint16_t port,
              std::chrono::milliseconds startup_timeout = std::chrono::seconds(20));
  ~NodeProcess();
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // The child's output so far.
  std::string log() const;
  // SIGTERM, then SIGKILL after a grace period; idempotent.
  void stop();

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::filesystem::path log_file_;
};

}  // namespace auric::aws::testing
