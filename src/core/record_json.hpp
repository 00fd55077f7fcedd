// The JSON views of the records, shared by `--json` output, the dashboard API and Lambda
// results (docs/dashboard-api.md). camelCase keys; times in epoch milliseconds; absent
// optional fields are omitted, never null. Pure; thread-safe.
#pragma once

#include <auric/migrations.hpp>

#include "core/plan.hpp"
#include "core/records.hpp"

namespace auric {

Json to_json(const Who& who);
// A MigrationRecord of the API: one run. `with_output` false drops `output` (lists).
Json to_json(const RunRecord& run, bool with_output = true);
// An ExecutionBatch of the API.
Json to_json(const ExecutionRecord& execution);
Json to_json(const LockInfo& lock, std::int64_t now_ms);
Json to_json(const MigrationState& state);

// SHA-256 of a migration source as auric_add_migrations() computes it: hex of the bytes with
// CRLF line endings normalised to LF (so a checkout's line endings never look like drift).
std::string source_checksum(std::string_view source);

}  // namespace auric
