#include "node_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace auric::aws::testing {

std::filesystem::path node_modules_dir() {
  return AURIC_NODE_MODULES_DIR;
}

std::filesystem::path require_node_script(const std::string& relative_path) {
  const auto script = node_modules_dir() / relative_path;
  if (!std::filesystem::exists(script)) {
    throw std::runtime_error(
        "emulator script " + script.string() +
        " is missing: build the auric_aws_node_modules target or run `npm ci` in tests/node");
  }
  return script;
}

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind an ephemeral port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

namespace {
bool accepts_connections(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}
}  // namespace

NodeProcess::NodeProcess(const std::filesystem::path& script, const std::vector<std::string>& args,
                         std::uint16_t port, std::chrono::milliseconds startup_timeout) {
  char dir_template[] = "/tmp/auric-node-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
  log_file_ = std::filesystem::path(dir_template) / "emulator.log";
  // With port 0 a free port is picked and substituted for "@PORT@"; a lost race for the
  // port (the emulator exits at startup) is retried with another one.
  const int attempts = port == 0 ? 3 : 1;
  for (int attempt = 1;; ++attempt) {
    port_ = port == 0 ? free_port() : port;
    std::vector<std::string> argv_storage = {AURIC_NODE_EXECUTABLE, script.string()};
    for (const auto& a : args) argv_storage.push_back(a == "@PORT@" ? std::to_string(port_) : a);
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);  // the parent died before prctl
      const int log = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (log >= 0) {
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
      }
      const int devnull = ::open("/dev/null", O_RDONLY);
      if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + startup_timeout;
    bool exited = false;
    for (;;) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exited = true;
        break;
      }
      if (accepts_connections(port_)) return;
      if (std::chrono::steady_clock::now() > deadline) {
        const std::string output = log();
        stop();
        throw std::runtime_error("emulator " + script.filename().string() + " did not listen on port " +
                                 std::to_string(port_) + " within " +
                                 std::to_string(startup_timeout.count()) + " ms: " + output);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    if (exited && attempt >= attempts) {
      throw std::runtime_error("emulator " + script.filename().string() + " exited during startup: " + log());
    }
  }
}

NodeProcess::~NodeProcess() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(log_file_.parent_path(), ec);
}

std::string NodeProcess::log() const {
  std::ifstream in(log_file_);
  std::ostringstream out;
  out << in.rdbuf();
  std::string text = out.str();
  if (text.size() > 2000) text = "..." + text.substr(text.size() - 2000);
  return text;
}

void NodeProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace auric::aws::testing
