// auric-migrate-bundle as a library: packages a migrations binary into one deterministic zip
// for Lambda (provided.al2023) and the Fargate runner, and uploads it content-addressed to S3.
// Layout: `bootstrap` (sh: sets LD_LIBRARY_PATH to lib/ and execs the binary with its
// arguments), `bin/<binary>`, `lib/<soname>` for every shared library the binary loads that is
// not part of the base system (glibc and the loader, see kBaseSystemLibraries), and any extra
// files at the root (e.g. migrate.config.toml). Thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace auric::aws {
class S3Client;
}  // namespace auric::aws

namespace auric::lambda {

// glibc's libraries and loaders: present on Amazon Linux 2023 and Debian, and tied to the
// loader, so never bundled.
extern const std::vector<std::string> kBaseSystemLibraries;

// Whether the bundle carries glibc and its dynamic loader. kAuto bundles them when the binary
// or its libraries need a newer glibc than provided.al2023's (2.34), e.g. a Debian 12 build.
enum class GlibcMode { kAuto, kSystem, kBundled };

// True when a "2.x" glibc version is newer than Amazon Linux 2023's 2.34.
bool glibc_newer_than_al2023(const std::string& version);

struct BundleOptions {
  std::filesystem::path entry;                 // the migrations binary
  std::filesystem::path out;                   // the zip to write
  std::vector<std::filesystem::path> include;  // extra files placed at the zip's root
  GlibcMode glibc = GlibcMode::kAuto;
  // Runs the dynamic loader's resolution (`ldd <file>`) and returns its output; tests inject.
  std::function<std::string(const std::filesystem::path&)> ldd;
};

struct BundleResult {
  std::filesystem::path out;  // absolute
  std::uint64_t size = 0;
  std::string sha256;  // lowercase hex of the zip
  std::vector<std::string> entries;
  std::vector<std::string> excluded;  // base-system libraries left out
  std::string max_glibc;              // highest GLIBC_x.y version referenced ("" if none found)
  bool glibc_bundled = false;         // glibc and the loader are in lib/; bootstrap runs through them
};

// Builds the zip. Throws std::runtime_error naming the problem (missing entry, a library ldd
// cannot find, an unreadable file).
BundleResult create_bundle(const BundleOptions& options);

// (soname, resolved path) pairs from `ldd` output; unresolved libraries have an empty path.
std::vector<std::pair<std::string, std::string>> parse_ldd_output(const std::string& output);

// Lowercase hex SHA-256 of a file's content, read in chunks. Throws std::runtime_error.
std::string sha256_file(const std::filesystem::path& file);

// Incremental SHA-256 (OpenSSL stays in the .cpp), for hashing bytes as they stream past.
// Thread-compatible.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  // Starts over, as if nothing had been added.
  void reset();
  void update(std::string_view bytes);
  // Lowercase hex digest of the bytes added since the last reset (the state is kept).
  std::string hex_digest() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct S3Location {
  std::string bucket;
  std::string key;  // may be empty for a prefix URL
};
// Parses s3://bucket[/key]. Throws std::invalid_argument: "must start with s3://" or
// "is malformed (expected s3://bucket/key)" (`what` names the setting in the message).
S3Location parse_s3_url(const std::string& url, const std::string& what, bool key_required);

struct UploadResult {
  std::string bucket;
  std::string key;
  std::string url;        // s3://bucket/key
  bool uploaded = false;  // false: the key existed already
};

// The content-addressed key: `<prefix>/bundles/bundle-<sha256>.zip` (no leading prefix when
// the URL has none).
std::string bundle_key(const std::string& prefix, const std::string& sha256);

// Uploads the bundle to `s3_url` (s3://bucket[/prefix]) unless HeadObject finds the key with
// the same size. Throws aws::AwsError or std::invalid_argument.
UploadResult upload_bundle(const BundleResult& bundle, const std::string& s3_url, aws::S3Client& s3);

}  // namespace auric::lambda
