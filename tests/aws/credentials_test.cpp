// The credential chain: every provider against temp ~/.aws files and in-process fakes
// (STS, SSO, container endpoint, IMDSv2), the chain order, caching and refresh, malformed
// files and failing credential_process commands, and expired SSO logins.
#include <gtest/gtest.h>

#include <atomic>

#include "aws/credential_providers.hpp"
#include "aws/errors.hpp"
#include "aws/session.hpp"
#include "aws/sts.hpp"
#include "service_fakes.hpp"
#include "test_http_server.hpp"
#include "test_support.hpp"

namespace auric::aws {
namespace {

using testing::FakeContainerCredentials;
using testing::FakeCredentials;
using testing::FakeImds;
using testing::FakeSso;
using testing::FakeSts;
using testing::TempHome;

ProviderContext context_with(std::shared_ptr<MapEnvironment> env) {
  ProviderContext c;
  c.env = std::move(env);
  c.retry.max_attempts = 2;
  c.retry.sleeper = [](std::chrono::milliseconds) {};
  return c;
}

template <typename E, typename F>
E expect_throw(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e;
  } catch (const std::exception& other) {
    ADD_FAILURE() << "unexpected exception: " << other.what();
    throw;
  }
  ADD_FAILURE() << "no exception thrown";
  throw std::logic_error("no exception");
}

// ------------------------------------------------------------------ environment

TEST(EnvironmentProvider, ReadsKeysAndToken) {
  auto env = std::make_shared<MapEnvironment>();
  env->set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env->set("AWS_SECRET_ACCESS_KEY", "secret-env");
  env->set("AWS_SESSION_TOKEN", "tok");
  const Credentials c = EnvironmentCredentialsProvider(env).get_credentials();
  EXPECT_EQ(c.access_key_id, "AKIDENV");
  EXPECT_EQ(c.secret_access_key, "secret-env");
  EXPECT_EQ(c.session_token, "tok");
  EXPECT_FALSE(c.expiration.has_value());
}

TEST(EnvironmentProvider, MissingIsNotFoundAndHalfSetIsAnError) {
  auto env = std::make_shared<MapEnvironment>();
  expect_throw<CredentialsNotFoundError>([&] { EnvironmentCredentialsProvider(env).get_credentials(); });
  env->set("AWS_ACCESS_KEY_ID", "AKID");
  const auto e =
      expect_throw<CredentialsError>([&] { EnvironmentCredentialsProvider(env).get_credentials(); });
  EXPECT_NE(e.code(), kCredentialsNotFoundCode);
  EXPECT_NE(std::string(e.what()).find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

// ------------------------------------------------------------------ shared files

TEST(SharedConfigFiles, ProfileSectionRules) {
  SharedConfig config;
  parse_config_text(
      "# comment\n"
      "[default]\nregion = eu-west-1\n"
      "[profile dev]\nregion=us-west-2\n s3 =\n   addressing_style = path\noutput = json\n"
      "[prod]\nregion = ap-south-1\n"  // not a profile in the config file
      "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
      ConfigFileKind::kConfig, "config", config);
  EXPECT_EQ(config.get("default", "region"), "eu-west-1");
  EXPECT_EQ(config.get("dev", "region"), "us-west-2");
  EXPECT_EQ(config.get("dev", "s3.addressing_style"), "path");
  EXPECT_EQ(config.get("dev", "output"), "json");
  EXPECT_EQ(config.profile("prod"), nullptr);
  ASSERT_NE(config.sso_session("corp"), nullptr);
  EXPECT_EQ(config.sso_session("corp")->at("sso_region"), "us-east-1");

  SharedConfig credentials;
  parse_config_text("[prod]\naws_access_key_id = AKIDPROD\r\naws_secret_access_key = s\r\n",
                    ConfigFileKind::kCredentials, "credentials", credentials);
  EXPECT_EQ(credentials.get("prod", "aws_access_key_id"), "AKIDPROD");
}

TEST(SharedConfigFiles, MalformedLinesNameFileAndLine) {
  SharedConfig config;
  try {
    parse_config_text("[default]\nregion = x\nthis line has no equals\n", ConfigFileKind::kConfig,
                      "/home/u/.aws/config", config);
    FAIL();
  } catch (const ConfigFileError& e) {
    EXPECT_NE(std::string(e.what()).find("/home/u/.aws/config:3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_config_text("[default\nregion = x\n", ConfigFileKind::kConfig, "c", config),
               ConfigFileError);
  EXPECT_THROW(parse_config_text("region = x\n", ConfigFileKind::kConfig, "c", config), ConfigFileError);
}

TEST(SharedConfigFiles, CredentialsFileWinsAndPathsFollowEnvironment) {
  TempHome home;
  home.write("custom/config",
             "[profile a]\nregion = us-east-2\naws_access_key_id = FROMCONFIG\naws_secret_access_key = c\n");
  home.write("custom/creds", "[a]\naws_access_key_id = FROMCREDS\naws_secret_access_key = k\n");
  auto env = home.env();
  env->set("AWS_CONFIG_FILE", (home.path() / "custom/config").string());
  env->set("AWS_SHARED_CREDENTIALS_FILE", (home.path() / "custom/creds").string());
  const SharedConfig config = load_shared_config(*env);
  EXPECT_EQ(config.get("a", "aws_access_key_id"), "FROMCREDS");
  EXPECT_EQ(config.get("a", "region"), "us-east-2");
  const Credentials c = ProfileCredentialsProvider(context_with(env), "a").get_credentials();
  EXPECT_EQ(c.access_key_id, "FROMCREDS");
}

TEST(ProfileProvider, StaticKeysFromSelectedProfile) {
  TempHome home;
  home.write(".aws/credentials",
             "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n"
             "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = v\naws_session_token = t\n");
  auto env = home.env();
  EXPECT_EQ(ProfileCredentialsProvider(context_with(env)).get_credentials().access_key_id, "AKIDDEFAULT");
  env->set("AWS_PROFILE", "dev");
  const Credentials c = ProfileCredentialsProvider(context_with(env)).get_credentials();
  EXPECT_EQ(c.access_key_id, "AKIDDEV");
  EXPECT_EQ(c.session_token, "t");
}

TEST(ProfileProvider, MissingSelectedProfileIsAnErrorButMissingDefaultIsNotFound) {
  TempHome home;
  auto env = home.env();
  expect_throw<CredentialsNotFoundError>(
      [&] { ProfileCredentialsProvider(context_with(env)).get_credentials(); });
  env->set("AWS_PROFILE", "nope");
  const auto e = expect_throw<CredentialsError>(
      [&] { ProfileCredentialsProvider(context_with(env)).get_credentials(); });
  EXPECT_NE(e.code(), kCredentialsNotFoundCode);
  EXPECT_NE(std::string(e.what()).find("'nope' is not defined"), std::string::npos) << e.what();
}

TEST(ProfileProvider, MalformedFileIsAClearError) {
  TempHome home;
  home.write(".aws/config", "[default]\nregion = us-east-1\n[profile broken\n");
  const auto e = expect_throw<CredentialsError>(
      [&] { ProfileCredentialsProvider(context_with(home.env())).get_credentials(); });
  EXPECT_NE(std::string(e.what()).find("config:3"), std::string::npos) << e.what();
}

TEST(ProfileProvider, RoleArnWithSourceProfileCallsAssumeRole) {
  TempHome home;
  FakeSts sts;
  FakeCredentials issued;
  issued.access_key_id = "ASIAROLE";
  sts.set_credentials(issued);
  home.write(".aws/config",
             "[profile base]\nregion = eu-central-1\n"
             "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = base\n"
             "role_session_name = auric-test\nexternal_id = ext-1\n");
  home.write(".aws/credentials", "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = b\n");
  auto env = home.env();
  env->set("AWS_ENDPOINT_URL_STS", sts.endpoint());
  const Credentials c = make_profile_credentials_provider(context_with(env), "admin")->get_credentials();
  EXPECT_EQ(c.access_key_id, "ASIAROLE");
  EXPECT_EQ(c.session_token, "fake-token");
  ASSERT_TRUE(c.expiration.has_value());
  EXPECT_EQ(c.account_id, "123456789012");
  const auto calls = sts.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].action, "AssumeRole");
  EXPECT_EQ(calls[0].params.at("RoleArn"), "arn:aws:iam::123456789012:role/Admin");
  EXPECT_EQ(calls[0].params.at("RoleSessionName"), "auric-test");
  EXPECT_EQ(calls[0].params.at("ExternalId"), "ext-1");
  EXPECT_NE(calls[0].authorization.find("Credential=AKIDBASE/"), std::string::npos)
      << "signed with the source profile";
}

TEST(ProfileProvider, AssumeRoleFailureAndSourceLoops) {
  TempHome home;
  FakeSts sts;
  sts.fail_with(403, "AccessDenied", "User is not authorized to perform: sts:AssumeRole");
  home.write(".aws/config",
             "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n"
             "[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n"
             "[profile c]\nrole_arn = arn:aws:iam::1:role/C\nsource_profile = d\n"
             "[profile d]\naws_access_key_id = AKIDD\naws_secret_access_key = d\n");
  auto env = home.env();
  env->set("AWS_ENDPOINT_URL_STS", sts.endpoint());
  const auto loop = expect_throw<CredentialsError>(
      [&] { ProfileCredentialsProvider(context_with(env), "a", true).get_credentials(); });
  EXPECT_NE(std::string(loop.what()).find("loop"), std::string::npos) << loop.what();
  const auto denied = expect_throw<CredentialsError>(
      [&] { ProfileCredentialsProvider(context_with(env), "c", true).get_credentials(); });
  EXPECT_NE(std::string(denied.what()).find("AccessDenied"), std::string::npos) << denied.what();
}

// ------------------------------------------------------------------ credential_process

TEST(ProcessProvider, ReadsVersionOneJson) {
  ProcessCredentialsProvider p(
      R"(printf '{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "p", "SessionToken": "st", "Expiration": "2030-01-01T00:00:00Z"}')");
  const Credentials c = p.get_credentials();
  EXPECT_EQ(c.access_key_id, "AKIDPROC");
  EXPECT_EQ(c.session_token, "st");
  ASSERT_TRUE(c.expiration.has_value());
  EXPECT_EQ(format_iso8601(*c.expiration), "2030-01-01T00:00:00Z");
}

TEST(ProcessProvider, FailingCommandReportsStatusAndStderr) {
  ProcessCredentialsProvider p("echo 'token expired, log in again' >&2; exit 3", "dev");
  const auto e = expect_throw<CredentialsError>([&] { p.get_credentials(); });
  const std::string what = e.what();
  EXPECT_NE(what.find("status 3"), std::string::npos) << what;
  EXPECT_NE(what.find("token expired, log in again"), std::string::npos) << what;
  EXPECT_NE(what.find("profile 'dev'"), std::string::npos) << what;
}

TEST(ProcessProvider, GarbageAndWrongVersionAreClearErrors) {
  const auto garbage = expect_throw<CredentialsError>(
      [] { ProcessCredentialsProvider("echo hello world").get_credentials(); });
  EXPECT_NE(std::string(garbage.what()).find("no JSON object"), std::string::npos) << garbage.what();
  const auto version = expect_throw<CredentialsError>([] {
    ProcessCredentialsProvider(R"(echo '{"Version": 2, "AccessKeyId": "a", "SecretAccessKey": "b"}')")
        .get_credentials();
  });
  EXPECT_NE(std::string(version.what()).find("Version"), std::string::npos);
  const auto missing = expect_throw<CredentialsError>(
      [] { ProcessCredentialsProvider(R"(echo '{"Version": 1, "AccessKeyId": "a"}')").get_credentials(); });
  EXPECT_NE(std::string(missing.what()).find("SecretAccessKey"), std::string::npos);
  const auto types = expect_throw<CredentialsError>([] {
    ProcessCredentialsProvider(R"(echo '{"Version": 1, "AccessKeyId": 5, "SecretAccessKey": "b"}')")
        .get_credentials();
  });
  EXPECT_NE(std::string(types.what()).find("not a string"), std::string::npos);
  EXPECT_THROW(ProcessCredentialsProvider("sleep 5", "", std::chrono::milliseconds(200)).get_credentials(),
               CredentialsError);
}

TEST(ProcessProvider, ConfiguredThroughAProfile) {
  TempHome home;
  home.write(".aws/config",
             "[profile proc]\ncredential_process = printf "
             "'{\"Version\":1,\"AccessKeyId\":\"AKIDFROMPROFILE\",\"SecretAccessKey\":\"x\"}'\n");
  const Credentials c =
      make_profile_credentials_provider(context_with(home.env()), "proc")->get_credentials();
  EXPECT_EQ(c.access_key_id, "AKIDFROMPROFILE");
}

// ------------------------------------------------------------------ SSO

class SsoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = home_.env();
    env_->set("AWS_ENDPOINT_URL_SSO", sso_.endpoint());
    home_.write(
        ".aws/config",
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion "
        "= us-west-2\n"
        "[profile legacy]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = eu-west-1\n"
        "sso_account_id = 444455556666\nsso_role_name = ReadOnly\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n");
  }
  void write_cache(const std::string& key, const std::string& token, const std::string& expires_at) {
    home_.write(
        ".aws/sso/cache/" + sha1_hex(key) + ".json",
        R"({"accessToken":")" + token + R"(","expiresAt":")" + expires_at + R"(","region":"us-east-1"})");
  }
  TempHome home_;
  FakeSso sso_;
  std::shared_ptr<MapEnvironment> env_;
};

TEST_F(SsoTest, SessionProfileUsesCachedTokenAndGetRoleCredentials) {
  write_cache("corp", "sso-access-token", "2099-01-01T00:00:00Z");
  FakeCredentials issued;
  issued.access_key_id = "ASIASSO";
  sso_.set_credentials(issued);
  const Credentials c = make_profile_credentials_provider(context_with(env_), "dev")->get_credentials();
  EXPECT_EQ(c.access_key_id, "ASIASSO");
  ASSERT_TRUE(c.expiration.has_value());
  const auto calls = sso_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], std::make_pair(std::string("111122223333"), std::string("Developer")));
}

