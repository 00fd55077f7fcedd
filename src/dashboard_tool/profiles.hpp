// AWS profiles as the dashboard tool lists them (reference section 10.2, step 1): the
// [default] and [profile X] sections of the config file plus the bare [X] sections of the
// credentials file, lenient INI parsing, sorted by name, SSO profiles marked. Also the
// choice of one profile: the flag, then AWS_PROFILE, then an interactive picker. Pure
// functions over text, plus a loader for the files named by the environment.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "aws/environment.hpp"

namespace auric::dashboard_tool {

class Prompter;

// A user-facing failure: printed as `error: <message>`, exit 1.
class ToolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AwsProfile {
  std::string name;
  bool is_sso = false;  // sso_session, sso_start_url or sso_account_id present
  std::string region;
  std::string sso_account_id;
  std::string sso_session;

  bool operator==(const AwsProfile&) const = default;
};

// Lists profiles from the two files' text (either may be empty). Never throws: lines that
// are not `[section]` or `key = value` are ignored, `#`/`;` start a comment anywhere, repeated
// headers merge, keys before the first section are ignored.
std::vector<AwsProfile> parse_profiles(std::string_view config_text, std::string_view credentials_text);

// Reads the files (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/...); a missing
// or unreadable file counts as empty.
std::vector<AwsProfile> load_profiles(const aws::Environment& env);

// "name" or "name  (SSO, region)".
std::string profile_label(const AwsProfile& profile);

struct ProfileChoice {
  std::string flag;                        // --profile ("" = not given)
  std::optional<std::string> aws_profile;  // AWS_PROFILE
  bool non_interactive = false;
};

// Chooses a profile. `prompter` is null when no terminal is available (then the choice
// behaves as with --non-interactive). Throws ToolError with the reference's messages.
const AwsProfile& choose_profile(const std::vector<AwsProfile>& profiles, const ProfileChoice& choice,
                                 Prompter* prompter);

}  // namespace auric::dashboard_tool
