// The SQLite backend: the conformance suite, plus what only a shared file promises:
// persistence, several processes, WAL, schema versions and one-line errors.
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/record_fields.hpp"
#include "core/segment_store.hpp"
#include "store/open_store.hpp"
#include "store/sqlite_store.hpp"
#include "store/store_conformance.hpp"
#include "store/test_paths.hpp"

namespace auric::store_testing {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr std::int64_t kNow = 1'700'000'000'000;

StoreHandleFactory new_sqlite_medium() {
  const auto path = (new_scratch_dir() / "conformance.db").string();
  return [path] { return open_sqlite_store(path); };
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
                         ::testing::Values(StoreBackend{"sqlite", new_sqlite_medium}), store_backend_name);

// ---- Helpers --------------------------------------------------------------------------------------

// The StoreError message of `open()` ("" if it did not throw one).
std::string store_error_of(const std::function<void()>& open) {
  try {
    open();
  } catch (const StoreError& error) {
    return error.what();
  }
  return "";
}

// A raw connection for poking at the file behind the store's back.
class RawDb {
 public:
  explicit RawDb(const fs::path& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("raw open");
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void exec(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    const std::string text = message != nullptr ? message : "";
    sqlite3_free(message);
    if (rc != SQLITE_OK) throw std::runtime_error(sql + ": " + text);
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    }
    std::string value;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return value;
  }
  // The first column of every row.
  std::vector<std::string> texts(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    }
    std::vector<std::string> values;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* value = sqlite3_column_text(stmt, 0);
      values.emplace_back(value != nullptr ? reinterpret_cast<const char*>(value) : "");
    }
    sqlite3_finalize(stmt);
    return values;
  }
  // The `detail` column of every row of EXPLAIN QUERY PLAN, joined with " / ".
  std::string plan(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    const std::string explain = "EXPLAIN QUERY PLAN " + sql;
    if (sqlite3_prepare_v2(db_, explain.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(explain + ": " + sqlite3_errmsg(db_));
    }
    std::string details;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      if (!details.empty()) details += " / ";
      details += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    }
    sqlite3_finalize(stmt);
    return details;
  }

 private:
  sqlite3* db_ = nullptr;
};

LockRequest lock_request(const std::string& owner, std::int64_t now_ms = kNow) {
  LockRequest request;
  request.owner = owner;
  request.execution_id = "exec-" + owner;
  request.who.user = "tester";
  request.who.pid = ::getpid();
  request.now_ms = now_ms;
  request.ttl_ms = 60'000;
  return request;
}

// Forks `count` processes that each run `body(index)` once all have started, and returns
// their exit codes. A child that throws exits with 100.
std::vector<int> run_processes(int count, const std::function<int(int)>& body) {
  int gate[2];
  if (::pipe(gate) != 0) throw std::runtime_error("pipe");
  std::vector<pid_t> children;
  for (int i = 0; i < count; ++i) {
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork");
    if (pid == 0) {
      ::close(gate[1]);
      char byte = 0;
      while (::read(gate[0], &byte, 1) > 0) {
      }  // returns 0 when the parent closes the gate
      int code = 100;
      try {
        code = body(i);
      } catch (const std::exception& error) {
        std::fprintf(stderr, "child %d: %s\n", i, error.what());
      }
      std::fflush(stderr);
      ::_exit(code);
    }
    children.push_back(pid);
  }
  ::close(gate[0]);
  ::close(gate[1]);  // go
  std::vector<int> codes;
  for (const pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 200);
  }
  return codes;
}

// ---- Persistence and the file -----------------------------------------------------------------