TEST_F(SsoTest, LegacyProfileKeysTheCacheByStartUrl) {
  write_cache("https://legacy.awsapps.com/start", "sso-access-token", "2099-01-01T00:00:00UTC");
  const Credentials c = make_profile_credentials_provider(context_with(env_), "legacy")->get_credentials();
  EXPECT_EQ(c.access_key_id, "ASIAFAKE");
  EXPECT_EQ(sso_.calls().at(0).first, "444455556666");
}

TEST_F(SsoTest, ExpiredOrMissingTokenIsSsoTokenExpiredError) {
  const auto missing = expect_throw<SsoTokenExpiredError>(
      [&] { make_profile_credentials_provider(context_with(env_), "dev")->get_credentials(); });
  EXPECT_NE(std::string(missing.what()).find("aws sso login --profile dev"), std::string::npos)
      << missing.what();
  EXPECT_EQ(missing.code(), kSsoTokenExpiredCode);

  write_cache("corp", "sso-access-token", "2020-01-01T00:00:00Z");
  const auto expired = expect_throw<SsoTokenExpiredError>(
      [&] { make_profile_credentials_provider(context_with(env_), "dev")->get_credentials(); });
  EXPECT_NE(std::string(expired.what()).find("expired"), std::string::npos);
  EXPECT_EQ(expired.profile(), "dev");
  EXPECT_TRUE(sso_.calls().empty()) << "no SSO call with an expired token";
}

