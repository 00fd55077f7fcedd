#include "aws/environment.hpp"

#include <cstdlib>

#include "aws/encoding.hpp"

namespace auric::aws {

std::optional<std::string> ProcessEnvironment::get(std::string_view name) const {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::optional<std::string> MapEnvironment::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

void MapEnvironment::unset(std::string_view name) {
  auto it = values_.find(name);
  if (it != values_.end()) values_.erase(it);
}

std::shared_ptr<const Environment> process_environment() {
  static const auto instance = std::make_shared<const ProcessEnvironment>();
  return instance;
}

bool env_flag(const Environment& env, std::string_view name) {
  const auto value = env.get(name);
  if (!value) return false;
  const std::string v = to_lower(trim(*value));
  return v == "true" || v == "1" || v == "yes";
}

std::string home_directory(const Environment& env) {
  if (auto home = env.get("HOME")) return *home;
  if (auto profile = env.get("USERPROFILE")) return *profile;
  return {};
}

}  // namespace auric::aws