TEST(SqliteStore, EverythingSurvivesReopening) {
  const auto path = new_scratch_dir() / "persist.db";
  CurrentRun current;
  current.migration_id = "20250101000000_a";
  current.run_id = "run-1";
  current.progress = Json{{"step", 3}};
  {
    auto store = open_store("sqlite:" + path.string());
    ASSERT_TRUE(store->try_acquire_lock(lock_request("a")).acquired);
    ASSERT_EQ(store->set_current_run("a", 1, current, kNow + 60'000), WriteOutcome::kOk);
    MigrationState state;
    state.id = "20250101000000_a";
    state.progress = Json{{"cursor", "k9"}};
    state.fence = 1;
    ASSERT_EQ(store->put_state(state), WriteOutcome::kOk);
    RunRecord run;
    run.run_id = "run-0";
    run.id = state.id;
    run.execution_id = "exec-a";
    run.started_at = kNow;
    run.output = "out \xE2\x9C\x93\n";
    ASSERT_EQ(store->put_run(run), WriteOutcome::kOk);
    ExecutionRecord execution;
    execution.execution_id = "exec-a";
    execution.planned = {"20250101000000_a"};
    execution.started_at = kNow;
    execution.fence = 1;
    ASSERT_EQ(store->put_execution(execution), WriteOutcome::kOk);
  }
  auto store = open_store("sqlite:" + path.string());
  const auto lock = store->read_lock();
  ASSERT_TRUE(lock.has_value());
  EXPECT_EQ(lock->owner, "a");
  EXPECT_EQ(lock->fence, 1);
  ASSERT_TRUE(lock->current.has_value());
  EXPECT_EQ(lock->current->progress, (Json{{"step", 3}}));
  ASSERT_EQ(store->list_states().size(), 1u);
  EXPECT_EQ(store->list_states()[0].progress, (Json{{"cursor", "k9"}}));
  const auto runs = store->runs_of_migration("20250101000000_a", 10, "");
  ASSERT_EQ(runs.items.size(), 1u);
  EXPECT_EQ(runs.items[0].output, "out \xE2\x9C\x93\n");
  ASSERT_TRUE(store->get_execution("exec-a").has_value());
  EXPECT_THAT(store->get_execution("exec-a")->planned, ::testing::ElementsAre("20250101000000_a"));
  // The fence continues from the file, not from zero.
  const auto next = store->try_acquire_lock(lock_request("b", kNow + 120'000));
  ASSERT_TRUE(next.acquired);
  EXPECT_EQ(next.fence, 2);
}

TEST(SqliteStore, InitSaysWhetherItCreatedTheFileOrFoundIt) {
  const auto path = new_scratch_dir() / "init.db";
  {
    auto store = open_sqlite_store(path.string());
    EXPECT_EQ(store->init(), InitOutcome::kCreated) << "opening this handle created the schema";
    EXPECT_EQ(store->init(), InitOutcome::kFound);
  }
  auto again = open_sqlite_store(path.string());
  EXPECT_EQ(again->init(), InitOutcome::kFound) << "a second handle finds the file";
}

TEST(SqliteStore, FileIsInWalModeWithTheSchemaVersion) {
  const auto path = new_scratch_dir() / "wal.db";
  auto store = open_sqlite_store(path.string());
  RawDb raw(path);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.text("PRAGMA user_version"), std::to_string(kSqliteSchemaVersion));
  EXPECT_EQ(raw.text("PRAGMA application_id"), std::to_string(kSqliteApplicationId));
  EXPECT_EQ(raw.text("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master "
                     "WHERE type = 'table' ORDER BY name)"),
            "backfill_segments,executions,lock,runs,states");
  EXPECT_EQ(store->describe(), "sqlite:" + path.string());
}

TEST(SqliteStore, StatusQueriesUseIndexesNotScansOfHistory) {
  const auto path = new_scratch_dir() / "plan.db";
  auto store = open_sqlite_store(path.string());
  RawDb raw(path);
  const auto plan = [&](const std::string& sql) { return raw.plan(sql); };
  // The same statements as sqlite_store.cpp: keyset pages walk an index in order.
  EXPECT_THAT(plan("SELECT * FROM runs WHERE migration_id = 'm' AND (started_at, run_id) < (5, 'r') "
                   "ORDER BY started_at DESC, run_id DESC LIMIT 11"),
              AllOf(HasSubstr("runs_by_migration"), ::testing::Not(HasSubstr("TEMP B-TREE"))));
  EXPECT_THAT(plan("SELECT * FROM runs WHERE execution_id = 'e' "
                   "ORDER BY started_at, migration_id, run_id"),
              AllOf(HasSubstr("runs_by_execution"), ::testing::Not(HasSubstr("TEMP B-TREE"))));
  EXPECT_THAT(plan("SELECT * FROM executions WHERE (started_at, execution_id) < (5, 'e') "
                   "ORDER BY started_at DESC, execution_id DESC LIMIT 11"),
              AllOf(HasSubstr("executions_by_start"), ::testing::Not(HasSubstr("TEMP B-TREE"))));
  EXPECT_THAT(plan("SELECT * FROM states ORDER BY id"), ::testing::Not(HasSubstr("TEMP B-TREE")));
  // count_runs_of_executions: one search of the index per id, never a scan of the runs.
  EXPECT_THAT(
      plan("SELECT execution_id, count(*) FROM runs "
           "WHERE execution_id IN (SELECT value FROM json_each('[\"a\",\"b\"]')) GROUP BY execution_id"),
      AllOf(HasSubstr("SEARCH runs USING COVERING INDEX runs_by_execution"),
            ::testing::Not(HasSubstr("SCAN runs"))));
}

TEST(SqliteStore, VersionOneFileIsUpgradedKeepingItsStates) {
  const auto path = new_scratch_dir() / "v1.db";
  open_sqlite_store(path.string());
  {
    // Turn the file into what version 1 wrote: no states.output_truncated, user_version 1.
    RawDb raw(path);
    raw.exec("ALTER TABLE states DROP COLUMN output_truncated");
    raw.exec(
        "INSERT INTO states (id, status, direction, applied, checksum, last_run_id, last_execution_id, "
        "started_at, completed_at, duration_ms, applied_at, applied_fence, error, progress, fence) VALUES "
        "('20250101000000_a', 'completed', 'up', 1, 'c', 'r1', 'e1', 5, 6, 1, 6, 1, '', 'null', 1)");
    raw.exec("PRAGMA user_version = 1");
  }
  auto store = open_sqlite_store(path.string());
  RawDb raw(path);
  EXPECT_EQ(raw.text("PRAGMA user_version"), std::to_string(kSqliteSchemaVersion));
  EXPECT_EQ(raw.text("SELECT count(*) FROM pragma_table_info('states') WHERE name = 'output_truncated'"),
            "1");
  const auto kept = store->get_state("20250101000000_a");
  ASSERT_TRUE(kept.has_value());
  EXPECT_TRUE(kept->applied);
  EXPECT_FALSE(kept->output_truncated) << "states written by version 1 read as not truncated";

  MigrationState truncated = *kept;
  truncated.output_truncated = true;
  truncated.fence = 2;
  ASSERT_EQ(store->put_state(truncated), WriteOutcome::kOk);
  EXPECT_TRUE(open_sqlite_store(path.string())->get_state("20250101000000_a")->output_truncated);
}

// The schema of version 2 exactly as the previous release created it (src/store/sqlite_store.cpp
// at that release), to build the files a user upgrading has.
constexpr const char* kVersion2Schema = R"sql(
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
  error_truncated        INTEGER NOT NULL
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
  fence         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS executions_by_start
  ON executions (started_at DESC, execution_id DESC);
)sql";

// "name:type:notnull:default,..." of a table's columns, in order.
std::string columns_of(RawDb& raw, const std::string& table) {
  return raw.text(
      "SELECT group_concat(name || ':' || type || ':' || \"notnull\" || ':' || ifnull(dflt_value, ''), "
      "',') FROM pragma_table_info('" +
      table + "')");
}

// The column names of a table, sorted, and the stored names of a field table, sorted.
std::vector<std::string> column_names(RawDb& raw, const std::string& table) {
  return raw.texts("SELECT name FROM pragma_table_info('" + table + "') ORDER BY name");
}

template <class Fields>
std::vector<std::string> stored_names(const Fields& fields, std::vector<std::string> extra = {}) {
  record_fields::for_each_field(fields, [&](const auto& f) { extra.emplace_back(f.store); });
  std::sort(extra.begin(), extra.end());
  return extra;
}

TEST(SqliteStore, EveryTableHasExactlyTheColumnsOfItsFieldTable) {
  const auto path = new_scratch_dir() / "columns.db";
  auto store = open_sqlite_store(path.string());
  RawDb raw(path);
  EXPECT_EQ(column_names(raw, "states"), stored_names(record_fields::kStateFields));
  EXPECT_EQ(column_names(raw, "runs"), stored_names(record_fields::kRunFields));
  EXPECT_EQ(column_names(raw, "executions"), stored_names(record_fields::kExecutionFields));
  EXPECT_EQ(column_names(raw, "lock"), stored_names(record_fields::kLockFields, {"id", "current_run"}));
}

TEST(SqliteStore, VersionTwoFileIsUpgradedInPlaceKeepingEverything) {
  const auto path = new_scratch_dir() / "v2.db";
  const std::string who_v2 =
      R"({"aws_principal":"arn:p","ecs_task_arn":"","host":"box","lambda_request_id":"","pid":4242,"user":"ann"})";
  {
    // What the previous release made: its DDL, its version, and rows as it wrote them (who
    // without boot_id, runs without fence and updated_at).
    RawDb raw(path);
    raw.exec("PRAGMA journal_mode=WAL");
    raw.exec(kVersion2Schema);
    raw.exec("PRAGMA application_id = " + std::to_string(kSqliteApplicationId));
    raw.exec("PRAGMA user_version = 2");
    raw.exec(
        "INSERT INTO lock (id, owner, fence, acquired_at, expires_at, heartbeat_at, execution_id, who, "
        "current_run) VALUES (1, '', 7, 100, 0, 150, 'exec-old', '" +
        who_v2 +
        "', '{\"direction\":\"up\",\"execution_id\":\"exec-old\",\"hop\":0,\"migration_id\":\"m2\","
        "\"progress\":{\"next\":3},\"run_id\":\"run-crashed\",\"started_at\":120}')");
    raw.exec(
        "INSERT INTO states (id, status, direction, applied, checksum, last_run_id, last_execution_id, "
        "started_at, completed_at, duration_ms, applied_at, applied_fence, error, progress, fence, "
        "output_truncated) VALUES ('m1', 'completed', 'up', 1, 'sha', 'run-old', 'exec-old', 100, 110, 10, "
        "110, 7, '', 'null', 7, 1)");
    raw.exec(
        "INSERT INTO runs (run_id, migration_id, name, status, direction, execution_id, started_at, "
        "completed_at, duration_ms, description, output, output_truncated, result, error, checksum, hop, "
        "who, description_truncated, result_truncated, error_truncated) VALUES ('run-old', 'm1', 'first', "
        "'completed', 'up', 'exec-old', 100, 110, 10, 'desc', 'line 1\nline 2\n', 0, '{\"rows\":2}', '', "
        "'sha', 0, '" +
        who_v2 + "', 0, 0, 0)");
    raw.exec(
        "INSERT INTO executions (execution_id, direction, target, status, who, started_at, completed_at, "
        "hop, planned, finished, error, fence) VALUES ('exec-old', 'up', '', 'interrupted', '" +
        who_v2 + "', 100, NULL, 0, '[\"m1\",\"m2\"]', '[\"m1\"]', 'killed', 7)");
  }

  auto store = open_sqlite_store(path.string());
  {
    RawDb raw(path);
    EXPECT_EQ(raw.text("PRAGMA user_version"), std::to_string(kSqliteSchemaVersion));
    const auto fresh_path = new_scratch_dir() / "fresh.db";
    open_sqlite_store(fresh_path.string());
    RawDb fresh(fresh_path);
    for (const char* table : {"lock", "states", "runs", "executions", "backfill_segments"}) {
      EXPECT_EQ(columns_of(raw, table), columns_of(fresh, table))
          << "an upgraded " << table << " is the same as a new one";
    }
  }

  // Everything the previous release wrote reads back; the new fields read as 0.
  const auto lock = store->read_lock();
  ASSERT_TRUE(lock.has_value());
  EXPECT_EQ(lock->fence, 7);
  EXPECT_EQ(lock->who.user, "ann");
  EXPECT_EQ(lock->who.boot_id, "");
  ASSERT_TRUE(lock->current.has_value());
  EXPECT_EQ(lock->current->run_id, "run-crashed");
  EXPECT_EQ(lock->current->progress, (Json{{"next", 3}}));
  const auto state = store->get_state("m1");
  ASSERT_TRUE(state.has_value());
  EXPECT_TRUE(state->applied);
  EXPECT_TRUE(state->output_truncated);
  EXPECT_EQ(state->applied_fence, 7);
  const auto runs = store->runs_of_migration("m1", 10, "");
  ASSERT_EQ(runs.items.size(), 1u);
  const RunRecord& old = runs.items[0];
  EXPECT_EQ(old.name, "first");
  EXPECT_EQ(old.status, RunStatus::kCompleted);
  EXPECT_EQ(old.output, "line 1\nline 2\n");
  EXPECT_EQ(old.result, (Json{{"rows", 2}}));
  EXPECT_EQ(old.duration_ms, 10);
  EXPECT_EQ(old.who.pid, 4242);
  EXPECT_EQ(old.fence, 0);
  EXPECT_EQ(old.updated_at, 0);
  const auto execution = store->get_execution("exec-old");
  ASSERT_TRUE(execution.has_value());
  EXPECT_EQ(execution->status, ExecutionStatus::kInterrupted);
  EXPECT_THAT(execution->planned, ::testing::ElementsAre("m1", "m2"));
  EXPECT_EQ(execution->error, "killed");

  // An old final run is still never overwritten; new records use the new columns.
  RunRecord again = old;
  again.status = RunStatus::kInterrupted;
  again.fence = 8;
  EXPECT_EQ(store->put_run(again), WriteOutcome::kConflict);
  RunRecord running;
  running.run_id = "run-new";
  running.id = "m2";
  running.execution_id = "exec-new";
  running.started_at = 200;
  running.output = "so far\n";
  running.fence = 8;
  running.updated_at = 202;
  running.who.boot_id = "boot-1";
  ASSERT_EQ(store->put_run(running), WriteOutcome::kOk);
  running.status = RunStatus::kSuspended;
  running.output += "then stopped\n";
  running.updated_at = 205;
  ASSERT_EQ(store->put_run(running), WriteOutcome::kOk);
  const auto reopened = open_sqlite_store(path.string());
  const auto got = reopened->runs_of_migration("m2", 10, "").items;
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status, RunStatus::kSuspended);
  EXPECT_EQ(got[0].output, "so far\nthen stopped\n");
  EXPECT_EQ(got[0].fence, 8);
  EXPECT_EQ(got[0].updated_at, 205);
  EXPECT_EQ(got[0].who.boot_id, "boot-1");
  EXPECT_EQ(reopened->runs_of_migration("m1", 10, "").items.at(0).fence, 0);
}

// Version 3 as the previous release created it: version 2 plus runs.fence and runs.updated_at.
constexpr const char* kVersion3Additions = R"sql(
ALTER TABLE runs ADD COLUMN fence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
)sql";

