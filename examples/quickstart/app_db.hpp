// A minimal RAII wrapper over the quickstart's application database (SQLite), opened from
// the `app_db` key of the config's [context] table. Not thread-safe; one per migration run.
#pragma once

#include <string>

#include <auric/migrations.hpp>

struct sqlite3;

class AppDb {
 public:
  explicit AppDb(const auric::Context& ctx);
  ~AppDb();
  AppDb(const AppDb&) = delete;
  AppDb& operator=(const AppDb&) = delete;

  // Runs one or more statements; throws std::runtime_error with SQLite's message.
  void exec(const std::string& sql);
  // The first column of the first row of `sql` as an integer (0 when no row).
  long long scalar(const std::string& sql);
  // Rows changed by the last statement.
  int changes() const;

 private:
  sqlite3* db_ = nullptr;
};
