// define_migrations(), the static registry behind AURIC_MIGRATION, and their validation.
#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include <auric/migrations.hpp>

#include "core/ids.hpp"

namespace auric {
namespace {

// Filled during static initialisation: migrations by AURIC_MIGRATION, checksums by the units
// auric_add_migrations() generates, in whatever order the linker placed them.
struct Registry {
  std::mutex mutex;
  std::vector<MigrationEntry> entries;
  std::map<std::string, std::string, std::less<>> checksums;  // id -> SHA-256 of its source
};

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace

namespace detail {
Registrar::Registrar(std::string_view id, std::string_view checksum, Migration migration) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.entries.push_back(MigrationEntry{std::string(id), std::move(migration), std::string(checksum)});
}

void register_migration_checksum(const char* id, const char* checksum) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.checksums.insert_or_assign(id, checksum);
}
}  // namespace detail

namespace {

std::vector<MigrationEntry> validated(std::vector<MigrationEntry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const MigrationEntry& a, const MigrationEntry& b) { return a.id < b.id; });
  for (std::size_t i = 0; i < entries.size(); ++i) {
    MigrationEntry& e = entries[i];
    if (std::string problem = migration_id_problem(e.id); !problem.empty()) {
      throw std::invalid_argument(problem);
    }
    if (i > 0 && entries[i - 1].id == e.id) {
      throw std::invalid_argument("duplicate migration id '" + e.id +
                                  "': each id may be registered only once");
    }
    if (!e.migration.up) throw std::invalid_argument("migration '" + e.id + "' has no up()");
    if (!e.migration.down) {
      throw std::invalid_argument("migration '" + e.id +
                                  "' has no down(): every migration needs both up and down");
    }
    if (e.migration.name.empty()) e.migration.name = migration_name_of(e.id);
  }
  // Two ids differing only in case would collide on case-insensitive media; ids are lower-case
  // by construction (validated above), so equal ids are the only collision.
  return entries;
}

}  // namespace

std::vector<MigrationEntry> define_migrations(std::vector<std::pair<std::string, Migration>> migrations) {
  std::vector<MigrationEntry> entries;
  entries.reserve(migrations.size());
  for (auto& entry : migrations) {
    entries.push_back(MigrationEntry{std::move(entry.first), std::move(entry.second), ""});
  }
  return validated(std::move(entries));
}

std::vector<MigrationEntry> registered_migrations() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<MigrationEntry> entries = r.entries;
  for (MigrationEntry& e : entries) {
    if (!e.checksum.empty()) continue;  // compiled with AURIC_MIGRATION_CHECKSUM
    if (const auto it = r.checksums.find(e.id); it != r.checksums.end()) e.checksum = it->second;
  }
  return validated(std::move(entries));
}

}  // namespace auric
