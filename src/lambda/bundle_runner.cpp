#include "lambda/bundle_runner.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <iostream>

#include "aws/encoding.hpp"
#include "aws/errors.hpp"
#include "aws/s3.hpp"
#include "aws/session.hpp"
#include "lambda/bundle.hpp"
#include "lambda/local_bundle.hpp"

extern char** environ;

namespace auric::lambda {
namespace {

void say(const std::string& line) {
  std::cerr << "[migrations-runner] " << line << std::endl;
}

bool is_sha256_hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Runs `argv` in `cwd`, forwarding SIGTERM/SIGINT and escalating to SIGKILL `grace` after the
// first one. Returns the wait status.
int supervise(const std::filesystem::path& cwd, const std::vector<std::string>& args,
              std::chrono::milliseconds grace) {
  sigset_t watched, previous;
  sigemptyset(&watched);
  sigaddset(&watched, SIGTERM);
  sigaddset(&watched, SIGINT);
  sigaddset(&watched, SIGCHLD);
  sigprocmask(SIG_BLOCK, &watched, &previous);
  std::vector<std::string> arg_copy = args;
  std::vector<char*> argv;
  argv.reserve(arg_copy.size() + 1);
  for (auto& a : arg_copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    throw std::runtime_error("failed to start the bundle: fork failed");
  }
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    if (::chdir(cwd.c_str()) != 0) _exit(127);
    ::execve(argv[0], argv.data(), environ);
    _exit(127);
  }
  std::optional<std::chrono::steady_clock::time_point> kill_at;
  bool killed = false;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    timespec timeout{0, 50'000'000};
    siginfo_t info{};
    const int sig = sigtimedwait(&watched, &info, &timeout);
    if (sig == SIGTERM || sig == SIGINT) {
      say(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + "; forwarding to the bundle");
      ::kill(pid, sig);
      if (!kill_at) kill_at = std::chrono::steady_clock::now() + grace;
    }
    if (kill_at && !killed && std::chrono::steady_clock::now() >= *kill_at) {
      say("the bundle did not exit within " + std::to_string(grace.count()) + " ms; sending SIGKILL");
      ::kill(pid, SIGKILL);
      killed = true;
    }
  }
  sigprocmask(SIG_SETMASK, &previous, nullptr);
  return status;
}

}  // namespace

RunnerSettings runner_settings_from_env(const RunnerEnv& env) {
  RunnerSettings s;
  const auto url = env("MIGRATION_BUNDLE_URL");
  if (!url) {
    throw std::invalid_argument(
        "MIGRATION_BUNDLE_URL is required. Set it to the s3://bucket/key of a bundle made by "
        "auric-migrate-bundle.");
  }
  s.bundle_url = *url;
  const S3Location loc = parse_s3_url(*url, "MIGRATION_BUNDLE_URL", true);
  s.bucket = loc.bucket;
  s.key = loc.key;
  s.allow_unverified = env("MIGRATION_ALLOW_UNVERIFIED_BUNDLE").value_or("") == "1";
  if (auto sha = env("MIGRATION_BUNDLE_SHA256")) {
    if (!is_sha256_hex(*sha)) {
      throw std::invalid_argument("MIGRATION_BUNDLE_SHA256 must be 64 hex digits (got '" + *sha + "')");
    }
    s.sha256 = aws::to_lower(*sha);
  } else if (!s.allow_unverified) {
    throw std::invalid_argument(
        "MIGRATION_BUNDLE_SHA256 is required: refusing to run an unverified bundle (set "
        "MIGRATION_ALLOW_UNVERIFIED_BUNDLE=1 to waive the check).");
  }
  s.region = env("AWS_REGION").value_or(env("AWS_DEFAULT_REGION").value_or(""));
  if (s.region.empty())
    throw std::invalid_argument("AWS_REGION (or AWS_DEFAULT_REGION) is required to download the bundle");
  if (auto dir = env("MIGRATION_RUNNER_WORKDIR")) s.work_dir = *dir;
  if (auto grace = env("MIGRATION_RUNNER_GRACE_MS")) {
    try {
      s.grace = std::chrono::milliseconds(std::stoll(*grace));
    } catch (const std::exception&) {
      throw std::invalid_argument("MIGRATION_RUNNER_GRACE_MS must be a number of milliseconds (got '" +
                                  *grace + "')");
    }
  }
  return s;
}

int run_bundle_runner(const RunnerEnv& env) {
  RunnerSettings s;
  try {
    s = runner_settings_from_env(env);
  } catch (const std::invalid_argument& e) {
    say(e.what());
    return 1;
  }
  namespace fs = std::filesystem;
  const fs::path zip = s.work_dir / "migrations-bundle.zip";
  const fs::path dir = s.work_dir / "bundle";
  try {
    aws::SessionOptions options;
    options.region = s.region;
    aws::ClientConfig config = aws::make_client_config(options);
    config.s3_path_style = env("AWS_ENDPOINT_URL_S3").has_value() || env("AWS_ENDPOINT_URL").has_value() ||
                           env("AWS_S3_USE_PATH_STYLE").value_or("") == "true";
    aws::S3Client s3(config);
    say("downloading " + s.bundle_url);
    fs::create_directories(s.work_dir);
    const mode_t old_mask = ::umask(077);  // the bundle file is 0600
    try {
      // A retried download starts the file over; a short one is an error (Content-Length).
      s3.get_object_to_file(s.bucket, s.key, zip);
    } catch (...) {
      ::umask(old_mask);
      throw;
    }
    ::umask(old_mask);
  } catch (const std::exception& e) {
    say(std::string("failed to download bundle: ") + e.what());
    return 1;
  }
  std::error_code ec;
  try {
    const UnpackedBundle bundle = unpack_bundle_file(zip, s.sha256, dir);
    if (bundle.verified) {
      say("sha256 verified (" + bundle.sha256 + ")");
    } else {
      say("WARNING: MIGRATION_BUNDLE_SHA256 not set; bundle integrity not verified "
          "(MIGRATION_ALLOW_UNVERIFIED_BUNDLE=1, sha256 " +
          bundle.sha256 + ")");
    }
  } catch (const BundleError& e) {
    if (e.reason() == BundleError::Reason::kDigestMismatch) fs::remove(zip, ec);
    say(e.what());
    return 1;
  }
  const fs::path bootstrap = dir / "bootstrap";
  say("running bundle in fargate mode");
  int status = 0;
  try {
    status = supervise(dir, {bootstrap.string(), "fargate"}, s.grace);
  } catch (const std::exception& e) {
    say(e.what());
    return 1;
  }
  if (WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    if (code == 127) say("the bundle could not be started (exit 127)");
    return code;
  }
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    say("the bundle was killed by signal " + std::to_string(sig) + "; re-raising it");
    std::cerr.flush();
    ::signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
    ::raise(sig);
    return 128 + sig;
  }
  return 1;
}

}  // namespace auric::lambda
