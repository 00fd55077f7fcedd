// Multi-process guarantees on one SQLite store: 8 runners started at the same moment apply
// each of 50 migrations exactly once; a runner killed with SIGKILL mid-migration leaves an
// `interrupted` record, with the output it logged, that the next run takes over at once (same
// host, dead pid) and retries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "process.hpp"

namespace auric::test {
namespace {

std::map<std::string, int> count_bodies(const std::string& side_file) {
  std::map<std::string, int> counts;
  std::istringstream in(read_file(side_file));
  std::string id, pid;
  while (in >> id >> pid) ++counts[id];
  return counts;
}

class MultiProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    write_file(dir_ + "/migrate.config.toml",
               "store = \"sqlite:" + dir_ + "/state.db\"\n[lock]\nttl_seconds = 2\nheartbeat_seconds = 1\n");
    env_ = {{"STRESS_SIDE_FILE", dir_ + "/side.txt"}, {"NO_COLOR", "1"}};
    // Create the store once so that the racers do not also race on the schema.
    ASSERT_EQ(run({{AURIC_STRESS_FIXTURE, "init"}, env_, dir_, ""}).exit_code, 0);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Starts `n` runners of `args` as close together as possible; returns their results.
  std::vector<ProcessResult> race(int n, const std::vector<std::string>& args) {
    std::vector<int> pids;
    for (int i = 0; i < n; ++i) {
      std::vector<std::string> argv = {AURIC_STRESS_FIXTURE};
      argv.insert(argv.end(), args.begin(), args.end());
      pids.push_back(spawn({argv, env_, dir_, ""}, out(i), err(i)));
    }
    std::vector<ProcessResult> results;
    for (int i = 0; i < n; ++i) {
      ProcessResult r = wait_for(pids[static_cast<std::size_t>(i)]);
      r.out = read_file(out(i));
      r.err = read_file(err(i));
      results.push_back(r);
    }
    return results;
  }

  std::string out(int i) const { return dir_ + "/out." + std::to_string(i); }
  std::string err(int i) const { return dir_ + "/err." + std::to_string(i); }

