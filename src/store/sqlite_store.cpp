#include "store/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "core/record_fields.hpp"
#include "store/record_json.hpp"
#include "store/registry.hpp"
#include "store/sqlite_segment_store.hpp"
#include "store/store_rules.hpp"
#include "store/store_url.hpp"

namespace auric {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

// SQLite said SQLITE_BUSY / SQLITE_LOCKED: the whole transaction is rolled back and retried.
struct Busy {};

// The schema of this version (kSqliteSchemaVersion). Applied in one BEGIN IMMEDIATE
// transaction, so processes racing to create a new file serialise; IF NOT EXISTS keeps it
// idempotent. Files of an older version are upgraded by the steps below, after kSchema itself
// has run on them: that adds the tables they lack (version 7's backfill_segments, the backfill
// segments of store/sqlite_segment_store.cpp), and kAddedColumns the columns.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS lock (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  owner         TEXT    NOT NULL,
  fence         INTEGER NOT NULL,
  acquired_at   INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  heartbeat_at  INTEGER NOT NULL,
  execution_id  TEXT    NOT NULL,
  who           TEXT    NOT NULL,
  current_run   TEXT
);
CREATE TABLE IF NOT EXISTS states (
  id                 TEXT    PRIMARY KEY,
  status             TEXT    NOT NULL,
  direction          TEXT    NOT NULL,
  applied            INTEGER NOT NULL,
  checksum           TEXT    NOT NULL,
  last_run_id        TEXT    NOT NULL,
  last_execution_id  TEXT    NOT NULL,
  started_at         INTEGER NOT NULL,
  completed_at       INTEGER,
  duration_ms        INTEGER,
  applied_at         INTEGER,
  applied_fence      INTEGER NOT NULL,
  error              TEXT    NOT NULL,
  progress           TEXT    NOT NULL,
  fence              INTEGER NOT NULL,
  output_truncated   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
  run_id                 TEXT    PRIMARY KEY,
  migration_id           TEXT    NOT NULL,
  name                   TEXT    NOT NULL,
  status                 TEXT    NOT NULL,
  direction              TEXT    NOT NULL,
  execution_id           TEXT    NOT NULL,
  started_at             INTEGER NOT NULL,
  completed_at           INTEGER,
  duration_ms            INTEGER,
  description            TEXT    NOT NULL,
  output                 TEXT    NOT NULL,
  output_truncated       INTEGER NOT NULL,
  result                 TEXT    NOT NULL,
  error                  TEXT    NOT NULL,
  checksum               TEXT    NOT NULL,
  hop                    INTEGER NOT NULL,
  who                    TEXT    NOT NULL,
  description_truncated  INTEGER NOT NULL,
  result_truncated       INTEGER NOT NULL,
  error_truncated        INTEGER NOT NULL,
  fence                  INTEGER NOT NULL DEFAULT 0,
  updated_at             INTEGER NOT NULL DEFAULT 0,
  kind                   TEXT    NOT NULL DEFAULT 'run',
  reason                 TEXT    NOT NULL DEFAULT '',
  progress               TEXT    NOT NULL DEFAULT 'null'
);
CREATE INDEX IF NOT EXISTS runs_by_migration
  ON runs (migration_id, started_at DESC, run_id DESC);
CREATE INDEX IF NOT EXISTS runs_by_execution
  ON runs (execution_id, started_at, migration_id, run_id);
CREATE TABLE IF NOT EXISTS executions (
  execution_id  TEXT    PRIMARY KEY,
  direction     TEXT    NOT NULL,
  target        TEXT    NOT NULL,
  status        TEXT    NOT NULL,
  who           TEXT    NOT NULL,
  started_at    INTEGER NOT NULL,
  completed_at  INTEGER,
  hop           INTEGER NOT NULL,
  planned       TEXT    NOT NULL,
  finished      TEXT    NOT NULL,
  error         TEXT    NOT NULL,
  fence         INTEGER NOT NULL,
  kind          TEXT    NOT NULL DEFAULT 'run',
  reason        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS executions_by_start
  ON executions (started_at DESC, execution_id DESC);
CREATE TABLE IF NOT EXISTS backfill_segments (
  migration_id      TEXT    NOT NULL,
  job_id            TEXT    NOT NULL,
  segment           INTEGER NOT NULL,
  total_segments    INTEGER NOT NULL,
  state             TEXT    NOT NULL,
  owner             TEXT    NOT NULL,
  fence             INTEGER NOT NULL,
  lease_expires_at  INTEGER NOT NULL,
  cursor            TEXT    NOT NULL,
  scanned           INTEGER NOT NULL,
  written           INTEGER NOT NULL,
  skipped           INTEGER NOT NULL,
  failed            INTEGER NOT NULL,
  read_units        REAL    NOT NULL,
  write_units       REAL    NOT NULL,
  errors            TEXT    NOT NULL,
  updated_at        INTEGER NOT NULL,
  PRIMARY KEY (migration_id, job_id, segment)
) WITHOUT ROWID;
)sql";

