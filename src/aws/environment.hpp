// Read access to environment variables behind an interface, so credential, region and
// endpoint resolution can be tested with a map. Implementations are read-only and thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace auric::aws {

class Environment {
 public:
  virtual ~Environment() = default;
  // Returns the variable's value, or nullopt when unset. An empty value counts as unset.
  virtual std::optional<std::string> get(std::string_view name) const = 0;
};

// The real process environment (getenv).
class ProcessEnvironment final : public Environment {
 public:
  std::optional<std::string> get(std::string_view name) const override;
};

// A fixed map of variables (tests, or a frozen copy of the process environment).
class MapEnvironment final : public Environment {
 public:
  MapEnvironment() = default;
  explicit MapEnvironment(std::map<std::string, std::string, std::less<>> values)
      : values_(std::move(values)) {}
  std::optional<std::string> get(std::string_view name) const override;
  // Not thread-safe against concurrent get(): set up before use.
  void set(std::string name, std::string value) { values_[std::move(name)] = std::move(value); }
  void unset(std::string_view name);

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// A shared ProcessEnvironment instance.
std::shared_ptr<const Environment> process_environment();

// True for "true"/"1"/"yes" (case-insensitive).
bool env_flag(const Environment& env, std::string_view name);

// The user's home directory: HOME (or USERPROFILE). Returns "" when neither is set.
std::string home_directory(const Environment& env);

}  // namespace auric::aws
