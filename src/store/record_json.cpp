#include "store/record_json.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>

#include "core/store.hpp"

namespace auric::record_json {
namespace {

[[noreturn]] void bad_shape(std::string_view what, const std::exception& error) {
  throw StoreError("stored " + std::string(what) + " has an unexpected shape (" + error.what() +
                   "): the store holds data this version cannot read");
}

// A whole number of type T at `key` (absent or null: `fallback`). nlohmann's value<int>() would
// convert a stored 1e300 with undefined behaviour; anything not a whole number in T's range is
// a wrong shape.
template <class T>
T whole(const Json& json, const char* key, T fallback) {
  const auto it = json.find(key);
  if (it == json.end() || it->is_null()) return fallback;
  if (it->is_number_unsigned()) {
    const auto v = it->get<std::uint64_t>();
    if (v <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return static_cast<T>(v);
  } else if (it->is_number_integer()) {
    const auto v = it->get<std::int64_t>();
    if (v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max()) return static_cast<T>(v);
  }
  throw std::invalid_argument(std::string(key) + " is not a whole number in range (got " + it->dump() + ")");
}

}  // namespace

Json from_who(const Who& who) {
  return Json{{"user", who.user},
              {"host", who.host},
              {"pid", who.pid},
              {"aws_principal", who.aws_principal},
              {"lambda_request_id", who.lambda_request_id},
              {"ecs_task_arn", who.ecs_task_arn}};
}

Who to_who(const Json& json) {
  try {
    Who who;
    if (json.is_null()) return who;
    who.user = json.value("user", std::string());
    who.host = json.value("host", std::string());
    who.pid = whole(json, "pid", std::int64_t{0});
    who.aws_principal = json.value("aws_principal", std::string());
    who.lambda_request_id = json.value("lambda_request_id", std::string());
    who.ecs_task_arn = json.value("ecs_task_arn", std::string());
    return who;
  } catch (const Json::exception& error) {
    bad_shape("who", error);
  } catch (const std::invalid_argument& error) {
    bad_shape("who", error);
  }
}

Json from_current_run(const CurrentRun& current) {
  return Json{{"migration_id", current.migration_id}, {"run_id", current.run_id},
              {"execution_id", current.execution_id}, {"direction", to_string(current.direction)},
              {"started_at", current.started_at},     {"hop", current.hop},
              {"progress", current.progress}};
}

CurrentRun to_current_run(const Json& json) {
  try {
    CurrentRun current;
    current.migration_id = json.value("migration_id", std::string());
    current.run_id = json.value("run_id", std::string());
    current.execution_id = json.value("execution_id", std::string());
    current.direction = direction_from(json.value("direction", std::string("up")));
    current.started_at = whole(json, "started_at", std::int64_t{0});
    current.hop = whole(json, "hop", 0);
    if (const auto it = json.find("progress"); it != json.end()) current.progress = *it;
    return current;
  } catch (const Json::exception& error) {
    bad_shape("current run", error);
  } catch (const std::invalid_argument& error) {
    bad_shape("current run", error);
  }
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