TEST_F(SsoTest, RejectedTokenIsSsoTokenExpiredErrorAndBadCacheIsAnError) {
  write_cache("corp", "revoked-token", "2099-01-01T00:00:00Z");
  expect_throw<SsoTokenExpiredError>(
      [&] { make_profile_credentials_provider(context_with(env_), "dev")->get_credentials(); });
  home_.write(".aws/sso/cache/" + sha1_hex("corp") + ".json", "{not json");
  const auto bad = expect_throw<CredentialsError>(
      [&] { make_profile_credentials_provider(context_with(env_), "dev")->get_credentials(); });
  EXPECT_NE(std::string(bad.what()).find("not a JSON object"), std::string::npos) << bad.what();
}

// ------------------------------------------------------------------ web identity

TEST(WebIdentityProvider, ExchangesTheTokenFileUnsigned) {
  TempHome home;
  FakeSts sts;
  const auto token_file = home.write("token", "eyJhbGciOi.fake.jwt\n");
  auto env = home.env();
  env->set("AWS_ENDPOINT_URL_STS", sts.endpoint());
  env->set("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.string());
  env->set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/Pod");
  env->set("AWS_ROLE_SESSION_NAME", "pod-session");
  const Credentials c =
      WebIdentityCredentialsProvider::from_environment(context_with(env))->get_credentials();
  EXPECT_EQ(c.access_key_id, "ASIAFAKE");
  const auto calls = sts.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].action, "AssumeRoleWithWebIdentity");
  EXPECT_EQ(calls[0].params.at("WebIdentityToken"), "eyJhbGciOi.fake.jwt");
  EXPECT_EQ(calls[0].params.at("RoleSessionName"), "pod-session");
  EXPECT_TRUE(calls[0].authorization.empty()) << "AssumeRoleWithWebIdentity is not signed";
}

