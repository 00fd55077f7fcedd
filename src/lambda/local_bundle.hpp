// Verifying and unpacking a bundle that is already here (bytes in memory or a local file), apart
// from how it arrived (auric-migrate-runner downloads it from S3) and what runs it (the runner
// supervises `bootstrap fargate`). Verification is what the runner promises: the SHA-256 of the
// whole zip equals MIGRATION_BUNDLE_SHA256, the archive unpacks safely (zip.hpp), and it has a
// `bootstrap` file. Thread-compatible (extraction pins nothing, but writes below the folder).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace auric::lambda {

// Why a bundle was refused. what() is the whole message, naming what was wrong.
class BundleError : public std::runtime_error {
 public:
  enum class Reason {
    kDigestMismatch,  // the SHA-256 is not the expected one (nothing was written)
    kBadArchive,      // corrupt, unsafe (absolute, `..`, links, devices, duplicates) or not writable
    kNoBootstrap,     // unpacked, but there is no regular file `bootstrap` at its root
    kUnreadable,      // the bundle file cannot be read or the folder cannot be prepared
  };
  BundleError(Reason reason, const std::string& message) : std::runtime_error(message), reason_(reason) {}
  Reason reason() const { return reason_; }

 private:
  Reason reason_;
};

struct UnpackedBundle {
  std::string sha256;              // lowercase hex of the zip's bytes
  bool verified = false;           // it matched the expected SHA-256 (false: none was given)
  std::vector<std::string> files;  // the files written, as extract_zip returns them
};

// Lowercase hex SHA-256 of `bytes`. Throws BundleError (kDigestMismatch) when
// `expected_sha256` is not empty and differs (compared without regard to case).
std::string verify_bundle_digest(std::string_view bytes, std::string_view expected_sha256);

// Verifies `bytes` against `expected_sha256` (empty: not verified; the caller decides whether
// that is allowed), then unpacks it into the open folder `dir_fd` (not closed) and checks that
// it has a `bootstrap`. Nothing is written when the digest does not match. Throws BundleError,
// and nothing else.
UnpackedBundle unpack_bundle(std::string_view bytes, std::string_view expected_sha256, int dir_fd);

// The same for the bundle file `zip`, into the folder `dir`: the file is read once; after the
// digest matched, `dir` is removed if it exists and created afresh. Throws BundleError, and
// nothing else.
UnpackedBundle unpack_bundle_file(const std::filesystem::path& zip, std::string_view expected_sha256,
                                  const std::filesystem::path& dir);

}  // namespace auric::lambda
