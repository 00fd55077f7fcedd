#include "aws/config_file.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/encoding.hpp"

namespace auric::aws {

const ConfigSection* SharedConfig::profile(std::string_view name) const {
  auto it = profiles.find(name);
  return it == profiles.end() ? nullptr : &it->second;
}

const ConfigSection* SharedConfig::sso_session(std::string_view name) const {
  auto it = sso_sessions.find(name);
  return it == sso_sessions.end() ? nullptr : &it->second;
}

std::optional<std::string> SharedConfig::get(std::string_view profile_name, std::string_view key) const {
  const ConfigSection* section = profile(profile_name);
  if (section == nullptr) return std::nullopt;
  auto it = section->find(key);
  if (it == section->end() || it->second.empty()) return std::nullopt;
  return it->second;
}

void parse_config_text(std::string_view text, ConfigFileKind kind, std::string_view source,
                       SharedConfig& into) {
  ConfigSection* current = nullptr;
  bool skipping = false;   // inside a section we ignore
  std::string parent_key;  // for nested "key =" sub-sections
  std::string last_key;
  std::size_t line_number = 0;
  std::size_t start = 0;
  auto fail = [&](const std::string& what) {
    throw ConfigFileError(std::string(source) + ":" + std::to_string(line_number) + ": " + what);
  };
  while (start <= text.size()) {
    const auto nl = text.find('\n', start);
    std::string_view raw =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    const bool indented = std::isspace(static_cast<unsigned char>(raw.front())) != 0;

    if (line.front() == '[') {
      if (line.back() != ']') fail("section header without closing ']'");
      std::string_view name = trim(line.substr(1, line.size() - 2));
      if (name.empty()) fail("empty section name");
      parent_key.clear();
      last_key.clear();
      skipping = false;
      if (kind == ConfigFileKind::kCredentials) {
        current = &into.profiles[std::string(name)];
        continue;
      }
      if (name.starts_with("profile ") || name.starts_with("profile\t")) {
        std::string profile_name(trim(name.substr(8)));
        if (profile_name.empty()) fail("profile section without a name");
        current = &into.profiles[profile_name];
      } else if (name.starts_with("sso-session ")) {
        std::string session_name(trim(name.substr(12)));
        if (session_name.empty()) fail("sso-session section without a name");
        current = &into.sso_sessions[session_name];
      } else if (name == "default") {
        current = &into.profiles["default"];
      } else {
        current = nullptr;  // "[x]" in a config file: not a profile (AWS CLI rule)
        skipping = true;
      }
      continue;
    }
    if (current == nullptr && !skipping) fail("property outside of any section");
    const auto eq = line.find('=');
    if (indented && !parent_key.empty()) {
      if (eq == std::string_view::npos) fail("expected 'key = value' in nested section");
      if (current) {
        (*current)[parent_key + "." + to_lower(trim(line.substr(0, eq)))] =
            std::string(trim(line.substr(eq + 1)));
      }
      continue;
    }
    if (indented && !last_key.empty() && eq == std::string_view::npos) {
      if (current) (*current)[last_key] += "\n" + std::string(line);  // continuation line
      continue;
    }
    if (eq == std::string_view::npos) fail("expected 'key = value', got '" + std::string(line) + "'");
    std::string key = to_lower(trim(line.substr(0, eq)));
    if (key.empty()) fail("empty property name");
    std::string value(trim(line.substr(eq + 1)));
    parent_key.clear();
    if (value.empty()) parent_key = key;  // may open a nested section
    last_key = key;
    if (current) (*current)[key] = std::move(value);
  }
}

std::string expand_home(std::string_view path, const Environment& env) {
  if (path == "~" || path.starts_with("~/")) return home_directory(env) + std::string(path.substr(1));
  return std::string(path);
}

std::string config_file_path(const Environment& env) {
  if (auto p = env.get("AWS_CONFIG_FILE")) return expand_home(*p, env);
  return home_directory(env) + "/.aws/config";
}

std::string credentials_file_path(const Environment& env) {
  if (auto p = env.get("AWS_SHARED_CREDENTIALS_FILE")) return expand_home(*p, env);
  return home_directory(env) + "/.aws/credentials";
}

namespace {
void load_file(const std::string& path, ConfigFileKind kind, SharedConfig& into) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigFileError("cannot read AWS " +
                          std::string(kind == ConfigFileKind::kConfig ? "config" : "credentials") +
                          " file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  parse_config_text(text.str(), kind, path, into);
}
}  // namespace

SharedConfig load_shared_config(const Environment& env) {
  SharedConfig config;
  load_file(config_file_path(env), ConfigFileKind::kConfig, config);
  SharedConfig credentials;
  load_file(credentials_file_path(env), ConfigFileKind::kCredentials, credentials);
  for (auto& [name, section] : credentials.profiles) {
    auto& target = config.profiles[name];
    for (auto& [k, v] : section) target[k] = v;
  }
  return config;
}

std::string selected_profile(const Environment& env) {
  if (auto p = env.get("AWS_PROFILE")) return *p;
  return "default";
}

}  // namespace auric::aws