TEST(SqliteStore, VersionThreeFileIsUpgradedInPlaceAndItsRecordsReadAsNormalRuns) {
  const auto path = new_scratch_dir() / "v3.db";
  const std::string who = R"({"host":"box","pid":1,"user":"ann"})";
  {
    RawDb raw(path);
    raw.exec("PRAGMA journal_mode=WAL");
    raw.exec(kVersion2Schema);
    raw.exec(kVersion3Additions);
    raw.exec("PRAGMA application_id = " + std::to_string(kSqliteApplicationId));
    raw.exec("PRAGMA user_version = 3");
    raw.exec(
        "INSERT INTO runs (run_id, migration_id, name, status, direction, execution_id, started_at, "
        "completed_at, duration_ms, description, output, output_truncated, result, error, checksum, hop, "
        "who, description_truncated, result_truncated, error_truncated, fence, updated_at) VALUES "
        "('run-v3', 'm1', 'first', 'completed', 'up', 'exec-v3', 100, 110, 10, '', 'ok\n', 0, 'null', '', "
        "'sha', 0, '" +
        who + "', 0, 0, 0, 5, 110)");
    raw.exec(
        "INSERT INTO executions (execution_id, direction, target, status, who, started_at, completed_at, "
        "hop, planned, finished, error, fence) VALUES ('exec-v3', 'up', '', 'completed', '" +
        who + "', 100, 110, 0, '[\"m1\"]', '[\"m1\"]', '', 5)");
  }

  auto store = open_sqlite_store(path.string());
  {
    RawDb raw(path);
    EXPECT_EQ(raw.text("PRAGMA user_version"), std::to_string(kSqliteSchemaVersion));
    const auto fresh_path = new_scratch_dir() / "fresh.db";
    open_sqlite_store(fresh_path.string());
    RawDb fresh(fresh_path);
    for (const char* table : {"lock", "states", "runs", "executions", "backfill_segments"}) {
      EXPECT_EQ(columns_of(raw, table), columns_of(fresh, table))
          << "an upgraded " << table << " is the same as a new one";
    }
  }
  // What version 3 wrote reads back as a normal run with no reason.
  const auto old = store->runs_of_migration("m1", 10, "").items;
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].kind, RunKind::kRun);
  EXPECT_EQ(old[0].reason, "");
  EXPECT_EQ(old[0].fence, 5);
  EXPECT_EQ(old[0].output, "ok\n");
  const auto execution = store->get_execution("exec-v3");
  ASSERT_TRUE(execution.has_value());
  EXPECT_EQ(execution->kind, RunKind::kRun);
  EXPECT_EQ(execution->status, ExecutionStatus::kCompleted);

  // New records keep the new fields.
  RunRecord manual;
  manual.run_id = "run-manual";
  manual.id = "m2";
  manual.execution_id = "exec-manual";
  manual.status = RunStatus::kCompleted;
  manual.started_at = 200;
  manual.kind = RunKind::kManual;
  manual.reason = "adopting the legacy database";
  ASSERT_EQ(store->put_run(manual), WriteOutcome::kOk);
  const auto reopened = open_sqlite_store(path.string());
  const auto got = reopened->runs_of_migration("m2", 10, "").items;
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, RunKind::kManual);
  EXPECT_EQ(got[0].reason, "adopting the legacy database");
}

