#include "dashboard_tool/sso_login.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <regex>

#include "aws/errors.hpp"
#include "dashboard_tool/profiles.hpp"

extern char** environ;

namespace auric::dashboard_tool {
namespace {

const std::regex& expiry_pattern() {
  static const std::regex re(
      "sso session.*expired|token.*expired|the sso session associated with this profile has expired|"
      "no cached sso session credentials|failed to load sso credentials|sso authorization.*expired",
      std::regex::icase | std::regex::ECMAScript);
  return re;
}

bool executable(const std::string& path) {
  return !path.empty() && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

bool matches_sso_expiry_message(std::string_view message) {
  return std::regex_search(message.begin(), message.end(), expiry_pattern());
}

bool is_expired_sso_error(const std::exception& error) {
  if (dynamic_cast<const aws::SsoTokenExpiredError*>(&error) != nullptr) return true;
  if (const auto* aws_error = dynamic_cast<const aws::AwsError*>(&error)) {
    const std::string& code = aws_error->code();
    if (code == "ExpiredTokenException" || code == "SSOTokenInvalidException" ||
        code == aws::kSsoTokenExpiredCode)
      return true;
    if (aws_error->message().empty()) return false;
    return matches_sso_expiry_message(aws_error->message());
  }
  return matches_sso_expiry_message(error.what());
}

std::string find_aws_cli(std::string_view path_env) {
  std::size_t pos = 0;
  while (pos <= path_env.size()) {
    std::size_t end = path_env.find(':', pos);
    if (end == std::string_view::npos) end = path_env.size();
    std::string dir(path_env.substr(pos, end - pos));
    pos = end + 1;
    if (dir.empty()) continue;
    std::string candidate = dir + "/aws";
    if (executable(candidate)) return candidate;
  }
  if (executable("/usr/bin/aws")) return "/usr/bin/aws";
  return {};
}

void run_sso_login(const std::string& profile, std::string_view path_env) {
  const std::string command = "aws sso login --profile " + profile;
  const std::string cli = find_aws_cli(path_env);
  if (cli.empty()) {
    throw ToolError(
        "Failed to launch \"aws sso login\": aws: command not found. Is the AWS CLI installed and on $PATH?");
  }
  std::string a0 = cli, a1 = "sso", a2 = "login", a3 = "--profile", a4 = profile;
  char* argv[] = {a0.data(), a1.data(), a2.data(), a3.data(), a4.data(), nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, cli.c_str(), nullptr, nullptr, argv, environ);
  if (rc != 0) {
    throw ToolError("Failed to launch \"aws sso login\": " + std::string(std::strerror(rc)) +
                    ". Is the AWS CLI installed and on $PATH?");
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw ToolError("Failed to wait for \"" + command + "\": " + std::strerror(errno));
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (code != 0) throw ToolError("\"" + command + "\" exited with code " + std::to_string(code));
}

}  // namespace auric::dashboard_tool
