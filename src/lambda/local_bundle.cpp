#include "lambda/local_bundle.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "aws/encoding.hpp"
#include "lambda/bundle.hpp"
#include "lambda/zip.hpp"

namespace auric::lambda {
namespace {

using Reason = BundleError::Reason;

BundleError cannot(const std::string& what, const std::filesystem::path& path, const std::string& why) {
  return BundleError(Reason::kUnreadable,
                     "failed to unpack bundle: cannot " + what + " " + path.string() + ": " + why);
}

// A file's bytes, mapped read-only for as long as the object lives.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw cannot("open", path, std::strerror(errno));
    struct stat st {};
    std::string problem;
    if (::fstat(fd, &st) != 0) {
      problem = std::strerror(errno);
    } else if (!S_ISREG(st.st_mode)) {
      problem = "not a regular file";
    } else if (st.st_size > 0) {
      size_ = static_cast<std::size_t>(st.st_size);
      data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (data_ == MAP_FAILED) {
        problem = std::strerror(errno);
        size_ = 0;
      }
    }
    ::close(fd);
    if (!problem.empty()) throw cannot("read", path, problem);
  }
  ~MappedFile() {
    if (size_ > 0) ::munmap(data_, size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const {
    return size_ == 0 ? std::string_view() : std::string_view(static_cast<const char*>(data_), size_);
  }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// The digest of `bytes`, checked against `expected_sha256` (see verify_bundle_digest), with no
// files yet.
UnpackedBundle checked_digest(std::string_view bytes, std::string_view expected_sha256) {
  UnpackedBundle out;
  out.sha256 = verify_bundle_digest(bytes, expected_sha256);
  out.verified = !expected_sha256.empty();
  return out;
}

// Unpacks bytes whose digest was checked; `where` prefixes archive errors (the file's name).
std::vector<std::string> unpack_checked(std::string_view bytes, int dir_fd, const std::string& where) {
  std::vector<std::string> files;
  try {
    files = extract_zip_buffer(bytes, dir_fd);
  } catch (const ZipError& e) {
    throw BundleError(Reason::kBadArchive, "failed to unpack bundle: " + where + e.what());
  }
  struct stat st {};
  if (::fstatat(dir_fd, "bootstrap", &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
    throw BundleError(Reason::kNoBootstrap, "the bundle has no bootstrap: not made by auric-migrate-bundle?");
  }
  return files;
}

}  // namespace

std::string verify_bundle_digest(std::string_view bytes, std::string_view expected_sha256) {
  std::string actual;
  try {
    Sha256 hash;
    hash.update(bytes);
    actual = hash.hex_digest();
  } catch (const std::runtime_error& e) {
    throw BundleError(Reason::kUnreadable, std::string("cannot hash the bundle: ") + e.what());
  }
  if (!expected_sha256.empty() && aws::to_lower(expected_sha256) != actual) {
    throw BundleError(Reason::kDigestMismatch, "bundle sha256 mismatch: expected " +
                                                   std::string(expected_sha256) + ", got " + actual +
                                                   ". Refusing to execute.");
  }
  return actual;
}

UnpackedBundle unpack_bundle(std::string_view bytes, std::string_view expected_sha256, int dir_fd) {
  UnpackedBundle out = checked_digest(bytes, expected_sha256);
  out.files = unpack_checked(bytes, dir_fd, "");
  return out;
}

UnpackedBundle unpack_bundle_file(const std::filesystem::path& zip, std::string_view expected_sha256,
                                  const std::filesystem::path& dir) {
  const MappedFile file(zip);
  UnpackedBundle out = checked_digest(file.bytes(), expected_sha256);

  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) throw cannot("empty", dir, ec.message());
  std::filesystem::create_directories(dir, ec);
  if (ec) throw cannot("create", dir, ec.message());
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) throw cannot("open", dir, std::strerror(errno));
  try {
    out.files = unpack_checked(file.bytes(), dir_fd, zip.string() + ": ");
  } catch (...) {
    ::close(dir_fd);
    throw;
  }
  ::close(dir_fd);
  return out;
}

}  // namespace auric::lambda
