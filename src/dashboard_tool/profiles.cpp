#include "dashboard_tool/profiles.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "aws/config_file.hpp"
#include "dashboard_tool/prompt.hpp"

namespace auric::dashboard_tool {
namespace {

using Sections = std::map<std::string, std::map<std::string, std::string>, std::less<>>;

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Lenient INI: comments anywhere, `[name]` headers (merged when repeated), `key = value`.
// Section names are kept raw (trimmed), e.g. "profile dev".
Sections parse_ini(std::string_view text) {
  Sections sections;
  std::map<std::string, std::string>* current = nullptr;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (const auto c = line.find_first_of("#;"); c != std::string_view::npos) line = line.substr(0, c);
    line = trim(line);
    if (line.empty()) continue;
    if (line.front() == '[') {
      const auto close = line.find(']');
      if (close == std::string_view::npos) continue;  // malformed header: ignored
      const std::string name(trim(line.substr(1, close - 1)));
      current = name.empty() ? nullptr : &sections[name];
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || current == nullptr) continue;
    const std::string key(trim(line.substr(0, eq)));
    if (key.empty()) continue;
    (*current)[key] = std::string(trim(line.substr(eq + 1)));
  }
  return sections;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string value_of(const std::map<std::string, std::string>& keys, const std::string& key) {
  auto it = keys.find(key);
  return it == keys.end() ? std::string() : it->second;
}

std::string joined_names(const std::vector<AwsProfile>& profiles) {
  std::string out;
  for (const auto& p : profiles) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

const AwsProfile* find(const std::vector<AwsProfile>& profiles, std::string_view name) {
  auto it =
      std::find_if(profiles.begin(), profiles.end(), [&](const AwsProfile& p) { return p.name == name; });
  return it == profiles.end() ? nullptr : &*it;
}

}  // namespace

std::vector<AwsProfile> parse_profiles(std::string_view config_text, std::string_view credentials_text) {
  std::map<std::string, AwsProfile, std::less<>> by_name;
  for (const auto& [section, keys] : parse_ini(config_text)) {
    std::string name;
    if (section == "default") {
      name = "default";
    } else if (section.rfind("profile", 0) == 0 && section.size() > 7 &&
               (section[7] == ' ' || section[7] == '\t')) {
      name = std::string(trim(std::string_view(section).substr(8)));
    } else {
      continue;  // [sso-session x], [services x] and bare names are not profiles here
    }
    if (name.empty()) continue;
    AwsProfile p;
    p.name = name;
    p.is_sso = keys.count("sso_session") || keys.count("sso_start_url") || keys.count("sso_account_id");
    p.region = value_of(keys, "region");
    p.sso_account_id = value_of(keys, "sso_account_id");
    p.sso_session = value_of(keys, "sso_session");
    by_name[name] = std::move(p);
  }
  for (const auto& [section, keys] : parse_ini(credentials_text)) {
    (void)keys;
    if (by_name.count(section)) continue;
    AwsProfile p;
    p.name = section;
    by_name[section] = std::move(p);
  }
  std::vector<AwsProfile> out;
  out.reserve(by_name.size());
  for (auto& [name, p] : by_name) out.push_back(std::move(p));
  return out;
}

std::vector<AwsProfile> load_profiles(const aws::Environment& env) {
  return parse_profiles(read_text(aws::config_file_path(env)), read_text(aws::credentials_file_path(env)));
}

std::string profile_label(const AwsProfile& profile) {
  if (!profile.is_sso) return profile.name;
  return profile.name + "  (SSO, " + (profile.region.empty() ? std::string("no region") : profile.region) +
         ")";
}

const AwsProfile& choose_profile(const std::vector<AwsProfile>& profiles, const ProfileChoice& choice,
                                 Prompter* prompter) {
  if (profiles.empty()) {
    throw ToolError(
        "No AWS profiles found in ~/.aws/config or ~/.aws/credentials. Configure one with "
        "`aws configure sso` or `aws configure`.");
  }
  if (!choice.flag.empty()) {
    if (const AwsProfile* p = find(profiles, choice.flag)) return *p;
    throw ToolError("Profile \"" + choice.flag + "\" not found. Available: " + joined_names(profiles));
  }
  if (choice.aws_profile) {
    // The reference only honours AWS_PROFILE silently with --non-interactive; here it is the
    // second choice in every mode (the order: flag, AWS_PROFILE, picker).
    if (const AwsProfile* p = find(profiles, *choice.aws_profile)) return *p;
    if (choice.non_interactive || prompter == nullptr)
      throw ToolError("AWS_PROFILE=" + *choice.aws_profile + " not found in config files.");
  }
  if (choice.non_interactive || prompter == nullptr) {
    throw ToolError("No --profile flag and AWS_PROFILE is unset; interactive selection is disabled.");
  }
  std::vector<std::string> labels;
  labels.reserve(profiles.size());
  for (const auto& p : profiles) labels.push_back(profile_label(p));
  return profiles.at(prompter->pick("Select an AWS profile", labels, 0));
}

}  // namespace auric::dashboard_tool
