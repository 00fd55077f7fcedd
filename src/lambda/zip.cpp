#include "lambda/zip.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

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

// libarchive may fail without an error string (ARCHIVE_FATAL on crafted input): never append
// the NULL it then returns.
std::string error_text(archive* a) {
  const char* text = archive_error_string(a);
  return text != nullptr && *text != '\0' ? std::string(text) : std::string("unreadable archive data");
}

using Reader = std::unique_ptr<archive, ReadCloser>;

Reader new_reader() {
  Reader a(archive_read_new());
  if (!a) throw ZipError("out of memory opening an archive");
  archive_read_support_format_zip(a.get());
  return a;
}

Reader open_reader(const std::filesystem::path& zip) {
  Reader a = new_reader();
  if (archive_read_open_filename(a.get(), zip.c_str(), 64 * 1024) != ARCHIVE_OK) {
    throw ZipError("cannot open " + zip.string() + ": " + error_text(a.get()));
  }
  return a;
}

Reader open_reader(std::string_view bytes) {
  Reader a = new_reader();
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    throw ZipError("cannot open the archive: " + error_text(a.get()));
  }
  return a;
}

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string errno_text(const std::string& what, const std::string& name) {
  return "cannot " + what + " " + name + ": " + std::strerror(errno);
}

// Entry `name` needs `folder` (a path below the destination) to be a folder, and it is not.
ZipError not_a_folder(const std::string& name, const std::string& folder) {
  return ZipError("refusing entry " + name + ": '" + folder + "' is not a folder in the bundle");
}

std::vector<std::string> split_path(const std::string& name) {
  std::vector<std::string> parts;
  std::stringstream in(name);
  std::string part;
  while (std::getline(in, part, '/')) {
    if (!part.empty() && part != ".") parts.push_back(part);
  }
  return parts;
}