TEST(SqliteStore, VersionSixFileIsUpgradedInPlaceAndGetsTheBackfillSegmentsTable) {
  const auto path = new_scratch_dir() / "v6.db";
  {
    // What version 6 made: today's schema without backfill_segments, at user_version 6.
    auto store = open_sqlite_store(path.string());
    MigrationState state;
    state.id = "m1";
    state.applied = true;
    state.fence = 3;
    ASSERT_EQ(store->put_state(state), WriteOutcome::kOk);
    store.reset();
    RawDb raw(path);
    raw.exec("DROP TABLE backfill_segments");
    raw.exec("PRAGMA user_version = 6");
    ASSERT_EQ(raw.text("SELECT count(*) FROM sqlite_master WHERE name = 'backfill_segments'"), "0");
  }

  auto store = open_sqlite_store(path.string());
  {
    RawDb raw(path);
    EXPECT_EQ(raw.text("PRAGMA user_version"), "7");
    EXPECT_EQ(raw.text("SELECT count(*) FROM sqlite_master WHERE name = 'backfill_segments'"), "1");
    const auto fresh_path = new_scratch_dir() / "fresh.db";
    open_sqlite_store(fresh_path.string());
    RawDb fresh(fresh_path);
    EXPECT_EQ(columns_of(raw, "backfill_segments"), columns_of(fresh, "backfill_segments"));
  }
  const auto kept = store->get_state("m1");
  ASSERT_TRUE(kept.has_value());
  EXPECT_TRUE(kept->applied);
  EXPECT_EQ(kept->fence, 3);

  ASSERT_NE(store->segments(), nullptr);
  const SegmentJob job{"m1", "job-1"};
  EXPECT_EQ(store->segments()->create_segments(job, 3, kNow).size(), 3u);
  EXPECT_EQ(open_sqlite_store(path.string())->segments()->list_segments(job).size(), 3u);
}

