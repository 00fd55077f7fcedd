#include "lambda/zip.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

namespace auric::lambda {
namespace {

constexpr std::time_t kZipEpoch = 315532800;  // 1980-01-01T00:00:00Z

struct WriteCloser {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct ReadCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

// The zip writer turns mtimes into DOS dates in local time: pin TZ to UTC while writing so the
// bytes do not depend on the machine's time zone.
class UtcScope {
 public:
  UtcScope() {
    if (const char* tz = std::getenv("TZ")) saved_ = tz;
    ::setenv("TZ", "UTC0", 1);
    ::tzset();
  }
  ~UtcScope() {
    if (saved_) {
      ::setenv("TZ", saved_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
  UtcScope(const UtcScope&) = delete;
  UtcScope& operator=(const UtcScope&) = delete;

 private:
  std::optional<std::string> saved_;
};

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw ZipError("cannot read " + p.string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool safe_name(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string::npos) return false;
  std::stringstream parts(name);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part == "..") return false;
  }
  return true;
}

std::unique_ptr<archive, ReadCloser> open_reader(const std::filesystem::path& zip) {
  std::unique_ptr<archive, ReadCloser> a(archive_read_new());
  archive_read_support_format_zip(a.get());
  if (archive_read_open_filename(a.get(), zip.c_str(), 64 * 1024) != ARCHIVE_OK) {
    throw ZipError("cannot open " + zip.string() + ": " + archive_error_string(a.get()));
  }
  return a;
}

}  // namespace

void write_zip(const std::filesystem::path& out, std::vector<ZipEntry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const ZipEntry& x, const ZipEntry& y) { return x.name < y.name; });
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!safe_name(entries[i].name)) throw ZipError("invalid entry name: " + entries[i].name);
    if (i > 0 && entries[i].name == entries[i - 1].name)
      throw ZipError("duplicate entry: " + entries[i].name);
  }
  if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
  UtcScope utc;
  std::unique_ptr<archive, WriteCloser> a(archive_write_new());
  archive_write_set_format_zip(a.get());
  archive_write_set_options(a.get(), "zip:compression=deflate");
  if (archive_write_open_filename(a.get(), out.c_str()) != ARCHIVE_OK) {
    throw ZipError("cannot write " + out.string() + ": " + archive_error_string(a.get()));
  }
  for (const auto& e : entries) {
    const std::string data = e.source.empty() ? e.content : read_all(e.source);
    std::unique_ptr<archive_entry, EntryFree> entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), e.name.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), e.mode & 0777);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(data.size()));
    archive_entry_set_mtime(entry.get(), kZipEpoch, 0);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) {
      throw ZipError("cannot add " + e.name + ": " + archive_error_string(a.get()));
    }
    if (!data.empty() &&
        archive_write_data(a.get(), data.data(), data.size()) != static_cast<la_ssize_t>(data.size())) {
      throw ZipError("cannot write " + e.name + ": " + archive_error_string(a.get()));
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    throw ZipError("cannot finish " + out.string() + ": " + archive_error_string(a.get()));
  }
}

std::vector<std::string> list_zip(const std::filesystem::path& zip) {
  auto a = open_reader(zip);
  std::vector<std::string> names;
  archive_entry* entry = nullptr;
  int rc = 0;
  while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    names.emplace_back(archive_entry_pathname(entry));
    archive_read_data_skip(a.get());
  }
  if (rc != ARCHIVE_EOF) throw ZipError("corrupt zip " + zip.string() + ": " + archive_error_string(a.get()));
  return names;
}

std::vector<std::string> extract_zip(const std::filesystem::path& zip, const std::filesystem::path& dir) {
  // First pass: validate every entry before writing anything.
  {
    auto a = open_reader(zip);
    archive_entry* entry = nullptr;
    int rc = 0;
    while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
      const char* raw = archive_entry_pathname(entry);
      const std::string name = raw ? raw : "";
      const auto type = archive_entry_filetype(entry);
      if (!safe_name(name)) throw ZipError("refusing unsafe path in bundle: " + name);
      if (type != AE_IFREG && type != AE_IFDIR)
        throw ZipError("refusing non-regular entry in bundle: " + name);
      archive_read_data_skip(a.get());
    }
    if (rc != ARCHIVE_EOF)
      throw ZipError("corrupt zip " + zip.string() + ": " + archive_error_string(a.get()));
  }
  std::filesystem::create_directories(dir);
  auto a = open_reader(zip);
  std::vector<std::string> names;
  archive_entry* entry = nullptr;
  int rc = 0;
  while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    const std::string name = archive_entry_pathname(entry);
    const std::filesystem::path target = dir / name;
    if (archive_entry_filetype(entry) == AE_IFDIR) {
      std::filesystem::create_directories(target);
      continue;
    }
    std::filesystem::create_directories(target.parent_path());
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    if (!out) throw ZipError("cannot create " + target.string());
    const void* buffer = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    int r = 0;
    while ((r = archive_read_data_block(a.get(), &buffer, &size, &offset)) == ARCHIVE_OK) {
      out.write(static_cast<const char*>(buffer), static_cast<std::streamsize>(size));
    }
    if (r != ARCHIVE_EOF) throw ZipError("corrupt entry " + name + ": " + archive_error_string(a.get()));
    out.close();
    if (!out) throw ZipError("cannot write " + target.string());
    const auto perm = static_cast<std::filesystem::perms>(archive_entry_perm(entry) & 0755);
    std::filesystem::permissions(target, perm | std::filesystem::perms::owner_read);
    names.push_back(name);
  }
  if (rc != ARCHIVE_EOF) throw ZipError("corrupt zip " + zip.string() + ": " + archive_error_string(a.get()));
  return names;
}

}  // namespace auric::lambda
