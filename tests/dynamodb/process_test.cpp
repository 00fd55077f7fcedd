// Several processes on one DynamoDB table (dynalite), through the real CLI of the stress
// fixture (tests/cli/fixture/stress_main.cpp: 50 migrations appending "<id> <pid>" to
// STRESS_SIDE_FILE): 8 runners started at once apply each migration exactly once; a SIGKILLed
// runner is recovered; and the CLI's one-line errors for a missing table or a dead endpoint.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "dynamodb_support.hpp"
#include "node_process.hpp"
#include "process.hpp"

namespace auric::dynamodb_testing {
namespace {

using test::ProcessResult;
using ::testing::AllOf;
using ::testing::HasSubstr;

std::map<std::string, int> count_bodies(const std::string& side_file) {
  std::map<std::string, int> counts;
  std::istringstream in(test::read_file(side_file));
  std::string id, pid;
  while (in >> id >> pid) ++counts[id];
  return counts;
}

class DynamoDbProcesses : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::make_temp_dir();
    table_ = unique_table("procs");
    url_ = store_url(table_);
    test::write_file(dir_ + "/migrate.config.toml",
                     "store = \"" + url_ + "\"\n[lock]\nttl_seconds = 2\nheartbeat_seconds = 1\n");
    env_ = emulator_env();
    env_["STRESS_SIDE_FILE"] = dir_ + "/side.txt";
    env_["NO_COLOR"] = "1";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ProcessResult cli(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv = {AURIC_STRESS_FIXTURE};
    argv.insert(argv.end(), args.begin(), args.end());
    auto all = env_;
    for (auto& [k, v] : env) all[k] = v;
    return test::run({argv, all, dir_, ""});
  }

  // Starts `n` runners of `args` as close together as possible; returns their results.
  std::vector<ProcessResult> race(int n, const std::vector<std::string>& args) {
    std::vector<int> pids;
    for (int i = 0; i < n; ++i) {
      std::vector<std::string> argv = {AURIC_STRESS_FIXTURE};
      argv.insert(argv.end(), args.begin(), args.end());
      pids.push_back(test::spawn({argv, env_, dir_, ""}, out(i), err(i)));
    }
    std::vector<ProcessResult> results;
    for (int i = 0; i < n; ++i) {
      ProcessResult r = test::wait_for(pids[static_cast<std::size_t>(i)]);
      r.out = test::read_file(out(i));
      r.err = test::read_file(err(i));
      results.push_back(r);
    }
    return results;
  }

  std::string out(int i) const { return dir_ + "/out." + std::to_string(i); }
  std::string err(int i) const { return dir_ + "/err." + std::to_string(i); }

  void expect_each_body_once() {
    const auto counts = count_bodies(dir_ + "/side.txt");
    ASSERT_EQ(counts.size(), 50u);
    for (const auto& [id, n] : counts) EXPECT_EQ(n, 1) << id << " ran " << n << " times";
  }