TEST(SqliteStore, ParentFoldersAreCreated) {
  const auto path = new_scratch_dir() / "a" / "b" / "c" / "store.db";
  auto store = open_sqlite_store(path.string());
  EXPECT_TRUE(fs::is_regular_file(path));
}

// ---- Errors: one line naming the path and what to do -------------------------------------------

TEST(SqliteStore, NotADatabaseFileIsRefused) {
  const auto path = new_scratch_dir() / "notes.txt";
  {
    std::ofstream out(path);
    for (int i = 0; i < 200; ++i) out << "these are my notes, not a database\n";
  }
  const auto message = store_error_of([&] { open_sqlite_store(path.string()); });
  EXPECT_EQ(message,
            "sqlite store " + path.string() + ": file is not a database (was it created by another tool?)");
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(SqliteStore, UnwritableLocationIsRefused) {
  const auto dir = new_scratch_dir();
  { std::ofstream(dir / "plain-file") << "x"; }
  const auto path = dir / "plain-file" / "sub" / "store.db";
  const auto message = store_error_of([&] { open_sqlite_store(path.string()); });
  EXPECT_THAT(message, AllOf(HasSubstr("sqlite store " + path.string()), HasSubstr("cannot create folder"),
                             HasSubstr("writable")));
  EXPECT_EQ(message.find('\n'), std::string::npos);

  const auto folder_message = store_error_of([&] { open_sqlite_store(dir.string()); });
  EXPECT_THAT(folder_message,
              AllOf(HasSubstr("sqlite store " + dir.string()), HasSubstr("is a folder, not a file")));
}

TEST(SqliteStore, FileFromANewerVersionIsRefused) {
  const auto path = new_scratch_dir() / "newer.db";
  open_sqlite_store(path.string());
  RawDb(path).exec("PRAGMA user_version = " + std::to_string(kSqliteSchemaVersion + 1));
  const auto message = store_error_of([&] { open_sqlite_store(path.string()); });
  EXPECT_THAT(message, AllOf(HasSubstr("sqlite store " + path.string()),
                             HasSubstr("schema version " + std::to_string(kSqliteSchemaVersion + 1)),
                             HasSubstr("newer version"), HasSubstr("upgrade auric-migrations")));
}

TEST(SqliteStore, DatabaseOfAnotherToolIsRefused) {
  const auto dir = new_scratch_dir();
  const auto foreign_tables = dir / "foreign.db";
  RawDb(foreign_tables).exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
  EXPECT_THAT(store_error_of([&] { open_sqlite_store(foreign_tables.string()); }),
              AllOf(HasSubstr("sqlite store " + foreign_tables.string()), HasSubstr("'customers'"),
                    HasSubstr("another tool")));
  EXPECT_EQ(RawDb(foreign_tables).text("SELECT count(*) FROM sqlite_master WHERE name = 'runs'"), "0")
      << "nothing was added to the foreign file";

  const auto foreign_app = dir / "app.db";
  RawDb(foreign_app).exec("PRAGMA application_id = 1234");
  EXPECT_THAT(store_error_of([&] { open_sqlite_store(foreign_app.string()); }),
              HasSubstr("belongs to another application"));
}

TEST(SqliteStore, DatabaseLockedBeyondTheTimeoutIsAStoreError) {
  const auto path = new_scratch_dir() / "busy.db";
  SqliteStoreOptions options;
  options.busy_timeout = std::chrono::milliseconds(300);
  auto store = open_sqlite_store(path.string(), options);
  RawDb raw(path);
  raw.exec("BEGIN IMMEDIATE");

  const auto start = std::chrono::steady_clock::now();
  const auto message = store_error_of([&] { store->try_acquire_lock(lock_request("a")); });
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(message,
              AllOf(HasSubstr("sqlite store " + path.string()), HasSubstr("locked"), HasSubstr("300 ms")));
  EXPECT_GE(waited, std::chrono::milliseconds(300));
  EXPECT_LT(waited, std::chrono::seconds(5));
  EXPECT_FALSE(store->read_lock().has_value()) << "readers are not blocked by a writer in WAL";

  raw.exec("COMMIT");
  EXPECT_TRUE(store->try_acquire_lock(lock_request("a")).acquired) << "usable again";
}

TEST(SqliteStore, WriteWaitsForAShortTransactionOfAnotherConnection) {
  const auto path = new_scratch_dir() / "wait.db";
  auto store = open_sqlite_store(path.string());
  RawDb raw(path);
  raw.exec("BEGIN IMMEDIATE");
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    raw.exec("COMMIT");
  });
  EXPECT_TRUE(store->try_acquire_lock(lock_request("a")).acquired);
  releaser.join();
}

