// Deterministic zip writing and safe extraction (libarchive stays in zip.cpp). Same entries in,
// same bytes out: entries sorted by name, a fixed timestamp (1980-01-01 UTC, the DOS epoch),
// owner 0:0, the given permissions, deflate at the default level. Extraction refuses absolute
// paths, `..` components, links and device files. Not thread-safe (the writer pins TZ while it
// runs).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace auric::lambda {

struct ZipEntry {
  std::string name;              // path inside the zip, '/' separated, relative
  std::filesystem::path source;  // file to read; empty: use `content`
  std::string content;
  unsigned mode = 0644;  // permission bits
};

class ZipError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes `entries` to `out` (parent folders created). Throws ZipError.
void write_zip(const std::filesystem::path& out, std::vector<ZipEntry> entries);

// Names of the entries, in archive order. Throws ZipError.
std::vector<std::string> list_zip(const std::filesystem::path& zip);

// Extracts every regular file and folder into `dir` (created), keeping the permission bits
// (at most 0755), and returns the names of the files written. Every entry is checked before
// anything is written. Paths are resolved one component at a time below `dir` (openat with
// O_NOFOLLOW), so nothing outside `dir` is ever written, even through a link already there.
// Throws ZipError, and nothing else, for an unsafe entry (absolute, `..`, a link or device, a
// duplicate, a file where a folder is needed), a corrupt archive or a failed write.
std::vector<std::string> extract_zip(const std::filesystem::path& zip, const std::filesystem::path& dir);

// The same from an archive in memory into the open folder `dir_fd` (not closed): pure but for
// the writes below `dir_fd`, for fuzzing and for callers that hold the bytes.
std::vector<std::string> extract_zip_buffer(std::string_view bytes, int dir_fd);

}  // namespace auric::lambda
