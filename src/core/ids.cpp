#include "core/ids.hpp"

#include <cctype>
#include <ctime>
#include <string>

namespace auric {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool valid_timestamp(std::string_view ts) {
  for (char c : ts) {
    if (c < '0' || c > '9') return false;
  }
  auto num = [&](std::size_t pos, std::size_t len) { return std::stoi(std::string(ts.substr(pos, len))); };
  const int month = num(4, 2), day = num(6, 2), hour = num(8, 2), minute = num(10, 2), second = num(12, 2);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59;
}

}  // namespace

std::string migration_id_problem(std::string_view id) {
  const std::string shown = "'" + std::string(id) + "'";
  if (id.size() < 16 || id[14] != '_') {
    return "invalid migration id " + shown + ": must be YYYYMMDDHHMMSS_<name> (UTC timestamp, 14 digits)";
  }
  if (!valid_timestamp(id.substr(0, 14))) {
    return "invalid migration id " + shown + ": '" + std::string(id.substr(0, 14)) +
           "' is not a valid UTC timestamp YYYYMMDDHHMMSS";
  }
  for (char c : id.substr(15)) {
    if (!is_name_char(c)) {
      return "invalid migration id " + shown +
             ": the name may hold only lower-case letters, digits, '-' and '_'";
    }
  }
  return {};
}

std::string migration_name_of(std::string_view id) {
  if (id.size() > 15 && id[14] == '_' && valid_timestamp(id.substr(0, 14))) {
    return std::string(id.substr(15));
  }
  return std::string(id);
}

std::optional<std::string> sanitize_migration_name(std::string_view text, std::string* problem) {
  for (char c : text) {
    if (c == '/' || c == '\\' || c == '"' || c == '\'' || c == '`') {
      if (problem) {
        *problem = "invalid migration name '" + std::string(text) +
                   "': it must not contain '/', '\\' or quotes (use letters, digits, '-' and '_')";
      }
      return std::nullopt;
    }
  }
  std::string out;
  for (char raw : text) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(raw)));
    if (c == ' ' || c == '.' || c == '\t') c = '-';
    if (!is_name_char(c)) continue;
    if (c == '-' && !out.empty() && out.back() == '-') continue;
    out += c;
  }
  while (!out.empty() && (out.front() == '-' || out.front() == '_')) out.erase(out.begin());
  while (!out.empty() && (out.back() == '-' || out.back() == '_')) out.pop_back();
  if (out.empty()) {
    if (problem) {
      *problem = "invalid migration name '" + std::string(text) +
                 "': nothing usable is left (use letters, digits, '-' and '_')";
    }
    return std::nullopt;
  }
  return out;
}

std::string utc_timestamp(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

std::string iso8601_ms(std::int64_t epoch_ms) {
  std::int64_t secs = epoch_ms / 1000;
  std::int64_t ms = epoch_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms));
  return buf;
}

std::string id_length_problem(std::string_view id, std::string_view what) {
  if (id.size() <= kMaxIdBytes) return {};
  return std::string(what) + " is " + std::to_string(id.size()) + " bytes long; ids are at most " +
         std::to_string(kMaxIdBytes) + " bytes";
}

}  // namespace auric