// ---- Several processes on one file ------------------------------------------------------------------

TEST(SqliteStore, ProcessesRacingForTheLockHaveExactlyOneWinner) {
  const auto path = (new_scratch_dir() / "race.db").string();
  open_sqlite_store(path);  // create the file first; the next test races on creation
  const auto codes = run_processes(8, [&](int i) {
    auto store = open_sqlite_store(path);
    return store->try_acquire_lock(lock_request("process-" + std::to_string(i))).acquired ? 0 : 1;
  });
  EXPECT_EQ(std::count(codes.begin(), codes.end(), 0), 1);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), 1), 7);
  const auto lock = open_sqlite_store(path)->read_lock();
  ASSERT_TRUE(lock.has_value());
  EXPECT_EQ(lock->fence, 1);
}

TEST(SqliteStore, ProcessesCreatingOneNewFileAllSucceed) {
  const auto path = (new_scratch_dir() / "new.db").string();
  const auto codes = run_processes(6, [&](int i) {
    auto store = open_sqlite_store(path);
    MigrationState state;
    state.id = "m" + std::to_string(i);
    return store->put_state(state) == WriteOutcome::kOk ? 0 : 1;
  });
  EXPECT_THAT(codes, ::testing::Each(0));
  EXPECT_EQ(open_sqlite_store(path)->list_states().size(), 6u);
}