// Opens (creating when missing) the folder `parts` below `root`, one component at a time
// with O_NOFOLLOW: a link or a file in the way is an error, never followed.
Fd open_folder(int root, const std::vector<std::string>& parts, std::size_t count, const std::string& name) {
  Fd current(::dup(root));
  if (current.get() < 0) throw ZipError(errno_text("open the destination for", name));
  for (std::size_t i = 0; i < count; ++i) {
    const char* part = parts[i].c_str();
    if (::mkdirat(current.get(), part, 0755) != 0 && errno != EEXIST) {
      throw ZipError(errno_text("create the folder for", name));
    }
    Fd next(::openat(current.get(), part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (next.get() < 0) {
      if (errno == ENOTDIR || errno == ELOOP) throw not_a_folder(name, parts[i]);
      throw ZipError(errno_text("open the folder for", name));
    }
    current = std::move(next);
  }
  return current;
}

void write_all(int fd, const char* data, std::size_t size, const std::string& name) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ZipError(errno_text("write", name));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// Checks every entry before anything is written: safe names, regular files and folders only,
// no name twice, no file where a later entry needs a folder.
void validate_entries(archive* a) {
  std::set<std::string> files;
  std::set<std::string> folders;
  archive_entry* entry = nullptr;
  int rc = 0;
  while ((rc = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
    const char* raw = archive_entry_pathname(entry);
    const std::string name = raw != nullptr ? raw : "";
    const auto type = archive_entry_filetype(entry);
    if (!safe_name(name)) throw ZipError("refusing unsafe path in bundle: " + name);
    if (type != AE_IFREG && type != AE_IFDIR) throw ZipError("refusing non-regular entry in bundle: " + name);
    const auto parts = split_path(name);
    std::string prefix;
    for (std::size_t i = 0; i + (type == AE_IFREG ? 1 : 0) < parts.size(); ++i) {
      prefix += (i > 0 ? "/" : "") + parts[i];
      if (files.count(prefix) != 0) throw not_a_folder(name, prefix);
      folders.insert(prefix);
    }
    if (type == AE_IFREG) {
      // A file's name must end in a name: "x/", "x/." or "." would write the file "x" and
      // report a name that is not a file.
      const std::size_t slash = name.rfind('/');
      const std::string last = slash == std::string::npos ? name : name.substr(slash + 1);
      if (parts.empty() || last.empty() || last == ".") {
        throw ZipError("refusing unsafe path in bundle: " + name);
      }
      const std::string normal = prefix.empty() ? parts.back() : prefix + "/" + parts.back();
      if (folders.count(normal) != 0) {
        throw ZipError("refusing entry " + name + ": a folder of that name is in the bundle");
      }
      if (!files.insert(normal).second) throw ZipError("refusing duplicate entry in bundle: " + name);
    }
    if (archive_read_data_skip(a) != ARCHIVE_OK)
      throw ZipError("corrupt entry " + name + ": " + error_text(a));
  }
  if (rc != ARCHIVE_EOF) throw ZipError("corrupt zip: " + error_text(a));
}

// Writes every entry of the (validated) archive below the folder `root`.
std::vector<std::string> unpack_entries(archive* a, int root) {
  std::vector<std::string> names;
  archive_entry* entry = nullptr;
  int rc = 0;
  while ((rc = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
    const char* raw = archive_entry_pathname(entry);
    const std::string name = raw != nullptr ? raw : "";
    const auto parts = split_path(name);
    if (archive_entry_filetype(entry) == AE_IFDIR) {
      open_folder(root, parts, parts.size(), name);
      continue;
    }
    if (parts.empty()) throw ZipError("refusing unsafe path in bundle: " + name);
    const Fd folder = open_folder(root, parts, parts.size() - 1, name);
    // O_EXCL: a second entry of the same name, or a folder or link already there, is refused.
    const Fd out(::openat(folder.get(), parts.back().c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (out.get() < 0) {
      throw ZipError(errno == EEXIST ? "refusing duplicate entry in bundle: " + name
                                     : errno_text("create", name));
    }
    const void* buffer = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    int r = 0;
    while ((r = archive_read_data_block(a, &buffer, &size, &offset)) == ARCHIVE_OK) {
      write_all(out.get(), static_cast<const char*>(buffer), size, name);
    }
    if (r != ARCHIVE_EOF) throw ZipError("corrupt entry " + name + ": " + error_text(a));
    const auto perm = static_cast<mode_t>((archive_entry_perm(entry) & 0755) | 0400);
    if (::fchmod(out.get(), perm) != 0) throw ZipError(errno_text("set the permissions of", name));
    names.push_back(name);
  }
  if (rc != ARCHIVE_EOF) throw ZipError("corrupt zip: " + error_text(a));
  return names;
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
  if (out.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(out.parent_path(), ec);
    if (ec) throw ZipError("cannot create " + out.parent_path().string() + ": " + ec.message());
  }
  UtcScope utc;
  std::unique_ptr<archive, WriteCloser> a(archive_write_new());
  archive_write_set_format_zip(a.get());
  archive_write_set_options(a.get(), "zip:compression=deflate");
  if (archive_write_open_filename(a.get(), out.c_str()) != ARCHIVE_OK) {
    throw ZipError("cannot write " + out.string() + ": " + error_text(a.get()));
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
      throw ZipError("cannot add " + e.name + ": " + error_text(a.get()));
    }
    if (!data.empty() &&
        archive_write_data(a.get(), data.data(), data.size()) != static_cast<la_ssize_t>(data.size())) {
      throw ZipError("cannot write " + e.name + ": " + error_text(a.get()));
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    throw ZipError("cannot finish " + out.string() + ": " + error_text(a.get()));
  }
}

std::vector<std::string> list_zip(const std::filesystem::path& zip) {
  auto a = open_reader(zip);
  std::vector<std::string> names;
  archive_entry* entry = nullptr;
  int rc = 0;
  while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    const char* raw = archive_entry_pathname(entry);
    names.emplace_back(raw != nullptr ? raw : "");
    if (archive_read_data_skip(a.get()) != ARCHIVE_OK) break;
  }
  if (rc != ARCHIVE_EOF) throw ZipError("corrupt zip " + zip.string() + ": " + error_text(a.get()));
  return names;
}

std::vector<std::string> extract_zip_buffer(std::string_view bytes, int dir_fd) {
  validate_entries(open_reader(bytes).get());
  return unpack_entries(open_reader(bytes).get(), dir_fd);
}

std::vector<std::string> extract_zip(const std::filesystem::path& zip, const std::filesystem::path& dir) {
  try {
    validate_entries(open_reader(zip).get());
  } catch (const ZipError& e) {
    throw ZipError(zip.string() + ": " + e.what());
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw ZipError("cannot create " + dir.string() + ": " + ec.message());
  const Fd root(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (root.get() < 0) throw ZipError(errno_text("open", dir.string()));
  try {
    return unpack_entries(open_reader(zip).get(), root.get());
  } catch (const ZipError& e) {
    throw ZipError(zip.string() + ": " + e.what());
  }
}

}  // namespace auric::lambda
