#include "core/system.hpp"

#include <pwd.h>
#include <unistd.h>

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
  return who;
}

std::string new_lock_owner(const Who& who) {
  return who.host + ":" + std::to_string(who.pid) + ":" + new_uuid().substr(0, 8);
}

}  // namespace auric
