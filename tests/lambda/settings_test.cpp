// The Lambda and Fargate settings read from the environment: the backfill lease of lambda:N
// workers, the task role an ECS RunTask passes (the runner's, or the backfill workers' own), and
// the messages for malformed values.
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>

#include "lambda/backfill_worker.hpp"
#include "lambda/run_options.hpp"

namespace auric::lambda {
namespace {

app::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(LambdaSettings, TheBackfillLeaseComesFromTheSameVariableAsForFargateWorkers) {
  const app::Config config;
  EXPECT_EQ(handler_settings(config, env_of({})).backfill_lease, std::chrono::seconds(30));
  EXPECT_EQ(handler_settings(config, env_of({{"MIGRATION_BACKFILL_LEASE_SECONDS", "5"}})).backfill_lease,
            std::chrono::seconds(5));
  EXPECT_EQ(message_of([&] {
              handler_settings(config, env_of({{"MIGRATION_BACKFILL_LEASE_SECONDS", "0"}}));
            }),
            "MIGRATION_BACKFILL_LEASE_SECONDS must be a whole number >= 1 (got '0')");
}

const std::map<std::string, std::string> kTask = {{"MIGRATION_CLUSTER", "c"},
                                                  {"MIGRATION_TASK_DEFINITION", "migrations:3"},
                                                  {"MIGRATION_SUBNETS", "subnet-a"}};

TEST(FargateSettings, RunTaskKeepsTheDefinitionsRoleUnlessOneIsNamed) {
  std::string missing;
  const DispatchSettings plain = ecs_task_from_env(env_of(kTask), missing);
  EXPECT_EQ(missing, "");
  EXPECT_FALSE(run_task_request(plain, Json::array(), "me", "token")["overrides"].contains("taskRoleArn"));

  auto vars = kTask;
  vars["MIGRATION_TASK_ROLE_ARN"] = "arn:aws:iam::123456789012:role/runner";
  const DispatchSettings runner = ecs_task_from_env(env_of(vars), missing);
  EXPECT_EQ(run_task_request(runner, Json::array(), "me", "token")["overrides"]["taskRoleArn"],
            "arn:aws:iam::123456789012:role/runner");
}

TEST(FargateSettings, BackfillWorkersRunWithTheirOwnRoleWhenOneIsNamed) {
  auto vars = kTask;
  vars["MIGRATION_TASK_ROLE_ARN"] = "arn:aws:iam::123456789012:role/runner";
  EXPECT_EQ(fargate_worker_settings_from_env(env_of(vars)).task.task_role_arn,
            "arn:aws:iam::123456789012:role/runner");
  vars["MIGRATION_BACKFILL_TASK_ROLE_ARN"] = "arn:aws:iam::123456789012:role/backfill-worker";
  const FargateWorkerSettings s = fargate_worker_settings_from_env(env_of(vars));
  EXPECT_EQ(s.task.task_role_arn, "arn:aws:iam::123456789012:role/backfill-worker");
  EXPECT_EQ(run_task_request(s.task, Json::array(), "auric-backfill", "t")["overrides"]["taskRoleArn"],
            "arn:aws:iam::123456789012:role/backfill-worker");
}

TEST(FargateSettings, ARoleThatIsNoRoleArnIsRefusedNamingTheVariable) {
  auto vars = kTask;
  vars["MIGRATION_BACKFILL_TASK_ROLE_ARN"] = "backfill-worker";
  EXPECT_EQ(
      message_of([&] { fargate_worker_settings_from_env(env_of(vars)); }),
      "MIGRATION_BACKFILL_TASK_ROLE_ARN must be an IAM role ARN, arn:aws:iam::<account>:role/<name> (got "
      "'backfill-worker')");
  vars.erase("MIGRATION_BACKFILL_TASK_ROLE_ARN");
  vars["MIGRATION_TASK_ROLE_ARN"] = "arn:aws:s3:::bucket";
  std::string missing;
  EXPECT_NE(
      message_of([&] { ecs_task_from_env(env_of(vars), missing); }).find("MIGRATION_TASK_ROLE_ARN must be"),
      std::string::npos);
}

}  // namespace
}  // namespace auric::lambda
