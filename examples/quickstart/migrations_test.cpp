// The quickstart's migration tests (auric_add_migration_tests in CMakeLists.txt): each migration
// runs up → down → up on a throwaway store and database, and down must restore the database it
// found. Run them with ctest, or build/quickstart-migrations-tests.
#include <sqlite3.h>

#include <stdexcept>
#include <string>

#include <auric/testing.hpp>

namespace {

// The schema of the application database (each table's and index's columns) and every table's
// row count: what a round trip must restore.
auric::Json schema_and_counts(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path);
  }
  const auto rows = [db](const std::string& sql) {
    auric::Json out = auric::Json::array();
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("SQL failed: ") + sqlite3_errmsg(db));
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      auric::Json row = auric::Json::array();
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row.push_back(text ? reinterpret_cast<const char*>(text) : "");
      }
      out.push_back(row);
    }
    sqlite3_finalize(stmt);
    return out;
  };
  auric::Json snapshot = auric::Json::object();
  for (const auric::Json& object : rows("SELECT type, name FROM sqlite_master ORDER BY name")) {
    const std::string type = object[0], name = object[1];
    auric::Json& entry = snapshot[type + " " + name];
    if (type == "table") {
      entry["columns"] =
          rows("SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info('" + name + "')");
      entry["rows"] = rows("SELECT count(*) FROM \"" + name + "\"")[0][0];
    } else if (type == "index") {
      entry["columns"] = rows("SELECT name FROM pragma_index_xinfo('" + name + "')");
    }
  }
  sqlite3_close(db);
  return snapshot;
}

}  // namespace

// One test per migration: QuickstartRoundTrip.UpDownUp/<id>.
AURIC_ROUND_TRIP_TESTS(
    QuickstartRoundTrip,
    // ctx.config(): the application database, in the round trip's scratch folder.
    .config = {{"app_db", "app.db"}},
    // Checks of your own between the steps (EXPECT_* and ASSERT_* work here).
    .after_up =
        [](const auric::testing::Step& step) {
          if (step.migration_id == "20250101090000_create-users") {
            EXPECT_EQ(step.result.value("usersSeeded", 0), 3) << step.name;
          }
        },
    // down must give back the database up found, and up again must rebuild the same one.
    .snapshot = [](const auric::testing::Step&) { return schema_and_counts("app.db"); });