TEST(WebIdentityProvider, NotConfiguredOrUnreadable) {
  TempHome home;
  auto env = home.env();
  expect_throw<CredentialsNotFoundError>(
      [&] { WebIdentityCredentialsProvider::from_environment(context_with(env))->get_credentials(); });
  env->set("AWS_WEB_IDENTITY_TOKEN_FILE", (home.path() / "missing").string());
  env->set("AWS_ROLE_ARN", "arn:aws:iam::1:role/x");
  const auto e = expect_throw<CredentialsError>(
      [&] { WebIdentityCredentialsProvider::from_environment(context_with(env))->get_credentials(); });
  EXPECT_NE(std::string(e.what()).find("token file"), std::string::npos);
}

// ------------------------------------------------------------------ container

TEST(ContainerProvider, FullUriWithAuthorizationTokenFile) {
  TempHome home;
  FakeContainerCredentials fake;
  fake.require_authorization("Bearer secret-123");
  FakeCredentials issued;
  issued.access_key_id = "ASIATASK";
  fake.set_credentials(issued);
  auto env = home.env();
  env->set("AWS_CONTAINER_CREDENTIALS_FULL_URI", fake.endpoint() + "/v2/credentials/abc");
  env->set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", home.write("auth", "Bearer secret-123\n").string());
  env->set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored-when-file-set");
  const Credentials c = ContainerCredentialsProvider(context_with(env)).get_credentials();
  EXPECT_EQ(c.access_key_id, "ASIATASK");
  EXPECT_EQ(c.session_token, "fake-token");
  EXPECT_EQ(fake.paths().at(0), "/v2/credentials/abc");
}