TEST(SqliteStore, ProcessesRacingToAdvanceAHopHaveExactlyOneWinner) {
  const auto path = (new_scratch_dir() / "hop.db").string();
  {
    ExecutionRecord execution;
    execution.execution_id = "e1";
    execution.hop = 3;
    ASSERT_EQ(open_sqlite_store(path)->put_execution(execution), WriteOutcome::kOk);
  }
  const auto codes = run_processes(
      8, [&](int) { return open_sqlite_store(path)->advance_hop("e1", 3, 4) == WriteOutcome::kOk ? 0 : 1; });
  EXPECT_EQ(std::count(codes.begin(), codes.end(), 0), 1);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), 1), 7);
  EXPECT_EQ(open_sqlite_store(path)->get_execution("e1")->hop, 4);
}

TEST(SqliteStore, ProcessesWritingConcurrentlyLoseNothing) {
  const auto path = (new_scratch_dir() / "writers.db").string();
  open_sqlite_store(path);
  constexpr int kProcesses = 4;
  constexpr int kRuns = 40;
  const auto codes = run_processes(kProcesses, [&](int p) {
    auto store = open_sqlite_store(path);
    for (int i = 0; i < kRuns; ++i) {
      RunRecord run;
      run.run_id = "p" + std::to_string(p) + "-" + std::to_string(i);
      run.id = "m" + std::to_string(p);
      run.execution_id = "shared";
      run.started_at = kNow + i;
      if (store->put_run(run) != WriteOutcome::kOk) return 1;
      MigrationState state;
      state.id = "shared";
      state.fence = i;
      if (store->put_state(state) == WriteOutcome::kConflict) return 2;
    }
    return 0;
  });
  EXPECT_THAT(codes, ::testing::Each(0));
  auto store = open_sqlite_store(path);
  EXPECT_EQ(store->runs_of_execution("shared").size(), static_cast<std::size_t>(kProcesses * kRuns));
  EXPECT_EQ(store->get_state("shared")->fence, kRuns - 1);
}

