// The binary driven like a user would: through a pseudo-terminal (choosing a profile,
// choosing among several functions, declining or accepting `aws sso login`, a failing AWS
// CLI) and with a stdin pipe that never closes (--non-interactive must never wait).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "aws/encoding.hpp"
#include "dashboard_tool/tool.hpp"
#include "service_fakes.hpp"
#include "test_support.hpp"
#include "tool_fixture.hpp"

namespace auric::dashboard_tool {
namespace {

using namespace std::chrono_literals;
using testing::EnvMap;
using testing::PtySession;

class TerminalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_.write(
        ".aws/config",
        "[profile alpha]\nregion = eu-west-1\n"
        "[profile beta]\nregion = us-west-2\n"
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n"
        "region = eu-central-1\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n");
    home_.write(".aws/credentials",
                "[alpha]\naws_access_key_id = AKIDALPHA\naws_secret_access_key = s\n"
                "[beta]\naws_access_key_id = AKIDBETA\naws_secret_access_key = s\n");
    std::filesystem::create_directories(bin_dir());
  }

  std::filesystem::path bin_dir() const { return home_.path() / "bin"; }

  EnvMap env() const {
    return {{"HOME", home_.path().string()},
            {"PATH", bin_dir().string() + ":/usr/bin:/bin"},
            {"TERM", "dumb"},
            {"AWS_EC2_METADATA_DISABLED", "true"},
            {"AWS_ENDPOINT_URL_STS", sts_.endpoint()},
            {"AWS_ENDPOINT_URL_SSO", sso_.endpoint()},
            {"AWS_ENDPOINT_URL_LAMBDA", lambda_.endpoint()},
            {"AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9"}};
  }

  void write_sso_cache(const std::string& expires_at) {
    home_.write(".aws/sso/cache/" + aws::sha1_hex("corp") + ".json",
                R"({"accessToken":"sso-access-token","expiresAt":")" + expires_at + R"("})");
  }

  // A fake `aws` on PATH: records its arguments, then writes a fresh SSO cache (or fails).
  void install_fake_aws(bool succeed) {
    const auto script = bin_dir() / "aws";
    std::ofstream(script) << "#!/bin/sh\n"
                          << "echo \"$@\" > '" << (home_.path() / "aws-args").string() << "'\n"
                          << (succeed ? "" : "echo 'sso login failed' >&2; exit 1\n") << "cat > '"
                          << (home_.path() / ".aws/sso/cache" / (aws::sha1_hex("corp") + ".json")).string()
                          << "' <<'EOF'\n"
                          << R"({"accessToken":"sso-access-token","expiresAt":"2099-01-01T00:00:00Z"})"
                          << "\n"
                          << "EOF\n";
    ::chmod(script.c_str(), 0755);
  }

  std::string aws_args() const {
    std::ifstream in(home_.path() / "aws-args");
    std::string s;
    std::getline(in, s);
    return s;
  }

  static void stop_cleanly(PtySession& s, int sig = SIGTERM) {
    s.signal(sig);
    EXPECT_TRUE(s.expect("> Shutting down...")) << s.output();
    EXPECT_EQ(s.wait_exit(), 0) << s.output();
  }

  aws::testing::TempHome home_;
  aws::testing::FakeSts sts_;
  aws::testing::FakeSso sso_;
  testing::FakeLambda lambda_;
};

TEST_F(TerminalTest, ChoosingAProfileInThePicker) {
  PtySession s({"--no-open", "--port", "0", "--function-name", "f", "--table-name", "stack-MigrationsTable"},
               env());
  ASSERT_TRUE(s.expect("Enter a number")) << s.output();
  EXPECT_NE(s.output().find("Select an AWS profile"), std::string::npos);
  EXPECT_NE(s.output().find("dev  (SSO, eu-central-1)"), std::string::npos) << s.output();
  s.send("2\n");  // alpha, beta, dev
  ASSERT_TRUE(s.expect("> Dashboard ready: http://127.0.0.1:")) << s.output();
  EXPECT_NE(s.output().find("> Using AWS profile: beta (us-west-2)"), std::string::npos) << s.output();
  EXPECT_NE(s.output().find("> Identity: arn:aws:iam::123456789012:user/tester (account 123456789012)"),
            std::string::npos);
  EXPECT_NE(s.output().find("> Lambda: f"), std::string::npos);
  EXPECT_NE(s.output().find("> Table:  stack-MigrationsTable"), std::string::npos);
  ASSERT_FALSE(sts_.calls().empty());
  EXPECT_NE(sts_.calls().front().authorization.find("Credential=AKIDBETA/"), std::string::npos)
      << "STS is called with the chosen profile's keys";
  EXPECT_EQ(lambda_.list_calls(), 0u) << "--function-name skips the listing";
  stop_cleanly(s);
}