TEST(ContainerProvider, RelativeUriAndTokenVariable) {
  TempHome home;
  FakeContainerCredentials fake;
  fake.require_authorization("plain-token");
  auto env = home.env();
  env->set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/task-1");
  env->set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "plain-token");
  const Credentials c = ContainerCredentialsProvider(context_with(env), fake.endpoint()).get_credentials();
  EXPECT_EQ(c.access_key_id, "ASIAFAKE");
  EXPECT_EQ(fake.paths().at(0), "/v2/credentials/task-1");
}

TEST(ContainerProvider, RejectsRemoteHttpHostsAndBadBodies) {
  TempHome home;
  auto env = home.env();
  env->set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://evil.example.com/creds");
  const auto host = expect_throw<CredentialsError>(
      [&] { ContainerCredentialsProvider(context_with(env)).get_credentials(); });
  EXPECT_NE(std::string(host.what()).find("not allowed"), std::string::npos);

  FakeContainerCredentials fake;
  fake.set_raw_body(R"({"AccessKeyId": "A"})");
  env->set("AWS_CONTAINER_CREDENTIALS_FULL_URI", fake.endpoint() + "/creds");
  const auto body = expect_throw<CredentialsError>(
      [&] { ContainerCredentialsProvider(context_with(env)).get_credentials(); });
  EXPECT_NE(std::string(body.what()).find("SecretAccessKey"), std::string::npos) << body.what();
  fake.set_raw_body("<html>");
  expect_throw<CredentialsError>([&] { ContainerCredentialsProvider(context_with(env)).get_credentials(); });
  env->unset("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  expect_throw<CredentialsNotFoundError>(
      [&] { ContainerCredentialsProvider(context_with(env)).get_credentials(); });
}

