// Zip extraction against hostile and corrupt archives: every failure is a ZipError (never a
// crash or another exception type), and nothing is written outside the destination.
#include <gtest/gtest.h>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "lambda/zip.hpp"
#include "process.hpp"

namespace auric::lambda::testing {
namespace {

namespace fs = std::filesystem;

struct RawEntry {
  std::string name;
  std::string content;
  unsigned type = AE_IFREG;
};

// A zip holding exactly `entries`, in this order, unvalidated (write_zip refuses these).
std::string raw_zip(const std::vector<RawEntry>& entries) {
  std::vector<char> buffer(1 << 20);
  std::size_t used = 0;
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_open_memory(a, buffer.data(), buffer.size(), &used);
  for (const auto& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_filetype(entry, e.type);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
    archive_write_header(a, entry);
    if (!e.content.empty()) archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return {buffer.data(), used};
}

std::string write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `f`, expecting a ZipError (and nothing else); returns its message.
template <class F>
std::string zip_error(F&& f) {
  try {
    f();
  } catch (const ZipError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ZipError";
  return {};
}

class Zip : public ::testing::Test {
 protected:
  std::string dir_ = auric::test::make_temp_dir();
  void TearDown() override { fs::remove_all(dir_); }
};

// Found by fuzzing: a local header that libarchive rejects as ARCHIVE_FATAL without setting an
// error string. Appending that NULL to a std::string crashed the runner.
TEST_F(Zip, AFatalArchiveWithoutAnErrorStringIsAZipError) {
  const std::string bytes("PK\x03\x04\x14\x00\xdf\x6fotstrapSV\xd4O\xd4O\xcaX\xb0y\xdf\xcaX\xb0y\xdf", 30);
  const std::string file = write_file(dir_ + "/fatal.zip", bytes);
  EXPECT_NE(zip_error([&] { extract_zip(file, dir_ + "/out"); }).find("fatal.zip"), std::string::npos);
  zip_error([&] { list_zip(file); });
  const int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
  zip_error([&] { extract_zip_buffer(bytes, fd); });
  ::close(fd);
  for (std::size_t cut : {0UL, 4UL, 29UL}) {
    zip_error([&] { extract_zip(write_file(dir_ + "/cut.zip", bytes.substr(0, cut)), dir_ + "/cut"); });
  }
}

TEST_F(Zip, TruncatedAndBitFlippedArchivesAreZipErrors) {
  const std::string good = raw_zip({{"a.txt", std::string(5000, 'a')}, {"b.txt", "b"}});
  for (std::size_t cut = 1; cut < good.size(); cut += 97) {
    try {
      (void)extract_zip(write_file(dir_ + "/t.zip", good.substr(0, cut)), dir_ + "/t" + std::to_string(cut));
    } catch (const ZipError&) {
      continue;  // the expected outcome; anything else escapes and fails the test
    }
  }
  std::string flipped = good;
  for (std::size_t i = 30; i < flipped.size(); i += 61) flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
  zip_error([&] { extract_zip(write_file(dir_ + "/f.zip", flipped), dir_ + "/f"); });
}

// A contract mismatch: `x` then `x/y` let std::filesystem::filesystem_error escape.
TEST_F(Zip, AFileWhereAFolderIsNeededIsAZipError) {
  const std::string file = write_file(dir_ + "/x.zip", raw_zip({{"x", "file"}, {"x/y", "nested"}}));
  const std::string what = zip_error([&] { extract_zip(file, dir_ + "/out"); });
  EXPECT_NE(what.find("'x' is not a folder"), std::string::npos) << what;
}

TEST_F(Zip, DuplicateEntriesAreRefused) {
  const std::string file = write_file(dir_ + "/d.zip", raw_zip({{"a", "first"}, {"a", "second"}}));
  const std::string what = zip_error([&] { extract_zip(file, dir_ + "/out"); });
  EXPECT_NE(what.find("duplicate entry in bundle: a"), std::string::npos) << what;
  EXPECT_FALSE(fs::exists(dir_ + "/out/a")) << "checked before anything is written";
}

TEST_F(Zip, UnsafeNamesAndLinksAreRefusedBeforeAnythingIsWritten) {
  for (const auto& entries : std::vector<std::vector<RawEntry>>{
           {{"ok.txt", "ok"}, {"../escaped.txt", "bad"}},
           {{"ok.txt", "ok"}, {"/abs.txt", "bad"}},
           {{"ok.txt", "ok"}, {"a/../../escaped.txt", "bad"}},
           {{"ok.txt", "ok"}, {"link", "", AE_IFLNK}},
           // Found by fuzzing: a file "ll/." was written as "ll" and reported as "ll/.".
           {{"ok.txt", "ok"}, {"ll/.", "bad"}},
       }) {
    const std::string out = dir_ + "/out";
    zip_error([&] { extract_zip(write_file(dir_ + "/u.zip", raw_zip(entries)), out); });
    EXPECT_FALSE(fs::exists(out + "/ok.txt")) << entries[1].name;
    EXPECT_FALSE(fs::exists(dir_ + "/escaped.txt"));
  }
}

// A link already in the destination is never followed out of it.
TEST_F(Zip, ALinkInTheDestinationIsNotFollowed) {
  fs::create_directories(dir_ + "/out");
  fs::create_directories(dir_ + "/outside");
  fs::create_directory_symlink(dir_ + "/outside", dir_ + "/out/sub");
  const std::string file = write_file(dir_ + "/l.zip", raw_zip({{"sub/planted.txt", "x"}}));
  zip_error([&] { extract_zip(file, dir_ + "/out"); });
  EXPECT_FALSE(fs::exists(dir_ + "/outside/planted.txt"));
  fs::create_symlink(dir_ + "/outside/target.txt", dir_ + "/out/top.txt");
  zip_error([&] { extract_zip(write_file(dir_ + "/t.zip", raw_zip({{"top.txt", "x"}})), dir_ + "/out"); });
  EXPECT_FALSE(fs::exists(dir_ + "/outside/target.txt"));
}

TEST_F(Zip, ABufferUnpacksIntoAnOpenFolderWithItsPermissions) {
  write_zip(dir_ + "/b.zip", {{"bin/run", {}, "#!/bin/sh\n", 0755}, {"lib/x.so", {}, "elf", 0644}});
  const std::string bytes = read_file(dir_ + "/b.zip");
  fs::create_directories(dir_ + "/out");
  const int fd = ::open((dir_ + "/out").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  const auto names = extract_zip_buffer(bytes, fd);
  ::close(fd);
  EXPECT_EQ(names, (std::vector<std::string>{"bin/run", "lib/x.so"}));
  EXPECT_EQ(read_file(dir_ + "/out/bin/run"), "#!/bin/sh\n");
  EXPECT_EQ(fs::status(dir_ + "/out/bin/run").permissions() & fs::perms::all, static_cast<fs::perms>(0755));
  EXPECT_EQ(fs::status(dir_ + "/out/lib/x.so").permissions() & fs::perms::all, static_cast<fs::perms>(0644));
}

}  // namespace
}  // namespace auric::lambda::testing
