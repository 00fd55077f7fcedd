// Reading settings from the environment: the lookup every part is handed (tests pass a map
// instead of the process environment) and the whole-number parser that CLI flags, MIGRATION_*
// variables and config values share. Pure apart from process_env(); thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace auric::app {

// A variable's value, or nullopt when it is unset (or empty).
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment (unset and empty are the same).
std::optional<std::string> process_env(const std::string& name);

// `text` as a whole number >= `min`, or nullopt when it is not one (no sign games, no suffix).
std::optional<long long> parse_whole_number(const std::string& text, long long min);

}  // namespace auric::app