// ------------------------------------------------------------------ IMDS

TEST(ImdsProvider, UsesASessionToken) {
  FakeImds imds;
  FakeCredentials issued;
  issued.access_key_id = "ASIAINSTANCE";
  imds.set_credentials(issued);
  auto env = std::make_shared<MapEnvironment>();
  env->set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint() + "/");
  const Credentials c = ImdsCredentialsProvider(context_with(env)).get_credentials();
  EXPECT_EQ(c.access_key_id, "ASIAINSTANCE");
  ASSERT_TRUE(c.expiration.has_value());
  EXPECT_EQ(imds.token_requests(), 1u);
  EXPECT_EQ(imds.rejected(), 0u);
}

TEST(ImdsProvider, DisabledNoRoleOrUnreachableAreNotFound) {
  FakeImds imds;
  auto env = std::make_shared<MapEnvironment>();
  env->set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint());
  env->set("AWS_EC2_METADATA_DISABLED", "true");
  expect_throw<CredentialsNotFoundError>(
      [&] { ImdsCredentialsProvider(context_with(env)).get_credentials(); });
  EXPECT_EQ(imds.token_requests(), 0u);
  env->unset("AWS_EC2_METADATA_DISABLED");
  imds.set_role("");
  expect_throw<CredentialsNotFoundError>(
      [&] { ImdsCredentialsProvider(context_with(env)).get_credentials(); });
  std::string closed;
  {
    testing::TestHttpServer gone(
        [](const testing::TestRequest&) { return testing::TestResponse::text(200, ""); });
    closed = gone.url();
  }
  env->set("AWS_EC2_METADATA_SERVICE_ENDPOINT", closed);
  expect_throw<CredentialsNotFoundError>(
      [&] { ImdsCredentialsProvider(context_with(env)).get_credentials(); });
}

// ------------------------------------------------------------------ chain

class ChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = home_.env();
    container_.set_credentials(named("ASIACONTAINER"));
    env_->set("AWS_CONTAINER_CREDENTIALS_FULL_URI", container_.endpoint() + "/creds");
  }
  static FakeCredentials named(const std::string& id) {
    FakeCredentials c;
    c.access_key_id = id;
    return c;
  }
  std::string chain_key() {
    return make_default_credentials_chain(context_with(env_))->get_credentials().access_key_id;
  }

  TempHome home_;
  FakeContainerCredentials container_;
  std::shared_ptr<MapEnvironment> env_;
};

