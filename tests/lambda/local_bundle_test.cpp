// Verifying and unpacking a local bundle (local_bundle.hpp), without S3 or a child process: a
// good bundle from bytes and from a file, a tampered one (refused before anything is written),
// a corrupt one, an unsafe one, one without a bootstrap, an unverified one, a missing file.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <functional>

#include "lambda/bundle.hpp"
#include "lambda/local_bundle.hpp"
#include "lambda/zip.hpp"
#include "lambda_support.hpp"

namespace auric::lambda::testing {
namespace {

namespace fs = std::filesystem;
using Reason = BundleError::Reason;

// The bytes of a zip with these entries.
std::string zip_bytes(const Scenario& s, const std::vector<ZipEntry>& entries) {
  const std::string file = s.dir + "/made.zip";
  write_zip(file, entries);
  return auric::test::read_file(file);
}

std::string sha256_hex_of(std::string_view bytes) {
  Sha256 hash;
  hash.update(bytes);
  return hash.hex_digest();
}

std::vector<ZipEntry> good_entries() {
  return {{"bootstrap", {}, "#!/bin/sh\nexec bin/app \"$@\"\n", 0755}, {"bin/app", {}, "binary", 0755}};
}

// An open folder, closed on scope exit.
struct Folder {
  explicit Folder(const std::string& where) : path(where) {
    fs::create_directories(path);
    fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  ~Folder() { ::close(fd); }
  std::string path;
  int fd = -1;
};

Reason reason_of(const std::function<void()>& unpack, std::string* message = nullptr) {
  try {
    unpack();
  } catch (const BundleError& e) {
    if (message != nullptr) *message = e.what();
    return e.reason();
  }
  ADD_FAILURE() << "expected a BundleError";
  return Reason::kUnreadable;
}

TEST(LocalBundle, AGoodBundleIsVerifiedAndUnpacked) {
  Scenario s;
  const std::string bytes = zip_bytes(s, good_entries());
  const std::string sha = sha256_file(s.dir + "/made.zip");

  Folder out(s.dir + "/from-bytes");
  const UnpackedBundle unpacked = unpack_bundle(bytes, sha, out.fd);
  EXPECT_EQ(unpacked.sha256, sha);
  EXPECT_TRUE(unpacked.verified);
  EXPECT_EQ(unpacked.files, (std::vector<std::string>{"bin/app", "bootstrap"}));
  EXPECT_EQ(auric::test::read_file(out.path + "/bin/app"), "binary");
  EXPECT_NE(fs::status(out.path + "/bootstrap").permissions() & fs::perms::owner_exec, fs::perms::none);

  // From the file, into a folder that had something in it: emptied first. The expected digest
  // may be given in capitals.
  const std::string dir = s.dir + "/from-file";
  fs::create_directories(dir);
  auric::test::write_file(dir + "/stale.txt", "old");
  ASSERT_TRUE(fs::exists(dir + "/stale.txt"));
  std::string upper = sha;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const UnpackedBundle from_file = unpack_bundle_file(s.dir + "/made.zip", upper, dir);
  EXPECT_EQ(from_file.sha256, sha);
  EXPECT_TRUE(from_file.verified);
  EXPECT_TRUE(fs::is_regular_file(dir + "/bootstrap"));
  EXPECT_FALSE(fs::exists(dir + "/stale.txt"));
}

TEST(LocalBundle, WithoutAnExpectedDigestItIsUnpackedButNotVerified) {
  Scenario s;
  Folder out(s.dir + "/out");
  const UnpackedBundle unpacked = unpack_bundle(zip_bytes(s, good_entries()), "", out.fd);
  EXPECT_FALSE(unpacked.verified);
  EXPECT_EQ(unpacked.sha256, sha256_file(s.dir + "/made.zip"));
  EXPECT_TRUE(fs::is_regular_file(out.path + "/bootstrap"));
}

TEST(LocalBundle, ATamperedBundleIsRefusedBeforeAnythingIsWritten) {
  Scenario s;
  std::string bytes = zip_bytes(s, good_entries());
  const std::string sha = sha256_file(s.dir + "/made.zip");
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);

  Folder out(s.dir + "/out");
  std::string message;
  EXPECT_EQ(reason_of([&] { unpack_bundle(bytes, sha, out.fd); }, &message), Reason::kDigestMismatch);
  EXPECT_EQ(message.rfind("bundle sha256 mismatch: expected " + sha + ", got ", 0), 0u) << message;
  EXPECT_NE(message.find(sha256_hex_of(bytes)), std::string::npos) << message;
  EXPECT_TRUE(fs::is_empty(out.path));