// Columns added since version 1, with the version that added them. A file of an older
// version gets each one it lacks (ALTER TABLE ... ADD COLUMN, inside the schema transaction)
// and its rows read the default; kSchema has them all for new files, with the same
// definitions. A new field of a record is one line in core/record_fields.hpp, the column in
// kSchema and a line here (docs/storage.md, *Schema versions*).
struct AddedColumn {
  int version;
  const char* table;
  const char* column;
  const char* definition;
};
constexpr AddedColumn kAddedColumns[] = {
    {2, "states", "output_truncated", "INTEGER NOT NULL DEFAULT 0"},  // the latest run's output was cut
    {3, "runs", "fence", "INTEGER NOT NULL DEFAULT 0"},               // the writer's lease (put_run)
    {3, "runs", "updated_at", "INTEGER NOT NULL DEFAULT 0"},          // the run's last durable write
    {4, "runs", "kind", "TEXT NOT NULL DEFAULT 'run'"},  // run or manual (baseline, mark, repair)
    {4, "runs", "reason", "TEXT NOT NULL DEFAULT ''"},   // --reason
    {4, "executions", "kind", "TEXT NOT NULL DEFAULT 'run'"},
    {4, "executions", "reason", "TEXT NOT NULL DEFAULT ''"},
    {6, "runs", "progress", "TEXT NOT NULL DEFAULT 'null'"},  // Context::report_progress
};

std::string sql(std::initializer_list<std::string_view> parts) {
  std::string text;
  for (const auto part : parts) text += part;
  return text;
}

// "?1, ?2, ..., ?n"
std::string placeholders(std::size_t n) {
  std::string text;
  for (std::size_t i = 1; i <= n; ++i) text += (i > 1 ? ", ?" : "?") + std::to_string(i);
  return text;
}

// "a, b, c": the columns of a record, one per field of its table (core/record_fields.hpp).
template <class Fields>
std::string column_list(const Fields& fields) {
  std::string text;
  record_fields::for_each_field(fields, [&](const auto& f) {
    if (!text.empty()) text += ", ";
    text += f.store;
  });
  return text;
}

// A record's table: its name, its fields (core/record_fields.hpp), and the two statements
// that hold a whole record: the SELECT of its columns (a WHERE clause follows) and the
// INSERT OR REPLACE of a row.
template <class RecordT, class Fields>
struct RecordTable {
  using Record = RecordT;
  std::string_view name;
  const Fields& fields;
  std::string select;
  std::string replace;
};

template <class Record, class Fields>
RecordTable<Record, Fields> record_table(std::string_view name, const Fields& fields) {
  const std::string columns = column_list(fields);
  return {name, fields, sql({"SELECT ", columns, " FROM ", name}),
          sql({"INSERT OR REPLACE INTO ", name, " (", columns, ") VALUES (",
               placeholders(record_fields::field_count(fields)), ")"})};
}

const auto kStates = record_table<MigrationState>("states", record_fields::kStateFields);
const auto kRuns = record_table<RunRecord>("runs", record_fields::kRunFields);
const auto kExecutions = record_table<ExecutionRecord>("executions", record_fields::kExecutionFields);
// The single lock row (id 1): its fields, then `current_run` (JSON, NULL when none).
constexpr int kLockCurrentColumn = static_cast<int>(record_fields::field_count(record_fields::kLockFields));
const std::string kLockColumns = column_list(record_fields::kLockFields) + ", current_run";
const std::string kLockSelect = "SELECT " + kLockColumns + " FROM lock WHERE id = 1";
const std::string kLockReplace = "INSERT OR REPLACE INTO lock (id, " + kLockColumns + ") VALUES (1, " +
                                 placeholders(static_cast<std::size_t>(kLockCurrentColumn) + 1) + ")";

// One-line advice for an SQLite result code.
std::string advice(int rc, std::string_view detail) {
  switch (rc & 0xff) {
    case SQLITE_NOTADB: return "file is not a database (was it created by another tool?)";
    case SQLITE_CORRUPT: return "the database file is corrupt (restore it from a backup)";
    case SQLITE_CANTOPEN: return "cannot open the file (check that its folder exists and is writable)";
    case SQLITE_READONLY:
      return "the database is read-only (check the permissions of the file and its folder)";
    case SQLITE_PERM: return "permission denied (check the permissions of the file and its folder)";
    case SQLITE_FULL: return "the disk is full (free some space and retry)";
    case SQLITE_IOERR: return "I/O error: " + std::string(detail) + " (check the disk and the file)";
    default: return std::string(detail) + " (SQLite error " + std::to_string(rc) + ")";
  }
}

class SqliteStore;

