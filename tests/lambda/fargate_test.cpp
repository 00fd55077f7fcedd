// The `fargate` command of the real migrations binary: MIGRATION_* handling, exit codes and
// messages, SIGTERM handling.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "lambda_support.hpp"

namespace auric::lambda::testing {
namespace {

using auric::test::ProcessSpec;
using namespace std::chrono_literals;

auric::test::ProcessResult fargate(const Scenario& s, std::map<std::string, std::string> env) {
  ProcessSpec spec;
  spec.argv = {AURIC_LAMBDA_FIXTURE, "fargate"};
  spec.env = s.env(std::move(env));
  spec.env["AWS_LAMBDA_RUNTIME_API"] = "";
  spec.cwd = s.dir;
  return auric::test::run(spec);
}

TEST(Fargate, DefaultsToUpWithANewExecutionIdAndExitsZero) {
  Scenario s;
  const auto r = fargate(s, {});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto lines = s.side_lines();
  ASSERT_EQ(lines.size(), 3u);
  std::stringstream in(lines[0]);
  std::string id, execution;
  in >> id >> execution;
  EXPECT_EQ(execution.size(), 36u);
  EXPECT_NE(r.err.find("[migrations] run finished with status=completed"), std::string::npos) << r.err;
}

TEST(Fargate, ReadsDirectionTargetAndExecutionId) {
  Scenario s;
  auto up = fargate(s, {{"MIGRATION_TARGET", "step-02"}, {"MIGRATION_EXECUTION_ID", "exec-from-env"}});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto lines = s.side_lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind("20250101000001_step-01 exec-from-env ", 0), 0u);
  auto store = s.store();
  EXPECT_EQ(store->get_execution("exec-from-env")->status, ExecutionStatus::kCompleted);

  auto empty_target = fargate(s, {{"MIGRATION_TARGET", ""}});
  ASSERT_EQ(empty_target.exit_code, 0) << empty_target.err;
  EXPECT_EQ(s.side_lines().size(), 3u) << "an empty target means all";

  auto down = fargate(s, {{"MIGRATION_DIRECTION", "down"}});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  lines = s.side_lines();
  EXPECT_EQ(lines.back().rfind("down 20250101000003_step-03 ", 0), 0u);
}

TEST(Fargate, InvalidDirectionFailsWithTheReferenceMessage) {
  Scenario s;
  const auto r = fargate(s, {{"MIGRATION_DIRECTION", "sideways"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Invalid MIGRATION_DIRECTION: sideways. Must be 'up' or 'down'."), std::string::npos)
      << r.err;
  EXPECT_TRUE(s.side_lines().empty());
}

TEST(Fargate, AFailedRunExitsOneWithStatusAndError) {
  Scenario s;
  const auto r = fargate(s, {{"FIXTURE_FAIL_AT", "20250101000002_step-02"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(
                "[migrations] run finished with status=failed error=Migration 20250101000002_step-02 failed: "
                "boom at 20250101000002_step-02"),
            std::string::npos)
      << r.err;
}

TEST(Fargate, SigtermStopsBeforeTheNextMigration) {
  Scenario s;
  ProcessSpec spec;
  spec.argv = {AURIC_LAMBDA_FIXTURE, "fargate"};
  spec.env = s.env({{"FIXTURE_COUNT", "5"}, {"FIXTURE_SLEEP_MS", "400"}});
  spec.env["AWS_LAMBDA_RUNTIME_API"] = "";
  spec.cwd = s.dir;
  const std::string err = s.dir + "/err.txt";
  const int pid = auric::test::spawn(spec, "", err);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (s.side_lines().empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  ::kill(pid, SIGTERM);
  const auto r = auric::test::wait_for(pid);
  EXPECT_EQ(r.exit_code, 143) << "128 + SIGTERM: suspended, not failed";
  const std::string text = auric::test::read_file(err);
  EXPECT_NE(text.find("run finished with status=suspended error=stopped by a signal"), std::string::npos)
      << text;
  EXPECT_LT(s.side_lines().size(), 5u);
}

}  // namespace
}  // namespace auric::lambda::testing
