#include "core/system.hpp"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include <openssl/rand.h>

namespace auric {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string new_uuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    std::random_device rd;
    for (auto& c : b) c = static_cast<unsigned char>(rd());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

namespace {
std::string env_or(const char* name, const std::string& fallback = {}) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}
}  // namespace

Who current_who() {
  Who who;
  who.user = env_or("USER");
  if (who.user.empty()) {
    if (const passwd* pw = getpwuid(geteuid())) who.user = pw->pw_name;
  }
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) who.host = host;
  who.pid = static_cast<std::int64_t>(getpid());
  who.ecs_task_arn = env_or("ECS_TASK_ARN");
  who.aws_principal = env_or("AURIC_AWS_PRINCIPAL");
  who.boot_id = host_identity();
  return who;
}

namespace {

std::string first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// What /proc/<pid>/stat says of a process: its state letter ('R', 'S', 'Z', ...) and when it
// started (epoch ms: field 22, clock ticks since boot, plus the boot time), each when known.
struct ProcessStat {
  char state = 0;
  std::optional<std::int64_t> started_ms;
};

// Boot time in epoch seconds (`btime` in /proc/stat), 0 when unknown; read once per process.
std::int64_t boot_time_s() {
  static const std::int64_t btime = [] {
    std::ifstream proc_stat("/proc/stat");
    std::string key;
    std::int64_t value = 0;
    while (proc_stat >> key) {
      if (key == "btime" && proc_stat >> value) return value;
    }
    return std::int64_t{0};
  }();
  return btime;
}

ProcessStat read_process_stat(std::int64_t pid) {
  ProcessStat out;
  const std::string stat = first_line(("/proc/" + std::to_string(pid) + "/stat").c_str());
  const auto close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos || close + 2 >= stat.size()) return out;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 3) out.state = field.empty() ? '\0' : field[0];
    if (i != 22) continue;
    const long ticks = sysconf(_SC_CLK_TCK);
    if (boot_time_s() == 0 || ticks <= 0) break;
    try {
      out.started_ms = boot_time_s() * 1000 + std::stoll(field) * 1000 / ticks;
    } catch (const std::exception&) {
      // Unknown start time: never taken for a reused pid.
    }
  }
  return out;
}

}  // namespace

std::string host_identity() {
  const std::string boot = first_line("/proc/sys/kernel/random/boot_id");
  char ns[128] = {};
  const ssize_t n = readlink("/proc/self/ns/pid", ns, sizeof ns - 1);
  if (boot.empty() || n <= 0) return {};
  return boot + "/" + std::string(ns, static_cast<std::size_t>(n));
}

bool holder_is_dead_on_this_host(const Who& holder, std::int64_t since_ms) {
  if (holder.pid <= 0 || holder.boot_id.empty() || holder.host.empty()) return false;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || holder.host != host) return false;
  if (holder.boot_id != host_identity()) return false;
  if (holder.pid == static_cast<std::int64_t>(getpid())) return false;  // this very process: never "dead"
  if (::kill(static_cast<pid_t>(holder.pid), 0) != 0) return errno == ESRCH;
  const ProcessStat stat = read_process_stat(holder.pid);
  // A zombie (exited, not yet reaped by its parent) holds nothing any more.
  if (stat.state == 'Z' || stat.state == 'X') return true;
  // The pid exists: dead only if it is a newer process that reused the number. Start times
  // have the boot time's one-second granularity, hence the margin.
  return stat.started_ms && *stat.started_ms > since_ms + 2000;
}

std::string new_lock_owner(const Who& who) {
  return who.host + ":" + std::to_string(who.pid) + ":" + new_uuid().substr(0, 8);
}

}  // namespace auric
