// Profile listing (the reference's INI rules, malformed / missing / empty files) and the
// choice order: --profile, AWS_PROFILE, the picker; the reference's messages.
#include <gtest/gtest.h>

#include <deque>
#include <optional>

#include "aws/environment.hpp"
#include "dashboard_tool/profiles.hpp"
#include "dashboard_tool/prompt.hpp"
#include "test_support.hpp"

namespace auric::dashboard_tool {
namespace {

std::vector<std::string> names(const std::vector<AwsProfile>& ps) {
  std::vector<std::string> out;
  out.reserve(ps.size());
  for (const auto& p : ps) out.push_back(p.name);
  return out;
}

class ScriptedPrompter final : public Prompter {
 public:
  std::deque<std::size_t> picks;
  std::vector<std::string> titles;
  std::vector<std::vector<std::string>> options;
  std::size_t pick(const std::string& title, const std::vector<std::string>& opts, std::size_t) override {
    titles.push_back(title);
    options.push_back(opts);
    if (picks.empty()) throw ToolError("Aborted: no selection made.");
    const std::size_t n = picks.front();
    picks.pop_front();
    return n;
  }
  bool confirm(const std::string&, bool) override { return false; }
};

TEST(ProfilesTest, ConfigAndCredentialsSectionsSortedWithSsoMarked) {
  const auto ps = parse_profiles(
      "[default]\nregion = us-east-1\n"
      "[profile zeta]\nregion=eu-west-1\n"
      "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nregion = eu-central-1\n"
      "[profile legacy]\nsso_start_url = https://x.awsapps.com/start\n"
      "[profile acct]\nsso_account_id = 999\n"
      "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
      "[bare]\nregion = ap-south-1\n",
      "[default]\naws_access_key_id = A\n[ci]\naws_access_key_id = B\n[dev]\naws_access_key_id = C\n");
  EXPECT_EQ(names(ps), (std::vector<std::string>{"acct", "ci", "default", "dev", "legacy", "zeta"}));
  const auto& dev = ps[3];
  EXPECT_TRUE(dev.is_sso);
  EXPECT_EQ(dev.region, "eu-central-1");
  EXPECT_EQ(dev.sso_account_id, "111122223333");
  EXPECT_EQ(dev.sso_session, "corp");
  EXPECT_TRUE(ps[0].is_sso) << "sso_account_id alone marks SSO";
  EXPECT_TRUE(ps[4].is_sso) << "sso_start_url marks SSO";
  EXPECT_FALSE(ps[1].is_sso) << "credentials-file profiles are not SSO";
  EXPECT_FALSE(ps[2].is_sso);
  EXPECT_EQ(ps[2].region, "us-east-1") << "the config file's section wins over the credentials file";
  EXPECT_EQ(profile_label(dev), "dev  (SSO, eu-central-1)");
  EXPECT_EQ(profile_label(ps[1]), "ci");
}

TEST(ProfilesTest, CommentsAnywhereRepeatedHeadersAndKeysBeforeSections) {
  const auto ps = parse_profiles(
      "region = ignored-before-any-section\n"
      "# a comment\n; another\n"
      "[profile a] # trailing comment\n"
      "region = eu-west-1 # comment inside the value\n"
      "[profile b]\nregion = us-west-2;comment\n"
      "[profile a]\nsso_session = s\n",
      "");
  ASSERT_EQ(names(ps), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ps[0].region, "eu-west-1");
  EXPECT_TRUE(ps[0].is_sso) << "repeated headers merge";
  EXPECT_EQ(ps[1].region, "us-west-2");
}

TEST(ProfilesTest, MalformedLinesAreIgnored) {
  const auto ps = parse_profiles(
      "[profile ok]\nthis line has no equals sign\n= no key\n[unterminated\nregion = r1\n[]\n"
      "[profile]\n[profile  spaced  ]\nregion = r2\n\x01\x02 binary\n",
      "garbage\n[\n[creds]\n");
  EXPECT_EQ(names(ps), (std::vector<std::string>{"creds", "ok", "spaced"}));
  EXPECT_EQ(ps[1].region, "r1") << "a malformed header does not start a section";
  EXPECT_EQ(ps[2].region, "r2");
}

TEST(ProfilesTest, EmptyAndMissingFiles) {
  EXPECT_TRUE(parse_profiles("", "").empty());
  EXPECT_TRUE(parse_profiles("\n\n# only comments\n", "  \n").empty());
  aws::testing::TempHome home;
  auto env = home.env();
  EXPECT_TRUE(load_profiles(*env).empty()) << "no ~/.aws files";
  home.write(".aws/credentials", "[only-creds]\naws_access_key_id = A\n");
  EXPECT_EQ(names(load_profiles(*env)), std::vector<std::string>{"only-creds"});
  // AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE name other files.
  const auto config = home.write("elsewhere/config", "[profile from-env]\nregion = r\n");
  env->set("AWS_CONFIG_FILE", config.string());
  env->set("AWS_SHARED_CREDENTIALS_FILE", (home.path() / "missing").string());
  EXPECT_EQ(names(load_profiles(*env)), std::vector<std::string>{"from-env"});
}

class ChoiceTest : public ::testing::Test {
 protected:
  std::vector<AwsProfile> profiles_ =
      parse_profiles("[profile a]\n[profile b]\nregion = r\n[profile c]\n", "");
  ScriptedPrompter prompter_;
};

TEST_F(ChoiceTest, FlagFirst) {
  EXPECT_EQ(choose_profile(profiles_, {"b", std::string("c"), false}, &prompter_).name, "b");
  EXPECT_TRUE(prompter_.titles.empty());
  try {
    choose_profile(profiles_, {"nope", std::nullopt, false}, &prompter_);
    FAIL();
  } catch (const ToolError& e) {
    EXPECT_STREQ(e.what(), "Profile \"nope\" not found. Available: a, b, c");
  }
}

TEST_F(ChoiceTest, AwsProfileSecond) {
  EXPECT_EQ(choose_profile(profiles_, {"", std::string("c"), false}, &prompter_).name, "c");
  EXPECT_EQ(choose_profile(profiles_, {"", std::string("c"), true}, nullptr).name, "c");
  EXPECT_TRUE(prompter_.titles.empty());
  try {
    choose_profile(profiles_, {"", std::string("zz"), true}, nullptr);
    FAIL();
  } catch (const ToolError& e) {
    EXPECT_STREQ(e.what(), "AWS_PROFILE=zz not found in config files.");
  }
}

TEST_F(ChoiceTest, PickerLast) {
  prompter_.picks = {1};
  EXPECT_EQ(choose_profile(profiles_, {"", std::nullopt, false}, &prompter_).name, "b");
  ASSERT_EQ(prompter_.titles.size(), 1u);
  EXPECT_EQ(prompter_.titles[0], "Select an AWS profile");
  EXPECT_EQ(prompter_.options[0], (std::vector<std::string>{"a", "b", "c"}));
  // An unknown AWS_PROFILE on a terminal falls through to the picker.
  prompter_.picks = {2};
  EXPECT_EQ(choose_profile(profiles_, {"", std::string("zz"), false}, &prompter_).name, "c");
}

TEST_F(ChoiceTest, NoPickerWithoutTerminalOrWhenNonInteractive) {
  for (Prompter* p : {static_cast<Prompter*>(nullptr), static_cast<Prompter*>(&prompter_)}) {
    try {
      choose_profile(profiles_, {"", std::nullopt, p != nullptr}, p);
      FAIL();
    } catch (const ToolError& e) {
      EXPECT_STREQ(e.what(),
                   "No --profile flag and AWS_PROFILE is unset; interactive selection is disabled.");
    }
  }
  EXPECT_TRUE(prompter_.titles.empty());
}

TEST_F(ChoiceTest, NoProfilesAtAll) {
  try {
    choose_profile({}, {"x", std::nullopt, false}, &prompter_);
    FAIL();
  } catch (const ToolError& e) {
    EXPECT_STREQ(e.what(),
                 "No AWS profiles found in ~/.aws/config or ~/.aws/credentials. Configure one with "
                 "`aws configure sso` or `aws configure`.");
  }
}

}  // namespace
}  // namespace auric::dashboard_tool