// A prepared statement borrowed from the cache for one use: bind, step, read columns. The
// destructor resets it, which also ends the implicit read transaction of a lone SELECT.
class Query {
 public:
  Query(const SqliteStore& store, sqlite3_stmt* stmt) : store_(store), stmt_(stmt) {}
  ~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& text(int index, std::string_view value) {
    check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Query& integer(int index, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  Query& optional(int index, const std::optional<std::int64_t>& value) {
    check(value ? sqlite3_bind_int64(stmt_, index, *value) : sqlite3_bind_null(stmt_, index));
    return *this;
  }
  Query& null(int index) {
    check(sqlite3_bind_null(stmt_, index));
    return *this;
  }

  // True when a row is available, false when done. Throws Busy or StoreError.
  bool step();

  std::string text(int column) const {
    const auto* data = sqlite3_column_text(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    if (data == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::optional<std::int64_t> optional(int column) const {
    if (is_null(column)) return std::nullopt;
    return integer(column);
  }

 private:
  void check(int rc);

  const SqliteStore& store_;
  sqlite3_stmt* stmt_;
};

// Reads up to `limit` rows of `q` (which asks for limit + 1) into a page; when a further row
// exists, the cursor points after the last kept item. `key_of` gives an item's tie-break key.
template <class T, class FromRow, class KeyOf>
Page<T> collect_page(Query& q, int limit, FromRow from_row, KeyOf key_of) {
  Page<T> page;
  while (q.step()) {
    if (page.items.size() == static_cast<std::size_t>(limit)) {
      const T& last = page.items.back();
      page.next_cursor = store_rules::encode_cursor(last.started_at, key_of(last));
      break;
    }
    page.items.push_back(from_row(q));
  }
  return page;
}

// ---- Values ↔ columns ------------------------------------------------------------------------
// By the member's type: text, numbers and flags (0/1) as themselves, enums by name, an unset
// optional as NULL, JSON, Who and id lists as JSON text (store/record_json.hpp).

template <class T>
void bind_value(Query& q, int index, const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    q.text(index, value);
  } else if constexpr (std::is_enum_v<T>) {
    q.text(index, to_string(value));
  } else if constexpr (std::is_same_v<T, bool>) {
    q.integer(index, value ? 1 : 0);
  } else if constexpr (std::is_integral_v<T>) {
    q.integer(index, value);
  } else if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) {
    q.optional(index, value);
  } else if constexpr (std::is_same_v<T, Json>) {
    q.text(index, record_json::dump(value));
  } else if constexpr (std::is_same_v<T, Who>) {
    q.text(index, record_json::dump(record_json::from_who(value)));
  } else {
    static_assert(std::is_same_v<T, std::vector<std::string>>);
    q.text(index, record_json::dump(Json(value)));
  }
}

// Throws std::invalid_argument (an unknown enum name, a number out of range) or StoreError (JSON
// that is not JSON or has a wrong shape).
template <class T>
void read_value(const Query& row, int column, std::string_view name, T& out) {
  if constexpr (std::is_same_v<T, std::string>) {
    out = row.text(column);
  } else if constexpr (std::is_enum_v<T>) {
    record_fields::from_name(row.text(column), out);
  } else if constexpr (std::is_same_v<T, bool>) {
    out = row.integer(column) != 0;
  } else if constexpr (std::is_integral_v<T>) {
    const std::int64_t value = row.integer(column);
    if (!std::in_range<T>(value)) {
      throw std::invalid_argument(std::string(name) + " " + std::to_string(value) + " is out of range");
    }
    out = static_cast<T>(value);
  } else if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) {
    out = row.optional(column);
  } else if constexpr (std::is_same_v<T, Json>) {
    out = record_json::parse(row.text(column), name);
  } else if constexpr (std::is_same_v<T, Who>) {
    out = record_json::to_who(record_json::parse(row.text(column), name));
  } else {
    static_assert(std::is_same_v<T, std::vector<std::string>>);
    out = record_json::to_string_list(record_json::parse(row.text(column), name));
  }
}

// Binds ?1..?n to the record's fields, in table order (the order of column_list's columns).
template <class Record, class Fields>
void bind_fields(Query& q, const Fields& fields, const Record& record) {
  int index = 1;
  record_fields::for_each_field(fields, [&](const auto& f) { bind_value(q, index++, record.*f.member); });
}

// Reads columns 0..n-1, in table order, into the record's fields.
template <class Record, class Fields>
void read_fields(const Query& row, const Fields& fields, Record& record) {
  int column = 0;
  record_fields::for_each_field(fields,
                                [&](const auto& f) { read_value(row, column++, f.store, record.*f.member); });
}

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& path, const SqliteStoreOptions& options);
  ~SqliteStore() override;

  std::string describe() const override { return "sqlite:" + path_; }
  InitOutcome init() override {
    const bool created = ensure_schema();
    return created || created_on_open_.exchange(false) ? InitOutcome::kCreated : InitOutcome::kFound;
  }

