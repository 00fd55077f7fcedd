#include "app/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "process.hpp"

namespace auric::app {
namespace {

using ::testing::HasSubstr;

std::string error_of(const std::string& text, std::optional<std::string> env = std::nullopt) {
  try {
    parse_config(text, "migrate.config.toml", env);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, Defaults) {
  const Config c = parse_config("", "f.toml", std::nullopt);
  EXPECT_EQ(c.store, "sqlite:.auric/migrations.db");
  EXPECT_EQ(c.migrations_dir, "migrations");
  EXPECT_EQ(c.lock_ttl.count(), 30);
  EXPECT_EQ(c.heartbeat.count(), 10);
  EXPECT_EQ(c.stop_margin.count(), 60);
  EXPECT_EQ(c.max_hops, 100);
  EXPECT_TRUE(c.context.is_object());
  EXPECT_TRUE(c.context.empty());
}

TEST(Config, AllKeysAndEnvSection) {
  const std::string text = R"(
store = "sqlite:a.db"
migrations_dir = "db/migrations"
[lock]
ttl_seconds = 30
heartbeat_seconds = 5
wait_timeout_seconds = 0
[lambda]
stop_margin_seconds = 90
max_hops = 7
[context]
app_db = "app.db"
nested = { a = 1, b = [1, 2] }
when = 2025-06-01
[env.prod]
store = "dynamodb:MigrationsTable?region=eu-west-1"
[env.prod.context]
app_db = "prod.db"
[env.prod.lock]
ttl_seconds = 120
)";
  const Config base = parse_config(text, "f.toml", std::nullopt);
  EXPECT_EQ(base.store, "sqlite:a.db");
  EXPECT_EQ(base.migrations_dir, "db/migrations");
  EXPECT_EQ(base.lock_ttl.count(), 30);
  EXPECT_EQ(base.heartbeat.count(), 5);
  EXPECT_EQ(base.wait_timeout.count(), 0);
  EXPECT_EQ(base.stop_margin.count(), 90);
  EXPECT_EQ(base.max_hops, 7);
  EXPECT_EQ(base.context["app_db"], "app.db");
  EXPECT_EQ(base.context["nested"]["b"][1], 2);
  EXPECT_EQ(base.context["when"], "2025-06-01");

  const Config prod = parse_config(text, "f.toml", "prod");
  EXPECT_EQ(prod.env, "prod");
  EXPECT_EQ(prod.store, "dynamodb:MigrationsTable?region=eu-west-1");
  EXPECT_EQ(prod.context["app_db"], "prod.db");
  EXPECT_EQ(prod.context["nested"]["a"], 1);  // merged, not replaced
  EXPECT_EQ(prod.lock_ttl.count(), 120);
  EXPECT_EQ(prod.heartbeat.count(), 5);
}

TEST(Config, Errors) {
  EXPECT_THAT(error_of("colour = true\n"), HasSubstr("migrate.config.toml:1: unknown key 'colour'"));
  EXPECT_THAT(error_of("[lock]\nttl = 3\n"), HasSubstr("unknown key 'lock.ttl'"));
  EXPECT_THAT(error_of("[lambda]\nmargin = 3\n"), HasSubstr("unknown key 'lambda.margin'"));
  EXPECT_THAT(error_of("store = 5\n"), HasSubstr("'store' must be a string"));
  EXPECT_THAT(error_of("[lock]\nttl_seconds = \"x\"\n"),
              HasSubstr("'lock.ttl_seconds' must be a whole number"));
  EXPECT_THAT(error_of("[lock]\nttl_seconds = 1\n"), HasSubstr(">= 2"));
  EXPECT_THAT(error_of("[lock]\nttl_seconds = 10\nheartbeat_seconds = 10\n"),
              HasSubstr("must be smaller than lock.ttl_seconds"));
  EXPECT_THAT(error_of("context = 3\n"), HasSubstr("'context' must be a table"));
  EXPECT_THAT(error_of("store = \n"), HasSubstr("migrate.config.toml:1:"));
  EXPECT_THAT(error_of("store = \n"), HasSubstr("invalid TOML"));
  EXPECT_THAT(error_of("[env.dev]\nstore = \"memory:\"\n", "prod"),
              HasSubstr("unknown environment 'prod': migrate.config.toml defines dev"));
  EXPECT_THAT(error_of("", "prod"), HasSubstr("has no [env.NAME] sections"));
  EXPECT_THAT(error_of("[env.dev]\nenv = 1\n", "dev"), HasSubstr("unknown key 'env'"));
}

class ConfigFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::make_temp_dir();
    previous_ = std::filesystem::current_path();
    std::filesystem::current_path(dir_);
  }
  void TearDown() override {
    std::filesystem::current_path(previous_);
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::filesystem::path previous_;
};

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST_F(ConfigFiles, MissingDefaultFileIsFine) {
  const Config c = load_config({}, env_of({}));
  EXPECT_EQ(c.source, "");
  EXPECT_EQ(c.store, "sqlite:.auric/migrations.db");
}

TEST_F(ConfigFiles, MissingExplicitFileIsAnError) {
  ConfigOverrides o;
  o.config_path = "nope.toml";
  EXPECT_THROW(load_config(o, env_of({})), ConfigError);
  EXPECT_THROW(load_config({}, env_of({{"AURIC_MIGRATE_CONFIG", "nope.toml"}})), ConfigError);
}

TEST_F(ConfigFiles, PrecedenceFlagOverEnvOverEnvSectionOverFile) {
  test::write_file("migrate.config.toml", "store = \"sqlite:file.db\"\n[env.ci]\nstore = \"sqlite:ci.db\"\n");
  EXPECT_EQ(load_config({}, env_of({})).store, "sqlite:file.db");
  EXPECT_EQ(load_config({}, env_of({{"AURIC_MIGRATE_ENV", "ci"}})).store, "sqlite:ci.db");
  EXPECT_EQ(load_config({}, env_of({{"AURIC_MIGRATE_ENV", "ci"}, {"AURIC_MIGRATE_STORE", "memory:"}})).store,
            "memory:");
  ConfigOverrides o;
  o.store = "sqlite:flag.db";
  EXPECT_EQ(load_config(o, env_of({{"AURIC_MIGRATE_STORE", "memory:"}})).store, "sqlite:flag.db");
  EXPECT_EQ(load_config({}, env_of({{"AURIC_MIGRATE_MIGRATIONS_DIR", "x"}})).migrations_dir, "x");
}

}  // namespace
}  // namespace auric::app
