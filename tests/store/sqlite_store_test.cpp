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
    ASSERT_EQ(store->insert_run(run), WriteOutcome::kOk);
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

TEST(SqliteStore, FileIsInWalModeWithTheSchemaVersion) {
  const auto path = new_scratch_dir() / "wal.db";
  auto store = open_sqlite_store(path.string());
  RawDb raw(path);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.text("PRAGMA user_version"), std::to_string(kSqliteSchemaVersion));
  EXPECT_EQ(raw.text("PRAGMA application_id"), std::to_string(kSqliteApplicationId));
  EXPECT_EQ(raw.text("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master "
                     "WHERE type = 'table' ORDER BY name)"),
            "executions,lock,runs,states");
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
      if (store->insert_run(run) != WriteOutcome::kOk) return 1;
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

}  // namespace
}  // namespace auric::store_testing
