#include "store/dynamodb_items.hpp"

#include <cstdio>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/store.hpp"
#include "store/record_json.hpp"

namespace auric::dynamodb_items {
namespace {

using aws::AttributeValue;
using aws::Item;

AttributeValue s(std::string_view text) {
  return AttributeValue::string(valid_utf8(text));
}
AttributeValue n(std::int64_t value) {
  return AttributeValue::number(value);
}
AttributeValue b(bool value) {
  return AttributeValue::boolean(value);
}

void put_optional(Item& item, std::string_view name, const std::optional<std::int64_t>& value) {
  if (value) item.emplace(std::string(name), n(*value));
}

// record_json reports a wrong shape as StoreError; this codec's contract is
// std::invalid_argument (the store adds which item it was).
template <class F>
auto shape_checked(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const StoreError& e) {
    throw std::invalid_argument(e.what());
  }
}

// Arbitrary JSON (progress, result) is kept as its JSON text: exact for every number (DynamoDB's
// N cannot hold 1e308 nor 2^64) and for nesting deeper than DynamoDB's 32 levels. Null: absent.
void put_json(Item& item, std::string_view name, const Json& value) {
  if (!value.is_null()) item.emplace(std::string(name), AttributeValue::string(record_json::dump(value)));
}

Json get_json(const Item& item, std::string_view name) {
  const std::string text = get_string(item, name);
  if (text.empty()) return nullptr;
  return shape_checked([&] { return record_json::parse(text, name); });
}

[[noreturn]] void wrong_type(std::string_view name, std::string_view expected) {
  throw std::invalid_argument("attribute '" + std::string(name) + "' is not of type " +
                              std::string(expected));
}

const AttributeValue* find(const Item& item, std::string_view name) {
  const auto it = item.find(std::string(name));
  if (it == item.end() || it->second.is_null()) return nullptr;
  return &it->second;
}

std::vector<std::string> get_string_list(const Item& item, std::string_view name) {
  std::vector<std::string> list;
  const AttributeValue* value = find(item, name);
  if (value == nullptr) return list;
  if (value->type() != AttributeValue::Type::kL) wrong_type(name, "L");
  for (const auto& element : value->as_list()) {
    if (element.type() != AttributeValue::Type::kS) wrong_type(name, "L of S");
    list.push_back(element.as_string());
  }
  return list;
}

AttributeValue string_list(const std::vector<std::string>& list) {
  std::vector<AttributeValue> values;
  values.reserve(list.size());
  for (const auto& text : list) values.push_back(s(text));
  return AttributeValue::list(std::move(values));
}

std::size_t value_size(const AttributeValue& value) {
  using Type = AttributeValue::Type;
  switch (value.type()) {
    case Type::kS: return value.as_string().size();
    case Type::kN: return value.as_number_text().size() + 1;
    case Type::kB: return value.as_binary().size();
    case Type::kBool:
    case Type::kNull: return 1;
    case Type::kSS:
    case Type::kNS:
    case Type::kBS: {
      std::size_t size = 0;
      for (const auto& element : value.as_set()) size += element.size() + 1;
      return size;
    }
    case Type::kL: {
      std::size_t size = 3;
      for (const auto& element : value.as_list()) size += 1 + value_size(element);
      return size;
    }
    case Type::kM: {
      std::size_t size = 3;
      for (const auto& [name, element] : value.as_map()) size += 1 + name.size() + value_size(element);
      return size;
    }
  }
  return 0;
}

// The length of the longest prefix of `text` no longer than `max` that ends on a character
// boundary.
std::size_t utf8_prefix(std::string_view text, std::size_t max) {
  if (text.size() <= max) return text.size();
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
  return end;
}

// Drops at least `drop` bytes from the front of the output, at a line start when there is one.
void drop_oldest_output(std::string& output, std::size_t drop) {
  if (drop >= output.size()) {
    output.clear();
    return;
  }
  std::size_t start = drop;
  if (const auto nl = output.find('\n', start - 1); nl != std::string::npos && nl + 1 < output.size()) {
    start = nl + 1;
  } else {
    while (start < output.size() && (static_cast<unsigned char>(output[start]) & 0xC0U) == 0x80U) ++start;
  }
  output.erase(0, start);
}

void days_to_civil(std::int64_t days, int& year, unsigned& month, unsigned& day) {
  // Howard Hinnant's civil_from_days.
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0));
}

}  // namespace