  LockAttempt try_acquire_lock(const LockRequest& request) override;
  WriteOutcome renew_lock(const std::string& owner, std::int64_t fence, std::int64_t now_ms,
                          std::int64_t expires_at) override;
  WriteOutcome set_current_run(const std::string& owner, std::int64_t fence,
                               const std::optional<CurrentRun>& current, std::int64_t expires_at) override;
  WriteOutcome release_lock(const std::string& owner, std::int64_t fence) override;
  std::optional<LockInfo> read_lock() override;
  std::optional<LockInfo> force_unlock() override;

  std::vector<MigrationState> list_states() override;
  std::optional<MigrationState> get_state(const std::string& id) override;
  WriteOutcome put_state(const MigrationState& state,
                         const std::optional<std::string>& unless_last_run_id) override;
  WriteOutcome delete_state(const std::string& id, std::int64_t fence) override;

  WriteOutcome put_run(const RunRecord& run) override;
  Page<RunRecord> runs_of_migration(const std::string& id, int limit, const std::string& cursor) override;
  std::vector<RunRecord> runs_of_execution(const std::string& execution_id) override;

  WriteOutcome put_execution(const ExecutionRecord& execution) override;
  std::optional<ExecutionRecord> get_execution(const std::string& execution_id) override;
  Page<ExecutionRecord> list_executions(int limit, const std::string& cursor) override;
  WriteOutcome advance_hop(const std::string& execution_id, int from, int to) override;
  std::vector<std::size_t> count_runs_of_executions(const std::vector<std::string>& execution_ids) override;
  std::optional<std::uint64_t> data_version() override;

  // Backfill segments: the backfill_segments table through a connection of their own, opened
  // at the first call.
  SegmentStore* segments() override {
    std::lock_guard guard(segments_mutex_);
    if (!segments_) segments_ = open_sqlite_segment_store(path_, options_);
    return segments_.get();
  }

  // Throws Busy for SQLITE_BUSY / SQLITE_LOCKED, StoreError for any other failure.
  void check(int rc) const {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    const int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw Busy{};
    fail(rc);
  }
  [[noreturn]] void fail(int rc) const {
    throw StoreError("sqlite store " + path_ + ": " + advice(rc, sqlite3_errmsg(db_)));
  }
  [[noreturn]] void fail(const std::string& problem) const {
    throw StoreError("sqlite store " + path_ + ": " + problem);
  }

 private:
  enum class Mode { kRead, kWrite };

  // Runs `fn` (which may only use the connection, never other public methods) as one
  // transaction: BEGIN IMMEDIATE ... COMMIT for kWrite, the implicit transaction of each
  // statement for kRead. On Busy the transaction is rolled back and `fn` runs again, until
  // the busy timeout has passed.
  template <class Fn>
  auto transact(Mode mode, Fn&& fn) -> std::invoke_result_t<Fn&>;

  Query query(const std::string& sql_text);
  void exec(const char* sql_text);
  void commit() {
    exec("COMMIT");
    ++version_;
  }
  void rollback_if_open() noexcept;

  void configure_connection();
  bool ensure_schema();  // true when it created the schema (the file had none)
  void check_schema_compatible(std::int64_t version, std::int64_t application_id);
  std::int64_t pragma_integer(const char* pragma);
  bool has_column(const char* table, const char* column);

  std::optional<LockInfo> load_lock();
  void save_lock(const LockInfo& lock);
  std::optional<MigrationState> load_state(const std::string& id);
  std::optional<ExecutionRecord> load_execution(const std::string& execution_id);

  // The record in `row` (its columns in table order); StoreError naming `table` when a value
  // cannot be read.
  template <class Table>
  typename Table::Record record_from(const Query& row, const Table& table) const;
  template <class T, class Read>
  T decode(std::string_view table, Read read) const;

  std::string path_;
  SqliteStoreOptions options_;
  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  // data_version(): grows on each commit of this connection and whenever PRAGMA data_version
  // shows a commit by another one. Guarded by mutex_.
  std::uint64_t version_ = 0;
  std::atomic<bool> created_on_open_{
      false};  // opening this handle created the schema; init() reports it once
  std::int64_t seen_data_version_ = -1;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  std::mutex segments_mutex_;
  std::unique_ptr<SegmentStore> segments_;
};

bool Query::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  store_.check(rc);
  store_.fail(rc);
}

void Query::check(int rc) {
  store_.check(rc);
}

