// How the DynamoDB store lays the domain records out as items of its single table
// (docs/table-design.md): keys, attribute names, the record <-> item codec, DynamoDB's item
// size accounting, and the trimming that keeps every run item under the 400 KB limit.
// Decoding is tolerant of missing attributes (defaults) and throws std::invalid_argument for
// a wrong type. Pure functions; thread-safe. Private to src/store (and its tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <auric/dynamodb_client.hpp>

#include "core/records.hpp"

namespace auric::dynamodb_items {

// ---- Keys -------------------------------------------------------------------------------------
inline constexpr std::string_view kPk = "pk";
inline constexpr std::string_view kSk = "sk";
inline constexpr std::string_view kGsi1 = "gsi1";
inline constexpr std::string_view kGsi1Pk = "gsi1pk";
inline constexpr std::string_view kGsi1Sk = "gsi1sk";

inline constexpr std::string_view kLockPk = "LOCK";
inline constexpr std::string_view kStatePk = "STATE";
inline constexpr std::string_view kRunPkPrefix = "RUN#";
inline constexpr std::string_view kExecPkPrefix = "EXEC#";
inline constexpr std::string_view kExecSk = "EXEC";
inline constexpr std::string_view kExecutionsGsiPk = "EXECUTIONS";

// ---- Sizes ------------------------------------------------------------------------------------
// DynamoDB's item limit: 400 KB = 409,600 bytes, attribute names included.
inline constexpr std::size_t kItemLimitBytes = 400 * 1024;
// What a run item is trimmed to (by item_size), leaving room for the estimate's slack.
inline constexpr std::size_t kRunItemBudgetBytes = kItemLimitBytes - 8 * 1024;
// The runner's per-field caps (src/core/runner.cpp), applied again to oversized items.
inline constexpr std::size_t kMaxDescriptionBytes = 32 * 1024;
inline constexpr std::size_t kMaxErrorBytes = 16 * 1024;
inline constexpr std::size_t kMaxResultBytes = 64 * 1024;

// An upper bound of the size DynamoDB accounts for `item`: attribute names plus values
// (strings and binaries by length, numbers by digits + 1, 3 bytes per map or list plus
// 1 byte per element, 1 byte for BOOL and NULL).
std::size_t item_size(const aws::Item& item);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD (DynamoDB strings are UTF-8).
std::string valid_utf8(std::string_view text);

// Sortable, fixed-width ISO-8601 UTC with milliseconds: "2025-06-01T12:00:00.123Z".
// Throws std::invalid_argument outside years 1970..9999.
std::string sort_time(std::int64_t epoch_ms);

// ---- Keys of each item ------------------------------------------------------------------------
aws::Item lock_key();
aws::Item state_key(std::string_view migration_id);
aws::Item run_key(const RunRecord& run);
aws::Item execution_key(std::string_view execution_id);
std::string run_pk(std::string_view migration_id);
std::string exec_pk(std::string_view execution_id);

// ---- Records <-> items ------------------------------------------------------------------------
// Each record's attributes are its fields (core/record_fields.hpp) under their stored names;
// an attribute missing from an item written before its field existed reads as the field's
// default (fence 0, updated_at 0, boot_id "").

// Every acquisition copies the replaced lease's fields (but the fence) into attributes with
// this prefix, in the same write.
inline constexpr std::string_view kPreviousPrefix = "prev_";

// The lock's field attributes (without `current`, which set_current_run writes on its own):
// what an acquisition sets.
aws::Item lock_attributes(const LockInfo& lock);
// The lock as stored (the `prev_*` snapshot and tokens are not part of LockInfo).
LockInfo lock_from(const aws::Item& item);
// The lock as it was before the acquisition that wrote `item` (its `prev_*` snapshot; the
// kept `current`; its fence is one less). nullopt when the acquisition created the lock.
std::optional<LockInfo> previous_lock_from(const aws::Item& item);

aws::Item state_item(const MigrationState& state);
MigrationState state_from(const aws::Item& item);

// The run item, trimmed to kRunItemBudgetBytes when needed: first the description, error
// and result to the runner's caps, then the oldest output lines, then the description and
// the error further; each trim sets its flag. `run` receives the fields and flags as stored.
aws::Item run_item(RunRecord& run);
RunRecord run_from(const aws::Item& item);

aws::Item execution_item(const ExecutionRecord& execution);
ExecutionRecord execution_from(const aws::Item& item);

// Who as a map attribute and back.
aws::AttributeValue who_value(const Who& who);
Who who_from(const aws::AttributeValue& value);

// Attribute readers: absent -> the default; present with another type -> std::invalid_argument
// naming the attribute.
std::string get_string(const aws::Item& item, std::string_view name, std::string fallback = {});
std::int64_t get_int(const aws::Item& item, std::string_view name, std::int64_t fallback = 0);
std::optional<std::int64_t> get_optional_int(const aws::Item& item, std::string_view name);
bool get_bool(const aws::Item& item, std::string_view name, bool fallback = false);

}  // namespace auric::dynamodb_items