  std::string dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(MultiProcess, EightRunnersApplyEachMigrationExactlyOnce) {
  const auto results = race(8, {"up"});
  int winners = 0, lock_held = 0;
  for (const auto& r : results) {
    if (r.exit_code == 0) ++winners;
    if (r.exit_code == 3) {
      ++lock_held;
      EXPECT_THAT(r.err, ::testing::HasSubstr("the migrations lock is held by"));
      EXPECT_THAT(r.err, ::testing::HasSubstr("--wait"));
    }
  }
  EXPECT_GE(winners, 1);
  EXPECT_EQ(winners + lock_held, 8) << "every runner either ran or reported the holder";
  const auto counts = count_bodies(dir_ + "/side.txt");
  ASSERT_EQ(counts.size(), 50u);
  for (const auto& [id, n] : counts) EXPECT_EQ(n, 1) << id << " ran " << n << " times";
  const ProcessResult status = run({{AURIC_STRESS_FIXTURE, "status", "--json"}, env_, dir_, ""});
  EXPECT_EQ(nlohmann::json::parse(status.out)["completed"].size(), 50u);
}

TEST_F(MultiProcess, EightRunnersWithWaitAllSucceedAndStillRunEachOnce) {
  const auto results = race(8, {"up", "--wait"});
  for (const auto& r : results) EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto counts = count_bodies(dir_ + "/side.txt");
  ASSERT_EQ(counts.size(), 50u);
  for (const auto& [id, n] : counts) EXPECT_EQ(n, 1) << id << " ran " << n << " times";
}

TEST_F(MultiProcess, KilledRunnerLeavesInterruptedRecordAndIsRetried) {
  // A lease far longer than the test: the next runner proceeds only by taking the dead
  // holder over, never by waiting for the lease to run out.
  write_file(dir_ + "/migrate.config.toml",
             "store = \"sqlite:" + dir_ + "/state.db\"\n[lock]\nttl_seconds = 600\nheartbeat_seconds = 1\n");
  auto env = env_;
  env["STRESS_HANG_AT"] = "20250101000007_step-07";
  env["STRESS_PID_FILE"] = dir_ + "/hang.pid";
  const int pid = spawn({{AURIC_STRESS_FIXTURE, "up"}, env, dir_, ""}, out(0), err(0));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (read_file(dir_ + "/hang.pid").empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(read_file(dir_ + "/hang.pid").empty()) << "the runner never reached step 7";
  // The output is saved durably every 2 s: give it one save, then kill.
  std::this_thread::sleep_for(std::chrono::milliseconds(2600));
  ::kill(pid, SIGKILL);
  EXPECT_EQ(wait_for(pid).signal, SIGKILL);

  // Same host, dead pid: `up` without --wait takes the lease over at once.
  const auto started = std::chrono::steady_clock::now();
  const ProcessResult retry = run({{AURIC_STRESS_FIXTURE, "up"}, env_, dir_, ""});
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_LT(took, std::chrono::seconds(60)) << "far below the 600 s lease: it did not wait for it";
  EXPECT_THAT(retry.err, ::testing::HasSubstr("Took over the lock from"));
  EXPECT_THAT(retry.err, ::testing::HasSubstr("Recorded 20250101000007_step-07 as interrupted"));

  const ProcessResult history =
      run({{AURIC_STRESS_FIXTURE, "migration", "20250101000007_step-07", "--json"}, env_, dir_, ""});
  const auto runs = nlohmann::json::parse(history.out)["runs"];
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0]["status"], "completed");
  EXPECT_EQ(runs[1]["status"], "interrupted");
  // The interrupted run keeps what it logged, and its duration ends at its last sign of life
  // (the last durable save), not when the next runner noticed.
  const std::string output = runs[1].value("output", "");
  EXPECT_THAT(output, ::testing::HasSubstr("hang line 1\n"));
  EXPECT_THAT(output, ::testing::HasSubstr("hang line 27\n"));
  EXPECT_THAT(output, ::testing::HasSubstr("hang line 28 (stdout)"));
  EXPECT_LT(runs[1]["duration"].get<std::int64_t>(), 10'000) << runs[1].dump();
  const auto counts = count_bodies(dir_ + "/side.txt");
  EXPECT_EQ(counts.size(), 50u);
  for (const auto& [id, n] : counts) EXPECT_EQ(n, 1) << id;

  const ProcessResult execs = run({{AURIC_STRESS_FIXTURE, "executions", "--json"}, env_, dir_, ""});
  const auto list = nlohmann::json::parse(execs.out)["executions"];
  ASSERT_GE(list.size(), 2u);
  EXPECT_EQ(list[0]["status"], "completed");
  EXPECT_EQ(list[1]["status"], "interrupted");
  // It finished steps 1 to 6 before the kill, although its own final write never came.
  EXPECT_EQ(list[1]["finished"].size(), 6u) << list[1].dump();
  EXPECT_GE(list[1]["completedAt"].get<std::int64_t>() - list[1]["startedAt"].get<std::int64_t>(), 2000)
      << "it lived until its last output save, 2 s into step 7";
}

// Ctrl-C (or SIGTERM) inside a migration that checkpoints: suspended, not failed, exit 130
// (143), listed apart by `status`, and resumed by the next `up`.
TEST_F(MultiProcess, ASignalSuspendsAtACheckpointWithTheShellExitCode) {
  for (const int sig : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(sig == SIGINT ? "SIGINT" : "SIGTERM");
    std::filesystem::remove(dir_ + "/suspend.pid");
    auto env = env_;
    const std::string id = sig == SIGINT ? "20250101000003_step-03" : "20250101000006_step-06";
    env["STRESS_SUSPEND_AT"] = id;
    env["STRESS_PID_FILE"] = dir_ + "/suspend.pid";
    const int pid = spawn({{AURIC_STRESS_FIXTURE, "up", "--json"}, env, dir_, ""}, out(0), err(0));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (read_file(dir_ + "/suspend.pid").empty() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_FALSE(read_file(dir_ + "/suspend.pid").empty()) << "never reached " << id;
    ::kill(pid, sig);
    const ProcessResult stopped = wait_for(pid);
    EXPECT_EQ(stopped.exit_code, 128 + sig) << read_file(err(0));
    const auto result = nlohmann::json::parse(read_file(out(0)));
    EXPECT_EQ(result["status"], "suspended");
    EXPECT_EQ(result["migrationsRemaining"][0], id);

    const auto status =
        nlohmann::json::parse(run({{AURIC_STRESS_FIXTURE, "status", "--json"}, env_, dir_, ""}).out);
    EXPECT_EQ(status["suspended"], nlohmann::json::array({id}));
    EXPECT_TRUE(status["failed"].empty()) << "suspended is not failed";
    const ProcessResult human = run({{AURIC_STRESS_FIXTURE, "status"}, env_, dir_, ""});
    EXPECT_THAT(human.out, ::testing::HasSubstr("Suspended (1):"));
    EXPECT_THAT(human.out, ::testing::Not(::testing::HasSubstr("Failed")));

    // The next `up` resumes it (and runs a few more, up to the next suspension point).
    const ProcessResult resumed =
        run({{AURIC_STRESS_FIXTURE, "up", "--steps", "1", "--json"}, env_, dir_, ""});
    EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(nlohmann::json::parse(resumed.out)["migrationsRun"], nlohmann::json::array({id}));
  }
}

}  // namespace
// An id longer than any store key allows is a usage error naming the problem, not a store
// error blaming the table.
TEST_F(MultiProcess, OversizedIdsAreUsageErrors) {
  const std::string huge(3000, 'e');
  const ProcessResult execution = run({{AURIC_STRESS_FIXTURE, "executions", huge}, env_, dir_, ""});
  EXPECT_EQ(execution.exit_code, 2) << execution.err;
  EXPECT_THAT(execution.err,
              ::testing::HasSubstr("the execution id is 3000 bytes long; ids are at most 512 bytes"));
  const ProcessResult migration = run({{AURIC_STRESS_FIXTURE, "migration", huge}, env_, dir_, ""});
  EXPECT_EQ(migration.exit_code, 2) << migration.err;
  EXPECT_THAT(migration.err, ::testing::HasSubstr("the migration id is 3000 bytes long"));
}

}  // namespace auric::test
