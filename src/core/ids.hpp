// Migration ids: `YYYYMMDDHHMMSS_<name>` (UTC timestamp, 14 digits; name of lower-case letters,
// digits, '-' and '_'). Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace auric {

// The longest execution, run or migration id accepted from outside (a URL, an event, the
// command line). Far above any id this tool makes (a UUID is 36 bytes) and safely below
// DynamoDB's key limits (2,048 bytes for a partition key, 1,024 for a sort key, prefixes
// included), so a hostile id is refused with a clear message instead of failing in the store.
inline constexpr std::size_t kMaxIdBytes = 512;
// Empty when `id` fits, else "<what> is <n> bytes long; ids are at most 512 bytes".
std::string id_length_problem(std::string_view id, std::string_view what);

// Empty when `id` is valid, else a one-line reason ("... must be YYYYMMDDHHMMSS_<name>").
std::string migration_id_problem(std::string_view id);
inline bool is_valid_migration_id(std::string_view id) {
  return migration_id_problem(id).empty();
}

// The part after the timestamp (the id itself when it has no valid timestamp prefix).
std::string migration_name_of(std::string_view id);

// Turns free text into a valid name: lower-cased, spaces and '.' become '-', other characters
// outside [a-z0-9_-] are dropped, runs of '-' collapse. Returns an error text instead (via
// `problem`) when the input holds '/', '\\' or quotes, or nothing usable remains.
std::optional<std::string> sanitize_migration_name(std::string_view text, std::string* problem);

// UTC `YYYYMMDDHHMMSS` for `when`.
std::string utc_timestamp(std::chrono::system_clock::time_point when);

// ISO-8601 UTC with milliseconds, e.g. `2025-06-01T12:00:00.123Z`.
std::string iso8601_ms(std::int64_t epoch_ms);

}  // namespace auric
