// The consumer's migration tests: the round-trip suite over every migration (two of which are
// broken on purpose and must fail, see testkit_consumer_test.sh), and direct checks of the
// reports for those two.
#include <algorithm>
#include <filesystem>
#include <string>

#include <auric/testing.hpp>

#include "settings.hpp"

namespace {

// The "database": the sorted paths under db/, relative to it.
auric::Json files_under(const std::string& db) {
  auric::Json paths = auric::Json::array();
  if (!std::filesystem::exists(db)) return paths;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(db)) {
    paths.push_back(std::filesystem::relative(entry.path(), db).string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

auric::testing::RoundTripOptions kit_options() {
  return {
      .config = {{"owner", "kit-tests"}, {"db", "db"}},
      .make_user_context = [](const auric::Json& config) -> std::any {
        return Settings{.db = config.at("db").get<std::string>()};
      },
      .irreversible = {"20250104000000_drop-legacy"},
      .before_up = [](const auric::testing::Step&) { std::filesystem::create_directories("db/legacy"); },
      .after_up =
          [](const auric::testing::Step& step) {
            if (step.migration_id == "20250101000000_create-notes") {
              EXPECT_TRUE(std::filesystem::is_directory(step.folder / "db/notes"));
              EXPECT_NE(step.output.find("created db/notes for kit-tests"), std::string::npos) << step.output;
            }
          },
      .snapshot = [](const auric::testing::Step&) { return files_under("db"); },
  };
}

}  // namespace

AURIC_ROUND_TRIP_TESTS(KitRoundTrip, kit_options());

TEST(KitReports, AStepThatFailsIsNamedWithItsOutput) {
  auric::testing::RoundTripOptions options = kit_options();
  options.snapshot = nullptr;  // with it, the round trip stops at down already (as in the suite)
  const auric::testing::RoundTripReport report =
      auric::testing::round_trip("20250103000000_seed-admin", options);
  EXPECT_FALSE(report.passed);
  EXPECT_NE(report.failure.find("migration 20250103000000_seed-admin"), std::string::npos) << report.failure;
  EXPECT_NE(report.failure.find("step 3 (up again)"), std::string::npos) << report.failure;
  EXPECT_NE(report.failure.find("db/notes/admin exists already"), std::string::npos) << report.failure;
  EXPECT_NE(report.failure.find("[info] seeding the admin note"), std::string::npos) << report.failure;
  EXPECT_EQ(report.steps.size(), 2u);  // up and down ran
}

TEST(KitReports, ADownThatDoesNotUndoIsCaughtByTheSnapshot) {
  const auric::testing::RoundTripReport report =
      auric::testing::round_trip("20250102000000_add-tags", kit_options());
  EXPECT_FALSE(report.passed);
  EXPECT_NE(report.failure.find("step 2 (down): down did not undo up"), std::string::npos) << report.failure;
  EXPECT_NE(report.failure.find("\"tags\""), std::string::npos) << report.failure;
}

TEST(KitReports, IrreversibleIsReportedNotFailed) {
  const auric::testing::RoundTripReport report =
      auric::testing::round_trip("20250104000000_drop-legacy", kit_options());
  EXPECT_TRUE(report.passed) << report.failure;
  EXPECT_TRUE(report.irreversible);
  ASSERT_EQ(report.steps.size(), 1u);
  EXPECT_EQ(report.steps[0].name, "up");
}

TEST(KitReports, TheScratchFolderIsRemovedAndTheWorkingDirectoryRestored) {
  const std::filesystem::path before = std::filesystem::current_path();
  std::filesystem::path folder;
  auric::testing::RoundTripOptions options = kit_options();
  options.after_down = [&](const auric::testing::Step& step) { folder = step.folder; };
  EXPECT_TRUE(auric::testing::round_trip("20250101000000_create-notes", options));
  EXPECT_EQ(std::filesystem::current_path(), before);
  EXPECT_FALSE(folder.empty());
  EXPECT_FALSE(std::filesystem::exists(folder));
}

TEST(KitReports, AnUnknownIrreversibleIdFailsTheRoundTrip) {
  auric::testing::RoundTripOptions options = kit_options();
  options.irreversible.push_back("20250109000000_typo");
  const auric::testing::RoundTripReport report =
      auric::testing::round_trip("20250101000000_create-notes", options);
  EXPECT_FALSE(report.passed);
  EXPECT_NE(report.failure.find("20250109000000_typo, which is no migration"), std::string::npos)
      << report.failure;
}
