// ctx.backfill through the real CLI, killed with SIGKILL mid-job (issue 14): a table of 20,000
// items on dynalite, a migrations binary (fixture/backfill: doubles `amount` with threads:4
// from the config's [backfill] workers, .only_if_version_below, and records every fn call in a
// side file), killed once the store shows saved pages; the next `up` takes the dead holder's
// lock over, records the killed run interrupted, and resumes the same job from the segments'
// cursors. At the end every item is doubled exactly once in effect, the counts are exact, and
// only the pages in flight at the kill (at most threads x page size items) were processed twice.
#include <signal.h>
#include <sys/wait.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "aws/dynamodb.hpp"
#include "dynamodb_support.hpp"
#include "process.hpp"

namespace auric::dynamodb_testing {
namespace {

using aws::AttributeValue;
using aws::Item;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr int kItems = 20'000;
constexpr int kThreads = 4;
constexpr int kPageSize = 100;  // the fixture's page_size
constexpr const char* kMigration = "20250101000000_double-amounts";

// How many times fn saw each id, from the fixture's side file.
std::map<std::string, int> calls_by_id(const std::string& side_file) {
  std::map<std::string, int> calls;
  std::istringstream in(test::read_file(side_file));
  std::string id;
  while (in >> id) ++calls[id];
  return calls;
}

std::int64_t lines_of(const std::string& path) {
  const std::string text = test::read_file(path);
  return std::count(text.begin(), text.end(), '\n');
}

// The job's segments as the store holds them (the migrations table: pk BACKFILL#<id>#<job>).
struct Segments {
  std::string job_id;
  std::int64_t scanned = 0;
  int count = 0;
  int done = 0;
};

class BackfillCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dynalite(); }