TEST(SqliteStore, ALeaseTakenOverByAnotherProcessFencesTheOldHolder) {
  const auto path = (new_scratch_dir() / "fence.db").string();
  // The old holder is its owner and fence; its connection is closed across fork() (SQLite
  // connections must not be carried into a child) and opened again afterwards.
  auto holder = open_sqlite_store(path);
  ASSERT_TRUE(holder->try_acquire_lock(lock_request("old", kNow)).acquired);
  MigrationState state;
  state.id = "m1";
  state.fence = 1;
  ASSERT_EQ(holder->put_state(state), WriteOutcome::kOk);
  holder.reset();

  const auto codes = run_processes(1, [&](int) {
    auto store = open_sqlite_store(path);
    const auto attempt = store->try_acquire_lock(lock_request("new", kNow + 120'000));
    if (!attempt.acquired || attempt.fence != 2) return 1;
    MigrationState newer;
    newer.id = "m1";
    newer.fence = 2;
    return store->put_state(newer) == WriteOutcome::kOk ? 0 : 2;
  });
  ASSERT_THAT(codes, ::testing::ElementsAre(0));
  holder = open_sqlite_store(path);
  EXPECT_EQ(holder->renew_lock("old", 1, kNow + 120'001, kNow + 180'000), WriteOutcome::kFenced);
  EXPECT_EQ(holder->put_state(state), WriteOutcome::kFenced);
  EXPECT_EQ(holder->read_lock()->owner, "new");
}

// Several processes work through one job's segments on one file, each claiming every segment
// it can and saving it page by page: no segment is ever owned by two of them (each winner's
// saves all go through, no other claim of its segment succeeds, so every fence is 1).
TEST(SqliteStore, ProcessesClaimingOneJobsSegmentsNeverBothOwnOne) {
  const auto dir = new_scratch_dir();
  const auto path = (dir / "segments.db").string();
  constexpr int kSegments = 32;
  constexpr int kPages = 3;
  const SegmentJob job{"20250101000000_backfill", "job-1"};
  ASSERT_EQ(open_sqlite_store(path)->segments()->create_segments(job, kSegments, kNow).size(),
            static_cast<std::size_t>(kSegments));

  const auto codes = run_processes(2, [&](int p) {
    auto store = open_sqlite_store(path);
    SegmentStore& segments = *store->segments();
    const std::string owner = "process-" + std::to_string(p);
    std::ofstream won(dir / (owner + ".won"));
    for (int n = 0; n < kSegments; ++n) {
      SegmentClaim claim;
      claim.job = job;
      claim.segment = n;
      claim.owner = owner;
      claim.now_ms = kNow + 1;
      claim.ttl_ms = 3'600'000;  // never expires within the test: only one claim may win
      auto held = segments.claim_segment(claim);
      if (!held) continue;
      won << n << "\n";
      for (int page = 1; page <= kPages; ++page) {
        held->cursor = owner + "/" + std::to_string(page);
        held->counts.scanned += 10;
        held->state = page == kPages ? SegmentState::kDone : SegmentState::kRunning;
        if (segments.save_segment(*held, false) != WriteOutcome::kOk) return 3;  // fenced: owned twice
      }
    }
    return 0;
  });
  EXPECT_THAT(codes, ::testing::Each(0));

  std::vector<int> owners(kSegments, -1);
  for (int p = 0; p < 2; ++p) {
    std::ifstream won(dir / ("process-" + std::to_string(p) + ".won"));
    int n = 0;
    while (won >> n) {
      ASSERT_GE(n, 0);
      ASSERT_LT(n, kSegments);
      EXPECT_EQ(owners[static_cast<std::size_t>(n)], -1) << "segment " << n << " was claimed by both";
      owners[static_cast<std::size_t>(n)] = p;
    }
  }
  const auto stored = open_sqlite_store(path)->segments()->list_segments(job);
  ASSERT_EQ(stored.size(), static_cast<std::size_t>(kSegments));
  for (const auto& segment : stored) {
    const int p = owners[static_cast<std::size_t>(segment.segment)];
    ASSERT_NE(p, -1) << "segment " << segment.segment << " was claimed by nobody";
    EXPECT_EQ(segment.state, SegmentState::kDone);
    EXPECT_EQ(segment.fence, 1);
    EXPECT_EQ(segment.owner, "process-" + std::to_string(p));
    EXPECT_EQ(segment.cursor, "process-" + std::to_string(p) + "/" + std::to_string(kPages));
    EXPECT_EQ(segment.counts.scanned, 10 * kPages);
  }
}

// Leases that expire while the processes work: segments change hands, and a holder that lost
// its segment is refused every save after the take-over (its fence is stale), so each
// segment's final cursor and count are those of its last holder only.
TEST(SqliteStore, ProcessesTakingOverExpiredSegmentsFenceTheLoserOut) {
  const auto dir = new_scratch_dir();
  const auto path = (dir / "takeover.db").string();
  constexpr int kSegments = 8;
  const SegmentJob job{"20250101000000_backfill", "job-2"};
  open_sqlite_store(path)->segments()->create_segments(job, kSegments, kNow);

  // Each process claims with a logical clock (its round) that leaps past the lease of every
  // earlier round, so its claims take segments over from the other process.
  const auto codes = run_processes(2, [&](int p) {
    auto store = open_sqlite_store(path);
    SegmentStore& segments = *store->segments();
    const std::string owner = "process-" + std::to_string(p);
    for (int round = 1; round <= 20; ++round) {
      for (int n = 0; n < kSegments; ++n) {
        SegmentClaim claim;
        claim.job = job;
        claim.segment = n;
        claim.owner = owner + "/" + std::to_string(round);
        claim.now_ms = kNow + round * 1'000;
        claim.ttl_ms = 1;  // expired at the next round of either process
        auto held = segments.claim_segment(claim);
        if (!held) continue;
        held->cursor = claim.owner;
        const auto outcome = segments.save_segment(*held, false);
        // A save is refused only when someone claimed the segment after us (a higher fence).
        if (outcome != WriteOutcome::kOk &&
            segments.list_segments(job).at(static_cast<std::size_t>(n)).fence <= held->fence)
          return 5;
      }
    }
    return 0;
  });
  EXPECT_THAT(codes, ::testing::Each(0));
  for (const auto& segment : open_sqlite_store(path)->segments()->list_segments(job)) {
    // Every round's first claimer of a segment wins it (a claim wins when its clock is past
    // the last winner's), so each segment changed hands at least once per round.
    EXPECT_GE(segment.fence, 20);
    // The last holder's save went through and no fenced-out holder's save came after it.
    EXPECT_EQ(segment.cursor, segment.owner);
    EXPECT_EQ(segment.state, SegmentState::kRunning);
  }
}

}  // namespace
}  // namespace auric::store_testing