  std::string dir_;
  std::string table_;
  std::string url_;
  std::map<std::string, std::string> env_;
};

TEST_F(DynamoDbProcesses, EightRunnersApplyEachMigrationExactlyOnce) {
  ASSERT_EQ(cli({"init"}).exit_code, 0);
  const auto results = race(8, {"up"});
  int winners = 0, lock_held = 0;
  for (const auto& r : results) {
    if (r.exit_code == 0) ++winners;
    if (r.exit_code == 3) {
      ++lock_held;
      EXPECT_THAT(r.err, HasSubstr("the migrations lock is held by"));
    }
  }
  EXPECT_GE(winners, 1);
  EXPECT_EQ(winners + lock_held, 8) << "every runner either ran or reported the holder";
  expect_each_body_once();
  const ProcessResult status = cli({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(nlohmann::json::parse(status.out)["completed"].size(), 50u);
}

TEST_F(DynamoDbProcesses, EightRunnersWithWaitAllSucceedAndStillRunEachOnce) {
  ASSERT_EQ(cli({"init"}).exit_code, 0);
  const auto results = race(8, {"up", "--wait"});
  for (const auto& r : results) EXPECT_EQ(r.exit_code, 0) << r.err;
  expect_each_body_once();
}

TEST_F(DynamoDbProcesses, KilledRunnerLeavesInterruptedRecordAndIsRetried) {
  ASSERT_EQ(cli({"init"}).exit_code, 0);
  // A lease far longer than the test: the next runner proceeds only by taking the dead holder
  // over (same host, dead pid), never by waiting for the lease to run out.
  test::write_file(dir_ + "/migrate.config.toml",
                   "store = \"" + url_ + "\"\n[lock]\nttl_seconds = 600\nheartbeat_seconds = 1\n");
  auto env = env_;
  env["STRESS_HANG_AT"] = "20250101000007_step-07";
  env["STRESS_PID_FILE"] = dir_ + "/hang.pid";
  const int pid = test::spawn({{AURIC_STRESS_FIXTURE, "up"}, env, dir_, ""}, out(0), err(0));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (test::read_file(dir_ + "/hang.pid").empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(test::read_file(dir_ + "/hang.pid").empty()) << "the runner never reached step 7";
  std::this_thread::sleep_for(std::chrono::milliseconds(2600));  // one durable output save
  ::kill(pid, SIGKILL);
  EXPECT_EQ(test::wait_for(pid).signal, SIGKILL);

  const auto started = std::chrono::steady_clock::now();
  const ProcessResult retry = cli({"up"});
  EXPECT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(60))
      << "did not wait for the lease";
  EXPECT_THAT(retry.err, HasSubstr("Took over the lock from"));
  EXPECT_THAT(retry.err, HasSubstr("Recorded 20250101000007_step-07 as interrupted"));

  const ProcessResult history = cli({"migration", "20250101000007_step-07", "--json"});
  const auto runs = nlohmann::json::parse(history.out)["runs"];
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0]["status"], "completed");
  EXPECT_EQ(runs[1]["status"], "interrupted");
  const std::string output = runs[1].value("output", "");
  EXPECT_THAT(output, HasSubstr("hang line 1\n"));
  EXPECT_THAT(output, HasSubstr("hang line 28 (stdout)"));
  EXPECT_LT(runs[1]["duration"].get<std::int64_t>(), 10'000) << runs[1].dump();
  expect_each_body_once();
  const auto executions = nlohmann::json::parse(cli({"executions", "--json"}).out)["executions"];
  ASSERT_GE(executions.size(), 2u);
  EXPECT_EQ(executions[0]["status"], "completed");
  EXPECT_EQ(executions[1]["status"], "interrupted");
}

TEST_F(DynamoDbProcesses, CliSaysRunInitForAMissingTableAndInitIsIdempotent) {
  const ProcessResult before = cli({"status"});
  EXPECT_EQ(before.exit_code, 1);
  EXPECT_THAT(before.err, AllOf(HasSubstr("error: "), HasSubstr("dynamodb store '" + table_ + "'"),
                                HasSubstr("run `init`")));
  EXPECT_EQ(std::count(before.err.begin(), before.err.end(), '\n'), 1) << before.err;

  const ProcessResult first = cli({"init", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(nlohmann::json::parse(first.out)["store"],
            "dynamodb:" + table_ + " (us-east-1, " + dynalite().endpoint() + ")");
  EXPECT_EQ(cli({"init"}).exit_code, 0);
  const ProcessResult status = cli({"status", "--json"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(nlohmann::json::parse(status.out)["pending"].size(), 50u);
}

TEST_F(DynamoDbProcesses, CliGivesOneLineErrorWhenTheEndpointIsDown) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(aws::testing::free_port());
  const ProcessResult r = cli({"--store", store_url(table_, dead), "up"}, {{"AWS_MAX_ATTEMPTS", "2"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, AllOf(HasSubstr("no response from DynamoDB at " + dead), HasSubstr("after 2 attempts"),
                           HasSubstr("check the endpoint and the network")));
  EXPECT_TRUE(test::read_file(dir_ + "/side.txt").empty()) << "nothing ran";

  const ProcessResult bad_url = cli({"--store", "dynamodb:" + table_ + "?color=red", "status"});
  EXPECT_EQ(bad_url.exit_code, 2) << bad_url.err;
  EXPECT_THAT(bad_url.err, HasSubstr("unknown option 'color'"));
}

}  // namespace
}  // namespace auric::dynamodb_testing
