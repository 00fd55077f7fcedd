// Discovery against real pagination (a fake Lambda endpoint serving several pages of
// ListFunctions, dynalite with more tables than one ListTables page), the choice among
// matches, and the expired-SSO detection rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "aws/dynamodb.hpp"
#include "aws/errors.hpp"
#include "aws/lambda.hpp"
#include "dashboard_tool/discovery.hpp"
#include "dashboard_tool/profiles.hpp"
#include "dashboard_tool/prompt.hpp"
#include "dashboard_tool/sso_login.hpp"
#include "dynalite_server.hpp"
#include "tool_fixture.hpp"

namespace auric::dashboard_tool {
namespace {

aws::ClientConfig fake_config(const std::string& endpoint) {
  aws::ClientConfig c;
  c.region = "us-east-1";
  c.endpoint = endpoint;
  c.credentials = aws::testing::emulator_credentials();
  return c;
}

TEST(DiscoveryTest, ListFunctionsFollowsEveryPage) {
  testing::FakeLambda fake;
  std::vector<std::string> names;
  names.reserve(26);
  for (int i = 0; i < 23; ++i) names.push_back("other-" + std::to_string(i));
  names.emplace_back("prod-MigrationFn-b");
  names.emplace_back("migrationfn-lowercase");
  names.insert(names.begin() + 3, "prod-MigrationFn-a");
  fake.set_functions(names, 5);
  aws::LambdaClient lambda(fake_config(fake.endpoint()));
  EXPECT_EQ(find_migration_functions(lambda),
            (std::vector<std::string>{"prod-MigrationFn-a", "prod-MigrationFn-b"}));
  EXPECT_EQ(fake.list_calls(), 6u) << "26 functions in pages of 5";
}

TEST(DiscoveryTest, ListTablesFollowsLastEvaluatedTableNameOnDynalite) {
  aws::testing::DynaliteServer dynalite;
  aws::DynamoDbClient db(dynalite.client_config());
  auto create = [&](const std::string& name) {
    db.create_table({{"TableName", name},
                     {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
                     {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
                     {"BillingMode", "PAY_PER_REQUEST"}});
  };
  for (int i = 0; i < 102; ++i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "t%03d", i);
    create(buf);
  }
  create("a-MigrationsTable-1");  // first page
  create("z-MigrationsTable-2");  // beyond the first page of 100
  const auto first = db.list_tables();
  ASSERT_TRUE(first.contains("LastEvaluatedTableName")) << "the fixture must need two pages";
  EXPECT_EQ(find_migrations_tables(db),
            (std::vector<std::string>{"a-MigrationsTable-1", "z-MigrationsTable-2"}));
}

class OnePick final : public Prompter {
 public:
  std::size_t answer = 1;
  std::string title;
  std::size_t pick(const std::string& t, const std::vector<std::string>&, std::size_t) override {
    title = t;
    return answer;
  }
  bool confirm(const std::string&, bool) override { return false; }
};

TEST(DiscoveryTest, OneMatchIsUsedSeveralArePickedNoneIsAnError) {
  OnePick picker;
  EXPECT_EQ(choose_resource(ResourceKind::kFunction, {"x-MigrationFn"}, &picker), "x-MigrationFn");
  EXPECT_TRUE(picker.title.empty());
  EXPECT_EQ(choose_resource(ResourceKind::kFunction, {"a-MigrationFn", "b-MigrationFn"}, &picker),
            "b-MigrationFn");
  EXPECT_EQ(picker.title, "Multiple Lambdas match \"MigrationFn\". Pick one:");
  EXPECT_EQ(choose_resource(ResourceKind::kTable, {"a", "b"}, &picker), "b");
  try {
    choose_resource(ResourceKind::kFunction, {}, &picker);
    FAIL();
  } catch (const ToolError& e) {
    EXPECT_STREQ(e.what(),
                 "No Lambda functions matching \"MigrationFn\" found in this account/region. Pass "
                 "--function-name <name> if the function is named differently.");
  }
  try {
    choose_resource(ResourceKind::kTable, {}, nullptr);
    FAIL();
  } catch (const ToolError& e) {
    EXPECT_NE(std::string(e.what()).find("--table-name <name>"), std::string::npos) << e.what();
  }
  try {
    choose_resource(ResourceKind::kTable, {"a-MigrationsTable", "b-MigrationsTable"}, nullptr);
    FAIL();
  } catch (const ToolError& e) {
    EXPECT_STREQ(e.what(),
                 "Multiple tables match \"MigrationsTable\": a-MigrationsTable, b-MigrationsTable. Pass "
                 "--table-name <name> to choose one.");
  }
}

TEST(SsoExpiryTest, ReferencePatternsAndErrorKinds) {
  for (const char* m : {"The SSO session associated with this profile has expired", "Token is expired",
                        "SSO session 'corp' has expired", "No cached SSO session credentials",
                        "Failed to load SSO credentials", "SSO authorization has expired"}) {
    EXPECT_TRUE(matches_sso_expiry_message(m)) << m;
  }
  EXPECT_FALSE(matches_sso_expiry_message("Access denied"));
  EXPECT_TRUE(is_expired_sso_error(aws::SsoTokenExpiredError("dev", "the SSO session expired at x")));
  aws::AwsError::Details d;
  d.code = "ExpiredTokenException";
  d.message = "whatever";
  EXPECT_TRUE(is_expired_sso_error(aws::AwsError(d)));
  d.code = "SSOTokenInvalidException";
  EXPECT_TRUE(is_expired_sso_error(aws::AwsError(d)));
  EXPECT_FALSE(is_expired_sso_error(aws::CredentialsError("profile dev", "")))
      << "an empty credentials message is not a match";
  EXPECT_TRUE(is_expired_sso_error(aws::CredentialsError("assume role", "source: token has expired")));
  EXPECT_FALSE(is_expired_sso_error(aws::CredentialsError("process", "credential_process exited with 1")));
  EXPECT_TRUE(is_expired_sso_error(std::runtime_error("failed to load SSO credentials")));
  EXPECT_FALSE(is_expired_sso_error(std::runtime_error("disk full")));
}

TEST(SsoLoginTest, FindsTheCliOnPath) {
  EXPECT_EQ(find_aws_cli("/nonexistent-dir"), "");
}

}  // namespace
}  // namespace auric::dashboard_tool
