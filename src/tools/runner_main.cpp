// auric-migrate-runner: the entry point of the generic Fargate runner image (deploy/runner):
// download the bundle from S3, verify its sha256, unpack it and run it in fargate mode.
// Configured only through the environment; see docs/fargate.md.
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "lambda/bundle_runner.hpp"

#ifndef AURIC_VERSION
#define AURIC_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  if (argc > 1 && (std::strcmp(argv[1], "--version") == 0)) {
    std::cout << "auric-migrate-runner " << AURIC_VERSION << std::endl;
    return 0;
  }
  if (argc > 1) {
    std::cerr << "usage: auric-migrate-runner [--version]\n"
                 "Configured through MIGRATION_BUNDLE_URL, MIGRATION_BUNDLE_SHA256 and the MIGRATION_* run "
                 "variables (docs/fargate.md)."
              << std::endl;
    return std::strcmp(argv[1], "--help") == 0 ? 0 : 2;
  }
  return auric::lambda::run_bundle_runner([](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  });
}
