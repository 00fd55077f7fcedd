// The shared AWS config and credentials files (~/.aws/config, ~/.aws/credentials):
// profiles, sso-session sections and the file-name rules of the AWS CLI. Parsing is pure;
// loading reads the files named by the environment. Values; thread-safe once built.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "aws/environment.hpp"

namespace auric::aws {

class ConfigFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Properties of one section. Keys are lowercase; nested "s3 =\n  key = v" becomes "s3.key".
using ConfigSection = std::map<std::string, std::string, std::less<>>;

struct SharedConfig {
  std::map<std::string, ConfigSection, std::less<>> profiles;
  std::map<std::string, ConfigSection, std::less<>> sso_sessions;

  // The merged profile (credentials-file values win), or nullptr.
  const ConfigSection* profile(std::string_view name) const;
  const ConfigSection* sso_session(std::string_view name) const;
  // A property of a profile, or nullopt.
  std::optional<std::string> get(std::string_view profile_name, std::string_view key) const;
};

enum class ConfigFileKind { kConfig, kCredentials };

// Parses one file's text into `into`. Config files use "[default]", "[profile x]" and
// "[sso-session x]"; credentials files use "[x]". A "[x]" in a config file (other than
// default) is ignored, as the AWS CLI does. `source` names the file in messages.
// Throws ConfigFileError ("file:line: what") on malformed lines.
void parse_config_text(std::string_view text, ConfigFileKind kind, std::string_view source,
                       SharedConfig& into);

// Paths from AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and
// ~/.aws/credentials ("~" expanded from HOME).
std::string config_file_path(const Environment& env);
std::string credentials_file_path(const Environment& env);

// Loads both files; a missing file counts as empty. Throws ConfigFileError when a file
// exists but is malformed or unreadable.
SharedConfig load_shared_config(const Environment& env);

// AWS_PROFILE, else "default".
std::string selected_profile(const Environment& env);

// Expands a leading "~/" using HOME.
std::string expand_home(std::string_view path, const Environment& env);

}  // namespace auric::aws