TEST_F(TerminalTest, ChoosingAmongSeveralFunctions) {
  lambda_.set_functions({"stack-MigrationFn-one", "unrelated", "stack-MigrationFn-two"}, 2);
  PtySession s({"-p", "alpha", "--no-open", "--port", "0", "--table-name", "stack-MigrationsTable"}, env());
  ASSERT_TRUE(s.expect("Enter a number")) << s.output();
  EXPECT_NE(s.output().find("Multiple Lambdas match \"MigrationFn\". Pick one:"), std::string::npos);
  s.send("2\n");
  ASSERT_TRUE(s.expect("> Dashboard ready")) << s.output();
  EXPECT_NE(s.output().find("> Lambda: stack-MigrationFn-two"), std::string::npos) << s.output();
  EXPECT_EQ(lambda_.list_calls(), 2u);
  stop_cleanly(s, SIGINT);
}

TEST_F(TerminalTest, DecliningSsoLoginAborts) {
  write_sso_cache("2020-01-01T00:00:00Z");
  install_fake_aws(true);
  PtySession s(
      {"--profile", "dev", "--no-open", "--function-name", "f", "--table-name", "stack-MigrationsTable"},
      env());
  ASSERT_TRUE(s.expect("Run `aws sso login --profile dev` now? (y/N)")) << s.output();
  s.send("n\n");
  EXPECT_EQ(s.wait_exit(), 1) << s.output();
  EXPECT_NE(s.output().find("error: Aborted: please run `aws sso login --profile dev` and retry."),
            std::string::npos)
      << s.output();
  EXPECT_EQ(aws_args(), "") << "the CLI was not run";
  EXPECT_TRUE(sso_.calls().empty());
}

TEST_F(TerminalTest, AcceptingSsoLoginRunsTheCliAndRetriesOnce) {
  write_sso_cache("2020-01-01T00:00:00Z");
  install_fake_aws(true);
  PtySession s({"--profile", "dev", "--no-open", "--port", "0", "--function-name", "f", "--table-name",
                "stack-MigrationsTable"},
               env());
  ASSERT_TRUE(s.expect("now? (y/N)")) << s.output();
  s.send("y\n");
  ASSERT_TRUE(s.expect("> Dashboard ready")) << s.output();
  EXPECT_EQ(aws_args(), "sso login --profile dev");
  ASSERT_EQ(sso_.calls().size(), 1u);
  EXPECT_EQ(sso_.calls()[0].first, "111122223333");
  ASSERT_FALSE(sts_.calls().empty());
  EXPECT_NE(sts_.calls().front().authorization.find("Credential=ASIAFAKE/"), std::string::npos)
      << "STS is called with the SSO role credentials";
  stop_cleanly(s);
}

TEST_F(TerminalTest, FailingCliGivesTheReferenceMessage) {
  write_sso_cache("2020-01-01T00:00:00Z");
  install_fake_aws(false);
  PtySession s(
      {"--profile", "dev", "--no-open", "--function-name", "f", "--table-name", "stack-MigrationsTable"},
      env());
  ASSERT_TRUE(s.expect("now? (y/N)")) << s.output();
  s.send("y\n");
  EXPECT_EQ(s.wait_exit(), 1) << s.output();
  EXPECT_NE(s.output().find("error: \"aws sso login --profile dev\" exited with code 1"), std::string::npos)
      << s.output();
}

