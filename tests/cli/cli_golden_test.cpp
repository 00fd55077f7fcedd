// Golden-output tests: every command of the migrations binary and of the standalone tool, in
// human and --json form, run as real processes against a temporary SQLite store. The
// transcripts are normalised (ids, times, durations, host) and compared with
// tests/cli/golden/*.txt. Regenerate with AURIC_UPDATE_GOLDEN=1 after an intended change.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include <nlohmann/json.hpp>

#include "process.hpp"

namespace auric::test {
namespace {

std::string normalise(std::string text, const std::string& tmp) {
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{AURIC_FIXTURE_MIGRATIONS, "<FIXTURES>"}, {tmp, "<TMP>"}}) {
    for (std::size_t pos; !from.empty() && (pos = text.find(from)) != std::string::npos;) {
      text.replace(pos, from.size(), to);
    }
  }
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
      {std::regex(R"((Created migration: [^\n]*/)\d{14}_)"), "$1<TIMESTAMP>_"},
      {std::regex(R"(by [A-Za-z0-9_.-]+@)"), "by <USER>@"},
      {std::regex(std::string(host)), "<HOST>"},
      {std::regex(R"( +\n)"), "\n"},
  };
  for (const auto& [re, with] : rules) text = std::regex_replace(text, re, with);
  // Table columns shift with the placeholders; collapse runs of spaces inside table rows.
  text = std::regex_replace(text, std::regex(R"((<UUID>|<AGO>|<DUR>|completed|failed|running|up|down) {2,})"),
                            "$1  ");
  return text;
}

