// The SQLite SegmentStore behind SqliteStore::segments(): backfill segments as rows of the
// `backfill_segments` table (schema version 7; docs/backfills.md) in the store's file. It has
// its own connection to the file (opened by the store, which created the schema), guarded by
// a mutex. Every claim and save is one conditional UPDATE in a BEGIN IMMEDIATE transaction,
// retried on SQLITE_BUSY until the busy timeout, so it is correct across processes sharing
// the file. sqlite3.h stays in the .cpp.
#pragma once

#include <memory>
#include <string>

#include "core/segment_store.hpp"
#include "store/sqlite_store.hpp"

namespace auric {

// A segment store on the SQLite file at `path` (absolute, with the schema in place). Throws
// StoreError when the file cannot be opened.
std::unique_ptr<SegmentStore> open_sqlite_segment_store(const std::string& path,
                                                        const SqliteStoreOptions& options);

}  // namespace auric