TEST_F(TerminalTest, MissingCliGivesTheInstallHint) {
  write_sso_cache("2020-01-01T00:00:00Z");
  EnvMap e = env();
  e["PATH"] = bin_dir().string();  // empty directory, and no /usr/bin/aws on test machines
  if (std::filesystem::exists("/usr/bin/aws")) GTEST_SKIP() << "/usr/bin/aws exists here";
  PtySession s(
      {"--profile", "dev", "--no-open", "--function-name", "f", "--table-name", "stack-MigrationsTable"}, e);
  ASSERT_TRUE(s.expect("now? (y/N)")) << s.output();
  s.send("y\n");
  EXPECT_EQ(s.wait_exit(), 1) << s.output();
  EXPECT_NE(s.output().find("Is the AWS CLI installed and on $PATH?"), std::string::npos) << s.output();
}

// --non-interactive: every question becomes an error, and stdin is never read.
TEST_F(TerminalTest, NonInteractiveNeverWaitsForInput) {
  write_sso_cache("2020-01-01T00:00:00Z");
  install_fake_aws(true);
  lambda_.set_functions({"a-MigrationFn", "b-MigrationFn"});
  struct Case {
    std::vector<std::string> args;
    EnvMap extra;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--non-interactive"},
       {},
       "error: No --profile flag and AWS_PROFILE is unset; interactive selection is disabled."},
      {{"--non-interactive"},
       {{"AWS_PROFILE", "nope"}},
       "error: AWS_PROFILE=nope not found in config files."},
      {{"--non-interactive", "-p", "nope"},
       {},
       "error: Profile \"nope\" not found. Available: alpha, beta, dev"},
      {{"--non-interactive", "-p", "dev", "--function-name", "f", "--table-name", "stack-MigrationsTable"},
       {},
       "error: Aborted: please run `aws sso login --profile dev` and retry."},
      {{"--non-interactive", "--table-name", "stack-MigrationsTable"},
       {{"AWS_PROFILE", "alpha"}},
       "error: Multiple Lambdas match \"MigrationFn\": a-MigrationFn, b-MigrationFn. Pass --function-name "
       "<name> "
       "to choose one."},
  };
  for (const auto& c : cases) {
    EnvMap e = env();
    for (const auto& [k, v] : c.extra) e[k] = v;
    std::vector<std::string> args = c.args;
    args.emplace_back("--no-open");
    const auto r = testing::run_with_open_stdin(args, e, 15s);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_LT(r.elapsed, 10s) << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("? "), std::string::npos) << "no prompt shown: " << r.output;
  }
  EXPECT_EQ(aws_args(), "") << "the CLI was never run";
}

TEST_F(TerminalTest, NoProfilesAtAll) {
  std::filesystem::remove(home_.path() / ".aws/config");
  std::filesystem::remove(home_.path() / ".aws/credentials");
  const auto r = testing::run_with_open_stdin({"--no-open"}, env(), 15s);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("error: No AWS profiles found in ~/.aws/config or ~/.aws/credentials."),
            std::string::npos)
      << r.output;
}

TEST_F(TerminalTest, PrintsTheUrlWhenTheBrowserCannotBeOpened) {
  EnvMap e = env();
  e["PATH"] = bin_dir().string();  // no xdg-open
  PtySession s(
      {"-p", "alpha", "--port", "0", "--function-name", "f", "--table-name", "stack-MigrationsTable"}, e);
  ASSERT_TRUE(
      s.expect("(Could not auto-open browser: xdg-open failed; navigate manually to http://127.0.0.1:"))
      << s.output();
  stop_cleanly(s);
}

TEST(PortTest, InvalidValuesFallBackToTheDefault) {
  EXPECT_EQ(parse_port("0"), 0);
  EXPECT_EQ(parse_port("8080"), 8080);
  for (const char* bad : {"", "abc", "-1", "65536", "80x", "3.5"})
    EXPECT_EQ(parse_port(bad), kDefaultPort) << bad;
}

TEST_F(TerminalTest, VersionAndHelp) {
  auto v = testing::run_with_open_stdin({"--version"}, env(), 10s);
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.output.find("auric-migrate-dashboard "), std::string::npos) << v.output;
  auto h = testing::run_with_open_stdin({"--help"}, env(), 10s);
  EXPECT_EQ(h.exit_code, 0);
  for (const char* flag : {"--profile", "--region", "--function-name", "--table-name", "--port", "--no-open",
                           "--non-interactive"}) {
    EXPECT_NE(h.output.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace auric::dashboard_tool
