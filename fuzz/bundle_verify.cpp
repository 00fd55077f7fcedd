// Verifying and unpacking a local bundle: the input is the bundle (a zip). unpack_bundle with a
// wrong digest (refused, nothing written), unpack_bundle with the input's own digest into a
// fresh folder, and unpack_bundle_file on the input written to a file. All documented to throw
// BundleError and nothing else. Checked: the bytes and the file agree (the same files, or the
// same reason), what comes back is verified exactly when a digest was given, a bundle that
// unpacked has a regular `bootstrap`, and nothing is written outside the folder, nor any link.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "fuzz_support.hpp"
#include "lambda/local_bundle.hpp"

namespace fs = std::filesystem;
namespace lambda = auric::lambda;
using auric::fuzz::check;

namespace {

// The files, or the reason it was refused.
struct Outcome {
  std::optional<lambda::UnpackedBundle> bundle;
  std::optional<lambda::BundleError::Reason> refused;
};

void check_unpacked(const lambda::UnpackedBundle& bundle, const fs::path& out, bool with_digest) {
  check(bundle.verified == with_digest, "verified does not say whether a digest was given");
  check(bundle.sha256.size() == 64, "a digest that is not 64 hex digits", bundle.sha256);
  check(fs::symlink_status(out / "bootstrap").type() == fs::file_type::regular,
        "a bundle unpacked without a regular bootstrap");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = auric::fuzz::as_text(data, size);
  const auric::fuzz::ScratchFolder scratch("bundle");
  const fs::path& parent = scratch.path();
  const fs::path from_bytes = parent / "bytes";
  const fs::path from_file = parent / "file";
  const fs::path zip = parent / "bundle.zip";
  fs::create_directories(from_bytes);
  const int dir_fd = open(from_bytes.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  check(dir_fd >= 0, "cannot open the unpacking folder");

  // The input's own digest, and one that is not.
  const std::string digest = lambda::verify_bundle_digest(bytes, "");
  const std::string wrong = digest == std::string(64, '0') ? std::string(64, '1') : std::string(64, '0');
  try {
    (void)lambda::unpack_bundle(bytes, wrong, dir_fd);
    auric::fuzz::fail("a wrong digest was accepted");
  } catch (const lambda::BundleError& e) {
    check(e.reason() == lambda::BundleError::Reason::kDigestMismatch,
          "a wrong digest refused for another reason", e.what());
  }
  check(fs::is_empty(from_bytes), "a refused digest wrote something");

  Outcome a, b;
  try {
    a.bundle = lambda::unpack_bundle(bytes, digest, dir_fd);
  } catch (const lambda::BundleError& e) {
    a.refused = e.reason();
  }
  close(dir_fd);
  std::ofstream(zip, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  try {
    b.bundle = lambda::unpack_bundle_file(zip, "", from_file);
  } catch (const lambda::BundleError& e) {
    b.refused = e.reason();
  }

  check(a.refused == b.refused, "the bytes and the file were refused differently");
  if (a.bundle && b.bundle) {
    check(a.bundle->files == b.bundle->files && a.bundle->sha256 == b.bundle->sha256,
          "the bytes and the file unpacked differently");
    check_unpacked(*a.bundle, from_bytes, true);
    check_unpacked(*b.bundle, from_file, false);
  }
  for (const auto& entry : fs::directory_iterator(parent)) {
    check(entry.path() == from_bytes || entry.path() == from_file || entry.path() == zip,
          "unpacking wrote outside its folder", entry.path().string());
  }
  auric::fuzz::check_only_files_and_folders(from_bytes, "unpacking left a link or a special file");
  if (fs::exists(from_file)) {
    auric::fuzz::check_only_files_and_folders(from_file, "unpacking left a link or a special file");
  }
  return 0;
}