TEST_F(ChainTest, StandardOrder) {
  FakeSts sts;
  sts.set_credentials(named("ASIAWEBIDENTITY"));
  env_->set("AWS_ENDPOINT_URL_STS", sts.endpoint());
  env_->set("AWS_WEB_IDENTITY_TOKEN_FILE", home_.write("token", "jwt").string());
  env_->set("AWS_ROLE_ARN", "arn:aws:iam::1:role/r");
  home_.write(".aws/credentials", "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = p\n");
  env_->set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env_->set("AWS_SECRET_ACCESS_KEY", "e");

  EXPECT_EQ(chain_key(), "AKIDENV");
  env_->unset("AWS_ACCESS_KEY_ID");
  env_->unset("AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(chain_key(), "AKIDPROFILE");
  std::filesystem::remove(home_.path() / ".aws/credentials");
  EXPECT_EQ(chain_key(), "ASIAWEBIDENTITY");
  env_->unset("AWS_WEB_IDENTITY_TOKEN_FILE");
  EXPECT_EQ(chain_key(), "ASIACONTAINER");
}

TEST_F(ChainTest, ImdsIsLastAndNothingConfiguredListsEverySource) {
  FakeImds imds;
  imds.set_credentials(named("ASIAIMDS"));
  env_->unset("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  env_->unset("AWS_EC2_METADATA_DISABLED");
  env_->set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint());
  EXPECT_EQ(chain_key(), "ASIAIMDS");

  env_->set("AWS_EC2_METADATA_DISABLED", "true");
  const auto e = expect_throw<CredentialsNotFoundError>([&] { chain_key(); });
  const std::string what = e.what();
  for (const char* source :
       {"environment", "profile default", "web identity", "container", "EC2 instance metadata"}) {
    EXPECT_NE(what.find(source), std::string::npos) << source << " missing from: " << what;
  }
}

TEST_F(ChainTest, ABrokenConfiguredProfileStopsTheChain) {
  home_.write(".aws/config", "[default]\ncredential_process = exit 1\n");
  const auto e = expect_throw<CredentialsError>([&] { chain_key(); });
  EXPECT_NE(e.code(), kCredentialsNotFoundCode);
  EXPECT_TRUE(container_.paths().empty()) << "must not fall through to the container endpoint";
}

TEST_F(ChainTest, ExplicitProfileIgnoresEnvironmentCredentials) {
  home_.write(".aws/credentials", "[chosen]\naws_access_key_id = AKIDCHOSEN\naws_secret_access_key = c\n");
  env_->set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env_->set("AWS_SECRET_ACCESS_KEY", "e");
  env_->set("AWS_PROFILE", "other");
  EXPECT_EQ(make_profile_credentials_provider(context_with(env_), "chosen")->get_credentials().access_key_id,
            "AKIDCHOSEN");
  const auto e = expect_throw<CredentialsError>(
      [&] { make_profile_credentials_provider(context_with(env_), "absent")->get_credentials(); });
  EXPECT_NE(e.code(), kCredentialsNotFoundCode);
}

// ------------------------------------------------------------------ caching

class CountingProvider final : public CredentialsProvider {
 public:
  explicit CountingProvider(std::function<TimePoint()> expiry) : expiry_(std::move(expiry)) {}
  Credentials get_credentials() override {
    ++calls;
    Credentials c = testing::test_credentials("AKID" + std::to_string(calls.load()));
    if (expiry_) c.expiration = expiry_();
    return c;
  }
  std::string name() const override { return "counting"; }
  std::atomic<int> calls{0};

 private:
  std::function<TimePoint()> expiry_;
};

TEST(CachingProvider, RefreshesFiveMinutesBeforeExpiry) {
  TimePoint now = parse_iso8601("2024-01-01T00:00:00Z");
  auto inner = std::make_shared<CountingProvider>([&] { return now + std::chrono::minutes(15); });
  CachingCredentialsProvider cache(inner, [&] { return now; });
  EXPECT_EQ(cache.get_credentials().access_key_id, "AKID1");
  now += std::chrono::minutes(9);  // 6 minutes left: still cached
  EXPECT_EQ(cache.get_credentials().access_key_id, "AKID1");
  now += std::chrono::minutes(2);  // 4 minutes left: refresh
  EXPECT_EQ(cache.get_credentials().access_key_id, "AKID2");
  EXPECT_EQ(inner->calls.load(), 2);
  cache.invalidate();
  EXPECT_EQ(cache.get_credentials().access_key_id, "AKID3");
}

TEST(CachingProvider, NonExpiringCredentialsAreFetchedOnceEvenConcurrently) {
  auto inner = std::make_shared<CountingProvider>(nullptr);
  CachingCredentialsProvider cache(inner);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 100; ++j) cache.get_credentials();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(inner->calls.load(), 1);
}

TEST(CachingProvider, FailuresAreNotCached) {
  auto env = std::make_shared<MapEnvironment>();
  CachingCredentialsProvider cache(std::make_shared<EnvironmentCredentialsProvider>(env));
  EXPECT_THROW(cache.get_credentials(), CredentialsNotFoundError);
  env->set("AWS_ACCESS_KEY_ID", "AKIDLATER");
  env->set("AWS_SECRET_ACCESS_KEY", "s");
  EXPECT_EQ(cache.get_credentials().access_key_id, "AKIDLATER");
}

