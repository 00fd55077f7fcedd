// The [backfill] config section: `workers` validated at load, overridable per environment,
// the deprecated [context] backfill_workers still honoured, and the choice handed to
// ctx.backfill through the context (context["backfill_workers"]).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "app/config.hpp"

namespace auric::app {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

Config parse(const std::string& text, std::optional<std::string> env = std::nullopt) {
  return parse_config(text, "migrate.config.toml", env);
}

std::string error_of(const std::string& text, std::optional<std::string> env = std::nullopt) {
  try {
    parse(text, env);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(BackfillConfig, WorkersReachTheContextWhereCtxBackfillReadsThem) {
  const Config c = parse("[backfill]\nworkers = \"threads:8\"\n");
  EXPECT_EQ(c.backfill_workers, "threads:8");
  EXPECT_EQ(c.context.at("backfill_workers"), "threads:8");
  for (const char* form : {"threads:1", "threads:256", "lambda:64", "lambda:1000", "fargate:8"}) {
    EXPECT_EQ(parse(std::string("[backfill]\nworkers = \"") + form + "\"\n").backfill_workers, form);
  }
}

TEST(BackfillConfig, UnsetLeavesTheContextAlone) {
  const Config c = parse("[context]\ntable = \"orders\"\n");
  EXPECT_EQ(c.backfill_workers, "");
  EXPECT_FALSE(c.context.contains("backfill_workers"));
}

TEST(BackfillConfig, AnEnvironmentOverridesTheWorkers) {
  const std::string text = R"(
[backfill]
workers = "threads:8"
[env.prod.backfill]
workers = "lambda:64"
[env.staging]
store = "sqlite:staging.db"
)";
  EXPECT_EQ(parse(text).context.at("backfill_workers"), "threads:8");
  EXPECT_EQ(parse(text, "prod").context.at("backfill_workers"), "lambda:64");
  EXPECT_EQ(parse(text, "staging").context.at("backfill_workers"), "threads:8");
}

TEST(BackfillConfig, TheDeprecatedContextKeyStillWorksAndTheSectionWinsOverIt) {
  EXPECT_EQ(parse("[context]\nbackfill_workers = \"threads:2\"\n").context.at("backfill_workers"),
            "threads:2");
  const std::string both = R"(
[context]
backfill_workers = "threads:2"
[backfill]
workers = "threads:6"
)";
  EXPECT_EQ(parse(both).context.at("backfill_workers"), "threads:6");
  // A more specific level wins whichever spelling it uses.
  const std::string env_old = R"(
[backfill]
workers = "threads:6"
[env.dev.context]
backfill_workers = "threads:3"
)";
  EXPECT_EQ(parse(env_old, "dev").context.at("backfill_workers"), "threads:3");
  EXPECT_EQ(parse(env_old).context.at("backfill_workers"), "threads:6");
}

TEST(BackfillConfig, BadWorkersAreRefusedAtLoadNamingTheKeyAndTheForms) {
  for (const char* bad : {"threads", "threads:", "threads:0", "threads:257", "threads:x", "lambda:1001",
                          "fargate:-1", "processes:4", "", "threads:4 ", "threads:99999"}) {
    EXPECT_THAT(error_of(std::string("[backfill]\nworkers = \"") + bad + "\"\n"),
                AllOf(HasSubstr("migrate.config.toml:2"), HasSubstr("'backfill.workers'"),
                      HasSubstr("\"threads:N\" (N 1-256)"), HasSubstr("\"lambda:N\" or \"fargate:N\"")))
        << bad;
  }
  EXPECT_THAT(error_of("[backfill]\nworkers = 8\n"), HasSubstr("'backfill.workers' must be a string"));
  EXPECT_THAT(error_of("[context]\nbackfill_workers = \"threads:0\"\n"),
              HasSubstr("'context.backfill_workers' is \"threads:0\""));
  EXPECT_THAT(error_of("[env.prod.backfill]\nworkers = \"lambda:0\"\n", "prod"),
              HasSubstr("'backfill.workers'"));
  EXPECT_THAT(error_of("[backfill]\nthreads = 4\n"),
              AllOf(HasSubstr("unknown key 'backfill.threads'"), HasSubstr("allowed: workers")));
  EXPECT_THAT(error_of("backfill = 4\n"), HasSubstr("'backfill' must be a table"));
}

}  // namespace
}  // namespace auric::app
