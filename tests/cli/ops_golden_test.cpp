// Golden-output tests of the operations commands (baseline, mark, repair, redo) and of the
// refusals of up/down (drift, out of order), human and --json, run as real processes against
// a temporary SQLite store; compared with tests/cli/golden/ops*.txt (AURIC_UPDATE_GOLDEN=1
// regenerates them). Normalised as cli_golden_test.cpp does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include <nlohmann/json.hpp>

#include "process.hpp"
#include "store/open_store.hpp"

namespace auric::test {
namespace {

std::string normalise(std::string text, const std::string& tmp) {
  for (std::size_t pos; (pos = text.find(tmp)) != std::string::npos;) text.replace(pos, tmp.size(), "<TMP>");
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const std::vector<std::pair<std::regex, std::string>> rules = {
      {std::regex(R"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"), "<UUID>"},
      {std::regex(R"([0-9a-f]{64})"), "<SHA256>"},
      {std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"), "<TIME>"},
      {std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d UTC)"), "<UTC>"},
      {std::regex(
           R"re("(startedAt|completedAt|duration|appliedAt|lastRunAt|pid|acquiredAt|expiresAt|heartbeatAt|fence|updatedAt)": \d+)re"),
       "\"$1\": <N>"},
      {std::regex(R"(\b\d+(s|m|h|d|mo|y) ago\b)"), "<AGO>"},
      {std::regex(R"(\b\d+m \d+s\b|\b\d+\.\d+s\b|\b\d+ms\b)"), "<DUR>"},
      {std::regex(R"(pid \d+)"), "pid <PID>"},
      {std::regex(R"("user": "[^"]*")"), "\"user\": \"<USER>\""},
      {std::regex(R"(\([A-Za-z0-9_.-]+@)"), "(<USER>@"},
      {std::regex(R"(by [A-Za-z0-9_.-]+@)"), "by <USER>@"},
      {std::regex(std::string(host)), "<HOST>"},
      {std::regex(R"( +\n)"), "\n"},
  };
  for (const auto& [re, with] : rules) text = std::regex_replace(text, re, with);
  text = std::regex_replace(
      text, std::regex(R"((<UUID>|<AGO>|<DUR>|completed|failed|running|manual|up|down) {2,})"), "$1  ");
  return text;
}

const std::string kWidgets = "20250101000000_create-widgets";

class OpsGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    write_file(dir_ + "/migrate.config.toml",
               "store = \"sqlite:" + dir_ + "/state.db\"\n[context]\napp = \"golden\"\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ProcessResult exec(std::vector<std::string> args) {
    args.insert(args.begin(), AURIC_CLI_FIXTURE);
    return run({args, {{"NO_COLOR", "1"}}, dir_, ""});
  }

  void step(std::vector<std::string> args) {
    std::string shown;
    for (const auto& a : args)
      shown += (shown.empty() ? "" : " ") + (a.find(' ') != std::string::npos ? "'" + a + "'" : a);
    const ProcessResult r = exec(std::move(args));
    transcript_ += "$ " + shown + "\n" + r.out;
    if (!r.err.empty()) transcript_ += "[stderr]\n" + r.err;
    transcript_ += "[exit " + std::to_string(r.exit_code) + "]\n\n";
  }

  int exit_of(std::vector<std::string> args) { return exec(std::move(args)).exit_code; }

  std::size_t execution_count() {
    return nlohmann::json::parse(exec({"executions", "--json"}).out)["executions"].size();
  }

  // The source of an applied migration changed: its stored checksum no longer matches.
  void drift(const std::string& id) {
    auto store = open_store("sqlite:" + dir_ + "/state.db");
    auto state = store->get_state(id).value();
    state.checksum = "sha256-of-the-old-source";
    ASSERT_EQ(store->put_state(state), WriteOutcome::kOk);
  }

  void check(const std::string& name) {
    const std::string actual = normalise(transcript_, dir_);
    const std::string path = std::string(AURIC_GOLDEN_DIR) + "/" + name + ".txt";
    if (const char* update = std::getenv("AURIC_UPDATE_GOLDEN"); update && *update == '1') {
      write_file(path, actual);
      return;
    }
    const std::string expected = read_file(path);
    ASSERT_FALSE(expected.empty()) << "missing golden file " << path << " (run with AURIC_UPDATE_GOLDEN=1)";
    EXPECT_EQ(actual, expected) << "golden mismatch for " << name
                                << "; if the change is intended, regenerate with AURIC_UPDATE_GOLDEN=1";
  }

  std::string dir_;
  std::string transcript_;
};

TEST_F(OpsGolden, HumanCommands) {
  step({"baseline", "log-things", "--dry-run"});
  step({"baseline", "log-things", "--reason", "adopting the legacy database"});
  step({"migration", "create-widgets"});
  step({"baseline", "create-widgets"});
  step({"up"});
  drift(kWidgets);
  step({"status"});
  step({"up"});
  step({"down", "--dry-run"});
  step({"repair"});
  step({"repair", "--accept-checksum", "--dry-run"});
  step({"repair", "--accept-checksum", "--reason", "comment-only change"});
  step({"repair", "create-widgets", "--accept-checksum"});
  const std::size_t before = execution_count();
  step({"up"});
  EXPECT_EQ(execution_count(), before) << "a no-op up records no execution";
  step({"mark", "rolled-back", "create-widgets"});
  step({"up"});
  step({"mark", "applied", "create-widgets", "--reason", "applied by hand in the console"});
  step({"mark", "applied", "create-widgets"});
  step({"mark", "half-done", "create-widgets"});
  step({"redo", "--dry-run"});
  step({"redo", "--reason", "rerun the last one"});
  step({"migration", "create-widgets"});
  check("ops");
}

TEST_F(OpsGolden, JsonCommands) {
  step({"baseline", "create-widgets", "--json", "--reason", "adopt"});
  step({"migration", "create-widgets", "--json"});
  step({"up", "--json"});
  drift(kWidgets);
  step({"up", "--json"});
  step({"up", "--allow-drift", "--json"});
  step({"repair", "--accept-checksum", "--json"});
  step({"mark", "rolled-back", "create-widgets", "--json"});
  step({"up", "--json"});
  step({"mark", "applied", "create-widgets", "--json"});
  step({"redo", "--steps", "2", "--json"});
  check("ops_json");
}

TEST_F(OpsGolden, ConfigAllowsDriftAndOutOfOrder) {
  ASSERT_EQ(exit_of({"up"}), 0);
  drift(kWidgets);
  ASSERT_EQ(exit_of({"mark", "rolled-back", "log-things"}), 0);
  EXPECT_EQ(exit_of({"up"}), 4);
  EXPECT_EQ(exit_of({"down"}), 4);
  write_file(dir_ + "/migrate.config.toml",
             "store = \"sqlite:" + dir_ + "/state.db\"\n[safety]\nallow_drift = true\n");
  EXPECT_EQ(exit_of({"up"}), 4) << "still out of order";
  write_file(dir_ + "/migrate.config.toml", "store = \"sqlite:" + dir_ +
                                                "/state.db\"\n[safety]\nallow_drift = true\norder = "
                                                "\"allow-out-of-order\"\n");
  EXPECT_EQ(exit_of({"up"}), 0);
  write_file(dir_ + "/migrate.config.toml",
             "store = \"sqlite:" + dir_ + "/state.db\"\n[safety]\norder = \"loose\"\n");
  EXPECT_EQ(exit_of({"up"}), 2);
}

}  // namespace
}  // namespace auric::test
