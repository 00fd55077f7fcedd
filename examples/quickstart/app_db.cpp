#include "app_db.hpp"

#include <sqlite3.h>

#include <stdexcept>

AppDb::AppDb(const auric::Context& ctx) {
  const std::string path = ctx.config().value("app_db", std::string("app.db"));
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open application database " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
}

AppDb::~AppDb() {
  sqlite3_close(db_);
}

void AppDb::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error("SQL failed: " + msg);
  }
}

long long AppDb::scalar(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("SQL failed: ") + sqlite3_errmsg(db_));
  }
  long long value = 0;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return value;
}

int AppDb::changes() const {
  return sqlite3_changes(db_);
}