SqliteStore::SqliteStore(const std::string& path, const SqliteStoreOptions& options) : options_(options) {
  if (path.empty()) throw std::invalid_argument("sqlite store: empty path");
  std::error_code ec;
  const fs::path absolute = fs::absolute(fs::path(path), ec);
  path_ = ec ? path : absolute.lexically_normal().string();

  const fs::path parent = fs::path(path_).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    fs::create_directories(parent, ec);
    if (ec) {
      fail("cannot create folder " + parent.string() + " (" + ec.message() +
           "): choose a path in a writable folder");
    }
  }
  if (fs::is_directory(fs::path(path_), ec)) {
    fail("is a folder, not a file (give a file path such as " + (fs::path(path_) / "migrations.db").string() +
         ")");
  }

  const int rc = sqlite3_open_v2(path_.c_str(), &db_,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = "sqlite store " + path_ + ": " +
                                advice(rc, db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreError(message);
  }
  try {
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, static_cast<int>(options_.busy_timeout.count()));
    configure_connection();
    created_on_open_ = ensure_schema();
  } catch (...) {
    for (auto& entry : statements_) sqlite3_finalize(entry.second);
    statements_.clear();
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

SqliteStore::~SqliteStore() {
  for (auto& entry : statements_) sqlite3_finalize(entry.second);
  sqlite3_close_v2(db_);
}

template <class Fn>
auto SqliteStore::transact(Mode mode, Fn&& fn) -> std::invoke_result_t<Fn&> {
  std::lock_guard guard(mutex_);
  const auto deadline = SteadyClock::now() + options_.busy_timeout;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    try {
      if (mode == Mode::kWrite) exec("BEGIN IMMEDIATE");
      if constexpr (std::is_void_v<std::invoke_result_t<Fn&>>) {
        fn();
        if (mode == Mode::kWrite) commit();
        return;
      } else {
        auto result = fn();
        if (mode == Mode::kWrite) commit();
        return result;
      }
    } catch (const Busy&) {
      rollback_if_open();
      if (SteadyClock::now() >= deadline) {
        fail("the database stayed locked by another connection for more than " +
             std::to_string(options_.busy_timeout.count()) +
             " ms (another process is holding a transaction open: retry, or stop that process)");
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(50));
    } catch (...) {
      rollback_if_open();
      throw;
    }
  }
}

Query SqliteStore::query(const std::string& sql_text) {
  auto it = statements_.find(sql_text);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql_text.c_str(), static_cast<int>(sql_text.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      check(rc);
      fail(rc);
    }
    it = statements_.emplace(sql_text, stmt).first;
  }
  return Query(*this, it->second);
}

void SqliteStore::exec(const char* sql_text) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql_text, nullptr, nullptr, &message);
  sqlite3_free(message);
  check(rc);
}

