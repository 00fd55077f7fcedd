// One field table per record: each field's stored name (SQLite column, DynamoDB attribute,
// key of the stored JSON), its name in the API JSON and its member. The SQLite rows, the
// DynamoDB items, the stored JSON of Who and CurrentRun and the API JSON (core/record_json.hpp)
// are all made by visiting these tables, so a new field is one line here (plus a schema step
// for SQLite: see docs/storage.md). How a value is encoded follows from the member's type.
// Constant data: thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <tuple>

#include "core/records.hpp"

namespace auric::record_fields {

// Whether a field appears in the API JSON (docs/dashboard-api.md).
enum class InApi {
  kAlways,  // always present
  kIfSet,   // omitted when empty, false, zero, null, unset, or an enum's first (default) value
  kNever,   // internal (fencing tokens, the holder's boot id)
};

template <class Record, class T>
struct Field {
  std::string_view store;  // snake_case, the same in every store
  std::string_view api;    // camelCase; empty when kNever
  T Record::*member;
  InApi in_api;
};

template <class Record, class T>
constexpr Field<Record, T> field(std::string_view store, std::string_view api, T Record::*member,
                                 InApi in_api) {
  return {store, api, member, in_api};
}

// Calls fn(field) for each field of `fields` (one of the tables below), in table order.
template <class Fields, class Fn>
constexpr void for_each_field(const Fields& fields, Fn&& fn) {
  std::apply([&](const auto&... each) { (fn(each), ...); }, fields);
}

template <class Fields>
constexpr std::size_t field_count(const Fields& /*fields*/) {
  return std::tuple_size_v<Fields>;
}

// Enum members are stored and shown by name (core/records.hpp); these read a name back.
// Each throws std::invalid_argument for an unknown name.
inline void from_name(std::string_view name, RunStatus& out) {
  out = run_status_from(name);
}
inline void from_name(std::string_view name, ExecutionStatus& out) {
  out = execution_status_from(name);
}
inline void from_name(std::string_view name, Direction& out) {
  out = direction_from(name);
}
inline void from_name(std::string_view name, RunKind& out) {
  out = run_kind_from(name);
}

using enum InApi;

// One line per field, as a table.
// clang-format off
inline constexpr auto kWhoFields = std::make_tuple(
    field("user",              "user",            &Who::user,              kIfSet),
    field("host",              "host",            &Who::host,              kIfSet),
    field("pid",               "pid",             &Who::pid,               kIfSet),
    field("aws_principal",     "awsPrincipal",    &Who::aws_principal,     kIfSet),
    field("lambda_request_id", "lambdaRequestId", &Who::lambda_request_id, kIfSet),
    field("ecs_task_arn",      "ecsTaskArn",      &Who::ecs_task_arn,      kIfSet),
    field("boot_id",           "",                &Who::boot_id,           kNever));

inline constexpr auto kCurrentRunFields = std::make_tuple(
    field("migration_id", "migrationId", &CurrentRun::migration_id, kAlways),
    field("run_id",       "runId",       &CurrentRun::run_id,       kAlways),
    field("execution_id", "",            &CurrentRun::execution_id, kNever),
    field("direction",    "direction",   &CurrentRun::direction,    kAlways),
    field("started_at",   "startedAt",   &CurrentRun::started_at,   kAlways),
    field("hop",          "",            &CurrentRun::hop,          kNever),
    field("progress",     "",            &CurrentRun::progress,     kNever));

// The lock's own fields. `current` is not among them: each store keeps it apart (it is
// written on its own by set_current_run and kept across acquisitions).
inline constexpr auto kLockFields = std::make_tuple(
    field("owner",        "owner",       &LockInfo::owner,        kAlways),
    field("fence",        "fence",       &LockInfo::fence,        kAlways),
    field("acquired_at",  "acquiredAt",  &LockInfo::acquired_at,  kAlways),
    field("expires_at",   "expiresAt",   &LockInfo::expires_at,   kAlways),
    field("heartbeat_at", "heartbeatAt", &LockInfo::heartbeat_at, kAlways),
    field("execution_id", "executionId", &LockInfo::execution_id, kIfSet),
    field("who",          "who",         &LockInfo::who,          kAlways));

inline constexpr auto kStateFields = std::make_tuple(
    field("id",                "id",              &MigrationState::id,                kAlways),
    field("status",            "status",          &MigrationState::status,            kAlways),
    field("direction",         "direction",       &MigrationState::direction,         kAlways),
    field("applied",           "applied",         &MigrationState::applied,           kAlways),
    field("checksum",          "checksum",        &MigrationState::checksum,          kIfSet),
    field("last_run_id",       "lastRunId",       &MigrationState::last_run_id,       kIfSet),
    field("last_execution_id", "executionId",     &MigrationState::last_execution_id, kIfSet),
    field("started_at",        "startedAt",       &MigrationState::started_at,        kAlways),
    field("completed_at",      "completedAt",     &MigrationState::completed_at,      kIfSet),
    field("duration_ms",       "duration",        &MigrationState::duration_ms,       kIfSet),
    field("applied_at",        "appliedAt",       &MigrationState::applied_at,        kIfSet),
    field("applied_fence",     "",                &MigrationState::applied_fence,     kNever),
    field("error",             "error",           &MigrationState::error,             kIfSet),
    field("output_truncated",  "outputTruncated", &MigrationState::output_truncated,  kIfSet),
    field("progress",          "progress",        &MigrationState::progress,          kIfSet),
    field("fence",             "",                &MigrationState::fence,             kNever));

inline constexpr auto kRunFields = std::make_tuple(
    field("run_id",                "runId",                &RunRecord::run_id,                kAlways),
    field("migration_id",          "id",                   &RunRecord::id,                    kAlways),
    field("name",                  "name",                 &RunRecord::name,                  kAlways),
    field("status",                "status",               &RunRecord::status,                kAlways),
    field("direction",             "direction",            &RunRecord::direction,             kAlways),
    field("execution_id",          "executionId",          &RunRecord::execution_id,          kAlways),
    field("started_at",            "startedAt",            &RunRecord::started_at,            kAlways),
    field("completed_at",          "completedAt",          &RunRecord::completed_at,          kIfSet),
    field("duration_ms",           "duration",             &RunRecord::duration_ms,           kIfSet),
    field("description",           "description",          &RunRecord::description,           kIfSet),
    field("output",                "output",               &RunRecord::output,                kIfSet),
    field("output_truncated",      "outputTruncated",      &RunRecord::output_truncated,      kIfSet),
    field("result",                "metadata",             &RunRecord::result,                kIfSet),
    field("error",                 "error",                &RunRecord::error,                 kIfSet),
    field("checksum",              "checksum",             &RunRecord::checksum,              kIfSet),
    field("hop",                   "hop",                  &RunRecord::hop,                   kAlways),
    field("who",                   "who",                  &RunRecord::who,                   kAlways),
    field("description_truncated", "descriptionTruncated", &RunRecord::description_truncated, kIfSet),
    field("result_truncated",      "metadataTruncated",    &RunRecord::result_truncated,      kIfSet),
    field("error_truncated",       "errorTruncated",       &RunRecord::error_truncated,       kIfSet),
    field("fence",                 "",                     &RunRecord::fence,                 kNever),
    field("updated_at",            "updatedAt",            &RunRecord::updated_at,            kIfSet),
    field("kind",                  "kind",                 &RunRecord::kind,                  kIfSet),
    field("reason",                "reason",               &RunRecord::reason,                kIfSet),
    field("progress",              "progress",             &RunRecord::progress,              kIfSet));

inline constexpr auto kExecutionFields = std::make_tuple(
    field("execution_id", "executionId", &ExecutionRecord::execution_id, kAlways),
    field("direction",    "direction",   &ExecutionRecord::direction,    kAlways),
    field("target",       "target",      &ExecutionRecord::target,       kIfSet),
    field("status",       "status",      &ExecutionRecord::status,       kAlways),
    field("who",          "who",         &ExecutionRecord::who,          kAlways),
    field("started_at",   "startedAt",   &ExecutionRecord::started_at,   kAlways),
    field("completed_at", "completedAt", &ExecutionRecord::completed_at, kIfSet),
    field("hop",          "hop",         &ExecutionRecord::hop,          kAlways),
    field("planned",      "planned",     &ExecutionRecord::planned,      kAlways),
    field("finished",     "finished",    &ExecutionRecord::finished,     kAlways),
    field("error",        "error",       &ExecutionRecord::error,        kIfSet),
    field("fence",        "",            &ExecutionRecord::fence,        kNever),
    field("kind",         "kind",        &ExecutionRecord::kind,         kIfSet),
    field("reason",       "reason",      &ExecutionRecord::reason,       kIfSet));

// clang-format on

}  // namespace auric::record_fields