class Golden : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    write_file(dir_ + "/migrate.config.toml",
               "store = \"sqlite:" + dir_ + "/state.db\"\n[context]\napp = \"golden\"\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ProcessResult exec(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                     const std::string& binary = AURIC_CLI_FIXTURE) {
    args.insert(args.begin(), binary);
    env.emplace("NO_COLOR", "1");
    return run({args, env, dir_, ""});
  }

  // Runs a command and appends its normalised transcript.
  void step(const std::string& shown, std::vector<std::string> args,
            std::map<std::string, std::string> env = {}, const std::string& binary = AURIC_CLI_FIXTURE) {
    const ProcessResult r = exec(std::move(args), std::move(env), binary);
    transcript_ += "$ " + shown + "\n" + r.out;
    if (!r.err.empty()) transcript_ += "[stderr]\n" + r.err;
    transcript_ += "[exit " + std::to_string(r.exit_code) + "]\n\n";
  }

  std::string latest_execution() {
    const ProcessResult r = exec({"executions", "--json", "--limit", "1"});
    return nlohmann::json::parse(r.out)["executions"][0]["executionId"];
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

TEST_F(Golden, HumanCommands) {
  step("list", {"list"});
  step("status", {"status"});
  step("status --exit-code", {"status", "--exit-code"});
  step("up --dry-run", {"up", "--dry-run"});
  step("up --to log-things", {"up", "--to", "log-things"});
  step("up", {"up"});
  step("status", {"status"});
  const std::string exec_id = latest_execution();
  step("executions", {"executions"});
  step("executions <id>", {"executions", exec_id});
  step("executions <id> --detail", {"executions", exec_id, "--detail"});
  step("migration create-widgets", {"migration", "create-widgets"});
  step("migration 20250102000000_log-things", {"migration", "20250102000000_log-things"});
  step("down --dry-run", {"down", "--dry-run"});
  step("down", {"down"});
  step("down --to create-widgets", {"down", "--to", "create-widgets"});
  step("up --steps 1", {"up", "--steps", "1"});
  step("migration create-widgets", {"migration", "create-widgets"});
  step("migration create-widgets --all", {"migration", "create-widgets", "--all"});
  step("status", {"status"});
  step("verify", {"verify"});
  step("unlock", {"unlock"});
  step("unlock --force", {"unlock", "--force"});
  step("init", {"init"});
  check("human");
}

TEST_F(Golden, JsonCommands) {
  step("list --json", {"list", "--json"});
  step("up --dry-run --json", {"up", "--dry-run", "--json"});
  step("up --json", {"up", "--json"});
  step("status --json", {"status", "--json"});
  step("executions --json", {"executions", "--json"});
  const std::string exec_id = latest_execution();
  step("executions <id> --json", {"executions", exec_id, "--json"});
  step("migration log-things --json", {"migration", "log-things", "--json"});
  // A global flag before the command does not take the command as its value.
  step("--json migration log-things", {"--json", "migration", "log-things"});
  step("down --json", {"down", "--json"});
  step("verify --json", {"verify", "--json"});
  step("unlock --force --json", {"unlock", "--force", "--json"});
  check("json");
}

TEST_F(Golden, FailureAndRetry) {
  step("FIXTURE_FAIL=1 up", {"up"}, {{"FIXTURE_FAIL", "1"}});
  step("status", {"status"});
  step("status --exit-code", {"status", "--exit-code"});
  step("migration print-and-maybe-fail", {"migration", "print-and-maybe-fail"});
  step("up", {"up"});
  step("migration print-and-maybe-fail", {"migration", "print-and-maybe-fail"});
  check("failure");
}

TEST_F(Golden, Errors) {
  step("up --to nope", {"up", "--to", "nope"});
  step("down --to nope", {"down", "--to", "nope"});
  step("up --to log-things --steps 1", {"up", "--to", "log-things", "--steps", "1"});
  step("up --steps 0", {"up", "--steps", "0"});
  step("--store bogus:x status", {"--store", "bogus:x", "status"});
  step("--store sqlite: status", {"--store", "sqlite:", "status"});
  step("--env nope status", {"--env", "nope", "status"});
  step("-c missing.toml status", {"-c", "missing.toml", "status"});
  write_file(dir_ + "/bad-key.toml", "store = \"memory:\"\ncolour = true\n");
  step("-c bad-key.toml status", {"-c", "bad-key.toml", "status"});
  write_file(dir_ + "/bad-toml.toml", "store = \n");
  step("-c bad-toml.toml status", {"-c", "bad-toml.toml", "status"});
  write_file(dir_ + "/bad-type.toml", "[lock]\nttl_seconds = \"long\"\n");
  step("-c bad-type.toml status", {"-c", "bad-type.toml", "status"});
  write_file(dir_ + "/not-a-db",
             "this is not a database, just text that is long enough to fill a header page....");
  step("--store sqlite:not-a-db status", {"--store", "sqlite:not-a-db", "status"});
  step("create ../escape", {"create", "../escape"});
  step("create \"it's\"", {"create", "it's"});
  step("migration nope", {"migration", "nope"});
  step("executions nope", {"executions", "nope"});
  step("frobnicate", {"frobnicate"});
  check("errors");
}

// Usage errors: each is one `error:` line (and a pointer to --help) with exit 2, names what is
// wrong and, where something close exists, what was probably meant.
TEST_F(Golden, UsageErrorsAndDidYouMean) {
  step("up --bogus", {"up", "--bogus"});
  step("up --dry-runn", {"up", "--dry-runn"});
  step("up --to", {"up", "--to"});
  step("migration a b", {"migration", "a", "b"});
  step("migration", {"migration"});
  step("stauts", {"stauts"});
  step("(no command)", {});
  step("completion powershell", {"completion", "powershell"});
  step("up --to widgets", {"up", "--to", "widgets"});
  step("up --to widgets --json", {"up", "--to", "widgets", "--json"});
  step("down --to log-thing", {"down", "--to", "log-thing"});
  step("up --to 2025", {"up", "--to", "2025"});
  step("migration log-thing", {"migration", "log-thing"});
  step("migration 202", {"migration", "202"});
  step("executions abc", {"executions", "abc"});
  step("executions abcd", {"executions", "abcd"});
  step("up --help", {"up", "--help"});
  check("usage");
}

// init says whether it created the store; status shows when each migration was applied or
// rolled back, and filters; short ids and id prefixes are accepted.
TEST_F(Golden, InitStatusAndPrefixes) {
  step("init", {"init"});
  step("init", {"init"});
  step("init --json", {"init", "--json"});
  step("up --to 20250102", {"up", "--to", "20250102"});
  step("down", {"down"});
  step("FIXTURE_FAIL=1 up", {"up"}, {{"FIXTURE_FAIL", "1"}});
  step("status", {"status"});
  step("status --pending", {"status", "--pending"});
  step("status --applied", {"status", "--applied"});
  step("status --failed", {"status", "--failed"});
  step("status --applied --failed", {"status", "--applied", "--failed"});
  step("status --pending --json", {"status", "--pending", "--json"});
  const std::string exec_id = latest_execution();
  step("executions <first 8 characters>", {"executions", exec_id.substr(0, 8)});
  step("migration 20250102", {"migration", "20250102"});
  check("status");
}

TEST_F(Golden, FiltersThatMatchNothingSaySo) {
  step("up", {"up"});
  step("status --failed", {"status", "--failed"});
  step("status --pending --json", {"status", "--pending", "--json"});
  check("status_none");
}

TEST_F(Golden, StandaloneTool) {
  const std::string tool = AURIC_STANDALONE_TOOL;
  write_file(dir_ + "/migrate.config.toml",
             "store = \"sqlite:" + dir_ + "/state.db\"\nmigrations_dir = \"" AURIC_FIXTURE_MIGRATIONS "\"\n");
  step("auric-migrate list", {"list"}, {}, tool);
  step("auric-migrate status", {"status"}, {}, tool);
  step("cli_fixture up", {"up"});
  step("auric-migrate status", {"status"}, {}, tool);
  step("auric-migrate verify", {"verify"}, {}, tool);
  step("auric-migrate up", {"up"}, {}, tool);
  step("auric-migrate create 'Add Gizmos' -d new", {"create", "Add Gizmos", "-d", "new"}, {}, tool);
  check("standalone");
}

TEST(Version, EveryToolPrintsTheProjectVersion) {
  for (const std::string binary : {AURIC_CLI_FIXTURE, AURIC_STANDALONE_TOOL}) {
    const ProcessResult r = run({{binary, "--version"}, {}, "", ""});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_THAT(r.out, ::testing::HasSubstr(AURIC_VERSION_STRING));
  }
}

TEST(Create, WritesACompilableScaffoldWithASanitisedName) {
  const std::string dir = make_temp_dir();
  const ProcessResult r =
      run({{AURIC_STANDALONE_TOOL, "create", "Backfill Orders v2", "-d", dir + "/m"}, {}, dir, ""});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/m")) files.push_back(e.path().filename());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_THAT(files[0], ::testing::MatchesRegex(R"([0-9]{14}_backfill-orders-v2\.cpp)"));
  const std::string text = read_file(dir + "/m/" + files[0]);
  EXPECT_THAT(text, ::testing::HasSubstr("AURIC_MIGRATION({"));
  EXPECT_THAT(text, ::testing::HasSubstr(".down ="));
  // The scaffold compiles as it is.
  const std::string id = std::filesystem::path(files[0]).stem();
  const ProcessResult cc = run({{"/usr/bin/g++", "-std=c++20", "-fsyntax-only", "-I", AURIC_INCLUDE_DIR,
                                 "-DAURIC_MIGRATION_ID=\"" + id + "\"", dir + "/m/" + files[0]},
                                {},
                                dir,
                                ""});
  EXPECT_EQ(cc.exit_code, 0) << cc.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace auric::test