  // From a file: the folder is left alone.
  auric::test::write_file(s.dir + "/tampered.zip", bytes);
  const std::string dir = s.dir + "/kept";
  fs::create_directories(dir);
  auric::test::write_file(dir + "/earlier.txt", "kept");
  ASSERT_TRUE(fs::exists(dir + "/earlier.txt"));
  EXPECT_EQ(reason_of([&] { unpack_bundle_file(s.dir + "/tampered.zip", sha, dir); }),
            Reason::kDigestMismatch);
  EXPECT_TRUE(fs::exists(dir + "/earlier.txt"));
  EXPECT_FALSE(fs::exists(dir + "/bootstrap"));
}

TEST(LocalBundle, ACorruptBundleIsABadArchive) {
  Scenario s;
  const std::string good = zip_bytes(s, good_entries());
  for (const std::string& bytes : {std::string("not a zip at all"), good.substr(0, good.size() / 2),
                                   std::string("PK\x03\x04\x14\x00\xdf\x6fotstrapSV\xd4O\xd4O", 20)}) {
    Folder out(s.dir + "/out-" + std::to_string(bytes.size()));
    std::string message;
    // The digest matches: what is wrong is the archive itself.
    EXPECT_EQ(reason_of([&] { unpack_bundle(bytes, sha256_hex_of(bytes), out.fd); }, &message),
              Reason::kBadArchive);
    EXPECT_EQ(message.rfind("failed to unpack bundle: ", 0), 0u) << message;
  }
  auric::test::write_file(s.dir + "/corrupt.zip", "PK\x03\x04 and then nothing");
  std::string message;
  EXPECT_EQ(reason_of([&] { unpack_bundle_file(s.dir + "/corrupt.zip", "", s.dir + "/out"); }, &message),
            Reason::kBadArchive);
  EXPECT_NE(message.find(s.dir + "/corrupt.zip: "), std::string::npos) << "names the file: " << message;
}

TEST(LocalBundle, AnUnsafeEntryIsABadArchiveAndNothingIsWritten) {
  Scenario s;
  // write_zip refuses `..`, so build the archive with a safe name of the same length and
  // rename the entry in the bytes (local header and central directory).
  std::string bytes = zip_bytes(s, {{"bootstrap", {}, "x", 0755}, {"zz/escaped", {}, "bad", 0644}});
  for (std::size_t at = bytes.find("zz/escaped"); at != std::string::npos;
       at = bytes.find("zz/escaped", at)) {
    bytes.replace(at, 2, "..");
  }
  Folder out(s.dir + "/in/out");
  std::string message;
  EXPECT_EQ(reason_of([&] { unpack_bundle(bytes, "", out.fd); }, &message), Reason::kBadArchive);
  EXPECT_NE(message.find("../escaped"), std::string::npos) << message;
  EXPECT_TRUE(fs::is_empty(out.path));
  EXPECT_FALSE(fs::exists(s.dir + "/in/escaped"));
}

TEST(LocalBundle, ABundleWithoutABootstrapIsRefused) {
  Scenario s;
  Folder out(s.dir + "/out");
  std::string message;
  EXPECT_EQ(reason_of(
                [&] {
                  unpack_bundle(zip_bytes(s, {{"bin/app", {}, "binary", 0755}}), "", out.fd);
                },
                &message),
            Reason::kNoBootstrap);
  EXPECT_EQ(message, "the bundle has no bootstrap: not made by auric-migrate-bundle?");
  // A folder named bootstrap is not one either.
  Folder other(s.dir + "/other");
  EXPECT_EQ(reason_of([&] {
              unpack_bundle(zip_bytes(s, {{"bootstrap/x", {}, "x", 0644}}), "", other.fd);
            }),
            Reason::kNoBootstrap);
}

TEST(LocalBundle, AMissingFileIsUnreadable) {
  Scenario s;
  std::string message;
  EXPECT_EQ(reason_of([&] { unpack_bundle_file(s.dir + "/missing.zip", "", s.dir + "/out"); }, &message),
            Reason::kUnreadable);
  EXPECT_NE(message.find(s.dir + "/missing.zip"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(s.dir + "/out"));
  EXPECT_EQ(reason_of([&] { unpack_bundle_file(s.dir, "", s.dir + "/out"); }), Reason::kUnreadable)
      << "a folder is not a bundle";
}

}  // namespace
}  // namespace auric::lambda::testing