void SqliteStore::rollback_if_open() noexcept {
  if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

std::int64_t SqliteStore::pragma_integer(const char* pragma) {
  auto q = query(sql({"PRAGMA ", pragma}));
  return q.step() ? q.integer(0) : 0;
}

bool SqliteStore::has_column(const char* table, const char* column) {
  auto q = query("SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2");
  q.text(1, table).text(2, column);
  return q.step() && q.integer(0) > 0;
}

void SqliteStore::configure_connection() {
  const auto mode = transact(Mode::kRead, [&] {
    auto q = query("PRAGMA journal_mode=WAL");
    return q.step() ? q.text(0) : std::string();
  });
  if (mode != "wal") {
    fail("cannot switch the database to WAL mode (journal_mode is '" + mode +
         "'): put the file on a local disk");
  }
  switch (options_.sync) {
    case SqliteStoreOptions::Sync::kOff: exec("PRAGMA synchronous=OFF"); break;
    case SqliteStoreOptions::Sync::kNormal: exec("PRAGMA synchronous=NORMAL"); break;
    case SqliteStoreOptions::Sync::kFull: exec("PRAGMA synchronous=FULL"); break;
  }
}

void SqliteStore::check_schema_compatible(std::int64_t version, std::int64_t application_id) {
  if (application_id != 0 && application_id != kSqliteApplicationId) {
    fail("the database belongs to another application (application_id " + std::to_string(application_id) +
         "): use another path for the auric store");
  }
  if (version > kSqliteSchemaVersion) {
    fail("schema version " + std::to_string(version) +
         " was written by a newer version of auric-migrations (this one knows up to " +
         std::to_string(kSqliteSchemaVersion) + "): upgrade auric-migrations to use this store");
  }
}

bool SqliteStore::ensure_schema() {
  // Fast path without the write lock: an up-to-date file needs nothing.
  const auto [version, application_id] = transact(Mode::kRead, [&] {
    return std::pair(pragma_integer("user_version"), pragma_integer("application_id"));
  });
  check_schema_compatible(version, application_id);
  if (version == kSqliteSchemaVersion) return false;

  return transact(Mode::kWrite, [&] {
    const auto locked_version = pragma_integer("user_version");
    check_schema_compatible(locked_version, pragma_integer("application_id"));
    if (locked_version == kSqliteSchemaVersion) return false;  // another process got there first
    if (locked_version == 0) {
      auto q = query(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
          "AND name NOT IN ('lock', 'states', 'runs', 'executions', 'backfill_segments') ORDER BY name LIMIT "
          "1");
      if (q.step()) {
        fail("the database holds tables auric did not create (e.g. '" + q.text(0) +
             "'; was it created by another tool?): use another path for the auric store");
      }
    }
    exec(kSchema);
    for (const AddedColumn& added : kAddedColumns) {
      if (locked_version < added.version && !has_column(added.table, added.column)) {
        exec(sql({"ALTER TABLE ", added.table, " ADD COLUMN ", added.column, " ", added.definition}).c_str());
      }
    }
    exec(("PRAGMA application_id = " + std::to_string(kSqliteApplicationId)).c_str());
    exec(("PRAGMA user_version = " + std::to_string(kSqliteSchemaVersion)).c_str());
    return locked_version == 0;
  });
}

// ---- Rows ↔ records --------------------------------------------------------------------------

template <class T, class Read>
T SqliteStore::decode(std::string_view table, Read read) const {
  try {
    return read();
  } catch (const StoreError& error) {
    fail("unreadable row in table " + std::string(table) + ": " + error.what());
  } catch (const std::invalid_argument& error) {
    fail("unreadable row in table " + std::string(table) + ": " + error.what() +
         " (was it written by a newer version?)");
  }
}

template <class Table>
typename Table::Record SqliteStore::record_from(const Query& row, const Table& table) const {
  return decode<typename Table::Record>(table.name, [&] {
    typename Table::Record record;
    read_fields(row, table.fields, record);
    return record;
  });
}

std::optional<LockInfo> SqliteStore::load_lock() {
  auto q = query(kLockSelect);
  if (!q.step()) return std::nullopt;
  LockInfo lock = decode<LockInfo>("lock", [&] {
    LockInfo read;
    read_fields(q, record_fields::kLockFields, read);
    return read;
  });
  if (!q.is_null(kLockCurrentColumn)) {
    lock.current = decode<CurrentRun>("lock", [&] {
      return record_json::to_current_run(record_json::parse(q.text(kLockCurrentColumn), "current run"));
    });
  }
  return lock;
}

void SqliteStore::save_lock(const LockInfo& lock) {
  auto q = query(kLockReplace);
  bind_fields(q, record_fields::kLockFields, lock);
  if (lock.current) {
    q.text(kLockCurrentColumn + 1, record_json::dump(record_json::from_current_run(*lock.current)));
  } else {
    q.null(kLockCurrentColumn + 1);
  }
  q.step();
}

std::optional<MigrationState> SqliteStore::load_state(const std::string& id) {
  auto q = query(kStates.select + " WHERE id = ?1");
  q.text(1, id);
  if (!q.step()) return std::nullopt;
  return record_from(q, kStates);
}

std::optional<ExecutionRecord> SqliteStore::load_execution(const std::string& execution_id) {
  auto q = query(kExecutions.select + " WHERE execution_id = ?1");
  q.text(1, execution_id);
  if (!q.step()) return std::nullopt;
  return record_from(q, kExecutions);
}

// ---- Lock ------------------------------------------------------------------------------------

LockAttempt SqliteStore::try_acquire_lock(const LockRequest& request) {
  store_rules::check_request(request);
  return transact(Mode::kWrite, [&] {
    LockAttempt attempt;
    attempt.previous = load_lock();
    if (!store_rules::may_acquire(attempt.previous, request)) return attempt;
    const LockInfo next = store_rules::acquired(attempt.previous, request);
    save_lock(next);
    attempt.acquired = true;
    attempt.fence = next.fence;
    return attempt;
  });
}

WriteOutcome SqliteStore::renew_lock(const std::string& owner, std::int64_t fence, std::int64_t now_ms,
                                     std::int64_t expires_at) {
  return transact(Mode::kWrite, [&] {
    auto q = query(
        "UPDATE lock SET expires_at = ?1, heartbeat_at = ?2 "
        "WHERE id = 1 AND owner <> '' AND owner = ?3 AND fence = ?4");
    q.integer(1, expires_at).integer(2, now_ms).text(3, owner).integer(4, fence);
    q.step();
    return sqlite3_changes(db_) == 1 ? WriteOutcome::kOk : WriteOutcome::kFenced;
  });
}

WriteOutcome SqliteStore::set_current_run(const std::string& owner, std::int64_t fence,
                                          const std::optional<CurrentRun>& current, std::int64_t expires_at) {
  return transact(Mode::kWrite, [&] {
    auto q = query(
        "UPDATE lock SET current_run = ?1, expires_at = ?2 "
        "WHERE id = 1 AND owner <> '' AND owner = ?3 AND fence = ?4");
    if (current) {
      q.text(1, record_json::dump(record_json::from_current_run(*current)));
    } else {
      q.null(1);
    }
    q.integer(2, expires_at).text(3, owner).integer(4, fence);
    q.step();
    return sqlite3_changes(db_) == 1 ? WriteOutcome::kOk : WriteOutcome::kFenced;
  });
}

WriteOutcome SqliteStore::release_lock(const std::string& owner, std::int64_t fence) {
  return transact(Mode::kWrite, [&] {
    auto lock = load_lock();
    if (!store_rules::holds(lock, owner, fence)) return WriteOutcome::kFenced;
    save_lock(store_rules::released(std::move(*lock)));
    return WriteOutcome::kOk;
  });
}

std::optional<LockInfo> SqliteStore::read_lock() {
  return transact(Mode::kRead, [&] { return load_lock(); });
}

std::optional<LockInfo> SqliteStore::force_unlock() {
  return transact(Mode::kWrite, [&] {
    auto before = load_lock();
    if (before) save_lock(store_rules::force_released(*before));
    return before;
  });
}

// ---- States ----------------------------------------------------------------------------------

std::vector<MigrationState> SqliteStore::list_states() {
  return transact(Mode::kRead, [&] {
    std::vector<MigrationState> states;
    auto q = query(kStates.select + " ORDER BY id");
    while (q.step()) states.push_back(record_from(q, kStates));
    return states;
  });
}

std::optional<MigrationState> SqliteStore::get_state(const std::string& id) {
  return transact(Mode::kRead, [&] { return load_state(id); });
}

WriteOutcome SqliteStore::put_state(const MigrationState& state,
                                    const std::optional<std::string>& unless_last_run_id) {
  return transact(Mode::kWrite, [&] {
    std::optional<std::int64_t> stored_fence;
    std::optional<std::string> stored_last_run_id;
    {
      auto q = query("SELECT fence, last_run_id FROM states WHERE id = ?1");
      q.text(1, state.id);
      if (q.step()) {
        stored_fence = q.integer(0);
        stored_last_run_id = q.text(1);
      }
    }
    const auto outcome =
        store_rules::check_fenced_write(stored_fence, state.fence, stored_last_run_id, unless_last_run_id);
    if (outcome != WriteOutcome::kOk) return outcome;
    auto q = query(kStates.replace);
    bind_fields(q, kStates.fields, state);
    q.step();
    return WriteOutcome::kOk;
  });
}

WriteOutcome SqliteStore::delete_state(const std::string& id, std::int64_t fence) {
  return transact(Mode::kWrite, [&] {
    std::optional<std::int64_t> stored_fence;
    {
      auto q = query("SELECT fence FROM states WHERE id = ?1");
      q.text(1, id);
      if (q.step()) stored_fence = q.integer(0);
    }
    const auto outcome = store_rules::check_fenced_write(stored_fence, fence);
    if (outcome != WriteOutcome::kOk || !stored_fence) return outcome;
    auto q = query("DELETE FROM states WHERE id = ?1");
    q.text(1, id);
    q.step();
    return WriteOutcome::kOk;
  });
}

// ---- Runs ------------------------------------------------------------------------------------

WriteOutcome SqliteStore::put_run(const RunRecord& run) {
  return transact(Mode::kWrite, [&] {
    std::optional<RunStatus> stored_status;
    std::int64_t stored_fence = 0;
    {
      auto q = query("SELECT status, fence FROM runs WHERE run_id = ?1");
      q.text(1, run.run_id);
      if (q.step()) {
        stored_status = decode<RunStatus>("runs", [&] { return run_status_from(q.text(0)); });
        stored_fence = q.integer(1);
      }
    }
    const auto outcome = store_rules::check_run_write(stored_status, stored_fence, run.fence);
    if (outcome != WriteOutcome::kOk) return outcome;
    auto q = query(kRuns.replace);
    bind_fields(q, kRuns.fields, run);
    q.step();
    return WriteOutcome::kOk;
  });
}

Page<RunRecord> SqliteStore::runs_of_migration(const std::string& id, int limit, const std::string& cursor) {
  store_rules::check_limit(limit);
  const auto after = cursor.empty() ? std::nullopt : std::optional(store_rules::decode_cursor(cursor));
  return transact(Mode::kRead, [&] {
    auto q = query(
        sql({kRuns.select, " WHERE migration_id = ?1", after ? " AND (started_at, run_id) < (?3, ?4)" : "",
             " ORDER BY started_at DESC, run_id DESC LIMIT ?2"}));
    q.text(1, id).integer(2, std::int64_t{limit} + 1);
    if (after) q.integer(3, after->started_at).text(4, after->key);
    return collect_page<RunRecord>(
        q, limit, [&](const Query& row) { return record_from(row, kRuns); },
        [](const RunRecord& r) { return r.run_id; });
  });
}

std::vector<RunRecord> SqliteStore::runs_of_execution(const std::string& execution_id) {
  return transact(Mode::kRead, [&] {
    std::vector<RunRecord> runs;
    auto q = query(kRuns.select + " WHERE execution_id = ?1 ORDER BY started_at, migration_id, run_id");
    q.text(1, execution_id);
    while (q.step()) runs.push_back(record_from(q, kRuns));
    return runs;
  });
}

// ---- Executions ------------------------------------------------------------------------------

WriteOutcome SqliteStore::put_execution(const ExecutionRecord& execution) {
  return transact(Mode::kWrite, [&] {
    std::optional<std::int64_t> stored_fence;
    {
      auto q = query("SELECT fence FROM executions WHERE execution_id = ?1");
      q.text(1, execution.execution_id);
      if (q.step()) stored_fence = q.integer(0);
    }
    const auto outcome = store_rules::check_fenced_write(stored_fence, execution.fence);
    if (outcome != WriteOutcome::kOk) return outcome;
    auto q = query(kExecutions.replace);
    bind_fields(q, kExecutions.fields, execution);
    q.step();
    return WriteOutcome::kOk;
  });
}

std::optional<ExecutionRecord> SqliteStore::get_execution(const std::string& execution_id) {
  return transact(Mode::kRead, [&] { return load_execution(execution_id); });
}

Page<ExecutionRecord> SqliteStore::list_executions(int limit, const std::string& cursor) {
  store_rules::check_limit(limit);
  const auto after = cursor.empty() ? std::nullopt : std::optional(store_rules::decode_cursor(cursor));
  return transact(Mode::kRead, [&] {
    auto q = query(sql({kExecutions.select, after ? " WHERE (started_at, execution_id) < (?2, ?3)" : "",
                        " ORDER BY started_at DESC, execution_id DESC LIMIT ?1"}));
    q.integer(1, std::int64_t{limit} + 1);
    if (after) q.integer(2, after->started_at).text(3, after->key);
    return collect_page<ExecutionRecord>(
        q, limit, [&](const Query& row) { return record_from(row, kExecutions); },
        [](const ExecutionRecord& e) { return e.execution_id; });
  });
}

WriteOutcome SqliteStore::advance_hop(const std::string& execution_id, int from, int to) {
  return transact(Mode::kWrite, [&] {
    auto q = query("UPDATE executions SET hop = ?1 WHERE execution_id = ?2 AND hop = ?3");
    q.integer(1, to).text(2, execution_id).integer(3, from);
    q.step();
    return sqlite3_changes(db_) == 1 ? WriteOutcome::kOk : WriteOutcome::kConflict;
  });
}

std::vector<std::size_t> SqliteStore::count_runs_of_executions(
    const std::vector<std::string>& execution_ids) {
  if (execution_ids.empty()) return {};
  // One statement for any number of ids: they travel as one JSON array.
  return transact(Mode::kRead, [&] {
    std::unordered_map<std::string, std::size_t> by_id;
    auto q = query(
        "SELECT execution_id, count(*) FROM runs "
        "WHERE execution_id IN (SELECT value FROM json_each(?1)) GROUP BY execution_id");
    q.text(1, record_json::dump(Json(execution_ids)));
    while (q.step()) by_id.emplace(q.text(0), static_cast<std::size_t>(q.integer(1)));
    std::vector<std::size_t> counts;
    counts.reserve(execution_ids.size());
    for (const auto& id : execution_ids) {
      const auto it = by_id.find(id);
      counts.push_back(it == by_id.end() ? 0 : it->second);
    }
    return counts;
  });
}

std::optional<std::uint64_t> SqliteStore::data_version() {
  // PRAGMA data_version changes only for commits of other connections (this file's other
  // handles and processes); this connection's own commits count in commit().
  return transact(Mode::kRead, [&] {
    const std::int64_t seen = pragma_integer("data_version");
    if (seen != seen_data_version_) {
      seen_data_version_ = seen;
      ++version_;
    }
    return version_;
  });
}

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path, const SqliteStoreOptions& options) {
  return std::make_unique<SqliteStore>(path, options);
}

