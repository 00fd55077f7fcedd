#include "store/sqlite_segment_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace auric {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

// SQLITE_BUSY / SQLITE_LOCKED: the transaction is rolled back and retried.
struct Busy {};

// Every column of a segment row, in the order record_of reads them.
constexpr const char* kSelect =
    "SELECT migration_id, job_id, segment, total_segments, state, owner, fence, lease_expires_at, "
    "cursor, scanned, written, skipped, failed, read_units, write_units, errors, updated_at "
    "FROM backfill_segments";

std::string errors_text(const std::vector<SegmentError>& errors) {
  json out = json::array();
  for (const auto& e : errors) out.push_back({{"key", e.key}, {"message", e.message}});
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

class SqliteSegmentStore;

// A cached prepared statement borrowed for one use; the destructor resets it.
class Statement {
 public:
  Statement(const SqliteSegmentStore& store, sqlite3_stmt* stmt) : store_(store), stmt_(stmt) {}
  ~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& text(int index, std::string_view value);
  Statement& integer(int index, std::int64_t value);
  Statement& real(int index, double value);
  bool step();  // true: a row; false: done. Throws Busy or StoreError.

  std::string text(int column) const {
    const auto* data = sqlite3_column_text(stmt_, column);
    if (data == nullptr) return {};
    return {reinterpret_cast<const char*>(data),
            static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const { return sqlite3_column_double(stmt_, column); }

 private:
  const SqliteSegmentStore& store_;
  sqlite3_stmt* stmt_;
};

class SqliteSegmentStore final : public SegmentStore {
 public:
  SqliteSegmentStore(std::string path, const SqliteStoreOptions& options)
      : path_(std::move(path)), options_(options) {
    const int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      const std::string message = "sqlite store " + path_ + ": cannot open the file for backfill segments (" +
                                  (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)) + ")";
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw StoreError(message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, static_cast<int>(options_.busy_timeout.count()));
    const char* sync = options_.sync == SqliteStoreOptions::Sync::kFull  ? "PRAGMA synchronous=FULL"
                       : options_.sync == SqliteStoreOptions::Sync::kOff ? "PRAGMA synchronous=OFF"
                                                                         : "PRAGMA synchronous=NORMAL";
    sqlite3_exec(db_, sync, nullptr, nullptr, nullptr);
  }
  ~SqliteSegmentStore() override {
    for (auto& entry : statements_) sqlite3_finalize(entry.second);
    sqlite3_close_v2(db_);
  }
  SqliteSegmentStore(const SqliteSegmentStore&) = delete;
  SqliteSegmentStore& operator=(const SqliteSegmentStore&) = delete;

  std::vector<SegmentRecord> create_segments(const SegmentJob& job, int total_segments,
                                             std::int64_t now_ms) override {
    segment_rules::check_job(job);
    if (total_segments < 1) throw std::invalid_argument("a backfill job has at least one segment");
    return transact(true, [&] {
      auto existing = load(job);
      if (!existing.empty()) return existing;  // a resumed job keeps its first count
      for (int n = 0; n < total_segments; ++n) {
        const SegmentRecord r = segment_rules::pending(job, n, total_segments, now_ms);
        auto q = statement(
            "INSERT INTO backfill_segments (migration_id, job_id, segment, total_segments, state, owner, "
            "fence, "
            "lease_expires_at, cursor, scanned, written, skipped, failed, read_units, write_units, errors, "
            "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
            "?17)");
        q.text(1, r.migration_id).text(2, r.job_id).integer(3, r.segment).integer(4, r.total_segments);
        q.text(5, to_string(r.state)).text(6, r.owner).integer(7, r.fence).integer(8, r.lease_expires_at);
        bind_progress(q, 9, r);
        q.step();
      }
      return load(job);
    });
  }

  std::vector<SegmentRecord> list_segments(const SegmentJob& job) override {
    return transact(false, [&] { return load(job); });
  }

  std::optional<SegmentRecord> claim_segment(const SegmentClaim& claim) override {
    segment_rules::check_claim(claim);
    return transact(true, [&]() -> std::optional<SegmentRecord> {
      // segment_rules::may_claim as the WHERE clause, segment_rules::claimed as the SET.
      auto q = statement(
          "UPDATE backfill_segments SET owner = ?4, fence = fence + 1, lease_expires_at = ?5 + ?6, "
          "state = 'running', updated_at = ?5 "
          "WHERE migration_id = ?1 AND job_id = ?2 AND segment = ?3 AND state IN ('pending', 'running') "
          "AND (owner = '' OR lease_expires_at <= ?5 OR owner = ?4 OR (?7 AND owner = ?8 AND fence = ?9))");
      q.text(1, claim.job.migration_id).text(2, claim.job.job_id).integer(3, claim.segment);
      q.text(4, claim.owner).integer(5, claim.now_ms).integer(6, claim.ttl_ms);
      q.integer(7, claim.take_over_dead ? 1 : 0);
      q.text(8, claim.take_over_dead ? claim.take_over_dead->owner : std::string());
      q.integer(9, claim.take_over_dead ? claim.take_over_dead->fence : 0);
      q.step();
      if (sqlite3_changes(db_) != 1) return std::nullopt;
      return load_one(claim.job, claim.segment);
    });
  }

  WriteOutcome save_segment(const SegmentRecord& record, bool release) override {
    // The WHERE clause is segment_rules::holds, so the stored record's owner and fence are
    // record's: saved(record, ...) is what saved(stored, ...) would give.
    const SegmentRecord next = segment_rules::saved(record, record, release);
    return transact(true, [&] {
      auto q = statement(
          "UPDATE backfill_segments SET cursor = ?9, scanned = ?10, written = ?11, skipped = ?12, "
          "failed = ?13, read_units = ?14, write_units = ?15, errors = ?16, updated_at = ?17, "
          "state = ?6, owner = ?7, lease_expires_at = ?8 "
          "WHERE migration_id = ?1 AND job_id = ?2 AND segment = ?3 AND owner <> '' AND owner = ?4 "
          "AND fence = ?5");
      q.text(1, record.migration_id).text(2, record.job_id).integer(3, record.segment);
      q.text(4, record.owner).integer(5, record.fence);
      q.text(6, to_string(next.state)).text(7, next.owner).integer(8, next.lease_expires_at);
      bind_progress(q, 9, next);
      q.step();
      return sqlite3_changes(db_) == 1 ? WriteOutcome::kOk : WriteOutcome::kFenced;
    });
  }

  // Throws Busy for SQLITE_BUSY / SQLITE_LOCKED, StoreError for any other failure.
  void check(int rc) const {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    const int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw Busy{};
    fail(std::string(sqlite3_errmsg(db_)) + " (SQLite error " + std::to_string(rc) + ")");
  }
  [[noreturn]] void fail(const std::string& problem) const {
    throw StoreError("sqlite store " + path_ + ": backfill segments: " + problem);
  }

 private:
  // cursor, scanned, written, skipped, failed, read_units, write_units, errors, updated_at
  // bound from ?first on.
  static void bind_progress(Statement& q, int first, const SegmentRecord& r) {
    q.text(first, r.cursor)
        .integer(first + 1, r.counts.scanned)
        .integer(first + 2, r.counts.written)
        .integer(first + 3, r.counts.skipped)
        .integer(first + 4, r.counts.failed)
        .real(first + 5, r.counts.read_units)
        .real(first + 6, r.counts.write_units)
        .text(first + 7, errors_text(r.errors))
        .integer(first + 8, r.updated_at);
  }

  std::vector<SegmentRecord> load(const SegmentJob& job) {
    auto q = statement(std::string(kSelect) + " WHERE migration_id = ?1 AND job_id = ?2 ORDER BY segment");
    q.text(1, job.migration_id).text(2, job.job_id);
    std::vector<SegmentRecord> out;
    while (q.step()) out.push_back(record_of(q));
    return out;
  }

  std::optional<SegmentRecord> load_one(const SegmentJob& job, int segment) {
    auto q = statement(std::string(kSelect) + " WHERE migration_id = ?1 AND job_id = ?2 AND segment = ?3");
    q.text(1, job.migration_id).text(2, job.job_id).integer(3, segment);
    if (!q.step()) return std::nullopt;
    return record_of(q);
  }

  SegmentRecord record_of(const Statement& row) const {
    SegmentRecord r;
    r.migration_id = row.text(0);
    r.job_id = row.text(1);
    r.segment = static_cast<int>(row.integer(2));
    r.total_segments = static_cast<int>(row.integer(3));
    const auto state = parse_segment_state(row.text(4));
    if (!state) fail("unreadable row: state '" + row.text(4) + "' (was it written by a newer version?)");
    r.state = *state;
    r.owner = row.text(5);
    r.fence = row.integer(6);
    r.lease_expires_at = row.integer(7);
    r.cursor = row.text(8);
    r.counts.scanned = row.integer(9);
    r.counts.written = row.integer(10);
    r.counts.skipped = row.integer(11);
    r.counts.failed = row.integer(12);
    r.counts.read_units = row.real(13);
    r.counts.write_units = row.real(14);
    const auto errors = json::parse(row.text(15), nullptr, false);
    if (errors.is_array()) {
      for (const auto& e : errors) {
        if (e.is_object())
          r.errors.push_back({e.value("key", std::string()), e.value("message", std::string())});
      }
    }
    r.updated_at = row.integer(16);
    return r;
  }

  Statement statement(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      sqlite3_stmt* stmt = nullptr;
      const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        check(rc);
      }
      it = statements_.emplace(sql, stmt).first;
    }
    return {*this, it->second};
  }

  void exec(const char* sql) {
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    check(rc);
  }

  void rollback_if_open() noexcept {
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  // Runs `fn` as one transaction (BEGIN IMMEDIATE ... COMMIT when `write`, else the implicit
  // transaction of each statement), again on Busy until the busy timeout has passed.
  template <class Fn>
  auto transact(bool write, Fn&& fn) -> std::invoke_result_t<Fn&> {
    std::lock_guard guard(mutex_);
    const auto deadline = SteadyClock::now() + options_.busy_timeout;
    auto pause = std::chrono::milliseconds(1);
    for (;;) {
      try {
        if (write) exec("BEGIN IMMEDIATE");
        auto result = fn();
        if (write) exec("COMMIT");
        return result;
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

  std::string path_;
  SqliteStoreOptions options_;
  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

Statement& Statement::text(int index, std::string_view value) {
  store_.check(
      sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
  return *this;
}
Statement& Statement::integer(int index, std::int64_t value) {
  store_.check(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}
Statement& Statement::real(int index, double value) {
  store_.check(sqlite3_bind_double(stmt_, index, value));
  return *this;
}
bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  store_.check(rc);
  return false;
}

}  // namespace

std::unique_ptr<SegmentStore> open_sqlite_segment_store(const std::string& path,
                                                        const SqliteStoreOptions& options) {
  return std::make_unique<SqliteSegmentStore>(path, options);
}

}  // namespace auric
