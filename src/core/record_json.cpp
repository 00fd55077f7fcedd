#include "core/record_json.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <string_view>
#include <type_traits>

#include "core/record_fields.hpp"

namespace auric {
namespace {

using record_fields::InApi;

// A value as the API shows it, by the member's type: enums by name, Who as its own API
// object, everything else (text, numbers, flags, id lists, JSON) as it is.
template <class T>
Json api_value(const T& value) {
  if constexpr (std::is_enum_v<T>) {
    return to_string(value);
  } else if constexpr (std::is_same_v<T, Who>) {
    return to_json(value);
  } else if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) {
    return *value;  // only called when set
  } else {
    return value;
  }
}

// False for what InApi::kIfSet leaves out: empty, false, zero, null, unset, or an enum's
// first value (its default: `kind` is shown only when it is not `run`).
template <class T>
bool is_set(const T& value) {
  if constexpr (std::is_enum_v<T>) {
    return value != T{};
  } else if constexpr (std::is_same_v<T, std::string>) {
    return !value.empty();
  } else if constexpr (std::is_same_v<T, Json>) {
    return !value.is_null();
  } else if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) {
    return value.has_value();
  } else if constexpr (std::is_arithmetic_v<T>) {
    return value != T{};
  } else {
    return true;
  }
}

// Adds the API keys of `record`'s fields to `j`, all but the one named `skip` (an API name;
// empty: none).
template <class Record, class Fields>
void put_api_fields(Json& j, const Fields& fields, const Record& record, std::string_view skip = {}) {
  record_fields::for_each_field(fields, [&](const auto& f) {
    const auto& value = record.*f.member;
    if (f.in_api == InApi::kNever || f.api == skip || (f.in_api == InApi::kIfSet && !is_set(value))) return;
    j[std::string(f.api)] = api_value(value);
  });
}

template <class Record, class Fields>
Json api_json(const Fields& fields, const Record& record, std::string_view skip = {}) {
  Json j = Json::object();
  put_api_fields(j, fields, record, skip);
  return j;
}

}  // namespace

Json to_json(const Who& who) {
  return api_json(record_fields::kWhoFields, who);
}

Json to_json(const RunRecord& run, bool with_output) {
  // Without output, it is never copied (up to 200 KiB a run, in lists of runs).
  return api_json(record_fields::kRunFields, run, with_output ? "" : "output");
}

Json to_json(const ExecutionRecord& e) {
  Json j = api_json(record_fields::kExecutionFields, e);
  j["migrationCount"] = e.finished.size();
  return j;
}

Json to_json(const LockInfo& lock, std::int64_t now_ms) {
  Json j = {{"held", lock.held_at(now_ms)}, {"fence", lock.fence}};
  if (!lock.held_at(now_ms)) return j;
  put_api_fields(j, record_fields::kLockFields, lock);
  if (lock.current) j["current"] = api_json(record_fields::kCurrentRunFields, *lock.current);
  return j;
}

Json to_json(const MigrationState& s) {
  return api_json(record_fields::kStateFields, s);
}

std::string source_checksum(std::string_view source) {
  std::string normalised;
  normalised.reserve(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r' && i + 1 < source.size() && source[i + 1] == '\n') continue;
    normalised += source[i];
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_Digest(normalised.data(), normalised.size(), digest.data(), &len, EVP_sha256(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

}  // namespace auric
