// auric-migrate-runner as a library: the generic Fargate image's entry point. Downloads the
// bundle named by MIGRATION_BUNDLE_URL with the task's credentials (the AWS layer's chain),
// verifies it against MIGRATION_BUNDLE_SHA256 and unpacks it (unpack_bundle_file,
// local_bundle.hpp), runs `bootstrap fargate` with the environment
// passed through, forwards SIGTERM/SIGINT, escalates to SIGKILL after a grace period, and exits
// with the child's code (or re-raises the signal that killed it). Call from main's thread; it
// changes the process's signal mask while the child runs.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace auric::lambda {

using RunnerEnv = std::function<std::optional<std::string>(const std::string&)>;

struct RunnerSettings {
  std::string bundle_url;  // s3://bucket/key
  std::string bucket;
  std::string key;
  std::string sha256;  // expected, lowercase hex; empty only when unverified runs are allowed
  bool allow_unverified = false;
  std::string region;
  std::filesystem::path work_dir = "/app";  // bundle.zip and bundle/ go here
  std::chrono::milliseconds grace{30'000};  // SIGTERM → SIGKILL
};

// Reads MIGRATION_BUNDLE_URL, MIGRATION_BUNDLE_SHA256, MIGRATION_ALLOW_UNVERIFIED_BUNDLE=1,
// AWS_REGION / AWS_DEFAULT_REGION, MIGRATION_RUNNER_WORKDIR (default /app) and
// MIGRATION_RUNNER_GRACE_MS (default 30000). Throws std::invalid_argument with the message to
// print (without the prefix).
RunnerSettings runner_settings_from_env(const RunnerEnv& env);

// The whole runner: returns the exit code to use (the child's), or re-raises the child's fatal
// signal. Prints `[migrations-runner] ...` lines on stderr; every failure returns 1.
int run_bundle_runner(const RunnerEnv& env);

}  // namespace auric::lambda
