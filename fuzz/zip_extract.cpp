// Bundle extraction: lambda::extract_zip_buffer on the input, into a fresh folder per input.
// Documented to throw ZipError, and nothing else, for an unsafe entry or a corrupt archive, and
// never to write outside the folder. Checked after every input: the folder's parent holds only
// the folder, nothing below it is a link or a device, and every name returned is a file there.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "fuzz_support.hpp"
#include "lambda/zip.hpp"

namespace fs = std::filesystem;
using auric::fuzz::check;

namespace {

const fs::path& scratch() {
  static const fs::path dir = [] {
    std::string pattern = (fs::temp_directory_path() / "auric-fuzz-zip-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) auric::fuzz::fail("mkdtemp failed");
    std::atexit([] {
      std::error_code ignored;
      fs::remove_all(scratch(), ignored);
    });
    return fs::path(pattern);
  }();
  return dir;
}

// Checks every entry below `dir`, giving each folder back its owner bits on the way (an
// archive may drop them) so that it can be listed and removed.
void inspect(const fs::path& dir) {
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add);
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::file_type type = entry.symlink_status().type();
    check(type == fs::file_type::regular || type == fs::file_type::directory,
          "extraction left a link or a special file", entry.path().string());
    if (type == fs::file_type::directory) inspect(entry.path());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path parent = scratch() / "case";
  const fs::path out = parent / "out";
  fs::create_directories(out);
  const int dir_fd = open(out.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  check(dir_fd >= 0, "cannot open the extraction folder");
  std::vector<std::string> names;
  try {
    names = auric::lambda::extract_zip_buffer(auric::fuzz::as_text(data, size), dir_fd);
  } catch (const auric::lambda::ZipError&) {
  }
  close(dir_fd);

  for (const auto& entry : fs::directory_iterator(parent)) {
    check(entry.path() == out, "extraction wrote outside its folder", entry.path().string());
  }
  inspect(out);
  for (const std::string& name : names) {
    check(fs::symlink_status(out / name).type() == fs::file_type::regular, "a returned name is not a file",
          name);
  }
  fs::remove_all(parent);
  return 0;
}
