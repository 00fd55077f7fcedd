// auric-migrate-bundle: packages a migrations binary into one deterministic zip for Lambda
// (provided.al2023) and the Fargate runner, optionally uploading it content-addressed to S3.
// See docs/fargate.md.
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "aws/errors.hpp"
#include "aws/s3.hpp"
#include "aws/session.hpp"
#include "lambda/bundle.hpp"

#ifndef AURIC_VERSION
#define AURIC_VERSION "0.0.0"
#endif

namespace {

std::string thousands(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "auric-migrate-bundle: package a migrations binary for AWS Lambda (provided.al2023) and Fargate"};
  app.set_version_flag("--version", std::string("auric-migrate-bundle ") + AURIC_VERSION);
  auric::lambda::BundleOptions options;
  std::string entry, out = "dist/bundle.zip", upload;
  std::vector<std::string> include;
  bool json = false;
  app.add_option("-e,--entry", entry, "the migrations binary (built by auric_add_migrations)")->required();
  app.add_option("-o,--out", out, "the zip to write (default dist/bundle.zip)");
  app.add_option("-i,--include", include,
                 "extra file placed at the zip's root, e.g. migrate.config.toml (repeatable)");
  app.add_option("--upload", upload, "upload to s3://bucket[/prefix] under bundles/bundle-<sha256>.zip");
  app.add_flag("--json", json, "print the result as JSON on stdout");
  std::string glibc = "auto";
  app.add_option("--glibc", glibc,
                 "bundle glibc and its loader: auto (when the binary needs a newer glibc than "
                 "provided.al2023's 2.34), bundled, or system")
      ->check(CLI::IsMember({"auto", "bundled", "system"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  options.entry = entry;
  options.glibc = glibc == "bundled"  ? auric::lambda::GlibcMode::kBundled
                  : glibc == "system" ? auric::lambda::GlibcMode::kSystem
                                      : auric::lambda::GlibcMode::kAuto;
  options.out = out;
  for (const auto& f : include) options.include.emplace_back(f);
  try {
    const auto result = auric::lambda::create_bundle(options);
    std::optional<auric::lambda::UploadResult> uploaded;
    if (!upload.empty()) {
      auric::aws::ClientConfig config = auric::aws::make_client_config();
      const char* endpoint = std::getenv("AWS_ENDPOINT_URL_S3");
      const char* any_endpoint = std::getenv("AWS_ENDPOINT_URL");
      const char* path_style = std::getenv("AWS_S3_USE_PATH_STYLE");
      config.s3_path_style = (endpoint && *endpoint) || (any_endpoint && *any_endpoint) ||
                             (path_style && std::string(path_style) == "true");
      auric::aws::S3Client s3(config);
      uploaded = auric::lambda::upload_bundle(result, upload, s3);
    }
    if (json) {
      nlohmann::json j = {{"outFile", result.out.string()},
                          {"size", result.size},
                          {"sha256", result.sha256},
                          {"entries", result.entries},
                          {"excluded", result.excluded},
                          {"maxGlibc", result.max_glibc},
                          {"glibcBundled", result.glibc_bundled}};
      if (uploaded)
        j["upload"] = {{"url", uploaded->url}, {"key", uploaded->key}, {"uploaded", uploaded->uploaded}};
      std::cout << j.dump(2) << std::endl;
    }
    std::cerr << "\n"
              << result.out.string() << "\n"
              << "  size:   " << thousands(result.size) << " bytes\n"
              << "  sha256: " << result.sha256 << "\n"
              << "  files:  " << result.entries.size() << " (";
    for (std::size_t i = 0; i < result.entries.size(); ++i) std::cerr << (i ? ", " : "") << result.entries[i];
    std::cerr << ")\n";
    if (!result.excluded.empty()) {
      std::cerr << "  base system (not bundled):";
      for (const auto& lib : result.excluded) std::cerr << " " << lib;
      std::cerr << "\n";
    }
    if (result.glibc_bundled) {
      std::cerr << "  glibc:  bundled with its loader (the binary needs glibc " << result.max_glibc
                << "; provided.al2023 has 2.34)\n";
    } else if (auric::lambda::glibc_newer_than_al2023(result.max_glibc)) {
      std::cerr
          << "  warning: needs glibc " << result.max_glibc
          << "; provided.al2023 has glibc 2.34: bundle with --glibc auto or bundled, or build on Amazon "
             "Linux 2023, for Lambda. The Debian 12 runner image is fine.\n";
    }
    if (uploaded) {
      std::cerr << "  " << (uploaded->uploaded ? "uploaded: " : "exists:   ") << uploaded->url << "\n"
                << "  MIGRATION_BUNDLE_URL=" << uploaded->url << "\n"
                << "  MIGRATION_BUNDLE_SHA256=" << result.sha256 << "\n";
    }
    std::cerr << std::flush;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bundle failed: " << e.what() << std::endl;
    return 1;
  }
}