// A "never expires" date past the clock's range (2262) used to wrap into the past, so the
// cache refreshed on every call; every source of an Expiration saturates it instead.
TEST(CachingProvider, AnExpirationInYear9999NeverRefreshes) {
  const Credentials process = parse_process_credentials(
      R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s", "Expiration": "9999-12-31T23:59:59Z"})");
  EXPECT_EQ(process.expiration, TimePoint::max());
  const Credentials container = parse_container_credentials(
      R"({"AccessKeyId": "A", "SecretAccessKey": "s", "Token": "t", "Expiration": "9999-12-31T23:59:59Z"})");
  EXPECT_EQ(container.expiration, TimePoint::max());
  EXPECT_EQ(parse_sso_token_cache(R"({"accessToken": "t", "expiresAt": "9999-12-31T23:59:59Z"})", "c.json")
                .expires_at,
            TimePoint::max());
  const AssumedRole role = parse_assume_role_response(
      "AssumeRole",
      "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId>"
      "<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
      "<Expiration>9999-12-31T23:59:59Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>");
  EXPECT_EQ(role.credentials.expiration, TimePoint::max());
  auto inner = std::make_shared<CountingProvider>([] { return parse_iso8601("9999-12-31T23:59:59Z"); });
  CachingCredentialsProvider cache(inner);
  for (int i = 0; i < 3; ++i) cache.get_credentials();
  EXPECT_EQ(inner->calls.load(), 1);
  // A date before the clock's range is simply expired, and refreshes without overflowing.
  auto past = std::make_shared<CountingProvider>([] { return parse_iso8601("0001-01-01T00:00:00Z"); });
  CachingCredentialsProvider stale(past);
  for (int i = 0; i < 3; ++i) stale.get_credentials();
  EXPECT_EQ(past->calls.load(), 3);
}

TEST(Decoders, BadInputIsACredentialsErrorNamingTheSource) {
  for (const char* bad :
       {"", "[]", "{\"Version\": 2}", "{\"Version\": 1e535}", "{\"Version\": 1}",
        R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s", "Expiration": "soon"})"}) {
    EXPECT_THROW(parse_process_credentials(bad, "process"), CredentialsError) << bad;
  }
  EXPECT_THROW(parse_container_credentials(R"({"Code": "Failed", "AccessKeyId": "A"})"), CredentialsError);
  EXPECT_THROW(parse_sso_token_cache(R"({"accessToken": 1})", "c.json"), CredentialsError);
  EXPECT_THROW(parse_assume_role_response("AssumeRole", "<AssumeRoleResponse>"), AwsError);
  EXPECT_THROW(parse_assume_role_response("AssumeRole", "<Other/>"), AwsError);
}

// ------------------------------------------------------------------ session / STS end to end

TEST(Session, ProfileRegionAndEndpointFromEnvironmentDriveAClient) {
  TempHome home;
  FakeSts sts;
  home.write(".aws/config", "[profile ci]\nregion = eu-north-1\n");
  home.write(".aws/credentials", "[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = c\n");
  auto env = home.env();
  env->set("AWS_ENDPOINT_URL", sts.endpoint());
  env->set("AWS_MAX_ATTEMPTS", "5");
  SessionOptions options;
  options.profile = "ci";
  options.env = env;
  const ClientConfig config = make_client_config(options);
  EXPECT_EQ(config.region, "eu-north-1");
  EXPECT_EQ(config.retry.max_attempts, 5);
  StsClient client(config);
  const CallerIdentity identity = client.get_caller_identity();
  EXPECT_EQ(identity.account, "123456789012");
  EXPECT_EQ(identity.arn, "arn:aws:iam::123456789012:user/tester");
  const auto calls = sts.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_NE(calls[0].authorization.find("Credential=AKIDCI/"), std::string::npos);
  EXPECT_NE(calls[0].authorization.find("/eu-north-1/sts/aws4_request"), std::string::npos);
}

}  // namespace
}  // namespace auric::aws