SqliteStoreLocation parse_sqlite_store_location(const std::string& path) {
  if (path.empty()) {
    throw std::invalid_argument(
        "store URL 'sqlite:' has no path: expected sqlite:PATH, e.g. sqlite:.auric/migrations.db");
  }
  SqliteStoreLocation out;
  out.path = path;
  if (const auto q = path.find('?'); q != std::string::npos) {
    out.path = path.substr(0, q);
    const std::string query = path.substr(q + 1);
    if (query == "sync=full") {
      out.sync = SqliteStoreOptions::Sync::kFull;
    } else if (query != "sync=normal") {
      throw std::invalid_argument("store URL 'sqlite:" + path + "': unknown option '" + query +
                                  "' (supported: ?sync=normal or ?sync=full)");
    }
  }
  if (out.path.empty()) {
    throw std::invalid_argument("store URL 'sqlite:" + path +
                                "' has no path: expected sqlite:PATH, e.g. sqlite:.auric/migrations.db");
  }
  if (out.path.find('\0') != std::string::npos) {
    throw std::invalid_argument("store URL 'sqlite:" + path.substr(0, path.find('\0')) +
                                "...': the path holds a NUL byte");
  }
  return out;
}

namespace detail {
void register_sqlite_store() {
  register_store_scheme("sqlite", [](const std::string& location) -> std::unique_ptr<Store> {
    const SqliteStoreLocation parsed = parse_sqlite_store_location(location);
    SqliteStoreOptions options;
    options.sync = parsed.sync;
    return open_sqlite_store(parsed.path, options);
  });
}
}  // namespace detail

}  // namespace auric
