#include "store/dynamodb_items.hpp"

#include <cstdio>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/record_fields.hpp"
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

// ---- Values <-> attributes --------------------------------------------------------------------------
// By the member's type: text S (UTF-8 repaired), numbers N, flags BOOL, enums S by name, Who M,
// id lists L of S, JSON S of its text. An unset optional and null JSON are left out.

template <class T>
void put_value(Item& item, std::string name, const T& value) {
  if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) {
    put_optional(item, name, value);
  } else if constexpr (std::is_same_v<T, Json>) {
    put_json(item, name, value);
  } else if constexpr (std::is_same_v<T, std::string>) {
    item.emplace(std::move(name), s(value));
  } else if constexpr (std::is_enum_v<T>) {
    item.emplace(std::move(name), s(to_string(value)));
  } else if constexpr (std::is_same_v<T, bool>) {
    item.emplace(std::move(name), b(value));
  } else if constexpr (std::is_integral_v<T>) {
    item.emplace(std::move(name), n(value));
  } else if constexpr (std::is_same_v<T, Who>) {
    item.emplace(std::move(name), who_value(value));
  } else {
    static_assert(std::is_same_v<T, std::vector<std::string>>);
    item.emplace(std::move(name), string_list(value));
  }
}

// An absent attribute leaves `out` as it is: the record's default, so items written before a
// field existed read as they did. A present one of another type: std::invalid_argument.
template <class T>
void get_value(const Item& item, const std::string& name, T& out) {
  if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) {
    out = get_optional_int(item, name);
  } else if constexpr (std::is_same_v<T, Json>) {
    out = get_json(item, name);
  } else if constexpr (std::is_same_v<T, std::string>) {
    out = get_string(item, name, std::move(out));
  } else if constexpr (std::is_enum_v<T>) {
    if (find(item, name) != nullptr) record_fields::from_name(get_string(item, name), out);
  } else if constexpr (std::is_same_v<T, bool>) {
    out = get_bool(item, name, out);
  } else if constexpr (std::is_integral_v<T>) {
    const std::int64_t value = get_int(item, name, out);
    if (!std::in_range<T>(value)) wrong_type(name, "N (in range)");
    out = static_cast<T>(value);
  } else if constexpr (std::is_same_v<T, Who>) {
    out = get_who(item, name);
  } else {
    static_assert(std::is_same_v<T, std::vector<std::string>>);
    out = get_string_list(item, name);
  }
}

// Every field of `record` as an attribute named `prefix` + its stored name.
template <class Record, class Fields>
void put_fields(Item& item, const Fields& fields, const Record& record, std::string_view prefix = {}) {
  record_fields::for_each_field(
      fields, [&](const auto& f) { put_value(item, std::string(prefix).append(f.store), record.*f.member); });
}

template <class Record, class Fields>
Record get_fields(const Item& item, const Fields& fields, std::string_view prefix = {}) {
  Record record;
  record_fields::for_each_field(
      fields, [&](const auto& f) { get_value(item, std::string(prefix).append(f.store), record.*f.member); });
  return record;
}

}  // namespace

// ---- Lock -----------------------------------------------------------------------------------------

Item lock_attributes(const LockInfo& lock) {
  Item item;
  put_fields(item, record_fields::kLockFields, lock);
  return item;
}

LockInfo lock_from(const Item& item) {
  auto lock = get_fields<LockInfo>(item, record_fields::kLockFields);
  lock.current = get_current(item);
  return lock;
}

std::optional<LockInfo> previous_lock_from(const Item& item) {
  const std::int64_t fence = get_int(item, "fence") - 1;  // every acquisition adds exactly one
  if (fence <= 0) return std::nullopt;
  auto lock = get_fields<LockInfo>(item, record_fields::kLockFields, kPreviousPrefix);
  lock.fence = fence;
  lock.current = get_current(item);
  return lock;
}

// ---- States ---------------------------------------------------------------------------------------

Item state_item(const MigrationState& state) {
  Item item = state_key(state.id);
  put_fields(item, record_fields::kStateFields, state);
  item.erase("id");  // the sort key holds it
  return item;
}

MigrationState state_from(const Item& item) {
  auto state = get_fields<MigrationState>(item, record_fields::kStateFields);
  state.id = get_string(item, kSk);
  return state;
}

// ---- Runs -----------------------------------------------------------------------------------------

namespace {
Item build_run_item(const RunRecord& run) {
  Item item = run_key(run);
  item.emplace(std::string(kGsi1Pk), s(exec_pk(run.execution_id)));
  item.emplace(std::string(kGsi1Sk), s(sort_time(run.started_at) + "#" + run.id + "#" + run.run_id));
  put_fields(item, record_fields::kRunFields, run);
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
  return get_fields<RunRecord>(item, record_fields::kRunFields);
}

// ---- Executions -----------------------------------------------------------------------------------

Item execution_item(const ExecutionRecord& execution) {
  Item item = execution_key(execution.execution_id);
  item.emplace(std::string(kGsi1Pk), s(kExecutionsGsiPk));
  item.emplace(std::string(kGsi1Sk), s(sort_time(execution.started_at) + "#" + execution.execution_id));
  put_fields(item, record_fields::kExecutionFields, execution);
  return item;
}

ExecutionRecord execution_from(const Item& item) {
  return get_fields<ExecutionRecord>(item, record_fields::kExecutionFields);
}

}  // namespace auric::dynamodb_items