std::size_t item_size(const Item& item) {
  std::size_t size = 0;
  for (const auto& [name, value] : item) size += name.size() + value_size(value);
  return size;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = 0;
    std::uint32_t min = 0;
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if ((c & 0xE0U) == 0xC0U) {
      len = 2;
      min = 0x80;
    } else if ((c & 0xF0U) == 0xE0U) {
      len = 3;
      min = 0x800;
    } else if ((c & 0xF8U) == 0xF0U) {
      len = 4;
      min = 0x10000;
    }
    bool ok = len != 0 && i + len <= text.size();
    std::uint32_t code = 0;
    if (ok) {
      code = c & (0xFFU >> (len + 1));
      for (std::size_t k = 1; k < len; ++k) {
        const auto cc = static_cast<unsigned char>(text[i + k]);
        if ((cc & 0xC0U) != 0x80U) {
          ok = false;
          break;
        }
        code = (code << 6) | (cc & 0x3FU);
      }
    }
    ok = ok && code >= min && code <= 0x10FFFF && !(code >= 0xD800 && code <= 0xDFFF);
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string sort_time(std::int64_t epoch_ms) {
  constexpr std::int64_t kMax = 253402300799999;  // 9999-12-31T23:59:59.999Z
  if (epoch_ms < 0 || epoch_ms > kMax) {
    throw std::invalid_argument("time " + std::to_string(epoch_ms) +
                                " ms is outside 1970..9999 and cannot be part of a sort key");
  }
  const std::int64_t days = epoch_ms / 86'400'000;
  const std::int64_t in_day = epoch_ms % 86'400'000;
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  days_to_civil(days, year, month, day);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", year, month, day,
                static_cast<int>(in_day / 3'600'000), static_cast<int>(in_day / 60'000 % 60),
                static_cast<int>(in_day / 1000 % 60), static_cast<int>(in_day % 1000));
  return buffer;
}

// ---- Keys ---------------------------------------------------------------------------------------

std::string run_pk(std::string_view migration_id) {
  return std::string(kRunPkPrefix) + valid_utf8(migration_id);
}
std::string exec_pk(std::string_view execution_id) {
  return std::string(kExecPkPrefix) + valid_utf8(execution_id);
}

Item lock_key() {
  return {{std::string(kPk), s(kLockPk)}, {std::string(kSk), s(kLockPk)}};
}

Item state_key(std::string_view migration_id) {
  return {{std::string(kPk), s(kStatePk)}, {std::string(kSk), s(migration_id)}};
}

Item run_key(const RunRecord& run) {
  return {{std::string(kPk), s(run_pk(run.id))},
          {std::string(kSk), s(sort_time(run.started_at) + "#" + run.run_id)}};
}

Item execution_key(std::string_view execution_id) {
  return {{std::string(kPk), s(exec_pk(execution_id))}, {std::string(kSk), s(kExecSk)}};
}

// ---- Attribute readers ----------------------------------------------------------------------------

std::string get_string(const Item& item, std::string_view name, std::string fallback) {
  const AttributeValue* value = find(item, name);
  if (value == nullptr) return fallback;
  if (value->type() != AttributeValue::Type::kS) wrong_type(name, "S");
  return value->as_string();
}

std::int64_t get_int(const Item& item, std::string_view name, std::int64_t fallback) {
  return get_optional_int(item, name).value_or(fallback);
}

std::optional<std::int64_t> get_optional_int(const Item& item, std::string_view name) {
  const AttributeValue* value = find(item, name);
  if (value == nullptr) return std::nullopt;
  if (value->type() != AttributeValue::Type::kN) wrong_type(name, "N");
  try {
    return value->as_int();
  } catch (const std::out_of_range&) {
    wrong_type(name, "N (a 64-bit integer)");
  }
}

bool get_bool(const Item& item, std::string_view name, bool fallback) {
  const AttributeValue* value = find(item, name);
  if (value == nullptr) return fallback;
  if (value->type() != AttributeValue::Type::kBool) wrong_type(name, "BOOL");
  return value->as_bool();
}

AttributeValue who_value(const Who& who) {
  Item map;
  for (auto& [name, value] : aws::item_from_plain(record_json::from_who(who))) {
    map.emplace(name, value.type() == AttributeValue::Type::kS ? s(value.as_string()) : value);
  }
  return AttributeValue::map(std::move(map));
}

Who who_from(const AttributeValue& value) {
  if (value.is_null()) return {};
  if (value.type() != AttributeValue::Type::kM) wrong_type("who", "M");
  return shape_checked([&] { return record_json::to_who(aws::item_to_plain(value.as_map())); });
}

namespace {
Who get_who(const Item& item, std::string_view name) {
  const AttributeValue* value = find(item, name);
  if (value == nullptr) return {};
  if (value->type() != AttributeValue::Type::kM) wrong_type(name, "M");
  return shape_checked([&] { return record_json::to_who(aws::item_to_plain(value->as_map())); });
}

std::optional<CurrentRun> get_current(const Item& item) {
  const std::string text = get_string(item, "current");
  if (text.empty()) return std::nullopt;
  return shape_checked([&] { return record_json::to_current_run(record_json::parse(text, "current")); });
}
}  // namespace

// ---- Lock -----------------------------------------------------------------------------------------

LockInfo lock_from(const Item& item) {
  LockInfo lock;
  lock.owner = get_string(item, "owner");
  lock.fence = get_int(item, "fence");
  lock.acquired_at = get_int(item, "acquired_at");
  lock.expires_at = get_int(item, "expires_at");
  lock.heartbeat_at = get_int(item, "heartbeat_at");
  lock.execution_id = get_string(item, "execution_id");
  lock.who = get_who(item, "who");
  lock.current = get_current(item);
  return lock;
}

std::optional<LockInfo> previous_lock_from(const Item& item) {
  const std::int64_t fence = get_int(item, "fence") - 1;  // every acquisition adds exactly one
  if (fence <= 0) return std::nullopt;
  LockInfo lock;
  lock.owner = get_string(item, "prev_owner");
  lock.fence = fence;
  lock.acquired_at = get_int(item, "prev_acquired_at");
  lock.expires_at = get_int(item, "prev_expires_at");
  lock.heartbeat_at = get_int(item, "prev_heartbeat_at");
  lock.execution_id = get_string(item, "prev_execution_id");
  lock.who = get_who(item, "prev_who");
  lock.current = get_current(item);
  return lock;
}

// ---- States ---------------------------------------------------------------------------------------

Item state_item(const MigrationState& state) {
  Item item = state_key(state.id);
  item.emplace("status", s(to_string(state.status)));
  item.emplace("direction", s(to_string(state.direction)));
  item.emplace("applied", b(state.applied));
  item.emplace("checksum", s(state.checksum));
  item.emplace("last_run_id", s(state.last_run_id));
  item.emplace("last_execution_id", s(state.last_execution_id));
  item.emplace("started_at", n(state.started_at));
  put_optional(item, "completed_at", state.completed_at);
  put_optional(item, "duration_ms", state.duration_ms);
  put_optional(item, "applied_at", state.applied_at);
  item.emplace("applied_fence", n(state.applied_fence));
  item.emplace("error", s(state.error));
  if (state.output_truncated) item.emplace("output_truncated", b(true));  // absent: false
  put_json(item, "progress", state.progress);
  item.emplace("fence", n(state.fence));
  return item;
}

MigrationState state_from(const Item& item) {
  MigrationState state;
  state.id = get_string(item, kSk);
  state.status = run_status_from(get_string(item, "status", "completed"));
  state.direction = direction_from(get_string(item, "direction", "up"));
  state.applied = get_bool(item, "applied");
  state.checksum = get_string(item, "checksum");
  state.last_run_id = get_string(item, "last_run_id");
  state.last_execution_id = get_string(item, "last_execution_id");
  state.started_at = get_int(item, "started_at");
  state.completed_at = get_optional_int(item, "completed_at");
  state.duration_ms = get_optional_int(item, "duration_ms");
  state.applied_at = get_optional_int(item, "applied_at");
  state.applied_fence = get_int(item, "applied_fence");
  state.error = get_string(item, "error");
  state.output_truncated = get_bool(item, "output_truncated");
  state.progress = get_json(item, "progress");
  state.fence = get_int(item, "fence");
  return state;
}

// ---- Runs -----------------------------------------------------------------------------------------

namespace {
Item build_run_item(const RunRecord& run) {
  Item item = run_key(run);
  item.emplace(std::string(kGsi1Pk), s(exec_pk(run.execution_id)));
  item.emplace(std::string(kGsi1Sk), s(sort_time(run.started_at) + "#" + run.id + "#" + run.run_id));
  item.emplace("run_id", s(run.run_id));
  item.emplace("migration_id", s(run.id));
  item.emplace("name", s(run.name));
  item.emplace("status", s(to_string(run.status)));
  item.emplace("direction", s(to_string(run.direction)));
  item.emplace("execution_id", s(run.execution_id));
  item.emplace("started_at", n(run.started_at));
  put_optional(item, "completed_at", run.completed_at);
  put_optional(item, "duration_ms", run.duration_ms);
  item.emplace("description", s(run.description));
  item.emplace("output", s(run.output));
  item.emplace("output_truncated", b(run.output_truncated));
  put_json(item, "result", run.result);
  item.emplace("error", s(run.error));
  item.emplace("checksum", s(run.checksum));
  item.emplace("hop", n(run.hop));
  item.emplace("who", who_value(run.who));
  item.emplace("description_truncated", b(run.description_truncated));
  item.emplace("result_truncated", b(run.result_truncated));
  item.emplace("error_truncated", b(run.error_truncated));
  return item;
}
}  // namespace

aws::Item run_item(RunRecord& run) {
  Item item = build_run_item(run);
  const auto over = [&] {
    const std::size_t size = item_size(item);
    return size > kRunItemBudgetBytes ? size - kRunItemBudgetBytes : 0;
  };
  if (over() == 0) return item;

  // Work on the stored (UTF-8 repaired) forms, which are what the size counts.
  run.output = valid_utf8(run.output);
  run.description = valid_utf8(run.description);
  run.error = valid_utf8(run.error);
  const auto cut = [](std::string& text, std::size_t max, bool& flag) {
    if (text.size() <= max) return;
    text.resize(utf8_prefix(text, max));
    flag = true;
  };
  // 1. The runner's own caps, for records that did not come through the runner.
  cut(run.description, kMaxDescriptionBytes, run.description_truncated);
  cut(run.error, kMaxErrorBytes, run.error_truncated);
  if (!run.result.is_null()) {
    const std::string dumped = record_json::dump(run.result);
    if (dumped.size() > kMaxResultBytes) {
      run.result = Json{{"truncated", true},
                        {"bytes", dumped.size()},
                        {"head", dumped.substr(0, utf8_prefix(dumped, 1024))}};
      run.result_truncated = true;
    }
  }
  item = build_run_item(run);
  // 2. The oldest output lines: the output keeps its newest lines, like the runner's buffer.
  if (over() > 0 && !run.output.empty()) {
    drop_oldest_output(run.output, over());
    run.output_truncated = true;
    item = build_run_item(run);
  }
  // 3. Whatever else is left (only absurdly long ids, names or holder fields get here).
  for (auto* field : {&run.description, &run.error}) {
    if (const std::size_t excess = over(); excess > 0 && !field->empty()) {
      cut(*field, field->size() > excess ? field->size() - excess : 0,
          field == &run.description ? run.description_truncated : run.error_truncated);
      item = build_run_item(run);
    }
  }
  return item;  // still too large only for absurd ids or names: DynamoDB then refuses it
}

RunRecord run_from(const Item& item) {
  RunRecord run;
  run.run_id = get_string(item, "run_id");
  run.id = get_string(item, "migration_id");
  run.name = get_string(item, "name");
  run.status = run_status_from(get_string(item, "status", "completed"));
  run.direction = direction_from(get_string(item, "direction", "up"));
  run.execution_id = get_string(item, "execution_id");
  run.started_at = get_int(item, "started_at");
  run.completed_at = get_optional_int(item, "completed_at");
  run.duration_ms = get_optional_int(item, "duration_ms");
  run.description = get_string(item, "description");
  run.output = get_string(item, "output");
  run.output_truncated = get_bool(item, "output_truncated");
  run.result = get_json(item, "result");
  run.error = get_string(item, "error");
  run.checksum = get_string(item, "checksum");
  run.hop = static_cast<int>(get_int(item, "hop"));
  run.who = get_who(item, "who");
  run.description_truncated = get_bool(item, "description_truncated");
  run.result_truncated = get_bool(item, "result_truncated");
  run.error_truncated = get_bool(item, "error_truncated");
  return run;
}

// ---- Executions -----------------------------------------------------------------------------------

Item execution_item(const ExecutionRecord& execution) {
  Item item = execution_key(execution.execution_id);
  item.emplace(std::string(kGsi1Pk), s(kExecutionsGsiPk));
  item.emplace(std::string(kGsi1Sk), s(sort_time(execution.started_at) + "#" + execution.execution_id));
  item.emplace("execution_id", s(execution.execution_id));
  item.emplace("direction", s(to_string(execution.direction)));
  item.emplace("target", s(execution.target));
  item.emplace("status", s(to_string(execution.status)));
  item.emplace("who", who_value(execution.who));
  item.emplace("started_at", n(execution.started_at));
  put_optional(item, "completed_at", execution.completed_at);
  item.emplace("hop", n(execution.hop));
  item.emplace("planned", string_list(execution.planned));
  item.emplace("finished", string_list(execution.finished));
  item.emplace("error", s(execution.error));
  item.emplace("fence", n(execution.fence));
  return item;
}

ExecutionRecord execution_from(const Item& item) {
  ExecutionRecord execution;
  execution.execution_id = get_string(item, "execution_id");
  execution.direction = direction_from(get_string(item, "direction", "up"));
  execution.target = get_string(item, "target");
  execution.status = execution_status_from(get_string(item, "status", "running"));
  execution.who = get_who(item, "who");
  execution.started_at = get_int(item, "started_at");
  execution.completed_at = get_optional_int(item, "completed_at");
  execution.hop = static_cast<int>(get_int(item, "hop"));
  execution.planned = get_string_list(item, "planned");
  execution.finished = get_string_list(item, "finished");
  execution.error = get_string(item, "error");
  execution.fence = get_int(item, "fence");
  return execution;
}

}  // namespace auric::dynamodb_items
