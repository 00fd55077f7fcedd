#include "process.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace auric::test {
namespace {

[[noreturn]] void exec_child(const ProcessSpec& spec) {
  if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) _exit(127);
  for (const auto& [k, v] : spec.env) ::setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> args;
  for (const auto& a : spec.argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  _exit(127);
}

int open_or_null(const std::string& path) {
  return ::open(path.empty() ? "/dev/null" : path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

}  // namespace

int spawn(const ProcessSpec& spec, const std::string& out_file, const std::string& err_file) {
  const int out = open_or_null(out_file);
  const int err = open_or_null(err_file);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    exec_child(spec);
  }
  ::close(out);
  ::close(err);
  return pid;
}

ProcessResult wait_for(int pid) {
  ProcessResult r;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("waitpid failed");
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

ProcessResult run(const ProcessSpec& spec) {
  const std::string dir = make_temp_dir();
  const int pid = spawn(spec, dir + "/out", dir + "/err");
  ProcessResult r = wait_for(pid);
  r.out = read_file(dir + "/out");
  r.err = read_file(dir + "/err");
  std::string cmd = "rm -rf '" + dir + "'";
  if (std::system(cmd.c_str()) != 0) {
    // Leftover temp files are harmless.
  }
  return r;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string make_temp_dir() {
  std::string tmpl = "/tmp/auric-test-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

}  // namespace auric::test
