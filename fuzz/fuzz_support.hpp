// Helpers shared by the harnesses (docs/fuzzing.md). A harness catches exactly the exceptions
// its entry point documents; anything else escapes LLVMFuzzerTestOneInput, terminates, and
// libFuzzer reports it as a crash with the input that caused it. Broken invariants (a round trip
// that loses data, a 5xx from bad input) call fail().
#pragma once

#include <stdlib.h>  // mkdtemp

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace auric::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits `text` on `separator` into at most `max_parts` parts: the last part keeps the rest,
// separators included. Missing parts are empty, so the result always has `max_parts` entries.
inline std::vector<std::string_view> split(std::string_view text, char separator, std::size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const auto at = text.find(separator);
    if (at == std::string_view::npos) break;
    parts.push_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  parts.push_back(text);
  parts.resize(max_parts);
  return parts;
}

// Reports a broken invariant and aborts (libFuzzer saves the input as a crash).
[[noreturn]] inline void fail(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  if (!detail.empty()) {
    std::fprintf(stderr, "  detail: %.*s\n", static_cast<int>(detail.size()), detail.data());
  }
  std::abort();
}

inline void check(bool ok, std::string_view what, std::string_view detail = {}) {
  if (!ok) fail(what, detail);
}

// Checks that everything below `dir` is a regular file or a folder (`what` is the broken
// invariant otherwise), giving each folder back its owner bits on the way (an archive may drop
// them) so that it can be listed and removed.
inline void check_only_files_and_folders(const std::filesystem::path& dir, std::string_view what) {
  namespace fs = std::filesystem;
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add);
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::file_type type = entry.symlink_status().type();
    check(type == fs::file_type::regular || type == fs::file_type::directory, what, entry.path().string());
    if (type == fs::file_type::directory) check_only_files_and_folders(entry.path(), what);
  }
}

// A fresh folder for one input (temp/auric-fuzz-<name>-XXXXXX), removed with everything in it
// when the input is done. Per input rather than per process: libFuzzer also leaves through
// _Exit and abort, where atexit handlers and static destructors do not run, and a folder made
// once per process was left behind. A crashing input keeps its folder, to look at what it wrote.
class ScratchFolder {
 public:
  explicit ScratchFolder(std::string_view name) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / ("auric-fuzz-" + std::string(name) + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) fail("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
    if (ec) {  // a folder without its owner bits (the input did not get to check it)
      give_back_owner_bits(path_);
      std::filesystem::remove_all(path_, ec);
    }
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  static void give_back_owner_bits(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, ec);
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code type_ec;
      if (it->symlink_status(type_ec).type() == fs::file_type::directory) give_back_owner_bits(it->path());
    }
  }

  std::filesystem::path path_;
};

}  // namespace auric::fuzz
