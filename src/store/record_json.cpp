#include "store/record_json.hpp"

#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "core/record_fields.hpp"
#include "core/store.hpp"

namespace auric::record_json {
namespace {

[[noreturn]] void bad_shape(std::string_view what, const std::exception& error) {
  throw StoreError("stored " + std::string(what) + " has an unexpected shape (" + error.what() +
                   "): the store holds data this version cannot read");
}

// A whole number of type T (nlohmann's get<int>() would convert a stored 1e300 with undefined
// behaviour); anything not a whole number in T's range is a wrong shape.
template <class T>
T whole(const Json& value, std::string_view key) {
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  } else if (value.is_number_integer()) {
    const auto v = value.get<std::int64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  }
  throw std::invalid_argument(std::string(key) + " is not a whole number in range (got " + value.dump() +
                              ")");
}

// One stored value back, by the member's type.
template <class T>
void read_value(const Json& value, std::string_view key, T& out) {
  if constexpr (std::is_same_v<T, Json>) {
    out = value;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!value.is_boolean()) throw std::invalid_argument(std::string(key) + " is not true or false");
    out = value.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    out = whole<T>(value, key);
  } else {
    if (!value.is_string()) throw std::invalid_argument(std::string(key) + " is not a string");
    if constexpr (std::is_enum_v<T>) {
      record_fields::from_name(value.get_ref<const std::string&>(), out);
    } else {
      out = value.get<std::string>();
    }
  }
}

// The stored JSON of a nested record: every field under its stored name, enums by name.
template <class Record, class Fields>
Json to_stored_json(const Fields& fields, const Record& record) {
  Json json = Json::object();
  record_fields::for_each_field(fields, [&](const auto& f) {
    const auto& value = record.*f.member;
    if constexpr (std::is_enum_v<std::decay_t<decltype(value)>>) {
      json[std::string(f.store)] = to_string(value);
    } else {
      json[std::string(f.store)] = value;
    }
  });
  return json;
}

// Back from stored JSON: missing (or null) keys keep their defaults, so records written
// before a field existed stay readable. `what` names the record for the error message.
template <class Record, class Fields>
Record from_stored_json(const Fields& fields, const Json& json, std::string_view what) {
  Record record;
  try {
    if (json.is_null()) return record;
    if (!json.is_object()) throw std::invalid_argument("not an object (got " + json.dump() + ")");
    record_fields::for_each_field(fields, [&](const auto& f) {
      const auto it = json.find(std::string(f.store));
      if (it != json.end() && !it->is_null()) read_value(*it, f.store, record.*f.member);
    });
  } catch (const std::invalid_argument& error) {
    bad_shape(what, error);
  }
  return record;
}

}  // namespace

Json from_who(const Who& who) {
  return to_stored_json(record_fields::kWhoFields, who);
}

Who to_who(const Json& json) {
  return from_stored_json<Who>(record_fields::kWhoFields, json, "who");
}

Json from_current_run(const CurrentRun& current) {
  return to_stored_json(record_fields::kCurrentRunFields, current);
}

CurrentRun to_current_run(const Json& json) {
  return from_stored_json<CurrentRun>(record_fields::kCurrentRunFields, json, "current run");
}

std::string dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json parse(std::string_view text, std::string_view what) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& error) {
    bad_shape(what, error);
  }
}

std::vector<std::string> to_string_list(const Json& json) {
  try {
    if (json.is_null()) return {};
    return json.get<std::vector<std::string>>();
  } catch (const Json::exception& error) {
    bad_shape("id list", error);
  }
}

}  // namespace auric::record_json