  void SetUp() override {
    dir_ = test::make_temp_dir();
    db_ = std::make_unique<aws::DynamoDbClient>(client_config());
    store_table_ = unique_table("backfill-cli-store");
    source_ = unique_table("backfill-cli-items");
    // A lease far longer than the test: the resume proceeds only by taking the dead holder's
    // lock over (same host, dead pid), never by waiting for the lease to run out.
    test::write_file(dir_ + "/migrate.config.toml", "store = \"" + store_url(store_table_) +
                                                        "\"\n"
                                                        "[lock]\nttl_seconds = 600\nheartbeat_seconds = 1\n"
                                                        "[context]\ntable = \"" +
                                                        source_ +
                                                        "\"\n"
                                                        "[backfill]\nworkers = \"threads:" +
                                                        std::to_string(kThreads) + "\"\n");
    env_ = emulator_env();
    env_["BACKFILL_SIDE_FILE"] = side_file();
    env_["NO_COLOR"] = "1";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string side_file() const { return dir_ + "/side.txt"; }

  test::ProcessResult cli(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {AURIC_BACKFILL_FIXTURE};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run({argv, env_, dir_, ""});
  }

  void seed() { seed_numbered_items(*db_, source_, kItems); }

  Segments segments() {
    Segments s;
    json req{{"TableName", store_table_},
             {"ConsistentRead", true},
             {"FilterExpression", "begins_with(pk, :p)"},
             {"ExpressionAttributeValues",
              aws::plain_to_wire({{":p", std::string("BACKFILL#") + kMigration + "#"}})}};
    for (;;) {
      const json page = db_->call("Scan", req);
      for (const auto& wire : page["Items"]) {
        const json item = aws::wire_to_plain(wire);
        ++s.count;
        s.job_id = item.value("job_id", "");
        s.scanned += item.value("scanned", std::int64_t{0});
        s.done += item.value("state", "") == "done" ? 1 : 0;
      }
      if (!page.contains("LastEvaluatedKey")) break;
      req["ExclusiveStartKey"] = page["LastEvaluatedKey"];
    }
    return s;
  }

  std::string dir_;
  std::unique_ptr<aws::DynamoDbClient> db_;
  std::string store_table_;
  std::string source_;
  std::map<std::string, std::string> env_;
};

TEST_F(BackfillCli, AKilledBackfillResumesFromItsCursorsAndRewritesEveryItemOnceInEffect) {
  seed();
  const auto init = cli({"init"});
  ASSERT_EQ(init.exit_code, 0) << init.err;

  const int pid =
      test::spawn({{AURIC_BACKFILL_FIXTURE, "up"}, env_, dir_, ""}, dir_ + "/out.0", dir_ + "/err.0");
  // Kill once a few thousand items went through fn and the store holds saved pages: mid-job,
  // with every thread busy. The deadline is generous for a busy CI machine; it is no assertion
  // of speed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(150);
  bool exited = false;
  int status = 0;
  for (;;) {
    const int waited = ::waitpid(pid, &status, WNOHANG);
    if (waited == pid) {
      exited = true;
      break;
    }
    if (lines_of(side_file()) >= kItems / 5 && segments().scanned > 0) break;
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(exited) << "the run ended before it was killed (status " << status
                       << "): " << test::read_file(dir_ + "/err.0");
  ::kill(pid, SIGKILL);
  EXPECT_EQ(test::wait_for(pid).signal, SIGKILL);

  // What the killed run left: its pages saved so far, the rest of the job still to do.
  const Segments left = segments();
  const std::int64_t calls_before = lines_of(side_file());
  ASSERT_EQ(left.count, kThreads) << "one segment per worker (the table is far below 1 GiB)";
  ASSERT_GT(left.scanned, 0) << "killed before any page was saved";
  ASSERT_LT(left.scanned, kItems) << "killed after the job ended: not mid-backfill";
  EXPECT_LT(left.done, kThreads);
  EXPECT_LE(calls_before - left.scanned, kThreads * kPageSize)
      << "items through fn but not saved: at most one page per thread";

  const auto resumed = cli({"up"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("Took over the lock from"));
  EXPECT_THAT(resumed.err, HasSubstr(std::string("Recorded ") + kMigration + " as interrupted"));

  const auto history = cli({"migration", kMigration, "--json"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  const auto runs = json::parse(history.out)["runs"];
  ASSERT_EQ(runs.size(), 2U) << runs.dump();
  EXPECT_EQ(runs[0]["status"], "completed");
  EXPECT_EQ(runs[1]["status"], "interrupted");
  const json result = runs[0]["metadata"];
  EXPECT_EQ(result["job_id"], left.job_id) << "the resumed run found the killed run's job in its checkpoint";
  EXPECT_EQ(result["segments"], kThreads);
  EXPECT_EQ(result["scanned"], kItems) << result.dump();  // exact: counts are saved with their cursor
  EXPECT_EQ(result["written"].get<std::int64_t>() + result["skipped"].get<std::int64_t>(), kItems)
      << result.dump();
  EXPECT_EQ(result["failed"], 0);

  // The resumed run read exactly what the killed one had not saved: from the cursors on.
  EXPECT_EQ(lines_of(side_file()) - calls_before, kItems - left.scanned);
  const Segments after = segments();
  EXPECT_EQ(after.job_id, left.job_id);
  EXPECT_EQ(after.done, kThreads);
  EXPECT_EQ(after.scanned, kItems);

  std::printf("killed after %lld fn calls with %lld items saved; resumed: written %lld, skipped %lld\n",
              static_cast<long long>(calls_before), static_cast<long long>(left.scanned),
              static_cast<long long>(result["written"].get<std::int64_t>()),
              static_cast<long long>(result["skipped"].get<std::int64_t>()));

  // Every item through fn at least once; twice only for the pages in flight at the kill.
  const auto calls = calls_by_id(side_file());
  ASSERT_EQ(calls.size(), static_cast<std::size_t>(kItems));
  int twice = 0;
  for (const auto& [id, n] : calls) {
    ASSERT_LE(n, 2) << id;
    twice += n == 2 ? 1 : 0;
  }
  EXPECT_LE(twice, kThreads * kPageSize);
  EXPECT_EQ(twice, calls_before - left.scanned);

  // And in the table: each amount doubled once, each item marked with the version it set.
  EXPECT_EQ(items_not_doubled_once(*db_, source_, kItems, 1), 0)
      << "items missing or not doubled exactly once";
}

}  // namespace
}  // namespace auric::dynamodb_testing
