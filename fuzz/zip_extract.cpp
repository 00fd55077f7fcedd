// Bundle extraction: lambda::extract_zip_buffer on the input, into a fresh folder per input.
// Documented to throw ZipError, and nothing else, for an unsafe entry or a corrupt archive, and
// never to write outside the folder. Checked after every input: the folder's parent holds only
// the folder, nothing below it is a link or a device, and every name returned is a file there.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "lambda/zip.hpp"

namespace fs = std::filesystem;
using auric::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auric::fuzz::ScratchFolder scratch("zip");
  const fs::path& parent = scratch.path();
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
  auric::fuzz::check_only_files_and_folders(out, "extraction left a link or a special file");
  for (const std::string& name : names) {
    check(fs::symlink_status(out / name).type() == fs::file_type::regular, "a returned name is not a file",
          name);
  }
  return 0;
}
