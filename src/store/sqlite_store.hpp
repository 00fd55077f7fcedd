// The SQLite Store (`sqlite:PATH`): one file in WAL mode that several processes may share.
// Every conditional write is one BEGIN IMMEDIATE transaction (read, decide, write), retried
// on SQLITE_BUSY until the busy timeout, so it is atomic across processes. A handle owns one
// connection guarded by a mutex: all methods are thread-safe. sqlite3.h stays in the .cpp.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/store.hpp"

namespace auric {

// PRAGMA user_version written by this build. A file with a greater version was made by a
// newer auric and is refused; an older one is upgraded in place when opened (one
// transaction). Version 2 added states.output_truncated; version 3 runs.fence and
// runs.updated_at (a running run is rewritten as its output grows: Store::put_run); version 4
// runs.kind/reason and executions.kind/reason (manual audit runs: baseline, mark, repair);
// version 6 runs.progress (Context::report_progress); version 7 the backfill_segments table
// (SqliteStore::segments(), store/sqlite_segment_store.hpp). Version 5 was reserved for the
// segments and never written: a file at 4 gets the columns and the table of 6 and 7 all the same.
inline constexpr int kSqliteSchemaVersion = 7;

// PRAGMA application_id marking a file as an auric store ("AURC").
inline constexpr int kSqliteApplicationId = 0x41555243;

struct SqliteStoreOptions {
  // How long a write waits for another connection's transaction before StoreError.
  std::chrono::milliseconds busy_timeout{10'000};
  // PRAGMA synchronous. kNormal (the default, with WAL): every commit survives a crash or
  // kill of the process; after a power loss or OS crash the last commits may roll back (the
  // file is never corrupted). kFull: every commit also survives power loss, at one fsync per
  // write (~3-4 ms here). kOff: for loading test and benchmark fixtures only.
  // URL form: sqlite:PATH?sync=normal|full.
  enum class Sync { kOff, kNormal, kFull };
  Sync sync = Sync::kNormal;
};

// Opens (creating the file, its parent folders and the schema when missing) the store at
// `path`; a relative path is resolved against the current folder now. Throws StoreError with
// a one-line message naming the path and what to do when the file cannot be created or
// opened, is not a database, was made by another tool or a newer version, or stays locked.
std::unique_ptr<Store> open_sqlite_store(const std::string& path, const SqliteStoreOptions& options = {});

}  // namespace auric
